// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMM front end on the simulated kernel: a guest programs the SMMUv3 through its registers
 * and memory only, as Linux's arm-smmu-v3 driver does, and the model follows.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fixture.h"
#include "iommush/smmu.h"
#include "iommush/vmm.h"

/* register offsets (SMMUv3 spec 6.3) */
#define IDR0 0x00
#define IDR1 0x04
#define AIDR 0x1c
#define CR0 0x20
#define CR0ACK 0x24
#define CR1 0x28
#define CR2 0x2c
#define GBPA 0x44
#define IRQ_CTRL 0x50
#define IRQ_CTRLACK 0x54
#define GERROR 0x60
#define GERRORN 0x64
#define STRTAB_BASE 0x80
#define STRTAB_BASE_CFG 0x88
#define CMDQ_BASE 0x90
#define CMDQ_PROD 0x98
#define CMDQ_CONS 0x9c
#define EVENTQ_BASE 0xa0
#define EVENTQ_PROD 0xa8
#define EVENTQ_CONS 0xac

#define SMMUEN 0x1
#define EVENTQEN 0x4
#define CMDQEN 0x8
#define RA (1ULL << 62)

/* guest RAM: the fixture's 2 MiB at IPA 0 */
#define G_L1 0x10000ULL
#define G_L2 0x20000ULL
#define G_CMDQ 0x40000ULL
#define G_EVTQ 0x50000ULL
#define G_CD 0x100000ULL
#define CMDQ_LOG2 8
#define EVTQ_LOG2 7

#define STE_BYPASS (ISH_STE_V | (ISH_STE_CFG_BYPASS << 1))
#define STE_S1(cd) (ISH_STE_V | (ISH_STE_CFG_S1_TRANS << 1) | (cd))

struct gfx {
	struct fx fx;
	struct ish_vsmmu *vs;
	struct ish_vmm *vmm;
	uint8_t *ram;
	size_t size;
	uint32_t prod;		/* the guest's copy of CMDQ_PROD */
	unsigned int irqs[2];
};

static int g_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct gfx *g = opaque;

	if (gpa > g->size || len > g->size - gpa)
		return -EFAULT;
	memcpy(buf, g->ram + gpa, len);
	return 0;
}

static int g_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct gfx *g = opaque;

	if (gpa > g->size || len > g->size - gpa)
		return -EFAULT;
	memcpy(g->ram + gpa, buf, len);
	return 0;
}

static void g_irq(void *opaque, enum ish_vmm_irq irq)
{
	struct gfx *g = opaque;

	g->irqs[irq]++;
}

static const struct ish_vmm_mem_ops g_ops = { g_read, g_write, g_irq };

static void wr(struct gfx *g, uint64_t off, unsigned int width, uint64_t v)
{
	assert_int_equal(ish_vmm_mmio_write(g->vmm, off, width, v), 0);
}

static uint64_t rd(struct gfx *g, uint64_t off, unsigned int width)
{
	uint64_t v;

	assert_int_equal(ish_vmm_mmio_read(g->vmm, off, width, &v), 0);
	return v;
}

static void poke64(struct gfx *g, uint64_t gpa, uint64_t v)
{
	memcpy(g->ram + gpa, &v, 8);
}

static uint64_t peek64(struct gfx *g, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, g->ram + gpa, 8);
	return v;
}

/* a vSMMU with device A plugged (vSID 0x8, its RID) and, if @two, B (0x10); a front end */
static void gfx_open(struct gfx *g, bool two)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	struct ish_mem *m;

	memset(g, 0, sizeof(*g));
	fx_open(&g->fx);
	m = ish_mem_find(g->fx.ctx, g->fx.mem);
	g->ram = m->va;
	g->size = m->size;
	assert_int_equal(ish_vsmmu_create(g->fx.ctx, "vs0", g->fx.ioas, &cfg, &g->vs), 0);
	assert_int_equal(ish_vsmmu_plug(g->vs, g->fx.dev_a, 0x8), 0);
	if (two)
		assert_int_equal(ish_vsmmu_plug(g->vs, g->fx.dev_b, 0x10), 0);
	assert_int_equal(ish_vmm_new(g->vs, &g_ops, g, &g->vmm), 0);
}

static void gfx_close(struct gfx *g)
{
	fx_assert_consistent(&g->fx);
	ish_vmm_free(g->vmm);
	fx_close_clean(&g->fx);
}

/* queue a command at the guest's PROD (not rung yet) */
static void put_cmd(struct gfx *g, uint64_t w0, uint64_t w1)
{
	uint64_t gpa = G_CMDQ + (g->prod & ((1u << CMDQ_LOG2) - 1)) * 16;

	poke64(g, gpa, w0);
	poke64(g, gpa + 8, w1);
	g->prod = (g->prod + 1) & ((2u << CMDQ_LOG2) - 1);
}

static void ring(struct gfx *g)
{
	wr(g, CMDQ_PROD, 4, g->prod);
}

static void put_ste(struct gfx *g, uint32_t sid, uint64_t w0, uint64_t w1)
{
	uint64_t gpa;

	assert_int_equal(ish_vmm_ste_addr(g->vmm, sid, &gpa), 0);
	poke64(g, gpa, w0);
	poke64(g, gpa + 8, w1);
}

static uint32_t pt_of(struct gfx *g, uint32_t dev)
{
	return fx_pt(&g->fx, dev);
}

