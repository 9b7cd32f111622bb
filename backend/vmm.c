// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMM front end (vmm.h): the SMMUv3 register file, the guest's stream table, command queue
 * and event queue, driving the vSMMU model through its public functions only. Register
 * offsets, field positions and queue formats are architectural facts (SMMUv3 specification,
 * Linux arm-smmu-v3.h); the behaviour of each register follows the specification's chapter 6.
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"
#include "iommush/smmu.h"
#include "iommush/vmm.h"

/* ---- the few places that read the model's structs (to become accessors, issue 8) --------- */

static struct ish_ctx *vs_ctx(const struct ish_vsmmu *vs)
{
	return vs->ctx;
}

/* the IDRs the model advertises; before an auto vSMMU's first device, the forced fields */
static void vs_idr(const struct ish_vsmmu *vs, uint32_t idr[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		idr[i] = vs->idr_valid ? vs->idr[i] : vs->cfg.idr[i] & vs->cfg.idr_mask[i];
}

static bool vs_gbpa_abort_at_create(const struct ish_vsmmu *vs)
{
	return vs->cfg.gbpa_abort;
}

static bool vs_enabled(const struct ish_vsmmu *vs)
{
	return vs->enabled;
}

static bool vs_gbpa_abort(const struct ish_vsmmu *vs)
{
	return vs->gbpa_abort;
}

static uint32_t vs_veventq(const struct ish_vsmmu *vs)
{
	return vs->veventq;
}

/* the fd of its vEVENTQ, -ENOENT when it has none */
static int vs_veventq_fd(const struct ish_vsmmu *vs)
{
	struct ish_obj *q = vs->veventq ? ish_obj_find(vs->ctx, vs->veventq) : NULL;

	if (!q || q->type != ISH_OBJ_VEVENTQ || q->u.veventq.fd < 0)
		return -ENOENT;
	return q->u.veventq.fd;
}

/* call @fn for every device set on the vSMMU whose vSID is in [lo, hi] */
static int vs_each_dev(struct ish_vsmmu *vs, uint32_t lo, uint32_t hi,
		       int (*fn)(void *arg, uint32_t dev, uint32_t vsid), void *arg)
{
	struct ish_vsmmu_dev *d;
	int rc;

	for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
		if (d->vsid < lo || d->vsid > hi)
			continue;
		rc = fn(arg, d->dev, d->vsid);
		if (rc)
			return rc;
	}
	return 0;
}

/* whether the device of @vsid has a vDEVICE: the model's vSID index, O(1) */
static bool vs_vsid_has_vdevice(struct ish_vsmmu *vs, uint32_t vsid)
{
	const struct ish_vsmmu_dev *d = ish_vsmmu_dev_by_vsid(vs, vsid);

	return d && d->vdevice;
}

/* ---- register offsets and fields (SMMUv3 spec, 6.3) -------------------------------------- */

#define R_IDR0		0x00
#define R_IDR1		0x04
#define R_IDR2		0x08
#define R_IDR3		0x0c
#define R_IDR4		0x10
#define R_IDR5		0x14
#define R_IIDR		0x18
#define R_AIDR		0x1c
#define R_CR0		0x20
#define R_CR0ACK	0x24
#define R_CR1		0x28
#define R_CR2		0x2c
#define R_STATUSR	0x40
#define R_GBPA		0x44
#define R_AGBPA		0x48
#define R_IRQ_CTRL	0x50
#define R_IRQ_CTRLACK	0x54
#define R_GERROR	0x60
#define R_GERRORN	0x64
#define R_GERROR_IRQ_CFG0 0x68
#define R_GERROR_IRQ_CFG1 0x70
#define R_GERROR_IRQ_CFG2 0x74
#define R_STRTAB_BASE	0x80
#define R_STRTAB_BASE_CFG 0x88
#define R_CMDQ_BASE	0x90
#define R_CMDQ_PROD	0x98
#define R_CMDQ_CONS	0x9c
#define R_EVENTQ_BASE	0xa0
#define R_EVENTQ_PROD	0xa8
#define R_EVENTQ_CONS	0xac
#define R_EVENTQ_IRQ_CFG0 0xb0
#define R_EVENTQ_IRQ_CFG1 0xb8
#define R_EVENTQ_IRQ_CFG2 0xbc
#define PAGE1		0x10000
#define WINDOW		0x20000

#define CR0_SMMUEN	(1u << 0)
#define CR0_PRIQEN	(1u << 1)
#define CR0_EVENTQEN	(1u << 2)
#define CR0_CMDQEN	(1u << 3)
#define CR0_ATSCHK	(1u << 4)
/* PRIQEN (no PRI) and VMW (no stage 2) are RES0 here */
#define CR0_RW		(CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN | CR0_ATSCHK)
#define CR1_RW		0xfffu
#define CR2_RW		0x7u
#define GBPA_UPDATE	(1u << 31)
#define GBPA_ABORT	(1u << 20)
/* MEMATTR, MTCFG, ALLOCCFG, SHCFG, PRIVCFG, INSTCFG, ABORT */
#define GBPA_RW		(0xfu | 1u << 4 | 0xfu << 8 | 3u << 12 | 3u << 16 | 3u << 18 | GBPA_ABORT)
#define GBPA_RESET	(1u << 12)	/* SHCFG = use incoming */
#define IRQ_GERROR	(1u << 0)
#define IRQ_EVENTQ	(1u << 2)
#define IRQ_CTRL_RW	(IRQ_GERROR | IRQ_EVENTQ)	/* PRI_IRQEN RES0: no PRI */
#define GERR_CMDQ	(1u << 0)
#define GERR_EVENTQ_ABT	(1u << 2)
#define GERR_MSI_CMDQ_ABT (1u << 4)
#define GERR_MASK	0x1fdu
#define IRQ_CFG0_ADDR	0x000ffffffffffffcULL	/* ADDR[51:2] */
#define IRQ_CFG2_RW	0x3fu			/* MemAttr, SH */
#define STRTAB_BASE_RW	(1ULL << 62 | 0x000fffffffffffc0ULL)	/* RA, ADDR[51:6] */
#define STRTAB_ADDR	0x000fffffffffffc0ULL
#define STRTAB_CFG_RW	(0x3fu | 0x1fu << 6 | 3u << 16)		/* LOG2SIZE, SPLIT, FMT */
#define Q_BASE_RW	(1ULL << 62 | 0x000fffffffffffe0ULL | 0x1f)	/* RA/WA, ADDR[51:5], LOG2SIZE */
#define Q_ADDR		0x000fffffffffffe0ULL
#define Q_IDX		0xfffffu	/* PROD/CONS: index and wrap, up to 2^19 entries */
#define Q_LOG2_MAX	19
#define CONS_ERR_SHIFT	24
#define CONS_ERR	(0x7fu << CONS_ERR_SHIFT)
#define EVQ_OVFLG	(1u << 31)
#define AIDR_VALUE	0x1u		/* SMMUv3.1 */
#define IIDR_VALUE	0x0u		/* no JEP106 implementer: a software SMMU */

