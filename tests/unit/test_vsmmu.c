// SPDX-License-Identifier: GPL-2.0-or-later
/* The vSMMUv3 accel model on the simulated kernel: the seed's semantics, call by call. */
#include <errno.h>
#include <string.h>
#include "fixture.h"
#include "iommush/smmu.h"

#define STE_ABORT_V	ISH_STE_V
#define STE_BYPASS	(ISH_STE_V | (ISH_STE_CFG_BYPASS << 1))
#define STE_S1(cd)	(ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | (cd))

struct vfx {
	struct fx fx;
	struct ish_vsmmu *vs;
	uint32_t s2_a, s2_b;
};

static void vfx_open(struct vfx *v, bool events)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .events = events, .enabled = true };

	fx_open(&v->fx);
	assert_int_equal(ish_s2_attach(v->fx.ctx, v->fx.dev_a, v->fx.ioas, &v->s2_a), 0);
	assert_int_equal(ish_s2_attach(v->fx.ctx, v->fx.dev_b, v->fx.ioas, &v->s2_b), 0);
	assert_int_equal(ish_vsmmu_create(v->fx.ctx, "vs0", v->fx.ioas, &cfg, &v->vs), 0);
}

static unsigned long ioctls_of(struct ish_ctx *ctx, unsigned long before)
{
	return ish_ioctl_count(ctx) - before;
}

static void s2_parent_shared_per_smmu(void **state)
{
	struct vfx v;
	uint32_t s2_c;

	vfx_open(&v, false);
	/* A and B sit behind the same SMMU: one nest parent serves both */
	assert_int_equal(v.s2_a, v.s2_b);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_a), v.s2_a);
	/* C is behind smmu1: it needs a parent of its own */
	assert_int_equal(ish_s2_attach(v.fx.ctx, v.fx.dev_c, v.fx.ioas, &s2_c), 0);
	assert_int_not_equal(s2_c, v.s2_a);
	fx_assert_consistent(&v.fx);
	fx_close_clean(&v.fx);
}

static void first_set_is_four_ioctls(void **state)
{
	struct vfx v;
	unsigned long n;

	vfx_open(&v, false);
	n = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ioctls_of(v.fx.ctx, n), 4);
	assert_int_not_equal(v.vs->viommu, 0);
	assert_int_not_equal(v.vs->abort_hwpt, 0);
	assert_int_not_equal(v.vs->bypass_hwpt, 0);
	/* allocation order: vIOMMU, abort, bypass (ids from the kernel's lowest-free space) */
	assert_true(v.vs->viommu < v.vs->abort_hwpt && v.vs->abort_hwpt < v.vs->bypass_hwpt);
	/* GBPA.ABORT is 0 at reset: bypass */
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_a), v.vs->bypass_hwpt);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_BYPASS);
	assert_string_equal(ish_obj_owner(ish_obj_find(v.fx.ctx, v.vs->viommu)), "vs0");
	fx_assert_consistent(&v.fx);
	fx_close_clean(&v.fx);
}

static void first_set_with_events_is_five(void **state)
{
	struct vfx v;
	unsigned long n;

	vfx_open(&v, true);
	n = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ioctls_of(v.fx.ctx, n), 5);
	assert_int_not_equal(v.vs->veventq, 0);
	assert_int_equal(ish_obj_find(v.fx.ctx, v.vs->veventq)->type, ISH_OBJ_VEVENTQ);
	fx_close_clean(&v.fx);
}

static void later_device_one_ioctl_current_proxy(void **state)
{
	struct vfx v;
	unsigned long n;
	uint32_t viommu;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_set_gbpa(v.vs, true), 0);
	viommu = v.vs->viommu;
	n = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x10), 0);
	assert_int_equal(ioctls_of(v.fx.ctx, n), 1);
	assert_int_equal(v.vs->viommu, viommu);			/* reused */
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_b), v.vs->abort_hwpt);	/* GBPA says abort */
	fx_close_clean(&v.fx);
}

static void other_smmu_refused_nothing_changed(void **state)
{
	struct vfx v;
	unsigned long n;
	unsigned int objs;
	uint32_t s2_c;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_s2_attach(v.fx.ctx, v.fx.dev_c, v.fx.ioas, &s2_c), 0);
	n = ish_ioctl_count(v.fx.ctx);
	objs = fx_registry_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_c, 0x20), -EXDEV);
	assert_non_null(strstr(ish_errmsg(v.fx.ctx), "smmu1"));
	assert_int_equal(ioctls_of(v.fx.ctx, n), 0);
	assert_int_equal(fx_registry_count(v.fx.ctx), objs);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_c), s2_c);
	assert_null(ish_vsmmu_dev_find(v.vs, v.fx.dev_c));
	fx_close_clean(&v.fx);
}

