// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOAS: areas (IOVA -> this process's memory), reserved ranges (the SW MSI window of the
 * attached devices, the apertures of the domains), and the IOVA allocator, with
 * io_pagetable.c's checks in its order.
 */
#include <stdlib.h>
#include "sim_internal.h"

#define SIM_ULONG_MAX UINT64_MAX

int sim_ioas_alloc(struct sim_ictx *ictx, struct iommu_ioas_alloc *cmd)
{
	struct sim_obj *ioas;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = sim_obj_new(ictx, SIM_IOAS);
	if (!ioas)
		return -ENOMEM;
	cmd->out_ioas_id = ioas->id;
	sim_obj_finalize(ioas);
	return 0;
}

static void resv_free_all(struct sim_resv **list)
{
	struct sim_resv *r;

	while ((r = *list)) {
		*list = r->next;
		free(r);
	}
}

void sim_ioas_destroy(struct sim_obj *ioas)
{
	struct sim_area *a;

	while ((a = ioas->u.ioas.areas)) {
		ioas->u.ioas.areas = a->next;
		free(a);
	}
	resv_free_all(&ioas->u.ioas.resv);
	resv_free_all(&ioas->u.ioas.allowed);
	if (ioas->ictx->vfio_ioas == ioas->id)
		ioas->ictx->vfio_ioas = 0;
}

/* A domain maps 4 KiB pages at least; with none, any byte alignment goes. */
uint64_t sim_ioas_alignment(const struct sim_obj *ioas)
{
	return ioas->u.ioas.domains ? SIM_PAGE_SIZE : 1;
}

static bool overlaps(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

static struct sim_area *area_hit(const struct sim_obj *ioas, uint64_t start, uint64_t last)
{
	struct sim_area *a;

	for (a = ioas->u.ioas.areas; a; a = a->next)
		if (overlaps(a->iova, a->iova + a->length - 1, start, last))
			return a;
	return NULL;
}

static bool range_hit(const struct sim_resv *r, uint64_t start, uint64_t last)
{
	for (; r; r = r->next)
		if (overlaps(r->start, r->last, start, last))
			return true;
	return false;
}

static bool resv_hit(const struct sim_obj *ioas, uint64_t start, uint64_t last)
{
	return range_hit(ioas->u.ioas.resv, start, last);
}

/* ---- pinning: only the pages of an IOAS with a domain are pinned */

int sim_ioas_pin_check(struct sim_obj *ioas)
{
	const uint64_t mask = SIM_PAGE_SIZE - 1;
	const struct sim_area *a;

	for (a = ioas->u.ioas.areas; a; a = a->next)
		if ((a->iova & mask) || (a->length & mask) || (a->uva & mask))
			return -EADDRINUSE;
	for (a = ioas->u.ioas.areas; a; a = a->next)
		if (!sim_user_mapped(a->uva, a->length))
			return -EFAULT;
	return 0;
}

unsigned long sim_ioas_pinned(const struct sim_obj *ioas)
{
	const struct sim_area *a;
	unsigned long n = 0;

	if (!ioas->u.ioas.domains)
		return 0;
	for (a = ioas->u.ioas.areas; a; a = a->next)
		n += (a->uva + a->length - 1) / SIM_PAGE_SIZE - a->uva / SIM_PAGE_SIZE + 1;
	return n;
}

/* ---- reserved ranges */

int sim_ioas_resv_add(struct sim_obj *ioas, const struct sim_obj *owner, uint64_t start,
		      uint64_t last)
{
	struct sim_resv *r;

	if (range_hit(ioas->u.ioas.allowed, start, last) || area_hit(ioas, start, last))
		return -EADDRINUSE;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = start;
	r->last = last;
	r->owner = owner;
	r->next = ioas->u.ioas.resv;
	ioas->u.ioas.resv = r;
	return 0;
}

void sim_ioas_resv_del(struct sim_obj *ioas, const struct sim_obj *owner)
{
	struct sim_resv **p, *r;

	for (p = &ioas->u.ioas.resv; (r = *p);) {
		if (r->owner == owner) {
			*p = r->next;
			free(r);
		} else {
			p = &r->next;
		}
	}
}

/* ---- IOVA allocation */

/* The end of the used interval (area or reserved) that covers @iova, or @iova - 1 if none. */
static uint64_t used_last(const struct sim_obj *ioas, uint64_t iova)
{
	const struct sim_area *a;
	const struct sim_resv *r;

	for (a = ioas->u.ioas.areas; a; a = a->next)
		if (iova >= a->iova && iova <= a->iova + a->length - 1)
			return a->iova + a->length - 1;
	for (r = ioas->u.ioas.resv; r; r = r->next)
		if (iova >= r->start && iova <= r->last)
			return r->last;
	return iova - 1;
}

/* The first used IOVA at or after @iova, or SIM_ULONG_MAX when none. */
static uint64_t used_next(const struct sim_obj *ioas, uint64_t iova)
{
	const struct sim_area *a;
	const struct sim_resv *r;
	uint64_t next = SIM_ULONG_MAX;

	for (a = ioas->u.ioas.areas; a; a = a->next)
		if (a->iova >= iova && a->iova < next)
			next = a->iova;
	for (r = ioas->u.ioas.resv; r; r = r->next)
		if (r->start >= iova && r->start < next)
			next = r->start;
	return next;
}

/* Does [*start, last] hold @length bytes at the alignment (plus the page offset)? */
static bool hole_fits(uint64_t *start, uint64_t last, uint64_t length, uint64_t align,
		      uint64_t page_offset)
{
	uint64_t a;

	if (__builtin_add_overflow(*start, align - 1, &a))
		return false;
	a &= ~(align - 1);
	a |= page_offset;
	if (a >= last || last - a < length - 1)
		return false;
	*start = a;
	return true;
}

static uint64_t pow2_roundup(uint64_t v)
{
	return v <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(v - 1));
}

