// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device's DMA through the physical SMMU: blocked, S2 only (paging HWPT, bypass vSTE),
 * or nested, where the CD and the guest's AArch64 stage-1 tables (4 KiB granule) are read
 * at IPAs through S2. Stage-1 results are cached per (VMID, ASID, VA) and CDs per StreamID,
 * so a guest that changes a PTE without a TLBI keeps seeing the old one, as on hardware.
 * Faults raise the events the SMMU would, one per 4-byte access as QEMU splits a failed
 * transfer, and go through the driver's forwarding rules.
 */
#include <stdlib.h>
#include "sim_internal.h"

#define STE0_V			(1ULL << 0)
#define STE0_CFG(w)		(((w) >> 1) & 7)
#define STE0_CTXPTR		0x000fffffffffffc0ULL
#define STE0_CDMAX(w)		((unsigned int)((w) >> 59))

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
#define PTE_ADDR		0x0000fffffffff000ULL

#define EVT_C_BAD_STE		0x04
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

void sim_cdc_inv(struct sim_smmu *smmu, uint32_t sid, bool all)
{
	struct sim_cdc **p, *c;

	for (p = &smmu->cdc; (c = *p);) {
		if (all || c->sid == sid) {
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
	sim_cdc_inv(smmu, 0, true);
	sim_ida_free(&smmu->vmids);
}

/* ---- faults -------------------------------------------------------------------------------- */

static void fault(struct sim_xlate *x, uint8_t id, uint32_t sid, bool read, uint64_t va)
{
	memset(x, 0, sizeof(*x));
	x->evt[0] = id | (uint64_t)sid << SIM_EVT0_SID_SHIFT;
	if (id == EVT_C_BAD_STE || id == EVT_C_BAD_CD)
		return;		/* configuration errors carry no address */
	x->evt[1] = (read ? SIM_EVT1_RNW : 0) | (uint64_t)SIM_CLASS_IN << SIM_EVT1_CLASS_SHIFT;
	x->evt[2] = va;
}

/* A stage-2 fault (the host's own business: never forwarded). */
static void fault_s2(struct sim_xlate *x, uint32_t sid, bool read, uint64_t va, uint64_t ipa,
		     unsigned int cls)
{
	memset(x, 0, sizeof(*x));
	x->evt[0] = EVT_F_TRANSLATION | (uint64_t)sid << SIM_EVT0_SID_SHIFT;
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
	uint64_t ste0;
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

static bool cd_valid(const uint64_t cd[4])
{
	unsigned int t0sz = CD0_T0SZ(cd[0]);

	return (cd[0] & CD0_V) && (cd[0] & CD0_AA64) && !CD0_TG0(cd[0]) && t0sz >= 16 &&
	       t0sz <= 39;
}

/* The CD of this stream: from the cache, or fetched at S1ContextPtr and cached. */
static int get_cd(struct sim_walk *w, uint64_t cd[4], struct sim_xlate *x)
{
	uint64_t ptr = w->ste0 & STE0_CTXPTR;
	struct sim_cdc *c;

	for (c = w->smmu->cdc; c; c = c->next) {
		if (c->sid == w->sid) {
			memcpy(cd, c->cd, sizeof(c->cd));
			return 0;
		}
	}
	if (STE0_CDMAX(w->ste0) > sim_smmu_ssid_bits(w->smmu)) {
		fault(x, EVT_C_BAD_STE, w->sid, !w->write, w->va);
		return -1;
	}
	if (!ipa_read(w, ptr, cd, 4 * sizeof(uint64_t))) {
		fault_s2(x, w->sid, !w->write, w->va, ptr, SIM_CLASS_CD);
		return -1;
	}
	if (!cd_valid(cd)) {
		fault(x, EVT_C_BAD_CD, w->sid, !w->write, w->va);
		return -1;
	}
	c = w->smmu->ncdc < SIM_CDC_MAX ? calloc(1, sizeof(*c)) : NULL;
	if (c) {
		c->sid = w->sid;
		memcpy(c->cd, cd, sizeof(c->cd));
		c->next = w->smmu->cdc;
		w->smmu->cdc = c;
		w->smmu->ncdc++;
	}
	return 0;
}

/* The leaf descriptor for w->va: its level's shift, or -1 with the fault in @x. */
static int walk_tables(struct sim_walk *w, const uint64_t cd[4], uint64_t *leaf,
		       struct sim_xlate *x)
{
	unsigned int va_bits = 64 - CD0_T0SZ(cd[0]);
	unsigned int level = 4 - (va_bits - 12 + 8) / 9, shift;
	uint64_t table = cd[1] & CD1_TTB0 & ~7ULL, desc, ipa;

	if ((w->va >> va_bits) || (cd[0] & CD0_EPD0))
		goto translation;
	for (;; level++) {
		shift = 12 + 9 * (3 - level);
		ipa = table + ((w->va >> shift) & 511) * 8;
		if (!ipa_read(w, ipa, &desc, sizeof(desc))) {
			fault_s2(x, w->sid, !w->write, w->va, ipa, SIM_CLASS_TT);
			return -1;
		}
		if (!(desc & PTE_VALID))
			goto translation;
		if (level == 3 || !(desc & PTE_TABLE))
			break;
		table = desc & PTE_ADDR;
	}
	/* level 3 needs a page descriptor; no level 0 block with a 4 KiB granule */
	if ((level == 3) != !!(desc & PTE_TABLE) || level == 0)
		goto translation;
	*leaf = desc;
	return (int)shift;

translation:
	fault(x, EVT_F_TRANSLATION, w->sid, !w->write, w->va);
	return -1;
}

/* Stage 1: VA -> IPA, through the IOTLB. */
static int stage1(struct sim_walk *w, uint64_t *ipa, struct sim_xlate *x)
{
	struct sim_tlb_key k = { .vmid = w->vmid, .va = w->va };
	struct sim_tlb *t, walked;
	uint64_t cd[4], leaf;
	int shift;

	if (get_cd(w, cd, x) < 0)
		return -1;
	k.asid = CD0_ASID(cd[0]);
	t = tlb_find(w->smmu, &k);
	if (!t) {
		shift = walk_tables(w, cd, &leaf, x);
		if (shift < 0)
			return -1;
		if (!(leaf & PTE_AF)) {
			fault(x, EVT_F_ACCESS, w->sid, !w->write, w->va);
			return -1;
		}
		tlb_entry(&walked, &k, 1ULL << shift, leaf & PTE_ADDR, leaf & PTE_AP_RO);
		tlb_insert(w->smmu, &walked);
		t = &walked;
	}
	if (w->write && t->ro) {
		fault(x, EVT_F_PERMISSION, w->sid, false, w->va);
		return -1;
	}
	*ipa = t->ipa + (w->va - t->va);
	return 0;
}

static void xlate_s2(struct sim_obj *ioas, uint32_t sid, uint64_t va, uint64_t ipa, size_t len,
		     bool write, struct sim_xlate *x)
{
	x->host = sim_ioas_xlate(ioas, ipa, len, write);
	if (!x->host)
		fault_s2(x, sid, !write, va, ipa, SIM_CLASS_IN);
}

static void xlate_nested(struct sim *sim, struct sim_pdev *p, struct sim_obj *hwpt,
			 uint64_t va, size_t len, bool write, struct sim_xlate *x)
{
	struct sim_obj *v = hwpt->u.nested.viommu, *parent = v->u.viommu.parent;
	uint64_t ste0 = hwpt->u.nested.ste[0], ipa = va;
	struct sim_walk w = {
		.smmu = &sim->smmu[v->u.viommu.smmu], .s2 = parent->u.paging.ioas,
		.vmid = v->u.viommu.vmid, .sid = p->cfg.sid, .ste0 = ste0, .va = va,
		.write = write,
	};

	if (!(ste0 & STE0_V) || STE0_CFG(ste0) == 0) {
		x->blocked = true;	/* the abort STE: terminated, no event */
		return;
	}
	if (STE0_CFG(ste0) == 5 && stage1(&w, &ipa, x) < 0)
		return;
	xlate_s2(w.s2, p->cfg.sid, va, ipa, len, write, x);
}

static void xlate(struct sim *sim, struct sim_pdev *p, uint64_t addr, size_t len, bool write,
		  struct sim_xlate *x)
{
	struct sim_obj *hwpt = p->idev ? p->idev->u.dev.hwpt : NULL;

	memset(x, 0, sizeof(*x));
	if (!hwpt)
		x->blocked = true;	/* no domain: the blocking STE */
	else if (hwpt->type == SIM_HWPT_PAGING)
		xlate_s2(hwpt->u.paging.ioas, p->cfg.sid, addr, addr, len, write, x);
	else
		xlate_nested(sim, p, hwpt, addr, len, write, x);
}

/* A failed piece is retried 4 bytes at a time, and each try faults again. */
static void report_fault(struct sim *sim, struct sim_pdev *p, const struct sim_xlate *x,
			 uint64_t addr, size_t len)
{
	uint8_t id = (uint8_t)x->evt[0];
	bool has_addr = id != EVT_C_BAD_STE && id != EVT_C_BAD_CD;
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
	     bool write)
{
	struct sim_xlate x;
	bool ok = true;
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		size_t seg = (size_t)(SIM_PAGE_SIZE - (a & (SIM_PAGE_SIZE - 1)));

		if (seg > len - done)
			seg = len - done;
		xlate(sim, p, a, seg, write, &x);
		if (x.host && write)
			memcpy(x.host, (uint8_t *)buf + done, seg);
		else if (x.host)
			memcpy((uint8_t *)buf + done, x.host, seg);
		/*
		 * A read the SMMU refused (fault or abort) still returns data to the device: the
		 * machine answers from nothing mapped, as QEMU's memory core does for a
		 * transaction its IOMMU did not translate (the unassigned region reads 0). The
		 * edu buffer then holds zeros, not what it held before (differential testing,
		 * tests/diff/faulted-dma-read-reads-zeros.ish).
		 */
		if (!x.host && !write)
			memset((uint8_t *)buf + done, 0, seg);
		if (!x.host && !x.blocked)
			report_fault(sim, p, &x, a, seg);
		ok = ok && x.host;
		done += seg;
	}
	return ok;
}