/* What Linux 7.3's arm_smmu_device_reset() does, as in the QEMU 11.1 lab trace. */
static void probe(struct gfx *g)
{
	wr(g, CR0, 4, 0);
	wr(g, CR1, 4, 0xd75);
	wr(g, CR2, 4, 0x6);
	wr(g, STRTAB_BASE, 8, RA | G_L1);
	wr(g, STRTAB_BASE_CFG, 4, 1 << 16 | 8 << 6 | 16);	/* 2-level, SPLIT 8, 16 bits */
	poke64(g, G_L1, G_L2 | 9);				/* L1 0: 256 STEs at G_L2 */
	wr(g, CMDQ_BASE, 8, RA | G_CMDQ | CMDQ_LOG2);
	wr(g, CMDQ_PROD, 4, 0);
	wr(g, CMDQ_CONS, 4, 0);
	wr(g, CR0, 4, CMDQEN);
	assert_int_equal(rd(g, CR0ACK, 4), CMDQEN);
	put_cmd(g, ISH_CMD_CFGI_STE_RANGE, 31);		/* CFGI_ALL */
	put_cmd(g, ISH_CMD_SYNC, 0);
	ring(g);
	put_cmd(g, ISH_CMD_TLBI_NSNH_ALL, 0);
	put_cmd(g, ISH_CMD_SYNC, 0);
	ring(g);
	wr(g, EVENTQ_BASE, 8, G_EVTQ | EVTQ_LOG2);
	wr(g, EVENTQ_PROD, 4, 0);
	wr(g, EVENTQ_CONS, 4, 0);
	wr(g, CR0, 4, CMDQEN | EVENTQEN);
	wr(g, IRQ_CTRL, 4, 0x5);
}

/* every device on an existing page table the model knows; the registry matches the kernel */
static void assert_sane_objects(struct gfx *g)
{
	struct ish_vsmmu_dev *d;

	fx_assert_consistent(&g->fx);
	for (d = ish_vsmmu_dev_first(g->vs); d; d = ish_vsmmu_dev_next(d)) {
		assert_non_null(ish_obj_find(g->fx.ctx, fx_pt(&g->fx, d->dev)));
		assert_int_not_equal(ish_vsmmu_role(g->vs, d->dev), ISH_ROLE_NONE);
		assert_int_not_equal(ish_vsmmu_role(g->vs, d->dev), ISH_ROLE_OTHER);
	}
}

static void registers_read_as_the_architecture_says(void **state)
{
	struct gfx g;
	uint32_t idr0;

	gfx_open(&g, false);
	idr0 = (uint32_t)rd(&g, IDR0, 4);
	assert_true(idr0 & 0x2);		/* S1P */
	assert_false(idr0 & 0x1);		/* no S2P: a stage-1 vSMMU */
	assert_false(idr0 & (1u << 16));	/* no PRI */
	assert_int_equal((idr0 >> 24) & 3, 1);	/* terminate only: no stalls */
	assert_int_equal(rd(&g, IDR1, 4) & 0x3f, 16);	/* the host's SIDSIZE */
	assert_int_equal(rd(&g, AIDR, 4), 1);
	assert_int_equal(rd(&g, GBPA, 4), 0x1000);	/* SHCFG incoming, ABORT 0 */
	/* read-only registers ignore writes */
	wr(&g, IDR0, 4, 0);
	wr(&g, CR0ACK, 4, 0xf);
	wr(&g, GERROR, 4, 0x1);
	assert_int_equal(rd(&g, IDR0, 4), idr0);
	assert_int_equal(rd(&g, CR0ACK, 4), 0);
	assert_int_equal(rd(&g, GERROR, 4), 0);
	/* reserved bits read as zero */
	wr(&g, CR0, 4, 0xffffffff);
	assert_int_equal(rd(&g, CR0, 4), 0x1d);		/* SMMUEN EVENTQEN CMDQEN ATSCHK */
	wr(&g, CR0, 4, 0);
	wr(&g, CR1, 4, 0xffffffff);
	assert_int_equal(rd(&g, CR1, 4), 0xfff);
	wr(&g, IRQ_CTRL, 4, 0xff);
	assert_int_equal(rd(&g, IRQ_CTRLACK, 4), 0x5);
	/* an offset with no register: RAZ/WI */
	wr(&g, 0x3c, 4, 0x1234);
	assert_int_equal(rd(&g, 0x3c, 4), 0);
	gfx_close(&g);
}

static void widths_and_halves_of_64_bit_registers(void **state)
{
	struct gfx g;
	uint64_t v;

	gfx_open(&g, false);
	assert_int_equal(ish_vmm_mmio_read(g.vmm, CR0, 2, &v), -EINVAL);
	assert_int_equal(ish_vmm_mmio_write(g.vmm, CR0 + 2, 4, 1), -EINVAL);
	assert_int_equal(ish_vmm_mmio_write(g.vmm, CR0, 8, 1), -EINVAL);
	assert_int_equal(ish_vmm_mmio_write(g.vmm, 0x20000, 4, 1), -EINVAL);
	assert_int_equal(rd(&g, CR0, 4), 0);
	/* two 32-bit halves make one 64-bit register */
	wr(&g, STRTAB_BASE, 4, 0x12345678);
	wr(&g, STRTAB_BASE + 4, 4, 0x40000001);
	assert_int_equal(rd(&g, STRTAB_BASE, 8), 0x4000000112345640ULL);
	assert_int_equal(rd(&g, STRTAB_BASE + 4, 4), 0x40000001);
	/* page 1 aliases EVENTQ_PROD and EVENTQ_CONS */
	wr(&g, 0x100ac, 4, 0x3);
	assert_int_equal(rd(&g, EVENTQ_CONS, 4), rd(&g, 0x100ac, 4));
	gfx_close(&g);
}

