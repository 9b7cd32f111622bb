// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMMUv3 codecs: field tables, formatters and the Linux 7.3 acceptance rules for STE words 0-1,
 * CMDQ commands, event records and the ID registers. Positions are the SMMUv3 architecture's
 * (as Linux arm-smmu-v3.h names them). The rules mirror arm_smmu_validate_vste() and
 * arm_vsmmu_validate_user_cmd(): they return -EIO exactly where the kernel does, and say why.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "iommush/smmu.h"

#define ADDR	ISH_FIELD_ADDR
#define KEY	ISH_FIELD_KEY
#define FLD(n, w, l, h, hp, fl)	\
	{ .name = (n), .word = (w), .lo = (l), .hi = (h), .help = (hp), .flags = (fl) }
#define FEND			{ .name = NULL }

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- fields ------------------------------------------------------------------------------ */

uint64_t ish_field_mask(const struct ish_field *f)
{
	unsigned int width = f->hi - f->lo + 1;
	uint64_t m = width >= 64 ? ~0ULL : (1ULL << width) - 1;

	return m << f->lo;
}

uint64_t ish_field_get(const struct ish_field *f, const uint64_t *w)
{
	uint64_t v = w[f->word] & ish_field_mask(f);

	return (f->flags & ISH_FIELD_ADDR) ? v : v >> f->lo;
}

int ish_field_set(const struct ish_field *f, uint64_t *w, uint64_t val)
{
	uint64_t mask = ish_field_mask(f);

	if (f->flags & ISH_FIELD_ADDR) {
		if (val & ~mask)
			return -ERANGE;
	} else {
		if (val > mask >> f->lo)
			return -ERANGE;
		val <<= f->lo;
	}
	w[f->word] = (w[f->word] & ~mask) | val;
	return 0;
}

const struct ish_field *ish_field_find(const struct ish_field *tab, const char *name)
{
	if (!tab || !name)
		return NULL;
	for (; tab->name; tab++)
		if (!strcasecmp(tab->name, name))
			return tab;
	return NULL;
}

/* the first field of @tab that holds bit @bit of word @word */
static const struct ish_field *field_at(const struct ish_field *tab, unsigned int word,
					unsigned int bit)
{
	for (; tab && tab->name; tab++)
		if (tab->word == word && bit >= tab->lo && bit <= tab->hi)
			return tab;
	return NULL;
}

static uint64_t covered(const struct ish_field *tab, unsigned int word)
{
	uint64_t m = 0;

	for (; tab && tab->name; tab++)
		if (tab->word == word)
			m |= ish_field_mask(tab);
	return m;
}

/* ---- text output: snprintf semantics over several appends --------------------------------- */

struct out {
	char *buf;
	size_t len;
	size_t pos;
};

static void out_init(struct out *o, char *buf, size_t len)
{
	o->buf = buf;
	o->len = buf ? len : 0;
	o->pos = 0;
	if (o->len)
		buf[0] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void out_add(struct out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

/* " name=value", decimal up to 9 and hex above, so small flags read naturally */
static void out_val(struct out *o, const char *name, uint64_t v)
{
	if (v > 9)
		out_add(o, " %s=0x%llx", name, (unsigned long long)v);
	else
		out_add(o, " %s=%llu", name, (unsigned long long)v);
}

static int out_end(const struct out *o)
{
	return o->pos > (size_t)INT_MAX ? INT_MAX : (int)o->pos;
}

/* a value as out_val() prints it, for the reasons given by the validators */
static const char *val_str(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, v > 9 ? "0x%llx" : "%llu", (unsigned long long)v);
	return buf;
}

__attribute__((format(printf, 3, 4)))
static int why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EIO;
}

static void why_clear(char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = '\0';
}

/* ---- STE words 0-1 ------------------------------------------------------------------------ */

const struct ish_field ish_ste_fields[] = {
	FLD("v", 0, 0, 0, "valid", KEY),
	FLD("config", 0, 1, 3, "0 abort, 4 bypass, 5 s1-translate, 6 s2-translate, 7 nested", KEY),
	FLD("s1fmt", 0, 4, 5, "CD table format: 0 linear, 1 2-level 4K leaves, 2 2-level 64K", 0),
	FLD("s1contextptr", 0, 6, 51, "CD table address (an IPA of the guest)", ADDR),
	FLD("s1cdmax", 0, 59, 63, "log2 of the number of CDs; 0 = one CD, no substreams", 0),
	FLD("s1dss", 1, 0, 1, "substreamless traffic: 0 terminate, 1 bypass, 2 use CD 0", 0),
	FLD("s1cir", 1, 2, 3, "CD fetch inner cacheability: 0 NC, 1 WBRA, 2 WT, 3 WB", 0),
	FLD("s1cor", 1, 4, 5, "CD fetch outer cacheability: 0 NC, 1 WBRA, 2 WT, 3 WB", 0),
	FLD("s1csh", 1, 6, 7, "CD fetch shareability: 0 NSH, 2 OSH, 3 ISH", 0),
	FLD("s2hwu59", 1, 8, 8, "stage 2 hardware use of PTE bit 59", 0),
	FLD("s2hwu60", 1, 9, 9, "stage 2 hardware use of PTE bit 60", 0),
	FLD("s2hwu61", 1, 10, 10, "stage 2 hardware use of PTE bit 61", 0),
	FLD("s2hwu62", 1, 11, 11, "stage 2 hardware use of PTE bit 62", 0),
	FLD("dre", 1, 12, 12, "destructive read enable", 0),
	FLD("cont", 1, 13, 16, "contiguous hint", 0),
	FLD("dcp", 1, 17, 17, "directed cache prefetch", 0),
	FLD("ppar", 1, 18, 18, "PASID on PRI auto-responses", 0),
	FLD("mev", 1, 19, 19, "merge events (the host sets it)", 0),
	FLD("s2fwb", 1, 25, 25, "stage 2 forced write-back (the host's)", 0),
	FLD("s1stalld", 1, 27, 27, "stage 1 stall disable", 0),
	FLD("eats", 1, 28, 29, "ATS: 0 abort, 1 full ATS, 2 split-stage (S1CHK)", 0),
	FLD("strw", 1, 30, 31, "StreamWorld: 0 NS-EL1, 2 EL2, 3 EL2-E2H", 0),
	FLD("memattr", 1, 32, 35, "memory type override", 0),
	FLD("mtcfg", 1, 36, 36, "memory type override enable", 0),
	FLD("alloccfg", 1, 37, 40, "allocation hints override", 0),
	FLD("shcfg", 1, 44, 45, "shareability override: 1 = use incoming", 0),
	FLD("nscfg", 1, 46, 47, "NS attribute override", 0),
	FLD("privcfg", 1, 48, 49, "privilege override", 0),
	FLD("instcfg", 1, 50, 51, "instruction/data override", 0),
	FEND,
};

