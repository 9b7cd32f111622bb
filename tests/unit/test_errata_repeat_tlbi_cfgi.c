// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The 7.3 SMMUv3 hw info flag IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI (erratum
 * T264-SMMU-3): GET_HW_INFO reports it, and the vSMMU model then repeats every batch's TLBI and
 * CFGI commands in a second IOMMU_HWPT_INVALIDATE (each call ends in the kernel's CMD_SYNC).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fixture.h"
#include "iommush/smmu.h"

#define BDF_E "0000:00:07.0"
#define VSID 0x8
#define IDR0_ATS (1u << 10)

struct efx {
	struct fx fx;
	struct ish_vsmmu *vs;
	uint32_t dev;
	uint32_t entries[4];	/* entry_num of each IOMMU_HWPT_INVALIDATE seen */
	int ncalls;
};

static void note_inv(void *arg, const struct ish_call *c, long rc)
{
	struct efx *e = arg;

	(void)rc;
	if (!strcmp(c->op, "ioctl") && c->request == IOMMU_HWPT_INVALIDATE && e->ncalls < 4)
		e->entries[e->ncalls++] = ((const struct iommu_hwpt_invalidate *)c->in)->entry_num;
}

/* a device behind an SMMU with (or without) the erratum, set on a vSMMU with a vDEVICE */
static void efx_open(struct efx *e, bool errata)
{
	struct ish_vsmmu_cfg vcfg = { .auto_features = true, .enabled = true };
	struct ish_sim_dev_cfg dev = { .bdf = BDF_E, .vendor = 0x1b36, .device = 5, .class = 0xff00,
				       .name = "test", .sid = 0x38, .vfio = true };
	struct ish_sim_smmu_cfg cfg;
	const uint64_t bypass[2] = { ISH_STE_V | (ISH_STE_CFG_BYPASS << 1), 0 };
	int smmu;

	memset(e, 0, sizeof(*e));
	fx_open(&e->fx);
	ish_sim_smmu_default(&cfg);
	cfg.idr[0] |= IDR0_ATS;
	if (errata)
		cfg.hw_info_flags = IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI;
	smmu = ish_sim_add_smmu(e->fx.be, &cfg);
	assert_true(smmu >= 0);
	dev.smmu = (unsigned int)smmu;
	assert_int_equal(ish_sim_add_device(e->fx.be, &dev), 0);
	assert_int_equal(ish_device_bind(e->fx.ctx, BDF_E, &e->dev), 0);
	assert_int_equal(ish_vsmmu_create(e->fx.ctx, "vs0", e->fx.ioas, &vcfg, &e->vs), 0);
	assert_int_equal(ish_vsmmu_plug(e->vs, e->dev, VSID), 0);
	assert_int_equal(ish_vsmmu_install_ste(e->vs, e->dev, bypass), 0);	/* the vDEVICE */
	ish_set_trace(e->fx.ctx, note_inv, e);
}

static void efx_close(struct efx *e)
{
	ish_set_trace(e->fx.ctx, NULL, NULL);
	fx_assert_consistent(&e->fx);
	fx_close_clean(&e->fx);
}

static void flag_is_reported_and_taken_by_the_vsmmu(void **state)
{
	struct ish_hw_info hw;
	struct efx e;

	(void)state;
	efx_open(&e, true);
	assert_int_equal(ish_get_hw_info(e.fx.ctx, e.dev, &hw), 0);
	assert_int_equal(hw.smmu.flags, IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI);
	assert_true(ish_vsmmu_repeats_invalidations(e.vs));
	assert_int_equal(ish_get_hw_info(e.fx.ctx, e.fx.dev_a, &hw), 0);
	assert_int_equal(hw.smmu.flags, 0);
	efx_close(&e);
}

static void tlbi_and_cfgi_batches_are_issued_twice(void **state)
{
	const uint64_t cmds[3][2] = {
		{ ISH_CMD_TLBI_NH_ALL, 0 },
		{ ISH_CMD_CFGI_CD_ALL | (uint64_t)VSID << 32, 0 },
		{ ISH_CMD_TLBI_NH_ASID | 3ULL << 48, 0 },
	};
	uint32_t done;
	struct efx e;

	(void)state;
	efx_open(&e, true);
	assert_int_equal(ish_vsmmu_invalidate(e.vs, cmds, 3, &done), 0);
	assert_int_equal(done, 3);
	assert_int_equal(e.ncalls, 2);
	assert_int_equal(e.entries[0], 3);
	assert_int_equal(e.entries[1], 3);
	efx_close(&e);
}

static void a_host_without_the_erratum_is_one_call(void **state)
{
	const uint64_t cmds[1][2] = { { ISH_CMD_TLBI_NH_ALL, 0 } };
	uint32_t done;
	struct efx e;

	(void)state;
	efx_open(&e, false);
	assert_false(ish_vsmmu_repeats_invalidations(e.vs));
	assert_int_equal(ish_vsmmu_invalidate(e.vs, cmds, 1, &done), 0);
	assert_int_equal(e.ncalls, 1);
	efx_close(&e);
}

static void atc_inv_is_not_repeated(void **state)
{
	const uint64_t cmds[3][2] = {
		{ ISH_CMD_CFGI_CD | (uint64_t)VSID << 32, 0 },
		{ ISH_CMD_ATC_INV | (uint64_t)VSID << 32, 52 },
		{ ISH_CMD_TLBI_NH_ALL, 0 },
	};
	const uint64_t atc_only[1][2] = { { ISH_CMD_ATC_INV | (uint64_t)VSID << 32, 52 } };
	uint32_t done;
	struct efx e;

	(void)state;
	efx_open(&e, true);
	assert_int_equal(ish_vsmmu_invalidate(e.vs, cmds, 3, &done), 0);
	assert_int_equal(e.ncalls, 2);
	assert_int_equal(e.entries[0], 3);
	assert_int_equal(e.entries[1], 2);	/* CFGI_CD, TLBI_NH_ALL */
	/* a batch of ATC_INV alone: nothing to repeat */
	e.ncalls = 0;
	assert_int_equal(ish_vsmmu_invalidate(e.vs, atc_only, 1, &done), 0);
	assert_int_equal(e.ncalls, 1);
	efx_close(&e);
}

static void a_refused_batch_is_not_repeated(void **state)
{
	const uint64_t cmds[2][2] = {
		{ ISH_CMD_TLBI_NH_ALL, 0 },
		{ ISH_CMD_CFGI_CD | 0x77ULL << 32, 0 },		/* no vDEVICE has vSID 0x77 */
	};
	uint32_t done;
	struct efx e;

	(void)state;
	efx_open(&e, true);
	ish_clear_err(e.fx.ctx);
	assert_int_equal(ish_vsmmu_invalidate(e.vs, cmds, 2, &done), -EIO);
	assert_int_equal(done, 1);
	assert_int_equal(e.ncalls, 1);
	assert_non_null(strstr(ish_errmsg(e.fx.ctx), "0x77"));
	efx_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flag_is_reported_and_taken_by_the_vsmmu),
		cmocka_unit_test(tlbi_and_cfgi_batches_are_issued_twice),
		cmocka_unit_test(a_host_without_the_erratum_is_one_call),
		cmocka_unit_test(atc_inv_is_not_repeated),
		cmocka_unit_test(a_refused_batch_is_not_repeated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
