// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /dev/iommu's ioctl envelope, as iommufd_fops_ioctl() does it: the size word, the cmd word
 * check, min_size, the zero-tail rule for larger structs, then the handler on a copy of the
 * struct, whose result is copied back only on success (invalidation: always).
 */
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include "sim_internal.h"
#include "../ioctl.h"


typedef int (*sim_cmd_fn)(struct sim_ictx *ictx, void *cmd);

/* what the simulator does with a call; its sizes are the descriptor's (backend/ioctl.c) */
struct sim_ioctl_op {
	sim_cmd_fn fn;
	int respond_also;	/* copy the struct back on this -errno too; RESPOND_ALWAYS */
};

#define RESPOND_ALWAYS 1

/* ---- user memory: this very process; an unmapped page (or the NULL page) is a fault */

/*
 * The calling thread's stack between this frame and its top is mapped, always: an ioctl's
 * struct in the caller's frame needs no mincore() (a system call a command was half the cost
 * of a simulated ioctl). The frame address, not a local's: a sanitizer may keep locals
 * elsewhere.
 */
static bool on_live_stack(uint64_t start, uint64_t end)
{
	static __thread uintptr_t low, top;
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	if (!top) {
		pthread_attr_t attr;
		size_t size = 0;
		void *addr = NULL;

		top = 1;	/* unknown: every check goes to mincore() */
		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr) {
				low = (uintptr_t)addr;
				top = low + size;
			}
			pthread_attr_destroy(&attr);
		}
	}
	/* on another stack (a signal's), nothing is known: mincore() decides */
	return here >= low && here < top && start >= here && end <= top;
}

bool sim_user_mapped(uint64_t uva, uint64_t len)
{
	uint64_t start = uva & ~(SIM_PAGE_SIZE - 1), end;
	unsigned char vec[64];

	if (uva < SIM_PAGE_SIZE || __builtin_add_overflow(uva, len, &end))
		return false;
	if (on_live_stack(uva, end))
		return true;
	while (start < end) {
		uint64_t n = (end - start + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;

		if (n > sizeof(vec))
			n = sizeof(vec);
		if (mincore((void *)(uintptr_t)start, n * SIM_PAGE_SIZE, vec) < 0)
			return false;
		start += n * SIM_PAGE_SIZE;
	}
	return true;
}

int sim_copy_from_user(void *dst, uint64_t uptr, size_t len)
{
	if (!len)
		return 0;
	if (!sim_user_mapped(uptr, len))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)uptr, len);
	return 0;
}

/* copy_struct_from_user() on memory known to be there: zero-extend, or E2BIG on a tail */
int sim_struct_copy(void *dst, size_t ksize, const void *src, size_t usize)
{
	const uint8_t *u = src;
	size_t i;

	memset(dst, 0, ksize);
	memcpy(dst, u, usize < ksize ? usize : ksize);
	for (i = ksize; i < usize; i++)
		if (u[i])
			return -E2BIG;
	return 0;
}

int sim_struct_from_user(void *dst, size_t ksize, uint64_t uptr, size_t usize)
{
	if (!sim_user_mapped(uptr, usize))
		return -EFAULT;
	return sim_struct_copy(dst, ksize, (const void *)(uintptr_t)uptr, usize);
}

/* ---- small commands ------------------------------------------------------------------- */

static int cmd_destroy(struct sim_ictx *ictx, void *arg)
{
	struct iommu_destroy *cmd = arg;

	return sim_obj_destroy_id(ictx, cmd->id);
}

static int cmd_vfio_ioas(struct sim_ictx *ictx, void *arg)
{
	struct iommu_vfio_ioas *cmd = arg;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		if (!sim_obj_get(ictx, ictx->vfio_ioas, SIM_IOAS))
			return -ENODEV;
		cmd->ioas_id = ictx->vfio_ioas;
		return 0;
	case IOMMU_VFIO_IOAS_SET:
		if (!sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS))
			return -ENOENT;
		ictx->vfio_ioas = cmd->ioas_id;
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ictx->vfio_ioas = 0;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static bool ictx_empty(struct sim_ictx *ictx)
{
	return !ictx->nobjs;
}

static int option_rlimit(struct sim_ictx *ictx, struct iommu_option *cmd)
{
	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->rlimit_mm;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!ictx_empty(ictx))
		return -EBUSY;
	if (cmd->val64 > 1)
		return -EINVAL;
	ictx->rlimit_mm = cmd->val64;
	return 0;
}

