// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMM front end side by side with QEMU 11.1's arm-smmuv3,accel=on: for each guest action,
 * the kernel calls iommush makes (counted through the choke point, on the simulator) and those
 * QEMU makes (from the lab trace, ../shared/reference/qemu-accel-lab/traces/, and the facts of
 * issue 9). Then the front end's own cost for a 64-TLBI drain: median and spread. Never
 * asserts (tests/unit/test_vmm.c does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "iommush/iommush.h"
#include "iommush/sim.h"
#include "iommush/smmu.h"
#include "iommush/vmm.h"
#include "iommush/vsmmu.h"
#include "bench.h"

#define RAM_IPA 0x40000000ULL
#define RAM_SIZE (2u << 20)
#define STRTAB (RAM_IPA + 0x10000)
#define CMDQ (RAM_IPA + 0x40000)
#define EVTQ (RAM_IPA + 0x50000)
#define CD (RAM_IPA + 0x100000)
#define CMDQ_LOG2 10

#define CR0 0x20
#define CR1 0x28
#define CR2 0x2c
#define GBPA 0x44
#define STRTAB_BASE 0x80
#define STRTAB_BASE_CFG 0x88
#define CMDQ_BASE 0x90
#define CMDQ_PROD 0x98
#define EVENTQ_BASE 0xa0
#define SMMUEN 0x1
#define EVENTQEN 0x4
#define CMDQEN 0x8

#define STE_BYPASS (ISH_STE_V | (ISH_STE_CFG_BYPASS << 1))
#define STE_S1(cd) (ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | (cd))

static uint8_t *ram;
static struct ish_ctx *ctx;
static struct ish_vmm *vmm;
static uint32_t prod;

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench vmm: %s failed: %d (%s)\n", what, rc, ctx ? ish_errmsg(ctx) : "");
	exit(1);
}

#define CHECK(what, expr) do { int rc_ = (expr); if (rc_ < 0) die(what, rc_); } while (0)

static int g_read(void *o, uint64_t gpa, void *buf, size_t len)
{
	if (gpa < RAM_IPA || gpa - RAM_IPA > RAM_SIZE || len > RAM_SIZE - (gpa - RAM_IPA))
		return -14;
	memcpy(buf, ram + (gpa - RAM_IPA), len);
	return 0;
}

static int g_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
	if (gpa < RAM_IPA || gpa - RAM_IPA > RAM_SIZE || len > RAM_SIZE - (gpa - RAM_IPA))
		return -14;
	memcpy(ram + (gpa - RAM_IPA), buf, len);
	return 0;
}

static void wr(uint64_t off, unsigned int width, uint64_t v)
{
	CHECK("mmio write", ish_vmm_mmio_write(vmm, off, width, v));
}

static void poke(uint64_t gpa, uint64_t v)
{
	memcpy(ram + (gpa - RAM_IPA), &v, 8);
}

static void cmd(uint64_t w0, uint64_t w1)
{
	uint64_t gpa = CMDQ + (prod & ((1u << CMDQ_LOG2) - 1)) * 16;

	poke(gpa, w0);
	poke(gpa + 8, w1);
	prod = (prod + 1) & ((2u << CMDQ_LOG2) - 1);
}

static void ring(void)
{
	wr(CMDQ_PROD, 4, prod);
}

static void ste(uint32_t sid, uint64_t w0)
{
	poke(STRTAB + sid * 64, w0);
	poke(STRTAB + sid * 64 + 8, 0);
}

struct row {
	const char *action;
	unsigned long ours;
	unsigned int qemu;
	const char *note;
};

static void print_row(const struct row *r)
{
	const char *cmp = r->ours < r->qemu ? "fewer" : r->ours > r->qemu ? "more" : "same";

	char v[32], q[48];

	snprintf(v, sizeof(v), "%lu", r->ours);
	snprintf(q, sizeof(q), "QEMU 11.1: %u (%s)", r->qemu, cmp);
	bench_rowv("VMM front end, kernel calls", r->action, "", v, "calls", q, r->note);
}

static unsigned long mark;

