// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device's DMA through the physical SMMU: blocked, S2 only (paging HWPT, bypass vSTE),
 * or nested, where the CD and the guest's AArch64 stage-1 tables (4, 16 or 64 KiB granule,
 * CD.TG0) are read at IPAs through S2. A transaction may carry a SubstreamID (PCIe PASID):
 * the STE's S1CDMax, S1DSS and S1Fmt pick its CD in a linear or 2-level CD table, as the
 * SMMUv3 architecture describes them (STE, L1CD and CD sections). Stage-1 results are
 * cached per (VMID, ASID, VA) and CDs per (StreamID, SubstreamID), so a guest that changes
 * a PTE without a TLBI keeps seeing the old one, as on hardware. Faults raise the events
 * the SMMU would, with SSV/SSID when the transaction had one, one per 4-byte access as
 * QEMU splits a failed transfer (measured live: tests/live/scripts/edu-events.ish), and go
 * through the driver's forwarding rules.
 */
#include <stdlib.h>
#include "sim_internal.h"

#define STE0_V			(1ULL << 0)
#define STE0_CFG(w)		(((w) >> 1) & 7)
#define STE0_S1FMT(w)		(((w) >> 4) & 3)
#define STE0_CTXPTR		0x000fffffffffffc0ULL
#define STE0_CDMAX(w)		((unsigned int)((w) >> 59))
#define STE1_S1DSS(w)		((w) & 3)
#define S1DSS_BYPASS		1
#define S1DSS_SSID0		2
#define L1CD_V			(1ULL << 0)
#define L1CD_L2PTR		0x00fffffffffff000ULL
#define CD_SIZE			64
#define IDR0_CD2L		(1U << 19)
#define IDR5_GRAN4K		(1U << 4)
#define IDR5_GRAN16K		(1U << 5)
#define IDR5_GRAN64K		(1U << 6)

#define CD0_T0SZ(w)		((unsigned int)((w) & 0x3f))
#define CD0_TG0(w)		(((w) >> 6) & 3)
#define CD0_EPD0		(1ULL << 14)
#define CD0_V			(1ULL << 31)
#define CD0_AA64		(1ULL << 41)
#define CD0_ASID(w)		((uint16_t)((w) >> 48))
#define CD1_TTB0		0x000ffffffffffff0ULL

#define PTE_VALID		(1ULL << 0)
#define PTE_TABLE		(1ULL << 1)
#define PTE_AP_RO		(1ULL << 7)
#define PTE_AF			(1ULL << 10)
#define PTE_OA			0x0000ffffffffffffULL	/* 48-bit output addresses */

#define EVT_C_BAD_STE		0x04
#define EVT_F_STREAM_DISABLED	0x06
#define EVT_C_BAD_SUBSTREAMID	0x08
#define EVT_C_BAD_CD		0x0a
#define EVT_F_TRANSLATION	0x10
#define EVT_F_ACCESS		0x12
#define EVT_F_PERMISSION	0x13

/* What a translation ended in. */
struct sim_xlate {
	void *host;		/* success: where the bytes are */
	bool blocked;		/* aborted without an event */
	uint64_t evt[4];	/* otherwise: the fault */
};

/* ---- VMIDs ------------------------------------------------------------------------------- */

/* the lowest free VMID >= 1, as arm_smmu_domain_finalise_s2()'s ida_alloc_range() gives */
int sim_vmid_alloc(struct sim_smmu *smmu, uint16_t *vmid)
{
	uint32_t v;
	int rc;

	if (!smmu->vmids.depth && sim_ida_alloc(NULL, &smmu->vmids, &v) < 0)	/* VMID 0 */
		return -ENOMEM;
	rc = sim_ida_alloc(NULL, &smmu->vmids, &v);
	if (rc < 0)
		return rc == -ENOSPC ? -ENOSPC : -ENOMEM;
	if (v >= SIM_VMID_MAX) {
		sim_ida_remove(&smmu->vmids, v);
		return -ENOSPC;
	}
	*vmid = (uint16_t)v;
	return 0;
}