#define STE1_EATS_SHIFT	28

static const char *const ste_cfg_names[8] = {
	"abort", "reserved", "reserved", "reserved", "bypass", "s1-translate", "s2-translate",
	"nested",
};

uint64_t ish_ste_config(const uint64_t ste[2])
{
	return (ste[0] >> 1) & 7;
}

const char *ish_ste_config_name(unsigned int cfg)
{
	return cfg < ARRAY_SIZE(ste_cfg_names) ? ste_cfg_names[cfg] : "invalid";
}

int ish_ste_config_by_name(const char *name)
{
	unsigned int i;

	if (!name)
		return -ENOENT;
	if (!strcasecmp(name, "translate"))
		return ISH_STE_CFG_S1_TRANS;
	for (i = 0; i < ARRAY_SIZE(ste_cfg_names); i++)
		if (strcmp(ste_cfg_names[i], "reserved") && !strcasecmp(name, ste_cfg_names[i]))
			return (int)i;
	return -ENOENT;
}

static const char *const ste_allowed_fields[2] = {
	"v config s1fmt s1contextptr s1cdmax",
	"s1dss s1cir s1cor s1csh s1stalld eats",
};

static int ste_forbidden(const uint64_t ste[2], char *why, size_t whylen)
{
	uint64_t bad[2] = { ste[0] & ~ISH_STE0_NESTING_ALLOWED,
			    ste[1] & ~ISH_STE1_NESTING_ALLOWED };
	unsigned int w = bad[0] ? 0 : 1;
	unsigned int bit = (unsigned int)__builtin_ctzll(bad[w]);
	const struct ish_field *f = field_at(ish_ste_fields, w, bit);
	char v[24];

	if (!f)
		return why_set(why, whylen, "ste[%u] bit %u is not a bit a vSTE may set "
			       "(word %u: %s)", w, bit, w, ste_allowed_fields[w]);
	return why_set(why, whylen, "ste[%u] %s=%s is not a field a vSTE may set (word %u: %s)",
		       w, f->name, val_str(ish_field_get(f, ste), v, sizeof(v)), w,
		       ste_allowed_fields[w]);
}

int ish_ste_validate(const uint64_t ste[2], char *why, size_t whylen)
{
	unsigned int cfg, eats;

	why_clear(why, whylen);
	/* the kernel zeroes a non-valid vSTE and installs an abort STE, whatever else it held */
	if (!(ste[0] & ISH_STE_V))
		return 0;
	if ((ste[0] & ~ISH_STE0_NESTING_ALLOWED) || (ste[1] & ~ISH_STE1_NESTING_ALLOWED))
		return ste_forbidden(ste, why, whylen);
	cfg = (unsigned int)ish_ste_config(ste);
	if (cfg != ISH_STE_CFG_ABORT && cfg != ISH_STE_CFG_BYPASS && cfg != ISH_STE_CFG_S1_TRANS)
		return why_set(why, whylen, "config=%u (%s): a vSTE must be abort (0), bypass (4) "
			       "or s1-translate (5)", cfg, ish_ste_config_name(cfg));
	/* checked for every Config, not only translate */
	eats = (unsigned int)(ste[1] >> STE1_EATS_SHIFT) & 3;
	if (eats > 1)
		return why_set(why, whylen, "eats=%u: only 0 (abort) and 1 (full ATS) are accepted",
			       eats);
	return 0;
}

/* set bits of @w no field of @tab covers, besides @skip, as " <prefix><word>=0x..." */
static void out_uncovered(struct out *o, const struct ish_field *tab, const uint64_t *w,
			  unsigned int nwords, const uint64_t *skip, const char *prefix)
{
	unsigned int i;

	for (i = 0; i < nwords; i++) {
		uint64_t rest = w[i] & ~covered(tab, i) & ~(skip ? skip[i] : 0);

		if (rest)
			out_add(o, " %s%u=0x%llx", prefix, i, (unsigned long long)rest);
	}
}

int ish_ste_format(const uint64_t ste[2], char *buf, size_t len)
{
	const struct ish_field *f;
	unsigned int cfg;
	struct out o;

	out_init(&o, buf, len);
	cfg = (unsigned int)ish_ste_config(ste);
	/* a reserved Config by its number, so that the text gives the same word back */
	if (strcmp(ish_ste_config_name(cfg), "reserved"))
		out_add(&o, "v=%u config=%s", (unsigned int)(ste[0] & ISH_STE_V),
			ish_ste_config_name(cfg));
	else
		out_add(&o, "v=%u config=%u", (unsigned int)(ste[0] & ISH_STE_V), cfg);
	for (f = ish_ste_fields; f->name; f++) {
		uint64_t v = ish_field_get(f, ste);

		if (f->flags & KEY)
			continue;	/* v and config lead the line */
		if (v)
			out_val(&o, f->name, v);
	}
	out_uncovered(&o, ish_ste_fields, ste, 2, NULL, "rsvd");
	return out_end(&o);
}

/* ---- CMDQ commands ------------------------------------------------------------------------ */

#define F_SSEC		FLD("ssec", 0, 10, 10, "Secure stream (Secure command queue only)", 0)
#define F_SSV		FLD("ssv", 0, 11, 11, "SubstreamID valid", 0)
#define F_SSID		FLD("ssid", 0, 12, 31, "SubstreamID (PASID)", 0)
#define F_SID		FLD("sid", 0, 32, 63, "StreamID (the vSID from userspace)", KEY)
#define F_VMID		FLD("vmid", 0, 32, 47, "VMID (the kernel forces the vIOMMU's)", 0)
#define F_VMID_KEY	FLD("vmid", 0, 32, 47, "VMID", KEY)
#define F_ASID		FLD("asid", 0, 48, 63, "ASID", KEY)
#define F_NUM		FLD("num", 0, 12, 16, "range: (num+1) * 2^scale pages", 0)
#define F_SCALE		FLD("scale", 0, 20, 25, "range scale (above 31 needs IDR5.DS)", 0)
#define F_LEAF		FLD("leaf", 1, 0, 0, "last level only", 0)
#define F_TTL		FLD("ttl", 1, 8, 9, "level hint: table level of the leaves", 0)
#define F_TG		FLD("tg", 1, 10, 11, "range granule: 0 none, 1 4K, 2 16K, 3 64K", 0)
#define F_VA		FLD("addr", 1, 12, 63, "virtual address", ADDR | KEY)
#define F_IPA		FLD("addr", 1, 12, 51, "intermediate physical address", ADDR | KEY)
#define F_CFGI_LEAF	FLD("leaf", 1, 0, 0, "leaf only (not the L1 descriptors)", 0)

