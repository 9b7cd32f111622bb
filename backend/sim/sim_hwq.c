// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HW queues on a host SMMU with a Tegra241 CMDQV: the TEGRA241_CMDQV vIOMMU takes a VINTF
 * and reports the mmap offset of its page0 (tegra241_cmdqv_init_vintf_user), IOMMU_HW_QUEUE_ALLOC
 * pins the guest queue through an internal access (iommufd_hw_queue_alloc_ioctl,
 * iommufd_hw_queue_alloc_phys) and the driver maps it to a logical VCMDQ in ascending order
 * only, each depending on the one below, so they are freed in descending order
 * (tegra241_vintf_alloc_lvcmdq_user, _iommufd_object_depend).
 */
#include <stdlib.h>
#include "sim_internal.h"

#define IDR1_CMDQS(x)	(((x) >> 21) & 0x1f)
#define CMDQ_ENT_SZ_SHIFT 4
#define VCMDQ_ADDR	(((1ULL << 48) - 1) & ~0x1fULL)	/* bits 47:5 */

bool sim_cmdqv_viommu_type(const struct sim_smmu *s, uint32_t type)
{
	return s->cfg.cmdqv && type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
}

/* mtree_alloc_range(min PAGE_SIZE) over the context's mmap offsets: the lowest gap (a VINTF
 * each, so a bounded few) */
static uint64_t mmap_offset(struct sim_ictx *ictx)
{
	struct sim *sim = ictx->sim;
	uint64_t cand = SIM_PAGE_SIZE;
	unsigned int i, j, pass;
	bool moved = true;

	for (pass = 0; moved && pass <= ISH_SIM_MAX_SMMUS * SIM_CMDQV_VINTFS; pass++) {
		moved = false;
		for (i = 0; i < sim->nsmmu; i++)
			for (j = 1; j < SIM_CMDQV_VINTFS; j++) {
				struct sim_obj *o = sim->smmu[i].vintf_owner[j];

				if (o && o->ictx == ictx && o->u.viommu.mmap_off < cand + SIM_CMDQV_MMAP_LEN &&
				    o->u.viommu.mmap_off + SIM_CMDQV_MMAP_LEN > cand) {
					cand = o->u.viommu.mmap_off + SIM_CMDQV_MMAP_LEN;
					moved = true;
				}
			}
	}
	return cand;
}

int sim_cmdqv_vintf_init(struct sim_obj *v, struct sim_smmu *s, struct iommu_viommu_alloc *cmd)
{
	struct iommu_viommu_tegra241_cmdqv data;
	unsigned int idx;
	int rc;

	if (!cmd->data_len)
		return -EINVAL;		/* !user_data */
	if (cmd->data_len < sizeof(data))
		return -EINVAL;		/* iommu_copy_struct_from_user: below its last member */
	rc = sim_struct_from_user(&data, sizeof(data), cmd->data_uptr, cmd->data_len);
	if (rc < 0)
		return rc;
	/* tegra241_cmdqv_init_vintf: ida_alloc_max(num_vintfs - 1), VINTF0 is the host's */
	for (idx = 1; idx < SIM_CMDQV_VINTFS && s->vintf_owner[idx]; idx++)
		;
	if (idx == SIM_CMDQV_VINTFS)
		return -ENOSPC;
	v->u.viommu.mmap_off = mmap_offset(v->ictx);
	data.out_vintf_mmap_offset = v->u.viommu.mmap_off;
	data.out_vintf_mmap_length = SIM_CMDQV_MMAP_LEN;
	if (!sim_user_mapped(cmd->data_uptr, sizeof(data)))
		return -EFAULT;
	memcpy((void *)(uintptr_t)cmd->data_uptr, &data, sizeof(data));
	s->vintf_owner[idx] = v;
	v->u.viommu.vintf = idx;
	return 0;
}

void sim_cmdqv_vintf_destroy(struct sim_obj *v)
{
	struct sim_smmu *s = &v->ictx->sim->smmu[v->u.viommu.smmu];

	if (v->u.viommu.vintf)
		s->vintf_owner[v->u.viommu.vintf] = NULL;
	v->u.viommu.vintf = 0;
	free(v->u.viommu.page0);
	v->u.viommu.page0 = NULL;
}

