// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dirty tracking (6.7), PASID attachments (6.15) and GET_HW_INFO with an input type (6.17) on
 * the simulated kernel, through the core: the kernel's errnos, the registry, teardown order,
 * and the --trace decoders of the calls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/vfio.h>
#include "fixture.h"

#define BDF_D "0000:00:05.0"	/* edu behind the extra SMMU */

/* an extra SMMU (index 2) with @httu / @ssid bits, one edu device on it with @pasid bits */
static uint32_t add_host(struct fx *fx, bool httu, unsigned int ssid, unsigned int pasid)
{
	struct ish_sim_smmu_cfg cfg;
	struct ish_sim_dev_cfg dev = { .bdf = BDF_D, .vendor = 0x1234, .device = 0x11e8,
				       .class = 0xff00, .name = "edu", .sid = 0x28, .vfio = true,
				       .edu = true };
	uint32_t id;
	int smmu;

	ish_sim_smmu_default(&cfg);
	if (httu)
		cfg.idr[0] |= 2u << 6;
	cfg.idr[1] |= ssid << 6;
	smmu = ish_sim_add_smmu(fx->be, &cfg);
	assert_true(smmu >= 0);
	dev.smmu = (unsigned int)smmu;
	dev.pasid_bits = (uint8_t)pasid;
	assert_int_equal(ish_sim_add_device(fx->be, &dev), 0);
	assert_int_equal(ish_device_bind(fx->ctx, BDF_D, &id), 0);
	return id;
}

/* edu: copy @len bytes of its buffer to IOVA @dst (bus mastering on) */
static void edu_write(struct fx *fx, uint32_t dev, uint64_t dst, uint64_t len)
{
	assert_int_equal(ish_mmio_write(fx->ctx, dev, VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, 6), 0);
	assert_int_equal(ish_mmio_write(fx->ctx, dev, 0, 0x80, 8, 0x40000), 0);
	assert_int_equal(ish_mmio_write(fx->ctx, dev, 0, 0x88, 8, dst), 0);
	assert_int_equal(ish_mmio_write(fx->ctx, dev, 0, 0x90, 8, len), 0);
	assert_int_equal(ish_mmio_write(fx->ctx, dev, 0, 0x98, 8, 3), 0);
}

static void dirty_pages_of_dma_writes(void **state)
{
	struct fx fx;
	uint64_t bm[1] = { 0 }, iova;
	uint32_t dev, h;

	(void)state;
	fx_open(&fx);	/* 2 MiB at IOVA 0 */
	dev = add_host(&fx, true, 0, 0);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), 0);
	assert_int_equal(ish_device_attach(fx.ctx, dev, h, NULL), 0);
	assert_int_equal(ish_hwpt_set_dirty_tracking(fx.ctx, h, true), 0);
	edu_write(&fx, dev, 0x3000, 4);
	edu_write(&fx, dev, 0x7ffc, 8);		/* straddles pages 7 and 8 */
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x1000,
						   IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, bm), 0);
	assert_int_equal(bm[0], (1ULL << 3) | (1ULL << 7) | (1ULL << 8));
	/* a 16K bit covers four pages */
	bm[0] = 0;
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x4000, 0, bm), 0);
	assert_int_equal(bm[0], 0x7);	/* pages 3 | 7 | 8 */
	/* read with clear: nothing left */
	bm[0] = 0;
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x1000, 0, bm), 0);
	assert_int_equal(bm[0], 0);
	/* turning it on again clears what was written meanwhile */
	edu_write(&fx, dev, 0x1000, 4);
	assert_int_equal(ish_hwpt_set_dirty_tracking(fx.ctx, h, true), 0);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x1000, 0, bm), 0);
	assert_int_equal(bm[0], 0);
	/* a bitmap the kernel cannot write: still 0 (iommu_read_and_clear_dirty drops it) */
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x1000, 0,
						   (uint64_t *)8), 0);
	/* an unmap of all 2 MiB (more pages than the dirty set holds) takes the dirty state */
	edu_write(&fx, dev, 0x5000, 4);
	assert_int_equal(ish_ioas_unmap(fx.ctx, fx.ioas, 0, UINT64_MAX, NULL), 0);
	iova = 0;
	assert_int_equal(ish_ioas_map(fx.ctx, fx.ioas, ish_mem_va(ish_mem_find(fx.ctx, fx.mem)),
				      2 << 20, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
				      IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE), 0);
	bm[0] = 0;
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x1000, 0, bm), 0);
	assert_int_equal(bm[0], 0);
	edu_write(&fx, dev, 0x5000, 4);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x40000, 0x1000, 0, bm), 0);
	assert_int_equal(bm[0], 1ULL << 5);
	fx_close_clean(&fx);
}