static const struct ish_field cmd_prefetch_config[] = {
	F_SID, F_SSV, F_SSID, F_SSEC, FEND,
};

static const struct ish_field cmd_prefetch_addr[] = {
	F_SID, F_SSV, F_SSID,
	FLD("addr", 1, 12, 63, "address to prefetch from", ADDR | KEY),
	FLD("size", 1, 0, 4, "2^size translations", 0),
	F_SSEC, FEND,
};

static const struct ish_field cmd_cfgi_ste[] = {
	F_SID, F_CFGI_LEAF, F_SSEC, FEND,
};

static const struct ish_field cmd_cfgi_ste_range[] = {
	F_SID, FLD("range", 1, 0, 4, "2^(range+1) StreamIDs from sid; 31 = all", 0), F_SSEC, FEND,
};

/* range is preset to 31; it is here so that setting it by name works too */
static const struct ish_field cmd_cfgi_all[] = {
	FLD("range", 1, 0, 4, "31: every StreamID", 0), F_SSEC, FEND,
};

static const struct ish_field cmd_cfgi_cd[] = {
	F_SID, F_SSID, F_CFGI_LEAF, F_SSEC, FEND,
};

static const struct ish_field cmd_cfgi_cd_all[] = {
	F_SID, F_SSEC, FEND,
};

static const struct ish_field cmd_tlbi_nh_all[] = {
	F_VMID, FEND,
};

static const struct ish_field cmd_tlbi_nh_asid[] = {
	F_ASID, F_VMID, FEND,
};

static const struct ish_field cmd_tlbi_nh_va[] = {
	F_ASID, F_VA, F_LEAF, F_VMID, F_NUM, F_SCALE, F_TTL, F_TG, FEND,
};

static const struct ish_field cmd_tlbi_nh_vaa[] = {
	F_VA, F_LEAF, F_VMID, F_NUM, F_SCALE, F_TTL, F_TG, FEND,
};

static const struct ish_field cmd_none[] = {
	FEND,
};

static const struct ish_field cmd_tlbi_va_noasid[] = {
	F_VA, F_LEAF, F_NUM, F_SCALE, F_TTL, F_TG, FEND,
};

static const struct ish_field cmd_tlbi_el2_asid[] = {
	F_ASID, FEND,
};

static const struct ish_field cmd_tlbi_el2_va[] = {
	F_ASID, F_VA, F_LEAF, F_NUM, F_SCALE, F_TTL, F_TG, FEND,
};

static const struct ish_field cmd_tlbi_s12_vmall[] = {
	F_VMID_KEY, FEND,
};

static const struct ish_field cmd_tlbi_s2_ipa[] = {
	F_VMID_KEY, F_IPA, F_LEAF, F_NUM, F_SCALE, F_TTL, F_TG, FEND,
};

static const struct ish_field cmd_atc_inv[] = {
	F_SID, F_SSV, F_SSID,
	FLD("global", 0, 9, 9, "with ssv: every SubstreamID (global pages)", 0),
	FLD("addr", 1, 12, 63, "untranslated address, aligned to 2^size pages", ADDR),
	FLD("size", 1, 0, 5, "2^size 4K pages from addr; 52 = everything", 0),
	FEND,
};

static const struct ish_field cmd_pri_resp[] = {
	F_SID, F_SSV, F_SSID,
	FLD("grpid", 1, 0, 8, "page request group index (PRGIndex)", 0),
	FLD("resp", 1, 12, 13, "0 invalid, 1 failure, 2 success", 0),
	FEND,
};

static const struct ish_field cmd_resume[] = {
	F_SID, FLD("stag", 1, 0, 15, "stall tag from the event", KEY),
	FLD("action", 0, 12, 13, "0 terminate, 1 retry, 2 abort", 0),
	F_SSEC, FEND,
};

static const struct ish_field cmd_stall_term[] = {
	F_SID, F_SSEC, FEND,
};

static const struct ish_field cmd_sync[] = {
	FLD("cs", 0, 12, 13, "completion signal: 0 none, 1 IRQ (MSI), 2 SEV", 0),
	FLD("msh", 0, 22, 23, "MSI shareability", 0),
	FLD("msiattr", 0, 24, 27, "MSI memory attributes", 0),
	FLD("msidata", 0, 32, 63, "MSI payload", 0),
	FLD("msiaddr", 1, 2, 51, "MSI address", ADDR),
	FEND,
};

