/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated kernel's private model: files (fds), iommufd contexts with their id space,
 * objects with the kernel's "users" refcounts, the physical topology (SMMUs, PCI functions)
 * and the edu device. Only backend/sim/ includes this.
 */
#ifndef ISH_SIM_INTERNAL_H
#define ISH_SIM_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "../testing.h"	/* iommush/sim.h and its test hooks */

#define SIM_PAGE_SIZE		4096ULL
#define SIM_HPAGE_SIZE		(2ULL << 20)
#define SIM_FD_BASE		1000
#define SIM_MAX_DEPTH		(1U << 19)	/* vEVENTQ depth, invalidation entry_num */
#define SIM_CFG_SIZE		256		/* conventional PCI config space */
#define SIM_PCI_CMD_MEM		0x2
#define SIM_PCI_CMD_MASTER	0x4
#define SIM_REGION_SHIFT	40		/* VFIO_PCI_OFFSET_SHIFT */
#define SIM_EDU_BAR_SIZE	(1U << 20)
#define SIM_EDU_BUF		0x40000ULL
#define SIM_EDU_BUF_SIZE	4096U
#define SIM_EDU_DMA_MASK	((1ULL << 28) - 1)
#define SIM_VMID_MAX		(1U << 16)
#define SIM_EVT_REC		(sizeof(struct iommufd_vevent_header) + \
				 sizeof(struct iommu_vevent_arm_smmuv3))

/* the software MSI window the SMMUv3 driver reserves in every IOAS a device uses */
#define SIM_MSI_IOVA		0x8000000ULL
#define SIM_MSI_LEN		0x100000ULL
#define SIM_MSI_LAST		(SIM_MSI_IOVA + SIM_MSI_LEN - 1)

/* SMMUv3 event record fields (evt[0], evt[1]) */
#define SIM_EVT0_SID_SHIFT	32
#define SIM_EVT0_SSV		(1ULL << 11)
#define SIM_EVT0_SSID_SHIFT	12
#define SIM_SSID_MAX		0xfffffU	/* 20-bit SubstreamIDs */
#define SIM_EVT1_STALL		(1ULL << 31)
#define SIM_EVT1_RNW		(1ULL << 35)
#define SIM_EVT1_S2		(1ULL << 39)
#define SIM_EVT1_CLASS_SHIFT	40
#define SIM_CLASS_CD		0
#define SIM_CLASS_TT		1
#define SIM_CLASS_IN		2

enum sim_obj_type {
	SIM_DEVICE,
	SIM_IOAS,
	SIM_HWPT_PAGING,
	SIM_HWPT_NESTED,
	SIM_VIOMMU,
	SIM_VDEVICE,
	SIM_VEVENTQ,
	SIM_TOMBSTONE,		/* an unbound device's vDEVICE: its id stays taken */
};

/* a mapping; an IOAS keeps them in a treap by IOVA (they never overlap): O(log n) a lookup */
struct sim_area {
	uint64_t iova, length;
	uint64_t uva;		/* IOMMU_IOAS_MAP user_va: memory of this very process */
	uint32_t flags;		/* IOMMU_IOAS_MAP_READABLE / _WRITEABLE */
	/*
	 * IOMMU_IOAS_MAP_FILE (and a COPY of it): the area holds the file (a dup of its fd, as
	 * iopt_alloc_file_pages() holds a reference) and maps it here, at uva, to reach it
	 */
	int fd;			/* -1: user memory (IOPT_ADDRESS_USER) */
	uint64_t foff;		/* the file offset of iova */
	void *map_base;		/* our MAP_SHARED view of [foff page-aligned, +map_len) */
	uint64_t map_len;
	bool view_rw;		/* the view is writeable (the fd was opened for writing) */
	struct sim_area *left, *right;
	struct sim_area *next;	/* only while a MAP or COPY stages its new areas */
};

/* one reserved IOVA range, held by the devices or domains whose attach put it there */
struct sim_resv {
	uint64_t start, last;
	unsigned int owners;	/* devices (SW MSI) or domains (aperture) that reserved it */
	struct sim_resv *next;
};

