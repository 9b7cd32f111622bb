/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vSMMUv3 accel model: what a VMM's `arm-smmuv3,accel=on` device does with iommufd.
 * A vSMMU owns one vIOMMU on the devices' S2 nest parent, two pre-allocated proxy nested
 * HWPTs (abort: vSTE {V}; bypass: vSTE {V|Config=bypass}), an optional vEVENTQ, and the list of
 * devices set on it, each with its vDEVICE (vSID) and current translate HWPT.
 */
#ifndef IOMMUSH_VSMMU_H
#define IOMMUSH_VSMMU_H

#include "iommush.h"

struct ish_vsmmu_cfg {
	bool auto_features;	/* advertise what the first device's host SMMU has... */
	uint32_t idr_mask[6];	/* ...except these bits, taken from idr[] (auto only) */
	uint32_t idr[6];	/* advertised IDR0..5 (all of them when !auto_features) */
	bool events;		/* allocate a vEVENTQ with the vIOMMU */
	uint32_t evtq_depth;	/* its depth (default 64) */
	bool gbpa_abort;	/* GBPA.ABORT at creation (reset value: 0, bypass) */
	bool enabled;		/* CR0.SMMUEN: when clear, every device sits on the GBPA proxy */
};

enum ish_role {
	ISH_ROLE_NONE,		/* not attached */
	ISH_ROLE_S2,		/* its S2 nest parent */
	ISH_ROLE_BYPASS,
	ISH_ROLE_ABORT,
	ISH_ROLE_TRANSLATE,
	ISH_ROLE_OTHER,		/* something set by hand */
};
const char *ish_role_name(enum ish_role r);

struct ish_vsmmu_dev {
	uint32_t dev;		/* iommufd DEVICE id */
	uint32_t vsid;		/* the guest's StreamID for it */
	uint32_t s2_hwpt;	/* its nest parent: where unset puts it back */
	uint32_t vdevice;	/* allocated on the first STE install; 0 before */
	uint32_t translate;	/* current S1 translate HWPT, 0 if none */
	uint32_t stale;		/* a replaced translate HWPT whose free failed: retried first */
	bool ste_set;		/* the guest installed an STE */
	uint64_t ste[2];	/* the last STE accepted */
	struct ish_vsmmu_dev *next;
};

struct ish_vsmmu {
	char name[32];
	struct ish_ctx *ctx;
	uint32_t ioas;		/* the IOAS holding guest RAM (the S2) */
	struct ish_vsmmu_cfg cfg;
	uint32_t idr[6];	/* what it advertises (fixed by the first device when auto) */
	bool idr_valid;
	char iommu[64];		/* physical SMMU behind the vIOMMU */
	uint32_t s2_hwpt;	/* nest parent the vIOMMU sits on */
	uint32_t viommu, abort_hwpt, bypass_hwpt, veventq;	/* 0 = none */
	bool gbpa_abort, enabled;
	struct ish_vsmmu_dev *devs;
	struct ish_vsmmu *next;
};

/* no kernel call: -EEXIST for a used name, -EINVAL for a bad one */
int ish_vsmmu_create(struct ish_ctx *ctx, const char *name, uint32_t ioas_id,
		     const struct ish_vsmmu_cfg *cfg, struct ish_vsmmu **out);
/* unsets every device (last one frees the vIOMMU and proxies), then forgets the instance */
int ish_vsmmu_destroy(struct ish_vsmmu *vs);
struct ish_vsmmu *ish_vsmmu_find(struct ish_ctx *ctx, const char *name);
struct ish_vsmmu *ish_vsmmu_first(struct ish_ctx *ctx);
struct ish_vsmmu_dev *ish_vsmmu_dev_find(struct ish_vsmmu *vs, uint32_t dev_id);
/* the vSMMU a device is set on, or NULL */
struct ish_vsmmu *ish_vsmmu_of_device(struct ish_ctx *ctx, uint32_t dev_id);
/* what the device is attached to, seen from this vSMMU */
enum ish_role ish_vsmmu_role(struct ish_vsmmu *vs, uint32_t dev_id);
/* the proxy GBPA.ABORT selects */
uint32_t ish_vsmmu_gbpa_hwpt(const struct ish_vsmmu *vs);

