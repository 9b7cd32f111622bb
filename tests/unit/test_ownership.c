// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ownership and error detail: the vSMMU model holds what it allocated, never destroys or
 * attaches to an id it does not hold at that moment (the kernel reuses the lowest free id),
 * and the first failure of an operation is the one reported.
 */
#include <errno.h>
#include <string.h>
#include "fixture.h"
#include "iommush/smmu.h"

#define STE_S1(cd)	(ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | (cd))
#define STE_BYPASS	(ISH_STE_V | (ISH_STE_CFG_BYPASS << 1))

struct own_fx {
	struct fx fx;
	struct ish_vsmmu *vs;
	uint32_t dev, ioas;
};

/*
 * The session: `device bind 0000:00:01.0; ioas alloc; vsmmu create vs0 ioas 2 events;
 * vsmmu add vs0 1` gives device 1, IOAS 2, nest parent 3, vIOMMU 4, abort 5, bypass 6,
 * vEVENTQ 7.
 */
static void own_open(struct own_fx *o, bool enabled)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .events = true, .enabled = enabled };

	fx_open_bare(&o->fx);
	assert_int_equal(ish_device_bind(o->fx.ctx, BDF_A, &o->dev), 0);
	assert_int_equal(ish_ioas_alloc(o->fx.ctx, &o->ioas), 0);
	assert_int_equal(ish_vsmmu_create(o->fx.ctx, "vs0", o->ioas, &cfg, &o->vs), 0);
	assert_int_equal(ish_vsmmu_plug(o->vs, o->dev, 0x8), 0);
	assert_int_equal(o->dev, 1);
	assert_int_equal(o->ioas, 2);
	assert_int_equal(ish_vsmmu_viommu(o->vs), 4);
	assert_int_equal(ish_vsmmu_abort_hwpt(o->vs), 5);
	assert_int_equal(ish_vsmmu_bypass_hwpt(o->vs), 6);
	assert_int_equal(ish_vsmmu_veventq(o->vs), 7);
}

static unsigned int sim_objects(struct fx *fx)
{
	struct ish_sim_stats st;

	ish_sim_get_stats(fx->be, &st);
	return st.objects;
}

/* Every object the model holds names it as owner, and everything owned is held. */
static void assert_ownership_exact(struct own_fx *o)
{
	struct ish_obj *obj;
	struct ish_vsmmu_dev *d;

	for (obj = ish_obj_first(o->fx.ctx); obj; obj = ish_obj_next(obj)) {
		uint32_t id = ish_obj_id(obj);
		bool held = id == ish_vsmmu_viommu(o->vs) || id == ish_vsmmu_abort_hwpt(o->vs) ||
			    id == ish_vsmmu_bypass_hwpt(o->vs) || id == ish_vsmmu_veventq(o->vs);

		for (d = ish_vsmmu_dev_first(o->vs); d; d = ish_vsmmu_dev_next(d))
			held |= id == ish_vsmmu_dev_id(d) || id == ish_vsmmu_dev_vdevice(d) ||
				id == ish_vsmmu_dev_translate(d);
		if (held)
			assert_string_equal(ish_obj_owner(obj), "vs0");
		else
			assert_null(ish_obj_owner(obj));
	}
}

static void hand_destroy_of_an_owned_object_is_refused_naming_its_vsmmu(void **state)
{
	struct own_fx o;
	unsigned long before;
	unsigned int objs;

	own_open(&o, false);
	assert_ownership_exact(&o);
	before = ish_call_count(o.fx.ctx);
	objs = sim_objects(&o.fx);
	assert_int_equal(ish_destroy(o.fx.ctx, 7), -EBUSY);
	assert_int_equal(ish_call_count(o.fx.ctx), before);	/* refused before any call */
	assert_non_null(strstr(ish_errmsg(o.fx.ctx), "veventq 7 belongs to vSMMU vs0"));
	assert_int_equal(sim_objects(&o.fx), objs);
	assert_int_equal(ish_vsmmu_veventq(o.vs), 7);
	ish_clear_err(o.fx.ctx);
	/* the same for a proxy, and a device set on it cannot be unbound under it */
	assert_int_equal(ish_destroy(o.fx.ctx, 5), -EBUSY);
	ish_clear_err(o.fx.ctx);
	assert_int_equal(ish_device_unbind(o.fx.ctx, o.dev), -EBUSY);
	assert_non_null(strstr(ish_errmsg(o.fx.ctx), "set on vSMMU vs0"));
	fx_assert_consistent(&o.fx);
	fx_close_clean(&o.fx);
}

