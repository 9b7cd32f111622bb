// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>
#include "fixture.h"

static struct ish_backend *fx_backend;

static void open_ctx(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->be = ish_sim_new();
	assert_non_null(fx->be);
	fx_backend = fx->be;
	assert_int_equal(ish_ctx_new(fx->be, &fx->ctx), 0);
}

void fx_open_bare(struct fx *fx)
{
	open_ctx(fx);
}

void fx_open(struct fx *fx)
{
	struct ish_mem *m;
	uint64_t iova = 0;

	open_ctx(fx);
	assert_int_equal(ish_device_bind(fx->ctx, BDF_A, &fx->dev_a), 0);
	assert_int_equal(ish_device_bind(fx->ctx, BDF_B, &fx->dev_b), 0);
	assert_int_equal(ish_device_bind(fx->ctx, BDF_C, &fx->dev_c), 0);
	assert_int_equal(ish_ioas_alloc(fx->ctx, &fx->ioas), 0);
	assert_int_equal(ish_mem_alloc(fx->ctx, 2 << 20, &fx->mem), 0);
	m = ish_mem_find(fx->ctx, fx->mem);
	assert_non_null(m);
	assert_int_equal(ish_ioas_map(fx->ctx, fx->ioas, m->va, m->size, &iova,
				      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				      IOMMU_IOAS_MAP_WRITEABLE), 0);
}

unsigned int fx_registry_count(struct ish_ctx *ctx)
{
	struct ish_obj *o;
	unsigned int n = 0;

	for (o = ish_obj_first(ctx); o; o = ish_obj_next(o))
		n++;
	return n;
}

void fx_assert_consistent(struct fx *fx)
{
	struct ish_sim_stats st;

	ish_sim_get_stats(fx->be, &st);
	assert_int_equal(fx_registry_count(fx->ctx), st.objects);
}

uint32_t fx_pt(struct fx *fx, uint32_t dev)
{
	struct ish_obj *o = ish_obj_find(fx->ctx, dev);

	assert_non_null(o);
	return o->u.device.pt;
}

/*
 * ish_ctx_free() frees the backend too, so the stats are read through a second, independent
 * look: the backend's stats just before the final free, once everything was torn down.
 */
void fx_close_clean(struct fx *fx)
{
	struct ish_sim_stats st;

	assert_int_equal(ish_ctx_reset(fx->ctx), 0);
	ish_sim_get_stats(fx->be, &st);
	/* only tombstones may outlive a reset; they go with the iommufd */
	assert_int_equal(st.objects, st.tombstones);
	assert_int_equal(st.open_fds, 1);	/* the iommufd itself */
	assert_null(ish_vsmmu_first(fx->ctx));
	ish_ctx_free(fx->ctx);
	fx->ctx = NULL;
	(void)fx_backend;
}