static int option_huge(struct sim_ictx *ictx, struct iommu_option *cmd)
{
	struct sim_obj *ioas = sim_obj_get(ictx, cmd->object_id, SIM_IOAS);

	if (!ioas)
		return -ENOENT;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->u.ioas.no_huge;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (cmd->val64 == 0)
		return sim_ioas_disable_huge(ioas);
	if (cmd->val64 != 1)
		return -EINVAL;
	ioas->u.ioas.no_huge = false;	/* iopt_enable_large_pages(): the alignment stays */
	return 0;
}

static int cmd_option(struct sim_ictx *ictx, void *arg)
{
	struct iommu_option *cmd = arg;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->option_id == IOMMU_OPTION_RLIMIT_MODE)
		return option_rlimit(ictx, cmd);
	if (cmd->option_id == IOMMU_OPTION_HUGE_PAGES)
		return option_huge(ictx, cmd);
	return -EOPNOTSUPP;
}

/*
 * iommufd_ioas_change_process(): only file pages can follow a new process (user pages are
 * addresses of the old mm): any other area in any IOAS is EINVAL. Here the caller is always
 * the process that mapped, so the pinned-page charge moves nowhere.
 */
static int cmd_change_process(struct sim_ictx *ictx, void *arg)
{
	struct iommu_ioas_change_process *cmd = arg;
	uint32_t id;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	for (id = 1; id < ictx->cap; id++) {
		struct sim_obj *o = sim_obj_get(ictx, id, SIM_IOAS);

		if (o && !sim_ioas_all_file(o))
			return -EINVAL;
	}
	return 0;
}

/*
 * IOMMU_IOAS_NOIOMMU_GET_PA: this host's kernel has no CONFIG_IOMMUFD_NOIOMMU, so the stub
 * answers EOPNOTSUPP to every call that gets past the envelope (iommufd_private.h).
 */
static int cmd_noiommu_get_pa(struct sim_ictx *ictx, void *arg)
{
	(void)ictx;
	(void)arg;
	return -EOPNOTSUPP;
}

/* No SMMUv3 of this host tracks dirty bits (IDR0.HTTU = 0): no HWPT can have it on. */
static int cmd_set_dirty(struct sim_ictx *ictx, void *arg)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = arg;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!sim_obj_get(ictx, cmd->hwpt_id, SIM_HWPT_PAGING))
		return -ENOENT;
	return -EOPNOTSUPP;
}

static int cmd_get_dirty(struct sim_ictx *ictx, void *arg)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = arg;

	if (cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->page_size || !cmd->length)
		return -EINVAL;
	if (!sim_obj_get(ictx, cmd->hwpt_id, SIM_HWPT_PAGING))
		return -ENOENT;
	return -EOPNOTSUPP;
}

/* A plain ARM_SMMUV3 vIOMMU has no HW queue (only Tegra241 CMDQV does). */
static int cmd_hw_queue(struct sim_ictx *ictx, void *arg)
{
	struct iommu_hw_queue_alloc *cmd = arg;
	uint64_t last;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->nesting_parent_iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	if (!sim_obj_get(ictx, cmd->viommu_id, SIM_VIOMMU))
		return -ENOENT;
	return -EOPNOTSUPP;
}

/* Not modelled: fault queues (IOPF). */
static int cmd_unmodelled(struct sim_ictx *ictx, void *arg)
{
	(void)ictx;
	(void)arg;
	return -EOPNOTSUPP;
}

#define OP(req, fn) [_IOC_NR(req) - IOMMUFD_CMD_BASE] = { fn, 0 }
#define OP_RESPOND(req, fn, also) [_IOC_NR(req) - IOMMUFD_CMD_BASE] = { fn, also }

static int cmd_ioas_alloc(struct sim_ictx *ictx, void *c) { return sim_ioas_alloc(ictx, c); }
static int cmd_ioas_map(struct sim_ictx *ictx, void *c) { return sim_ioas_map(ictx, c); }
static int cmd_ioas_unmap(struct sim_ictx *ictx, void *c) { return sim_ioas_unmap(ictx, c); }
static int cmd_ranges(struct sim_ictx *ictx, void *c) { return sim_ioas_iova_ranges(ictx, c); }
static int cmd_allow(struct sim_ictx *ictx, void *c) { return sim_ioas_allow_iovas(ictx, c); }
static int cmd_copy(struct sim_ictx *ictx, void *c) { return sim_ioas_copy(ictx, c); }
static int cmd_map_file(struct sim_ictx *ictx, void *c) { return sim_ioas_map_file(ictx, c); }
static int cmd_hwpt_alloc(struct sim_ictx *ictx, void *c) { return sim_hwpt_alloc(ictx, c); }
static int cmd_hw_info(struct sim_ictx *ictx, void *c) { return sim_get_hw_info(ictx, c); }
static int cmd_invalidate(struct sim_ictx *ictx, void *c) { return sim_invalidate(ictx, c); }
static int cmd_viommu(struct sim_ictx *ictx, void *c) { return sim_viommu_alloc(ictx, c); }
static int cmd_vdevice(struct sim_ictx *ictx, void *c) { return sim_vdevice_alloc(ictx, c); }
static int cmd_veventq(struct sim_ictx *ictx, void *c) { return sim_veventq_alloc(ictx, c); }

