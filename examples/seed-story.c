// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seed's story as a VMM lives it, on libiommush's public API alone: an accelerated vSMMUv3
 * gets its first device (set_iommu_device: vIOMMU, abort and bypass proxies, vEVENTQ), the guest
 * toggles GBPA and installs STEs (bypass, then stage-1 translate), invalidates, reads events,
 * and the device is unplugged (unset_iommu_device) until nothing is left.
 *
 * Built by `make check-lib` against the installed library through pkg-config only:
 *     cc seed-story.c $(pkg-config --cflags --libs iommush)
 * Runs on the built-in simulator by default; `seed-story kernel BDF` runs it on /dev/iommu.
 * Exit status: 0 when every step behaved as the seed says, 1 otherwise (the step is printed).
 */
#define _GNU_SOURCE	/* strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iommush/iommush.h>
#include <iommush/vsmmu.h>
#include <iommush/smmu.h>
#include <iommush/sim.h>

static struct ish_ctx *ctx;

/* A failed step: say which, with the library's explanation, and stop. */
static int check(int rc, const char *step)
{
	if (rc >= 0)
		return rc;
	fprintf(stderr, "seed-story: %s: %s (%s)\n", step,
		ish_errmsg(ctx)[0] ? ish_errmsg(ctx) : strerror(-rc), strerrorname_np(-rc));
	ish_ctx_free(ctx);
	exit(1);
}

static void expect(bool ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "seed-story: expected %s\n", what);
	ish_ctx_free(ctx);
	exit(1);
}

static enum ish_role role(struct ish_vsmmu *vs, uint32_t dev)
{
	return ish_vsmmu_role(vs, dev);
}

int main(int argc, char **argv)
{
	const char *bdf = argc > 2 ? argv[2] : "0000:00:01.0";
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .events = true };
	uint64_t bypass[2] = { ISH_STE_V | (ISH_STE_CFG_BYPASS << 1), 0 };
	uint64_t s1[2] = { ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | 0x100000, 0 };
	uint64_t cmds[2][2] = { { ISH_CMD_TLBI_NH_ALL, 0 }, { ISH_CMD_CFGI_CD_ALL, 0 } };
	struct ish_backend *be;
	struct ish_vsmmu *vs;
	struct ish_vevent ev[4];
	unsigned long n0;
	uint32_t dev, ioas, mem, done, vsid;
	uint64_t iova = 0x40000000;
	struct ish_obj *o;
	int err = 0, rc;

	if (argc > 1 && !strcmp(argv[1], "kernel")) {
		be = ish_kernel_backend_new(&err);
		if (!be) {
			fprintf(stderr, "seed-story: /dev/iommu: %s\n", strerror(-err));
			return 1;
		}
	} else {
		be = ish_sim_new();
	}
	if (!be || ish_ctx_new(be, &ctx) < 0) {
		fprintf(stderr, "seed-story: no context\n");
		return 1;
	}

	/* what VFIO core does: bind, an IOAS holding guest RAM */
	check(ish_device_bind(ctx, bdf, &dev), "device bind");
	check(ish_ioas_alloc(ctx, &ioas), "ioas alloc");
	check(ish_mem_alloc(ctx, 2 << 20, &mem), "mem alloc");
	check(ish_ioas_map(ctx, ioas, ish_mem_va(ish_mem_find(ctx, mem)), 2 << 20, &iova,
			   IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			   IOMMU_IOAS_MAP_WRITEABLE), "ioas map");

	/* plug: S2 nest parent, then set_iommu_device (4 calls + the vEVENTQ) */
	check(ish_vsmmu_create(ctx, "vs0", ioas, &cfg, &vs), "vsmmu create");
	vsid = 0x8;
	check(ish_vsmmu_plug(vs, dev, vsid), "plug (set_iommu_device)");
	expect(ish_vsmmu_viommu(vs) && ish_vsmmu_abort_hwpt(vs) && ish_vsmmu_bypass_hwpt(vs) &&
	       ish_vsmmu_veventq(vs), "a vIOMMU, two proxies and a vEVENTQ after the first set");
	expect(role(vs, dev) == ISH_ROLE_BYPASS, "the device on the bypass proxy (GBPA reset)");
	o = ish_obj_find(ctx, ish_vsmmu_viommu(vs));
	expect(o && ish_obj_owner(o) && !strcmp(ish_obj_owner(o), "vs0"), "the vIOMMU held by vs0");

	/* a hand destroy of what the vSMMU holds is refused, nothing moves */
	n0 = ish_ioctl_count(ctx);
	rc = ish_destroy(ctx, ish_vsmmu_veventq(vs));
	expect(rc == -EBUSY && ish_ioctl_count(ctx) == n0, "EBUSY and no call for a held object");
	ish_clear_err(ctx);

	/* GBPA.ABORT while SMMUEN=0: one call moves the device to the abort proxy */
	n0 = ish_ioctl_count(ctx);
	check(ish_vsmmu_set_gbpa(vs, true), "GBPA abort");
	expect(role(vs, dev) == ISH_ROLE_ABORT && ish_ioctl_count(ctx) - n0 == 1,
	       "one call to the abort proxy");
	check(ish_vsmmu_set_gbpa(vs, false), "GBPA bypass");

	/* the guest enables the SMMU and installs STEs: bypass, then stage-1 translate */
	check(ish_vsmmu_set_enabled(vs, true), "SMMUEN");
	check(ish_vsmmu_install_ste(vs, dev, bypass), "STE bypass");
	expect(ish_vsmmu_dev_vdevice(ish_vsmmu_dev_find(vs, dev)) != 0,
	       "the vDEVICE allocated at the first STE");
	check(ish_vsmmu_install_ste(vs, dev, s1), "STE translate");
	expect(role(vs, dev) == ISH_ROLE_TRANSLATE, "the device on its translate HWPT");

	/* the guest's invalidations, batched in one call */
	cmds[1][0] |= (uint64_t)vsid << 32;
	n0 = ish_ioctl_count(ctx);
	check(ish_vsmmu_invalidate(vs, cmds, 2, &done), "invalidate");
	expect(done == 2 && ish_ioctl_count(ctx) - n0 == 1, "two commands in one call");
	rc = check(ish_vsmmu_read_events(vs, ev, 4, 0), "read events");
	expect(rc == 0, "no event without a fault");

	/* unplug: back to the S2, vDEVICE and translate HWPT freed, and with the last device the
	 * vIOMMU, proxies and vEVENTQ */
	check(ish_vsmmu_unset_device(vs, dev), "unset_iommu_device");
	o = ish_obj_find(ctx, ish_obj_device_pt(ish_obj_find(ctx, dev)));
	expect(!ish_vsmmu_viommu(vs) && !ish_vsmmu_of_device(ctx, dev) && o &&
	       (ish_obj_flags(o) & IOMMU_HWPT_ALLOC_NEST_PARENT),
	       "the device back on its S2 and nothing of the vSMMU left after the last unset");
	check(ish_vsmmu_destroy(vs), "vsmmu destroy");
	check(ish_ctx_reset(ctx), "reset");
	expect(!ish_obj_first(ctx), "an empty registry after the reset");
	if (ish_is_sim(be)) {
		struct ish_sim_stats st;

		ish_sim_get_stats(be, &st);
		expect(st.objects == 0 && st.open_fds == 1, "the simulated kernel empty");
	}
	ish_ctx_free(ctx);
	printf("seed-story: set, GBPA, STE bypass/translate, invalidate, unset: ok\n");
	return 0;
}