static uint64_t auto_alignment(const struct sim_obj *ioas, uint64_t uva, uint64_t length)
{
	uint64_t align = pow2_roundup(length);
	uint64_t max = ioas->u.ioas.no_huge ? SIM_PAGE_SIZE : SIM_HPAGE_SIZE;

	if (length > (1ULL << 63))
		align = 1ULL << 63;
	/* keep the alignment the user address has, for huge pages */
	if (uva && (1ULL << __builtin_ctzll(uva)) < align)
		align = 1ULL << __builtin_ctzll(uva);
	return align >= max ? max : align;
}

/* The lowest fitting hole between used ranges inside [lo, hi]. */
static bool find_hole(const struct sim_obj *ioas, uint64_t lo, uint64_t hi, uint64_t length,
		      uint64_t align, uint64_t page_offset, uint64_t *iova)
{
	uint64_t cur = lo;

	while (cur <= hi) {
		uint64_t last, start = cur;

		cur = used_last(ioas, cur) + 1;
		if (cur != start) {
			if (!cur)
				break;		/* used up to the very top */
			continue;
		}
		last = used_next(ioas, cur);
		last = last == SIM_ULONG_MAX || last - 1 > hi ? hi : last - 1;
		if (hole_fits(&start, last, length, align, page_offset)) {
			*iova = start;
			return true;
		}
		if (last >= hi)
			break;
		cur = last + 1;
	}
	return false;
}

/* Search the allowed ranges (all of [PAGE_SIZE, top] when none were set), lowest first. */
static int alloc_iova(const struct sim_obj *ioas, uint64_t uva, uint64_t length, uint64_t *iova)
{
	const uint64_t lo = SIM_PAGE_SIZE, hi = SIM_ULONG_MAX - SIM_PAGE_SIZE;
	uint64_t align = auto_alignment(ioas, uva, length), from = 0, off = uva % SIM_PAGE_SIZE;
	const struct sim_resv *r, *next;

	if (align < sim_ioas_alignment(ioas))
		return -EINVAL;
	if (!ioas->u.ioas.allowed)
		return find_hole(ioas, lo, hi, length, align, off, iova) ? 0 : -ENOSPC;
	for (;;) {
		next = NULL;
		for (r = ioas->u.ioas.allowed; r; r = r->next)
			if (r->start >= from && (!next || r->start < next->start))
				next = r;
		if (!next)
			return -ENOSPC;
		if (find_hole(ioas, next->start > lo ? next->start : lo,
			      next->last < hi ? next->last : hi, length, align, off, iova))
			return 0;
		if (next->start == SIM_ULONG_MAX)
			return -ENOSPC;
		from = next->start + 1;
	}
}