struct sim_vevent {
	uint32_t seq;
	uint64_t evt[4];
	struct sim_vevent *next;
};

struct sim_file;
struct sim_pdev;
struct sim_ictx;

/* the lowest free number in O(log64 n): an id space, the fd table (sim_base.c) */
#define SIM_IDA_LEVELS 6
struct sim_ida {
	uint64_t *lv[SIM_IDA_LEVELS];	/* lv[0]: a bit per number; lv[k+1]: lv[k]'s full words */
	unsigned int depth;
	uint32_t cap;			/* 64^depth numbers */
};

/* u64 key -> pointer, O(1): vSIDs of a vIOMMU, BDFs of the host (sim_base.c) */
struct sim_map {
	struct sim_map_ent { uint64_t key; void *val; } *v;
	size_t cap, n;
};

struct sim_obj {
	uint32_t id;
	enum sim_obj_type type;
	unsigned int users;		/* 1 = only the id table holds it */
	bool live;			/* finalized: visible to lookups */
	struct sim_ictx *ictx;
	union {
		struct {
			struct sim_pdev *pdev;
			struct sim_obj *hwpt;	/* attached page table, NULL = blocked */
			struct sim_obj *vdev;	/* its vDEVICE, one at most */
			/* set at nested attach when a vDEVICE existed: where events go */
			struct sim_obj *vmaster;	/* the vIOMMU */
			uint32_t vsid;
		} dev;
		struct {
			struct sim_area *areas;	/* the treap's root */
			struct sim_resv *resv;
			struct sim_resv *allowed;	/* IOMMU_IOAS_ALLOW_IOVAS, owner NULL */
			unsigned int domains;	/* HWPT_PAGING objects on it */
			struct sim_obj *hwpts;	/* those, as the kernel's ioas->hwpt_list */
			bool no_huge;		/* IOMMU_OPTION_HUGE_PAGES = 0 */
		} ioas;
		struct {
			struct sim_obj *ioas;
			uint32_t flags;		/* IOMMU_HWPT_ALLOC_* */
			bool autodomain;
			unsigned int smmu;
			uint16_t vmid;		/* S2 (nest parent) only */
			uint64_t aperture_end;	/* first IOVA past the aperture: reserved from here */
			struct sim_obj *prev, *next;	/* on its IOAS's list */
		} paging;
		struct {
			struct sim_obj *viommu;
			uint64_t ste[2];	/* as stored: V=0 zeroed, EATS cleared */
			bool ats;
		} nested;
		struct {
			struct sim_obj *parent;
			unsigned int smmu;
			uint16_t vmid;
			struct sim_map vdevs;		/* virt_id -> vDEVICE (viommu->vdevs) */
			struct sim_obj *veventqs;	/* its vEVENTQs (viommu->veventqs) */
		} viommu;
		struct {
			struct sim_obj *viommu, *dev;
			uint64_t virt_id;
		} vdev;
		struct {
			struct sim_obj *viommu;
			uint32_t type, depth, num;
			uint32_t seq;		/* the next sequence number */
			bool lost;		/* the LOST_EVENTS header sits at the tail */
			uint32_t lost_seq;
			struct sim_vevent *head, *tail;
			struct sim_file *file;
			struct sim_obj *next;	/* on its vIOMMU's list */
		} q;
	} u;
};

struct sim_ictx {
	struct sim *sim;
	unsigned int refs;		/* the iommufd file, bound devices, vEVENTQ files */
	struct sim_obj **objs;		/* index = id; NULL = free */
	uint32_t cap;
	struct sim_ida ids;		/* taken ids (0 is never handed out) */
	uint32_t nobjs;			/* ids taken: objects, reserved and tombstoned */
	uint32_t vfio_ioas;		/* IOMMU_VFIO_IOAS compat IOAS, 0 = none */
	bool rlimit_mm;			/* IOMMU_OPTION_RLIMIT_MODE */
	struct sim_ictx *next;
};

enum sim_file_kind { SIM_F_IOMMUFD, SIM_F_DEVICE, SIM_F_VEVENTQ };