/* The reproducer: the vEVENTQ destroyed by hand, its id reused by the user's IOAS. */
static void forced_destroy_makes_the_vsmmu_forget_so_a_reused_id_is_left_alone(void **state)
{
	struct own_fx o;
	uint32_t ioas2;

	own_open(&o, false);
	assert_int_equal(ish_destroy_flags(o.fx.ctx, 7, ISH_DESTROY_FORCE), 0);
	assert_int_equal(ish_vsmmu_veventq(o.vs), 0);
	assert_int_equal(ish_vsmmu_read_events(o.vs, NULL, 0, 0), -ENOENT);
	assert_non_null(strstr(ish_errmsg(o.fx.ctx), "destroyed by hand"));
	ish_clear_err(o.fx.ctx);
	assert_int_equal(ish_ioas_alloc(o.fx.ctx, &ioas2), 0);
	assert_int_equal(ioas2, 7);	/* the kernel reused the lowest free id */
	assert_int_equal(ish_vsmmu_unset_device(o.vs, o.dev), 0);
	/* the user's IOAS is still there, in the kernel and in the registry */
	assert_non_null(ish_obj_find(o.fx.ctx, 7));
	assert_int_equal(ish_obj_type(ish_obj_find(o.fx.ctx, 7)), ISH_OBJ_IOAS);
	assert_null(ish_obj_owner(ish_obj_find(o.fx.ctx, 7)));
	/* vIOMMU and proxies went with the last device; the IOASes, parent and device remain */
	assert_int_equal(ish_vsmmu_viommu(o.vs), 0);
	assert_int_equal(sim_objects(&o.fx), 4);
	fx_assert_consistent(&o.fx);
	assert_int_equal(ish_vsmmu_destroy(o.vs), 0);
	fx_close_clean(&o.fx);
}

/* The variant: a translate HWPT destroyed by hand, its id reused: remove must not fail half way. */
static void forced_destroy_of_a_translate_hwpt_then_reuse_leaves_remove_whole(void **state)
{
	struct own_fx o;
	uint64_t ste[2] = { STE_S1(0x100000), 0 };
	uint32_t tr, ioas2, vdev;

	own_open(&o, true);
	assert_int_equal(ish_vsmmu_install_ste(o.vs, o.dev, ste), 0);
	tr = ish_vsmmu_dev_translate(ish_vsmmu_dev_find(o.vs, o.dev));
	vdev = ish_vsmmu_dev_vdevice(ish_vsmmu_dev_find(o.vs, o.dev));
	assert_int_not_equal(tr, 0);
	assert_string_equal(ish_obj_owner(ish_obj_find(o.fx.ctx, tr)), "vs0");
	/* in use: the kernel refuses even when forced, and the model keeps it */
	assert_int_equal(ish_destroy_flags(o.fx.ctx, tr, ISH_DESTROY_FORCE), -EBUSY);
	assert_non_null(strstr(ish_errmsg(o.fx.ctx), "device 1 attached to it"));
	assert_int_equal(ish_vsmmu_dev_translate(ish_vsmmu_dev_find(o.vs, o.dev)), tr);
	assert_string_equal(ish_obj_owner(ish_obj_find(o.fx.ctx, tr)), "vs0");
	ish_clear_err(o.fx.ctx);
	/* the device moves to bypass: the translate HWPT is freed by the model, not by hand */
	ste[0] = STE_BYPASS;
	assert_int_equal(ish_vsmmu_install_ste(o.vs, o.dev, ste), 0);
	assert_null(ish_obj_find(o.fx.ctx, tr));
	/* the vDEVICE destroyed by hand (forced), then its id reused by an IOAS */
	assert_int_equal(ish_destroy_flags(o.fx.ctx, vdev, ISH_DESTROY_FORCE), 0);
	assert_int_equal(ish_vsmmu_dev_vdevice(ish_vsmmu_dev_find(o.vs, o.dev)), 0);
	assert_int_equal(ish_ioas_alloc(o.fx.ctx, &ioas2), 0);
	assert_true(ioas2 == vdev || ioas2 == tr);
	assert_int_equal(ish_vsmmu_unset_device(o.vs, o.dev), 0);
	assert_int_equal(ish_obj_type(ish_obj_find(o.fx.ctx, ioas2)), ISH_OBJ_IOAS);
	fx_assert_consistent(&o.fx);
	assert_int_equal(ish_vsmmu_destroy(o.vs), 0);
	fx_close_clean(&o.fx);
}