/* the VINTF whose mmap range holds @off (mtree_load: any address inside it), or NULL */
static struct sim_obj *immap_at(struct sim *sim, struct sim_ictx *ictx, uint64_t off)
{
	unsigned int i, j;

	for (i = 0; i < sim->nsmmu; i++)
		for (j = 1; j < SIM_CMDQV_VINTFS; j++) {
			struct sim_obj *v = sim->smmu[i].vintf_owner[j];

			if (v && (!ictx || v->ictx == ictx) && off >= v->u.viommu.mmap_off &&
			    off - v->u.viommu.mmap_off < SIM_CMDQV_MMAP_LEN)
				return v;
		}
	return NULL;
}

int sim_iommufd_mmap(struct sim_ictx *ictx, uint64_t off, size_t len, void **addr)
{
	struct sim_obj *v;

	/* mmap(2) itself: an offset in pages, a length */
	if (!len || off & (SIM_PAGE_SIZE - 1))
		return -EINVAL;
	if (len & (SIM_PAGE_SIZE - 1))
		return -EINVAL;		/* iommufd_fops_mmap: !PAGE_ALIGNED(length) */
	v = immap_at(ictx->sim, ictx, off);
	/* only the exact immap: its start and its length */
	if (!v || off != v->u.viommu.mmap_off || len != SIM_CMDQV_MMAP_LEN)
		return -ENXIO;
	if (!v->u.viommu.page0) {
		v->u.viommu.page0 = sim_calloc(ictx->sim, 1, SIM_CMDQV_MMAP_LEN);
		if (!v->u.viommu.page0)
			return -ENOMEM;
	}
	v->u.viommu.nmaps++;
	v->users++;		/* refcount_inc_not_zero(&immap->owner->users) */
	*addr = v->u.viommu.page0;
	return 0;
}

int sim_iommufd_munmap(struct sim *sim, void *addr, size_t len)
{
	unsigned int i, j;

	for (i = 0; i < sim->nsmmu; i++)
		for (j = 1; j < SIM_CMDQV_VINTFS; j++) {
			struct sim_obj *v = sim->smmu[i].vintf_owner[j];

			if (v && v->u.viommu.page0 == addr && v->u.viommu.nmaps &&
			    len == SIM_CMDQV_MMAP_LEN) {
				v->u.viommu.nmaps--;
				v->users--;
				return 0;
			}
		}
	return -EINVAL;
}

/* iommufd_hw_queue_alloc_phys: pin [PAGE_ALIGN_DOWN(iova), +length) in the parent's IOAS;
 * the pages must be physically contiguous (here: the host addresses behind them) */
static int pin_phys(struct sim_obj *ioas, uint64_t iova, uint64_t length, uint64_t *base_pa)
{
	uint64_t aligned = iova & ~(SIM_PAGE_SIZE - 1), off = iova - aligned, len, i;
	uint8_t *first = NULL;

	if (__builtin_add_overflow(off, length, &len) ||
	    __builtin_add_overflow(len, SIM_PAGE_SIZE - 1, &len))
		return -ERANGE;
	len &= ~(SIM_PAGE_SIZE - 1);
	for (i = 0; i < len; i += SIM_PAGE_SIZE) {
		uint8_t *host = sim_ioas_xlate(ioas, aligned + i, SIM_PAGE_SIZE, false);

		if (!host)
			return -ENOENT;	/* iopt_pages: nothing mapped there */
		if (!i)
			first = host;
		else if (host != first + i)
			return -EFAULT;	/* not contiguous */
	}
	*base_pa = (uint64_t)(uintptr_t)first + off;
	return 0;
}

/* tegra241_vintf_alloc_lvcmdq_user's checks, in its order */
static int lvcmdq_check(struct sim_obj *v, const struct sim_smmu *s, uint32_t lidx,
			uint64_t length, uint64_t base_pa)
{
	uint64_t max = 1ULL << (IDR1_CMDQS(s->cfg.idr[1]) + CMDQ_ENT_SZ_SHIFT);

	if (lidx >= SIM_CMDQV_LVCMDQS)
		return -EINVAL;
	if (v->u.viommu.lvcmdq[lidx])
		return -EEXIST;
	if (lidx && !v->u.viommu.lvcmdq[lidx - 1])
		return -EIO;	/* the hardware maps them in ascending order */
	if (length & (length - 1) || length < 32 || length > max)
		return -EINVAL;
	if (base_pa & ~VCMDQ_ADDR || base_pa & (length - 1))
		return -EINVAL;
	return 0;
}

