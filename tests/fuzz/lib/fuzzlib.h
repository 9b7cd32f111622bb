/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every harness links (tests/fuzz/lib/). */
#ifndef ISH_FUZZLIB_H
#define ISH_FUZZLIB_H

/* buffers an input may allocate in all (memcap.c) */
#define FUZZ_MEM_MAX (256u << 20)
void fuzz_mem_reset(void);

#endif