struct sim_file {
	int fd;
	enum sim_file_kind kind;
	struct sim_ictx *ictx;		/* device: the context it is bound to, or NULL */
	struct sim_pdev *pdev;		/* device */
	struct sim_obj *obj;		/* device: its DEVICE object once bound; vEVENTQ */
	uint64_t pos;			/* device: read()/write() position */
};

struct sim_edu {
	uint32_t live, fact, status, irq_status;
	uint64_t dma_src, dma_dst, dma_cnt, dma_cmd;
	uint8_t buf[SIM_EDU_BUF_SIZE];
};

struct sim_pdev {
	struct ish_sim_dev_cfg cfg;
	char name[ISH_NAME_LEN];
	int group;
	int minor;			/* vfioN, -1 when not on vfio-pci */
	struct sim_obj *idev;		/* the bound DEVICE object */
	uint8_t config[SIM_CFG_SIZE];
	struct sim_edu *edu;		/* an edu function's registers and buffer, else NULL */
};

/* a cached stage-1 translation: (VMID, ASID, VA page) -> IPA page */
struct sim_tlb {
	uint16_t vmid, asid;
	uint64_t va, ipa, size;		/* the leaf: a page or a block */
	bool ro;
	struct sim_tlb *next;
};

/* a cached context descriptor, per StreamID and SubstreamID (the configuration cache) */
struct sim_cdc {
	uint32_t sid, ssid;		/* ssid: the CD's index in the STE's CD table */
	uint64_t cd[4];
	struct sim_cdc *next;
};

/*
 * Like the hardware's, the caches hold a bounded number of entries (dropping one, or not
 * caching, is always correct): a lookup or invalidation costs O(1) however many streams DMA.
 */
#define SIM_TLB_MAX	512
#define SIM_CDC_MAX	256

struct sim_smmu {
	struct ish_sim_smmu_cfg cfg;
	struct sim_ida vmids;		/* taken VMIDs (0 is never handed out) */
	struct sim_tlb *tlb;
	struct sim_cdc *cdc;
	unsigned int ntlb, ncdc;
};

struct sim {
	struct ish_backend be;
	struct sim_smmu smmu[ISH_SIM_MAX_SMMUS];
	unsigned int nsmmu;
	struct sim_pdev **pdevs;	/* in the order added; sorted by BDF when pdevs_sorted */
	bool pdevs_sorted;
	unsigned int npdev, nvfio, pdev_cap;
	struct sim_map pdev_by_bdf;	/* sim_bdf_key() -> function */
	struct sim_pdev **pdev_by_minor;	/* vfioN -> function, nvfio of them */
	unsigned int minor_cap;
	struct sim_ida fds;		/* fd - SIM_FD_BASE taken */
	struct sim_file **file_tab;	/* fd - SIM_FD_BASE -> file */
	uint32_t nfile_slots, nfiles;
	struct sim_ictx *ctxs;
	enum ish_sim_profile profile;
	unsigned long calls, host_events;
	unsigned long fail_alloc;	/* allocations left before the armed one; 0 = none */
	bool fail_hit;
};

static inline struct sim *sim_of(struct ish_backend *be)
{
	return (struct sim *)be;
}

static inline bool sim_strict(const struct sim *sim)
{
	return sim->profile == ISH_SIM_PROFILE_7_3;
}

/* ---- sim_base.c: the ground floor: the allocator (with failslab), number spaces, fds */
void *sim_calloc(struct sim *sim, size_t n, size_t size);
void *sim_realloc(struct sim *sim, void *p, size_t size);
int sim_ida_alloc(struct sim *sim, struct sim_ida *ida, uint32_t *out);
void sim_ida_remove(struct sim_ida *ida, uint32_t n);
void sim_ida_free(struct sim_ida *ida);
void *sim_map_get(const struct sim_map *m, uint64_t key);
int sim_map_add(struct sim *sim, struct sim_map *m, uint64_t key, void *val);
void sim_map_del(struct sim_map *m, uint64_t key);
void sim_map_free(struct sim_map *m);
struct sim_file *sim_file_find(struct sim *sim, int fd);
int sim_file_new(struct sim *sim, enum sim_file_kind kind, struct sim_file **out);
void sim_file_free(struct sim *sim, struct sim_file *f);

