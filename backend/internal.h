/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Core internals shared by the files of backend/ (and the white-box unit tests); never
 * installed, never included by the shell, which sees only the opaque handles and accessors
 * of include/iommush/.
 *
 * The floors of backend/, each calling only the floors below it (scripts/check-floors):
 *   0  ctx.c (context, choke point, errors, registry), hmap.c, ioctl.c (the one ioctl
 *      descriptor table: trace, dry-run, the recorder and the simulator's dispatch read it),
 *      trace.c, bdf.c, mem.c, smmu.c (codecs), record.c, rec_raw.c, rec_elf.c (the recorder
 *      the choke point feeds), kernel.c and sim/ (the backends); none calls in a circle
 *   1  uapi.c: the typed wrappers, one kernel call each
 *   2  vsmmu.c: the vSMMUv3 accel model
 *   3  session.c: the context's life cycle and teardown policy
 * A lower floor learns of a higher one only through what the higher one recorded on an
 * object (its owner, with the callback the owner registered).
 */
#ifndef IOMMUSH_INTERNAL_H
#define IOMMUSH_INTERNAL_H

#include <stdarg.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"
#include "hmap.h"
#include "ioctl.h"

/* a hex digit's value, -1 for any other character (PCI addresses, raw records) */
static inline int ish_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define ISH_DRY_ID_BASE 0x80000000u
#define ISH_DRY_FD_BASE 0x40000000

/*
 * Who holds an object besides the user: the vSMMU model records itself on every object it
 * allocated and on every device set on it. A hand destroy of an owned object is refused unless
 * forced; a forced destroy that the kernel carries out tells the owner, which forgets the id.
 */
struct ish_owner {
	const char *name;		/* "vs0" */
	void (*forget)(struct ish_owner *ow, uint32_t id);
};

struct ish_obj {
	uint32_t id;
	enum ish_obj_type type;
	uint32_t parent;	/* IOAS (paging), vIOMMU (nested, vdevice, veventq), HWPT (viommu) */
	uint32_t dev;		/* device it was allocated for (hwpt, viommu, vdevice) */
	uint32_t flags;		/* HWPT alloc flags | ISH_HWPT_AUTO */
	uint64_t serial;	/* unique for the context's life: tells a reused id apart */
	struct ish_owner *owner;	/* NULL: the user's */
	unsigned int users;	/* HWPTs: devices attached to it */
	char iommu[64];		/* HWPT, vIOMMU: the physical IOMMU of the device it was made for */
	char dev_bdf[ISH_BDF_LEN];	/* ...that device's address, and its serial */
	uint64_t dev_serial;
	struct ish_link all;	/* creation order */
	struct ish_link bytype;	/* creation order within its type */
	union {
		struct {
			int fd;
			uint32_t pt;		/* attached page table id, 0 if none */
			uint32_t vdevice;	/* its vDEVICE id, 0 if none */
			/* the vDEVICE the SMMU driver took the vSID from at the last attach to a
			 * nested HWPT (arm_smmu_attach_prepare_vmaster), 0: its faults stay on the host */
			uint32_t vmaster;
			struct ish_pci_dev pci;
			bool hw_valid;		/* hw cached by ish_get_hw_info() */
			struct ish_hw_info hw;
			uint32_t nregions;	/* region cache, 0 until read */
			uint64_t region_off[ISH_MAX_REGIONS], region_size[ISH_MAX_REGIONS];
			uint32_t region_flags[ISH_MAX_REGIONS];
			uint64_t key_bdf, key_cdev;	/* its entries in ctx->dev_index (0: none) */
		} device;
		struct {
			struct ish_list maps;	/* its struct ish_map, by ioas_link */
			/* the last IOMMU_IOAS_ALLOW_IOVAS that succeeded (malloc'd; none: NULL) */
			struct ish_iova_range *allowed;
			uint32_t nallowed;
		} ioas;
		struct {
			uint64_t ste[2];
		} nested;
		struct {
			uint32_t type;
		} viommu;
		struct {
			uint64_t virt_id;
		} vdevice;
		struct {
			int fd;
			uint32_t type, depth;
			bool seq_valid;
			uint32_t next_seq;	/* sequence expected next, to report gaps */
		} veventq;
	} u;
};

/* What IOAS_MAP put where, as the kernel holds it. */
struct ish_map {
	uint32_t ioas;
	uint64_t iova, length;
	void *va;		/* where this process sees the bytes; NULL: nowhere (a bare fd) */
	uint32_t flags;
	bool file;		/* IOMMU_IOAS_MAP_FILE, or a COPY of it: the kernel holds the file */
	struct ish_link all, ioas_link;
};

/* A page-aligned host buffer, numbered lowest-free from 1. */
struct ish_mem {
	uint32_t id;
	void *va;
	size_t size;
	int fd;			/* the memfd behind it (mem alloc ... memfd), or -1: anonymous */
	struct ish_link link;
};

struct ish_ctx {
	struct ish_backend *be;
	int iommufd;

	/* the registry: what the kernel holds for this iommufd */
	struct ish_hmap by_id;			/* id -> struct ish_obj */
	struct ish_hmap dev_index;		/* BDF / cdev key -> device struct ish_obj */
	struct ish_list objs;			/* creation order, by all */
	struct ish_list bytype[ISH_OBJ_NTYPES];
	uint64_t next_serial;
	struct ish_list maps;			/* struct ish_map, by all */
	struct ish_list mems;			/* struct ish_mem */
	struct ish_hmap mems_by_id;

	/* the vSMMU model's list (vsmmu.c alone reads or writes it) */
	struct ish_list vsmmus;

	/* the first failure of an operation: kept until ish_clear_err() */
	bool err_set;
	int err_no;
	char err[256];
	/* the first backend call that failed since, and whether fail-Nth made it fail */
	int call_err;
	const char *call_name;
	bool call_injected, injected_now;

	ish_trace_fn trace;
	void *trace_arg;
	bool dry_run;
	uint32_t dry_next_id;
	int dry_next_fd;

	unsigned long fail_n;		/* calls left before the armed fault; 0 = none */
	int fail_err;
	bool fail_hit;
	unsigned long n_ioctl, n_call;

	struct ish_ctx_rec *rec;	/* IOMMUSH_RECORD (record.c), NULL when off */
};

/* ---- the vSMMU model's state (vsmmu.c; the VMM front end reads it) */
struct ish_vsmmu_dev {
	uint32_t dev;		/* iommufd DEVICE id */
	uint32_t vsid;		/* the guest's StreamID for it */
	uint32_t s2_hwpt;	/* its nest parent: where unset puts it back */
	uint64_t s2_serial;	/* ...that very object, not a later one with the same id */
	uint32_t vdevice;	/* allocated on the first STE install; 0 before */
	uint32_t translate;	/* current S1 translate HWPT, 0 if none */
	uint32_t stale;		/* a replaced translate HWPT whose free failed: retried first */
	bool ste_set;		/* the guest installed an STE */
	uint64_t ste[2];	/* the last STE accepted */
	struct ish_link link;	/* set order */
};

struct ish_vsmmu {
	char name[32];
	struct ish_ctx *ctx;
	struct ish_owner owner;	/* recorded on every object it holds */
	uint32_t ioas;		/* the IOAS holding guest RAM (the S2) */
	struct ish_vsmmu_cfg cfg;
	uint32_t idr[6];	/* what it advertises (fixed by the first device when auto) */
	bool idr_valid;
	char iommu[64];		/* physical SMMU behind the vIOMMU */
	uint32_t s2_hwpt;	/* nest parent the vIOMMU sits on */
	uint32_t viommu, abort_hwpt, bypass_hwpt, veventq;	/* 0 = none */
	bool gbpa_abort, enabled;
	struct ish_list devs;	/* struct ish_vsmmu_dev, set order */
	struct ish_hmap by_dev;	/* device id -> struct ish_vsmmu_dev */
	struct ish_hmap by_vsid;
	struct ish_link link;	/* ctx->vsmmus */
};

/* ---- the choke point: every backend call of the core goes through these */
int ish_sys_ioctl(struct ish_ctx *ctx, int fd, unsigned long request, void *arg);
int ish_sys_open_device(struct ish_ctx *ctx, const char *spec, struct ish_pci_dev *info);
void ish_sys_close(struct ish_ctx *ctx, int fd);
ssize_t ish_sys_read(struct ish_ctx *ctx, int fd, void *buf, size_t len);
int ish_sys_poll(struct ish_ctx *ctx, int fd, int timeout_ms);
ssize_t ish_sys_pread(struct ish_ctx *ctx, int fd, void *buf, size_t len, uint64_t off);
ssize_t ish_sys_pwrite(struct ish_ctx *ctx, int fd, const void *buf, size_t len, uint64_t off);

/* the size of a known request's uAPI struct, 0 when unknown */
size_t ish_ioctl_argsz(unsigned long request);

/*
 * ---- errors: the first failure of an operation wins. ish_fail() records (err, message)
 * unless a failure is recorded already, and returns @err either way; ish_fail_mark() records
 * a failure that has no message of its own, so a later step's message cannot be taken for it.
 */
__attribute__((format(printf, 3, 4)))
int ish_fail(struct ish_ctx *ctx, int err, const char *fmt, ...);
int ish_fail_mark(struct ish_ctx *ctx, int err);
/* true when a failure with a message is recorded */
bool ish_err_has_msg(const struct ish_ctx *ctx);

/* ---- registry (floor 0) */
struct ish_obj *ish_obj_add(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type);
void ish_obj_del(struct ish_ctx *ctx, struct ish_obj *obj);
void ish_obj_retype(struct ish_ctx *ctx, struct ish_obj *obj, enum ish_obj_type type);
/* index a device by its BDF and cdev path (after pci is filled in) */
int ish_device_index(struct ish_ctx *ctx, struct ish_obj *dev);
/* newest object of @type, and the one before @o of its type */
struct ish_obj *ish_obj_last_of(struct ish_ctx *ctx, enum ish_obj_type type);
struct ish_obj *ish_obj_prev_of(const struct ish_obj *o);
struct ish_obj *ish_obj_first_of(struct ish_ctx *ctx, enum ish_obj_type type);
struct ish_obj *ish_obj_next_of(const struct ish_obj *o);
/* a device moved from HWPT @old to @new: keep the HWPTs' user counts */
void ish_hwpt_users_move(struct ish_ctx *ctx, uint32_t old, uint32_t new_pt);
/* drop an auto HWPT from the registry once the kernel freed it (no device left on it) */
void ish_auto_hwpt_put(struct ish_ctx *ctx, uint32_t hwpt_id);
void ish_maps_drop_ioas(struct ish_ctx *ctx, uint32_t ioas_id);
void ish_maps_free_all(struct ish_ctx *ctx);
void ish_mems_free_all(struct ish_ctx *ctx);
/* floor 0's part of ish_ctx_free: forget the registry, close the iommufd, free the backend
 * (the buffers are mem.c's: freed before, by session.c) */
void ish_ctx_release(struct ish_ctx *ctx);

/* ---- ownership (floor 1: uapi.c) */
/* IOMMU_DESTROY of an object @ow owns at this moment; -ESTALE (explained) when it does not */
int ish_destroy_owned(struct ish_ctx *ctx, uint32_t id, struct ish_owner *ow);
/* forget @ow on every object it holds that is still in the registry (a vSMMU going away) */
void ish_disown(struct ish_ctx *ctx, uint32_t id, struct ish_owner *ow);

/* ---- floor 2 (vsmmu.c), for floor 3: unwind every vSMMU, newest first, then forget them */
void ish_vsmmu_free_all(struct ish_ctx *ctx);

/* the kernel backend's only syscall site, replaceable by tests */
extern int (*ish_kernel_sys_ioctl)(int fd, unsigned long request, void *arg);
/* ---- recording (record.c): IOMMUSH_RECORD=FILE, fed by the choke point */
struct ish_ctx_rec;
int ish_ctx_record_start(struct ish_ctx *ctx, const char *path, int iommufd);
void ish_ctx_record_call(struct ish_ctx *ctx, const struct ish_call *c, long rc);
int ish_ctx_record_end(struct ish_ctx *ctx);

#endif
