// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOAS: areas (IOVA -> this process's memory), reserved ranges (the SW MSI window of the
 * attached devices, the apertures of the domains), and the IOVA allocator, with
 * io_pagetable.c's checks in its order.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* ---- the areas: a treap by IOVA, the role the kernel's interval tree of areas plays ------ */

/* a node's heap priority: a hash of its key, so that the shape is random but reproducible */
static uint64_t area_prio(const struct sim_area *a)
{
	uint64_t k = a->iova;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

/* @t into the areas below @key (*l) and the others (*r) */
static void area_split(struct sim_area *t, uint64_t key, struct sim_area **l, struct sim_area **r)
{
	if (!t) {
		*l = *r = NULL;
	} else if (t->iova < key) {
		area_split(t->right, key, &t->right, r);
		*l = t;
	} else {
		area_split(t->left, key, l, &t->left);
		*r = t;
	}
}

/* every area of @a is below every area of @b */
static struct sim_area *area_merge(struct sim_area *a, struct sim_area *b)
{
	if (!a || !b)
		return a ? a : b;
	if (area_prio(a) > area_prio(b)) {
		a->right = area_merge(a->right, b);
		return a;
	}
	b->left = area_merge(a, b->left);
	return b;
}

static void area_insert(struct sim_obj *ioas, struct sim_area *a)
{
	struct sim_area *l, *r;

	a->left = a->right = NULL;
	area_split(ioas->u.ioas.areas, a->iova, &l, &r);
	ioas->u.ioas.areas = area_merge(area_merge(l, a), r);
}

/* an area that goes: a file area lets go of its file (iopt_release_pages drops the file) */
static void area_release(struct sim_area *a)
{
	if (a->fd >= 0) {
		if (a->map_base)
			munmap(a->map_base, a->map_len);
		close(a->fd);
	}
	free(a);
}

/* take @a out of the treap and free it (an area's IOVA is below SIM_ULONG_MAX) */
static void area_erase(struct sim_obj *ioas, struct sim_area *a)
{
	struct sim_area *l, *m, *r;

	area_split(ioas->u.ioas.areas, a->iova, &l, &m);
	area_split(m, a->iova + 1, &m, &r);
	ioas->u.ioas.areas = area_merge(l, r);
	area_release(m);
}

/* the area with the highest IOVA <= @key, or NULL */
static struct sim_area *area_floor(const struct sim_obj *ioas, uint64_t key)
{
	struct sim_area *t = ioas->u.ioas.areas, *best = NULL;

	while (t) {
		if (t->iova <= key) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

/* the area with the lowest IOVA >= @key, or NULL */
static struct sim_area *area_ceil(const struct sim_obj *ioas, uint64_t key)
{
	struct sim_area *t = ioas->u.ioas.areas, *best = NULL;

	while (t) {
		if (t->iova >= key) {
			best = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	return best;
}

static struct sim_area *area_first(const struct sim_obj *ioas)
{
	return area_ceil(ioas, 0);
}

static struct sim_area *area_next(const struct sim_obj *ioas, const struct sim_area *a)
{
	return area_ceil(ioas, a->iova + 1);
}

/* the area that holds @iova, or NULL */
static struct sim_area *area_at(const struct sim_obj *ioas, uint64_t iova)
{
	struct sim_area *a = area_floor(ioas, iova);

	return a && iova - a->iova < a->length ? a : NULL;
}

static void area_free_all(struct sim_area *t)
{
	if (!t)
		return;
	area_free_all(t->left);
	area_free_all(t->right);
	area_release(t);
}

void sim_ioas_destroy(struct sim_obj *ioas)
{
	area_free_all(ioas->u.ioas.areas);
	ioas->u.ioas.areas = NULL;
	resv_free_all(&ioas->u.ioas.resv);
	resv_free_all(&ioas->u.ioas.allowed);
	if (ioas->ictx->vfio_ioas == ioas->id)
		ioas->ictx->vfio_ioas = 0;
}

/*
 * A domain maps 4 KiB pages at least; so does an IOAS whose huge pages are off; with neither,
 * any byte alignment goes (iopt_calculate_iova_alignment).
 */
uint64_t sim_ioas_alignment(const struct sim_obj *ioas)
{
	return ioas->u.ioas.domains || ioas->u.ioas.no_huge ? SIM_PAGE_SIZE : 1;
}

/*
 * Can the pages of a file be pinned (memfd_pin_folios)? Only a shmem or hugetlbfs file (the
 * ones that take seals), and only below its size: EINVAL otherwise.
 */
static int file_pin_check(int fd, uint64_t foff, uint64_t len)
{
	struct stat st;

	if (fcntl(fd, F_GET_SEALS) < 0 || fstat(fd, &st) < 0)
		return -EINVAL;
	if (foff + len - 1 >= (uint64_t)st.st_size)
		return -EINVAL;
	return 0;
}

/* the pages behind an area are there: user memory mapped, or a file holding them */
static int area_pin_check(const struct sim_area *a)
{
	if (a->fd >= 0)
		return file_pin_check(a->fd, a->foff, a->length);
	return sim_user_mapped(a->uva, a->length) ? 0 : -EFAULT;
}

static bool overlaps(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

/* an area overlapping [start, last]: the last one starting at or before @last, if it reaches */
static struct sim_area *area_hit(const struct sim_obj *ioas, uint64_t start, uint64_t last)
{
	struct sim_area *a = area_floor(ioas, last);

	return a && overlaps(a->iova, a->iova + a->length - 1, start, last) ? a : NULL;
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

	for (a = area_first(ioas); a; a = area_next(ioas, a))
		if ((a->iova & mask) || (a->length & mask) || (a->uva & mask))
			return -EADDRINUSE;
	for (a = area_first(ioas); a; a = area_next(ioas, a)) {
		int rc = area_pin_check(a);

		if (rc < 0)
			return rc;
	}
	return 0;
}

bool sim_ioas_all_file(const struct sim_obj *ioas)
{
	const struct sim_area *a;

	for (a = area_first(ioas); a; a = area_next(ioas, a))
		if (a->fd < 0)
			return false;
	return true;
}

/*
 * IOMMU_OPTION HUGE_PAGES = 0 (iopt_disable_large_pages): not once a domain holds pages, and
 * every area must then sit on pages (iopt_check_iova_alignment: EADDRINUSE).
 */
int sim_ioas_disable_huge(struct sim_obj *ioas)
{
	const uint64_t mask = SIM_PAGE_SIZE - 1;
	const struct sim_area *a;

	if (ioas->u.ioas.no_huge)
		return 0;
	if (ioas->u.ioas.domains && ioas->u.ioas.areas)
		return -EINVAL;
	for (a = area_first(ioas); a; a = area_next(ioas, a))
		if ((a->iova & mask) || (a->length & mask) || (a->uva & mask))
			return -EADDRINUSE;
	ioas->u.ioas.no_huge = true;
	return 0;
}

unsigned long sim_ioas_pinned(const struct sim_obj *ioas)
{
	const struct sim_area *a;
	unsigned long n = 0;

	if (!ioas->u.ioas.domains)
		return 0;
	for (a = area_first(ioas); a; a = area_next(ioas, a))
		n += (a->uva + a->length - 1) / SIM_PAGE_SIZE - a->uva / SIM_PAGE_SIZE + 1;
	return n;
}

/* ---- reserved ranges */

/* the entry of exactly [start, last]: there are as many as distinct ranges, a handful */
static struct sim_resv **resv_find(struct sim_obj *ioas, uint64_t start, uint64_t last)
{
	struct sim_resv **p;

	for (p = &ioas->u.ioas.resv; *p; p = &(*p)->next)
		if ((*p)->start == start && (*p)->last == last)
			return p;
	return p;
}

int sim_ioas_resv_add(struct sim_obj *ioas, uint64_t start, uint64_t last)
{
	struct sim_resv **p, *r;

	if (range_hit(ioas->u.ioas.allowed, start, last) || area_hit(ioas, start, last))
		return -EADDRINUSE;
	p = resv_find(ioas, start, last);
	if (*p) {
		(*p)->owners++;
		return 0;
	}
	r = sim_calloc(ioas->ictx->sim, 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = start;
	r->last = last;
	r->owners = 1;
	*p = r;
	return 0;
}

void sim_ioas_resv_del(struct sim_obj *ioas, uint64_t start, uint64_t last)
{
	struct sim_resv **p = resv_find(ioas, start, last), *r = *p;

	if (r && !--r->owners) {
		*p = r->next;
		free(r);
	}
}

/* at the tail, as iommufd_hwpt_paging_alloc() adds to ioas->hwpt_list; head->prev = tail */
void sim_ioas_hwpt_link(struct sim_obj *ioas, struct sim_obj *hwpt)
{
	struct sim_obj *head = ioas->u.ioas.hwpts;

	hwpt->u.paging.next = NULL;
	if (!head) {
		hwpt->u.paging.prev = hwpt;
		ioas->u.ioas.hwpts = hwpt;
		return;
	}
	hwpt->u.paging.prev = head->u.paging.prev;
	head->u.paging.prev->u.paging.next = hwpt;
	head->u.paging.prev = hwpt;
}

void sim_ioas_hwpt_unlink(struct sim_obj *hwpt)
{
	struct sim_obj *ioas = hwpt->u.paging.ioas, *head = ioas->u.ioas.hwpts;
	struct sim_obj *prev = hwpt->u.paging.prev, *next = hwpt->u.paging.next;

	if (hwpt == head)
		ioas->u.ioas.hwpts = next;
	else
		prev->u.paging.next = next;
	if (next)
		next->u.paging.prev = prev;
	else if (ioas->u.ioas.hwpts)
		ioas->u.ioas.hwpts->u.paging.prev = prev;
}

/* ---- IOVA allocation */

/* The end of the used interval (area or reserved) that covers @iova, or @iova - 1 if none. */
static uint64_t used_last(const struct sim_obj *ioas, uint64_t iova)
{
	const struct sim_area *a = area_at(ioas, iova);
	const struct sim_resv *r;

	if (a)
		return a->iova + a->length - 1;
	for (r = ioas->u.ioas.resv; r; r = r->next)
		if (iova >= r->start && iova <= r->last)
			return r->last;
	return iova - 1;
}

/* The first used IOVA at or after @iova, or SIM_ULONG_MAX when none. */
static uint64_t used_next(const struct sim_obj *ioas, uint64_t iova)
{
	const struct sim_area *a = area_ceil(ioas, iova);
	const struct sim_resv *r;
	uint64_t next = a ? a->iova : SIM_ULONG_MAX;

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

/* min(length rounded up to a power of two, user_va's alignment, a huge page) */
static uint64_t auto_alignment(uint64_t uva, uint64_t length)
{
	const uint64_t max = SIM_HPAGE_SIZE;
	uint64_t align = length > (1ULL << 63) ? 1ULL << 63 : pow2_roundup(length);

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
	uint64_t align = auto_alignment(uva, length), from = 0, off = uva % SIM_PAGE_SIZE;
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

/* A run of memory to map: from MAP or MAP_FILE, one; from COPY, one per source area crossed. */
struct sim_piece {
	uint64_t uva, len;
	uint32_t src_flags;	/* what the source pages allow */
	int fd;			/* a file's pages (MAP_FILE, or a COPY of them); -1: user memory */
	uint64_t foff;		/* the file offset of the piece's first byte */
};

/* Pages of an IOAS with a domain must start on a page, be there, and allow the writes. */
static int pieces_check(const struct sim_obj *ioas, const struct sim_piece *pc, unsigned int n,
			uint32_t flags)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (flags & IOMMU_IOAS_MAP_WRITEABLE && !(pc[i].src_flags & IOMMU_IOAS_MAP_WRITEABLE))
			return -EPERM;
		if (ioas->u.ioas.domains && (pc[i].uva & (SIM_PAGE_SIZE - 1)))
			return -EINVAL;
	}
	for (i = 0; ioas->u.ioas.domains && i < n; i++) {
		if (pc[i].fd >= 0) {
			int rc = file_pin_check(pc[i].fd, pc[i].foff, pc[i].len);

			if (rc < 0)
				return rc;
		} else if (!sim_user_mapped(pc[i].uva, pc[i].len)) {
			return -EFAULT;	/* pinning the pages failed */
		}
	}
	return 0;
}

/* a file piece: the area keeps the file (its own dup) and a view of it to reach the pages */
static int area_hold_file(struct sim_area *a, const struct sim_piece *pc, uint32_t flags)
{
	uint64_t down = pc->foff & ~(SIM_PAGE_SIZE - 1), skip = pc->foff - down;
	int prot = PROT_READ, fl;
	void *va;

	a->fd = fcntl(pc->fd, F_DUPFD_CLOEXEC, 0);
	if (a->fd < 0)
		return -errno;
	/*
	 * The kernel never looks at the file's open mode (iopt_alloc_file_pages: the pages are
	 * writeable when the map asks): a read-only fd still maps writeable. We can only write
	 * through a view the fd allows; device writes to a read-only one are dropped.
	 */
	fl = fcntl(a->fd, F_GETFL);
	if (flags & IOMMU_IOAS_MAP_WRITEABLE && fl >= 0 && (fl & O_ACCMODE) != O_RDONLY)
		prot |= PROT_WRITE;
	a->view_rw = prot & PROT_WRITE;
	va = mmap(NULL, skip + pc->len, prot, MAP_SHARED, a->fd, (off_t)down);
	if (va == MAP_FAILED) {
		/* a file we cannot view (a pipe): the kernel maps it unpinned; no DMA reaches it */
		a->map_base = NULL;
		a->view_rw = false;
		a->foff = pc->foff;
		a->uva = 0;
		return 0;
	}
	a->map_base = va;
	a->map_len = skip + pc->len;
	a->foff = pc->foff;
	a->uva = (uintptr_t)va + skip;
	return 0;
}

/* All the areas or none: -ENOMEM leaves the IOAS as it was. */
static int insert_pieces(struct sim_obj *ioas, const struct sim_piece *pc, unsigned int n,
			 uint64_t at, uint32_t flags)
{
	struct sim_area *list = NULL, *a;
	unsigned int i;
	int rc = -ENOMEM;

	for (i = 0; i < n; at += pc[i].len, i++) {
		a = sim_calloc(ioas->ictx->sim, 1, sizeof(*a));
		if (!a)
			goto free_list;
		a->iova = at;
		a->length = pc[i].len;
		a->uva = pc[i].uva;
		a->flags = flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE);
		a->fd = -1;
		a->next = list;
		list = a;
		if (pc[i].fd >= 0) {
			rc = area_hold_file(a, &pc[i], flags);
			if (rc < 0)
				goto free_list;
		}
	}
	while ((a = list)) {
		list = a->next;
		area_insert(ioas, a);
	}
	return 0;

free_list:
	while ((a = list)) {
		list = a->next;
		area_release(a);
	}
	return rc;
}

static int map_pieces(struct sim_obj *ioas, const struct sim_piece *pc, unsigned int n,
		      uint64_t length, uint64_t *iova, uint32_t flags)
{
	uint64_t at = *iova;
	int rc;

	if (!length || length & (sim_ioas_alignment(ioas) - 1))
		return -EINVAL;
	if (flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		rc = fixed_iova_check(ioas, at, length);
	else
		/* the first piece guesses the alignment: its address, or its file offset */
		rc = alloc_iova(ioas, pc[0].fd >= 0 ? pc[0].foff : pc[0].uva, length, &at);
	if (!rc)
		rc = pieces_check(ioas, pc, n, flags);
	if (!rc)
		rc = insert_pieces(ioas, pc, n, at, flags);
	if (!rc)
		*iova = at;
	return rc;
}

int sim_ioas_map(struct sim_ictx *ictx, struct iommu_ioas_map *cmd)
{
	struct sim_piece pc = { .uva = cmd->user_va, .len = cmd->length,
				.src_flags = IOMMU_IOAS_MAP_WRITEABLE, .fd = -1 };
	struct sim_obj *ioas;
	uint64_t end, iova;
	int rc;

	rc = map_check(cmd);
	if (rc < 0)
		return rc;
	ioas = sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS);
	if (!ioas)
		return -ENOENT;
	if (__builtin_add_overflow(cmd->user_va, cmd->length, &end))
		return -EOVERFLOW;
	iova = cmd->iova;
	rc = map_pieces(ioas, &pc, 1, cmd->length, &iova, cmd->flags);
	cmd->iova = iova;
	return rc;
}

/*
 * ---- MAP_FILE: a file's pages (iommufd_ioas_map_file, iopt_map_file_pages). No dma-buf
 * exists here, so every fd takes the file path; a closed one is EBADF.
 */
int sim_ioas_map_file(struct sim_ictx *ictx, struct iommu_ioas_map_file *cmd)
{
	struct sim_piece pc = { .len = cmd->length, .fd = cmd->fd, .foff = cmd->start };
	struct sim_obj *ioas;
	uint64_t iova, last;
	int rc;

	if (cmd->flags & ~(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
			   IOMMU_IOAS_MAP_READABLE))
		return -EOPNOTSUPP;
	if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;
	ioas = sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS);
	if (!ioas)
		return -ENOENT;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->start, cmd->length - 1, &last))
		return -EOVERFLOW;
	if (cmd->fd < 0 || fcntl(cmd->fd, F_GETFD) < 0)
		return -EBADF;
	/* pages->writable is what the map asks, whatever the fd's mode (no f_mode check) */
	pc.src_flags = IOMMU_IOAS_MAP_WRITEABLE;
	/* the page offset of the start picks the IOVA's, as user_va's does for MAP */
	pc.uva = cmd->start % SIM_PAGE_SIZE;
	iova = cmd->iova;
	rc = map_pieces(ioas, &pc, 1, cmd->length, &iova, cmd->flags);
	cmd->iova = iova;
	return rc;
}

/* ---- COPY: the pages behind one IOVA range mapped again in another IOAS */

/* The areas that cover [iova, iova + len) without a gap, as pieces; -ENOENT on a gap. */
static int get_pieces(const struct sim_obj *ioas, uint64_t iova, uint64_t len,
		      struct sim_piece **out, unsigned int *n)
{
	const struct sim_area *a, *first;
	uint64_t last, cur = iova;
	struct sim_piece *pc;

	if (!len)
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EOVERFLOW;
	/* the areas from the one holding @iova (or the next) up to @last */
	first = area_floor(ioas, iova);
	if (!first || first->iova + first->length - 1 < iova)
		first = area_ceil(ioas, iova);
	*n = 0;
	for (a = first; a && a->iova <= last; a = area_next(ioas, a))
		(*n)++;
	pc = sim_calloc(ioas->ictx->sim, *n ? *n : 1, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	*n = 0;
	for (a = first; a && cur <= last && cur >= iova; a = area_next(ioas, a)) {
		uint64_t alast = a->iova + a->length - 1, plast = alast < last ? alast : last;

		if (alast < cur)
			continue;
		if (a->iova > cur)
			break;		/* a gap */
		pc[*n].uva = a->uva + (cur - a->iova);
		pc[*n].fd = a->fd;
		pc[*n].foff = a->foff + (cur - a->iova);
		pc[*n].len = plast - cur + 1;
		pc[(*n)++].src_flags = a->flags;
		cur = plast + 1;
	}
	if (cur <= last && cur >= iova) {
		free(pc);
		return -ENOENT;
	}
	*out = pc;
	return 0;
}

int sim_ioas_copy(struct sim_ictx *ictx, struct iommu_ioas_copy *cmd)
{
	struct sim_obj *src, *dst;
	struct sim_piece *pc;
	uint64_t iova = cmd->dst_iova;
	unsigned int n;
	int rc;

	/* iommufd_ioas_copy()'s order: flags, overflow, then no access at all */
	if (cmd->flags & ~(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
			   IOMMU_IOAS_MAP_READABLE))
		return -EOPNOTSUPP;
	if (cmd->length >= SIM_ULONG_MAX || cmd->src_iova >= SIM_ULONG_MAX ||
	    cmd->dst_iova >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;
	src = sim_obj_get(ictx, cmd->src_ioas_id, SIM_IOAS);
	if (!src)
		return -ENOENT;
	rc = get_pieces(src, cmd->src_iova, cmd->length, &pc, &n);
	if (rc < 0)
		return rc;
	dst = sim_obj_get(ictx, cmd->dst_ioas_id, SIM_IOAS);
	rc = dst ? map_pieces(dst, pc, n, cmd->length, &iova, cmd->flags) : -ENOENT;
	free(pc);
	cmd->dst_iova = iova;
	return rc;
}

/* ---- ALLOW_IOVAS: where automatic IOVAs may go */

static int allowed_read(struct sim *sim, const struct iommu_ioas_allow_iovas *cmd,
			struct sim_resv **list)
{
	struct iommu_iova_range range;
	struct sim_resv *r;
	uint32_t i;

	for (i = 0; i < cmd->num_iovas; i++) {
		if (sim_copy_from_user(&range, cmd->allowed_iovas + (uint64_t)i * sizeof(range),
				       sizeof(range)) < 0)
			return -EFAULT;
		/* iommufd_ioas_load_iovas(): a range of one byte, or one overlapping another given */
		if (range.start >= range.last || range_hit(*list, range.start, range.last))
			return -EINVAL;
		r = sim_calloc(sim, 1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->start = range.start;
		r->last = range.last;
		r->next = *list;
		*list = r;
	}
	return 0;
}

int sim_ioas_allow_iovas(struct sim_ictx *ictx, struct iommu_ioas_allow_iovas *cmd)
{
	struct sim_resv *list = NULL, *r;
	struct sim_obj *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_obj_get(ictx, cmd->ioas_id, SIM_IOAS);
	if (!ioas)
		return -ENOENT;
	rc = allowed_read(ictx->sim, cmd, &list);
	for (r = list; !rc && r; r = r->next)
		if (resv_hit(ioas, r->start, r->last))
			rc = -EADDRINUSE;
	if (rc < 0) {
		resv_free_all(&list);
		return rc;
	}
	resv_free_all(&ioas->u.ioas.allowed);
	ioas->u.ioas.allowed = list;
	return 0;
}

/* Every area inside [start, last] goes; one that sticks out stops it all with -ENOENT. */
static int unmap_range(struct sim_obj *ioas, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	struct sim_area *a = area_hit(ioas, start, start), *next;
	int rc = -ENOENT;

	*unmapped = 0;
	for (a = a ? a : area_ceil(ioas, start); a && a->iova <= last; a = next) {
		uint64_t alast = a->iova + a->length - 1;

		if (a->iova < start || alast > last)
			return -ENOENT;	/* no splitting; earlier areas stay unmapped */
		next = area_next(ioas, a);
		*unmapped += a->length;
		area_erase(ioas, a);
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

	uint64_t off;

	if (!len)
		return NULL;
	a = area_at(ioas, iova);
	off = a ? iova - a->iova : 0;
	if (!a || off + len > a->length)
		return NULL;
	if (!(a->flags & need) || (a->fd >= 0 && (!a->map_base || (write && !a->view_rw))))
		return NULL;
	/* a file cut shorter since would SIGBUS us: its pages are gone (the kernel's stay pinned) */
	if (a->fd >= 0 ? file_pin_check(a->fd, a->foff + off, len) < 0 :
	    !sim_user_mapped(a->uva + off, len))
		return NULL;
	return (void *)(uintptr_t)(a->uva + off);
}

void sim_ioas_s2_changed(struct sim_obj *ioas)
{
	struct sim *sim = ioas->ictx->sim;
	struct sim_obj *h;

	for (h = ioas->u.ioas.hwpts; h; h = h->u.paging.next)
		if (h->u.paging.vmid)
			sim_tlb_inv(&sim->smmu[h->u.paging.smmu], h->u.paging.vmid, -1, 0,
				    UINT64_MAX);
}
