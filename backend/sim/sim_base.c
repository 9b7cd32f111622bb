// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated kernel's ground floor, under every ioctl and above nothing of its own: the
 * allocator (with failslab), the id bitmap that gives the lowest free number in O(log n) (the
 * kernel's fd table and ID allocating xarrays), a small u64-keyed map (an xarray indexed by
 * a value that is not dense), and the file table: fd -> file in O(1).
 */
#include <stdlib.h>
#include "sim_internal.h"

/* ---- the allocator ----------------------------------------------------------------------- */

static bool alloc_fails(struct sim *sim)
{
	if (!sim->fail_alloc || --sim->fail_alloc)
		return false;
	sim->fail_hit = true;
	return true;
}

void *sim_calloc(struct sim *sim, size_t n, size_t size)
{
	return alloc_fails(sim) ? NULL : calloc(n, size);
}

void *sim_realloc(struct sim *sim, void *p, size_t size)
{
	return alloc_fails(sim) ? NULL : realloc(p, size);
}

void ish_sim_fail_alloc(struct ish_backend *be, unsigned long n)
{
	if (!ish_is_sim(be))
		return;
	sim_of(be)->fail_alloc = n;
	if (n)
		sim_of(be)->fail_hit = false;
}

bool ish_sim_fail_alloc_hit(struct ish_backend *be)
{
	return ish_is_sim(be) && sim_of(be)->fail_hit;
}

/*
 * The bookkeeping below (bitmaps, maps, the fd table) allocates with plain calloc: failslab
 * counts the allocations the kernel's objects make, and those stay what they always were.
 */

/* ---- the id bitmap ------------------------------------------------------------------------ */

/*
 * Level 0 has a bit per number (set = taken); a bit of level k+1 is set when its 64-bit word
 * of level k is full. The top level is one word, so the lowest free number is found by one
 * count-trailing-ones per level, top down: O(log64 n), as find_next_zero_bit() over the
 * kernel's fd bitmap with its full_fds_bits summary.
 */
static void ida_clear(struct sim_ida *ida)
{
	unsigned int k;

	for (k = 0; k < ida->depth; k++)
		free(ida->lv[k]);
	memset(ida, 0, sizeof(*ida));
}

void sim_ida_free(struct sim_ida *ida)
{
	ida_clear(ida);
}

static bool word_full(uint64_t w)
{
	return w == UINT64_MAX;
}

static void ida_mark(struct sim_ida *ida, uint32_t n)
{
	unsigned int k;

	for (k = 0; k < ida->depth; k++, n /= 64) {
		ida->lv[k][n / 64] |= 1ULL << (n % 64);
		if (!word_full(ida->lv[k][n / 64]))
			break;
	}
}

static void ida_unmark(struct sim_ida *ida, uint32_t n)
{
	unsigned int k;

	for (k = 0; k < ida->depth; k++, n /= 64) {
		bool was_full = word_full(ida->lv[k][n / 64]);

		ida->lv[k][n / 64] &= ~(1ULL << (n % 64));
		if (!was_full)
			break;
	}
}

/* one more level: 64 times the numbers; what was taken stays taken */
static int ida_grow(struct sim *sim, struct sim_ida *ida)
{
	struct sim_ida big = { .depth = ida->depth + 1 };
	uint64_t words = 1;
	unsigned int k;
	uint32_t n;

	if (big.depth > SIM_IDA_LEVELS)
		return -ENOSPC;
	for (k = big.depth; k-- > 0; words *= 64) {
		big.lv[k] = calloc(words, sizeof(uint64_t));
		if (!big.lv[k]) {
			ida_clear(&big);
			return -ENOMEM;
		}
	}
	big.cap = (uint32_t)(words > UINT32_MAX ? UINT32_MAX : words);
	for (n = 0; ida->depth && n < ida->cap; n++)
		if (ida->lv[0][n / 64] & (1ULL << (n % 64)))
			ida_mark(&big, n);
	ida_clear(ida);
	*ida = big;
	return 0;
}

int sim_ida_alloc(struct sim *sim, struct sim_ida *ida, uint32_t *out)
{
	uint32_t n = 0;
	unsigned int k;
	int rc;

	if (!ida->depth || word_full(ida->lv[ida->depth - 1][0])) {
		rc = ida_grow(sim, ida);
		if (rc < 0)
			return rc;
	}
	for (k = ida->depth; k-- > 0;)
		n = n * 64 + (uint32_t)__builtin_ctzll(~ida->lv[k][n]);
	ida_mark(ida, n);
	*out = n;
	return 0;
}