const struct ish_cmd_desc ish_cmd_descs[] = {
	{ ISH_CMD_PREFETCH_CONFIG, "PREFETCH_CONFIG", cmd_prefetch_config,
	  "prefetch the STE and CDs of a stream", { 0, 0 } },
	{ ISH_CMD_PREFETCH_ADDR, "PREFETCH_ADDR", cmd_prefetch_addr,
	  "prefetch TLB entries of a stream's address range", { 0, 0 } },
	{ ISH_CMD_CFGI_STE, "CFGI_STE", cmd_cfgi_ste,
	  "invalidate the cached STE of a StreamID", { 0, 0 } },
	{ ISH_CMD_CFGI_STE_RANGE, "CFGI_STE_RANGE", cmd_cfgi_ste_range,
	  "invalidate the cached STEs of a range of StreamIDs", { 0, 0 } },
	{ ISH_CMD_CFGI_ALL, "CFGI_ALL", cmd_cfgi_all,
	  "invalidate every cached STE and CD (CFGI_STE_RANGE with range=31)", { 0, 31 } },
	{ ISH_CMD_CFGI_CD, "CFGI_CD", cmd_cfgi_cd,
	  "invalidate the cached CD of a StreamID and SubstreamID", { 0, 0 } },
	{ ISH_CMD_CFGI_CD_ALL, "CFGI_CD_ALL", cmd_cfgi_cd_all,
	  "invalidate every cached CD of a StreamID", { 0, 0 } },
	{ ISH_CMD_TLBI_NH_ALL, "TLBI_NH_ALL", cmd_tlbi_nh_all,
	  "invalidate every stage 1 TLB entry of a VMID", { 0, 0 } },
	{ ISH_CMD_TLBI_NH_ASID, "TLBI_NH_ASID", cmd_tlbi_nh_asid,
	  "invalidate the stage 1 TLB entries of an ASID", { 0, 0 } },
	{ ISH_CMD_TLBI_NH_VA, "TLBI_NH_VA", cmd_tlbi_nh_va,
	  "invalidate the stage 1 TLB entries of a VA (range) in an ASID", { 0, 0 } },
	{ ISH_CMD_TLBI_NH_VAA, "TLBI_NH_VAA", cmd_tlbi_nh_vaa,
	  "invalidate the stage 1 TLB entries of a VA (range) in every ASID", { 0, 0 } },
	{ ISH_CMD_TLBI_EL3_ALL, "TLBI_EL3_ALL", cmd_none,
	  "invalidate every EL3 TLB entry", { 0, 0 } },
	{ ISH_CMD_TLBI_EL3_VA, "TLBI_EL3_VA", cmd_tlbi_va_noasid,
	  "invalidate the EL3 TLB entries of a VA", { 0, 0 } },
	{ ISH_CMD_TLBI_EL2_ALL, "TLBI_EL2_ALL", cmd_none,
	  "invalidate every EL2 TLB entry", { 0, 0 } },
	{ ISH_CMD_TLBI_EL2_ASID, "TLBI_EL2_ASID", cmd_tlbi_el2_asid,
	  "invalidate the EL2 TLB entries of an ASID", { 0, 0 } },
	{ ISH_CMD_TLBI_EL2_VA, "TLBI_EL2_VA", cmd_tlbi_el2_va,
	  "invalidate the EL2 TLB entries of a VA in an ASID", { 0, 0 } },
	{ ISH_CMD_TLBI_EL2_VAA, "TLBI_EL2_VAA", cmd_tlbi_va_noasid,
	  "invalidate the EL2 TLB entries of a VA in every ASID", { 0, 0 } },
	{ ISH_CMD_TLBI_S12_VMALL, "TLBI_S12_VMALL", cmd_tlbi_s12_vmall,
	  "invalidate every stage 1 and stage 2 TLB entry of a VMID", { 0, 0 } },
	{ ISH_CMD_TLBI_S2_IPA, "TLBI_S2_IPA", cmd_tlbi_s2_ipa,
	  "invalidate the stage 2 TLB entries of an IPA (range)", { 0, 0 } },
	{ ISH_CMD_TLBI_NSNH_ALL, "TLBI_NSNH_ALL", cmd_none,
	  "invalidate every non-secure non-hyp TLB entry (a vIOMMU's: TLBI_NH_ALL of its VMID)",
	  { 0, 0 } },
	{ ISH_CMD_ATC_INV, "ATC_INV", cmd_atc_inv,
	  "invalidate a device's ATC (PCIe ATS)", { 0, 0 } },
	{ ISH_CMD_PRI_RESP, "PRI_RESP", cmd_pri_resp,
	  "respond to a PRI page request group", { 0, 0 } },
	{ ISH_CMD_RESUME, "RESUME", cmd_resume,
	  "retry or terminate a stalled transaction", { 0, 0 } },
	{ ISH_CMD_STALL_TERM, "STALL_TERM", cmd_stall_term,
	  "terminate every stalled transaction of a StreamID", { 0, 0 } },
	{ ISH_CMD_SYNC, "CMD_SYNC", cmd_sync,
	  "complete the commands before it, then signal", { 0, 0 } },
	{ .name = NULL },
};

#define CMD0_OP		0xffULL
#define CFGI_ALL_RANGE	31

static const struct ish_cmd_desc *cmd_lookup(const char *name)
{
	const struct ish_cmd_desc *d;

	for (d = ish_cmd_descs; d->name; d++)
		if (!strcasecmp(d->name, name))
			return d;
	return NULL;
}

const struct ish_cmd_desc *ish_cmd_by_name(const char *name)
{
	const struct ish_cmd_desc *d;
	char full[32];

	if (!name)
		return NULL;
	d = cmd_lookup(name);
	if (d)
		return d;
	/* the spec writes CMD_ in front of every command: accept it, or its absence on SYNC */
	if (!strncasecmp(name, "cmd_", 4))
		return cmd_lookup(name + 4);
	if (snprintf(full, sizeof(full), "CMD_%s", name) >= (int)sizeof(full))
		return NULL;
	return cmd_lookup(full);
}

const struct ish_cmd_desc *ish_cmd_by_opcode(uint8_t op)
{
	const struct ish_cmd_desc *d;

	for (d = ish_cmd_descs; d->name; d++)
		if (d->opcode == op)
			return d;
	return NULL;
}

void ish_cmd_init(const struct ish_cmd_desc *d, uint64_t cmd[2])
{
	cmd[0] = d->opcode | d->preset[0];
	cmd[1] = d->preset[1];
}

/* the desc a command is: CFGI_ALL is CFGI_STE_RANGE with range=31 and nothing else but SSec */
static const struct ish_cmd_desc *cmd_desc_of(const uint64_t cmd[2])
{
	uint8_t op = (uint8_t)(cmd[0] & CMD0_OP);

	if (op == ISH_CMD_CFGI_STE_RANGE && cmd[1] == CFGI_ALL_RANGE &&
	    !(cmd[0] & ~(CMD0_OP | covered(cmd_cfgi_all, 0))))
		return ish_cmd_by_name("CFGI_ALL");
	return ish_cmd_by_opcode(op);
}

/* VA commands name their address even when it is 0; a preset value goes without saying */
static bool cmd_shows(const struct ish_cmd_desc *d, const struct ish_field *f,
		      const uint64_t cmd[2])
{
	uint64_t mask = ish_field_mask(f);

	if ((d->preset[f->word] & mask) && (cmd[f->word] & mask) == (d->preset[f->word] & mask))
		return false;
	return ish_field_get(f, cmd) || (f->flags & KEY);
}

int ish_cmd_format(const uint64_t cmd[2], char *buf, size_t len)
{
	const struct ish_cmd_desc *d = cmd_desc_of(cmd);
	const struct ish_field *f;
	uint64_t skip[2];
	struct out o;

	out_init(&o, buf, len);
	if (!d) {
		out_add(&o, "opcode 0x%02x w0=0x%llx w1=0x%llx", (unsigned int)(cmd[0] & CMD0_OP),
			(unsigned long long)cmd[0], (unsigned long long)cmd[1]);
		return out_end(&o);
	}
	out_add(&o, "%s", d->name);
	for (f = d->fields; f->name; f++)
		if (cmd_shows(d, f, cmd))
			out_val(&o, f->name, ish_field_get(f, cmd));
	skip[0] = CMD0_OP | d->preset[0];
	skip[1] = d->preset[1];
	out_uncovered(&o, d->fields, cmd, 2, skip, "rsvd");
	return out_end(&o);
}

/* ---- what arm_vsmmu_validate_user_cmd() lets userspace send -------------------------------- */