static void dirty_errnos_in_the_kernels_order(void **state)
{
	struct fx fx;
	uint64_t bm[4] = { 0 };
	uint32_t plain, h, dev;

	(void)state;
	fx_open(&fx);
	/* QEMU's SMMU: HTTU 0 */
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), -EOPNOTSUPP);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "HTTU"));
	assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas, 0, IOMMU_HWPT_DATA_NONE, NULL, 0,
					&plain), 0);
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_hwpt_set_dirty_tracking(fx.ctx, plain, true), -EOPNOTSUPP);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "without dirty-tracking"));
	assert_int_equal(ish_hwpt_set_dirty_tracking(fx.ctx, 99, true), -ENOENT);
	assert_int_equal(ish_hwpt_set_dirty_tracking(fx.ctx, fx.ioas, true), -ENOENT);
	/* the range is checked before the dirty ops: EINVAL even on a plain HWPT */
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, plain, 0, 0, 0x1000, 0, bm), -EINVAL);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, plain, 0, 0x1000, 0x1000, 0, bm),
			 -EOPNOTSUPP);
	dev = add_host(&fx, true, 0, 0);
	/* S1 only: the SMMUv3 nest parent (S2) takes no other flag */
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
					IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE, NULL, 0,
					&h), -EOPNOTSUPP);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), 0);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0x800, 0x1000, 0x1000, 0, bm), -EINVAL);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x1000, 0, 0, bm), -EINVAL);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0x1000, 0x2000, 0x2000, 0, bm),
			 -EINVAL);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, ~0xfffULL, 0x2000, 0x1000, 0, bm),
			 -EOVERFLOW);
	assert_int_equal(ish_hwpt_get_dirty_bitmap(fx.ctx, h, 0, 0x1000, 0x1000, 2, bm),
			 -EOPNOTSUPP);
	fx_close_clean(&fx);
}

static void hw_info_reports_pasids_and_input_types(void **state)
{
	struct ish_hw_info hw;
	struct fx fx;
	uint32_t dev;

	(void)state;
	fx_open(&fx);
	dev = add_host(&fx, false, 8, 5);
	assert_int_equal(ish_get_hw_info(fx.ctx, dev, &hw), 0);
	assert_int_equal(hw.max_pasid_log2, 5);		/* min(SSIDSIZE 8, PCI 5) */
	assert_int_equal(ish_get_hw_info(fx.ctx, fx.dev_a, &hw), 0);
	assert_int_equal(hw.max_pasid_log2, 0);
	assert_int_equal(ish_get_hw_info_type(fx.ctx, dev, IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &hw), 0);
	assert_int_equal(hw.type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(ish_get_hw_info_type(fx.ctx, dev, IOMMU_HW_INFO_TYPE_DEFAULT, &hw), 0);
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_get_hw_info_type(fx.ctx, dev, IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, &hw),
			 -EOPNOTSUPP);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "CMDQV"));
	assert_int_equal(ish_get_hw_info_type(fx.ctx, dev, IOMMU_HW_INFO_TYPE_INTEL_VTD, &hw),
			 -EOPNOTSUPP);
	fx_close_clean(&fx);
}