static void set_twice_noop_other_vsid_error(void **state)
{
	struct vfx v;
	unsigned long n;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	n = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ioctls_of(v.fx.ctx, n), 0);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x9), -EEXIST);
	/* a vSID already taken by another device is the "different backing" case */
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x8), -EEXIST);
	assert_int_equal(ioctls_of(v.fx.ctx, n), 0);
	fx_close_clean(&v.fx);
}

static void needs_s2_parent(void **state)
{
	struct fx fx;
	struct ish_vsmmu *vs;
	struct ish_vsmmu_cfg cfg = { .auto_features = true };

	fx_open(&fx);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), -EEXIST);
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(vs, fx.dev_a, 1), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "nest-parent"));
	fx_close_clean(&fx);
}

static void unset_frees_in_order_and_last_frees_all(void **state)
{
	struct vfx v;
	unsigned int objs_before;
	uint64_t s1[2] = { STE_S1(0x100000), 0 };

	vfx_open(&v, true);
	objs_before = fx_registry_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x10), 0);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1), 0);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_TRANSLATE);
	/* unset A: back on S2; its translate HWPT and vDEVICE are gone; the vIOMMU stays */
	assert_int_equal(ish_vsmmu_unset_device(v.vs, v.fx.dev_a), 0);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_a), v.s2_a);
	assert_int_equal(ish_obj_find(v.fx.ctx, v.fx.dev_a)->u.device.vdevice, 0);
	assert_null(ish_vsmmu_dev_find(v.vs, v.fx.dev_a));
	assert_int_not_equal(v.vs->viommu, 0);
	fx_assert_consistent(&v.fx);
	/* last one: vEVENTQ, bypass, abort, vIOMMU go */
	assert_int_equal(ish_vsmmu_unset_device(v.vs, v.fx.dev_b), 0);
	assert_int_equal(v.vs->viommu, 0);
	assert_int_equal(v.vs->abort_hwpt, 0);
	assert_int_equal(v.vs->bypass_hwpt, 0);
	assert_int_equal(v.vs->veventq, 0);
	assert_int_equal(fx_registry_count(v.fx.ctx), objs_before);
	fx_assert_consistent(&v.fx);
	/* never set: harmless */
	assert_int_equal(ish_vsmmu_unset_device(v.vs, v.fx.dev_c), 0);
	/* and it can start again */
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x10), 0);
	fx_close_clean(&v.fx);
}

static void gbpa_toggle_moves_all_but_translate(void **state)
{
	struct vfx v;
	uint64_t s1[2] = { STE_S1(0x100000), 0 };
	uint32_t tr;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x10), 0);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1), 0);
	tr = fx_pt(&v.fx, v.fx.dev_a);
	assert_int_equal(ish_vsmmu_set_gbpa(v.vs, true), 0);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_b), v.vs->abort_hwpt);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_a), tr);
	assert_int_equal(ish_vsmmu_set_gbpa(v.vs, false), 0);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_b), v.vs->bypass_hwpt);
	fx_close_clean(&v.fx);
}

static void ste_swaps(void **state)
{
	struct vfx v;
	uint64_t ab[2] = { STE_ABORT_V, 0 }, by[2] = { STE_BYPASS, 0 };
	uint64_t s1[2] = { STE_S1(0x100000), 0 }, s1b[2] = { STE_S1(0x200000), 0 };
	uint64_t inval[2] = { 0, 0 };
	uint32_t tr1, n;
	unsigned long before;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	/* first install: vDEVICE (vSID 8) + attach of the abort proxy */
	before = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, ab), 0);
	assert_int_equal(ioctls_of(v.fx.ctx, before), 2);
	n = ish_obj_find(v.fx.ctx, v.fx.dev_a)->u.device.vdevice;
	assert_int_not_equal(n, 0);
	assert_int_equal(ish_obj_find(v.fx.ctx, n)->u.vdevice.virt_id, 0x8);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_ABORT);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, by), 0);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_BYPASS);
	/* S1 translate: nested HWPT + attach */
	before = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1), 0);
	assert_int_equal(ioctls_of(v.fx.ctx, before), 2);
	tr1 = fx_pt(&v.fx, v.fx.dev_a);
	assert_int_equal(ish_obj_find(v.fx.ctx, tr1)->type, ISH_OBJ_HWPT_NESTED);
	assert_memory_equal(ish_obj_find(v.fx.ctx, tr1)->u.nested.ste, s1, 16);
	/* a new translate STE: alloc, attach, then free the previous one */
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1b), 0);
	assert_int_not_equal(fx_pt(&v.fx, v.fx.dev_a), tr1);
	assert_null(ish_obj_find(v.fx.ctx, tr1));
	/* back to abort: the translate HWPT is freed */
	tr1 = fx_pt(&v.fx, v.fx.dev_a);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, ab), 0);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_ABORT);
	assert_null(ish_obj_find(v.fx.ctx, tr1));
	/* V=0 is abort too */
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, inval), 0);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_ABORT);
	fx_assert_consistent(&v.fx);
	fx_close_clean(&v.fx);
}