/* ---- MAP / UNMAP */

static int fixed_iova_check(const struct sim_obj *ioas, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (sim_ioas_alignment(ioas) - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (resv_hit(ioas, iova, last))
		return -EINVAL;
	if (area_hit(ioas, iova, last))
		return -EEXIST;
	return 0;
}

static void area_insert(struct sim_obj *ioas, struct sim_area *a)
{
	struct sim_area **p;

	for (p = &ioas->u.ioas.areas; *p && (*p)->iova < a->iova; p = &(*p)->next)
		;
	a->next = *p;
	*p = a;
}

static int map_check(struct iommu_ioas_map *cmd)
{
	if (cmd->flags & ~(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
			   IOMMU_IOAS_MAP_READABLE) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;
	return 0;
}

/* the user range itself, once the IOAS is known */
static int map_range_check(const struct sim_obj *ioas, const struct iommu_ioas_map *cmd)
{
	uint64_t end;

	if (__builtin_add_overflow(cmd->user_va, cmd->length, &end))
		return -EOVERFLOW;
	if (!cmd->length || cmd->length & (sim_ioas_alignment(ioas) - 1))
		return -EINVAL;
	return 0;
}

int sim_ioas_map(struct sim_ictx *ictx, struct iommu_ioas_map *cmd)
{
	struct sim_obj *ioas;
	struct sim_area *a;
	uint64_t iova = cmd->iova;
	int rc;

	rc = map_check(cmd);
	if (rc < 0)
		return rc;
	ioas = sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS);
	if (!ioas)
		return -ENOENT;
	rc = map_range_check(ioas, cmd);
	if (rc < 0)
		return rc;
	if (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		rc = fixed_iova_check(ioas, iova, cmd->length);
	else
		rc = alloc_iova(ioas, cmd->user_va, cmd->length, &iova);
	if (rc < 0)
		return rc;
	/* a domain maps whole pages: the user address must start one */
	if (ioas->u.ioas.domains && (cmd->user_va & (SIM_PAGE_SIZE - 1)))
		return -EINVAL;
	if (ioas->u.ioas.domains && !sim_user_mapped(cmd->user_va, cmd->length))
		return -EFAULT;	/* pinning the pages failed */
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->iova = iova;
	a->length = cmd->length;
	a->uva = cmd->user_va;
	a->flags = cmd->flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE);
	area_insert(ioas, a);
	cmd->iova = iova;
	return 0;
}

/* Every area inside [start, last] goes; one that sticks out stops it all with -ENOENT. */
static int unmap_range(struct sim_obj *ioas, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	struct sim_area **p, *a;
	int rc = -ENOENT;

	*unmapped = 0;
	for (p = &ioas->u.ioas.areas; (a = *p);) {
		uint64_t alast = a->iova + a->length - 1;

		if (!overlaps(a->iova, alast, start, last)) {
			p = &a->next;
			continue;
		}
		if (a->iova < start || alast > last)
			return -ENOENT;	/* no splitting; earlier areas stay unmapped */
		*unmapped += a->length;
		*p = a->next;
		free(a);
		rc = 0;
	}
	return rc;
}

int sim_ioas_unmap(struct sim_ictx *ictx, struct iommu_ioas_unmap *cmd)
{
	struct sim_obj *ioas = sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS);
	uint64_t unmapped = 0, last;
	int rc;

	if (!ioas)
		return -ENOENT;
	if (!cmd->iova && cmd->length == UINT64_MAX) {
		rc = unmap_range(ioas, 0, SIM_ULONG_MAX, &unmapped);
		if (rc == -ENOENT)
			rc = 0;	/* unmapping all of nothing is fine */
	} else if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX) {
		rc = -EOVERFLOW;
	} else if (!cmd->length) {
		rc = -EINVAL;
	} else if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last)) {
		rc = -EOVERFLOW;
	} else {
		rc = unmap_range(ioas, cmd->iova, last, &unmapped);
	}
	if (unmapped)
		sim_ioas_s2_changed(ioas);
	cmd->length = unmapped;
	return rc;
}