static void pasid_attachments_in_the_registry(void **state)
{
	uint32_t pasids[4], pts[4], dev, h, h2, plain, got;
	struct fx fx;

	(void)state;
	fx_open(&fx);
	dev = add_host(&fx, false, 8, 5);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_PASID,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), 0);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, 0, IOMMU_HWPT_DATA_NONE, NULL, 0,
					&plain), 0);
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 1, plain, &got), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "pasid flag"));
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 32, h, &got), -EINVAL);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 1, h, &got), 0);
	assert_int_equal(got, h);
	/* never to an IOAS: the kernel's automatic HWPT is not PASID-compatible */
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 2, fx.ioas, &got), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "IOAS"));
	fx_assert_consistent(&fx);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_PASID,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h2), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 2, h2, &got), 0);
	assert_int_equal(ish_obj_device_pasid_pt(ish_obj_find(fx.ctx, dev), 2), h2);
	assert_int_equal(ish_obj_device_pasids(ish_obj_find(fx.ctx, dev), pasids, pts, 4), 2);
	assert_int_equal(pasids[0], 2);	/* newest first */
	assert_int_equal(pasids[1], 1);
	/* replacing PASID 2 moves the use: h2 can go */
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 2, h, NULL), 0);
	assert_int_equal(ish_destroy(fx.ctx, h2), 0);
	fx_assert_consistent(&fx);
	/* the RID's HWPT must be PASID-compatible now */
	assert_int_equal(ish_device_attach(fx.ctx, dev, plain, NULL), -EINVAL);
	assert_int_equal(ish_destroy(fx.ctx, h), -EBUSY);
	assert_int_equal(ish_device_detach_pasid(fx.ctx, dev, 9), 0);	/* quiet */
	assert_int_equal(ish_device_detach_pasid(fx.ctx, dev, 1), 0);
	assert_int_equal(ish_obj_device_pasid_pt(ish_obj_find(fx.ctx, dev), 1), 0);
	/*
	 * QEMU's SMMU (SSIDSIZE 0, max_pasid_log2 0): 7.3 skips the range check and attaches,
	 * as the live kernel does; with the RID on a nest parent it refuses, explained
	 */
	assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas, IOMMU_HWPT_ALLOC_PASID,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &plain), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, fx.dev_a, 1, plain, NULL), 0);
	assert_int_equal(ish_device_detach_pasid(fx.ctx, fx.dev_a, 1), 0);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h2), 0);
	assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, h2, NULL), 0);
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, fx.dev_a, 1, plain, NULL), -EINVAL);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "RID"));
	/* PASID 0 is the RID: EBUSY over an attached one */
	assert_int_equal(ish_device_attach_pasid(fx.ctx, fx.dev_a, 0, plain, NULL), -EBUSY);
	assert_int_equal(ish_device_detach(fx.ctx, fx.dev_a), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, fx.dev_a, 0, plain, &got), 0);
	assert_int_equal(fx_pt(&fx, fx.dev_a), plain);
	/* vfio does not own that RID: a plain attach is EBUSY, a plain detach does nothing */
	assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, h2, NULL), -EBUSY);
	assert_int_equal(ish_device_detach(fx.ctx, fx.dev_a), 0);
	assert_int_equal(fx_pt(&fx, fx.dev_a), plain);
	fx_assert_consistent(&fx);
	assert_int_equal(ish_device_detach_pasid(fx.ctx, fx.dev_a, 0), 0);
	assert_int_equal(fx_pt(&fx, fx.dev_a), 0);
	fx_assert_consistent(&fx);
	fx_close_clean(&fx);
}

struct order {
	char seen[8][64];
	int n;
};

static void note_call(void *arg, const struct ish_call *c, long rc)
{
	struct order *o = arg;
	char buf[256];

	(void)rc;
	if (strcmp(c->op, "ioctl") || c->request != VFIO_DEVICE_DETACH_IOMMUFD_PT || o->n >= 8)
		return;
	ish_call_format(c, 0, buf, sizeof(buf));
	snprintf(o->seen[o->n++], sizeof(o->seen[0]), "%s", strchr(buf, ':') + 2);
}

static void teardown_detaches_pasids_newest_first_then_the_rid(void **state)
{
	struct order o = { .n = 0 };
	uint32_t dev, h;
	struct fx fx;

	(void)state;
	fx_open(&fx);
	dev = add_host(&fx, false, 8, 5);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_PASID,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), 0);
	assert_int_equal(ish_device_attach(fx.ctx, dev, h, NULL), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 3, h, NULL), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 4, h, NULL), 0);
	ish_set_trace(fx.ctx, note_call, &o);
	assert_int_equal(ish_ctx_reset(fx.ctx), 0);
	assert_true(o.n >= 3);
	assert_string_equal(o.seen[0], "flags=PASID pasid=4) = 0");
	assert_string_equal(o.seen[1], "flags=PASID pasid=3) = 0");
	assert_string_equal(o.seen[2], "flags=0x0) = 0");
	fx_close_clean(&fx);
}

static void teardown_detaches_a_rid_attached_as_pasid_0(void **state)
{
	struct fx fx;
	uint32_t h;

	(void)state;
	fx_open(&fx);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas, IOMMU_HWPT_ALLOC_PASID,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, fx.dev_a, 0, h, NULL), 0);
	assert_int_equal(ish_ctx_reset(fx.ctx), 0);
	fx_close_clean(&fx);
}

static void unbind_drops_the_pasids(void **state)
{
	uint32_t dev, h;
	struct fx fx;

	(void)state;
	fx_open(&fx);
	dev = add_host(&fx, false, 8, 5);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, dev, fx.ioas, IOMMU_HWPT_ALLOC_PASID,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &h), 0);
	assert_int_equal(ish_device_attach_pasid(fx.ctx, dev, 1, h, NULL), 0);
	assert_int_equal(ish_destroy(fx.ctx, h), -EBUSY);
	assert_int_equal(ish_device_unbind(fx.ctx, dev), 0);
	/* the kernel detached the PASID with the cdev: the HWPT is free in both */
	fx_assert_consistent(&fx);
	assert_int_equal(ish_destroy(fx.ctx, h), 0);
	fx_close_clean(&fx);
}