/*
 * What VFIO core does before the vSMMU sees a device: fetch its hw info (cached), find a
 * nest-parent HWPT on @ioas_id behind the same physical SMMU or allocate one, attach it.
 */
int ish_s2_attach(struct ish_ctx *ctx, uint32_t dev_id, uint32_t ioas_id, uint32_t *hwpt_id);

/*
 * The seed's set_iommu_device. The device must be attached to a nest parent of the vSMMU's
 * IOAS. Host compatibility is checked from its (cached) hw info; a mismatch is -EINVAL with
 * the field, host and vSMMU values in ish_errmsg(). The first device allocates the vIOMMU,
 * the abort and bypass proxies, the vEVENTQ (when enabled) and attaches the GBPA proxy:
 * 4 kernel calls, 5 with the vEVENTQ; later ones are attached to the current GBPA proxy
 * (1 call). Same device again with the same vSID: no-op. Another SMMU: -EXDEV.
 */
int ish_vsmmu_set_device(struct ish_vsmmu *vs, uint32_t dev_id, uint32_t vsid);
/*
 * What a VMM does when a device is plugged behind the vSMMU: the refusals that need no kernel
 * call first (another vSMMU, a used vSID, another physical SMMU: nothing changes), then
 * ish_s2_attach() and ish_vsmmu_set_device(); if the set fails, the device goes back where it
 * was and a nest parent made for it is freed.
 */
int ish_vsmmu_plug(struct ish_vsmmu *vs, uint32_t dev_id, uint32_t vsid);
/* the seed's unset_iommu_device; a device never set is a no-op */
int ish_vsmmu_unset_device(struct ish_vsmmu *vs, uint32_t dev_id);
/* GBPA.ABORT: every device not under a translate STE moves to the other proxy */
int ish_vsmmu_set_gbpa(struct ish_vsmmu *vs, bool abort);
/* CR0.SMMUEN: devices move between the GBPA proxy and what their STE says */
int ish_vsmmu_set_enabled(struct ish_vsmmu *vs, bool enabled);
/*
 * Install an STE for one device (CFGI_STE). The first install allocates its vDEVICE. SMMU
 * disabled → GBPA proxy; invalid or abort → abort proxy; bypass → bypass proxy; S1 translate →
 * new nested HWPT, attach, then free the previous translate HWPT. A refused STE leaves the
 * device exactly where it was.
 */
int ish_vsmmu_install_ste(struct ish_vsmmu *vs, uint32_t dev_id, const uint64_t ste[2]);
/*
 * CFGI_STE_RANGE / CFGI_ALL: install @ste on every device whose vSID is in [lo, hi], going on
 * after a failure. Returns the number installed; *first_err = the first failure (0 if none),
 * *failed_dev = its device.
 */
int ish_vsmmu_install_range(struct ish_vsmmu *vs, uint32_t lo, uint32_t hi, const uint64_t ste[2],
			    int *first_err, uint32_t *failed_dev);
/* a batch of CMDQ commands in ONE kernel call; *done = how many the kernel handled */
int ish_vsmmu_invalidate(struct ish_vsmmu *vs, const uint64_t (*cmds)[2], uint32_t n,
			 uint32_t *done);
/* read decoded events from its vEVENTQ (-ENOENT when it has none) */
int ish_vsmmu_read_events(struct ish_vsmmu *vs, struct ish_vevent *ev, size_t max,
			  int timeout_ms);

/* ---- on demand: the vEVENTQ of a guest's CR0.EVENTQEN (the VMM front end, vmm.h) -------- */

/*
 * @on: from now on the vSMMU has a vEVENTQ of @depth records (1..2^19): allocated now when it
 * has a vIOMMU (1 kernel call), else with the vIOMMU at its first device. A vEVENTQ already
 * there is kept (whatever its depth). !@on: the vEVENTQ is freed (1 call) and no longer made.
 * A failure leaves the setting and the objects as they were.
 */
int ish_vsmmu_set_events(struct ish_vsmmu *vs, bool on, uint32_t depth);

#endif
