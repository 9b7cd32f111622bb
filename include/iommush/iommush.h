/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommush: the core. A context owns one iommufd, a registry that mirrors every kernel
 * object it created (so `show`, completion and teardown read one list), typed wrappers for
 * each uAPI call, and the vSMMUv3 accel model (vsmmu.h).
 *
 * Every function returns 0 (or a count) on success and -errno on failure; it never prints and
 * never exits. On failure a one-line explanation may be left in ish_errmsg(ctx).
 * Lookups by id, PCI address and vSID are O(1); teardown is linear in the objects held.
 */
#ifndef IOMMUSH_H
#define IOMMUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/iommufd.h>
#include "backend.h"

struct ish_ctx;

/* ---- context ------------------------------------------------------------------------- */

/* One decoded kernel call, for --trace / --dry-run and the ioctl counter. */
struct ish_call {
	int fd;
	unsigned long request;		/* ioctl request; 0 for read/poll/pread/pwrite */
	const char *op;			/* "ioctl", "read", "poll", "pread", "pwrite", "open", "close" */
	const void *arg;		/* the uAPI struct (or buffer), as the call left it */
	const void *in;			/* a copy of the struct from before the call (ioctl) */
	size_t len;			/* read/write length */
	uint64_t off;
};
/* called after each call with its result (before it when dry-run: rc = 0) */
typedef void (*ish_trace_fn)(void *arg, const struct ish_call *call, long rc);

/* takes ownership of @be; opens /dev/iommu through it */
int ish_ctx_new(struct ish_backend *be, struct ish_ctx **out);
/* tears everything down in reverse order (vSMMUs, objects, devices), then frees */
void ish_ctx_free(struct ish_ctx *ctx);
/* destroy every object and device but keep the context */
int ish_ctx_reset(struct ish_ctx *ctx);
struct ish_backend *ish_ctx_backend(struct ish_ctx *ctx);
int ish_ctx_iommufd(struct ish_ctx *ctx);
/*
 * Errors, as QEMU's Error **errp: the first failure of an operation is recorded, with its
 * errno and a one-line detail, and stays until the caller clears it, so no unwinding step can
 * overwrite the reason. Clear before an operation whose failure you will report.
 */
const char *ish_errmsg(const struct ish_ctx *ctx);	/* "" when none, or none given */
int ish_errno(const struct ish_ctx *ctx);		/* -errno of that failure, 0 when none */
void ish_clear_err(struct ish_ctx *ctx);
/*
 * The first backend call that failed since ish_clear_err(): its name ("IOMMU_VIOMMU_ALLOC",
 * "read", ...), NULL when none; *err its -errno, *injected whether ish_fail_nth() made it fail
 * (either may be NULL). For a failure of a multi-call operation that has no message.
 */
const char *ish_err_call(const struct ish_ctx *ctx, int *err, bool *injected);

void ish_set_trace(struct ish_ctx *ctx, ish_trace_fn fn, void *arg);
/* dry run: calls are traced and not issued; allocations return fake ids from 0x80000000 */
void ish_set_dry_run(struct ish_ctx *ctx, bool on);
/* fail the Nth backend call from now (1 = the next) with -err; n = 0 disarms */
void ish_fail_nth(struct ish_ctx *ctx, unsigned long n, int err);
/* true when an armed fault was injected since the last ish_fail_nth() */
bool ish_fail_hit(const struct ish_ctx *ctx);
/* backend calls issued so far (ioctls only, and all calls) */
unsigned long ish_ioctl_count(const struct ish_ctx *ctx);
unsigned long ish_call_count(const struct ish_ctx *ctx);
/* the name of an ioctl request ("IOMMU_HWPT_ALLOC"), NULL if unknown */
const char *ish_ioctl_name(unsigned long request);
/* decode a uAPI struct for --trace: "dev_id=1 pt_id=3 flags=NEST_PARENT -> out_hwpt_id=4" */
int ish_call_format(const struct ish_call *call, long rc, char *buf, size_t len);

/* ---- the object registry -------------------------------------------------------------- */