/* IDR bits this front end does not emulate (see vmm.h) */
#define IDR0_S2P	(1u << 0)
#define IDR0_BTM	(1u << 5)
#define IDR0_HYP	(1u << 9)
#define IDR0_ATS	(1u << 10)
#define IDR0_MSI	(1u << 13)
#define IDR0_ATOS	(1u << 15)
#define IDR0_PRI	(1u << 16)
#define IDR0_VATOS	(1u << 20)
#define IDR0_STALL_MODEL (3u << 24)
#define IDR0_STALL_TERM_ONLY (1u << 24)
#define IDR0_ST_LEVEL_2	(1u << 27)
#define IDR1_PRIQS	(0x1fu << 11)
#define IDR1_PRESET	(7u << 28)	/* REL, QUEUES_PRESET, TABLES_PRESET */
#define IDR1_ECMDQ	(1u << 31)
#define IDR1_SIDSIZE(v)	((v) & 0x3f)
#define IDR1_EVENTQS(v)	(((v) >> 16) & 0x1f)
#define IDR1_CMDQS(v)	(((v) >> 21) & 0x1f)

#define F(n, l, h, hp)		{ .name = n, .word = 0, .lo = l, .hi = h, .help = hp }
#define FA(n, l, h, hp)		{ .name = n, .word = 0, .lo = l, .hi = h, .help = hp, \
				  .flags = ISH_FIELD_ADDR }
#define FEND			{ .name = NULL }

static const struct ish_field f_cr0[] = {
	F("smmuen", 0, 0, "translation enabled (else every stream takes GBPA)"),
	F("priqen", 1, 1, "PRI queue enabled (RES0: no PRI)"),
	F("eventqen", 2, 2, "event queue enabled"),
	F("cmdqen", 3, 3, "command queue enabled"),
	F("atschk", 4, 4, "ATS translated transactions checked"),
	F("vmw", 6, 8, "VMID wildcard (RES0: no stage 2)"),
	FEND,
};
static const struct ish_field f_cr1[] = {
	F("queue_ic", 0, 1, "queue inner cacheability"),
	F("queue_oc", 2, 3, "queue outer cacheability"),
	F("queue_sh", 4, 5, "queue shareability"),
	F("table_ic", 6, 7, "table inner cacheability"),
	F("table_oc", 8, 9, "table outer cacheability"),
	F("table_sh", 10, 11, "table shareability"),
	FEND,
};
static const struct ish_field f_cr2[] = {
	F("e2h", 0, 0, "EL2-E2H translation regime"),
	F("recinvsid", 1, 1, "record C_BAD_STREAMID events"),
	F("ptm", 2, 2, "private TLB maintenance"),
	FEND,
};
static const struct ish_field f_iidr[] = {
	F("implementer", 0, 11, "JEP106 code of the implementer"),
	F("revision", 12, 15, "minor revision"),
	F("variant", 16, 19, "major revision"),
	F("productid", 20, 31, "product"),
	FEND,
};
static const struct ish_field f_aidr[] = {
	F("archminorrev", 0, 3, "SMMUv3.x: x"),
	F("archmajorrev", 4, 7, "0: SMMUv3"),
	FEND,
};
static const struct ish_field f_statusr[] = {
	F("dormant", 0, 0, "dormant (RAZ)"),
	FEND,
};
static const struct ish_field f_gbpa[] = {
	F("memattr", 0, 3, "memory attribute"),
	F("mtcfg", 4, 4, "memory type override"),
	F("alloccfg", 8, 11, "allocation hints"),
	F("shcfg", 12, 13, "shareability"),
	F("privcfg", 16, 17, "privilege"),
	F("instcfg", 18, 19, "instruction/data"),
	F("abort", 20, 20, "1: abort incoming transactions while SMMUEN is clear"),
	F("update", 31, 31, "write 1 with the new fields; reads 1 until they took effect"),
	FEND,
};
static const struct ish_field f_irq_ctrl[] = {
	F("gerror_irqen", 0, 0, "global error interrupt"),
	F("priq_irqen", 1, 1, "PRI queue interrupt (RES0)"),
	F("eventq_irqen", 2, 2, "event queue interrupt"),
	FEND,
};
static const struct ish_field f_gerror[] = {
	F("cmdq_err", 0, 0, "command queue error (CMDQ_CONS.ERR)"),
	F("eventq_abt_err", 2, 2, "an event queue write aborted"),
	F("priq_abt_err", 3, 3, "a PRI queue write aborted"),
	F("msi_cmdq_abt_err", 4, 4, "a CMD_SYNC MSI write aborted"),
	F("msi_eventq_abt_err", 5, 5, "an event queue MSI aborted"),
	F("msi_priq_abt_err", 6, 6, "a PRI queue MSI aborted"),
	F("msi_gerror_abt_err", 7, 7, "a GERROR MSI aborted"),
	F("sfm_err", 8, 8, "service failure mode"),
	FEND,
};
static const struct ish_field f_irq_cfg0[] = {
	FA("addr", 2, 51, "MSI address"),
	FEND,
};
static const struct ish_field f_irq_cfg1[] = {
	F("data", 0, 31, "MSI payload"),
	FEND,
};
static const struct ish_field f_irq_cfg2[] = {
	F("memattr", 0, 3, "MSI memory attributes"),
	F("sh", 4, 5, "MSI shareability"),
	FEND,
};
static const struct ish_field f_strtab_base[] = {
	FA("addr", 6, 51, "stream table (linear) or L1 table (2-level) address"),
	F("ra", 62, 62, "read-allocate hint"),
	FEND,
};
static const struct ish_field f_strtab_cfg[] = {
	F("log2size", 0, 5, "log2 of the StreamIDs covered (capped by IDR1.SIDSIZE)"),
	F("split", 6, 10, "2-level: StreamID bits resolved by the L2 tables (6, 8 or 10)"),
	F("fmt", 16, 17, "0 linear, 1 2-level"),
	FEND,
};
static const struct ish_field f_cmdq_base[] = {
	F("log2size", 0, 4, "log2 of the entries (capped by IDR1.CMDQS)"),
	FA("addr", 5, 51, "queue address"),
	F("ra", 62, 62, "read-allocate hint"),
	FEND,
};
static const struct ish_field f_cmdq_prod[] = {
	F("prod", 0, 19, "write index, the wrap bit just above it"),
	FEND,
};
static const struct ish_field f_cmdq_cons[] = {
	F("cons", 0, 19, "read index, the wrap bit just above it"),
	F("err", 24, 30, "the last command error: 0 none, 1 CERROR_ILL, 2 CERROR_ABT"),
	FEND,
};
static const struct ish_field f_eventq_base[] = {
	F("log2size", 0, 4, "log2 of the entries (capped by IDR1.EVENTQS)"),
	FA("addr", 5, 51, "queue address"),
	F("wa", 62, 62, "write-allocate hint"),
	FEND,
};
static const struct ish_field f_eventq_prod[] = {
	F("prod", 0, 19, "write index, the wrap bit just above it"),
	F("ovflg", 31, 31, "toggled when events were lost (queue full)"),
	FEND,
};
static const struct ish_field f_eventq_cons[] = {
	F("cons", 0, 19, "read index, the wrap bit just above it"),
	F("ovackflg", 31, 31, "the guest copies OVFLG here to acknowledge"),
	FEND,
};

