// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fail-Nth, in the spirit of the kernel's iommufd_fail_nth.c: run a scenario once clean,
 * then again and again failing backend call 1, 2, ... N with an errno, until a run completes
 * without reaching the armed call. After every run: the registry and the simulated kernel
 * agree, each vSMMU device sits on a page table that exists, and a teardown leaves nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fixture.h"
#include "iommush/smmu.h"

#define STE_S1(cd)	(ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | (cd))
#define STE_BYPASS	(ISH_STE_V | (ISH_STE_CFG_BYPASS << 1))

typedef int (*scenario_fn)(struct fx *fx);

static bool vsmmu_refers(struct fx *fx, uint32_t id)
{
	struct ish_vsmmu *vs;
	struct ish_vsmmu_dev *d;

	for (vs = ish_vsmmu_first(fx->ctx); vs; vs = ish_vsmmu_next(vs)) {
		if (id == vs->viommu || id == vs->abort_hwpt || id == vs->bypass_hwpt ||
		    id == vs->veventq)
			return true;
		for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d))
			if (id == d->translate || id == d->vdevice || id == d->stale)
				return true;
	}
	return false;
}

/*
 * In a scenario where only the model makes vIOMMU-side objects, each one must be held by a
 * vSMMU: anything else is a leak the teardown would hide.
 */
static void assert_no_orphans(struct fx *fx)
{
	struct ish_obj *o;

	for (o = ish_obj_first(fx->ctx); o; o = ish_obj_next(o)) {
		if (o->type != ISH_OBJ_HWPT_NESTED && o->type != ISH_OBJ_VIOMMU &&
		    o->type != ISH_OBJ_VDEVICE && o->type != ISH_OBJ_VEVENTQ)
			continue;
		if (!vsmmu_refers(fx, o->id))
			fail_msg("%s %u is held by no vSMMU", ish_obj_type_name(o->type), o->id);
	}
}

/* Every step of a VMM's life with one vSMMU and two devices. */
static int seed_story(struct fx *fx)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .events = true, .enabled = true };
	uint64_t s1[2] = { STE_S1(0x100000), 0 }, s1b[2] = { STE_S1(0x200000), 0 };
	uint64_t by[2] = { STE_BYPASS, 0 };
	uint64_t cmds[2][2] = { { ISH_CMD_TLBI_NH_ALL, 0 }, { ISH_CMD_CFGI_CD_ALL | (8ULL << 32), 0 } };
	struct ish_vsmmu *vs;
	struct ish_vevent ev[4];
	uint32_t s2, done;
	int rc;

	/* A by the two steps, B by the VMM's plug (its S2 attach unwinds too) */
	if ((rc = ish_s2_attach(fx->ctx, fx->dev_a, fx->ioas, &s2)) < 0 ||
	    (rc = ish_vsmmu_create(fx->ctx, "vs0", fx->ioas, &cfg, &vs)) < 0 ||
	    (rc = ish_vsmmu_set_device(vs, fx->dev_a, 8)) < 0 ||
	    (rc = ish_vsmmu_plug(vs, fx->dev_b, 16)) < 0 ||
	    (rc = ish_vsmmu_set_gbpa(vs, true)) < 0 ||
	    (rc = ish_vsmmu_install_ste(vs, fx->dev_a, s1)) < 0 ||
	    (rc = ish_vsmmu_install_ste(vs, fx->dev_a, s1b)) < 0 ||
	    (rc = ish_vsmmu_install_ste(vs, fx->dev_b, by)) < 0 ||
	    (rc = ish_vsmmu_set_gbpa(vs, false)) < 0 ||
	    (rc = ish_vsmmu_invalidate(vs, cmds, 2, &done)) < 0 ||
	    (rc = ish_vsmmu_read_events(vs, ev, 4, 0)) < 0 ||
	    (rc = ish_vsmmu_set_enabled(vs, false)) < 0 ||
	    (rc = ish_vsmmu_set_enabled(vs, true)) < 0 ||
	    (rc = ish_vsmmu_unset_device(vs, fx->dev_a)) < 0 ||
	    (rc = ish_vsmmu_unset_device(vs, fx->dev_b)) < 0)
		return rc;
	return ish_vsmmu_destroy(vs);
}

