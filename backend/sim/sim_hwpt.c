// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HWPT_ALLOC (paging on an IOAS, nested on a vIOMMU), VIOMMU_ALLOC, VDEVICE_ALLOC and
 * GET_HW_INFO, each with the iommufd core's and the SMMUv3 driver's checks in their order.
 */
#include <stdlib.h>
#include "sim_internal.h"

#define PAGING_FLAGS (IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
		      IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)
#define NESTED_FLAGS (IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

#define IDR0_S2P	(1U << 0)
#define IDR0_S1P	(1U << 1)
#define IDR0_COHACC	(1U << 4)
#define IDR0_ATS	(1U << 10)
#define IDR0_HTTU(x)	(((x) >> 6) & 3)
#define IDR3_FWB	(1U << 8)
#define IDR5_OAS(x)	((x) & 7)

static struct sim_smmu *smmu_of(struct sim_obj *idev)
{
	return &idev->ictx->sim->smmu[idev->u.dev.pdev->cfg.smmu];
}

static bool smmu_nesting(const struct sim_smmu *s)
{
	return s->cfg.nesting && (s->cfg.idr[0] & IDR0_S1P) && (s->cfg.idr[0] & IDR0_S2P);
}

/* arm_smmu_dbm_capable(): hardware dirty-state updates (HTTU = 2) and a coherent walk */
static bool smmu_dirty(const struct sim_smmu *s)
{
	return IDR0_HTTU(s->cfg.idr[0]) == 2 && (s->cfg.idr[0] & IDR0_COHACC);
}

/* The input address range a domain translates: S1 48 bits, S2 the OAS. */
static uint64_t aperture_last(const struct sim_smmu *s, bool s2)
{
	static const unsigned int oas_bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
	unsigned int bits = s2 ? oas_bits[IDR5_OAS(s->cfg.idr[5])] : 48;

	return (1ULL << bits) - 1;
}