#define REG(n, o, w, f, ro, h)	{ n, o, w, f, -1, ro, h }
#define IDR(n, o, i, h)		{ n, o, 4, NULL, i, true, h }

const struct ish_vmm_reg ish_vmm_regs[] = {
	IDR("idr0", R_IDR0, 0, "features: stage 1, table formats, stream table levels..."),
	IDR("idr1", R_IDR1, 1, "sizes: StreamID, SubstreamID, queues"),
	IDR("idr2", R_IDR2, 2, "VATOS (0)"),
	IDR("idr3", R_IDR3, 3, "more features: RIL, BBML..."),
	IDR("idr4", R_IDR4, 4, "implementation defined (0)"),
	IDR("idr5", R_IDR5, 5, "output address size and granules"),
	REG("iidr", R_IIDR, 4, f_iidr, true, "implementation identification"),
	REG("aidr", R_AIDR, 4, f_aidr, true, "architecture version"),
	REG("cr0", R_CR0, 4, f_cr0, false, "enables: SMMUEN, EVENTQEN, CMDQEN"),
	REG("cr0ack", R_CR0ACK, 4, f_cr0, true, "what of CR0 took effect"),
	REG("cr1", R_CR1, 4, f_cr1, false, "table and queue attributes"),
	REG("cr2", R_CR2, 4, f_cr2, false, "E2H, RECINVSID, PTM"),
	REG("statusr", R_STATUSR, 4, f_statusr, true, "status (RAZ)"),
	REG("gbpa", R_GBPA, 4, f_gbpa, false, "global bypass attributes: ABORT with UPDATE"),
	REG("agbpa", R_AGBPA, 4, NULL, true, "alternate bypass attributes (RAZ/WI)"),
	REG("irq_ctrl", R_IRQ_CTRL, 4, f_irq_ctrl, false, "interrupt enables"),
	REG("irq_ctrlack", R_IRQ_CTRLACK, 4, f_irq_ctrl, true, "what of IRQ_CTRL took effect"),
	REG("gerror", R_GERROR, 4, f_gerror, true, "global errors: active where it differs "
	    "from GERRORN"),
	REG("gerrorn", R_GERRORN, 4, f_gerror, false, "the guest acknowledges a GERROR bit by "
	    "copying it here"),
	REG("gerror_irq_cfg0", R_GERROR_IRQ_CFG0, 8, f_irq_cfg0, false, "GERROR MSI address"),
	REG("gerror_irq_cfg1", R_GERROR_IRQ_CFG1, 4, f_irq_cfg1, false, "GERROR MSI data"),
	REG("gerror_irq_cfg2", R_GERROR_IRQ_CFG2, 4, f_irq_cfg2, false, "GERROR MSI attributes"),
	REG("strtab_base", R_STRTAB_BASE, 8, f_strtab_base, false, "stream table address"),
	REG("strtab_base_cfg", R_STRTAB_BASE_CFG, 4, f_strtab_cfg, false, "stream table format "
	    "and size"),
	REG("cmdq_base", R_CMDQ_BASE, 8, f_cmdq_base, false, "command queue address and size"),
	REG("cmdq_prod", R_CMDQ_PROD, 4, f_cmdq_prod, false, "the guest's write index: writing "
	    "it consumes the queue"),
	REG("cmdq_cons", R_CMDQ_CONS, 4, f_cmdq_cons, false, "the SMMU's read index and error "
	    "(writable while CMDQEN is clear)"),
	REG("eventq_base", R_EVENTQ_BASE, 8, f_eventq_base, false, "event queue address and size"),
	REG("eventq_prod", R_EVENTQ_PROD, 4, f_eventq_prod, false, "the SMMU's write index "
	    "(writable while EVENTQEN is clear); also at 0x100a8"),
	REG("eventq_cons", R_EVENTQ_CONS, 4, f_eventq_cons, false, "the guest's read index; "
	    "also at 0x100ac"),
	REG("eventq_irq_cfg0", R_EVENTQ_IRQ_CFG0, 8, f_irq_cfg0, false, "event queue MSI address"),
	REG("eventq_irq_cfg1", R_EVENTQ_IRQ_CFG1, 4, f_irq_cfg1, false, "event queue MSI data"),
	REG("eventq_irq_cfg2", R_EVENTQ_IRQ_CFG2, 4, f_irq_cfg2, false,
	    "event queue MSI attributes"),
	{ .name = NULL },
};

const struct ish_vmm_reg *ish_vmm_reg_find(const char *name)
{
	const struct ish_vmm_reg *r;

	for (r = ish_vmm_regs; name && r->name; r++)
		if (!strcasecmp(r->name, name))
			return r;
	return NULL;
}

const struct ish_vmm_reg *ish_vmm_reg_at(uint64_t offset)
{
	const struct ish_vmm_reg *r;

	if (offset == PAGE1 + R_EVENTQ_PROD || offset == PAGE1 + R_EVENTQ_CONS)
		offset -= PAGE1;
	for (r = ish_vmm_regs; r->name; r++)
		if (offset >= r->offset && offset < r->offset + r->width)
			return r;
	return NULL;
}

int ish_vmm_reg_format(const struct ish_vmm_reg *r, uint64_t val, char *buf, size_t len)
{
	const struct ish_idr_field *g;
	const struct ish_field *f;
	size_t n = 0;
	int k;

	if (len)
		buf[0] = '\0';
#define OUT(...) do { k = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, \
				  __VA_ARGS__); n += (size_t)(k > 0 ? k : 0); } while (0)
	if (r->idr >= 0) {
		uint32_t idr[6] = { 0 };

		idr[r->idr] = (uint32_t)val;
		for (g = ish_idr_fields; g->name; g++)
			if ((int)g->reg == r->idr) {
				char lower[32];
				size_t i;

				for (i = 0; g->name[i] && i < sizeof(lower) - 1; i++)
					lower[i] = (char)tolower((unsigned char)g->name[i]);
				lower[i] = '\0';
				OUT("%s%s=%u", n ? " " : "", lower, ish_idr_get(g, idr));
			}
		return (int)n;
	}
	for (f = r->fields; f && f->name; f++) {
		uint64_t v = ish_field_get(f, &val);

		OUT(v > 9 ? "%s%s=0x%llx" : "%s%s=%llu", n ? " " : "", f->name,
		    (unsigned long long)v);
	}
#undef OUT
	return (int)n;
}

int ish_vmm_reg_set_field(const struct ish_vmm_reg *r, uint64_t *val, const char *name,
			  uint64_t v)
{
	const struct ish_idr_field *g;
	const struct ish_field *f;

	if (r->idr >= 0) {
		g = ish_idr_find(name);
		if (!g || (int)g->reg != r->idr)
			return -ENOENT;
		if (g->hi - g->lo < 31 && v >> (g->hi - g->lo + 1))
			return -ERANGE;
		*val = (*val & ~(((1ULL << (g->hi - g->lo + 1)) - 1) << g->lo)) | v << g->lo;
		return 0;
	}
	f = r->fields ? ish_field_find(r->fields, name) : NULL;
	if (!f)
		return -ENOENT;
	return ish_field_set(f, val, v);
}