/* The low-level path by hand: what the seed's core does, without the model. */
static int by_hand(struct fx *fx)
{
	uint64_t ab[2] = { ISH_STE_V, 0 }, s1[2] = { STE_S1(0x100000), 0 };
	uint32_t parent, viommu, abort_id, tr, vdev, q, unused;
	struct ish_vevent ev[2];
	uint64_t iova = 0x400000, unmapped;
	int rc;

	if ((rc = ish_hwpt_alloc(fx->ctx, fx->dev_a, fx->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				 IOMMU_HWPT_DATA_NONE, NULL, 0, &parent)) < 0 ||
	    (rc = ish_device_attach(fx->ctx, fx->dev_a, parent, &unused)) < 0 ||
	    (rc = ish_viommu_alloc(fx->ctx, fx->dev_a, parent, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				   &viommu)) < 0 ||
	    (rc = ish_hwpt_alloc_nested(fx->ctx, fx->dev_a, viommu, ab, &abort_id)) < 0 ||
	    (rc = ish_device_attach(fx->ctx, fx->dev_a, abort_id, &unused)) < 0 ||
	    (rc = ish_vdevice_alloc(fx->ctx, viommu, fx->dev_a, 0x42, &vdev)) < 0 ||
	    (rc = ish_veventq_alloc(fx->ctx, viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 4, &q)) < 0 ||
	    (rc = ish_hwpt_alloc_nested(fx->ctx, fx->dev_a, viommu, s1, &tr)) < 0 ||
	    (rc = ish_device_attach(fx->ctx, fx->dev_a, tr, &unused)) < 0 ||
	    (rc = ish_veventq_read(fx->ctx, q, ev, 2, 0)) < 0 ||
	    (rc = ish_ioas_map(fx->ctx, fx->ioas, ish_mem_find(fx->ctx, fx->mem)->va, 4096, &iova,
			       IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE)) < 0 ||
	    (rc = ish_ioas_unmap(fx->ctx, fx->ioas, iova, 4096, &unmapped)) < 0 ||
	    (rc = ish_device_attach(fx->ctx, fx->dev_a, fx->ioas, &unused)) < 0 ||
	    (rc = ish_destroy(fx->ctx, q)) < 0 ||
	    (rc = ish_destroy(fx->ctx, tr)) < 0 ||
	    (rc = ish_destroy(fx->ctx, vdev)) < 0 ||
	    (rc = ish_destroy(fx->ctx, abort_id)) < 0 ||
	    (rc = ish_destroy(fx->ctx, viommu)) < 0 ||
	    (rc = ish_destroy(fx->ctx, parent)) < 0)
		return rc;
	return ish_device_unbind(fx->ctx, fx->dev_b);
}

/* every device on a vSMMU is on a page table that exists, of a role the model knows */
static void assert_vsmmus_sane(struct fx *fx)
{
	struct ish_vsmmu *vs;
	struct ish_vsmmu_dev *d;

	for (vs = ish_vsmmu_first(fx->ctx); vs; vs = ish_vsmmu_next(vs)) {
		for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
			uint32_t pt = fx_pt(fx, d->dev);

			assert_non_null(ish_obj_find(fx->ctx, pt));
			assert_int_not_equal(ish_vsmmu_role(vs, d->dev), ISH_ROLE_NONE);
			if (d->translate)
				assert_non_null(ish_obj_find(fx->ctx, d->translate));
			if (d->vdevice)
				assert_non_null(ish_obj_find(fx->ctx, d->vdevice));
		}
		if (vs->viommu)
			assert_non_null(ish_obj_find(fx->ctx, vs->viommu));
	}
}

static unsigned int sweep(scenario_fn fn, int err, bool model_only)
{
	unsigned long n;
	struct fx fx;
	bool hit;
	int rc;

	fx_open(&fx);
	assert_int_equal(fn(&fx), 0);
	fx_assert_consistent(&fx);
	fx_close_clean(&fx);
	for (n = 1; n < 1000; n++) {
		fx_open(&fx);
		ish_fail_nth(fx.ctx, n, err);
		rc = fn(&fx);
		hit = ish_fail_hit(fx.ctx);
		/* disarm before teardown, or the teardown itself would take the fault */
		ish_fail_nth(fx.ctx, 0, 0);
		if (!hit) {
			assert_int_equal(rc, 0);
			fx_close_clean(&fx);
			break;
		}
		/* the failure surfaced as that errno, and nothing is half-made */
		if (rc < 0 && rc != -err)
			fail_msg("call %lu: expected -%d, got %d", n, err, rc);
		fx_assert_consistent(&fx);
		assert_vsmmus_sane(&fx);
		if (model_only)
			assert_no_orphans(&fx);
		fx_close_clean(&fx);
	}
	assert_true(n > 5 && n < 1000);
	return (unsigned int)n;
}

static void seed_story_enomem(void **state)
{
	unsigned int n = sweep(seed_story, ENOMEM, true);

	print_message("seed story: %u calls swept\n", n - 1);
}

static void seed_story_eio(void **state)
{
	sweep(seed_story, EIO, true);
}

static void by_hand_enomem(void **state)
{
	unsigned int n = sweep(by_hand, ENOMEM, false);

	print_message("by hand: %u calls swept\n", n - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed_story_enomem),
		cmocka_unit_test(seed_story_eio),
		cmocka_unit_test(by_hand_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
