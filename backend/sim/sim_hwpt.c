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

static bool smmu_dirty(const struct sim_smmu *s)
{
	return IDR0_HTTU(s->cfg.idr[0]) == 2;
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
	case IOMMU_HWPT_ALLOC_PASID:
		return 0;
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
		return smmu_nesting(s) ? 0 : -EOPNOTSUPP;
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID:
		return smmu_dirty(s) ? 0 : -EOPNOTSUPP;
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
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID)
		return -ENOENT;	/* no fault queue exists in this model */
	rc = sim_hwpt_paging_new(idev, ioas, cmd->flags, false, &hwpt);
	if (rc < 0)
		return rc;
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
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID)
		return -ENOENT;
	hwpt = sim_obj_new(idev->ictx, SIM_HWPT_NESTED);
	if (!hwpt)
		return -ENOMEM;
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

	if (hwpt->type == SIM_HWPT_NESTED) {
		hwpt->u.nested.viommu->users--;
		return;
	}
	ioas = hwpt->u.paging.ioas;
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
	return type == IOMMU_VIOMMU_TYPE_ARM_SMMUV3 && smmu_nesting(s) &&
	       (s->cfg.canwbs || (s->cfg.idr[3] & IDR3_FWB));
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
	cmd->out_max_pasid_log2 = 0;
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