/* the host features the 7.3 rules look at */
struct smmu_caps {
	bool ats, ril, ds;
	unsigned int ssid_bits, asid_bits;
};

static uint32_t idr_val(const uint32_t idr[6], const char *name)
{
	return ish_idr_get(ish_idr_find(name), idr);
}

static void caps_of(const uint32_t idr[6], struct smmu_caps *c)
{
	static const uint32_t none[6];

	if (!idr)
		idr = none;
	c->ats = idr_val(idr, "ATS");
	c->ril = idr_val(idr, "RIL");
	c->ds = idr_val(idr, "DS");
	c->ssid_bits = idr_val(idr, "SSIDSIZE");
	c->asid_bits = idr_val(idr, "ASID16") ? 16 : 8;
}

static void allow(const struct ish_cmd_desc *d, uint64_t allowed[2], const char *name)
{
	const struct ish_field *f = ish_field_find(d->fields, name);

	allowed[f->word] |= ish_field_mask(f);
}

static uint64_t cmd_get(const struct ish_cmd_desc *d, const uint64_t cmd[2], const char *name)
{
	return ish_field_get(ish_field_find(d->fields, name), cmd);
}

/* arm_vsmmu_validate_range(): the reserved NUM/SCALE/TTL/TG combinations */
static int check_range(const struct ish_cmd_desc *d, const uint64_t cmd[2],
		       const struct smmu_caps *c, char *why, size_t whylen)
{
	uint64_t num = cmd_get(d, cmd, "num"), scale = cmd_get(d, cmd, "scale");
	uint64_t ttl = cmd_get(d, cmd, "ttl"), tg = cmd_get(d, cmd, "tg");
	char v[24];

	if (!tg) {
		const char *set = num ? "num" : scale ? "scale" : ttl ? "ttl" : NULL;

		if (!set)
			return 0;
		return why_set(why, whylen, "%s: %s=%s with tg=0: num, scale and ttl are RES0 "
			       "without a range granule", d->name, set,
			       val_str(num ? num : scale ? scale : ttl, v, sizeof(v)));
	}
	if (tg == 2 && ttl == 1 && !c->ds)
		return why_set(why, whylen, "%s: ttl=1 with tg=2 (16K) needs IDR5.DS=1", d->name);
	if (!num && !scale && !ttl)
		return why_set(why, whylen, "%s: tg=%u with num=scale=ttl=0 is a reserved "
			       "combination", d->name, (unsigned int)tg);
	return 0;
}

static const char *op_refusal(uint8_t op)
{
	switch (op) {
	case ISH_CMD_SYNC:
		return "the kernel adds its own CMD_SYNC";
	case ISH_CMD_CFGI_STE:
	case ISH_CMD_CFGI_STE_RANGE:
		return "a vSTE changes by attaching a new nested HWPT";
	case ISH_CMD_TLBI_S12_VMALL:
	case ISH_CMD_TLBI_S2_IPA:
		return "stage 2 belongs to the host";
	case ISH_CMD_TLBI_EL2_ALL:
	case ISH_CMD_TLBI_EL2_ASID:
	case ISH_CMD_TLBI_EL2_VA:
	case ISH_CMD_TLBI_EL2_VAA:
	case ISH_CMD_TLBI_EL3_ALL:
	case ISH_CMD_TLBI_EL3_VA:
		return "EL2 and EL3 TLBs belong to the host";
	default:
		return "only TLBI_NH_ALL/ASID/VA/VAA, TLBI_NSNH_ALL, ATC_INV, CFGI_CD and "
		       "CFGI_CD_ALL are";
	}
}

/* why the kernel's mask refused bit @bit of word @w */
static int explain_bit(const struct ish_cmd_desc *d, const uint64_t cmd[2], unsigned int w,
		       unsigned int bit, const struct smmu_caps *c, char *why, size_t whylen)
{
	const struct ish_field *f = field_at(d->fields, w, bit);
	char v[24];
	const char *n;

	if (!f)
		return why_set(why, whylen, "%s: cmd[%u] bit %u is RES0 (no field of %s)", d->name,
			       w, bit, d->name);
	n = f->name;
	val_str(ish_field_get(f, cmd), v, sizeof(v));
	if (!strcmp(n, "asid"))
		return why_set(why, whylen, "%s: asid=%s exceeds the SMMU's %u-bit ASIDs "
			       "(IDR0.ASID16=0)", d->name, v, c->asid_bits);
	if (!strcmp(n, "num") || !strcmp(n, "scale") || !strcmp(n, "ttl") || !strcmp(n, "tg")) {
		if (!c->ril)
			return why_set(why, whylen, "%s: %s=%s needs range invalidation "
				       "(IDR3.RIL=0)", d->name, n, v);
		return why_set(why, whylen, "%s: %s=%s above 31 needs IDR5.DS=1", d->name, n, v);
	}
	if (!c->ssid_bits && (!strcmp(n, "ssid") || !strcmp(n, "ssv") || !strcmp(n, "global")))
		return why_set(why, whylen, "%s: %s=%s needs substreams (IDR1.SSIDSIZE=0)",
			       d->name, n, v);
	return why_set(why, whylen, "%s: %s=%s is not accepted from userspace", d->name, n, v);
}

/* the fields each opcode may carry, in the kernel's order of checks; -EIO if it refuses */
static int cmd_allowed(const struct ish_cmd_desc *d, const uint64_t cmd[2],
		       const struct smmu_caps *c, uint64_t allowed[2], char *why, size_t whylen)
{
	int rc;

	switch (d->opcode) {
	case ISH_CMD_TLBI_NSNH_ALL:
		return 0;
	case ISH_CMD_TLBI_NH_VA:
	case ISH_CMD_TLBI_NH_VAA:
		if (d->opcode == ISH_CMD_TLBI_NH_VA)
			allowed[0] |= ((1ULL << c->asid_bits) - 1) << 48;
		if (c->ril) {
			rc = check_range(d, cmd, c, why, whylen);
			if (rc)
				return rc;
			allow(d, allowed, "num");
			allow(d, allowed, "scale");
			allow(d, allowed, "tg");
			allow(d, allowed, "ttl");
			/* SCALE values above 31 are RES0 without DS */
			if (!c->ds)
				allowed[0] &= ~(1ULL << 25);
		}
		allow(d, allowed, "vmid");
		allow(d, allowed, "leaf");
		allow(d, allowed, "addr");
		return 0;
	case ISH_CMD_TLBI_NH_ASID:
		allowed[0] |= ((1ULL << c->asid_bits) - 1) << 48;
		/* fall through */
	case ISH_CMD_TLBI_NH_ALL:
		allow(d, allowed, "vmid");
		return 0;
	case ISH_CMD_ATC_INV:
		if (!c->ats)
			return why_set(why, whylen, "ATC_INV: the SMMU has no ATS (IDR0.ATS=0)");
		if (cmd_get(d, cmd, "size") > 52)
			return why_set(why, whylen, "ATC_INV: size=0x%x is above 52 (52 = all)",
				       (unsigned int)cmd_get(d, cmd, "size"));
		if (c->ssid_bits) {
			allow(d, allowed, "ssv");
			allow(d, allowed, "ssid");
			allow(d, allowed, "global");
		}
		allow(d, allowed, "sid");
		allow(d, allowed, "size");
		allow(d, allowed, "addr");
		return 0;
	case ISH_CMD_CFGI_CD:
		if (c->ssid_bits)
			allow(d, allowed, "ssid");
		allow(d, allowed, "leaf");
		/* fall through */
	case ISH_CMD_CFGI_CD_ALL:
		allow(d, allowed, "sid");
		return 0;
	default:
		return why_set(why, whylen, "%s is not accepted from userspace: %s", d->name,
			       op_refusal(d->opcode));
	}
}