int sim_hw_queue_alloc(struct sim_ictx *ictx, struct iommu_hw_queue_alloc *cmd)
{
	struct sim_obj *v, *q, *access;
	uint64_t last, base_pa = 0;
	struct sim_smmu *s;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->nesting_parent_iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	v = sim_obj_get(ictx, cmd->viommu_id, SIM_VIOMMU);
	if (!v)
		return -ENOENT;
	/* a plain ARM_SMMUV3 vIOMMU has no get_hw_queue_size; the VINTF takes one type */
	if (v->u.viommu.type != IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV ||
	    cmd->type != IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV)
		return -EOPNOTSUPP;
	s = &ictx->sim->smmu[v->u.viommu.smmu];
	q = sim_obj_new(ictx, SIM_HW_QUEUE);
	if (!q)
		return -ENOMEM;
	access = sim_obj_new(ictx, SIM_ACCESS);	/* iommufd_access_create_internal */
	if (!access) {
		rc = -ENOMEM;
		goto out_abort_q;
	}
	rc = pin_phys(v->u.viommu.parent->u.paging.ioas, cmd->nesting_parent_iova, cmd->length,
		      &base_pa);
	if (rc < 0)
		goto out_abort_access;
	rc = lvcmdq_check(v, s, cmd->index, cmd->length, base_pa);
	if (rc < 0)
		goto out_abort_access;
	q->u.hwq.viommu = v;
	q->u.hwq.access = access;
	q->u.hwq.index = cmd->index;
	q->u.hwq.iova = cmd->nesting_parent_iova;
	q->u.hwq.length = cmd->length;
	q->u.hwq.prev = cmd->index ? v->u.viommu.lvcmdq[cmd->index - 1] : NULL;
	if (q->u.hwq.prev)
		q->u.hwq.prev->users++;		/* iommufd_hw_queue_depend */
	v->u.viommu.lvcmdq[cmd->index] = q;
	v->users++;
	access->users++;	/* the driver's, until the HW queue goes */
	sim_obj_finalize(access);
	cmd->out_hw_queue_id = q->id;
	sim_obj_finalize(q);
	return 0;

out_abort_access:
	sim_obj_abort(access);
out_abort_q:
	sim_obj_abort(q);
	return rc;
}

void sim_hw_queue_destroy(struct sim_obj *q)
{
	struct sim_obj *v = q->u.hwq.viommu;

	v->u.viommu.lvcmdq[q->u.hwq.index] = NULL;
	if (q->u.hwq.prev)
		q->u.hwq.prev->users--;		/* iommufd_hw_queue_undepend */
	q->u.hwq.access->users--;
	sim_obj_remove(q->u.hwq.access);	/* iommufd_access_destroy_internal */
	v->users--;
}

/* an IOVA range a HW queue's access pins: IOAS_UNMAP of it is EBUSY. The queues sit on the
 * VINTFs, a bounded few: no walk of the context's objects */
bool sim_hw_queue_pins(struct sim_obj *ioas, uint64_t iova, uint64_t last)
{
	struct sim *sim = ioas->ictx->sim;
	unsigned int i, j, k;

	for (i = 0; i < sim->nsmmu; i++)
		for (j = 1; j < SIM_CMDQV_VINTFS; j++) {
			struct sim_obj *v = sim->smmu[i].vintf_owner[j];

			if (!v || v->u.viommu.parent->u.paging.ioas != ioas)
				continue;
			for (k = 0; k < SIM_CMDQV_LVCMDQS; k++) {
				struct sim_obj *q = v->u.viommu.lvcmdq[k];
				uint64_t start, end;

				if (!q)
					continue;
				start = q->u.hwq.iova & ~(SIM_PAGE_SIZE - 1);
				end = q->u.hwq.iova + q->u.hwq.length - 1;
				if (start <= last && iova <= end)
					return true;
			}
		}
	return false;
}