static void gbpa_needs_update_and_moves_the_devices(void **state)
{
	struct gfx g;
	uint32_t bypass;

	gfx_open(&g, true);
	bypass = pt_of(&g, g.fx.dev_a);
	/* without UPDATE the write is ignored */
	wr(&g, GBPA, 4, 1u << 20);
	assert_int_equal(rd(&g, GBPA, 4), 0x1000);
	assert_int_equal(pt_of(&g, g.fx.dev_a), bypass);
	wr(&g, GBPA, 4, 1u << 31 | 1u << 20 | 0x1000);
	assert_int_equal(rd(&g, GBPA, 4), 0x101000);	/* UPDATE reads 0: done */
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_ABORT);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_b), ISH_ROLE_ABORT);
	gfx_close(&g);
}

static void linux_probe_allocates_vdevice_and_veventq(void **state)
{
	struct gfx g;
	unsigned long n;

	gfx_open(&g, false);
	n = ish_ioctl_count(g.fx.ctx);
	probe(&g);
	/* CFGI_ALL: the vDEVICE (the device already sits on the bypass proxy); TLBI_NSNH_ALL:
	 * one invalidation; EVENTQEN: the vEVENTQ */
	assert_int_equal(ish_ioctl_count(g.fx.ctx) - n, 3);
	assert_int_not_equal(ish_vsmmu_dev_find(g.vs, g.fx.dev_a)->vdevice, 0);
	assert_int_not_equal(g.vs->veventq, 0);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), 4);
	assert_int_equal(rd(&g, CR0ACK, 4), CMDQEN | EVENTQEN);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_BYPASS);
	/* SMMUEN with an invalid STE: abort */
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_ABORT);
	gfx_close(&g);
}

static void ste_bypass_translate_abort_through_cfgi_ste(void **state)
{
	struct gfx g;
	uint32_t first;

	gfx_open(&g, false);
	probe(&g);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	put_ste(&g, 0x8, STE_BYPASS, 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	put_cmd(&g, ISH_CMD_SYNC, 0);
	ring(&g);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_BYPASS);
	put_ste(&g, 0x8, STE_S1(G_CD), 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	put_cmd(&g, ISH_CMD_SYNC, 0);
	ring(&g);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_TRANSLATE);
	first = pt_of(&g, g.fx.dev_a);
	/* translate -> translate: a new nested HWPT, the old one freed */
	put_ste(&g, 0x8, STE_S1(G_CD + 0x1000), 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring(&g);
	assert_int_not_equal(pt_of(&g, g.fx.dev_a), first);
	assert_null(ish_obj_find(g.fx.ctx, first));
	put_ste(&g, 0x8, ISH_STE_V, 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring(&g);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_ABORT);
	assert_int_equal(ish_vmm_last_drain(g.vmm)->installs, 1);
	gfx_close(&g);
}

static void sixty_four_tlbis_are_one_kernel_call(void **state)
{
	struct gfx g;
	unsigned long n;
	int i;

	gfx_open(&g, false);
	probe(&g);
	for (i = 0; i < 64; i++)
		put_cmd(&g, ISH_CMD_TLBI_NH_VA | 1ULL << 48, (0x10000ULL + i * 0x1000) | 1);
	put_cmd(&g, ISH_CMD_SYNC, 0);
	n = ish_ioctl_count(g.fx.ctx);
	ring(&g);
	assert_int_equal(ish_ioctl_count(g.fx.ctx) - n, 1);
	assert_int_equal(ish_vmm_last_drain(g.vmm)->forwarded, 64);
	assert_int_equal(ish_vmm_last_drain(g.vmm)->batches, 1);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), g.prod);
	gfx_close(&g);
}

/* a host with ERRATA_REPEAT_TLBI_CFGI: each drain's invalidations go twice */
static void errata_host_repeats_each_drain(void **state)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	struct ish_sim_dev_cfg dev = { .bdf = "0000:00:07.0", .vendor = 0x1b36, .device = 5,
				       .class = 0xff00, .name = "test", .sid = 0x38, .vfio = true };
	struct ish_sim_smmu_cfg scfg;
	struct ish_mem *m;
	struct gfx g;
	unsigned long n;
	uint32_t id;
	int i, smmu;

	(void)state;
	memset(&g, 0, sizeof(g));
	fx_open(&g.fx);
	m = ish_mem_find(g.fx.ctx, g.fx.mem);
	g.ram = m->va;
	g.size = m->size;
	ish_sim_smmu_default(&scfg);
	scfg.hw_info_flags = IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI;
	smmu = ish_sim_add_smmu(g.fx.be, &scfg);
	assert_true(smmu >= 0);
	dev.smmu = (unsigned int)smmu;
	assert_int_equal(ish_sim_add_device(g.fx.be, &dev), 0);
	assert_int_equal(ish_device_bind(g.fx.ctx, dev.bdf, &id), 0);
	assert_int_equal(ish_vsmmu_create(g.fx.ctx, "vs0", g.fx.ioas, &cfg, &g.vs), 0);
	assert_int_equal(ish_vsmmu_plug(g.vs, id, 0x8), 0);
	assert_int_equal(ish_vmm_new(g.vs, &g_ops, &g, &g.vmm), 0);
	probe(&g);
	for (i = 0; i < 64; i++)
		put_cmd(&g, ISH_CMD_TLBI_NH_VA | 1ULL << 48, (0x10000ULL + i * 0x1000) | 1);
	put_cmd(&g, ISH_CMD_SYNC, 0);
	n = ish_ioctl_count(g.fx.ctx);
	ring(&g);
	/* the batch, then the same TLBIs again: two calls, each ending in the kernel's SYNC */
	assert_int_equal(ish_ioctl_count(g.fx.ctx) - n, 2);
	assert_int_equal(ish_vmm_last_drain(g.vmm)->forwarded, 64);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), g.prod);
	gfx_close(&g);
}