int ish_cmd_validate_user(const uint64_t cmd[2], const uint32_t idr[6], char *why, size_t whylen)
{
	const struct ish_cmd_desc *d = cmd_desc_of(cmd);
	uint64_t allowed[2] = { CMD0_OP, 0 }, bad[2];
	struct smmu_caps c;
	unsigned int w;
	int rc;

	why_clear(why, whylen);
	if (!d)
		return why_set(why, whylen, "opcode 0x%02x is not an SMMUv3 command",
			       (unsigned int)(cmd[0] & CMD0_OP));
	caps_of(idr, &c);
	rc = cmd_allowed(d, cmd, &c, allowed, why, whylen);
	if (rc)
		return rc;
	bad[0] = cmd[0] & ~allowed[0];
	bad[1] = cmd[1] & ~allowed[1];
	if (!bad[0] && !bad[1])
		return 0;
	w = bad[0] ? 0 : 1;
	return explain_bit(d, cmd, w, (unsigned int)__builtin_ctzll(bad[w]), &c, why, whylen);
}

/* ---- event records ------------------------------------------------------------------------ */

const struct ish_field ish_evt_fields[] = {
	FLD("id", 0, 0, 7, "event type", 0),
	FLD("sid", 0, 32, 63, "StreamID (the vSID once forwarded)", KEY),
	FLD("ssv", 0, 11, 11, "SubstreamID valid", 0),
	FLD("ssid", 0, 12, 31, "SubstreamID", 0),
	FLD("stag", 1, 0, 15, "stall tag (for RESUME)", 0),
	FLD("stall", 1, 31, 31, "the transaction is stalled", 0),
	FLD("pnu", 1, 33, 33, "privileged (1) or unprivileged (0)", 0),
	FLD("ind", 1, 34, 34, "instruction (1) or data (0)", 0),
	FLD("rnw", 1, 35, 35, "read (1) or write (0)", 0),
	FLD("nsipa", 1, 38, 38, "the IPA is non-secure", 0),
	FLD("s2", 1, 39, 39, "fault at stage 2 (stays on the host)", 0),
	FLD("class", 1, 40, 41, "what faulted: 0 CD fetch, 1 table walk, 2 input address", 0),
	FLD("ttrnw", 1, 44, 44, "the table walk access was a read", 0),
	FLD("addr", 2, 0, 63, "input address", ADDR),
	FLD("ipa", 3, 12, 51, "intermediate physical address (stage 2 faults)", ADDR),
	FLD("fetchaddr", 3, 3, 51, "address of the failed fetch", ADDR),
	FEND,
};

static const struct {
	uint8_t id;
	const char *name;
} evt_names[] = {
	{ ISH_EVT_F_UUT, "F_UUT" },
	{ ISH_EVT_C_BAD_STREAMID, "C_BAD_STREAMID" },
	{ ISH_EVT_F_STE_FETCH, "F_STE_FETCH" },
	{ ISH_EVT_C_BAD_STE, "C_BAD_STE" },
	{ ISH_EVT_F_BAD_ATS_TREQ, "F_BAD_ATS_TREQ" },
	{ ISH_EVT_F_STREAM_DISABLED, "F_STREAM_DISABLED" },
	{ ISH_EVT_F_TRANSL_FORBIDDEN, "F_TRANSL_FORBIDDEN" },
	{ ISH_EVT_C_BAD_SUBSTREAMID, "C_BAD_SUBSTREAMID" },
	{ ISH_EVT_F_CD_FETCH, "F_CD_FETCH" },
	{ ISH_EVT_C_BAD_CD, "C_BAD_CD" },
	{ ISH_EVT_F_WALK_EABT, "F_WALK_EABT" },
	{ ISH_EVT_F_TRANSLATION, "F_TRANSLATION" },
	{ ISH_EVT_F_ADDR_SIZE, "F_ADDR_SIZE" },
	{ ISH_EVT_F_ACCESS, "F_ACCESS" },
	{ ISH_EVT_F_PERMISSION, "F_PERMISSION" },
	{ ISH_EVT_F_TLB_CONFLICT, "F_TLB_CONFLICT" },
	{ ISH_EVT_F_CFG_CONFLICT, "F_CFG_CONFLICT" },
	{ ISH_EVT_E_PAGE_REQUEST, "E_PAGE_REQUEST" },
	{ ISH_EVT_F_VMS_FETCH, "F_VMS_FETCH" },
};

#define EVT1_STALL	(1ULL << 31)
#define EVT1_S2		(1ULL << 39)

const char *ish_evt_name(uint8_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(evt_names); i++)
		if (evt_names[i].id == id)
			return evt_names[i].name;
	return NULL;
}

int ish_evt_id_by_name(const char *name)
{
	size_t i;

	if (!name)
		return -ENOENT;
	for (i = 0; i < ARRAY_SIZE(evt_names); i++)
		if (!strcasecmp(evt_names[i].name, name))
			return evt_names[i].id;
	return -ENOENT;
}

bool ish_evt_forwarded(const uint64_t evt[4])
{
	switch (evt[0] & 0xff) {
	case ISH_EVT_C_BAD_STE:
	case ISH_EVT_F_STREAM_DISABLED:
	case ISH_EVT_C_BAD_SUBSTREAMID:
	case ISH_EVT_C_BAD_CD:
	case ISH_EVT_F_TRANSLATION:
	case ISH_EVT_F_ADDR_SIZE:
	case ISH_EVT_F_ACCESS:
	case ISH_EVT_F_PERMISSION:
		break;
	default:
		return false;
	}
	/* stalls go to the IOPF path; stage 2 faults are the host's business */
	return !(evt[1] & (EVT1_STALL | EVT1_S2));
}