void sim_vmid_free(struct sim_smmu *smmu, uint16_t vmid)
{
	sim_ida_remove(&smmu->vmids, vmid);
	sim_tlb_inv(smmu, vmid, -1, 0, UINT64_MAX);
}

/* ---- IOTLB and configuration cache ---------------------------------------------------------- */

struct sim_tlb_key {
	uint16_t vmid, asid;
	uint64_t va;
};

static struct sim_tlb *tlb_find(struct sim_smmu *s, const struct sim_tlb_key *k)
{
	struct sim_tlb *t;

	for (t = s->tlb; t; t = t->next)
		if (t->vmid == k->vmid && t->asid == k->asid && k->va >= t->va &&
		    k->va - t->va < t->size)
			return t;
	return NULL;
}

static void tlb_entry(struct sim_tlb *t, const struct sim_tlb_key *k, uint64_t size,
		      uint64_t ipa, bool ro)
{
	memset(t, 0, sizeof(*t));
	t->vmid = k->vmid;
	t->asid = k->asid;
	t->size = size;
	t->va = k->va & ~(size - 1);
	t->ipa = ipa & ~(size - 1);
	t->ro = ro;
}

/* The hardware's cache, not kernel memory: no fault injection; not caching is correct. */
static void tlb_insert(struct sim_smmu *s, const struct sim_tlb *e)
{
	struct sim_tlb *t;

	if (s->ntlb >= SIM_TLB_MAX || !(t = malloc(sizeof(*t))))
		return;
	*t = *e;
	t->next = s->tlb;
	s->tlb = t;
	s->ntlb++;
}

/* Drop the entries of @vmid (and @asid unless < 0) that overlap [va, va + len). */
void sim_tlb_inv(struct sim_smmu *smmu, uint16_t vmid, int asid, uint64_t va, uint64_t len)
{
	uint64_t last = len && va + len - 1 >= va ? va + len - 1 : UINT64_MAX;
	struct sim_tlb **p, *t;

	for (p = &smmu->tlb; (t = *p);) {
		if (t->vmid == vmid && (asid < 0 || t->asid == asid) && t->va <= last &&
		    va <= t->va + t->size - 1) {
			*p = t->next;
			free(t);
			smmu->ntlb--;
		} else {
			p = &t->next;
		}
	}
}

/* Drop the cached CDs of @sid: the one of SubstreamID @ssid, or all of them when @ssid < 0. */
void sim_cdc_inv(struct sim_smmu *smmu, uint32_t sid, int64_t ssid, bool all)
{
	struct sim_cdc **p, *c;

	for (p = &smmu->cdc; (c = *p);) {
		if (all || (c->sid == sid && (ssid < 0 || c->ssid == (uint32_t)ssid))) {
			*p = c->next;
			free(c);
			smmu->ncdc--;
		} else {
			p = &c->next;
		}
	}
}

void sim_smmu_flush(struct sim_smmu *smmu)
{
	struct sim_tlb *t;

	while ((t = smmu->tlb)) {
		smmu->tlb = t->next;
		free(t);
	}
	smmu->ntlb = 0;
	sim_cdc_inv(smmu, 0, -1, true);
	sim_ida_free(&smmu->vmids);
}

/* ---- faults -------------------------------------------------------------------------------- */

/* A transaction's SubstreamID (PCIe PASID): @ssv says whether it carried one. */
struct sim_txn {
	bool ssv;
	uint32_t ssid;
};

/* Every record names the stream, and the substream when the transaction had one. */
static void evt_head(struct sim_xlate *x, uint8_t id, uint32_t sid, const struct sim_txn *t)
{
	memset(x, 0, sizeof(*x));
	x->evt[0] = id | (uint64_t)sid << SIM_EVT0_SID_SHIFT;
	if (t->ssv)
		x->evt[0] |= SIM_EVT0_SSV | (uint64_t)(t->ssid & SIM_SSID_MAX) << SIM_EVT0_SSID_SHIFT;
}

