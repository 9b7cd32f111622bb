// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Figures for the core on the simulator: kernel calls per high-level operation (the minimum the
 * kernel needs is the target), time per operation, and memory held per object.
 * Prints a table; never asserts (the counts are asserted by tests/unit/test_vsmmu.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"
#include "iommush/sim.h"
#include "iommush/smmu.h"

#define ROUNDS 20000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench: %s failed: %d\n", what, rc);
	exit(1);
}

#define CHECK(what, expr) do { int rc_ = (expr); if (rc_ < 0) die(what, rc_); } while (0)

struct row {
	const char *op;
	unsigned long ioctls;
	unsigned long minimum;
	double us;
};

static void print_row(const struct row *r)
{
	printf("%-36s %7lu %8lu %10.2f\n", r->op, r->ioctls, r->minimum, r->us);
}

int main(void)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .enabled = true };
	uint64_t s1[2] = { ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | 0x100000, 0 };
	uint64_t ab[2] = { ISH_STE_V, 0 };
	uint64_t cmds[64][2];
	struct ish_ctx *ctx;
	struct ish_vsmmu *vs;
	struct rusage ru0, ru1;
	uint32_t a, b, ioas, s2, done;
	unsigned long n;
	double t;
	int i;

	CHECK("ctx", ish_ctx_new(ish_sim_new(), &ctx));
	CHECK("bind", ish_device_bind(ctx, "0000:00:01.0", &a));
	CHECK("bind", ish_device_bind(ctx, "0000:00:02.0", &b));
	CHECK("ioas", ish_ioas_alloc(ctx, &ioas));
	CHECK("s2", ish_s2_attach(ctx, a, ioas, &s2));
	CHECK("s2", ish_s2_attach(ctx, b, ioas, &s2));
	CHECK("create", ish_vsmmu_create(ctx, "vs0", ioas, &cfg, &vs));

	printf("%-36s %7s %8s %10s\n", "operation (sim)", "ioctls", "minimum", "us/op");
	{
		struct row r = { "vsmmu set device (first)", 0, 4, 0 };

		t = now();
		for (i = 0; i < ROUNDS; i++) {
			n = ish_ioctl_count(ctx);
			CHECK("set", ish_vsmmu_set_device(vs, a, 8));
			r.ioctls = ish_ioctl_count(ctx) - n;
			CHECK("unset", ish_vsmmu_unset_device(vs, a));
		}
		r.us = (now() - t) * 1e6 / ROUNDS;
		print_row(&r);
	}
	CHECK("set", ish_vsmmu_set_device(vs, a, 8));
	{
		struct row r = { "vsmmu set device (later)", 0, 1, 0 };

		n = ish_ioctl_count(ctx);
		CHECK("set", ish_vsmmu_set_device(vs, b, 16));
		r.ioctls = ish_ioctl_count(ctx) - n;
		print_row(&r);
		n = ish_ioctl_count(ctx);
		CHECK("unset", ish_vsmmu_unset_device(vs, b));
		r.op = "vsmmu unset device (not last)";
		r.ioctls = ish_ioctl_count(ctx) - n;
		r.minimum = 1;
		print_row(&r);
		CHECK("set", ish_vsmmu_set_device(vs, b, 16));
	}
	{
		struct row r = { "vsmmu gbpa toggle (2 devices)", 0, 2, 0 };

		n = ish_ioctl_count(ctx);
		CHECK("gbpa", ish_vsmmu_set_gbpa(vs, true));
		r.ioctls = ish_ioctl_count(ctx) - n;
		print_row(&r);
		CHECK("gbpa", ish_vsmmu_set_gbpa(vs, false));
	}
	{
		struct row r = { "vsmmu ste install (first, abort)", 0, 2, 0 };

		n = ish_ioctl_count(ctx);
		CHECK("ste", ish_vsmmu_install_ste(vs, a, ab));
		r.ioctls = ish_ioctl_count(ctx) - n;
		print_row(&r);
		r.op = "vsmmu ste swap abort -> translate";
		n = ish_ioctl_count(ctx);
		CHECK("ste", ish_vsmmu_install_ste(vs, a, s1));
		r.ioctls = ish_ioctl_count(ctx) - n;
		t = now();
		for (i = 0; i < ROUNDS; i++) {
			CHECK("ste", ish_vsmmu_install_ste(vs, a, ab));
			CHECK("ste", ish_vsmmu_install_ste(vs, a, s1));
		}
		r.us = (now() - t) * 1e6 / (2 * ROUNDS);
		print_row(&r);
		r.op = "vsmmu ste translate -> translate";
		r.minimum = 3;	/* alloc, attach, destroy the old one */
		n = ish_ioctl_count(ctx);
		CHECK("ste", ish_vsmmu_install_ste(vs, a, s1));
		r.ioctls = ish_ioctl_count(ctx) - n;
		r.us = 0;
		print_row(&r);
	}
	{
		struct row r = { "vsmmu invalidate (64 commands)", 0, 1, 0 };

		for (i = 0; i < 64; i++) {
			cmds[i][0] = ISH_CMD_TLBI_NH_ASID | ((uint64_t)i << 48);
			cmds[i][1] = 0;
		}
		n = ish_ioctl_count(ctx);
		CHECK("inv", ish_vsmmu_invalidate(vs, cmds, 64, &done));
		r.ioctls = ish_ioctl_count(ctx) - n;
		t = now();
		for (i = 0; i < ROUNDS; i++)
			CHECK("inv", ish_vsmmu_invalidate(vs, cmds, 64, &done));
		r.us = (now() - t) * 1e6 / ROUNDS;
		print_row(&r);
		printf("  (the production VMM sends one call per command: 64)\n");
	}
	{
		/* 2 re-attaches to S2; A's translate and vDEVICE; bypass, abort, vIOMMU */
		struct row r = { "vsmmu destroy (2 devices)", 0, 7, 0 };

		n = ish_ioctl_count(ctx);
		CHECK("destroy", ish_vsmmu_destroy(vs));
		r.ioctls = ish_ioctl_count(ctx) - n;
		print_row(&r);
	}
	getrusage(RUSAGE_SELF, &ru0);
	{
		uint32_t id;

		for (i = 0; i < 10000; i++)
			CHECK("ioas", ish_ioas_alloc(ctx, &id));
	}
	getrusage(RUSAGE_SELF, &ru1);
	printf("registry: 10000 IOAS objects, max RSS grew %ld KiB (%.0f bytes/object incl. sim)\n",
	       ru1.ru_maxrss - ru0.ru_maxrss, (double)(ru1.ru_maxrss - ru0.ru_maxrss) * 1024 / 10000);
	t = now();
	ish_ctx_free(ctx);
	printf("teardown of 10000 objects: %.1f ms\n", (now() - t) * 1e3);
	return 0;
}