/* events about one transaction: their address and direction matter even when zero */
static bool evt_is_transaction(uint8_t id)
{
	switch (id) {
	case ISH_EVT_F_UUT:
	case ISH_EVT_F_BAD_ATS_TREQ:
	case ISH_EVT_F_TRANSL_FORBIDDEN:
	case ISH_EVT_F_WALK_EABT:
	case ISH_EVT_F_TRANSLATION:
	case ISH_EVT_F_ADDR_SIZE:
	case ISH_EVT_F_ACCESS:
	case ISH_EVT_F_PERMISSION:
	case ISH_EVT_F_TLB_CONFLICT:
		return true;
	default:
		return false;
	}
}

/* which reading of word 3 applies: "fetchaddr", "ipa" or NULL (raw) */
static const char *evt_word3(uint8_t id)
{
	switch (id) {
	case ISH_EVT_F_STE_FETCH:
	case ISH_EVT_F_CD_FETCH:
	case ISH_EVT_F_WALK_EABT:
	case ISH_EVT_F_VMS_FETCH:
		return "fetchaddr";
	case ISH_EVT_F_TRANSLATION:
	case ISH_EVT_F_ADDR_SIZE:
	case ISH_EVT_F_ACCESS:
	case ISH_EVT_F_PERMISSION:
		return "ipa";
	default:
		return NULL;
	}
}

int ish_evt_format(const uint64_t evt[4], char *buf, size_t len)
{
	uint8_t id = (uint8_t)(evt[0] & 0xff);
	const char *name = ish_evt_name(id), *w3 = evt_word3(id);
	bool xact = evt_is_transaction(id);
	const struct ish_field *f;
	struct out o;
	uint64_t rest;

	out_init(&o, buf, len);
	if (name)
		out_add(&o, "%s", name);
	else
		out_add(&o, "event 0x%02x", id);
	for (f = ish_evt_fields; f->name; f++) {
		uint64_t v = ish_field_get(f, evt);

		if (f->word == 3 || !strcmp(f->name, "id"))
			continue;
		if (v || (f->flags & KEY) ||
		    (xact && (!strcmp(f->name, "addr") || !strcmp(f->name, "rnw"))))
			out_val(&o, f->name, v);
	}
	rest = evt[3];
	if (w3) {
		f = ish_field_find(ish_evt_fields, w3);
		if (ish_field_get(f, evt))
			out_val(&o, f->name, ish_field_get(f, evt));
		rest &= ~ish_field_mask(f);
	}
	out_uncovered(&o, ish_evt_fields, evt, 2, NULL, "other");
	if (rest)
		out_add(&o, " other3=0x%llx", (unsigned long long)rest);
	return out_end(&o);
}

/* ---- ID registers ------------------------------------------------------------------------- */

#define IDR(n, r, l, h, hp)	{ .name = (n), .reg = (r), .lo = (l), .hi = (h), .help = (hp) }

const struct ish_idr_field ish_idr_fields[] = {
	IDR("S2P", 0, 0, 0, "stage 2 translation"),
	IDR("S1P", 0, 1, 1, "stage 1 translation"),
	IDR("TTF", 0, 2, 3, "table formats: 1 AArch32 LPAE, 2 AArch64, 3 both"),
	IDR("COHACC", 0, 4, 4, "coherent access to tables, queues and walks"),
	IDR("BTM", 0, 5, 5, "broadcast TLB maintenance"),
	IDR("HTTU", 0, 6, 7, "hardware updates: 1 access flag, 2 and dirty state"),
	IDR("DORMHINT", 0, 8, 8, "dormant hint"),
	IDR("HYP", 0, 9, 9, "hypervisor stage 1 contexts (EL2)"),
	IDR("ATS", 0, 10, 10, "PCIe ATS"),
	IDR("NS1ATS", 0, 11, 11, "split-stage ATS NOT supported"),
	IDR("ASID16", 0, 12, 12, "16-bit ASIDs"),
	IDR("MSI", 0, 13, 13, "message signalled interrupts"),
	IDR("SEV", 0, 14, 14, "WFE wake-up events"),
	IDR("ATOS", 0, 15, 15, "address translation operations"),
	IDR("PRI", 0, 16, 16, "PCIe page request interface"),
	IDR("VMW", 0, 17, 17, "VMID wildcard matching"),
	IDR("VMID16", 0, 18, 18, "16-bit VMIDs"),
	IDR("CD2L", 0, 19, 19, "2-level CD tables"),
	IDR("VATOS", 0, 20, 20, "virtual ATOS page"),
	IDR("TTENDIAN", 0, 21, 22, "table endianness: 0 mixed, 2 little, 3 big"),
	IDR("ATSRECERR", 0, 23, 23, "more ATS/PRI error events"),
	IDR("STALL_MODEL", 0, 24, 25, "0 stall and terminate, 1 terminate only, 2 stall forced"),
	IDR("TERM_MODEL", 0, 26, 26, "1: terminated transactions always abort"),
	IDR("ST_LEVEL", 0, 27, 28, "stream table: 0 linear, 1 2-level"),
	IDR("RME_IMPL", 0, 30, 30, "RME features"),
	IDR("SIDSIZE", 1, 0, 5, "StreamID bits"),
	IDR("SSIDSIZE", 1, 6, 10, "SubstreamID bits (0: no substreams)"),
	IDR("PRIQS", 1, 11, 15, "log2 of the PRI queue entries"),
	IDR("EVENTQS", 1, 16, 20, "log2 of the event queue entries"),
	IDR("CMDQS", 1, 21, 25, "log2 of the command queue entries"),
	IDR("ATTR_PERMS_OVR", 1, 26, 26, "incoming permission attributes can be overridden"),
	IDR("ATTR_TYPES_OVR", 1, 27, 27, "incoming memory attributes can be overridden"),
	IDR("REL", 1, 28, 28, "preset base addresses are relative"),
	IDR("QUEUES_PRESET", 1, 29, 29, "queue base addresses fixed"),
	IDR("TABLES_PRESET", 1, 30, 30, "table base addresses fixed"),
	IDR("ECMDQ", 1, 31, 31, "enhanced command queues"),
	IDR("HAD", 3, 2, 2, "hierarchical attribute disable"),
	IDR("PBHA", 3, 3, 3, "page-based hardware attributes"),
	IDR("XNX", 3, 4, 4, "stage 2 EL0/EL1 execute-never distinction"),
	IDR("PPS", 3, 5, 5, "PRI auto-responses always carry the PASID"),
	IDR("MPAM", 3, 7, 7, "memory partitioning and monitoring"),
	IDR("FWB", 3, 8, 8, "stage 2 forced write-back (STE.S2FWB)"),
	IDR("STT", 3, 9, 9, "small translation tables"),
	IDR("RIL", 3, 10, 10, "range invalidation and level hint"),
	IDR("BBML", 3, 11, 12, "break-before-make level"),
	IDR("E0PD", 3, 13, 13, "E0PD mechanism"),
	IDR("PTWNNC", 3, 14, 14, "device-memory S1 walks treated as normal non-cacheable"),
	IDR("DPT", 3, 15, 15, "device permission table"),
	IDR("PASIDTT", 3, 16, 16, "PASID on ATS translated transactions"),
	IDR("EPAN", 3, 17, 17, "enhanced PAN"),
	IDR("S1PI", 3, 18, 18, "stage 1 permission indirections"),
	IDR("S2PI", 3, 19, 19, "stage 2 permission indirections"),
	IDR("S2PO", 3, 20, 20, "stage 2 permission overlays"),
	IDR("THE", 3, 21, 21, "translation hardening"),
	IDR("MTEPERM", 3, 22, 22, "stage 2 NoTagAccess"),
	IDR("AIE", 3, 23, 23, "stage 1 attribute index extension"),
	IDR("OAS", 5, 0, 2, "output address size: 0..7 = 32,36,40,42,44,48,52,56 bits"),
	IDR("GRAN4K", 5, 4, 4, "4K granule"),
	IDR("GRAN16K", 5, 5, 5, "16K granule"),
	IDR("GRAN64K", 5, 6, 6, "64K granule"),
	IDR("DS", 5, 7, 7, "52-bit addresses with 4K/16K granules (LPA2)"),
	IDR("D128", 5, 8, 8, "128-bit descriptors"),
	IDR("VAX", 5, 10, 11, "VA size: 0 48-bit, 1 52-bit, 2 56-bit"),
	IDR("STALL_MAX", 5, 16, 31, "most outstanding stalled transactions"),
	{ .name = NULL },
};