static const struct sim_ioctl_op ops[] = {
	OP(IOMMU_DESTROY, cmd_destroy),
	OP(IOMMU_IOAS_ALLOC, cmd_ioas_alloc),
	OP(IOMMU_IOAS_ALLOW_IOVAS, cmd_allow),
	OP(IOMMU_IOAS_COPY, cmd_copy),
	/* iommufd_ioas_iova_ranges() writes num_iovas back when the array is too small */
	OP_RESPOND(IOMMU_IOAS_IOVA_RANGES, cmd_ranges, -EMSGSIZE),
	OP(IOMMU_IOAS_MAP, cmd_ioas_map),
	OP(IOMMU_IOAS_UNMAP, cmd_ioas_unmap),
	OP(IOMMU_OPTION, cmd_option),
	OP(IOMMU_VFIO_IOAS, cmd_vfio_ioas),
	OP(IOMMU_HWPT_ALLOC, cmd_hwpt_alloc),
	OP(IOMMU_GET_HW_INFO, cmd_hw_info),
	OP(IOMMU_HWPT_SET_DIRTY_TRACKING, cmd_set_dirty),
	OP(IOMMU_HWPT_GET_DIRTY_BITMAP, cmd_get_dirty),
	/* iommufd_hwpt_invalidate() reports how many entries it handled, failed or not */
	OP_RESPOND(IOMMU_HWPT_INVALIDATE, cmd_invalidate, RESPOND_ALWAYS),
	OP(IOMMU_FAULT_QUEUE_ALLOC, cmd_unmodelled),
	OP(IOMMU_IOAS_MAP_FILE, cmd_map_file),
	OP(IOMMU_VIOMMU_ALLOC, cmd_viommu),
	OP(IOMMU_VDEVICE_ALLOC, cmd_vdevice),
	OP(IOMMU_IOAS_CHANGE_PROCESS, cmd_change_process),
	OP(IOMMU_VEVENTQ_ALLOC, cmd_veventq),
	OP(IOMMU_HW_QUEUE_ALLOC, cmd_hw_queue),
	OP(IOMMU_IOAS_NOIOMMU_GET_PA, cmd_noiommu_get_pa),
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* The VFIO type1 compat layer below 0x80: only the API version is answered. */
static int vfio_compat(unsigned long req)
{
	return req == VFIO_GET_API_VERSION ? VFIO_API_VERSION : -ENOTTY;
}

union sim_cmd_buf {
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hw_queue_alloc hwq;
	struct iommu_hwpt_get_dirty_bitmap dirty;
	uint64_t raw[8];
};

int sim_iommufd_ioctl(struct sim *sim, struct sim_file *f, unsigned long req, void *arg)
{
	unsigned long nr = _IOC_NR(req);
	const struct ish_ioctl_desc *d;
	const struct sim_ioctl_op *op;
	union sim_cmd_buf buf;
	uint32_t usize;
	int rc;

	(void)sim;
	if (nr < IOMMUFD_CMD_BASE || nr - IOMMUFD_CMD_BASE >= NOPS)
		return vfio_compat(req);
	if (!arg)
		return -EFAULT;
	memcpy(&usize, arg, sizeof(usize));
	op = &ops[nr - IOMMUFD_CMD_BASE];
	d = ish_ioctl_desc(req);
	if (!d || !op->fn || d->size > sizeof(buf))
		return -ENOTTY;
	if (usize < d->min_size)
		return -EINVAL;
	rc = sim_struct_from_user(&buf, d->size, (uintptr_t)arg, usize);
	if (rc < 0)
		return rc;
	rc = op->fn(f->ictx, &buf);
	if (!rc || op->respond_also == RESPOND_ALWAYS || rc == op->respond_also)
		memcpy(arg, &buf, usize < d->size ? usize : d->size);
	return rc;
}