const char *ish_cerror_name(unsigned int err)
{
	switch (err) {
	case ISH_CERROR_NONE: return "CERROR_NONE";
	case ISH_CERROR_ILL: return "CERROR_ILL";
	case ISH_CERROR_ABT: return "CERROR_ABT";
	case 3: return "CERROR_ATC_INV_SYNC";
	}
	return "CERROR_?";
}

/* ---- the front end ------------------------------------------------------------------------- */

struct ish_vmm {
	struct ish_vsmmu *vs;
	struct ish_ctx *ctx;
	struct ish_vmm_mem_ops mem;
	void *opaque;

	uint32_t cr0, cr0ack, cr1, cr2, gbpa, irq_ctrl, gerror, gerrorn;
	uint64_t gerror_irq_cfg0, eventq_irq_cfg0;
	uint32_t gerror_irq_cfg1, gerror_irq_cfg2, eventq_irq_cfg1, eventq_irq_cfg2;
	uint64_t strtab_base;
	uint32_t strtab_cfg;
	uint64_t cmdq_base, eventq_base;
	uint32_t cmdq_prod, cmdq_cons, eventq_prod, eventq_cons;

	/* the invalidations gathered in this drain, with the queue index of each */
	uint64_t (*batch)[2];
	uint32_t *batch_pos;
	uint32_t nbatch, batch_cap;

	struct ish_vmm_drain last;
	struct ish_vmm_stats st;
};

static void regs_reset(struct ish_vmm *v)
{
	v->cr0 = v->cr0ack = v->cr1 = v->cr2 = 0;
	v->gbpa = GBPA_RESET | (vs_gbpa_abort_at_create(v->vs) ? GBPA_ABORT : 0);
	v->irq_ctrl = v->gerror = v->gerrorn = 0;
	v->gerror_irq_cfg0 = v->eventq_irq_cfg0 = 0;
	v->gerror_irq_cfg1 = v->gerror_irq_cfg2 = v->eventq_irq_cfg1 = v->eventq_irq_cfg2 = 0;
	v->strtab_base = 0;
	v->strtab_cfg = 0;
	v->cmdq_base = v->eventq_base = 0;
	v->cmdq_prod = v->cmdq_cons = v->eventq_prod = v->eventq_cons = 0;
}

int ish_vmm_new(struct ish_vsmmu *vs, const struct ish_vmm_mem_ops *ops, void *opaque,
		struct ish_vmm **out)
{
	struct ish_vmm *v;

	if (!vs || !ops || !ops->read || !ops->write || !out)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vs = vs;
	v->ctx = vs_ctx(vs);
	v->mem = *ops;
	v->opaque = opaque;
	regs_reset(v);
	/* the registers start as the model stands: its SMMUEN and GBPA.ABORT */
	if (vs_enabled(vs))
		v->cr0 = v->cr0ack = CR0_SMMUEN;
	v->gbpa = (v->gbpa & ~GBPA_ABORT) | (vs_gbpa_abort(vs) ? GBPA_ABORT : 0);
	*out = v;
	return 0;
}

void ish_vmm_free(struct ish_vmm *vmm)
{
	if (!vmm)
		return;
	free(vmm->batch);
	free(vmm->batch_pos);
	free(vmm);
}

struct ish_vsmmu *ish_vmm_vsmmu(const struct ish_vmm *vmm)
{
	return vmm->vs;
}

const struct ish_vmm_drain *ish_vmm_last_drain(const struct ish_vmm *vmm)
{
	return &vmm->last;
}

void ish_vmm_get_stats(const struct ish_vmm *vmm, struct ish_vmm_stats *st)
{
	*st = vmm->st;
}

/* ---- IDRs ---------------------------------------------------------------------------------- */

static void guest_idr(const struct ish_vmm *v, uint32_t idr[6])
{
	vs_idr(v->vs, idr);
	idr[0] &= ~(IDR0_S2P | IDR0_BTM | IDR0_HYP | IDR0_MSI | IDR0_ATOS | IDR0_PRI |
		    IDR0_VATOS | IDR0_STALL_MODEL);
	idr[0] |= IDR0_STALL_TERM_ONLY;
	idr[1] &= ~(IDR1_PRIQS | IDR1_PRESET | IDR1_ECMDQ);
	idr[2] = 0;
	idr[4] = 0;
}

static unsigned int q_log2(const struct ish_vmm *v, uint64_t base, bool cmdq)
{
	uint32_t idr[6];
	unsigned int l = (unsigned int)(base & 0x1f), max;

	guest_idr(v, idr);
	max = cmdq ? IDR1_CMDQS(idr[1]) : IDR1_EVENTQS(idr[1]);
	/* the architecture's largest queue, whatever an overridden IDR1 says */
	if (max > Q_LOG2_MAX)
		max = Q_LOG2_MAX;
	return l < max ? l : max;
}

/* the PROD/CONS bits that mean something for a queue of 2^l entries: index and wrap */
static uint32_t q_mask(unsigned int l)
{
	return (2u << l) - 1;
}

void ish_vmm_cmdq(const struct ish_vmm *vmm, struct ish_vmm_queue *q)
{
	q->enabled = vmm->cr0ack & CR0_CMDQEN;
	q->base = vmm->cmdq_base & Q_ADDR;
	q->log2size = q_log2(vmm, vmm->cmdq_base, true);
	q->prod = vmm->cmdq_prod & q_mask(q->log2size);
	q->cons = vmm->cmdq_cons & q_mask(q->log2size);
}

void ish_vmm_eventq(const struct ish_vmm *vmm, struct ish_vmm_queue *q)
{
	q->enabled = vmm->cr0ack & CR0_EVENTQEN;
	q->base = vmm->eventq_base & Q_ADDR;
	q->log2size = q_log2(vmm, vmm->eventq_base, false);
	q->prod = vmm->eventq_prod & q_mask(q->log2size);
	q->cons = vmm->eventq_cons & q_mask(q->log2size);
}

/* ---- errors the guest sees ------------------------------------------------------------------ */

static void raise_irq(struct ish_vmm *v, enum ish_vmm_irq irq)
{
	v->st.irqs++;
	if (v->mem.irq)
		v->mem.irq(v->opaque, irq);
}

/* a GERROR bit becomes active by toggling, unless it already is (GERROR != GERRORN) */
static void gerror_raise(struct ish_vmm *v, uint32_t bit)
{
	if ((v->gerror ^ v->gerrorn) & bit)
		return;
	v->gerror ^= bit;
	if (v->irq_ctrl & IRQ_GERROR)
		raise_irq(v, ISH_VMM_IRQ_GERROR);
}

static bool cmdq_stopped(const struct ish_vmm *v)
{
	return (v->gerror ^ v->gerrorn) & GERR_CMDQ;
}

/* ---- the stream table ------------------------------------------------------------------------ */

static int gread64(struct ish_vmm *v, uint64_t gpa, uint64_t *w, unsigned int n)
{
	unsigned int i;
	int rc = v->mem.read(v->opaque, gpa, w, n * sizeof(*w));

	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++)
		w[i] = le64toh(w[i]);
	return 0;
}

