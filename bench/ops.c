// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One table of the vSMMU operations: the kernel calls each makes, those the production VMM
 * (QEMU 11.1 arm-smmuv3,accel=on) makes for the same guest action, and the time of one, the
 * median of rounds of many repetitions with min-max (only the operation itself is timed, its
 * undoing is not); then heap bytes per object and teardown per object at growing N.
 * On the simulator always; on the kernel too where /dev/iommu exists and ISH_BENCH_DEVICES
 * names two vfio-pci functions behind one SMMUv3 ("0000:00:01.0,0000:00:02.0").
 * Never asserts: the counts are asserted by tests/unit/test_vsmmu.c.
 */
#include <malloc.h>
#include <string.h>
#include <unistd.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"
#include "iommush/sim.h"
#include "iommush/smmu.h"
#include "bench.h"

#define ROUNDS 9

struct bed {
	struct ish_ctx *ctx;
	struct ish_vsmmu *vs;
	uint32_t a, b, ioas;
	const char *bdf_a, *bdf_b;
};

static const uint64_t s1[2] = { ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | 0x100000, 0 };
static const uint64_t s1b[2] = { ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | 0x200000, 0 };
static const uint64_t ab[2] = { ISH_STE_V, 0 };
static uint64_t cmds[64][2];

static void vs_create(struct bed *e)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .enabled = true };

	BENCH_CHECK("vsmmu create", ish_vsmmu_create(e->ctx, "vs0", e->ioas, &cfg, &e->vs));
}

static void bed_open(struct bed *e, struct ish_backend *be)
{
	uint32_t s2;

	BENCH_CHECK("ctx", ish_ctx_new(be, &e->ctx));
	BENCH_CHECK("bind", ish_device_bind(e->ctx, e->bdf_a, &e->a));
	BENCH_CHECK("bind", ish_device_bind(e->ctx, e->bdf_b, &e->b));
	BENCH_CHECK("ioas", ish_ioas_alloc(e->ctx, &e->ioas));
	BENCH_CHECK("s2", ish_s2_attach(e->ctx, e->a, e->ioas, &s2));
	BENCH_CHECK("s2", ish_s2_attach(e->ctx, e->b, e->ioas, &s2));
	vs_create(e);
}

/* ---- the operations: each a step and its undoing, from a state the table walks through */

static void set_a(struct bed *e) { BENCH_CHECK("set", ish_vsmmu_set_device(e->vs, e->a, 8)); }
static void unset_a(struct bed *e) { BENCH_CHECK("unset", ish_vsmmu_unset_device(e->vs, e->a)); }
static void set_b(struct bed *e) { BENCH_CHECK("set", ish_vsmmu_set_device(e->vs, e->b, 16)); }
static void unset_b(struct bed *e) { BENCH_CHECK("unset", ish_vsmmu_unset_device(e->vs, e->b)); }
static void gbpa_on(struct bed *e) { BENCH_CHECK("gbpa", ish_vsmmu_set_gbpa(e->vs, true)); }
static void gbpa_off(struct bed *e) { BENCH_CHECK("gbpa", ish_vsmmu_set_gbpa(e->vs, false)); }
static void ste_ab(struct bed *e) { BENCH_CHECK("ste", ish_vsmmu_install_ste(e->vs, e->a, ab)); }
static void ste_s1(struct bed *e) { BENCH_CHECK("ste", ish_vsmmu_install_ste(e->vs, e->a, s1)); }
static void ste_s1b(struct bed *e) { BENCH_CHECK("ste", ish_vsmmu_install_ste(e->vs, e->a, s1b)); }

/* a device's vDEVICE goes with its unset: set it again for another first install */
static void reset_a(struct bed *e)
{
	unset_a(e);
	set_a(e);
}

static void inv64(struct bed *e)
{
	uint32_t done;

	BENCH_CHECK("inv", ish_vsmmu_invalidate(e->vs, (const uint64_t (*)[2])cmds, 64, &done));
}

static void nothing(struct bed *e)
{
	(void)e;
}

static void destroy(struct bed *e)
{
	BENCH_CHECK("destroy", ish_vsmmu_destroy(e->vs));
	e->vs = NULL;
}

/* the state destroy found: both devices set, A translating */
static void rebuild(struct bed *e)
{
	vs_create(e);
	set_a(e);
	set_b(e);
	ste_s1(e);
}

struct op {
	const char *name;
	void (*step)(struct bed *e);
	void (*undo)(struct bed *e);
	void (*after)(struct bed *e);	/* moves on to the next row's state, or NULL */
	int qemu;			/* its calls for the same guest action; -1: none */
	const char *why;		/* when the counts differ */
};