/* A proxy destroyed by hand: the move that needs it fails with the reason, nothing moves. */
static void a_lost_proxy_is_named_and_the_device_stays(void **state)
{
	struct own_fx o;
	unsigned int objs;

	own_open(&o, false);
	assert_int_equal(ish_vsmmu_set_gbpa(o.vs, true), 0);	/* the device leaves bypass */
	assert_int_equal(fx_pt(&o.fx, o.dev), 5);
	assert_int_equal(ish_destroy_flags(o.fx.ctx, 6, ISH_DESTROY_FORCE), 0);
	assert_int_equal(ish_vsmmu_bypass_hwpt(o.vs), 0);
	objs = sim_objects(&o.fx);
	assert_int_equal(ish_vsmmu_set_gbpa(o.vs, false), -ENOENT);
	assert_non_null(strstr(ish_errmsg(o.fx.ctx), "no bypass HWPT"));
	assert_int_equal(fx_pt(&o.fx, o.dev), 5);
	assert_true(ish_vsmmu_gbpa_abort(o.vs));
	assert_int_equal(sim_objects(&o.fx), objs);
	ish_clear_err(o.fx.ctx);
	/* and the vSMMU still comes apart cleanly: the vIOMMU outlives no proxy */
	assert_int_equal(ish_vsmmu_destroy(o.vs), 0);
	fx_assert_consistent(&o.fx);
	fx_close_clean(&o.fx);
}

/* The model's own destroy of an id it no longer holds is refused before any call. */
static void the_model_never_destroys_an_id_it_does_not_hold(void **state)
{
	struct own_fx o;
	unsigned long before;

	own_open(&o, false);
	before = ish_call_count(o.fx.ctx);
	assert_int_equal(ish_destroy_owned(o.fx.ctx, o.ioas, &o.vs->owner), -ESTALE);
	assert_int_equal(ish_destroy_owned(o.fx.ctx, 99, &o.vs->owner), -ESTALE);
	assert_int_equal(ish_call_count(o.fx.ctx), before);
	assert_non_null(ish_obj_find(o.fx.ctx, o.ioas));
	ish_clear_err(o.fx.ctx);
	fx_close_clean(&o.fx);
}

/* Context teardown frees what a vSMMU holds even when it cannot unwind it itself. */
static void teardown_frees_what_the_vsmmu_holds(void **state)
{
	struct own_fx o;
	uint64_t ste[2] = { STE_S1(0x100000), 0 };

	own_open(&o, true);
	assert_int_equal(ish_vsmmu_install_ste(o.vs, o.dev, ste), 0);
	fx_close_clean(&o.fx);
}

