/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared fixtures for the core tests: a context on the default simulated host. */
#ifndef ISH_TEST_FIXTURE_H
#define ISH_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"
#include "iommush/sim.h"
#include "internal.h"	/* white-box: the registry and vSMMU layouts */

#define BDF_A "0000:00:01.0"	/* edu, smmu0 */
#define BDF_B "0000:00:02.0"	/* edu, smmu0 */
#define BDF_C "0000:10:00.0"	/* edu, smmu1 */

struct fx {
	struct ish_ctx *ctx;
	struct ish_backend *be;
	uint32_t dev_a, dev_b, dev_c, ioas;
	uint32_t mem;
};

/* ctx on ish_sim_new(); devices A, B, C bound; an IOAS with 2 MiB mapped at IOVA 0 */
void fx_open(struct fx *fx);
/* ctx only */
void fx_open_bare(struct fx *fx);
/* free the ctx and assert the simulated kernel holds nothing any more */
void fx_close_clean(struct fx *fx);
/* number of registry objects */
unsigned int fx_registry_count(struct ish_ctx *ctx);
/* the registry and the simulated kernel agree on how many objects exist */
void fx_assert_consistent(struct fx *fx);
uint32_t fx_pt(struct fx *fx, uint32_t dev);	/* page table a device is attached to */

#endif