/* ---- sim.c: the front door (the ops table) and the simulated host */
struct sim_pdev *sim_pdev_find(struct sim *sim, const char *spec, int *err);
void sim_pdev_info(const struct sim *sim, const struct sim_pdev *p, struct ish_pci_dev *info);

/* ---- sim_obj.c: id space, users, teardown */
struct sim_ictx *sim_ictx_new(struct sim *sim);
void sim_ictx_get(struct sim_ictx *ictx);
void sim_ictx_put(struct sim_ictx *ictx);
struct sim_obj *sim_obj_new(struct sim_ictx *ictx, enum sim_obj_type type);
void sim_obj_abort(struct sim_obj *obj);
void sim_obj_finalize(struct sim_obj *obj);
/* a live object of @type, or NULL (unknown, tombstone or another type all look the same) */
struct sim_obj *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type type);
struct sim_obj *sim_obj_any(struct sim_ictx *ictx, uint32_t id);
int sim_obj_destroy_id(struct sim_ictx *ictx, uint32_t id);
/* remove a live object from the table and free it; its users must be 1 */
void sim_obj_remove(struct sim_obj *obj);
void sim_obj_tombstone(struct sim_obj *obj);

/* ---- sim_iommufd.c: the iommufd ioctl envelope */
int sim_iommufd_ioctl(struct sim *sim, struct sim_file *f, unsigned long req, void *arg);
/* "user memory" is this process's: mapped pages are all the kernel's checks could see */
bool sim_user_mapped(uint64_t uva, uint64_t len);
int sim_copy_from_user(void *dst, uint64_t uptr, size_t len);
int sim_struct_from_user(void *dst, size_t ksize, uint64_t uptr, size_t usize);
int sim_struct_copy(void *dst, size_t ksize, const void *src, size_t usize);

/* ---- sim_ioas.c */
int sim_ioas_alloc(struct sim_ictx *ictx, struct iommu_ioas_alloc *cmd);
int sim_ioas_map(struct sim_ictx *ictx, struct iommu_ioas_map *cmd);
int sim_ioas_unmap(struct sim_ictx *ictx, struct iommu_ioas_unmap *cmd);
int sim_ioas_iova_ranges(struct sim_ictx *ictx, struct iommu_ioas_iova_ranges *cmd);
int sim_ioas_allow_iovas(struct sim_ictx *ictx, struct iommu_ioas_allow_iovas *cmd);
int sim_ioas_copy(struct sim_ictx *ictx, struct iommu_ioas_copy *cmd);
int sim_ioas_map_file(struct sim_ictx *ictx, struct iommu_ioas_map_file *cmd);
bool sim_ioas_all_file(const struct sim_obj *ioas);
int sim_ioas_disable_huge(struct sim_obj *ioas);
void sim_ioas_destroy(struct sim_obj *ioas);
/* the first domain: areas page aligned (-EADDRINUSE) and pinnable (-EFAULT) */
int sim_ioas_pin_check(struct sim_obj *ioas);
unsigned long sim_ioas_pinned(const struct sim_obj *ioas);
/*
 * Reserve [start, last] for one more owner: -EADDRINUSE when a mapping is there. Owners of the
 * same range share one entry with a count, so a thousand devices' MSI windows are one.
 */
int sim_ioas_resv_add(struct sim_obj *ioas, uint64_t start, uint64_t last);
/* one owner of [start, last] is gone */
void sim_ioas_resv_del(struct sim_obj *ioas, uint64_t start, uint64_t last);
/* a paging HWPT joins / leaves its IOAS's list */
void sim_ioas_hwpt_link(struct sim_obj *ioas, struct sim_obj *hwpt);
void sim_ioas_hwpt_unlink(struct sim_obj *hwpt);
uint64_t sim_ioas_alignment(const struct sim_obj *ioas);
/* after an unmap the S2 changed: the driver flushes every nested S1 entry of its VMIDs */
void sim_ioas_s2_changed(struct sim_obj *ioas);
/* IOVA -> host pointer for @len bytes inside one area with @write access; NULL = fault */
void *sim_ioas_xlate(struct sim_obj *ioas, uint64_t iova, size_t len, bool write);