enum ish_obj_type {
	ISH_OBJ_DEVICE,
	ISH_OBJ_IOAS,
	ISH_OBJ_HWPT_PAGING,
	ISH_OBJ_HWPT_NESTED,
	ISH_OBJ_VIOMMU,
	ISH_OBJ_VDEVICE,
	ISH_OBJ_VEVENTQ,
	ISH_OBJ_TOMBSTONE,	/* a vDEVICE whose device was unbound: its id stays reserved */
	ISH_OBJ_FAULT,		/* a fault queue (IOMMU_FAULT_QUEUE_ALLOC) and its fd */
	ISH_OBJ_HW_QUEUE,	/* a HW queue of a vIOMMU (IOMMU_HW_QUEUE_ALLOC) */
	ISH_OBJ_NTYPES
};
const char *ish_obj_type_name(enum ish_obj_type t);	/* "device", "ioas", "hwpt-paging", ... */

struct ish_hw_info {
	uint32_t type;			/* IOMMU_HW_INFO_TYPE_* */
	uint32_t data_len;		/* what the kernel reported */
	uint64_t capabilities;
	uint8_t max_pasid_log2;
	struct iommu_hw_info_arm_smmuv3 smmu;
};

#define ISH_MAX_REGIONS 9	/* VFIO PCI: BAR0-5, ROM, config, VGA */

#define ISH_HWPT_AUTO 0x80000000u	/* flags: the kernel made it on attach to an IOAS */

/*
 * An object of the registry: opaque. Handles stay valid until the object leaves the registry
 * (its destroy, its device's unbind, ish_ctx_reset/free); read them through the accessors.
 * The kernel reuses the lowest free id, so keep ids only while you know the object lives.
 */
struct ish_obj;

struct ish_obj *ish_obj_find(struct ish_ctx *ctx, uint32_t id);	/* O(1) */
/* by id and type: -ENOENT unknown, -EINVAL wrong type (with errmsg naming both) */
int ish_obj_get(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type, struct ish_obj **out);
/* every object in creation order: for (o = ish_obj_first(ctx); o; o = ish_obj_next(o)) */
struct ish_obj *ish_obj_first(struct ish_ctx *ctx);
struct ish_obj *ish_obj_next(const struct ish_obj *o);
/* a device by id, BDF or cdev path (O(1)) */
struct ish_obj *ish_device_find(struct ish_ctx *ctx, const char *spec);

uint32_t ish_obj_id(const struct ish_obj *o);
enum ish_obj_type ish_obj_type(const struct ish_obj *o);
/* the object it was made on: the IOAS of a paging HWPT, the vIOMMU of a nested HWPT, vDEVICE,
 * vEVENTQ or tombstone, the nest-parent HWPT of a vIOMMU; 0 for devices and IOASes */
uint32_t ish_obj_parent(const struct ish_obj *o);
/* the device it was allocated for (HWPTs, vIOMMU, vDEVICE, tombstone); 0 otherwise */
uint32_t ish_obj_dev(const struct ish_obj *o);
/* HWPT alloc flags (IOMMU_HWPT_ALLOC_*), | ISH_HWPT_AUTO for a HWPT the kernel made */
uint32_t ish_obj_flags(const struct ish_obj *o);
/* the vSMMU that holds it (its objects, and the devices set on it), NULL for the user's */
const char *ish_obj_owner(const struct ish_obj *o);
/* the physical IOMMU it is on ("smmu0"; a HWPT's, vIOMMU's or vDEVICE's is its device's at
 * allocation), "" when unknown */
const char *ish_obj_iommu(const struct ish_obj *o);
/* the PCI address of the device (a device's own, or the one it was allocated for), "" if none */
const char *ish_obj_dev_bdf(const struct ish_obj *o);
/* whether ish_obj_dev() still names the device it was allocated for (not unbound, its id not
 * reused by another binding) */
bool ish_obj_dev_alive(struct ish_ctx *ctx, const struct ish_obj *o);