static unsigned long since(void)
{
	unsigned long n = ish_ioctl_count(ctx) - mark;

	mark = ish_ioctl_count(ctx);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define ROUNDS 2000

int main(void)
{
	static const struct ish_vmm_mem_ops ops = { g_read, g_write, NULL };
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	struct ish_vsmmu *vs;
	uint32_t a, b, ioas, mem, s2;
	uint64_t iova = RAM_IPA;
	struct row r;
	double t[ROUNDS];
	int i, k;

	CHECK("ctx", ish_ctx_new(ish_sim_new(), &ctx));
	CHECK("bind", ish_device_bind(ctx, "0000:00:01.0", &a));
	CHECK("bind", ish_device_bind(ctx, "0000:00:02.0", &b));
	CHECK("ioas", ish_ioas_alloc(ctx, &ioas));
	CHECK("mem", ish_mem_alloc(ctx, RAM_SIZE, &mem));
	ram = ish_mem_va(ish_mem_find(ctx, mem));
	CHECK("map", ish_ioas_map(ctx, ioas, ram, RAM_SIZE, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
				  IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE));
	/* VFIO core's part, the same in both VMMs: the S2 nest parent and its attach */
	CHECK("s2", ish_s2_attach(ctx, a, ioas, &s2));
	CHECK("s2", ish_s2_attach(ctx, b, ioas, &s2));
	CHECK("create", ish_vsmmu_create(ctx, "vs0", ioas, &cfg, &vs));

	/* QEMU 11.1 arm-smmuv3,accel=on: the lab trace, issue 9's facts, vmm-anchor-qemu-accel.md */
	bench_head();

	mark = ish_ioctl_count(ctx);
	CHECK("plug", ish_vsmmu_plug(vs, a, 0x8));
	r = (struct row){ "first device plug (set_iommu_device)", since(), 5,
		"vIOMMU, abort, bypass, attach; QEMU attaches the bypass proxy twice" };
	print_row(&r);
	CHECK("vmm", ish_vmm_new(vs, &ops, NULL, &vmm));

	/* Linux's arm_smmu_device_reset up to the command queue */
	wr(CR0, 4, 0);
	wr(CR1, 4, 0xd75);
	wr(CR2, 4, 0x6);
	wr(STRTAB_BASE, 8, STRTAB);
	wr(STRTAB_BASE_CFG, 4, 8);		/* linear, 256 StreamIDs */
	ste(0x8, STE_BYPASS);
	ste(0x10, STE_BYPASS);
	wr(CMDQ_BASE, 8, CMDQ | CMDQ_LOG2);
	wr(CR0, 4, CMDQEN);
	r = (struct row){ "probe: CR0/CR1/CR2, STRTAB, CMDQ, CMDQEN", since(), 0,
		"registers only" };
	print_row(&r);

	cmd(ISH_CMD_CFGI_STE_RANGE, 31);
	cmd(ISH_CMD_SYNC, 0);
	ring();
	r = (struct row){ "first CFGI_STE of a device (CFGI_ALL)", since(), 2,
		"vDEVICE; the device is on the GBPA proxy already: no re-attach" };
	print_row(&r);

	cmd(ISH_CMD_TLBI_NSNH_ALL, 0);
	cmd(ISH_CMD_SYNC, 0);
	cmd(ISH_CMD_CFGI_CD, 0);		/* vSID 0: no vDEVICE */
	cmd(ISH_CMD_SYNC, 0);
	ring();
	r = (struct row){ "TLBI_NSNH_ALL; CFGI_CD of an unknown vSID", since(), 1,
		"both forward the TLBI and drop the CFGI_CD" };
	print_row(&r);

	wr(EVENTQ_BASE, 8, EVTQ | 7);
	wr(CR0, 4, CMDQEN | EVENTQEN);
	r = (struct row){ "EVENTQEN", since(), 1, "VEVENTQ_ALLOC, as deep as the guest's queue" };
	print_row(&r);
	wr(CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	r = (struct row){ "SMMUEN with bypass STEs", since(), 0, "nothing moves" };
	print_row(&r);

	CHECK("plug", ish_vsmmu_plug(vs, b, 0x10));
	r = (struct row){ "later device plug", since(), 0,
		"iommush attaches the GBPA proxy at once; QEMU leaves it on its S2 until a "
		"CFGI_STE, GBPA write or reset (a window where the guest's SMMU is bypassed)" };
	print_row(&r);
	cmd(ISH_CMD_CFGI_STE | 0x10ULL << 32, 1);
	cmd(ISH_CMD_SYNC, 0);
	ring();
	r = (struct row){ "later device's first CFGI_STE (bypass)", since(), 2,
		"vDEVICE only: already on the bypass proxy" };
	print_row(&r);

	ste(0x8, STE_S1(CD));
	cmd(ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	cmd(ISH_CMD_SYNC, 0);
	ring();
	r = (struct row){ "STE bypass -> translate", since(), 2, "nested HWPT, attach" };
	print_row(&r);

	ste(0x8, STE_S1(CD + 0x1000));
	cmd(ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	cmd(ISH_CMD_SYNC, 0);
	ring();
	r = (struct row){ "STE translate -> translate", since(), 3,
		"new nested HWPT, attach, free the old one" };
	print_row(&r);

	for (i = 0; i < 64; i++)
		cmd(ISH_CMD_TLBI_NH_VA | 1ULL << 48, (0x10000ULL + (uint64_t)i * 0x1000) | 1);
	cmd(ISH_CMD_SYNC, 0);
	ring();
	r = (struct row){ "64 TLBI_NH_VA + CMD_SYNC", since(), 64,
		"one IOMMU_HWPT_INVALIDATE of 64 entries; QEMU: one per command" };
	print_row(&r);

	ste(0x8, ISH_STE_V);
	cmd(ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring();
	r = (struct row){ "STE translate -> abort", since(), 2, "attach abort, free translate" };
	print_row(&r);

	wr(CR0, 4, CMDQEN | EVENTQEN);
	since();
	wr(GBPA, 4, 1u << 31 | 1u << 20);
	r = (struct row){ "GBPA.ABORT toggle, SMMUEN off, 2 devices", since(), 2,
		"one attach per device that moves" };
	print_row(&r);

	CHECK("reset", ish_vmm_reset(vmm));
	r = (struct row){ "reset (GBPA back to bypass, EVENTQEN off)", since(), 2,
		"attaches; iommush also frees the vEVENTQ the guest no longer has" };
	print_row(&r);

	/* the front end's own cost: a 64-TLBI drain on the simulator, median and spread */
	wr(CMDQ_BASE, 8, CMDQ | CMDQ_LOG2);
	wr(CMDQ_PROD, 4, 0);
	prod = 0;
	wr(CR0, 4, CMDQEN);
	for (k = 0; k < ROUNDS; k++) {
		double t0;

		for (i = 0; i < 64; i++)
			cmd(ISH_CMD_TLBI_NH_VA | 1ULL << 48,
			    (0x10000ULL + (uint64_t)i * 0x1000) | 1);
		cmd(ISH_CMD_SYNC, 0);
		t0 = now();
		ring();
		t[k] = (now() - t0) * 1e6;
		if (ish_vmm_last_drain(vmm)->consumed != 65 || ish_vmm_last_drain(vmm)->batches != 1)
			die("drain", -1);
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	{
		char v[80], note[64], m[24], lo[24], hi[24];

		snprintf(v, sizeof(v), "%s [%s-%s]", bench_num(t[ROUNDS / 2], m, sizeof(m)),
			 bench_num(t[ROUNDS / 10], lo, sizeof(lo)),
			 bench_num(t[ROUNDS * 9 / 10], hi, sizeof(hi)));
		snprintf(note, sizeof(note), "%d rounds; the spread is p10-p90", ROUNDS);
		bench_rowv("VMM front end, simulator", "64 TLBI + CMD_SYNC drain", "", v, "us", "",
			   note);
	}

	ish_vmm_free(vmm);
	ish_ctx_free(ctx);
	return 0;
}