static const struct op ops[] = {
	{ "vsmmu set device (first)", set_a, unset_a, set_a, 4,
	  "vIOMMU, abort, bypass, attach the GBPA proxy" },
	{ "vsmmu set device (later)", set_b, unset_b, set_b, 0,
	  "QEMU leaves it on its S2 until a CFGI_STE, GBPA write or reset" },
	{ "vsmmu unset device (not last)", unset_b, set_b, NULL, 1, NULL },
	{ "GBPA toggle (2 devices)", gbpa_on, gbpa_off, NULL, 2, NULL },
	{ "STE install abort (first)", ste_ab, reset_a, ste_ab, 2,
	  "vDEVICE, attach the abort proxy" },
	{ "STE abort -> translate", ste_s1, ste_ab, ste_s1, 2, NULL },
	{ "STE translate -> translate", ste_s1b, ste_s1, NULL, 3,
	  "alloc, attach, free the old one" },
	{ "invalidate (64 TLBI commands)", inv64, nothing, NULL, 64,
	  "QEMU: one call a command" },
	{ "vsmmu destroy (2 devices)", destroy, rebuild, NULL, 7, NULL },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* repetitions of @o to make a round last about 2 ms, from a trial */
static unsigned int reps_for(struct bed *e, const struct op *o)
{
	double t = 0, t0;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		t0 = bench_now();
		o->step(e);
		t += bench_now() - t0;
		o->undo(e);
	}
	t /= 16;
	if (t <= 0)
		return 1u << 16;
	return t >= 2e-3 ? 1 : (unsigned int)(2e-3 / t) + 1;
}

static void run_table(struct ish_backend *be, const char *label, const char *bdf_a,
		      const char *bdf_b)
{
	struct bed e = { .bdf_a = bdf_a, .bdf_b = bdf_b };
	unsigned int i, k, r, reps;

	for (i = 0; i < 64; i++) {
		cmds[i][0] = ISH_CMD_TLBI_NH_ASID | ((uint64_t)i << 48);
		cmds[i][1] = 0;
	}
	bed_open(&e, be);
	for (k = 0; k < NOPS; k++) {
		const struct op *o = &ops[k];
		struct bench_stat st = { 0 };
		unsigned long n = ish_ioctl_count(e.ctx);

		o->step(&e);
		n = ish_ioctl_count(e.ctx) - n;
		o->undo(&e);
		reps = reps_for(&e, o);
		for (r = 0; r < ROUNDS; r++) {
			double t = 0, t0;

			for (i = 0; i < reps; i++) {
				t0 = bench_now();
				o->step(&e);
				t += bench_now() - t0;
				o->undo(&e);
			}
			bench_add(&st, t / reps);
		}
		{
			char area[48], calls[48];

			snprintf(area, sizeof(area), "vSMMU op, %s", label);
			snprintf(calls, sizeof(calls), "%lu kernel calls (QEMU %d)", n, o->qemu);
			bench_row(area, o->name, 0, &st, 1e6, "us", calls, o->why);
		}
		if (o->after)
			o->after(&e);
	}
	ish_ctx_free(e.ctx);
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* heap bytes an IOAS costs (registry and simulated kernel) and teardown per object */
static void memory_table(void)
{
	static const unsigned int ns[] = { 1000, 4000, 16000 };
	unsigned int i, r;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct bench_stat mem = { 0 }, td = { 0 };

		for (r = 0; r < 3; r++) {
			struct ish_ctx *ctx;
			uint32_t id, k;
			size_t h0;
			double t;

			BENCH_CHECK("ctx", ish_ctx_new(ish_sim_new(), &ctx));
			h0 = heap_used();
			for (k = 0; k < ns[i]; k++)
				BENCH_CHECK("ioas", ish_ioas_alloc(ctx, &id));
			bench_add(&mem, (double)(heap_used() - h0) / ns[i]);
			t = bench_now();
			ish_ctx_free(ctx);
			bench_add(&td, (bench_now() - t) / ns[i]);
		}
		bench_row("objects, simulator", "heap an IOAS (core + simulator)", ns[i], &mem, 1,
			  "bytes", "", "N IOAS in one context, 3 rounds");
		bench_row("objects, simulator", "teardown an IOAS", ns[i], &td, 1e9, "ns", "", "");
	}
}

int main(void)
{
	const char *devs = getenv("ISH_BENCH_DEVICES");

	bench_head();
	run_table(ish_sim_new(), "simulator", "0000:00:01.0", "0000:00:02.0");
	memory_table();
	if (access("/dev/iommu", F_OK) < 0) {
		bench_rowv("vSMMU op, kernel", "-", "", "-", "", "", "no /dev/iommu on this "
			   "machine: simulator only");
	} else if (!devs || !strchr(devs, ',')) {
		bench_rowv("vSMMU op, kernel", "-", "", "-", "", "", "/dev/iommu exists: set "
			   "ISH_BENCH_DEVICES=BDF,BDF (two vfio-pci functions behind one SMMUv3)");
	} else {
		char a[32], b[32];
		const char *comma = strchr(devs, ',');
		struct ish_backend *be;
		int err = 0;

		snprintf(a, sizeof(a), "%.*s", (int)(comma - devs), devs);
		snprintf(b, sizeof(b), "%s", comma + 1);
		be = ish_kernel_backend_new(&err);
		if (!be)
			bench_die("kernel backend", err);
		run_table(be, "kernel", a, b);
	}
	return 0;
}