int ish_vmm_ste_addr(struct ish_vmm *vmm, uint32_t sid, uint64_t *gpa)
{
	uint64_t base = vmm->strtab_base & STRTAB_ADDR, l1;
	unsigned int log2 = vmm->strtab_cfg & 0x3f, split = (vmm->strtab_cfg >> 6) & 0x1f;
	unsigned int fmt = (vmm->strtab_cfg >> 16) & 3, span;
	uint32_t idr[6];

	guest_idr(vmm, idr);
	if (log2 > IDR1_SIDSIZE(idr[1]))
		log2 = IDR1_SIDSIZE(idr[1]);
	if (log2 < 32 && (uint64_t)sid >> log2)
		return -ERANGE;
	if (fmt == 0) {
		*gpa = base + (uint64_t)sid * 64;
		return 0;
	}
	/* 2-level: a reserved format, a SPLIT not 6, 8 or 10, or no 2-level support */
	if (fmt != 1 || (split != 6 && split != 8 && split != 10) || !(idr[0] & IDR0_ST_LEVEL_2))
		return -ERANGE;
	if (gread64(vmm, base + (uint64_t)(sid >> split) * 8, &l1, 1) < 0)
		return -EFAULT;
	/* L1STD: SPAN[4:0] (0: invalid; 1..12: 2^(SPAN-1) STEs), L2PTR[51:6] */
	span = l1 & 0x1f;
	if (!span || span > 12 || split + 1 < span)
		return -ENOENT;
	if ((sid & ((1u << split) - 1)) >> (span - 1))
		return -ERANGE;
	*gpa = (l1 & STRTAB_ADDR) + (uint64_t)(sid & ((1u << split) - 1)) * 64;
	return 0;
}

/*
 * The STE the SMMU would use for @sid: words 0-1 from the table, or an invalid STE (V=0:
 * transactions abort, as with F_STE_FETCH or C_BAD_STREAMID) when it cannot be read.
 */
static void ste_fetch(struct ish_vmm *v, uint32_t sid, uint64_t ste[2])
{
	uint64_t gpa;

	ste[0] = ste[1] = 0;
	if (ish_vmm_ste_addr(v, sid, &gpa) < 0 || gread64(v, gpa, ste, 2) < 0)
		ste[0] = ste[1] = 0;
}

/* ---- command execution ------------------------------------------------------------------------- */

#define CMD_OP(c)	((unsigned int)((c)[0] & 0xff))
#define CMD_SID(c)	((uint32_t)((c)[0] >> 32))
#define CMD_SSEC	(1ULL << 10)
#define SYNC_CS(c)	(((c)[0] >> 12) & 3)
#define SYNC_CS_IRQ	1
#define SYNC_MSIADDR	0x000ffffffffffffcULL

/* kernel or model answers that mean "the guest asked for something wrong" */
static bool refusal(int rc)
{
	return rc == -EIO || rc == -EINVAL || rc == -EOPNOTSUPP || rc == -ENOENT ||
	       rc == -ERANGE;
}

struct exec {
	struct ish_vmm *v;
	unsigned int error;	/* CERROR_* for the guest */
	int rc;			/* a failure that is not the guest's */
};