static void fault(struct sim_xlate *x, uint8_t id, uint32_t sid, const struct sim_txn *t,
		  bool read, uint64_t va)
{
	evt_head(x, id, sid, t);
	if (id == EVT_C_BAD_STE || id == EVT_C_BAD_CD || id == EVT_C_BAD_SUBSTREAMID ||
	    id == EVT_F_STREAM_DISABLED)
		return;		/* configuration errors carry no address */
	x->evt[1] = (read ? SIM_EVT1_RNW : 0) | (uint64_t)SIM_CLASS_IN << SIM_EVT1_CLASS_SHIFT;
	x->evt[2] = va;
}

/* A stage-2 fault (the host's own business: never forwarded). */
static void fault_s2(struct sim_xlate *x, uint32_t sid, const struct sim_txn *t, bool read,
		     uint64_t va, uint64_t ipa, unsigned int cls)
{
	evt_head(x, EVT_F_TRANSLATION, sid, t);
	x->evt[1] = (read ? SIM_EVT1_RNW : 0) | SIM_EVT1_S2 |
		    (uint64_t)cls << SIM_EVT1_CLASS_SHIFT;
	x->evt[2] = va;
	x->evt[3] = ipa & ~0xfffULL;
}

/* ---- the nested walk --------------------------------------------------------------------- */

struct sim_walk {
	struct sim_smmu *smmu;
	struct sim_obj *s2;		/* the IOAS behind the vIOMMU's parent */
	uint16_t vmid;
	uint32_t sid;
	struct sim_txn txn;
	uint64_t ste0, ste1;
	uint64_t va;
	bool write;
};

/* Read guest memory at an IPA through S2 (CD, table descriptors). */
static bool ipa_read(struct sim_walk *w, uint64_t ipa, void *dst, size_t len)
{
	void *src = sim_ioas_xlate(w->s2, ipa, len, false);

	if (!src)
		return false;
	memcpy(dst, src, len);
	return true;
}

static void wfault(struct sim_walk *w, struct sim_xlate *x, uint8_t id)
{
	fault(x, id, w->sid, &w->txn, !w->write, w->va);
}

/* log2 of the CD's translation granule, or 0 when TG0 names one the SMMU lacks (IDR5.GRANxx) */
static unsigned int cd_granule(const struct sim_smmu *s, const uint64_t cd[4])
{
	switch (CD0_TG0(cd[0])) {
	case 0:
		return s->cfg.idr[5] & IDR5_GRAN4K ? 12 : 0;
	case 1:
		return s->cfg.idr[5] & IDR5_GRAN64K ? 16 : 0;
	case 2:
		return s->cfg.idr[5] & IDR5_GRAN16K ? 14 : 0;
	default:
		return 0;	/* reserved */
	}
}

static bool cd_valid(const struct sim_smmu *s, const uint64_t cd[4])
{
	unsigned int t0sz = CD0_T0SZ(cd[0]);

	return (cd[0] & CD0_V) && (cd[0] & CD0_AA64) && cd_granule(s, cd) && t0sz >= 16 &&
	       t0sz <= 39;
}

/*
 * Which CD of the STE's table this transaction uses (STE.S1CDMax, S1DSS): its index, or -1
 * with the fault in @x, or -2 when S1DSS says to bypass stage 1 (no CD is fetched).
 */
static int64_t cd_index(struct sim_walk *w, struct sim_xlate *x)
{
	unsigned int cdmax = STE0_CDMAX(w->ste0), bits = sim_smmu_ssid_bits(w->smmu);

	/*
	 * S1CDMax ranges over 0..IDR1.SSIDSIZE; beyond it the STE is ILLEGAL. QEMU 10's emulated
	 * SMMUv3 (SSIDSIZE 0) was seen live to give C_BAD_STE for S1CDMax 1 (pasid-ats.ish).
	 */
	if (cdmax > bits) {
		wfault(w, x, EVT_C_BAD_STE);
		return -1;
	}
	if (!cdmax) {
		/* substreams disabled (or unsupported): a transaction with one is terminated */
		if (w->txn.ssv) {
			wfault(w, x, EVT_C_BAD_SUBSTREAMID);
			return -1;
		}
		return 0;
	}
	if (!w->txn.ssv) {
		switch (STE1_S1DSS(w->ste1)) {
		case S1DSS_BYPASS:
			return -2;
		case S1DSS_SSID0:
			return 0;
		default:	/* terminate, and 0b11 behaves as it */
			wfault(w, x, EVT_F_STREAM_DISABLED);
			return -1;
		}
	}
	if (w->txn.ssid >> cdmax) {
		wfault(w, x, EVT_C_BAD_SUBSTREAMID);
		return -1;
	}
	/* with S1DSS=0b10 substream 0 belongs to the transactions without one */
	if (!w->txn.ssid && STE1_S1DSS(w->ste1) == S1DSS_SSID0) {
		wfault(w, x, EVT_F_STREAM_DISABLED);
		return -1;
	}
	return w->txn.ssid;
}