static void fmt(unsigned long rq, const void *in, const void *out, long rc, char *buf, size_t len)
{
	struct ish_call c = { .fd = 3, .request = rq, .op = "ioctl", .arg = out, .in = in };

	ish_call_format(&c, rc, buf, len);
}

static void decoders(void **state)
{
	struct iommu_hwpt_set_dirty_tracking sd = { .size = sizeof(sd), .hwpt_id = 4,
						    .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE };
	struct iommu_hwpt_get_dirty_bitmap gd = { .size = sizeof(gd), .hwpt_id = 4, .iova = 0x1000,
						  .length = 0x4000, .page_size = 0x1000,
						  .flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR };
	struct iommu_hw_info hi = { .size = sizeof(hi), .dev_id = 1, .data_len = 40,
				    .flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE, .in_data_type = 3 };
	struct iommu_hw_info ho = hi;
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = 5, .pasid = 7,
						    .flags = VFIO_DEVICE_ATTACH_PASID };
	struct vfio_device_detach_iommufd_pt de = { .argsz = sizeof(de), .pasid = 7,
						    .flags = VFIO_DEVICE_DETACH_PASID };
	char buf[256];

	(void)state;
	fmt(IOMMU_HWPT_SET_DIRTY_TRACKING, &sd, &sd, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_HWPT_SET_DIRTY_TRACKING(fd 3: hwpt_id=4 flags=ENABLE) = 0");
	fmt(IOMMU_HWPT_GET_DIRTY_BITMAP, &gd, &gd, -EINVAL, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_HWPT_GET_DIRTY_BITMAP(fd 3: hwpt_id=4 flags=NO_CLEAR "
			    "iova=0x1000 length=0x4000 page_size=0x1000) = -EINVAL");
	ho.out_data_type = 2;
	ho.out_max_pasid_log2 = 5;
	fmt(IOMMU_GET_HW_INFO, &hi, &ho, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_GET_HW_INFO(fd 3: dev_id=1 data_len=40 flags=INPUT_TYPE "
			    "in_data_type=3 -> data_len=40 out_data_type=2 out_capabilities=0x0 "
			    "out_max_pasid_log2=5) = 0");
	fmt(VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at, &at, 0, buf, sizeof(buf));
	assert_string_equal(buf, "VFIO_DEVICE_ATTACH_IOMMUFD_PT(fd 3: flags=PASID pt_id=5 pasid=7 "
			    "-> pt_id=5) = 0");
	fmt(VFIO_DEVICE_DETACH_IOMMUFD_PT, &de, &de, 0, buf, sizeof(buf));
	assert_string_equal(buf, "VFIO_DEVICE_DETACH_IOMMUFD_PT(fd 3: flags=PASID pasid=7) = 0");
}

static void tegra_viommu_refused_and_explained(void **state)
{
	struct fx fx;
	uint32_t s2, vi, q;

	(void)state;
	fx_open(&fx);
	assert_int_equal(ish_hwpt_alloc(fx.ctx, fx.dev_a, fx.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &s2), 0);
	assert_int_equal(ish_device_attach(fx.ctx, fx.dev_a, s2, NULL), 0);
	ish_clear_err(fx.ctx);
	assert_int_equal(ish_viommu_alloc(fx.ctx, fx.dev_a, s2, IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
					  &vi), -EOPNOTSUPP);
	assert_non_null(strstr(ish_errmsg(fx.ctx), "Tegra241 CMDQV"));
	/* the vEVENTQ type is not checked against the vIOMMU's (iommufd_veventq_alloc) */
	assert_int_equal(ish_viommu_alloc(fx.ctx, fx.dev_a, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &vi), 0);
	assert_int_equal(ish_veventq_alloc(fx.ctx, vi, IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, 16, &q), 0);
	fx_close_clean(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dirty_pages_of_dma_writes),
		cmocka_unit_test(dirty_errnos_in_the_kernels_order),
		cmocka_unit_test(hw_info_reports_pasids_and_input_types),
		cmocka_unit_test(pasid_attachments_in_the_registry),
		cmocka_unit_test(teardown_detaches_pasids_newest_first_then_the_rid),
		cmocka_unit_test(teardown_detaches_a_rid_attached_as_pasid_0),
		cmocka_unit_test(unbind_drops_the_pasids),
		cmocka_unit_test(decoders),
		cmocka_unit_test(tegra_viommu_refused_and_explained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