/* devices (0 / NULL / false for another type) */
uint32_t ish_obj_device_pt(const struct ish_obj *dev);		/* attached page table, 0: none */
uint32_t ish_obj_device_vdevice(const struct ish_obj *dev);	/* its vDEVICE, 0: none */
const struct ish_pci_dev *ish_obj_device_pci(const struct ish_obj *dev);
/* the hw info cached by ish_get_hw_info(); false until fetched */
bool ish_obj_device_hw_info(const struct ish_obj *dev, struct ish_hw_info *info);
/* nested HWPTs of type ARM SMMUv3: the vSTE given at allocation */
bool ish_obj_nested_ste(const struct ish_obj *hwpt, uint64_t ste[2]);
uint32_t ish_obj_viommu_type(const struct ish_obj *viommu);	/* IOMMU_VIOMMU_TYPE_* */
uint64_t ish_obj_vdevice_virt_id(const struct ish_obj *vdev);	/* the vSID; also tombstones */
uint32_t ish_obj_veventq_depth(const struct ish_obj *q);
/* a HWPT's fault queue (allocated IOPF-capable, FAULT_ID_VALID), 0 when it has none */
uint32_t ish_obj_hwpt_fault(const struct ish_obj *hwpt);
/* a TEGRA241_CMDQV vIOMMU: the mmap offset and length of its VINTF page0; false otherwise */
bool ish_obj_viommu_mmap(const struct ish_obj *viommu, uint64_t *offset, uint64_t *length);
/* a HW queue: its type, index and the guest queue (nesting-parent IOVA, length) */
bool ish_obj_hw_queue(const struct ish_obj *q, uint32_t *type, uint32_t *index, uint64_t *iova,
		      uint64_t *length);

/* ---- the host's PCI functions (through the backend) ----------------------------------- */

/* every PCI function; @cb returning non-zero stops the walk and is returned */
int ish_pci_list(struct ish_ctx *ctx, ish_pci_cb cb, void *arg);
/* one function by BDF or cdev path: -ENOENT when there is none */
int ish_pci_lookup(struct ish_ctx *ctx, const char *spec, struct ish_pci_dev *info);
/*
 * Move a function from its host driver to vfio-pci. Only ever done on this explicit request;
 * the kernel backend gives it back to its driver when the context is freed.
 */
int ish_pci_use_vfio(struct ish_ctx *ctx, const char *bdf);

/* ---- uAPI wrappers: one kernel call each (unless said) -------------------------------- */

/* open the cdev (BDF or /dev/vfio/devices/vfioN) + VFIO_DEVICE_BIND_IOMMUFD */
int ish_device_bind(struct ish_ctx *ctx, const char *spec, uint32_t *dev_id);
/* close the cdev: the kernel detaches it and tombstones a live vDEVICE */
int ish_device_unbind(struct ish_ctx *ctx, uint32_t dev_id);
/* VFIO_DEVICE_ATTACH_IOMMUFD_PT (attach or replace); *out_pt = HWPT actually used */
int ish_device_attach(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t *out_pt);
int ish_device_detach(struct ish_ctx *ctx, uint32_t dev_id);
/*
 * The same with VFIO_DEVICE_ATTACH_PASID: the device's PASID @pasid on @pt_id, a HWPT allocated
 * with IOMMU_HWPT_ALLOC_PASID (an IOAS is refused: its automatic HWPT is not PASID-compatible);
 * attaching a PASID again replaces. EINVAL also while the RID is on a HWPT that is not
 * PASID-compatible or not a stage-1 one, and for @pasid >= 2^max_pasid_log2 (not checked by
 * Linux 7.3 when max_pasid_log2 is 0). PASID 0 is the RID (IOMMU_NO_PASID): EBUSY when the
 * RID is attached, else the RID is attached.
 */
int ish_device_attach_pasid(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pasid, uint32_t pt_id,
			    uint32_t *out_pt);