/*
 * The IPA of CD @idx: S1Fmt 0 (and reserved 3) a linear table, 1 and 2 a level-1 table of
 * L1CDs pointing at 4 KiB (64 CDs) or 64 KiB (1024 CDs) leaf tables. False with the fault.
 */
static bool cd_addr(struct sim_walk *w, uint32_t idx, uint64_t *ipa, struct sim_xlate *x)
{
	uint64_t base = w->ste0 & STE0_CTXPTR, l1, l1ipa;
	unsigned int fmt = (unsigned int)STE0_S1FMT(w->ste0), split;

	if (!STE0_CDMAX(w->ste0) || fmt == 0 || fmt == 3) {
		*ipa = base + (uint64_t)idx * CD_SIZE;
		return true;
	}
	if (!(w->smmu->cfg.idr[0] & IDR0_CD2L)) {
		wfault(w, x, EVT_C_BAD_STE);	/* 2-level CD tables without IDR0.CD2L: ILLEGAL */
		return false;
	}
	split = fmt == 1 ? 6 : 10;
	l1ipa = base + (uint64_t)(idx >> split) * sizeof(l1);
	if (!ipa_read(w, l1ipa, &l1, sizeof(l1))) {
		fault_s2(x, w->sid, &w->txn, !w->write, w->va, l1ipa, SIM_CLASS_CD);
		return false;
	}
	if (!(l1 & L1CD_V)) {
		wfault(w, x, EVT_C_BAD_SUBSTREAMID);	/* L1CD.V == 0 */
		return false;
	}
	*ipa = (l1 & L1CD_L2PTR) + (uint64_t)(idx & ((1U << split) - 1)) * CD_SIZE;
	return true;
}

/* The CD this transaction uses: from the cache, or fetched and cached. 1: stage 1 bypassed. */
static int get_cd(struct sim_walk *w, uint64_t cd[4], struct sim_xlate *x)
{
	struct sim_cdc *c;
	uint64_t ipa;
	int64_t idx = cd_index(w, x);

	if (idx == -2)
		return 1;
	if (idx < 0)
		return -1;
	for (c = w->smmu->cdc; c; c = c->next) {
		if (c->sid == w->sid && c->ssid == (uint32_t)idx) {
			memcpy(cd, c->cd, sizeof(c->cd));
			return 0;
		}
	}
	if (!cd_addr(w, (uint32_t)idx, &ipa, x))
		return -1;
	if (!ipa_read(w, ipa, cd, 4 * sizeof(uint64_t))) {
		fault_s2(x, w->sid, &w->txn, !w->write, w->va, ipa, SIM_CLASS_CD);
		return -1;
	}
	if (!cd_valid(w->smmu, cd)) {
		wfault(w, x, EVT_C_BAD_CD);
		return -1;
	}
	c = w->smmu->ncdc < SIM_CDC_MAX ? calloc(1, sizeof(*c)) : NULL;
	if (c) {
		c->sid = w->sid;
		c->ssid = (uint32_t)idx;
		memcpy(c->cd, cd, sizeof(c->cd));
		c->next = w->smmu->cdc;
		w->smmu->cdc = c;
		w->smmu->ncdc++;
	}
	return 0;
}