uint32_t ish_idr_get(const struct ish_idr_field *f, const uint32_t idr[6])
{
	unsigned int width = f->hi - f->lo + 1;
	uint32_t m = width >= 32 ? ~0U : (1U << width) - 1;

	return (idr[f->reg] >> f->lo) & m;
}

const struct ish_idr_field *ish_idr_find(const char *name)
{
	const struct ish_idr_field *f;

	if (!name)
		return NULL;
	for (f = ish_idr_fields; f->name; f++)
		if (!strcasecmp(f->name, name))
			return f;
	return NULL;
}

unsigned int ish_idr_oas_bits(uint32_t oas_field)
{
	static const unsigned char bits[8] = { 32, 36, 40, 42, 44, 48, 52, 56 };

	return oas_field < 8 ? bits[oas_field] : 0;
}

static const char *const ttf_names[] = { "reserved", "aarch32", "aarch64", "both" };
static const char *const httu_names[] = { "none", "af", "af+dirty", "af+dirty+table-af" };
static const char *const endian_names[] = { "mixed", "reserved", "little", "big" };
static const char *const stall_names[] = {
	"stall+terminate", "terminate-only", "stall-forced", "reserved",
};
static const char *const term_names[] = { "abort-or-raz", "abort-only" };
static const char *const st_level_names[] = { "linear", "2-level" };
static const char *const bbml_names[] = { "level-0", "level-1", "level-2" };
static const char *const oas_names[] = {
	"32-bit", "36-bit", "40-bit", "42-bit", "44-bit", "48-bit", "52-bit", "56-bit",
};
static const char *const vax_names[] = { "48-bit", "52-bit", "56-bit" };
static const char *const yes_no[] = { "no", "yes" };

#define B4(n)	#n "0 bits", #n "1 bits", #n "2 bits", #n "3 bits", #n "4 bits", \
		#n "5 bits", #n "6 bits", #n "7 bits", #n "8 bits", #n "9 bits"
static const char *const bit_names[] = {
	"0 bits", "1 bits", "2 bits", "3 bits", "4 bits", "5 bits", "6 bits", "7 bits",
	"8 bits", "9 bits", B4(1), B4(2), B4(3), B4(4), B4(5),
	"60 bits", "61 bits", "62 bits", "63 bits",
};

#define E4(n)	"2^" #n "0 entries", "2^" #n "1 entries", "2^" #n "2 entries", \
		"2^" #n "3 entries", "2^" #n "4 entries", "2^" #n "5 entries", \
		"2^" #n "6 entries", "2^" #n "7 entries", "2^" #n "8 entries", "2^" #n "9 entries"
static const char *const entry_names[] = {
	"2^0 entries", "2^1 entries", "2^2 entries", "2^3 entries", "2^4 entries",
	"2^5 entries", "2^6 entries", "2^7 entries", "2^8 entries", "2^9 entries",
	E4(1), E4(2), "2^30 entries", "2^31 entries",
};

_Static_assert(ARRAY_SIZE(bit_names) == 64, "a name for each 6-bit SIDSIZE");
_Static_assert(ARRAY_SIZE(entry_names) == 32, "a name for each 5-bit queue size");

static const struct {
	const char *field;
	const char *const *names;
	size_t n;
} idr_value_tabs[] = {
#define VT(f, t)	{ f, t, ARRAY_SIZE(t) }
	VT("TTF", ttf_names), VT("HTTU", httu_names), VT("TTENDIAN", endian_names),
	VT("STALL_MODEL", stall_names), VT("TERM_MODEL", term_names),
	VT("ST_LEVEL", st_level_names), VT("BBML", bbml_names), VT("OAS", oas_names),
	VT("VAX", vax_names), VT("SIDSIZE", bit_names), VT("SSIDSIZE", bit_names),
	VT("PRIQS", entry_names), VT("EVENTQS", entry_names), VT("CMDQS", entry_names),
#undef VT
};

const char *ish_idr_value_name(const struct ish_idr_field *f, uint32_t val)
{
	size_t i;

	if (!f)
		return "";
	for (i = 0; i < ARRAY_SIZE(idr_value_tabs); i++) {
		if (strcmp(idr_value_tabs[i].field, f->name))
			continue;
		return val < idr_value_tabs[i].n ? idr_value_tabs[i].names[val] : "reserved";
	}
	if (f->lo == f->hi)
		return val < 2 ? yes_no[val] : "reserved";
	return "";
}