static void the_first_failure_is_kept_until_cleared(void **state)
{
	struct fx fx;

	fx_open_bare(&fx);
	assert_int_equal(ish_errno(fx.ctx), 0);
	assert_int_equal(ish_fail(fx.ctx, -EINVAL, "first %d", 1), -EINVAL);
	assert_int_equal(ish_fail(fx.ctx, -EBUSY, "second"), -EBUSY);
	assert_string_equal(ish_errmsg(fx.ctx), "first 1");
	assert_int_equal(ish_errno(fx.ctx), -EINVAL);
	ish_clear_err(fx.ctx);
	assert_string_equal(ish_errmsg(fx.ctx), "");
	assert_int_equal(ish_errno(fx.ctx), 0);
	/* a failure without a message still claims the record */
	assert_int_equal(ish_fail_mark(fx.ctx, -ENOMEM), -ENOMEM);
	assert_int_equal(ish_fail(fx.ctx, -EIO, "later"), -EIO);
	assert_string_equal(ish_errmsg(fx.ctx), "");
	assert_int_equal(ish_errno(fx.ctx), -ENOMEM);
	ish_clear_err(fx.ctx);
	fx_close_clean(&fx);
}

/*
 * A range install goes on after a failure: the errno it reports and the message left must
 * be the same failure's. Device A fails first with a bare ENOMEM, device B later with an
 * explained EIO: the message must not be B's.
 */
static void a_range_reports_its_first_failure_with_that_failures_message(void **state)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .enabled = true };
	uint64_t bad[2] = { ISH_STE_V | (6ull << 1), 0 };	/* Config 6: S2 only, refused */
	struct ish_vsmmu *vs;
	struct fx fx;
	uint32_t failed;
	int err, n;

	fx_open(&fx);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	assert_int_equal(ish_vsmmu_plug(vs, fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_plug(vs, fx.dev_b, 0x10), 0);
	ish_fail_nth(fx.ctx, 1, -ENOMEM);	/* A's vDEVICE allocation */
	n = ish_vsmmu_install_range(vs, 0, 0xffff, bad, &err, &failed);
	ish_fail_nth(fx.ctx, 0, 0);
	assert_int_equal(n, 0);
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(failed, fx.dev_a);
	assert_int_equal(ish_errno(fx.ctx), -ENOMEM);
	assert_null(strstr(ish_errmsg(fx.ctx), "Config"));
	ish_clear_err(fx.ctx);
	/* B was judged too: its vDEVICE exists, its STE was refused, it did not move */
	assert_int_not_equal(ish_vsmmu_dev_vdevice(ish_vsmmu_dev_find(vs, fx.dev_b)), 0);
	assert_int_equal(ish_vsmmu_role(vs, fx.dev_b), ISH_ROLE_BYPASS);
	fx_assert_consistent(&fx);
	fx_close_clean(&fx);
}

/* A multi-call step that fails without a message still says which kernel call it was. */
static void the_failed_call_of_a_multi_call_step_is_named(void **state)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .events = true };
	struct ish_vsmmu *vs;
	struct fx fx;
	bool injected = false;
	int err = 0;

	fx_open(&fx);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	assert_null(ish_err_call(fx.ctx, NULL, NULL));
	/* plug: hw info, nest parent, attach, vIOMMU, abort, bypass, vEVENTQ, attach: the 4th */
	ish_fail_nth(fx.ctx, 4, -ENOMEM);
	assert_int_equal(ish_vsmmu_plug(vs, fx.dev_a, 0x8), -ENOMEM);
	ish_fail_nth(fx.ctx, 0, 0);
	assert_string_equal(ish_err_call(fx.ctx, &err, &injected), "IOMMU_VIOMMU_ALLOC");
	assert_int_equal(err, -ENOMEM);
	assert_true(injected);
	/* the unwinding's own calls did not overwrite it, and nothing is left */
	assert_int_equal(fx_pt(&fx, fx.dev_a), 0);
	fx_assert_consistent(&fx);
	ish_clear_err(fx.ctx);
	assert_null(ish_err_call(fx.ctx, &err, NULL));
	assert_int_equal(err, 0);
	fx_close_clean(&fx);
}