static void rejected_ste_leaves_device_where_it_was(void **state)
{
	struct vfx v;
	uint64_t s1[2] = { STE_S1(0x100000), 0 };
	uint64_t s2cfg[2] = { ISH_STE_V | (ISH_STE_CFG_S2_TRANS << 1), 0 };
	uint64_t eats2[2] = { STE_S1(0x100000), 2ULL << 28 };
	uint32_t tr;
	unsigned int objs;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1), 0);
	tr = fx_pt(&v.fx, v.fx.dev_a);
	objs = fx_registry_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s2cfg), -EIO);
	assert_non_null(strstr(ish_errmsg(v.fx.ctx), "Config"));
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_a), tr);
	/* the kernel refuses EATS=2 with EIO: nothing moves, nothing leaks */
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, eats2), -EIO);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_a), tr);
	assert_int_equal(fx_registry_count(v.fx.ctx), objs);
	assert_memory_equal(ish_vsmmu_dev_find(v.vs, v.fx.dev_a)->ste, s1, 16);
	fx_assert_consistent(&v.fx);
	fx_close_clean(&v.fx);
}

static void disabled_smmu_uses_gbpa_then_enable(void **state)
{
	struct fx fx;
	struct ish_vsmmu *vs;
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .enabled = false };
	uint64_t s1[2] = { STE_S1(0x100000), 0 };
	uint32_t s2;

	fx_open(&fx);
	assert_int_equal(ish_s2_attach(fx.ctx, fx.dev_a, fx.ioas, &s2), 0);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	assert_int_equal(ish_vsmmu_set_device(vs, fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_install_ste(vs, fx.dev_a, s1), 0);
	assert_int_equal(ish_vsmmu_role(vs, fx.dev_a), ISH_ROLE_BYPASS);
	assert_int_equal(ish_vsmmu_set_enabled(vs, true), 0);
	assert_int_equal(ish_vsmmu_role(vs, fx.dev_a), ISH_ROLE_TRANSLATE);
	assert_int_equal(ish_vsmmu_set_enabled(vs, false), 0);
	assert_int_equal(ish_vsmmu_role(vs, fx.dev_a), ISH_ROLE_BYPASS);
	fx_assert_consistent(&fx);
	fx_close_clean(&fx);
}

static void range_install(void **state)
{
	struct vfx v;
	uint64_t ab[2] = { STE_ABORT_V, 0 };
	int err;
	uint32_t bad;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x10), 0);
	assert_int_equal(ish_vsmmu_install_range(v.vs, 0, 0x9, ab, &err, &bad), 1);
	assert_int_equal(err, 0);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_a), ISH_ROLE_ABORT);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_b), ISH_ROLE_BYPASS);
	assert_int_equal(ish_vsmmu_install_range(v.vs, 0, UINT32_MAX, ab, &err, &bad), 2);
	assert_int_equal(ish_vsmmu_role(v.vs, v.fx.dev_b), ISH_ROLE_ABORT);
	fx_close_clean(&v.fx);
}

static void invalidate_batch_one_call_partial(void **state)
{
	struct vfx v;
	uint64_t ab[2] = { STE_ABORT_V, 0 };
	/* TLBI_NH_ALL, CFGI_CD_ALL vSID 8, CFGI_CD_ALL vSID 0x99 (unknown) */
	uint64_t cmds[3][2] = {
		{ ISH_CMD_TLBI_NH_ALL, 0 },
		{ ISH_CMD_CFGI_CD_ALL | (0x8ULL << 32), 0 },
		{ ISH_CMD_CFGI_CD_ALL | (0x99ULL << 32), 0 },
	};
	unsigned long before;
	uint32_t done;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_invalidate(v.vs, cmds, 1, &done), -ENODEV);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, ab), 0);
	before = ish_ioctl_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_invalidate(v.vs, cmds, 2, &done), 0);
	assert_int_equal(done, 2);
	ish_clear_err(v.fx.ctx);	/* the -ENODEV above was reported; a new operation */
	assert_int_equal(ish_vsmmu_invalidate(v.vs, cmds, 3, &done), -EIO);
	assert_int_equal(done, 2);
	assert_int_equal(ioctls_of(v.fx.ctx, before), 2);
	assert_non_null(strstr(ish_errmsg(v.fx.ctx), "command 3"));
	fx_close_clean(&v.fx);
}