/*
 * Which levels may hold a block descriptor: with a 4 KiB granule levels 1 (1 GiB) and 2
 * (2 MiB); with 16 KiB and 64 KiB level 2 only (32 MiB, 512 MiB), since their level-1 blocks
 * need 52-bit addresses (FEAT_LPA2, FEAT_LPA) and a 48-bit CD has none. That is the
 * architecture's rule and the simulator keeps it: a guest whose tables work here works on
 * any SMMUv3. QEMU 10's emulated SMMUv3 is laxer: an earlier live run saw it translate
 * through a level-1 block with the 16 KiB granule, where the architecture wants
 * F_TRANSLATION (not re-measured: 16K nested walks vary by boot live, see
 * tests/live/extra/README.md).
 */
static bool block_level(unsigned int granule, unsigned int level)
{
	return level == 2 || (granule == 12 && level == 1);
}

/*
 * The leaf descriptor for w->va: its level's shift, or -1 with the fault in @x. A granule of
 * 2^g bytes resolves g - 3 VA bits a level; the walk starts as low as the VA size allows.
 */
static int walk_tables(struct sim_walk *w, const uint64_t cd[4], uint64_t *leaf,
		       struct sim_xlate *x)
{
	unsigned int g = cd_granule(w->smmu, cd), stride = g - 3;
	unsigned int va_bits = 64 - CD0_T0SZ(cd[0]);
	unsigned int level = 4 - (va_bits - g + stride - 1) / stride, shift;
	uint64_t oa = PTE_OA & ~((1ULL << g) - 1);
	uint64_t table = cd[1] & CD1_TTB0 & ~7ULL, desc, ipa;

	if ((w->va >> va_bits) || (cd[0] & CD0_EPD0))
		goto translation;
	for (;; level++) {
		shift = g + stride * (3 - level);
		ipa = table + ((w->va >> shift) & ((1ULL << stride) - 1)) * 8;
		if (!ipa_read(w, ipa, &desc, sizeof(desc))) {
			fault_s2(x, w->sid, &w->txn, !w->write, w->va, ipa, SIM_CLASS_TT);
			return -1;
		}
		if (!(desc & PTE_VALID))
			goto translation;
		if (level == 3 || !(desc & PTE_TABLE))
			break;
		table = desc & oa;
	}
	/* level 3 needs a page descriptor; a block only where the granule allows one */
	if (level == 3 ? !(desc & PTE_TABLE) : !block_level(g, level))
		goto translation;
	*leaf = desc & ~(((1ULL << g) - 1) & ~0xfffULL);	/* OA bits below the granule: RES0 */
	return (int)shift;

translation:
	wfault(w, x, EVT_F_TRANSLATION);
	return -1;
}

/* Stage 1: VA -> IPA, through the IOTLB (S1DSS bypass: the VA is the IPA). */
static int stage1(struct sim_walk *w, uint64_t *ipa, struct sim_xlate *x)
{
	struct sim_tlb_key k = { .vmid = w->vmid, .va = w->va };
	struct sim_tlb *t, walked;
	uint64_t cd[4], leaf;
	int shift, rc;

	rc = get_cd(w, cd, x);
	if (rc)
		return rc < 0 ? -1 : 0;
	k.asid = CD0_ASID(cd[0]);
	t = tlb_find(w->smmu, &k);
	if (!t) {
		shift = walk_tables(w, cd, &leaf, x);
		if (shift < 0)
			return -1;
		if (!(leaf & PTE_AF)) {
			wfault(w, x, EVT_F_ACCESS);
			return -1;
		}
		tlb_entry(&walked, &k, 1ULL << shift, leaf & PTE_OA, leaf & PTE_AP_RO);
		tlb_insert(w->smmu, &walked);
		t = &walked;
	}
	if (w->write && t->ro) {
		fault(x, EVT_F_PERMISSION, w->sid, &w->txn, false, w->va);
		return -1;
	}
	*ipa = t->ipa + (w->va - t->va);
	return 0;
}