/* VFIO_DEVICE_DETACH_PASID; a PASID not attached is a quiet success, as in the kernel */
int ish_device_detach_pasid(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pasid);
/* the page table PASID @pasid of a device is attached to, 0: none (from the registry) */
uint32_t ish_obj_device_pasid_pt(const struct ish_obj *dev, uint32_t pasid);
/* the attached PASIDs, newest first, and their page tables: the count, at most @max filled */
size_t ish_obj_device_pasids(const struct ish_obj *dev, uint32_t *pasids, uint32_t *pts,
			     size_t max);
/*
 * Whether the SMMU driver forwards this device's faults to a vEVENTQ now: it is on a nested
 * HWPT, had its vDEVICE on that vIOMMU when it was attached (the driver takes the vSID at
 * attach, arm_smmu_attach_prepare_vmaster), and the vIOMMU has a vEVENTQ. When not, @why
 * (may be NULL) says which. From the registry: no kernel call.
 */
bool ish_device_events_forwarded(struct ish_ctx *ctx, uint32_t dev_id, char *why, size_t len);

int ish_get_hw_info(struct ish_ctx *ctx, uint32_t dev_id, struct ish_hw_info *info);
/* the same asking for one info type (IOMMU_HW_INFO_FLAG_INPUT_TYPE, Linux 6.17): an SMMUv3
 * answers 0 and ARM_SMMUV3, and TEGRA241_CMDQV only when it has that extension */
int ish_get_hw_info_type(struct ish_ctx *ctx, uint32_t dev_id, uint32_t type,
			 struct ish_hw_info *info);

int ish_ioas_alloc(struct ish_ctx *ctx, uint32_t *ioas_id);
/* @flags: IOMMU_IOAS_MAP_*; *iova in: the IOVA with FIXED_IOVA, out: the one used */
int ish_ioas_map(struct ish_ctx *ctx, uint32_t ioas_id, void *va, uint64_t length,
		 uint64_t *iova, uint32_t flags);
/* iova 0 + length UINT64_MAX unmaps everything; *unmapped = bytes */
int ish_ioas_unmap(struct ish_ctx *ctx, uint32_t ioas_id, uint64_t iova, uint64_t length,
		   uint64_t *unmapped);

/* an inclusive IOVA range, as struct iommu_iova_range */
struct ish_iova_range {
	uint64_t start, last;
};
/*
 * IOMMU_IOAS_IOVA_RANGES: the IOVAs usable now (the holes between reserved ranges: the MSI
 * window, the domains' apertures, and outside what ALLOW_IOVAS allowed). *ranges is
 * malloc'd (free() it), *n its count, *alignment the IOVA alignment maps need. One kernel
 * call when up to 8 ranges, else two (EMSGSIZE tells the count); a third if they changed.
 */
int ish_ioas_iova_ranges(struct ish_ctx *ctx, uint32_t ioas_id, struct ish_iova_range **ranges,
			 uint32_t *n, uint64_t *alignment);
/*
 * The same with one call and room for `room` ranges, as a VMM makes it (QEMU first asks with
 * room 0). More ranges than room: -EMSGSIZE, with *n and *alignment the kernel's answer
 * (the count) and *ranges untouched.
 */
int ish_ioas_iova_ranges_room(struct ish_ctx *ctx, uint32_t ioas_id, uint32_t room,
			      struct ish_iova_range **ranges, uint32_t *n, uint64_t *alignment);
/* IOMMU_IOAS_ALLOW_IOVAS: automatic IOVAs only inside these (n = 0: anywhere again) */
int ish_ioas_allow_iovas(struct ish_ctx *ctx, uint32_t ioas_id, const struct ish_iova_range *r,
			 uint32_t n);
/* the ranges of the last successful ALLOW_IOVAS, from the registry (NULL, 0: none) */
const struct ish_iova_range *ish_ioas_allowed(struct ish_ctx *ctx, uint32_t ioas_id,
					      uint32_t *n);
/*
 * IOMMU_IOAS_COPY: the pages behind [src_iova, +length) of @src mapped again in @dst.
 * @flags: IOMMU_IOAS_MAP_*; *dst_iova in with FIXED_IOVA, out: the one used.
 */
