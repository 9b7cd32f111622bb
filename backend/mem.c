// SPDX-License-Identifier: GPL-2.0-or-later
/* Host buffers for IOAS_MAP: page-aligned anonymous memory, numbered lowest-free from 1. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "internal.h"

static uint32_t lowest_free_mem_id(struct ish_ctx *ctx)
{
	uint32_t id;
	struct ish_mem *m;

	for (id = 1;; id++) {
		for (m = ctx->mems; m && m->id != id; m = m->next)
			;
		if (!m)
			return id;
	}
}

int ish_mem_alloc(struct ish_ctx *ctx, size_t size, uint32_t *mem_id)
{
	struct ish_mem *m, **p;
	void *va;

	if (!size)
		return ish_fail(ctx, -EINVAL, "size must not be 0");
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED) {
		free(m);
		return ish_fail(ctx, -ENOMEM, "cannot allocate %zu bytes", size);
	}
	m->id = lowest_free_mem_id(ctx);
	m->va = va;
	m->size = size;
	for (p = &ctx->mems; *p; p = &(*p)->next)
		;
	*p = m;
	*mem_id = m->id;
	return 0;
}

struct ish_mem *ish_mem_find(struct ish_ctx *ctx, uint32_t mem_id)
{
	struct ish_mem *m;

	for (m = ctx->mems; m; m = m->next)
		if (m->id == mem_id)
			return m;
	return NULL;
}

struct ish_mem *ish_mem_first(struct ish_ctx *ctx)
{
	return ctx->mems;
}

int ish_mem_free(struct ish_ctx *ctx, uint32_t mem_id)
{
	struct ish_mem **p, *m;
	struct ish_map *map;

	for (p = &ctx->mems; (m = *p); p = &m->next)
		if (m->id == mem_id)
			break;
	if (!m)
		return ish_fail(ctx, -ENOENT, "no buffer %u", mem_id);
	for (map = ctx->maps; map; map = map->next) {
		uint8_t *va = map->va;

		if (va < (uint8_t *)m->va + m->size && va + map->length > (uint8_t *)m->va)
			return ish_fail(ctx, -EBUSY, "buffer %u is mapped in IOAS %u at iova 0x%llx",
					mem_id, map->ioas, (unsigned long long)map->iova);
	}
	*p = m->next;
	munmap(m->va, m->size);
	free(m);
	return 0;
}