static void a_cfgi_ste_between_tlbis_splits_the_batch(void **state)
{
	struct gfx g;
	unsigned long n;

	gfx_open(&g, false);
	probe(&g);
	put_cmd(&g, ISH_CMD_TLBI_NH_ALL, 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	put_cmd(&g, ISH_CMD_TLBI_NH_ALL, 0);
	put_cmd(&g, ISH_CMD_CFGI_CD | 0x99ULL << 32, 0);	/* no vDEVICE: dropped */
	put_cmd(&g, ISH_CMD_SYNC, 0);
	n = ish_ioctl_count(g.fx.ctx);
	ring(&g);
	assert_int_equal(ish_vmm_last_drain(g.vmm)->batches, 2);
	assert_int_equal(ish_vmm_last_drain(g.vmm)->dropped, 1);
	assert_int_equal(ish_ioctl_count(g.fx.ctx) - n, 2);
	gfx_close(&g);
}

static void illegal_command_stops_the_queue_until_gerrorn(void **state)
{
	struct gfx g;
	uint32_t cons, gerror;
	unsigned long n;

	gfx_open(&g, false);
	probe(&g);
	cons = g.prod;
	put_cmd(&g, ISH_CMD_TLBI_NH_ALL, 0);
	put_cmd(&g, 0x7f, 0);				/* no such opcode */
	put_cmd(&g, ISH_CMD_TLBI_NH_ALL, 0);
	put_cmd(&g, ISH_CMD_SYNC, 0);
	n = ish_ioctl_count(g.fx.ctx);
	ring(&g);
	/* the TLBI before it was forwarded; CONS points at the bad one, ERR = CERROR_ILL */
	assert_int_equal(ish_ioctl_count(g.fx.ctx) - n, 1);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), (uint64_t)(1u << 24 | (cons + 1)));
	gerror = (uint32_t)rd(&g, GERROR, 4);
	assert_int_equal(gerror & 1, 1);
	assert_int_equal(g.irqs[ISH_VMM_IRQ_GERROR], 1);
	assert_non_null(strstr(ish_vmm_last_drain(g.vmm)->why, "0x7f"));
	/* stopped: a PROD write consumes nothing */
	ring(&g);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) & 0xfffff, cons + 1);
	/* the guest replaces it by a SYNC (as Linux does) and acknowledges */
	poke64(&g, G_CMDQ + (cons + 1) * 16, ISH_CMD_SYNC);
	n = ish_ioctl_count(g.fx.ctx);
	wr(&g, GERRORN, 4, gerror);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) & 0xfffff, g.prod);
	assert_int_equal(ish_ioctl_count(g.fx.ctx) - n, 1);
	gfx_close(&g);
}

static void a_command_the_kernel_refuses_is_cerror_ill(void **state)
{
	struct gfx g;
	uint32_t cons;

	gfx_open(&g, false);
	probe(&g);
	cons = g.prod;
	put_cmd(&g, ISH_CMD_TLBI_NH_ALL, 0);
	/* TLBI_NH_VA with TG=1 and NUM=SCALE=TTL=0: a reserved combination */
	put_cmd(&g, ISH_CMD_TLBI_NH_VA | 1ULL << 48, 0x10000 | 1ULL << 10);
	put_cmd(&g, ISH_CMD_TLBI_NH_ALL, 0);
	put_cmd(&g, ISH_CMD_SYNC, 0);
	ring(&g);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), (uint64_t)(1u << 24 | (cons + 1)));
	assert_int_equal(ish_vmm_last_drain(g.vmm)->forwarded, 1);
	assert_int_equal(rd(&g, GERROR, 4) & 1, 1);
	gfx_close(&g);
}

