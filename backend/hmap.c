// SPDX-License-Identifier: GPL-2.0-or-later
/* The core's index and lists (hmap.h). */
#include <errno.h>
#include <stdlib.h>
#include "hmap.h"

/* splitmix64's finaliser: ids are dense small integers, spread them over the table */
static size_t hash(uint64_t k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (size_t)k;
}

void *ish_hmap_get(const struct ish_hmap *h, uint64_t key)
{
	size_t i, mask;

	if (!h->cap)
		return NULL;
	mask = h->cap - 1;
	for (i = hash(key) & mask; h->slot[i].val; i = (i + 1) & mask)
		if (h->slot[i].key == key)
			return h->slot[i].val;
	return NULL;
}

static void place(struct ish_hmap_slot *slot, size_t cap, uint64_t key, void *val)
{
	size_t i, mask = cap - 1;

	for (i = hash(key) & mask; slot[i].val && slot[i].key != key; i = (i + 1) & mask)
		;
	slot[i].key = key;
	slot[i].val = val;
}

static int grow(struct ish_hmap *h)
{
	size_t cap = h->cap ? h->cap * 2 : 16, i;
	struct ish_hmap_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (i = 0; i < h->cap; i++)
		if (h->slot[i].val)
			place(s, cap, h->slot[i].key, h->slot[i].val);
	free(h->slot);
	h->slot = s;
	h->cap = cap;
	return 0;
}

int ish_hmap_put(struct ish_hmap *h, uint64_t key, void *val)
{
	/* keep the load under 3/4: probe sequences stay short */
	if ((h->n + 1) * 4 > h->cap * 3) {
		int rc = grow(h);

		if (rc < 0)
			return rc;
	}
	if (!ish_hmap_get(h, key))
		h->n++;
	place(h->slot, h->cap, key, val);
	return 0;
}

void *ish_hmap_del(struct ish_hmap *h, uint64_t key)
{
	size_t i, j, home, mask;
	void *val;

	if (!h->cap)
		return NULL;
	mask = h->cap - 1;
	for (i = hash(key) & mask; h->slot[i].val; i = (i + 1) & mask)
		if (h->slot[i].key == key)
			break;
	if (!h->slot[i].val)
		return NULL;
	val = h->slot[i].val;
	/* backward shift: pull up every later entry of the run that may now sit nearer home */
	for (j = (i + 1) & mask; h->slot[j].val; j = (j + 1) & mask) {
		home = hash(h->slot[j].key) & mask;
		/* slot j may move to i when home is not cyclically in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			h->slot[i] = h->slot[j];
			i = j;
		}
	}
	h->slot[i].val = NULL;
	h->n--;
	return val;
}

void ish_hmap_free(struct ish_hmap *h)
{
	free(h->slot);
	h->slot = NULL;
	h->cap = h->n = 0;
}

void ish_list_append(struct ish_list *l, struct ish_link *e)
{
	e->next = NULL;
	e->prev = l->last;
	if (l->last)
		l->last->next = e;
	else
		l->first = e;
	l->last = e;
	l->n++;
}

void ish_list_unlink(struct ish_list *l, struct ish_link *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->first = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->last = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}
