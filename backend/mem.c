// SPDX-License-Identifier: GPL-2.0-or-later
/* Host buffers for IOAS_MAP: page-aligned anonymous memory, numbered lowest-free from 1. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include "internal.h"

/* the lowest id not in use: O(k) for the k-th id, which stays small for buffers */
static uint32_t lowest_free_mem_id(struct ish_ctx *ctx)
{
	uint32_t id;

	for (id = 1; ish_hmap_get(&ctx->mems_by_id, id); id++)
		;
	return id;
}

static int mem_alloc(struct ish_ctx *ctx, size_t size, bool memfd, uint32_t *mem_id)
{
	struct ish_mem *m;
	int fd = -1, rc;
	void *va;

	if (!size)
		return ish_fail(ctx, -EINVAL, "size must not be 0");
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (memfd) {
		/* shared, so that the buffer and the file's pages (MAP_FILE) are the same bytes */
		fd = memfd_create("iommush-mem", MFD_CLOEXEC);
		if (fd < 0) {
			rc = ish_fail(ctx, -errno, "memfd_create: cannot make a memfd");
			goto free_rec;
		}
		if (ftruncate(fd, (off_t)size) < 0) {
			rc = ish_fail(ctx, -errno, "cannot size a memfd to %zu bytes", size);
			goto close_fd;
		}
		va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (va == MAP_FAILED) {
		rc = ish_fail(ctx, -ENOMEM, "cannot allocate %zu bytes", size);
		goto close_fd;
	}
	m->id = lowest_free_mem_id(ctx);
	m->va = va;
	m->size = size;
	m->fd = fd;
	rc = ish_hmap_put(&ctx->mems_by_id, m->id, m);
	if (rc < 0)
		goto unmap;
	ish_list_append(&ctx->mems, &m->link);
	*mem_id = m->id;
	return 0;

unmap:
	munmap(va, size);
close_fd:
	if (fd >= 0)
		close(fd);
free_rec:
	free(m);
	return rc;
}

int ish_mem_alloc(struct ish_ctx *ctx, size_t size, uint32_t *mem_id)
{
	return mem_alloc(ctx, size, false, mem_id);
}

int ish_mem_alloc_memfd(struct ish_ctx *ctx, size_t size, uint32_t *mem_id)
{
	return mem_alloc(ctx, size, true, mem_id);
}

int ish_mem_fd(const struct ish_mem *m) { return m->fd; }

struct ish_mem *ish_mem_by_fd(struct ish_ctx *ctx, int fd)
{
	struct ish_mem *m;

	for (m = ish_mem_first(ctx); fd >= 0 && m; m = ish_mem_next(m))
		if (m->fd == fd)
			return m;
	return NULL;
}

struct ish_mem *ish_mem_find(struct ish_ctx *ctx, uint32_t mem_id)
{
	return ish_hmap_get(&ctx->mems_by_id, mem_id);
}

struct ish_mem *ish_mem_first(struct ish_ctx *ctx)
{
	return ish_entry(ctx->mems.first, struct ish_mem, link);
}

struct ish_mem *ish_mem_next(const struct ish_mem *m)
{
	return ish_entry(m->link.next, struct ish_mem, link);
}

uint32_t ish_mem_id(const struct ish_mem *m) { return m->id; }
void *ish_mem_va(const struct ish_mem *m) { return m->va; }
size_t ish_mem_size(const struct ish_mem *m) { return m->size; }

static void mem_release(struct ish_ctx *ctx, struct ish_mem *m)
{
	ish_hmap_del(&ctx->mems_by_id, m->id);
	ish_list_unlink(&ctx->mems, &m->link);
	munmap(m->va, m->size);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

int ish_mem_free(struct ish_ctx *ctx, uint32_t mem_id)
{
	struct ish_mem *m = ish_mem_find(ctx, mem_id);
	struct ish_map *map;

	if (!m)
		return ish_fail(ctx, -ENOENT, "no buffer %u", mem_id);
	for (map = ish_map_first(ctx); map; map = ish_map_next(map)) {
		uint8_t *va = map->va;

		if (va && va < (uint8_t *)m->va + m->size && va + map->length > (uint8_t *)m->va)
			return ish_fail(ctx, -EBUSY, "buffer %u is mapped in IOAS %u at iova 0x%llx",
					mem_id, map->ioas, (unsigned long long)map->iova);
	}
	mem_release(ctx, m);
	return 0;
}

void ish_mems_free_all(struct ish_ctx *ctx)
{
	struct ish_mem *m;

	while ((m = ish_mem_first(ctx)))
		mem_release(ctx, m);
	ish_hmap_free(&ctx->mems_by_id);
}