static void hostile_guest_values_are_errors_not_crashes(void **state)
{
	struct gfx g;
	uint64_t gpa;
	uint32_t gerror;

	gfx_open(&g, false);
	probe(&g);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	/* ATC_INV on an SMMU without ATS (the simulated host has none) */
	put_cmd(&g, ISH_CMD_ATC_INV | 0x8ULL << 32, 0);
	ring(&g);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) >> 24, ISH_CERROR_ILL);
	gerror = (uint32_t)rd(&g, GERROR, 4);
	poke64(&g, G_CMDQ + ((g.prod - 1) & 0xff) * 16, ISH_CMD_SYNC);
	wr(&g, GERRORN, 4, gerror);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) & 0xfffff, g.prod);
	/* a StreamID beyond SIDSIZE */
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x10000ULL << 32, 1);
	ring(&g);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) >> 24, ISH_CERROR_ILL);
	gerror = (uint32_t)rd(&g, GERROR, 4);
	poke64(&g, G_CMDQ + ((g.prod - 1) & 0xff) * 16, ISH_CMD_SYNC);
	wr(&g, GERRORN, 4, gerror);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) & 0xfffff, g.prod);
	/* a stream table outside guest RAM: the device's STE reads as invalid: abort */
	put_ste(&g, 0x8, STE_BYPASS, 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring(&g);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_BYPASS);
	poke64(&g, G_L1, 0x7fff000000ULL | 9);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring(&g);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_ABORT);
	/* an invalid L1 descriptor, a SID beyond its span */
	poke64(&g, G_L1, 0);
	assert_int_equal(ish_vmm_ste_addr(g.vmm, 0x8, &gpa), -ENOENT);
	poke64(&g, G_L1, G_L2 | 2);
	assert_int_equal(ish_vmm_ste_addr(g.vmm, 0x8, &gpa), -ERANGE);
	assert_int_equal(ish_vmm_ste_addr(g.vmm, 0x10000, &gpa), -ERANGE);
	poke64(&g, G_L1, G_L2 | 9);
	/* PROD bits above the wrap bit are RES0: the same index */
	put_cmd(&g, ISH_CMD_SYNC, 0);
	wr(&g, CMDQ_PROD, 4, 0xff000 | g.prod);
	assert_int_equal(rd(&g, CMDQ_PROD, 4), g.prod);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) & 0xfffff, g.prod);
	/* a command queue outside guest RAM: CERROR_ABT; LOG2SIZE beyond IDR1.CMDQS capped */
	wr(&g, CR0, 4, EVENTQEN | SMMUEN);
	wr(&g, CMDQ_BASE, 8, 0xfff00000000ULL | 31);
	wr(&g, CMDQ_PROD, 4, 0);
	wr(&g, CMDQ_CONS, 4, 0);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	wr(&g, CMDQ_PROD, 4, 0x7ffff);
	assert_int_equal(rd(&g, CMDQ_PROD, 4), 0x7ffff);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), (uint64_t)ISH_CERROR_ABT << 24);
	assert_int_not_equal((rd(&g, GERROR, 4) ^ rd(&g, GERRORN, 4)) & 1, 0);
	gfx_close(&g);
}

static void events_land_in_the_guest_queue_with_the_vsid(void **state)
{
	uint64_t evt[4] = { ISH_EVT_F_TRANSLATION | 0x8ULL << 32, 0, 0x1234000, 0 };
	struct gfx g;
	int i;

	gfx_open(&g, false);
	probe(&g);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	put_ste(&g, 0x8, STE_S1(G_CD), 0);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring(&g);
	assert_true(ish_vmm_event_fd(g.vmm) >= 0);
	assert_int_equal(ish_sim_inject_event(g.fx.be, BDF_A, evt), 1);
	assert_int_equal(ish_vmm_events(g.vmm, 0), 1);
	assert_int_equal(rd(&g, EVENTQ_PROD, 4), 1);
	assert_int_equal(peek64(&g, G_EVTQ) & 0xff, ISH_EVT_F_TRANSLATION);
	assert_int_equal(peek64(&g, G_EVTQ) >> 32, 0x8);
	assert_int_equal(g.irqs[ISH_VMM_IRQ_EVENTQ], 1);
	/* the guest never consumes: 2^7 - 1 more fill the queue, the next ones overflow */
	for (i = 0; i < 130; i++)
		assert_int_equal(ish_sim_inject_event(g.fx.be, BDF_A, evt), 1);
	assert_int_equal(ish_vmm_events(g.vmm, 0), 127);
	assert_int_equal(rd(&g, EVENTQ_PROD, 4), 1u << 31 | 1u << 7);	/* wrapped, OVFLG */
	/* the guest acknowledges: consume all, copy OVFLG */
	wr(&g, EVENTQ_CONS, 4, 1u << 31 | 1u << 7);
	assert_int_equal(ish_sim_inject_event(g.fx.be, BDF_A, evt), 1);
	assert_int_equal(ish_vmm_events(g.vmm, 0), 1);
	assert_int_equal(rd(&g, EVENTQ_PROD, 4), 1u << 31 | 1u << 7 | 1);
	/* event queue outside guest RAM: GERROR.EVENTQ_ABT_ERR */
	wr(&g, CR0, 4, CMDQEN | SMMUEN);
	wr(&g, EVENTQ_BASE, 8, 0xfff00000000ULL | 4);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	put_cmd(&g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	ring(&g);
	assert_int_equal(ish_sim_inject_event(g.fx.be, BDF_A, evt), 1);
	assert_int_equal(ish_vmm_events(g.vmm, 0), 0);
	assert_int_equal(rd(&g, GERROR, 4) & 0x4, 0x4);
	gfx_close(&g);
}

static void reset_puts_every_device_on_the_gbpa_proxy(void **state)
{
	struct gfx g;

	gfx_open(&g, true);
	probe(&g);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	put_ste(&g, 0x8, STE_S1(G_CD), 0);
	put_ste(&g, 0x10, STE_BYPASS, 0);
	put_cmd(&g, ISH_CMD_CFGI_STE_RANGE, 31);
	ring(&g);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_TRANSLATE);
	wr(&g, GBPA, 4, 1u << 31 | 1u << 20);
	assert_int_equal(ish_vmm_reset(g.vmm), 0);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_BYPASS);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_b), ISH_ROLE_BYPASS);
	assert_int_equal(g.vs->veventq, 0);
	assert_int_equal(ish_vmm_event_fd(g.vmm), -ENOENT);
	assert_int_equal(rd(&g, CR0ACK, 4), 0);
	assert_int_equal(rd(&g, GBPA, 4), 0x1000);
	gfx_close(&g);
}