static void events_carry_vsid(void **state)
{
	struct vfx v;
	uint64_t s1[2] = { STE_S1(0x100000), 0 };
	/* C_BAD_CD raised by the physical SMMU with the physical SID of 00:01.0 (RID 0x8) */
	uint64_t evt[4] = { ISH_EVT_C_BAD_CD | (0x8ULL << 32), 0, 0, 0 };
	struct ish_vevent ev[4];

	vfx_open(&v, true);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x42), 0);
	assert_int_equal(ish_vsmmu_read_events(v.vs, ev, 4, 0), 0);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1), 0);
	assert_int_equal(ish_sim_inject_event(v.fx.be, BDF_A, evt), 1);
	assert_int_equal(ish_vsmmu_read_events(v.vs, ev, 4, 0), 1);
	assert_false(ev[0].lost);
	assert_int_equal(ev[0].evt[0] & 0xff, ISH_EVT_C_BAD_CD);
	assert_int_equal(ev[0].evt[0] >> 32, 0x42);
	fx_close_clean(&v.fx);
}

static void compat_mismatch_names_field(void **state)
{
	struct fx fx;
	struct ish_vsmmu *vs;
	struct ish_vsmmu_cfg cfg = { .enabled = true };
	const struct ish_idr_field *f = ish_idr_find("SIDSIZE");
	uint32_t s2;
	unsigned long before;

	fx_open(&fx);
	assert_non_null(f);
	/* QEMU's host: SIDSIZE 16; advertise 20 */
	cfg.idr[0] = 0x0d44101b;
	cfg.idr[1] = 0x02730010;
	cfg.idr[3] = 0x1414;
	cfg.idr[5] = 0x74;
	cfg.idr[1] = (cfg.idr[1] & ~0x3fu) | 20;
	assert_int_equal(ish_s2_attach(fx.ctx, fx.dev_a, fx.ioas, &s2), 0);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	before = ish_ioctl_count(fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(vs, fx.dev_a, 0x8), -EINVAL);
	assert_int_equal(ioctls_of(fx.ctx, before), 0);	/* hw info was cached by s2 attach */
	assert_non_null(strstr(ish_errmsg(fx.ctx), "SIDSIZE host 16"));
	assert_non_null(strstr(ish_errmsg(fx.ctx), "vSMMU 20"));
	assert_int_equal(vs->viommu, 0);
	fx_close_clean(&fx);
}

static void plug_other_smmu_changes_nothing(void **state)
{
	struct vfx v;
	unsigned long n;
	unsigned int objs;

	vfx_open(&v, false);
	assert_int_equal(ish_vsmmu_plug(v.vs, v.fx.dev_a, 0x8), 0);
	n = ish_ioctl_count(v.fx.ctx);
	objs = fx_registry_count(v.fx.ctx);
	/* C is on no page table yet: refused before it gets a nest parent of its own */
	assert_int_equal(ish_vsmmu_plug(v.vs, v.fx.dev_c, 0x20), -EXDEV);
	assert_int_equal(ioctls_of(v.fx.ctx, n), 0);
	assert_int_equal(fx_registry_count(v.fx.ctx), objs);
	assert_int_equal(fx_pt(&v.fx, v.fx.dev_c), 0);
	fx_close_clean(&v.fx);
}

static void plug_failure_puts_device_back(void **state)
{
	struct fx fx;
	struct ish_vsmmu *vs;
	struct ish_vsmmu_cfg cfg = { .enabled = true };
	unsigned int objs;

	fx_open(&fx);
	/* a vSMMU advertising 2^20 StreamIDs: the host's 16 bits refuse it at set time */
	cfg.idr[0] = 0x0d44101b;
	cfg.idr[1] = (0x02730010 & ~0x3fu) | 20;
	cfg.idr[3] = 0x1414;
	cfg.idr[5] = 0x74;
	assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, fx.ioas, NULL), 0);
	objs = fx_registry_count(fx.ctx);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "vs0", fx.ioas, &cfg, &vs), 0);
	assert_int_equal(ish_vsmmu_plug(vs, fx.dev_a, 0x8), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "SIDSIZE"));
	/* back on its auto HWPT (the kernel made a new one: same IOAS), the parent is gone */
	assert_int_equal(ish_obj_find(fx.ctx, fx_pt(&fx, fx.dev_a))->parent, fx.ioas);
	assert_true(ish_obj_find(fx.ctx, fx_pt(&fx, fx.dev_a))->flags & ISH_HWPT_AUTO);
	assert_int_equal(fx_registry_count(fx.ctx), objs);
	fx_assert_consistent(&fx);
	fx_close_clean(&fx);
}