/* ---- sim_hwpt.c: HWPT, vIOMMU, vDEVICE */
int sim_hwpt_alloc(struct sim_ictx *ictx, struct iommu_hwpt_alloc *cmd);
int sim_hwpt_paging_new(struct sim_obj *idev, struct sim_obj *ioas, uint32_t flags,
			bool autodomain, struct sim_obj **out);
void sim_hwpt_destroy(struct sim_obj *hwpt);
int sim_viommu_alloc(struct sim_ictx *ictx, struct iommu_viommu_alloc *cmd);
void sim_viommu_destroy(struct sim_obj *viommu);
int sim_vdevice_alloc(struct sim_ictx *ictx, struct iommu_vdevice_alloc *cmd);
void sim_vdevice_destroy(struct sim_obj *vdev);
struct sim_obj *sim_vdevice_by_vsid(struct sim_obj *viommu, uint64_t vsid);
int sim_get_hw_info(struct sim_ictx *ictx, struct iommu_hw_info *cmd);

/* ---- sim_smmu.c: the arm-smmu-v3 driver's checks */
int sim_vste_check(uint64_t ste[2]);
/* the invalidation command rules alone, on an SMMU with @idr (tests: the two judges) */
int sim_cmd_check(const uint32_t idr[6], const uint64_t cmd[2]);
int sim_invalidate(struct sim_ictx *ictx, struct iommu_hwpt_invalidate *cmd);
unsigned int sim_smmu_ssid_bits(const struct sim_smmu *smmu);

/* ---- sim_event.c: vEVENTQ and forwarding */
int sim_veventq_alloc(struct sim_ictx *ictx, struct iommu_veventq_alloc *cmd);
void sim_veventq_destroy(struct sim_obj *q);
ssize_t sim_veventq_read(struct sim *sim, struct sim_file *f, void *buf, size_t len);
int sim_veventq_poll(struct sim_file *f);
/* an event of the physical SMMU for @p: 1 when it reached a vEVENTQ (or was lost there) */
int sim_event_report(struct sim *sim, struct sim_pdev *p, const uint64_t evt[4]);

/* ---- sim_vfio.c */
int sim_vfio_ioctl(struct sim *sim, struct sim_file *f, unsigned long req, void *arg);
void sim_vfio_unbind(struct sim *sim, struct sim_file *f);
ssize_t sim_vfio_rw(struct sim *sim, struct sim_file *f, void *buf, size_t len, uint64_t off,
		    bool write);
void sim_device_detach(struct sim_obj *idev);
void sim_pdev_reset(struct sim_pdev *p);

/* ---- sim_edu.c */
void sim_edu_read(struct sim *sim, struct sim_pdev *p, uint64_t off, void *buf, unsigned int n);
void sim_edu_write(struct sim *sim, struct sim_pdev *p, uint64_t off, const void *buf,
		   unsigned int n);

/* ---- sim_walk.c: DMA through the SMMU, IOTLB */
/*
 * copy @len bytes between @buf and device address @addr, with SubstreamID @ssid (< 0: none);
 * false when any byte faulted
 */
bool sim_dma(struct sim *sim, struct sim_pdev *p, uint64_t addr, void *buf, size_t len,
	     bool write, int64_t ssid);
void sim_tlb_inv(struct sim_smmu *smmu, uint16_t vmid, int asid, uint64_t va, uint64_t len);
/* the cached CDs of @sid: of SubstreamID @ssid, or all of them when @ssid < 0 (or @all SIDs) */
void sim_cdc_inv(struct sim_smmu *smmu, uint32_t sid, int64_t ssid, bool all);
void sim_smmu_flush(struct sim_smmu *smmu);
int sim_vmid_alloc(struct sim_smmu *smmu, uint16_t *vmid);
void sim_vmid_free(struct sim_smmu *smmu, uint16_t vmid);

#endif