static void cmd_sync_with_msi_writes_its_data(void **state)
{
	struct gfx g;

	gfx_open(&g, false);
	probe(&g);
	/* CS=SIG_IRQ, MSIData 0xcafe written at MSIAddress (Linux's MSI polling) */
	put_cmd(&g, ISH_CMD_SYNC | 1ULL << 12 | 0xcafeULL << 32, G_CD + 0x40);
	ring(&g);
	assert_int_equal(peek64(&g, G_CD + 0x40) & 0xffffffff, 0xcafe);
	assert_int_equal(rd(&g, GERROR, 4) & 0x10, 0);
	/* an MSI address outside guest RAM: GERROR.MSI_CMDQ_ABT_ERR, the SYNC still completes */
	put_cmd(&g, ISH_CMD_SYNC | 1ULL << 12 | 0xcafeULL << 32, 0x7fff0000000ULL);
	ring(&g);
	assert_int_equal(rd(&g, GERROR, 4) & 0x10, 0x10);
	assert_int_equal(rd(&g, CMDQ_CONS, 4), g.prod);
	/* CS=3 is reserved */
	put_cmd(&g, ISH_CMD_SYNC | 3ULL << 12, 0);
	ring(&g);
	assert_int_equal(rd(&g, CMDQ_CONS, 4) >> 24, ISH_CERROR_ILL);
	gfx_close(&g);
}

static void queue_sizes_are_capped_at_the_architectures_largest(void **state)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	struct ish_vmm_queue q;
	struct gfx g;

	memset(&g, 0, sizeof(g));
	fx_open(&g.fx);
	g.ram = ish_mem_find(g.fx.ctx, g.fx.mem)->va;
	g.size = 2 << 20;
	/* a vSMMU told to advertise 2^31-entry queues */
	cfg.idr[1] = 31u << 16 | 31u << 21;
	cfg.idr_mask[1] = 0x1fu << 16 | 0x1fu << 21;
	assert_int_equal(ish_vsmmu_create(g.fx.ctx, "vs0", g.fx.ioas, &cfg, &g.vs), 0);
	assert_int_equal(ish_vsmmu_plug(g.vs, g.fx.dev_a, 0x8), 0);
	assert_int_equal(ish_vmm_new(g.vs, &g_ops, &g, &g.vmm), 0);
	wr(&g, EVENTQ_BASE, 8, G_EVTQ | 31);
	wr(&g, CMDQ_BASE, 8, G_CMDQ | 31);
	wr(&g, CR0, 4, EVENTQEN | CMDQEN);
	ish_vmm_eventq(g.vmm, &q);
	assert_int_equal(q.log2size, 19);
	ish_vmm_cmdq(g.vmm, &q);
	assert_int_equal(q.log2size, 19);
	/* the vEVENTQ is as deep as the kernel allows: 2^19 */
	assert_int_equal(rd(&g, CR0ACK, 4), EVENTQEN | CMDQEN);
	assert_int_not_equal(g.vs->veventq, 0);
	gfx_close(&g);
}

/* a tiny deterministic generator: the same hostile guest every run */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* a command a buggy driver might queue: mostly well-formed, sometimes not */
static void random_cmd(struct gfx *g, uint64_t *seed)
{
	static const uint32_t sids[] = { 0x8, 0x10, 0x0, 0x99, 0xffff, 0x10000 };
	uint64_t r = rnd(seed), sid = sids[r % 6];

	switch ((r >> 8) % 10) {
	case 0: put_cmd(g, ISH_CMD_CFGI_STE | sid << 32, 1); break;
	case 1: put_cmd(g, ISH_CMD_CFGI_STE_RANGE | sid << 32, (r >> 16) & 0x1f); break;
	case 2: put_cmd(g, ISH_CMD_CFGI_CD | sid << 32, 0); break;
	case 3: put_cmd(g, ISH_CMD_TLBI_NH_ASID | (r >> 16 & 0xffff) << 48, 0); break;
	case 4: put_cmd(g, ISH_CMD_TLBI_NH_VA | 1ULL << 48,
			r & 0x100000 ? rnd(seed) : (rnd(seed) & 0xfffff000) | 1); break;
	case 5: put_cmd(g, ISH_CMD_SYNC, 0); break;
	case 6: put_cmd(g, ISH_CMD_ATC_INV | sid << 32, 0); break;
	case 7: put_cmd(g, ISH_CMD_TLBI_NSNH_ALL, 0); break;
	case 8: put_cmd(g, ISH_CMD_PREFETCH_CONFIG | sid << 32, 0); break;
	default:
		if (r & 0x3000000)
			put_cmd(g, ISH_CMD_TLBI_NH_ALL, 0);
		else
			put_cmd(g, rnd(seed), rnd(seed));
		break;
	}
}

