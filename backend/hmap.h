/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's index: a 64-bit key to a pointer, open addressing with linear probing and
 * backward-shift deletion (no tombstones), so lookup, insert and delete are O(1) on average
 * and a table never degrades with churn. The kernel keeps its objects in an xarray; ids here
 * can be anything (dry-run ids start at 0x80000000), so a hash serves all of them.
 */
#ifndef ISH_HMAP_H
#define ISH_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct ish_hmap {
	struct ish_hmap_slot {
		uint64_t key;
		void *val;		/* NULL = empty slot */
	} *slot;
	size_t cap;			/* a power of two, or 0 before the first insert */
	size_t n;
};

/* NULL when absent */
void *ish_hmap_get(const struct ish_hmap *h, uint64_t key);
/* insert or replace; @val must not be NULL; -ENOMEM leaves the table as it was */
int ish_hmap_put(struct ish_hmap *h, uint64_t key, void *val);
/* the value removed, NULL when absent */
void *ish_hmap_del(struct ish_hmap *h, uint64_t key);
void ish_hmap_free(struct ish_hmap *h);

/* An intrusive doubly linked list: O(1) append and unlink, walks in either direction. */
struct ish_link {
	struct ish_link *prev, *next;
};
struct ish_list {
	struct ish_link *first, *last;
	size_t n;
};

void ish_list_append(struct ish_list *l, struct ish_link *e);
void ish_list_unlink(struct ish_list *l, struct ish_link *e);

#define ish_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
/* the entry of a link, NULL for a NULL link */
#define ish_entry(link, type, member) \
	((link) ? ish_container_of(link, type, member) : (type *)NULL)

#endif