/* "auto" with overrides: the host's IDRs, but the fields the user forces */
static void auto_features_with_overrides(void **state)
{
	struct fx fx;
	struct ish_vsmmu *vs, *vs2;
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	const struct ish_idr_field *ril = ish_idr_find("RIL"), *sidsize = ish_idr_find("SIDSIZE");
	uint32_t s2;

	fx_open(&fx);
	assert_non_null(ril);
	assert_non_null(sidsize);
	assert_int_equal(ish_s2_attach(fx.ctx, fx.dev_a, fx.ioas, &s2), 0);
	/* RIL forced to 0: less than the host has is fine */
	cfg.idr_mask[ril->reg] = 1u << ril->lo;
	assert_int_equal(ish_vsmmu_create(fx.ctx, "less", fx.ioas, &cfg, &vs), 0);
	assert_int_equal(ish_vsmmu_set_device(vs, fx.dev_a, 0x8), 0);
	assert_int_equal(ish_idr_get(ril, vs->idr), 0);
	assert_int_equal(ish_idr_get(sidsize, vs->idr), 16);	/* the rest is the host's */
	assert_int_equal(vs->idr[0], ish_obj_find(fx.ctx, fx.dev_a)->u.device.hw.smmu.idr[0]);
	/* SIDSIZE forced to 20: more than the host has, refused at set time */
	memset(&cfg, 0, sizeof(cfg));
	cfg.auto_features = true;
	cfg.idr_mask[sidsize->reg] = 0x3fu << sidsize->lo;
	cfg.idr[sidsize->reg] = 20u << sidsize->lo;
	assert_int_equal(ish_s2_attach(fx.ctx, fx.dev_b, fx.ioas, &s2), 0);
	assert_int_equal(ish_vsmmu_create(fx.ctx, "more", fx.ioas, &cfg, &vs2), 0);
	assert_int_equal(ish_vsmmu_set_device(vs2, fx.dev_b, 0x10), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "SIDSIZE host 16"));
	assert_int_equal(vs2->viommu, 0);
	fx_close_clean(&fx);
}

static void destroy_vsmmu_unwinds_everything(void **state)
{
	struct vfx v;
	unsigned int objs_before;
	uint64_t s1[2] = { STE_S1(0x100000), 0 };

	vfx_open(&v, true);
	objs_before = fx_registry_count(v.fx.ctx);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vsmmu_set_device(v.vs, v.fx.dev_b, 0x10), 0);
	assert_int_equal(ish_vsmmu_install_ste(v.vs, v.fx.dev_a, s1), 0);
	assert_int_equal(ish_vsmmu_destroy(v.vs), 0);
	assert_null(ish_vsmmu_first(v.fx.ctx));
	assert_int_equal(fx_registry_count(v.fx.ctx), objs_before);
	fx_assert_consistent(&v.fx);
	fx_close_clean(&v.fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(s2_parent_shared_per_smmu),
		cmocka_unit_test(first_set_is_four_ioctls),
		cmocka_unit_test(first_set_with_events_is_five),
		cmocka_unit_test(later_device_one_ioctl_current_proxy),
		cmocka_unit_test(other_smmu_refused_nothing_changed),
		cmocka_unit_test(set_twice_noop_other_vsid_error),
		cmocka_unit_test(needs_s2_parent),
		cmocka_unit_test(unset_frees_in_order_and_last_frees_all),
		cmocka_unit_test(gbpa_toggle_moves_all_but_translate),
		cmocka_unit_test(ste_swaps),
		cmocka_unit_test(rejected_ste_leaves_device_where_it_was),
		cmocka_unit_test(disabled_smmu_uses_gbpa_then_enable),
		cmocka_unit_test(range_install),
		cmocka_unit_test(invalidate_batch_one_call_partial),
		cmocka_unit_test(events_carry_vsid),
		cmocka_unit_test(compat_mismatch_names_field),
		cmocka_unit_test(auto_features_with_overrides),
		cmocka_unit_test(plug_other_smmu_changes_nothing),
		cmocka_unit_test(plug_failure_puts_device_back),
		cmocka_unit_test(destroy_vsmmu_unwinds_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