int ish_ioas_copy(struct ish_ctx *ctx, uint32_t dst, uint32_t src, uint64_t src_iova,
		  uint64_t length, uint64_t *dst_iova, uint32_t flags);
/*
 * IOMMU_IOAS_MAP_FILE: bytes [start, +length) of the file @fd (a memfd, or a single-range
 * VFIO PCI dma-buf where the kernel takes those). The kernel holds the file until unmapped.
 */
int ish_ioas_map_file(struct ish_ctx *ctx, uint32_t ioas_id, int fd, uint64_t start,
		      uint64_t length, uint64_t *iova, uint32_t flags);
/*
 * The dma-buf form: export [offset, +length) of a device's region as a VFIO dma-buf
 * (VFIO_DEVICE_FEATURE_DMA_BUF), map it with IOMMU_IOAS_MAP_FILE, close our fd (the kernel
 * keeps its reference). Two kernel calls and a close. ENOTTY: the kernel exports none.
 */
int ish_ioas_map_dmabuf(struct ish_ctx *ctx, uint32_t ioas_id, uint32_t dev_id, uint32_t region,
			uint64_t offset, uint64_t length, uint64_t *iova, uint32_t flags);
/* IOMMU_OPTION: @object_id 0 for the global RLIMIT_MODE, an IOAS for HUGE_PAGES */
int ish_option_get(struct ish_ctx *ctx, uint32_t option_id, uint32_t object_id, uint64_t *val);
int ish_option_set(struct ish_ctx *ctx, uint32_t option_id, uint32_t object_id, uint64_t val);
/* IOMMU_IOAS_CHANGE_PROCESS: charge the pinned pages of every (file) mapping to this process */
int ish_ioas_change_process(struct ish_ctx *ctx);
/*
 * IOMMU_IOAS_NOIOMMU_GET_PA: the physical address behind @iova of an IOAS of noiommu devices,
 * and *length (in: at most, out: how many bytes are contiguous there).
 */
int ish_ioas_noiommu_get_pa(struct ish_ctx *ctx, uint32_t ioas_id, uint64_t iova,
			    uint64_t *length, uint64_t *phys);

/* the raw call: paging (pt = IOAS) or nested (pt = vIOMMU or HWPT) */
int ish_hwpt_alloc(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		   uint32_t data_type, const void *data, uint32_t data_len, uint32_t *hwpt_id);
/* nested on a vIOMMU from the two STE words (IOMMU_HWPT_DATA_ARM_SMMUV3) */
int ish_hwpt_alloc_nested(struct ish_ctx *ctx, uint32_t dev_id, uint32_t viommu_id,
			  const uint64_t ste[2], uint32_t *hwpt_id);
/* IOMMU_HWPT_SET_DIRTY_TRACKING on a paging HWPT allocated with DIRTY_TRACKING */
int ish_hwpt_set_dirty_tracking(struct ish_ctx *ctx, uint32_t hwpt_id, bool enable);
/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP: bit i of @bitmap (length / page_size bits, rounded up to whole
 * u64 words, which the caller zeroes) is set when a DMA wrote to [iova + i * page_size,
 * + page_size). @flags: IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR keeps the dirty state.
 */
int ish_hwpt_get_dirty_bitmap(struct ish_ctx *ctx, uint32_t hwpt_id, uint64_t iova,
			      uint64_t length, uint64_t page_size, uint32_t flags,
			      uint64_t *bitmap);

int ish_viommu_alloc(struct ish_ctx *ctx, uint32_t dev_id, uint32_t hwpt_id, uint32_t type,
		     uint32_t *viommu_id);
int ish_vdevice_alloc(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t dev_id,
		      uint64_t virt_id, uint32_t *vdevice_id);

/*
 * IOMMU_HWPT_INVALIDATE: @n entries of @entry_len bytes. *done = entries handled, also on
 * failure (the kernel's entry_num), so a caller can tell which command was refused.
 */
int ish_invalidate(struct ish_ctx *ctx, uint32_t id, uint32_t data_type, const void *entries,
		   uint32_t entry_len, uint32_t n, uint32_t *done);

