/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vSMMUv3 accel model: what a VMM's `arm-smmuv3,accel=on` device does with iommufd.
 * A vSMMU owns one vIOMMU on the devices' S2 nest parent, two pre-allocated proxy nested
 * HWPTs (abort: vSTE {V}; bypass: vSTE {V|Config=bypass}), an optional vEVENTQ, and the list of
 * devices set on it, each with its vDEVICE (vSID) and current translate HWPT.
 *
 * Ownership: every object the model allocates (vIOMMU, proxies, vEVENTQ, vDEVICEs, translate
 * HWPTs) and every device set on it is recorded as the vSMMU's (ish_obj_owner()). The model
 * only ever destroys, or attaches a device to, an object it owns at that moment; a hand
 * ish_destroy() of one is refused, and a forced one makes the model forget the id. The S2 nest
 * parent is VFIO core's (ish_s2_attach()), not the vSMMU's: the model checks it is still the
 * same object before it puts a device back on it.
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

/*
 * A vSMMU instance and one device set on it: opaque, read through the accessors. Handles stay
 * valid until the device is unset / the vSMMU destroyed.
 */
struct ish_vsmmu;
struct ish_vsmmu_dev;

const char *ish_vsmmu_name(const struct ish_vsmmu *vs);
uint32_t ish_vsmmu_ioas(const struct ish_vsmmu *vs);		/* the S2 IOAS (guest RAM) */
const struct ish_vsmmu_cfg *ish_vsmmu_config(const struct ish_vsmmu *vs);
/* the IDRs it advertises; false while "auto" and no device has fixed them yet */
bool ish_vsmmu_idr(const struct ish_vsmmu *vs, uint32_t idr[6]);
const char *ish_vsmmu_iommu(const struct ish_vsmmu *vs);	/* physical SMMU, "" before */
/* the objects it holds, 0 for none */
uint32_t ish_vsmmu_s2_hwpt(const struct ish_vsmmu *vs);	/* the nest parent of its vIOMMU */
uint32_t ish_vsmmu_viommu(const struct ish_vsmmu *vs);
uint32_t ish_vsmmu_abort_hwpt(const struct ish_vsmmu *vs);
uint32_t ish_vsmmu_bypass_hwpt(const struct ish_vsmmu *vs);
uint32_t ish_vsmmu_veventq(const struct ish_vsmmu *vs);
bool ish_vsmmu_gbpa_abort(const struct ish_vsmmu *vs);		/* GBPA.ABORT */
bool ish_vsmmu_enabled(const struct ish_vsmmu *vs);		/* CR0.SMMUEN */
/* the host SMMU of its vIOMMU says TLBI/CFGI + SYNC must be issued twice (7.3,
 * IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI): ish_vsmmu_invalidate() does */
bool ish_vsmmu_repeats_invalidations(const struct ish_vsmmu *vs);
unsigned int ish_vsmmu_ndevs(const struct ish_vsmmu *vs);

/* its devices in the order they were set: for (d = ..._first(vs); d; d = ..._next(d)) */
struct ish_vsmmu_dev *ish_vsmmu_dev_first(const struct ish_vsmmu *vs);
struct ish_vsmmu_dev *ish_vsmmu_dev_next(const struct ish_vsmmu_dev *d);
/* O(1): by iommufd device id, by vSID */
struct ish_vsmmu_dev *ish_vsmmu_dev_find(struct ish_vsmmu *vs, uint32_t dev_id);
struct ish_vsmmu_dev *ish_vsmmu_dev_by_vsid(struct ish_vsmmu *vs, uint32_t vsid);
uint32_t ish_vsmmu_dev_id(const struct ish_vsmmu_dev *d);
uint32_t ish_vsmmu_dev_vsid(const struct ish_vsmmu_dev *d);
uint32_t ish_vsmmu_dev_s2_hwpt(const struct ish_vsmmu_dev *d);	/* where unset puts it */
uint32_t ish_vsmmu_dev_vdevice(const struct ish_vsmmu_dev *d);	/* 0 before the first STE */
uint32_t ish_vsmmu_dev_translate(const struct ish_vsmmu_dev *d);	/* its S1 HWPT, 0: none */
/* a replaced translate HWPT whose free failed: the vSMMU still holds it and retries it first */
uint32_t ish_vsmmu_dev_stale(const struct ish_vsmmu_dev *d);
/* the last STE the guest installed; false when none yet */
bool ish_vsmmu_dev_ste(const struct ish_vsmmu_dev *d, uint64_t ste[2]);

/* no kernel call: -EEXIST for a used name, -EINVAL for a bad one */
int ish_vsmmu_create(struct ish_ctx *ctx, const char *name, uint32_t ioas_id,
		     const struct ish_vsmmu_cfg *cfg, struct ish_vsmmu **out);
/* unsets every device (last one frees the vIOMMU and proxies), then forgets the instance */
int ish_vsmmu_destroy(struct ish_vsmmu *vs);
struct ish_vsmmu *ish_vsmmu_find(struct ish_ctx *ctx, const char *name);
struct ish_vsmmu *ish_vsmmu_first(struct ish_ctx *ctx);
struct ish_vsmmu *ish_vsmmu_next(const struct ish_vsmmu *vs);
/* the vSMMU a device is set on, or NULL (O(1)) */
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
/*
 * A batch of CMDQ commands in ONE kernel call; *done = how many the kernel handled. On a host
 * with the REPEAT_TLBI_CFGI erratum a second call repeats the batch's TLBI and CFGI commands
 * (each call ends in the kernel's CMD_SYNC); a failure there reports *done of that call.
 */
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