/*
 * The core's word on event forwarding is the simulated driver's: compare at every step of a
 * life where the vDEVICE comes after the attach (the driver takes the vSID at attach).
 */
static void event_forwarding_is_predicted_as_the_driver_decides(void **state)
{
	const uint64_t bad_cd[4] = { ISH_EVT_C_BAD_CD, 0, 0, 0 };
	uint64_t abort_ste[2] = { ISH_STE_V, 0 }, bypass_ste[2] = { STE_BYPASS, 0 };
	uint32_t s2, vi, q, ab, by, vd;
	char why[256];
	struct fx fx;
	int step;

	fx_open(&fx);
	for (step = 0; step < 6; step++) {
		switch (step) {
		case 0:
			assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas,
							IOMMU_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, &s2), 0);
			assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, s2, NULL), 0);
			assert_int_equal(ish_viommu_alloc(fx.ctx, fx.dev_a, s2,
							  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &vi), 0);
			break;
		case 1:
			assert_int_equal(ish_hwpt_alloc_nested(fx.ctx, fx.dev_a, vi, abort_ste, &ab), 0);
			assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, ab, NULL), 0);
			break;
		case 2:	/* the vDEVICE after the attach: still on the host */
			assert_int_equal(ish_vdevice_alloc(fx.ctx, vi, fx.dev_a, 0x42, &vd), 0);
			break;
		case 3:	/* no vEVENTQ yet, then one */
			assert_int_equal(ish_hwpt_alloc_nested(fx.ctx, fx.dev_a, vi, bypass_ste, &by), 0);
			assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, by, NULL), 0);
			break;
		case 4:
			assert_int_equal(ish_veventq_alloc(fx.ctx, vi, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 8,
							   &q), 0);
			break;
		case 5:	/* the vDEVICE destroyed: the driver keeps the vSID until the next attach */
			assert_int_equal(ish_destroy(fx.ctx, vd), 0);
			break;
		}
		why[0] = '\0';
		assert_int_equal(ish_device_events_forwarded(fx.ctx, fx.dev_a, why, sizeof(why)),
				 ish_sim_inject_event(fx.be, BDF_A, bad_cd) == 1);
		if (step < 4)
			assert_true(why[0]);
	}
	assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, s2, NULL), 0);
	fx_close_clean(&fx);
}

/* Lookups by vSID and by device id answer from the index. */
static void a_device_is_found_by_vsid_and_by_id(void **state)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	struct ish_vsmmu *vs;
	struct fx fx;

	fx_open(&fx);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	assert_int_equal(ish_vsmmu_plug(vs, fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_plug(vs, fx.dev_b, 0x10), 0);
	assert_int_equal(ish_vsmmu_dev_id(ish_vsmmu_dev_by_vsid(vs, 0x10)), fx.dev_b);
	assert_null(ish_vsmmu_dev_by_vsid(vs, 0x11));
	assert_ptr_equal(ish_vsmmu_of_device(fx.ctx, fx.dev_a), vs);
	assert_null(ish_vsmmu_of_device(fx.ctx, fx.dev_c));
	assert_ptr_equal(ish_device_find(fx.ctx, "00:02.0"), ish_obj_find(fx.ctx, fx.dev_b));
	assert_int_equal(ish_vsmmu_ndevs(vs), 2);
	assert_int_equal(ish_vsmmu_unset_device(vs, fx.dev_a), 0);
	assert_null(ish_vsmmu_dev_by_vsid(vs, 0x8));
	assert_null(ish_obj_owner(ish_obj_find(fx.ctx, fx.dev_a)));
	fx_close_clean(&fx);
}