/*
 * After an ARM SMMUv3 vIOMMU invalidation failed at entry @done (the kernel's entry_num), say
 * why in ish_errmsg(): "command 2 (CFGI_CD sid=0x99) refused: no vDEVICE has vSID 0x99 on
 * vIOMMU 4; 1 handled". Judged against the host SMMU's IDRs (from the cached hw info of the
 * device the vIOMMU was allocated for). Returns @rc.
 */
int ish_invalidate_explain(struct ish_ctx *ctx, uint32_t viommu_id, const uint64_t (*cmds)[2],
			   uint32_t n, uint32_t done, int rc);

int ish_veventq_alloc(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t type, uint32_t depth,
		      uint32_t *veventq_id);

/* One decoded vEVENTQ record. */
struct ish_vevent {
	bool lost;		/* a LOST_EVENTS header: events were dropped before this point */
	uint32_t seq;
	uint32_t gap;		/* sequence numbers skipped before this record; for a LOST
				 * header the events dropped are gap + 1 */
	uint64_t evt[4];	/* ARM SMMUv3 event record (only when !lost) */
};
/*
 * Read up to @max records. Waits up to @timeout_ms for the first one (0 = don't wait,
 * < 0 forever); returns the number of records, 0 when none, -EINTR when interrupted.
 */
int ish_veventq_read(struct ish_ctx *ctx, uint32_t veventq_id, struct ish_vevent *ev,
		     size_t max, int timeout_ms);

/* ---- fault queues (IOPF) and HW queues ------------------------------------------------- */

/* IOMMU_FAULT_QUEUE_ALLOC: a fault queue and its fd (kept in the registry) */
int ish_fault_alloc(struct ish_ctx *ctx, uint32_t *fault_id);
/* IOMMU_HWPT_ALLOC with FAULT_ID_VALID: an IOPF-capable HWPT reporting to @fault_id */
int ish_hwpt_alloc_fault(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			 uint32_t data_type, const void *data, uint32_t data_len,
			 uint32_t fault_id, uint32_t *hwpt_id);
/*
 * Read up to @max page requests (whole groups) from the fault fd; waits up to @timeout_ms for
 * the first (0 = don't, < 0 forever). Returns the count, 0 when none. Each carries the cookie
 * its response must quote.
 */
int ish_fault_read(struct ish_ctx *ctx, uint32_t fault_id, struct iommu_hwpt_pgfault *f,
		   size_t max, int timeout_ms);
/* write one struct iommu_hwpt_page_response: @code IOMMUFD_PAGE_RESP_SUCCESS or _INVALID */
int ish_fault_respond(struct ish_ctx *ctx, uint32_t fault_id, uint32_t cookie, uint32_t code);

/*
 * IOMMU_VIOMMU_ALLOC of a TEGRA241_CMDQV vIOMMU (a VINTF of the host's CMDQV): *mmap_off and
 * *mmap_len (may be NULL) say where its page0 is in the iommufd's mmap space.
 */
int ish_viommu_alloc_cmdqv(struct ish_ctx *ctx, uint32_t dev_id, uint32_t hwpt_id,
			   uint32_t *viommu_id, uint64_t *mmap_off, uint64_t *mmap_len);
/*
 * mmap(2) of the iommufd at a TEGRA241_CMDQV vIOMMU's page0 (MAP_SHARED, read/write): *addr
 * and *len (may be NULL). The mapping holds the vIOMMU (its destroy is EBUSY) until
 * ish_viommu_munmap(); teardown unmaps it. One mapping a vIOMMU.
 */
int ish_viommu_mmap(struct ish_ctx *ctx, uint32_t viommu_id, void **addr, uint64_t *len);
int ish_viommu_munmap(struct ish_ctx *ctx, uint32_t viommu_id);
/*
 * IOMMU_HW_QUEUE_ALLOC: a guest queue of @length bytes at nesting-parent IOVA @iova, as the
 * queue @index of @type on the vIOMMU. The kernel pins it (IOAS_UNMAP of it is EBUSY); the
 * Tegra241 CMDQV takes indexes in ascending order and frees them in descending order.
 */