/* arm_smmu_domain_alloc_paging_flags(): which flag sets the driver takes */
static int smmu_paging_flags(const struct sim_smmu *s, uint32_t flags, bool user_data)
{
	if (flags & ~(IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID |
		      IOMMU_HWPT_ALLOC_NEST_PARENT) || user_data)
		return -EOPNOTSUPP;
	switch (flags) {
	case 0:
		return 0;
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
		return smmu_nesting(s) ? 0 : -EOPNOTSUPP;
	case IOMMU_HWPT_ALLOC_PASID:
		/* a stage-1 domain: the CD table carries the PASIDs */
		return s->cfg.idr[0] & IDR0_S1P ? 0 : -EOPNOTSUPP;
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID:
		/* S1 only: arm_smmu_domain_finalise() refuses dirty tracking on an S2 */
		return s->cfg.idr[0] & IDR0_S1P && smmu_dirty(s) ? 0 : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

static bool is_s2(const struct sim_smmu *s, uint32_t flags)
{
	return (flags & IOMMU_HWPT_ALLOC_NEST_PARENT) || !(s->cfg.idr[0] & IDR0_S1P);
}

/* The domain joins the IOAS: aperture reserved, pages pinned, VMID for an S2. */
static int paging_add_domain(struct sim_obj *hwpt, struct sim_smmu *s)
{
	struct sim_obj *ioas = hwpt->u.paging.ioas;
	bool s2 = is_s2(s, hwpt->u.paging.flags);
	int rc;

	hwpt->u.paging.aperture_end = aperture_last(s, s2) + 1;
	rc = sim_ioas_resv_add(ioas, hwpt->u.paging.aperture_end, UINT64_MAX);
	if (rc < 0)
		return rc;
	rc = ioas->u.ioas.domains ? 0 : sim_ioas_pin_check(ioas);
	if (!rc && s2)
		rc = sim_vmid_alloc(s, &hwpt->u.paging.vmid);
	if (rc < 0) {
		sim_ioas_resv_del(ioas, hwpt->u.paging.aperture_end, UINT64_MAX);
		return rc;
	}
	ioas->u.ioas.domains++;
	ioas->users++;
	sim_ioas_hwpt_link(ioas, hwpt);
	return 0;
}

int sim_hwpt_paging_new(struct sim_obj *idev, struct sim_obj *ioas, uint32_t flags,
			bool autodomain, struct sim_obj **out)
{
	struct sim_smmu *s = smmu_of(idev);
	struct sim_obj *hwpt;
	int rc;

	hwpt = sim_obj_new(idev->ictx, SIM_HWPT_PAGING);
	if (!hwpt)
		return -ENOMEM;
	hwpt->u.paging.ioas = ioas;
	hwpt->u.paging.flags = flags;
	hwpt->u.paging.autodomain = autodomain;
	hwpt->u.paging.smmu = idev->u.dev.pdev->cfg.smmu;
	rc = paging_add_domain(hwpt, s);
	if (rc < 0) {
		sim_obj_abort(hwpt);
		return rc;
	}
	*out = hwpt;
	return 0;
}

/* iommufd_hwpt_alloc: FAULT_ID_VALID takes the fault queue after the domain is made */
static int attach_fault(struct sim_obj *hwpt, struct sim_obj **slot, struct iommu_hwpt_alloc *cmd)
{
	struct sim_obj *fault;

	if (!(cmd->flags & IOMMU_HWPT_FAULT_ID_VALID))
		return 0;
	fault = sim_obj_get(hwpt->ictx, cmd->fault_id, SIM_FAULT);
	if (!fault)
		return -ENOENT;
	*slot = fault;
	fault->users++;
	return 0;
}

static int hwpt_alloc_paging(struct sim_obj *idev, struct sim_obj *ioas,
			     struct iommu_hwpt_alloc *cmd)
{
	struct sim_obj *hwpt;
	int rc;

	if (cmd->flags & ~PAGING_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING && !smmu_dirty(smmu_of(idev)))
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID && cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		return -EOPNOTSUPP;
	rc = smmu_paging_flags(smmu_of(idev), cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID,
			       cmd->data_type != IOMMU_HWPT_DATA_NONE);
	if (rc < 0)
		return rc;
	rc = sim_hwpt_paging_new(idev, ioas, cmd->flags, false, &hwpt);
	if (rc < 0)
		return rc;
	rc = attach_fault(hwpt, &hwpt->u.paging.fault, cmd);
	if (rc < 0) {
		sim_hwpt_destroy(hwpt);
		sim_obj_abort(hwpt);
		return rc;
	}
	cmd->out_hwpt_id = hwpt->id;
	sim_obj_finalize(hwpt);
	return 0;
}

/* vIOMMU-based nesting: arm_vsmmu_alloc_domain_nested() and the vSTE rules */
static int hwpt_alloc_nested(struct sim_obj *idev, struct sim_obj *viommu,
			     struct iommu_hwpt_alloc *cmd)
{
	struct iommu_hwpt_arm_smmuv3 data;
	struct sim_obj *hwpt;
	int rc;

	if (idev->u.dev.pdev->cfg.smmu != viommu->u.viommu.smmu)
		return -EINVAL;
	if (cmd->flags & ~NESTED_FLAGS || !cmd->data_len)
		return -EOPNOTSUPP;
	if (cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID)
		return -EOPNOTSUPP;
	if (cmd->data_type != IOMMU_HWPT_DATA_ARM_SMMUV3 || cmd->data_len < sizeof(data))
		return -EINVAL;
	rc = sim_struct_from_user(&data, sizeof(data), cmd->data_uptr, cmd->data_len);
	if (rc < 0)
		return rc;
	rc = sim_vste_check((uint64_t *)data.ste);
	if (rc < 0)
		return rc;
	hwpt = sim_obj_new(idev->ictx, SIM_HWPT_NESTED);
	if (!hwpt)
		return -ENOMEM;
	rc = attach_fault(hwpt, &hwpt->u.nested.fault, cmd);
	if (rc < 0) {
		sim_obj_abort(hwpt);
		return rc;
	}
	hwpt->u.nested.viommu = viommu;
	hwpt->u.nested.ats = ((data.ste[0] >> 1) & 7) == 5 && ((data.ste[1] >> 28) & 3) == 1;
	hwpt->u.nested.ste[0] = data.ste[0];
	hwpt->u.nested.ste[1] = data.ste[1] & ~(3ULL << 28);
	viommu->users++;
	cmd->out_hwpt_id = hwpt->id;
	sim_obj_finalize(hwpt);
	return 0;
}

/* Nesting straight on a parent HWPT: SMMUv3 has no domain_alloc_nested for that. */
static int hwpt_alloc_on_parent(struct iommu_hwpt_alloc *cmd)
{
	(void)cmd;
	return -EOPNOTSUPP;
}

int sim_hwpt_alloc(struct sim_ictx *ictx, struct iommu_hwpt_alloc *cmd)
{
	struct sim_obj *idev, *pt;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE) != !cmd->data_len)
		return -EINVAL;
	idev = sim_obj_get(ictx, cmd->dev_id, SIM_DEVICE);
	if (!idev)
		return -ENOENT;
	pt = sim_obj_any(ictx, cmd->pt_id);
	if (!pt)
		return -EINVAL;
	switch (pt->type) {
	case SIM_IOAS:
		return hwpt_alloc_paging(idev, pt, cmd);
	case SIM_HWPT_PAGING:
		return hwpt_alloc_on_parent(cmd);
	case SIM_VIOMMU:
		return hwpt_alloc_nested(idev, pt, cmd);
	default:
		return -EINVAL;
	}
}