/* Stage 2 (and the input of one with stage 1 disabled: @s1_off, STE.Config 0b1x0). */
static void xlate_s2(struct sim_obj *ioas, uint32_t sid, const struct sim_txn *t, bool s1_off,
		     uint64_t va, uint64_t ipa, size_t len, bool write, struct sim_xlate *x)
{
	/* stage 1 disabled: a transaction with a SubstreamID is terminated (STE.S1Fmt) */
	if (s1_off && t->ssv) {
		fault(x, EVT_C_BAD_SUBSTREAMID, sid, t, !write, va);
		return;
	}
	x->host = sim_ioas_xlate(ioas, ipa, len, write);
	if (!x->host)
		fault_s2(x, sid, t, !write, va, ipa, SIM_CLASS_IN);
}

static void xlate_nested(struct sim *sim, struct sim_pdev *p, struct sim_obj *hwpt,
			 const struct sim_txn *t, uint64_t va, size_t len, bool write,
			 struct sim_xlate *x)
{
	struct sim_obj *v = hwpt->u.nested.viommu, *parent = v->u.viommu.parent;
	uint64_t ste0 = hwpt->u.nested.ste[0], ipa = va;
	struct sim_walk w = {
		.smmu = &sim->smmu[v->u.viommu.smmu], .s2 = parent->u.paging.ioas,
		.vmid = v->u.viommu.vmid, .sid = p->cfg.sid, .txn = *t, .ste0 = ste0,
		.ste1 = hwpt->u.nested.ste[1], .va = va, .write = write,
	};

	if (!(ste0 & STE0_V) || STE0_CFG(ste0) == 0) {
		x->blocked = true;	/* the abort STE: terminated, no event */
		return;
	}
	if (STE0_CFG(ste0) == 5 && stage1(&w, &ipa, x) < 0)
		return;
	xlate_s2(w.s2, p->cfg.sid, t, STE0_CFG(ste0) != 5, va, ipa, len, write, x);
}

static void xlate(struct sim *sim, struct sim_pdev *p, const struct sim_txn *t, uint64_t addr,
		  size_t len, bool write, struct sim_xlate *x)
{
	struct sim_obj *hwpt = p->idev ? p->idev->u.dev.hwpt : NULL;

	memset(x, 0, sizeof(*x));
	if (!hwpt)
		x->blocked = true;	/* no domain: the blocking STE */
	else if (hwpt->type == SIM_HWPT_PAGING)
		xlate_s2(hwpt->u.paging.ioas, p->cfg.sid, t, true, addr, addr, len, write, x);
	else
		xlate_nested(sim, p, hwpt, t, addr, len, write, x);
}

/* A failed piece is retried 4 bytes at a time, and each try faults again. */
static void report_fault(struct sim *sim, struct sim_pdev *p, const struct sim_xlate *x,
			 uint64_t addr, size_t len)
{
	uint8_t id = (uint8_t)x->evt[0];
	bool has_addr = id != EVT_C_BAD_STE && id != EVT_C_BAD_CD &&
			id != EVT_C_BAD_SUBSTREAMID && id != EVT_F_STREAM_DISABLED;
	uint64_t evt[4];
	size_t off;

	memcpy(evt, x->evt, sizeof(evt));
	for (off = 0; off < len; off += 4) {
		if (has_addr)
			evt[2] = addr + off;
		sim_event_report(sim, p, evt);
	}
}

bool sim_dma(struct sim *sim, struct sim_pdev *p, uint64_t addr, void *buf, size_t len,
	     bool write, int64_t ssid)
{
	struct sim_txn t = { .ssv = ssid >= 0, .ssid = ssid >= 0 ? (uint32_t)ssid : 0 };
	struct sim_xlate x;
	bool ok = true;
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		size_t seg = (size_t)(SIM_PAGE_SIZE - (a & (SIM_PAGE_SIZE - 1)));

		if (seg > len - done)
			seg = len - done;
		xlate(sim, p, &t, a, seg, write, &x);
		if (x.host && write)
			memcpy(x.host, (uint8_t *)buf + done, seg);
		else if (x.host)
			memcpy((uint8_t *)buf + done, x.host, seg);
		else if (!x.blocked)
			report_fault(sim, p, &x, a, seg);
		ok = ok && x.host;
		done += seg;
	}
	return ok;
}