int ish_hw_queue_alloc(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t type, uint32_t index,
		       uint64_t iova, uint64_t length, uint32_t *hw_queue_id);

/*
 * IOMMU_DESTROY; a vEVENTQ's fd is closed first (it holds a reference). An object a vSMMU
 * holds (ish_obj_owner()) is refused with -EBUSY naming it: its vSMMU frees it. With
 * ISH_DESTROY_FORCE the call is made anyway and, when the kernel frees the object, the vSMMU
 * forgets it (it will neither use nor free that id again).
 */
int ish_destroy(struct ish_ctx *ctx, uint32_t id);
#define ISH_DESTROY_FORCE 1u
int ish_destroy_flags(struct ish_ctx *ctx, uint32_t id, unsigned int flags);

/* ---- VFIO regions and host memory ------------------------------------------------------ */

struct ish_region {
	uint32_t index;
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size, offset;
};
/* VFIO_DEVICE_GET_INFO + GET_REGION_INFO for each region; returns the count */
int ish_region_list(struct ish_ctx *ctx, uint32_t dev_id, struct ish_region *r, size_t max);
/* BAR access of 1, 2, 4 or 8 bytes at @off inside region @index */
int ish_mmio_read(struct ish_ctx *ctx, uint32_t dev_id, uint32_t index, uint64_t off,
		  unsigned int width, uint64_t *val);
int ish_mmio_write(struct ish_ctx *ctx, uint32_t dev_id, uint32_t index, uint64_t off,
		   unsigned int width, uint64_t val);

/* What IOAS_MAP put where, as the kernel holds it (opaque; for show and mem_free). */
struct ish_map;
struct ish_map *ish_map_first(struct ish_ctx *ctx);
struct ish_map *ish_map_next(const struct ish_map *m);
uint32_t ish_map_ioas(const struct ish_map *m);
uint64_t ish_map_iova(const struct ish_map *m);
uint64_t ish_map_length(const struct ish_map *m);
void *ish_map_va(const struct ish_map *m);
uint32_t ish_map_flags(const struct ish_map *m);	/* IOMMU_IOAS_MAP_* */
bool ish_map_file(const struct ish_map *m);	/* MAP_FILE (or a COPY of one): holds a file */

/* Page-aligned host buffers, numbered lowest-free from 1, for IOAS_MAP and DMA checks. */
struct ish_mem;
int ish_mem_alloc(struct ish_ctx *ctx, size_t size, uint32_t *mem_id);
/* the same, backed by a memfd (shared), for IOMMU_IOAS_MAP_FILE */
int ish_mem_alloc_memfd(struct ish_ctx *ctx, size_t size, uint32_t *mem_id);
/*
 * the same in huge pages (hugetlb, MAP_HUGETLB on the kernel backend): physically contiguous
 * within each huge page, for stage-1 tables and pages larger than 4 KiB that an emulated
 * SMMU reads as one block (tests/live/extra/README.md). @size must be a multiple of the huge
 * page size (-EINVAL); -ENOMEM when no huge pages are reserved.
 */
int ish_mem_alloc_huge(struct ish_ctx *ctx, size_t size, uint32_t *mem_id);
bool ish_mem_huge(const struct ish_mem *m);
int ish_mem_fd(const struct ish_mem *m);	/* its memfd, or -1 */
struct ish_mem *ish_mem_by_fd(struct ish_ctx *ctx, int fd);	/* O(buffers) */
int ish_mem_free(struct ish_ctx *ctx, uint32_t mem_id);	/* -EBUSY while mapped */
struct ish_mem *ish_mem_find(struct ish_ctx *ctx, uint32_t mem_id);	/* O(1) */
struct ish_mem *ish_mem_first(struct ish_ctx *ctx);
struct ish_mem *ish_mem_next(const struct ish_mem *m);
uint32_t ish_mem_id(const struct ish_mem *m);
void *ish_mem_va(const struct ish_mem *m);
size_t ish_mem_size(const struct ish_mem *m);

#endif