void sim_hwpt_destroy(struct sim_obj *hwpt)
{
	struct sim *sim = hwpt->ictx->sim;
	struct sim_obj *ioas;

	if (sim_hwpt_fault(hwpt))
		sim_hwpt_fault(hwpt)->users--;
	if (hwpt->type == SIM_HWPT_NESTED) {
		hwpt->u.nested.viommu->users--;
		return;
	}
	ioas = hwpt->u.paging.ioas;
	sim_map_free(&hwpt->u.paging.dirty);
	sim_ioas_hwpt_unlink(hwpt);
	sim_ioas_resv_del(ioas, hwpt->u.paging.aperture_end, UINT64_MAX);
	ioas->u.ioas.domains--;
	ioas->users--;
	if (hwpt->u.paging.vmid)
		sim_vmid_free(&sim->smmu[hwpt->u.paging.smmu], hwpt->u.paging.vmid);
}

/* ---- vIOMMU ------------------------------------------------------------------------------ */

/* arm_smmu_get_viommu_size(): 0 (so EOPNOTSUPP) unless nesting and coherent S2 walks */
static bool smmu_viommu_ok(const struct sim_smmu *s, uint32_t type)
{
	return (type == IOMMU_VIOMMU_TYPE_ARM_SMMUV3 || sim_cmdqv_viommu_type(s, type)) &&
	       smmu_nesting(s) && (s->cfg.canwbs || (s->cfg.idr[3] & IDR3_FWB));
}