__attribute__((format(printf, 3, 4)))
static void why(struct ish_vmm *v, bool keep_core, const char *fmt, ...)
{
	char head[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	if (keep_core && ish_errmsg(v->ctx)[0])
		snprintf(v->last.why, sizeof(v->last.why), "%s: %s", head, ish_errmsg(v->ctx));
	else
		snprintf(v->last.why, sizeof(v->last.why), "%s", head);
}

static bool has_vdevice(const struct ish_vmm *v, uint32_t vsid)
{
	return vs_vsid_has_vdevice(v->vs, vsid);
}

static int batch_add(struct ish_vmm *v, const uint64_t cmd[2], uint32_t pos)
{
	if (v->nbatch == v->batch_cap) {
		uint32_t cap = v->batch_cap ? v->batch_cap * 2 : 64;
		uint64_t (*b)[2] = realloc(v->batch, cap * sizeof(*b));
		uint32_t *p;

		if (!b)
			return -ENOMEM;
		v->batch = b;
		p = realloc(v->batch_pos, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->batch_pos = p;
		v->batch_cap = cap;
	}
	v->batch[v->nbatch][0] = cmd[0];
	v->batch[v->nbatch][1] = cmd[1];
	v->batch_pos[v->nbatch++] = pos;
	return 0;
}

/*
 * Forward what was gathered in one call. On failure, *stop = the queue index of the first
 * command not handled: the drain goes back there.
 */
static int batch_flush(struct ish_vmm *v, struct exec *x, uint32_t *stop)
{
	uint32_t n = v->nbatch, done = 0;
	int rc;

	if (!n)
		return 0;
	v->nbatch = 0;
	rc = ish_vsmmu_invalidate(v->vs, (const uint64_t (*)[2])v->batch, n, &done);
	v->last.batches++;
	v->st.batches++;
	if (done > n)
		done = n;
	v->last.forwarded += done;
	v->st.forwarded += done;
	if (rc >= 0)
		return 0;
	*stop = v->batch_pos[done < n ? done : n - 1];
	if (refusal(rc)) {
		char cmd[160];

		ish_cmd_format(v->batch[done < n ? done : n - 1], cmd, sizeof(cmd));
		why(v, true, "%s refused by the kernel", cmd);
		x->error = ISH_CERROR_ILL;
	} else {
		why(v, true, "invalidation batch of %u", n);
		x->rc = rc;
	}
	return -1;
}

struct install {
	struct ish_vmm *v;
	struct exec *x;
	uint32_t failed_dev;
	int first_err;
};

static int install_one(void *arg, uint32_t dev, uint32_t vsid)
{
	struct install *in = arg;
	struct ish_vmm *v = in->v;
	uint64_t ste[2], masked[2];
	char bad[160];
	int rc;

	ste_fetch(v, vsid, ste);
	/*
	 * What the kernel will refuse once the STE is used (arm_smmu_validate_vste, on the fields
	 * the model hands it) is refused now, even while SMMUEN is clear: a later SMMUEN must not
	 * fail on an STE the guest was told was fine.
	 */
	masked[0] = ste[0] & ISH_STE0_NESTING_ALLOWED;
	masked[1] = ste[1] & ISH_STE1_NESTING_ALLOWED;
	if (ish_ste_validate(masked, bad, sizeof(bad)) < 0) {
		if (!in->first_err) {
			in->first_err = ish_fail(v->ctx, -EIO, "vSID 0x%x: %s", vsid, bad);
			in->failed_dev = dev;
		}
		return 0;
	}
	rc = ish_vsmmu_install_ste(v->vs, dev, ste);
	if (rc < 0) {
		if (!in->first_err) {
			in->first_err = rc;
			in->failed_dev = dev;
		}
		/* a failure that is not the guest's stops here, to be retried whole */
		return refusal(rc) ? 0 : rc;
	}
	v->last.installs++;
	v->st.installs++;
	return 0;
}

static void install_range(struct ish_vmm *v, struct exec *x, uint32_t lo, uint32_t hi,
			  const char *what)
{
	struct install in = { .v = v, .x = x };

	vs_each_dev(v->vs, lo, hi, install_one, &in);
	if (!in.first_err)
		return;
	if (refusal(in.first_err)) {
		why(v, true, "%s: the STE of device %u refused", what, in.failed_dev);
		x->error = ISH_CERROR_ILL;
	} else {
		why(v, true, "%s: device %u", what, in.failed_dev);
		x->rc = in.first_err;
	}
}

static int sid_checks(struct ish_vmm *v, struct exec *x, const uint64_t cmd[2], const char *name)
{
	uint32_t idr[6];
	unsigned int bits;

	guest_idr(v, idr);
	bits = IDR1_SIDSIZE(idr[1]);
	if (cmd[0] & CMD_SSEC) {
		why(v, false, "%s: SSec=1 on the Non-secure command queue", name);
		x->error = ISH_CERROR_ILL;
		return -1;
	}
	if (bits < 32 && CMD_SID(cmd) >> bits) {
		why(v, false, "%s: StreamID 0x%x beyond IDR1.SIDSIZE (%u bits)", name, CMD_SID(cmd),
		    bits);
		x->error = ISH_CERROR_ILL;
		return -1;
	}
	return 0;
}

static void cmd_sync(struct ish_vmm *v, struct exec *x, const uint64_t cmd[2])
{
	uint32_t data;

	if (SYNC_CS(cmd) == 3) {
		why(v, false, "CMD_SYNC: CS=3 is reserved");
		x->error = ISH_CERROR_ILL;
		return;
	}
	/* completion signalled by an MSI: the 32-bit MSIData written at MSIAddress */
	if (SYNC_CS(cmd) == SYNC_CS_IRQ && (cmd[1] & SYNC_MSIADDR)) {
		data = htole32((uint32_t)(cmd[0] >> 32));
		if (v->mem.write(v->opaque, cmd[1] & SYNC_MSIADDR, &data, sizeof(data)) < 0)
			gerror_raise(v, GERR_MSI_CMDQ_ABT);
	}
}

static bool guest_has_ats(const struct ish_vmm *v)
{
	uint32_t idr[6];

	guest_idr(v, idr);
	return idr[0] & IDR0_ATS;
}

/*
 * One command at queue position @pos. Invalidations only join the batch; what needs them done
 * first flushes it (a failure of the flush moves *stop back to the refused one).
 */
static void exec_cmd(struct ish_vmm *v, struct exec *x, const uint64_t cmd[2], uint32_t pos,
		     uint32_t *stop)
{
	const struct ish_cmd_desc *d = ish_cmd_by_opcode((uint8_t)CMD_OP(cmd));
	uint32_t range, lo, hi;
	int rc;

	switch (CMD_OP(cmd)) {
	case ISH_CMD_PREFETCH_CONFIG:
	case ISH_CMD_PREFETCH_ADDR:
		return;		/* hints: nothing to prefetch in front of the kernel's tables */
	case ISH_CMD_CFGI_STE:
		if (batch_flush(v, x, stop) < 0 || sid_checks(v, x, cmd, "CFGI_STE") < 0)
			return;
		install_range(v, x, CMD_SID(cmd), CMD_SID(cmd), "CFGI_STE");
		return;
	case ISH_CMD_CFGI_STE_RANGE:
		if (batch_flush(v, x, stop) < 0 || sid_checks(v, x, cmd, "CFGI_STE_RANGE") < 0)
			return;
		/* 2^(Range+1) StreamIDs from SID aligned down to that; Range=31: all (CFGI_ALL) */
		range = (uint32_t)(cmd[1] & 0x1f);
		if (range >= 31) {
			lo = 0;
			hi = UINT32_MAX;
		} else {
			lo = CMD_SID(cmd) & ~((2u << range) - 1);
			hi = lo + ((2u << range) - 1);
		}
		install_range(v, x, lo, hi, range >= 31 ? "CFGI_ALL" : "CFGI_STE_RANGE");
		return;
	case ISH_CMD_ATC_INV:
		if (!guest_has_ats(v)) {
			why(v, false, "ATC_INV on an SMMU without ATS (IDR0.ATS=0)");
			x->error = ISH_CERROR_ILL;
			return;
		}
		/* fall through */
	case ISH_CMD_CFGI_CD:
	case ISH_CMD_CFGI_CD_ALL:
		if (!has_vdevice(v, CMD_SID(cmd))) {
			/* nothing can be cached for a vSID no device has: dropped, as QEMU does */
			v->last.dropped++;
			v->st.dropped++;
			return;
		}
		/* fall through */
	case ISH_CMD_TLBI_NH_ALL:
	case ISH_CMD_TLBI_NH_ASID:
	case ISH_CMD_TLBI_NH_VA:
	case ISH_CMD_TLBI_NH_VAA:
	case ISH_CMD_TLBI_NSNH_ALL:
		rc = batch_add(v, cmd, pos);
		if (rc < 0) {
			x->rc = rc;
			why(v, false, "%s", d->name);
		}
		return;
	case ISH_CMD_SYNC:
		if (batch_flush(v, x, stop) < 0)
			return;
		cmd_sync(v, x, cmd);
		return;
	default:
		x->error = ISH_CERROR_ILL;
		if (d)
			why(v, false, "%s is not implemented by this SMMU (%s)", d->name,
			    CMD_OP(cmd) >= ISH_CMD_PRI_RESP ? "no PRI, no stalls" :
			    "no stage 2, no EL2 or EL3 contexts");
		else
			why(v, false, "opcode 0x%02x is not a command", CMD_OP(cmd));
		return;
	}
}

/*
 * Consume the command queue from CONS to PROD, as far as it goes. A command that fails stops
 * the queue at itself; the invalidations gathered before it are forwarded first, and if the
 * kernel refuses one of those, that earlier one is where the queue stops.
 */
static int cmdq_drain(struct ish_vmm *v)
{
	struct exec x = { .v = v }, fx = { .v = v };
	struct ish_vmm_queue q;
	unsigned long ioctls = ish_ioctl_count(v->ctx);
	uint32_t mask, cons, stop, fstop = 0, idx_mask;
	uint64_t cmd[2];

	memset(&v->last, 0, sizeof(v->last));
	ish_vmm_cmdq(v, &q);
	if (!q.enabled || cmdq_stopped(v))
		return 0;
	mask = q_mask(q.log2size);
	idx_mask = (1u << q.log2size) - 1;
	v->nbatch = 0;
	ish_clear_err(v->ctx);
	for (cons = q.cons; cons != q.prod; cons = (cons + 1) & mask) {
		uint64_t gpa = q.base + (uint64_t)(cons & idx_mask) * 16;

		stop = cons;
		if (gread64(v, gpa, cmd, 2) < 0) {
			why(v, false, "command fetch at 0x%llx: outside guest RAM",
			    (unsigned long long)gpa);
			x.error = ISH_CERROR_ABT;
			break;
		}
		exec_cmd(v, &x, cmd, cons, &stop);
		if (x.error || x.rc)
			break;
	}
	if (!x.error && !x.rc)
		stop = q.prod;
	if (batch_flush(v, &fx, &fstop) < 0) {
		x = fx;		/* an earlier command: it wins */
		stop = fstop;
	}
	v->nbatch = 0;
	cons = stop;
	v->last.consumed = (cons - q.cons) & mask;
	v->st.commands += v->last.consumed;
	v->cmdq_cons = (v->cmdq_cons & ~Q_IDX) | cons;
	v->last.ioctls = ish_ioctl_count(v->ctx) - ioctls;
	if (x.error) {
		v->cmdq_cons = (v->cmdq_cons & ~CONS_ERR) | x.error << CONS_ERR_SHIFT;
		v->last.error = x.error;
		v->last.error_index = cons;
		v->st.cmdq_errors++;
		gerror_raise(v, GERR_CMDQ);
		return 0;
	}
	if (x.rc) {
		v->last.rc = x.rc;
		v->last.error_index = cons;
		return ish_fail(v->ctx, x.rc, "%s", v->last.why);
	}
	return 0;
}

int ish_vmm_kick(struct ish_vmm *vmm)
{
	return cmdq_drain(vmm);
}

/* ---- events ---------------------------------------------------------------------------------- */

static void evq_overflow(struct ish_vmm *v)
{
	v->st.overflows++;
	/* OVFLG toggles when an overflow starts: none is pending while it equals OVACKFLG */
	if (!((v->eventq_prod ^ v->eventq_cons) & EVQ_OVFLG))
		v->eventq_prod ^= EVQ_OVFLG;
}

/* write one record; false when it was lost */
static bool evq_put(struct ish_vmm *v, const uint64_t evt[4])
{
	struct ish_vmm_queue q;
	uint64_t rec[4];
	unsigned int i;
	uint32_t mask;

	ish_vmm_eventq(v, &q);
	mask = q_mask(q.log2size);
	if ((q.prod ^ q.cons) == (1u << q.log2size)) {
		evq_overflow(v);	/* full: same index, other wrap */
		return false;
	}
	for (i = 0; i < 4; i++)
		rec[i] = htole64(evt[i]);
	if (v->mem.write(v->opaque, q.base + (uint64_t)(q.prod & ((1u << q.log2size) - 1)) * 32,
			 rec, sizeof(rec)) < 0) {
		gerror_raise(v, GERR_EVENTQ_ABT);
		return false;
	}
	v->eventq_prod = (v->eventq_prod & ~Q_IDX) | ((q.prod + 1) & mask);
	return true;
}

#define EVENTS_PER_READ 16

int ish_vmm_events(struct ish_vmm *vmm, int timeout_ms)
{
	struct ish_vevent ev[EVENTS_PER_READ];
	int n, i, written = 0;

	if (!vs_veventq(vmm->vs))
		return 0;
	do {
		n = ish_vsmmu_read_events(vmm->vs, ev, EVENTS_PER_READ, timeout_ms);
		if (n < 0)
			return n;
		timeout_ms = 0;
		for (i = 0; i < n; i++) {
			if (!(vmm->cr0ack & CR0_EVENTQEN)) {
				vmm->st.events_discarded++;
				continue;
			}
			/* the kernel lost some (LOST_EVENTS, or a gap): the guest's queue did too */
			if (ev[i].lost || ev[i].gap)
				evq_overflow(vmm);
			if (ev[i].lost)
				continue;
			if (evq_put(vmm, ev[i].evt)) {
				written++;
				vmm->st.events++;
			}
		}
	} while (n == EVENTS_PER_READ);
	if (written && (vmm->irq_ctrl & IRQ_EVENTQ))
		raise_irq(vmm, ISH_VMM_IRQ_EVENTQ);
	return written;
}

int ish_vmm_event_fd(struct ish_vmm *vmm)
{
	return vs_veventq_fd(vmm->vs);
}

/* ---- register accesses ------------------------------------------------------------------------ */

static uint64_t reg_value(const struct ish_vmm *v, const struct ish_vmm_reg *r)
{
	uint32_t idr[6];

	if (r->idr >= 0) {
		guest_idr(v, idr);
		return idr[r->idr];
	}
	switch (r->offset) {
	case R_IIDR: return IIDR_VALUE;
	case R_AIDR: return AIDR_VALUE;
	case R_CR0: return v->cr0;
	case R_CR0ACK: return v->cr0ack;
	case R_CR1: return v->cr1;
	case R_CR2: return v->cr2;
	case R_GBPA: return v->gbpa;
	case R_IRQ_CTRL:
	case R_IRQ_CTRLACK: return v->irq_ctrl;
	case R_GERROR: return v->gerror;
	case R_GERRORN: return v->gerrorn;
	case R_GERROR_IRQ_CFG0: return v->gerror_irq_cfg0;
	case R_GERROR_IRQ_CFG1: return v->gerror_irq_cfg1;
	case R_GERROR_IRQ_CFG2: return v->gerror_irq_cfg2;
	case R_STRTAB_BASE: return v->strtab_base;
	case R_STRTAB_BASE_CFG: return v->strtab_cfg;
	case R_CMDQ_BASE: return v->cmdq_base;
	case R_CMDQ_PROD: return v->cmdq_prod;
	case R_CMDQ_CONS: return v->cmdq_cons;
	case R_EVENTQ_BASE: return v->eventq_base;
	case R_EVENTQ_PROD: return v->eventq_prod;
	case R_EVENTQ_CONS: return v->eventq_cons;
	case R_EVENTQ_IRQ_CFG0: return v->eventq_irq_cfg0;
	case R_EVENTQ_IRQ_CFG1: return v->eventq_irq_cfg1;
	case R_EVENTQ_IRQ_CFG2: return v->eventq_irq_cfg2;
	}
	return 0;	/* STATUSR, AGBPA */
}

static int check_access(struct ish_vmm *v, uint64_t offset, unsigned int width,
			const struct ish_vmm_reg **reg)
{
	const struct ish_vmm_reg *r;

	if (width != 4 && width != 8)
		return ish_fail(v->ctx, -EINVAL, "SMMU registers take 4- or 8-byte accesses, not %u",
				width);
	if (offset & (width - 1))
		return ish_fail(v->ctx, -EINVAL, "a %u-byte access at 0x%llx is not aligned", width,
				(unsigned long long)offset);
	if (offset >= WINDOW)
		return ish_fail(v->ctx, -EINVAL, "0x%llx is outside the SMMU's 128 KiB window",
				(unsigned long long)offset);
	r = ish_vmm_reg_at(offset);
	if (r && width == 8 && (r->width != 8 || (offset & ~(uint64_t)PAGE1) != r->offset))
		return ish_fail(v->ctx, -EINVAL, "%s is a 32-bit register: 8-byte accesses to it are "
				"CONSTRAINED UNPREDICTABLE", r->name);
	*reg = r;
	return 0;
}

int ish_vmm_mmio_read(struct ish_vmm *vmm, uint64_t offset, unsigned int width, uint64_t *val)
{
	const struct ish_vmm_reg *r;
	uint64_t v;
	int rc;

	*val = 0;
	rc = check_access(vmm, offset, width, &r);
	if (rc < 0 || !r)
		return rc;
	v = reg_value(vmm, r);
	if (width == 4)
		v = (uint32_t)(v >> (((offset & ~(uint64_t)PAGE1) - r->offset) * 8));
	*val = v;
	return 0;
}

/* ---- writes with effects ------------------------------------------------------------------------ */

static int write_cr0(struct ish_vmm *v, uint32_t val)
{
	uint32_t want = val & CR0_RW, changed = want ^ v->cr0ack;
	struct ish_vmm_queue q;
	int rc = 0;

	v->cr0 = want;
	if (changed & CR0_CMDQEN)
		v->cr0ack ^= CR0_CMDQEN;
	if (changed & CR0_ATSCHK)
		v->cr0ack ^= CR0_ATSCHK;
	if (changed & CR0_EVENTQEN) {
		ish_vmm_eventq(v, &q);
		rc = ish_vsmmu_set_events(v->vs, want & CR0_EVENTQEN, 1u << q.log2size);
		if (rc < 0)
			return rc;
		v->cr0ack ^= CR0_EVENTQEN;
	}
	if (changed & CR0_SMMUEN) {
		rc = ish_vsmmu_set_enabled(v->vs, want & CR0_SMMUEN);
		if (rc < 0)
			return rc;
		v->cr0ack ^= CR0_SMMUEN;
	}
	/* commands the guest queued before enabling the queue are consumed now */
	if (changed & want & CR0_CMDQEN)
		return cmdq_drain(v);
	return 0;
}

static int write_gbpa(struct ish_vmm *v, uint32_t val)
{
	uint32_t want = val & GBPA_RW;
	int rc;

	if (!(val & GBPA_UPDATE))
		return 0;	/* without UPDATE the write is ignored */
	if ((want ^ v->gbpa) & GBPA_ABORT) {
		rc = ish_vsmmu_set_gbpa(v->vs, want & GBPA_ABORT);
		if (rc < 0)
			return rc;
	}
	v->gbpa = want;		/* UPDATE reads 0: the change is complete */
	return 0;
}

static uint64_t merge(uint64_t old, uint64_t val, unsigned int width, unsigned int shift)
{
	uint64_t m;

	if (width == 8)
		return val;
	m = 0xffffffffULL << shift;
	return (old & ~m) | ((val << shift) & m);
}

int ish_vmm_mmio_write(struct ish_vmm *vmm, uint64_t offset, unsigned int width, uint64_t val)
{
	const struct ish_vmm_reg *r;
	struct ish_vmm_queue q;
	uint32_t v32 = (uint32_t)val, old;
	unsigned int shift;
	int rc;

	rc = check_access(vmm, offset, width, &r);
	if (rc < 0 || !r || r->ro)
		return rc;
	shift = (unsigned int)((offset & ~(uint64_t)PAGE1) - r->offset) * 8;
	switch (r->offset) {
	case R_CR0:
		return write_cr0(vmm, v32);
	case R_CR1:
		vmm->cr1 = v32 & CR1_RW;
		return 0;
	case R_CR2:
		vmm->cr2 = v32 & CR2_RW;
		return 0;
	case R_GBPA:
		return write_gbpa(vmm, v32);
	case R_IRQ_CTRL:
		vmm->irq_ctrl = v32 & IRQ_CTRL_RW;
		return 0;
	case R_GERRORN:
		old = vmm->gerrorn;
		vmm->gerrorn = v32 & GERR_MASK;
		/* the guest acknowledged the command queue error: consumption resumes */
		if (((old ^ vmm->gerrorn) & GERR_CMDQ) && !cmdq_stopped(vmm))
			return cmdq_drain(vmm);
		return 0;
	case R_GERROR_IRQ_CFG0:
		vmm->gerror_irq_cfg0 = merge(vmm->gerror_irq_cfg0, val, width, shift) & IRQ_CFG0_ADDR;
		return 0;
	case R_GERROR_IRQ_CFG1:
		vmm->gerror_irq_cfg1 = v32;
		return 0;
	case R_GERROR_IRQ_CFG2:
		vmm->gerror_irq_cfg2 = v32 & IRQ_CFG2_RW;
		return 0;
	case R_EVENTQ_IRQ_CFG0:
		vmm->eventq_irq_cfg0 = merge(vmm->eventq_irq_cfg0, val, width, shift) & IRQ_CFG0_ADDR;
		return 0;
	case R_EVENTQ_IRQ_CFG1:
		vmm->eventq_irq_cfg1 = v32;
		return 0;
	case R_EVENTQ_IRQ_CFG2:
		vmm->eventq_irq_cfg2 = v32 & IRQ_CFG2_RW;
		return 0;
	case R_STRTAB_BASE:
		/* the table in use does not move under the SMMU: ignored while SMMUEN is set */
		if (!(vmm->cr0ack & CR0_SMMUEN))
			vmm->strtab_base = merge(vmm->strtab_base, val, width, shift) &
					   STRTAB_BASE_RW;
		return 0;
	case R_STRTAB_BASE_CFG:
		if (!(vmm->cr0ack & CR0_SMMUEN))
			vmm->strtab_cfg = v32 & STRTAB_CFG_RW;
		return 0;
	case R_CMDQ_BASE:
		if (!(vmm->cr0ack & CR0_CMDQEN))
			vmm->cmdq_base = merge(vmm->cmdq_base, val, width, shift) & Q_BASE_RW;
		return 0;
	case R_CMDQ_CONS:
		if (!(vmm->cr0ack & CR0_CMDQEN))
			vmm->cmdq_cons = (vmm->cmdq_cons & CONS_ERR) | (v32 & Q_IDX);
		return 0;
	case R_CMDQ_PROD:
		/* bits above the wrap bit are RES0: a PROD "beyond the queue" is that index */
		ish_vmm_cmdq(vmm, &q);
		vmm->cmdq_prod = v32 & q_mask(q.log2size);
		return cmdq_drain(vmm);
	case R_EVENTQ_BASE:
		if (!(vmm->cr0ack & CR0_EVENTQEN))
			vmm->eventq_base = merge(vmm->eventq_base, val, width, shift) & Q_BASE_RW;
		return 0;
	case R_EVENTQ_PROD:
		/* the SMMU's index: the guest sets it only while the queue is off */
		if (!(vmm->cr0ack & CR0_EVENTQEN))
			vmm->eventq_prod = v32 & (Q_IDX | EVQ_OVFLG);
		return 0;
	case R_EVENTQ_CONS:
		ish_vmm_eventq(vmm, &q);
		vmm->eventq_cons = v32 & (q_mask(q.log2size) | EVQ_OVFLG);
		return 0;
	}
	return 0;
}

int ish_vmm_reset(struct ish_vmm *vmm)
{
	bool abort = vs_gbpa_abort_at_create(vmm->vs);
	int rc;

	/* every device to the reset GBPA's proxy: SMMUEN off first, then GBPA */
	rc = ish_vsmmu_set_enabled(vmm->vs, false);
	if (rc < 0)
		return rc;
	vmm->cr0ack &= ~CR0_SMMUEN;
	rc = ish_vsmmu_set_gbpa(vmm->vs, abort);
	if (rc < 0)
		return rc;
	rc = ish_vsmmu_set_events(vmm->vs, false, 0);
	if (rc < 0)
		return rc;
	regs_reset(vmm);
	memset(&vmm->last, 0, sizeof(vmm->last));
	return 0;
}