void sim_ida_remove(struct sim_ida *ida, uint32_t n)
{
	if (n < ida->cap)
		ida_unmark(ida, n);
}

/* ---- a map from u64 keys -------------------------------------------------------------------- */

/* open addressing, linear probing, deletion by backward shift: no tombstones, load <= 1/2 */
static size_t map_slot(const struct sim_map *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (m->cap - 1);
}

void *sim_map_get(const struct sim_map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = map_slot(m, key); m->v[i].val; i = (i + 1) & (m->cap - 1))
		if (m->v[i].key == key)
			return m->v[i].val;
	return NULL;
}

static void map_put(struct sim_map *m, uint64_t key, void *val)
{
	size_t i;

	for (i = map_slot(m, key); m->v[i].val; i = (i + 1) & (m->cap - 1))
		;
	m->v[i].key = key;
	m->v[i].val = val;
	m->n++;
}

int sim_map_add(struct sim *sim, struct sim_map *m, uint64_t key, void *val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct sim_map big = { .cap = m->cap ? 2 * m->cap : 16 };
		size_t i;

		big.v = calloc(big.cap, sizeof(*big.v));
		if (!big.v)
			return -ENOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->v[i].val)
				map_put(&big, m->v[i].key, m->v[i].val);
		free(m->v);
		*m = big;
	}
	map_put(m, key, val);
	return 0;
}

void sim_map_del(struct sim_map *m, uint64_t key)
{
	size_t i, j, home;

	if (!m->cap)
		return;
	for (i = map_slot(m, key); m->v[i].val && m->v[i].key != key; i = (i + 1) & (m->cap - 1))
		;
	if (!m->v[i].val)
		return;
	m->v[i].val = NULL;
	m->n--;
	/* pull back every later entry of the run that would no longer be found */
	for (j = (i + 1) & (m->cap - 1); m->v[j].val; j = (j + 1) & (m->cap - 1)) {
		home = map_slot(m, m->v[j].key);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->v[i] = m->v[j];
			m->v[j].val = NULL;
			i = j;
		}
	}
}

void sim_map_free(struct sim_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- files -------------------------------------------------------------------------------- */

struct sim_file *sim_file_find(struct sim *sim, int fd)
{
	uint32_t i = (uint32_t)fd - SIM_FD_BASE;

	return fd >= SIM_FD_BASE && i < sim->nfile_slots ? sim->file_tab[i] : NULL;
}

/* Like the kernel's fd table: the lowest free number, here from SIM_FD_BASE up. */
int sim_file_new(struct sim *sim, enum sim_file_kind kind, struct sim_file **out)
{
	struct sim_file *f = sim_calloc(sim, 1, sizeof(*f));
	uint32_t i;
	int rc;

	if (!f)
		return -ENOMEM;
	rc = sim_ida_alloc(sim, &sim->fds, &i);
	if (rc < 0)
		goto free_file;
	if (i >= sim->nfile_slots) {
		uint32_t n = sim->nfile_slots ? 2 * sim->nfile_slots : 64;
		struct sim_file **tab;

		while (n <= i)
			n *= 2;
		tab = realloc(sim->file_tab, n * sizeof(*tab));
		if (!tab) {
			rc = -ENOMEM;
			goto free_number;
		}
		memset(tab + sim->nfile_slots, 0, (n - sim->nfile_slots) * sizeof(*tab));
		sim->file_tab = tab;
		sim->nfile_slots = n;
	}
	f->fd = SIM_FD_BASE + (int)i;
	f->kind = kind;
	sim->file_tab[i] = f;
	sim->nfiles++;
	*out = f;
	return f->fd;

free_number:
	sim_ida_remove(&sim->fds, i);
free_file:
	free(f);
	return rc;
}

void sim_file_free(struct sim *sim, struct sim_file *f)
{
	uint32_t i = (uint32_t)(f->fd - SIM_FD_BASE);

	sim->file_tab[i] = NULL;
	sim_ida_remove(&sim->fds, i);
	sim->nfiles--;
	free(f);
}