int sim_viommu_alloc(struct sim_ictx *ictx, struct iommu_viommu_alloc *cmd)
{
	struct sim_obj *idev, *parent, *v;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = sim_obj_get(ictx, cmd->dev_id, SIM_DEVICE);
	if (!idev)
		return -ENOENT;
	if (!smmu_viommu_ok(smmu_of(idev), cmd->type))
		return -EOPNOTSUPP;
	parent = sim_obj_get(ictx, cmd->hwpt_id, SIM_HWPT_PAGING);
	if (!parent)
		return -ENOENT;
	if (!(parent->u.paging.flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return -EINVAL;
	if (parent->u.paging.smmu != idev->u.dev.pdev->cfg.smmu)
		return -EINVAL;
	v = sim_obj_new(ictx, SIM_VIOMMU);
	if (!v)
		return -ENOMEM;
	v->u.viommu.type = cmd->type;
	v->u.viommu.smmu = parent->u.paging.smmu;
	/* arm_vsmmu_init -> impl_ops->vsmmu_init (tegra241_cmdqv_init_vintf_user) */
	if (cmd->type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV) {
		int rc = sim_cmdqv_vintf_init(v, smmu_of(idev), cmd);

		if (rc < 0) {
			sim_obj_abort(v);
			return rc;
		}
	}
	v->u.viommu.parent = parent;
	v->u.viommu.smmu = parent->u.paging.smmu;
	v->u.viommu.vmid = parent->u.paging.vmid;	/* shared by every vIOMMU on it */
	parent->users++;
	cmd->out_viommu_id = v->id;
	sim_obj_finalize(v);
	return 0;
}

void sim_viommu_destroy(struct sim_obj *viommu)
{
	sim_cmdqv_vintf_destroy(viommu);
	viommu->u.viommu.parent->users--;
	sim_map_free(&viommu->u.viommu.vdevs);	/* empty: every vDEVICE held it */
}

/* ---- vDEVICE ----------------------------------------------------------------------------- */

/* a live vDEVICE only: a tombstone left viommu->vdevs when it was destroyed */
struct sim_obj *sim_vdevice_by_vsid(struct sim_obj *viommu, uint64_t vsid)
{
	return sim_map_get(&viommu->u.viommu.vdevs, vsid);
}

int sim_vdevice_alloc(struct sim_ictx *ictx, struct iommu_vdevice_alloc *cmd)
{
	struct sim_obj *v, *idev, *vd;

	v = sim_obj_get(ictx, cmd->viommu_id, SIM_VIOMMU);
	if (!v)
		return -ENOENT;
	idev = sim_obj_get(ictx, cmd->dev_id, SIM_DEVICE);
	if (!idev)
		return -ENOENT;
	if (idev->u.dev.pdev->cfg.smmu != v->u.viommu.smmu)
		return -EINVAL;
	if (idev->u.dev.vdev || sim_vdevice_by_vsid(v, cmd->virt_id))
		return -EEXIST;
	vd = sim_obj_new(ictx, SIM_VDEVICE);
	if (!vd)
		return -ENOMEM;
	if (sim_map_add(ictx->sim, &v->u.viommu.vdevs, cmd->virt_id, vd) < 0) {
		sim_obj_abort(vd);
		return -ENOMEM;
	}
	vd->u.vdev.viommu = v;
	vd->u.vdev.dev = idev;
	vd->u.vdev.virt_id = cmd->virt_id;
	v->users++;
	idev->users++;
	idev->u.dev.vdev = vd;
	cmd->out_vdevice_id = vd->id;
	sim_obj_finalize(vd);
	return 0;
}

/* A leaf: nothing holds it. The master's vmaster keeps the old vSID until the next attach. */
void sim_vdevice_destroy(struct sim_obj *vd)
{
	struct sim_obj *idev = vd->u.vdev.dev;

	sim_map_del(&vd->u.vdev.viommu->u.viommu.vdevs, vd->u.vdev.virt_id);
	vd->u.vdev.viommu->users--;
	idev->users--;
	idev->u.dev.vdev = NULL;
}

/* ---- GET_HW_INFO ------------------------------------------------------------------------- */

static int copy_hw_info(const struct sim_smmu *s, struct iommu_hw_info *cmd)
{
	struct iommu_hw_info_arm_smmuv3 info;
	uint8_t *dst = (uint8_t *)(uintptr_t)cmd->data_uptr;
	size_t n = cmd->data_len < sizeof(info) ? cmd->data_len : sizeof(info);

	if (!cmd->data_len)
		return 0;
	if (!sim_user_mapped(cmd->data_uptr, cmd->data_len))
		return -EFAULT;
	memset(&info, 0, sizeof(info));
	memcpy(info.idr, s->cfg.idr, sizeof(info.idr));
	info.flags = s->cfg.hw_info_flags;	/* 7.3: IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_* */
	info.iidr = s->cfg.iidr;
	info.aidr = s->cfg.aidr;
	memcpy(dst, &info, n);
	if (cmd->data_len > n)
		memset(dst + n, 0, cmd->data_len - n);
	return 0;
}

int sim_get_hw_info(struct sim_ictx *ictx, struct iommu_hw_info *cmd)
{
	uint32_t type = IOMMU_HW_INFO_TYPE_DEFAULT;
	const struct sim_smmu *s;
	struct sim_obj *idev;
	int rc;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE || cmd->__reserved[0] ||
	    cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		type = cmd->in_data_type;
	idev = sim_obj_get(ictx, cmd->dev_id, SIM_DEVICE);
	if (!idev)
		return -ENOENT;
	if (type != IOMMU_HW_INFO_TYPE_DEFAULT && type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return -EOPNOTSUPP;
	s = smmu_of(idev);
	rc = copy_hw_info(s, cmd);
	if (rc < 0)
		return rc;
	cmd->data_len = sizeof(struct iommu_hw_info_arm_smmuv3);
	cmd->out_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	/* iommufd_get_hw_info(): ilog2 of dev->iommu->max_pasids, 0 without PASIDs */
	cmd->out_max_pasid_log2 = (uint8_t)sim_dev_pasid_bits(idev);
	cmd->out_capabilities = 0;
	if (smmu_dirty(s))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/*
	 * iommufd_get_hw_info() asks IOMMU_CAP_PCI_ATS_SUPPORTED: arm_smmu_ats_supported() wants
	 * the SMMU's ATS, a root complex with ATS (IORT) and the function's ATS capability
	 */
	if (!(s->cfg.idr[0] & IDR0_ATS) || !idev->u.dev.pdev->cfg.ats)
		cmd->out_capabilities |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	return 0;
}

unsigned int sim_dev_pasid_bits(struct sim_obj *idev)
{
	unsigned int ssid = sim_smmu_ssid_bits(smmu_of(idev)), pci = idev->u.dev.pdev->cfg.pasid_bits;

	/* dev_iommu_get_max_pasids(): the smaller of the SMMU's and the function's */
	return pci < ssid ? pci : ssid;
}

/* ---- dirty tracking (iommufd_hwpt_set_dirty_tracking, iommufd_hwpt_get_dirty_bitmap) ------ */

/*
 * The arm-smmu-v3 io-pgtable marks PTEs writable-clean (DBM) in every DIRTY_TRACKING domain,
 * so the hardware records writes whether tracking is "on" or not: arm_smmu_set_dirty_tracking()
 * does nothing, and enabling first clears every dirty bit (iopt_set_dirty_tracking).
 */
void sim_hwpt_mark_dirty(struct sim_obj *hwpt, uint64_t iova)
{
	uint64_t pfn = iova / SIM_PAGE_SIZE;

	if (!(hwpt->u.paging.flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) ||
	    sim_map_get(&hwpt->u.paging.dirty, pfn))
		return;
	/* the map's own allocation is not a kernel one (no failslab): a write is never lost */
	sim_map_add(hwpt->ictx->sim, &hwpt->u.paging.dirty, pfn, (void *)1);
}

/* an unmap takes the PTEs, and their dirty state, of [iova, iova + len) away: O(min(pages, dirty)) */
void sim_hwpt_dirty_drop(struct sim_obj *hwpt, uint64_t iova, uint64_t len)
{
	struct sim_map *d = &hwpt->u.paging.dirty, keep = { 0 };
	uint64_t off, first = iova / SIM_PAGE_SIZE, last = (iova + len - 1) / SIM_PAGE_SIZE;
	size_t i;

	if (!d->n || !len)
		return;
	if (last - first < d->cap) {
		for (off = first; off <= last; off++)
			sim_map_del(d, off);
		return;
	}
	for (i = 0; i < d->cap; i++)
		if (d->v[i].val && (d->v[i].key < first || d->v[i].key > last))
			sim_map_add(hwpt->ictx->sim, &keep, d->v[i].key, d->v[i].val);
	sim_map_free(d);
	*d = keep;
}

int sim_set_dirty_tracking(struct sim_ictx *ictx, struct iommu_hwpt_set_dirty_tracking *cmd)
{
	struct sim_obj *hwpt;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = sim_obj_get(ictx, cmd->hwpt_id, SIM_HWPT_PAGING);
	if (!hwpt)
		return -ENOENT;
	/* iopt_set_dirty_tracking(): no dirty_ops without the flag */
	if (!(hwpt->u.paging.flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		sim_map_free(&hwpt->u.paging.dirty);	/* iopt_clear_dirty_data() */
	return 0;
}

/* iommufd_check_iova_range(), in its order */
static int dirty_range_check(const struct sim_obj *ioas, const struct iommu_hwpt_get_dirty_bitmap *c)
{
	uint64_t align = sim_ioas_alignment(ioas), last;

	if (!c->length)
		return -EINVAL;
	if (__builtin_add_overflow(c->iova, c->length - 1, &last))
		return -EOVERFLOW;
	if ((c->iova & (align - 1)) || ((last + 1) & (align - 1)))
		return -EINVAL;
	if (!c->page_size)
		return -EINVAL;
	if ((c->iova & (c->page_size - 1)) || ((last + 1) & (c->page_size - 1)))
		return -EINVAL;
	return 0;
}

/* iova_bitmap_set(): every bit a dirty page covers (a page can span several small bits) */
static void dirty_bits(uint64_t *bm, const struct iommu_hwpt_get_dirty_bitmap *c, uint64_t iova)
{
	unsigned int shift = (unsigned int)__builtin_ctzll(c->page_size);
	uint64_t bits = c->length >> shift, b, last;

	b = (iova - c->iova) >> shift;
	last = (iova - c->iova + SIM_PAGE_SIZE - 1) >> shift;
	for (; b <= last && b < bits; b++)
		bm[b / 64] |= 1ULL << (b % 64);
}

static bool in_range(const struct iommu_hwpt_get_dirty_bitmap *c, uint64_t iova)
{
	return iova >= c->iova && iova - c->iova < c->length;
}

int sim_get_dirty_bitmap(struct sim_ictx *ictx, struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	uint64_t *bm = (uint64_t *)(uintptr_t)cmd->data;
	struct sim_obj *hwpt, *ioas;
	struct sim_map *d, keep = { 0 };
	uint64_t words, off, iova;
	size_t i;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = sim_obj_get(ictx, cmd->hwpt_id, SIM_HWPT_PAGING);
	if (!hwpt)
		return -ENOENT;
	ioas = hwpt->u.paging.ioas;
	rc = dirty_range_check(ioas, cmd);
	if (rc < 0)
		return rc;
	if (!(hwpt->u.paging.flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	/*
	 * iova_bitmap_for_each()'s failures (a bitmap the kernel cannot pin, a hole in the
	 * mappings) are dropped by iommu_read_and_clear_dirty(): the call still returns 0.
	 */
	words = ((cmd->length >> __builtin_ctzll(cmd->page_size)) + 63) / 64;
	if (!bm || words > UINT64_MAX / 8 || !sim_user_mapped(cmd->data, words * 8))
		return 0;
	d = &hwpt->u.paging.dirty;
	if (cmd->length / SIM_PAGE_SIZE <= d->cap) {
		for (off = 0; off < cmd->length; off += SIM_PAGE_SIZE) {
			iova = (cmd->iova + off) & ~(SIM_PAGE_SIZE - 1);
			if (!sim_map_get(d, iova / SIM_PAGE_SIZE))
				continue;
			/* only pages still mapped: an unmapped PTE has no dirty state any more */
			if (sim_ioas_xlate(ioas, iova, 1, false))
				dirty_bits(bm, cmd, iova);
			if (!(cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR))
				sim_map_del(d, iova / SIM_PAGE_SIZE);
		}
		return 0;
	}
	/* a range wider than the dirty set: walk the set instead, O(dirty pages) */
	for (i = 0; i < d->cap; i++) {
		if (!d->v[i].val)
			continue;
		iova = d->v[i].key * SIM_PAGE_SIZE;
		if (!in_range(cmd, iova)) {
			if (!(cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR))
				sim_map_add(ictx->sim, &keep, d->v[i].key, d->v[i].val);
			continue;
		}
		if (sim_ioas_xlate(ioas, iova, 1, false))
			dirty_bits(bm, cmd, iova);
	}
	if (!(cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)) {
		sim_map_free(d);
		*d = keep;
	}
	return 0;
}
