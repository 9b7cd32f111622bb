// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Linked into every harness with -Wl,--wrap=ish_mem_alloc: the buffers an input asks for
 * ("mem alloc 8G", then "mem fill") are memory the user asked for, not a bug, yet they would
 * end the run as an out-of-memory. Each input may allocate FUZZ_MEM_MAX bytes in all; past
 * that the allocation fails with ENOMEM, as a machine short of memory would.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "fuzzlib.h"

struct ish_ctx;
int __real_ish_mem_alloc(struct ish_ctx *ctx, size_t size, uint32_t *mem_id);
int __wrap_ish_mem_alloc(struct ish_ctx *ctx, size_t size, uint32_t *mem_id);

static size_t allocated;

void fuzz_mem_reset(void)
{
	allocated = 0;
}

int __wrap_ish_mem_alloc(struct ish_ctx *ctx, size_t size, uint32_t *mem_id)
{
	if (size > FUZZ_MEM_MAX || allocated + size > FUZZ_MEM_MAX)
		return -ENOMEM;
	allocated += size;
	return __real_ish_mem_alloc(ctx, size, mem_id);
}