static void random_ste(struct gfx *g, uint64_t *seed)
{
	uint64_t r = rnd(seed), w0, gpa;
	uint32_t sid = r & 1 ? 0x8 : 0x10;

	switch ((r >> 1) % 5) {
	case 0: w0 = ISH_STE_V; break;
	case 1: w0 = STE_BYPASS; break;
	case 2: w0 = STE_S1(G_CD + ((r >> 8) & 0xf) * 0x1000); break;
	case 3: w0 = 0; break;
	default: w0 = rnd(seed); break;
	}
	/* the guest may have pointed its stream table anywhere */
	if (ish_vmm_ste_addr(g->vmm, sid, &gpa) < 0 || gpa > g->size - 16)
		return;
	poke64(g, gpa, w0);
	poke64(g, gpa + 8, r & 0x100 ? rnd(seed) : 0);
}

static void random_guest_never_breaks_the_model(void **state)
{
	static const uint32_t offs[] = { CR0, CR1, CR2, GBPA, IRQ_CTRL, GERRORN, STRTAB_BASE,
					 STRTAB_BASE_CFG, CMDQ_BASE, CMDQ_PROD, CMDQ_CONS,
					 EVENTQ_BASE, EVENTQ_PROD, EVENTQ_CONS, 0x100a8, 0x100ac };
	uint64_t evt[4] = { ISH_EVT_F_TRANSLATION | 0x8ULL << 32, 0, 0x1000, 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL, v;
	struct ish_vmm_stats st;
	struct gfx g;
	int i, k, n;

	gfx_open(&g, true);
	probe(&g);
	wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	for (i = 0; i < 4000; i++) {
		uint64_t r = rnd(&seed);
		uint32_t off = offs[(r >> 8) % (sizeof(offs) / sizeof(offs[0]))];

		switch (r % 8) {
		case 0:
			/* a register written with garbage; the queues and tables stay put */
			if (off == CMDQ_BASE || off == STRTAB_BASE || off == STRTAB_BASE_CFG ||
			    off == EVENTQ_BASE) {
				if (!(r & 0x10000))
					break;
				v = rnd(&seed);
			} else {
				v = (uint32_t)rnd(&seed);
			}
			(void)ish_vmm_mmio_write(g.vmm, off, off == CMDQ_BASE ||
						 off == STRTAB_BASE || off == EVENTQ_BASE ? 8 : 4, v);
			if (off == CMDQ_PROD || off == CMDQ_CONS)
				g.prod = (uint32_t)(rd(&g, CMDQ_PROD, 4));
			break;
		case 1: case 2: case 3:
			n = 1 + (int)((r >> 8) % 8);
			for (k = 0; k < n; k++)
				random_cmd(&g, &seed);
			(void)ish_vmm_mmio_write(g.vmm, CMDQ_PROD, 4, g.prod);
			break;
		case 4:
			random_ste(&g, &seed);
			break;
		case 5:
			/* as Linux's handler: a SYNC over the bad command, then acknowledge */
			if ((rd(&g, GERROR, 4) ^ rd(&g, GERRORN, 4)) & 1) {
				uint32_t c = (uint32_t)rd(&g, CMDQ_CONS, 4) & ((1u << CMDQ_LOG2) - 1);

				poke64(&g, G_CMDQ + c * 16, ISH_CMD_SYNC);
				poke64(&g, G_CMDQ + c * 16 + 8, 0);
			}
			wr(&g, GERRORN, 4, rd(&g, GERROR, 4));
			break;
		case 6:
			ish_sim_inject_event(g.fx.be, BDF_A, evt);
			assert_true(ish_vmm_events(g.vmm, 0) >= 0);
			break;
		default:
			(void)ish_vmm_mmio_write(g.vmm, CR0, 4, CMDQEN | (r >> 8 & (EVENTQEN | SMMUEN)));
			break;
		}
		if (!(i % 64))
			assert_sane_objects(&g);
		/* now and then the driver starts over: queues and tables where it keeps them */
		if (i % 50 == 49) {
			wr(&g, CR0, 4, 0);
			wr(&g, STRTAB_BASE, 8, G_L1);
			wr(&g, STRTAB_BASE_CFG, 4, 1 << 16 | 8 << 6 | 16);
			poke64(&g, G_L1, G_L2 | 9);
			wr(&g, CMDQ_BASE, 8, G_CMDQ | CMDQ_LOG2);
			wr(&g, CMDQ_PROD, 4, 0);
			wr(&g, CMDQ_CONS, 4, 0);
			wr(&g, EVENTQ_BASE, 8, G_EVTQ | EVTQ_LOG2);
			g.prod = 0;
			wr(&g, GERRORN, 4, rd(&g, GERROR, 4));
			wr(&g, CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
		}
	}
	ish_vmm_get_stats(g.vmm, &st);
	print_message("random guest: %lu commands, %lu installs, %lu forwarded in %lu batches, "
		      "%lu CMDQ errors, %lu events\n", st.commands, st.installs, st.forwarded,
		      st.batches, st.cmdq_errors, st.events);
	/* it did reach the model and the kernel, and the guest saw its errors */
	assert_true(st.commands > 1000 && st.installs > 50 && st.batches > 50 &&
		    st.cmdq_errors > 10);
	assert_sane_objects(&g);
	assert_int_equal(ish_vmm_reset(g.vmm), 0);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_BYPASS);
	assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_b), ISH_ROLE_BYPASS);
	gfx_close(&g);
}

/* ---- fail-Nth through the front end -------------------------------------------------------- */