/* ---- IOVA_RANGES: the holes between reserved ranges */

static int put_range(struct iommu_ioas_iova_ranges *cmd, uint32_t max, uint64_t s, uint64_t l)
{
	struct iommu_iova_range r = { .start = s, .last = l };

	if (cmd->num_iovas < max) {
		if (!sim_user_mapped(cmd->allowed_iovas + cmd->num_iovas * sizeof(r), sizeof(r)))
			return -EFAULT;
		memcpy((struct iommu_iova_range *)(uintptr_t)cmd->allowed_iovas + cmd->num_iovas,
		       &r, sizeof(r));
	}
	cmd->num_iovas++;
	return 0;
}

static uint64_t resv_last_at(const struct sim_obj *ioas, uint64_t iova)
{
	const struct sim_resv *r;

	for (r = ioas->u.ioas.resv; r; r = r->next)
		if (iova >= r->start && iova <= r->last)
			return r->last;
	return iova - 1;
}

static uint64_t resv_next(const struct sim_obj *ioas, uint64_t iova)
{
	const struct sim_resv *r;
	uint64_t next = SIM_ULONG_MAX;

	for (r = ioas->u.ioas.resv; r; r = r->next)
		if (r->start >= iova && r->start < next)
			next = r->start;
	return next;
}

int sim_ioas_iova_ranges(struct sim_ictx *ictx, struct iommu_ioas_iova_ranges *cmd)
{
	struct sim_obj *ioas = sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS);
	uint32_t max = cmd->num_iovas;
	uint64_t cur = 0, next;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (!ioas)
		return -ENOENT;
	cmd->num_iovas = 0;
	for (;;) {
		uint64_t end = resv_last_at(ioas, cur);

		if (end != cur - 1) {
			if (end == SIM_ULONG_MAX)
				break;
			cur = end + 1;
			continue;
		}
		next = resv_next(ioas, cur);
		rc = put_range(cmd, max, cur, next == SIM_ULONG_MAX ? next : next - 1);
		if (rc < 0)
			return rc;
		if (next == SIM_ULONG_MAX)
			break;
		cur = next;
	}
	cmd->out_iova_alignment = sim_ioas_alignment(ioas);
	return cmd->num_iovas > max ? -EMSGSIZE : 0;
}

/* ---- DMA through S2 */

void *sim_ioas_xlate(struct sim_obj *ioas, uint64_t iova, size_t len, bool write)
{
	struct sim_area *a;
	uint32_t need = write ? IOMMU_IOAS_MAP_WRITEABLE : IOMMU_IOAS_MAP_READABLE;

	if (!len)
		return NULL;
	for (a = ioas->u.ioas.areas; a; a = a->next) {
		uint64_t off = iova - a->iova;

		if (iova < a->iova || off + len > a->length)
			continue;
		if (!(a->flags & need) || !sim_user_mapped(a->uva + off, len))
			return NULL;
		return (void *)(uintptr_t)(a->uva + off);
	}
	return NULL;
}

void sim_ioas_s2_changed(struct sim_obj *ioas)
{
	struct sim_obj *h = NULL;
	struct sim *sim = ioas->ictx->sim;

	while ((h = sim_obj_next(ioas->ictx, h, SIM_HWPT_PAGING)))
		if (h->u.paging.ioas == ioas && h->u.paging.vmid)
			sim_tlb_inv(&sim->smmu[h->u.paging.smmu], h->u.paging.vmid, -1, 0,
				    UINT64_MAX);
}