/*
 * mem alloc SIZE huge through the map-huge call: a multiple of the huge page size maps and
 * DMA-maps like any buffer; any other size is -EINVAL naming the page size; a failed call is
 * -ENOMEM with the fix in the message, and leaves no buffer behind.
 */
static void trace_op(void *arg, const struct ish_call *c, long rc)
{
	(void)rc;
	if (!strcmp(c->op, "map-huge"))
		*(size_t *)arg = c->len;
}

static void huge_buffers_name_their_size_rule_and_the_missing_reservation(void **state)
{
	struct fx fx;
	struct ish_mem *m;
	uint64_t iova = 0;
	size_t traced = 0;
	uint32_t id = 0, plain = 0;

	(void)state;
	fx_open_bare(&fx);
	ish_set_trace(fx.ctx, trace_op, &traced);
	assert_int_equal(ish_mem_alloc_huge(fx.ctx, 4u << 20, &id), 0);
	assert_int_equal(traced, 4u << 20);
	m = ish_mem_find(fx.ctx, id);
	assert_non_null(m);
	assert_true(ish_mem_huge(m));
	assert_int_equal(ish_mem_size(m), 4u << 20);
	assert_int_equal(ish_mem_fd(m), -1);
	((volatile char *)ish_mem_va(m))[(4u << 20) - 1] = 1;
	assert_int_equal(ish_ioas_alloc(fx.ctx, &fx.ioas), 0);
	assert_int_equal(ish_ioas_map(fx.ctx, fx.ioas, ish_mem_va(m), 4u << 20, &iova,
				      IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE), 0);
	assert_int_equal(ish_mem_free(fx.ctx, id), -EBUSY);
	assert_int_equal(ish_ioas_unmap(fx.ctx, fx.ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(ish_mem_free(fx.ctx, id), 0);

	assert_int_equal(ish_mem_alloc(fx.ctx, 4096, &plain), 0);
	assert_false(ish_mem_huge(ish_mem_find(fx.ctx, plain)));

	ish_clear_err(fx.ctx);
	assert_int_equal(ish_mem_alloc_huge(fx.ctx, 3u << 20, &id), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "not a multiple of the huge page size (2048 KiB)"));
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_mem_alloc_huge(fx.ctx, 0, &id), -EINVAL);

	ish_clear_err(fx.ctx);
	ish_fail_nth(fx.ctx, 1, ENOMEM);
	assert_int_equal(ish_mem_alloc_huge(fx.ctx, 2u << 20, &id), -ENOMEM);
	assert_string_equal(ish_errmsg(fx.ctx), "no huge pages reserved: boot with hugepages=N or "
			    "echo N > /proc/sys/vm/nr_hugepages");
	assert_null(ish_mem_next(ish_mem_first(fx.ctx)));	/* only the plain buffer */
	assert_int_equal(ish_mem_free(fx.ctx, plain), 0);
	fx_close_clean(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_destroy_of_an_owned_object_is_refused_naming_its_vsmmu),
		cmocka_unit_test(forced_destroy_makes_the_vsmmu_forget_so_a_reused_id_is_left_alone),
		cmocka_unit_test(forced_destroy_of_a_translate_hwpt_then_reuse_leaves_remove_whole),
		cmocka_unit_test(a_lost_proxy_is_named_and_the_device_stays),
		cmocka_unit_test(the_model_never_destroys_an_id_it_does_not_hold),
		cmocka_unit_test(teardown_frees_what_the_vsmmu_holds),
		cmocka_unit_test(the_first_failure_is_kept_until_cleared),
		cmocka_unit_test(a_range_reports_its_first_failure_with_that_failures_message),
		cmocka_unit_test(the_failed_call_of_a_multi_call_step_is_named),
		cmocka_unit_test(event_forwarding_is_predicted_as_the_driver_decides),
		cmocka_unit_test(a_device_is_found_by_vsid_and_by_id),
		cmocka_unit_test(huge_buffers_name_their_size_rule_and_the_missing_reservation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