static int guest_story(struct gfx *g)
{
	int rc, i;

#define W(off, w, val) do { if ((rc = ish_vmm_mmio_write(g->vmm, off, w, val)) < 0) return rc; } while (0)
	W(CR0, 4, 0);
	W(STRTAB_BASE, 8, G_L1);
	W(STRTAB_BASE_CFG, 4, 1 << 16 | 8 << 6 | 16);
	poke64(g, G_L1, G_L2 | 9);
	W(CMDQ_BASE, 8, G_CMDQ | CMDQ_LOG2);
	W(EVENTQ_BASE, 8, G_EVTQ | EVTQ_LOG2);
	W(CR0, 4, CMDQEN);
	put_cmd(g, ISH_CMD_CFGI_STE_RANGE, 31);
	put_cmd(g, ISH_CMD_SYNC, 0);
	W(CMDQ_PROD, 4, g->prod);
	W(CR0, 4, CMDQEN | EVENTQEN);
	W(CR0, 4, CMDQEN | EVENTQEN | SMMUEN);
	put_ste(g, 0x8, STE_S1(G_CD), 0);
	put_ste(g, 0x10, STE_BYPASS, 0);
	put_cmd(g, ISH_CMD_CFGI_STE_RANGE, 31);
	for (i = 0; i < 8; i++)
		put_cmd(g, ISH_CMD_TLBI_NH_ASID | (uint64_t)(i + 1) << 48, 0);
	put_cmd(g, ISH_CMD_CFGI_CD | 0x8ULL << 32, 0);
	put_cmd(g, ISH_CMD_SYNC, 0);
	W(CMDQ_PROD, 4, g->prod);
	W(GBPA, 4, 1u << 31 | 1u << 20);
	put_ste(g, 0x8, STE_S1(G_CD + 0x1000), 0);
	put_cmd(g, ISH_CMD_CFGI_STE | 0x8ULL << 32, 1);
	W(CMDQ_PROD, 4, g->prod);
	if ((rc = ish_vmm_events(g->vmm, 0)) < 0)
		return rc;
	W(CR0, 4, CMDQEN | EVENTQEN);
#undef W
	return ish_vmm_reset(g->vmm);
}

/* each vSMMU device on an existing page table; a stopped queue is the guest's only trace */
static void assert_sane(struct gfx *g)
{
	struct ish_vsmmu_dev *d;

	for (d = ish_vsmmu_dev_first(g->vs); d; d = ish_vsmmu_dev_next(d)) {
		assert_non_null(ish_obj_find(g->fx.ctx, pt_of(g, d->dev)));
		assert_int_not_equal(ish_vsmmu_role(g->vs, d->dev), ISH_ROLE_NONE);
		if (d->translate)
			assert_non_null(ish_obj_find(g->fx.ctx, d->translate));
	}
	if (g->vs->veventq)
		assert_non_null(ish_obj_find(g->fx.ctx, g->vs->veventq));
}

static void fail_nth_through_the_front_end_leaves_the_model_consistent(void **state)
{
	static const int errs[] = { ENOMEM, EIO };
	unsigned int k;
	unsigned long n;
	struct gfx g;
	bool hit;
	int rc;

	for (k = 0; k < 2; k++) {
		gfx_open(&g, true);
		assert_int_equal(guest_story(&g), 0);
		gfx_close(&g);
		for (n = 1; n < 500; n++) {
			gfx_open(&g, true);
			ish_fail_nth(g.fx.ctx, n, errs[k]);
			rc = guest_story(&g);
			hit = ish_fail_hit(g.fx.ctx);
			ish_fail_nth(g.fx.ctx, 0, 0);
			if (!hit) {
				assert_int_equal(rc, 0);
				gfx_close(&g);
				break;
			}
			if (rc < 0 && rc != -errs[k])
				fail_msg("call %lu: expected -%d, got %d", n, errs[k], rc);
			assert_sane(&g);
			/* whatever happened, a reset brings every device back to a proxy */
			assert_int_equal(ish_vmm_reset(g.vmm), 0);
			assert_int_equal(ish_vsmmu_role(g.vs, g.fx.dev_a), ISH_ROLE_BYPASS);
			gfx_close(&g);
		}
		assert_true(n > 5 && n < 500);
		print_message("guest story, %s: %lu calls swept\n", k ? "EIO" : "ENOMEM", n - 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registers_read_as_the_architecture_says),
		cmocka_unit_test(widths_and_halves_of_64_bit_registers),
		cmocka_unit_test(gbpa_needs_update_and_moves_the_devices),
		cmocka_unit_test(linux_probe_allocates_vdevice_and_veventq),
		cmocka_unit_test(ste_bypass_translate_abort_through_cfgi_ste),
		cmocka_unit_test(sixty_four_tlbis_are_one_kernel_call),
		cmocka_unit_test(errata_host_repeats_each_drain),
		cmocka_unit_test(a_cfgi_ste_between_tlbis_splits_the_batch),
		cmocka_unit_test(illegal_command_stops_the_queue_until_gerrorn),
		cmocka_unit_test(a_command_the_kernel_refuses_is_cerror_ill),
		cmocka_unit_test(hostile_guest_values_are_errors_not_crashes),
		cmocka_unit_test(events_land_in_the_guest_queue_with_the_vsid),
		cmocka_unit_test(reset_puts_every_device_on_the_gbpa_proxy),
		cmocka_unit_test(cmd_sync_with_msi_writes_its_data),
		cmocka_unit_test(queue_sizes_are_capped_at_the_architectures_largest),
		cmocka_unit_test(random_guest_never_breaks_the_model),
		cmocka_unit_test(fail_nth_through_the_front_end_leaves_the_model_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
