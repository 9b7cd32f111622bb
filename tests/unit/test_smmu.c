// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMMUv3 codecs: every field of every table round-trips, the Linux 7.3 vSTE and invalidation
 * rules case by case (the live-VM observations of kernel-semantics.md §8 included), event
 * decoding and forwarding, the formatters, and QEMU's IDR values decoded bit by bit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "iommush/smmu.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define GENMASK(h, l)	(((~0ULL) >> (63 - (h))) & (~0ULL << (l)))
#define STE0(cfg)	(ISH_STE_V | ((uint64_t)(cfg) << 1))

/* QEMU 10's emulated SMMUv3 as GET_HW_INFO reported it on the live VM */
static const uint32_t qemu_idr[6] = { 0x0d44101b, 0x02730010, 0, 0x00001414, 0, 0x00000074 };

/* ---- helpers ---------------------------------------------------------------------------- */

static const struct ish_field *fld(const struct ish_field *tab, const char *name)
{
	const struct ish_field *f = ish_field_find(tab, name);

	assert_non_null(f);
	return f;
}

static const struct ish_cmd_desc *cmd(const char *name)
{
	const struct ish_cmd_desc *d = ish_cmd_by_name(name);

	assert_non_null(d);
	return d;
}

/* a command built the way the shell builds one: init, then name=value pairs (0-terminated) */
static void mkcmd(uint64_t c[2], const char *name, ...)
{
	const struct ish_cmd_desc *d = cmd(name);
	const char *fname;
	va_list ap;

	ish_cmd_init(d, c);
	va_start(ap, name);
	while ((fname = va_arg(ap, const char *))) {
		uint64_t v = va_arg(ap, uint64_t);

		assert_int_equal(ish_field_set(fld(d->fields, fname), c, v), 0);
	}
	va_end(ap);
}

static unsigned int count_fields(const struct ish_field *tab)
{
	unsigned int n = 0;

	while (tab[n].name)
		n++;
	return n;
}

/* ---- fields: every table ------------------------------------------------------------------ */

static const uint64_t backgrounds[] = { 0, ~0ULL, 0xa5a5a5a5a5a5a5a5ULL, 0x5a5a5a5a5a5a5a5aULL };

static void check_untouched(const uint64_t *w, uint64_t bg, unsigned int nwords,
			    unsigned int word, uint64_t mask)
{
	unsigned int i;

	for (i = 0; i < nwords; i++) {
		uint64_t keep = i == word ? ~mask : ~0ULL;

		assert_true(((w[i] ^ bg) & keep) == 0);
	}
}

static void roundtrip_one(const struct ish_field *f, unsigned int nwords)
{
	uint64_t mask = ish_field_mask(f), max, low, w[4];
	bool addr = f->flags & ISH_FIELD_ADDR;
	unsigned int width = f->hi - f->lo + 1;
	size_t b;

	assert_true(f->word < nwords);
	assert_true(f->lo <= f->hi && f->hi < 64);
	assert_non_null(f->help);
	max = addr ? mask : mask >> f->lo;
	low = addr ? 1ULL << f->lo : 1;
	for (b = 0; b < ARRAY_SIZE(backgrounds); b++) {
		uint64_t bg = backgrounds[b];
		unsigned int i;

		for (i = 0; i < nwords; i++)
			w[i] = bg;
		assert_int_equal(ish_field_set(f, w, max), 0);
		assert_true(ish_field_get(f, w) == max);
		check_untouched(w, bg, nwords, f->word, mask);
		assert_int_equal(ish_field_set(f, w, 0), 0);
		assert_true(ish_field_get(f, w) == 0);
		assert_true((w[f->word] & mask) == 0);
		check_untouched(w, bg, nwords, f->word, mask);
		assert_int_equal(ish_field_set(f, w, low), 0);
		assert_true(ish_field_get(f, w) == low);
		assert_true((w[f->word] & mask) == 1ULL << f->lo);
		check_untouched(w, bg, nwords, f->word, mask);

		/* what does not fit changes nothing */
		for (i = 0; i < nwords; i++)
			w[i] = bg;
		if (width < 64) {
			uint64_t over = addr ? (f->hi < 63 ? 1ULL << (f->hi + 1) : 0) : max + 1;

			if (over) {
				assert_int_equal(ish_field_set(f, w, over), -ERANGE);
				assert_int_equal(ish_field_set(f, w, ~0ULL), -ERANGE);
			}
		}
		if (addr && f->lo > 0)
			assert_int_equal(ish_field_set(f, w, 1ULL << (f->lo - 1)), -ERANGE);
		check_untouched(w, bg, nwords, 0, 0);
	}
}

static void roundtrip_table(const struct ish_field *tab, unsigned int nwords)
{
	const struct ish_field *f;
	char upper[32];
	size_t i;

	for (f = tab; f->name; f++) {
		roundtrip_one(f, nwords);
		/* names are lower case and found whatever the case the user types */
		for (i = 0; f->name[i] && i < sizeof(upper) - 1; i++) {
			assert_false(f->name[i] >= 'A' && f->name[i] <= 'Z');
			upper[i] = (char)(f->name[i] >= 'a' && f->name[i] <= 'z' ?
					  f->name[i] - 32 : f->name[i]);
		}
		upper[i] = '\0';
		assert_ptr_equal(ish_field_find(tab, upper), f);
	}
	assert_null(ish_field_find(tab, "no-such-field"));
}

static void fields_ste_roundtrip(void **state)
{
	assert_int_equal(count_fields(ish_ste_fields), 29);
	roundtrip_table(ish_ste_fields, 2);
}

static void fields_cmd_roundtrip(void **state)
{
	const struct ish_cmd_desc *d;
	unsigned int n = 0;

	for (d = ish_cmd_descs; d->name; d++, n++) {
		assert_non_null(d->fields);
		assert_non_null(d->help);
		roundtrip_table(d->fields, 2);
	}
	assert_int_equal(n, 25);
}

static void fields_evt_roundtrip(void **state)
{
	roundtrip_table(ish_evt_fields, 4);
}

/* two fields of one table sharing a bit would be a typo; word 3 of events is read two ways */
static void assert_no_overlap(const struct ish_field *tab, uint64_t reserved0)
{
	const struct ish_field *a, *b;

	for (a = tab; a->name; a++) {
		if (a->word == 0)
			assert_true((ish_field_mask(a) & reserved0) == 0);
		for (b = a + 1; b->name; b++) {
			if (a->word != b->word)
				continue;
			if (!strcmp(a->name, "ipa") && !strcmp(b->name, "fetchaddr"))
				continue;
			assert_true((ish_field_mask(a) & ish_field_mask(b)) == 0);
			assert_string_not_equal(a->name, b->name);
		}
	}
}

static void fields_do_not_overlap(void **state)
{
	const struct ish_cmd_desc *d;

	assert_no_overlap(ish_ste_fields, 0);
	assert_no_overlap(ish_evt_fields, 0);
	for (d = ish_cmd_descs; d->name; d++)
		assert_no_overlap(d->fields, 0xff);	/* the opcode */
}

static void field_positions_spot_check(void **state)
{
	uint64_t w[4] = { 0 };

	/* the positions the brief and arm-smmu-v3.h give, one by one */
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "s1contextptr")), GENMASK(51, 6));
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "s1cdmax")), GENMASK(63, 59));
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "mev")), 1ULL << 19);
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "s2fwb")), 1ULL << 25);
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "s1stalld")), 1ULL << 27);
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "eats")), 3ULL << 28);
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "strw")), 3ULL << 30);
	assert_int_equal(ish_field_mask(fld(ish_ste_fields, "shcfg")), 3ULL << 44);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_NH_VA")->fields, "vmid")), 0xffffULL << 32);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_NH_VA")->fields, "asid")), 0xffffULL << 48);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_NH_VA")->fields, "num")), 0x1fULL << 12);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_NH_VA")->fields, "scale")), 0x3fULL << 20);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_NH_VA")->fields, "ttl")), 3ULL << 8);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_NH_VA")->fields, "tg")), 3ULL << 10);
	assert_int_equal(ish_field_mask(fld(cmd("TLBI_S2_IPA")->fields, "addr")),
			 GENMASK(51, 12));
	assert_int_equal(ish_field_mask(fld(cmd("ATC_INV")->fields, "size")), 0x3f);
	assert_int_equal(ish_field_mask(fld(cmd("ATC_INV")->fields, "global")), 1ULL << 9);
	assert_int_equal(ish_field_mask(fld(cmd("ATC_INV")->fields, "ssv")), 1ULL << 11);
	assert_int_equal(ish_field_mask(fld(cmd("CFGI_CD")->fields, "ssid")), 0xfffffULL << 12);
	assert_int_equal(ish_field_mask(fld(cmd("CFGI_CD")->fields, "sid")), 0xffffffffULL << 32);
	assert_int_equal(ish_field_mask(fld(cmd("CFGI_STE_RANGE")->fields, "range")), 0x1f);
	assert_int_equal(ish_field_mask(fld(cmd("CMD_SYNC")->fields, "cs")), 3ULL << 12);
	assert_int_equal(ish_field_mask(fld(cmd("CMD_SYNC")->fields, "msh")), 3ULL << 22);
	assert_int_equal(ish_field_mask(fld(cmd("CMD_SYNC")->fields, "msiattr")), 0xfULL << 24);
	assert_int_equal(ish_field_mask(fld(cmd("CMD_SYNC")->fields, "msiaddr")),
			 GENMASK(51, 2));
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "stall")), 1ULL << 31);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "pnu")), 1ULL << 33);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "ind")), 1ULL << 34);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "rnw")), 1ULL << 35);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "s2")), 1ULL << 39);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "class")), 3ULL << 40);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "ttrnw")), 1ULL << 44);
	assert_int_equal(ish_field_mask(fld(ish_evt_fields, "ipa")), GENMASK(51, 12));

	/* an address field is the address, in place */
	assert_int_equal(ish_field_set(fld(ish_ste_fields, "s1contextptr"), w, 0x108000), 0);
	assert_int_equal(w[0], 0x108000);
	assert_int_equal(ish_field_set(fld(ish_ste_fields, "s1contextptr"), w, 0x108020), -ERANGE);
	assert_int_equal(ish_field_set(fld(ish_ste_fields, "s1contextptr"), w, 1ULL << 52),
			 -ERANGE);
	assert_int_equal(w[0], 0x108000);
	/* a plain field is shifted */
	assert_int_equal(ish_field_set(fld(ish_ste_fields, "config"), w, 5), 0);
	assert_int_equal(w[0], 0x10800a);
	assert_int_equal(ish_field_set(fld(ish_ste_fields, "config"), w, 8), -ERANGE);
	assert_int_equal(w[0], 0x10800a);
	assert_int_equal(ish_field_get(fld(ish_ste_fields, "config"), w), 5);
}

/* the kernel's masks are exactly the fields a vSTE may set */
static void ste_masks_are_the_allowed_fields(void **state)
{
	static const char *const w0[] = { "v", "config", "s1fmt", "s1contextptr", "s1cdmax" };
	static const char *const w1[] = { "s1dss", "s1cir", "s1cor", "s1csh", "s1stalld", "eats" };
	uint64_t m0 = 0, m1 = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(w0); i++)
		m0 |= ish_field_mask(fld(ish_ste_fields, w0[i]));
	for (i = 0; i < ARRAY_SIZE(w1); i++)
		m1 |= ish_field_mask(fld(ish_ste_fields, w1[i]));
	assert_int_equal(m0, ISH_STE0_NESTING_ALLOWED);
	assert_int_equal(m1, ISH_STE1_NESTING_ALLOWED);
	assert_int_equal(ISH_STE0_NESTING_ALLOWED, 0xf80fffffffffffffULL);
	assert_int_equal(ISH_STE1_NESTING_ALLOWED, 0x380000ffULL);
}

/* ---- STE validation ------------------------------------------------------------------------ */

struct ste_case {
	uint64_t ste[2];
	int rc;
	const char *why;	/* a substring of the reason */
};

static void ste_validate_cases(void **state)
{
	static const struct ste_case cases[] = {
		/* §3 rule 2 / §8: V=0 is accepted whatever else the vSTE holds */
		{ { 0, 0 }, 0, NULL },
		{ { ~0ULL & ~ISH_STE_V, ~0ULL }, 0, NULL },
		{ { STE0(6), 0 }, -EIO, "config=6 (s2-translate)" },	/* §8 Config 6 */
		{ { STE0(7), 0 }, -EIO, "config=7 (nested)" },		/* §8 Config 7 */
		{ { STE0(1), 0 }, -EIO, "config=1 (reserved)" },	/* §8 Config 1 */
		{ { STE0(2), 0 }, -EIO, "config=2" },
		{ { STE0(3), 0 }, -EIO, "config=3" },
		{ { STE0(0), 0 }, 0, NULL },
		{ { STE0(4), 0 }, 0, NULL },
		{ { STE0(5) | 0x108000, 0 }, 0, NULL },
		/* §8: word0 bit 60 (S1CDMax) accepted, bit 52 refused */
		{ { STE0(5) | (1ULL << 60), 0 }, 0, NULL },
		{ { STE0(5) | (1ULL << 52), 0 }, -EIO, "ste[0] bit 52" },
		{ { STE0(5) | (1ULL << 58), 0 }, -EIO, "ste[0] bit 58" },
		/* §8: word1 bit 8 refused; MEV, S2FWB, STRW, SHCFG too */
		{ { STE0(5), 1ULL << 8 }, -EIO, "ste[1] s2hwu59=1" },
		{ { STE0(5), 1ULL << 19 }, -EIO, "ste[1] mev=1" },
		{ { STE0(5), 1ULL << 25 }, -EIO, "ste[1] s2fwb=1" },
		{ { STE0(5), 1ULL << 26 }, -EIO, "ste[1] bit 26" },
		{ { STE0(5), 2ULL << 30 }, -EIO, "ste[1] strw=2" },
		{ { STE0(5), 1ULL << 44 }, -EIO, "ste[1] shcfg=1" },
		{ { STE0(5), 1ULL << 63 }, -EIO, "ste[1] bit 63" },
		/* the mask comes before Config: a forbidden bit on a nested vSTE names the bit */
		{ { STE0(7) | (1ULL << 55), 0 }, -EIO, "bit 55" },
		/* §8: EATS=2 refused; EATS 3 too; checked for every Config */
		{ { STE0(5), 2ULL << 28 }, -EIO, "eats=2" },
		{ { STE0(5), 3ULL << 28 }, -EIO, "eats=3" },
		{ { STE0(0), 2ULL << 28 }, -EIO, "eats=2" },
		{ { STE0(4), 3ULL << 28 }, -EIO, "eats=3" },
		/* §8: word1 0x080000FF with EATS=1 on an abort vSTE accepted */
		{ { STE0(0), 0x080000ffULL | (1ULL << 28) }, 0, NULL },
		{ { STE0(5) | 0x108000 | (3ULL << 4), 0x380000ffULL & ~(2ULL << 28) }, 0, NULL },
	};
	char why[160];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(why, "stale");
		assert_int_equal(ish_ste_validate(cases[i].ste, why, sizeof(why)), cases[i].rc);
		if (cases[i].why)
			assert_non_null(strstr(why, cases[i].why));
		else
			assert_string_equal(why, "");
	}
	/* a NULL or tiny reason buffer is fine */
	assert_int_equal(ish_ste_validate(cases[2].ste, NULL, 0), -EIO);
	assert_int_equal(ish_ste_validate(cases[2].ste, why, 1), -EIO);
	assert_string_equal(why, "");
}

static void ste_config_names(void **state)
{
	assert_string_equal(ish_ste_config_name(0), "abort");
	assert_string_equal(ish_ste_config_name(4), "bypass");
	assert_string_equal(ish_ste_config_name(5), "s1-translate");
	assert_string_equal(ish_ste_config_name(6), "s2-translate");
	assert_string_equal(ish_ste_config_name(7), "nested");
	assert_string_equal(ish_ste_config_name(1), "reserved");
	assert_string_equal(ish_ste_config_name(8), "invalid");
	assert_int_equal(ish_ste_config_by_name("S1-Translate"), ISH_STE_CFG_S1_TRANS);
	assert_int_equal(ish_ste_config_by_name("translate"), ISH_STE_CFG_S1_TRANS);
	assert_int_equal(ish_ste_config_by_name("bypass"), ISH_STE_CFG_BYPASS);
	assert_int_equal(ish_ste_config_by_name("abort"), ISH_STE_CFG_ABORT);
	assert_int_equal(ish_ste_config_by_name("nested"), ISH_STE_CFG_NESTED);
	assert_int_equal(ish_ste_config_by_name("reserved"), -ENOENT);
	assert_int_equal(ish_ste_config_by_name("foo"), -ENOENT);
	assert_int_equal(ish_ste_config_by_name(NULL), -ENOENT);
	{
		const uint64_t ste[2] = { STE0(5) | 0x108000, 0 };

		assert_int_equal(ish_ste_config(ste), 5);
	}
}

static void ste_format_text(void **state)
{
	const uint64_t s1[2] = { STE0(5) | 0x108000, 0 };
	const uint64_t s1b[2] = { STE0(5) | 0x108000 | (1ULL << 4) | (3ULL << 59),
				  1 | (1ULL << 28) | (1ULL << 19) };
	const uint64_t v0[2] = { 0, 0 };
	const uint64_t bad[2] = { STE0(0) | (1ULL << 52), 1ULL << 26 };
	char buf[256];
	int n;

	n = ish_ste_format(s1, buf, sizeof(buf));
	assert_string_equal(buf, "v=1 config=s1-translate s1contextptr=0x108000");
	assert_int_equal(n, (int)strlen(buf));
	ish_ste_format(s1b, buf, sizeof(buf));
	assert_string_equal(buf, "v=1 config=s1-translate s1fmt=1 s1contextptr=0x108000 "
			    "s1cdmax=3 s1dss=1 mev=1 eats=1");
	ish_ste_format(v0, buf, sizeof(buf));
	assert_string_equal(buf, "v=0 config=abort");
	ish_ste_format(bad, buf, sizeof(buf));
	assert_string_equal(buf, "v=1 config=abort rsvd0=0x10000000000000 rsvd1=0x4000000");
	/* snprintf semantics: the full length back, a terminated prefix in the buffer */
	assert_int_equal(ish_ste_format(s1, buf, 8), n);
	assert_string_equal(buf, "v=1 con");
	assert_int_equal(ish_ste_format(s1, NULL, 0), n);
}

/* ---- commands: names and formats ----------------------------------------------------------- */

static void cmd_lookup(void **state)
{
	const struct ish_cmd_desc *d;

	for (d = ish_cmd_descs; d->name; d++) {
		const struct ish_cmd_desc *o = ish_cmd_by_opcode(d->opcode);

		assert_ptr_equal(ish_cmd_by_name(d->name), d);
		assert_non_null(o);
		assert_int_equal(o->opcode, d->opcode);
	}
	assert_ptr_equal(ish_cmd_by_name("tlbi_nh_asid"), cmd("TLBI_NH_ASID"));
	assert_int_equal(cmd("tlbi_nh_asid")->opcode, 0x11);
	assert_ptr_equal(ish_cmd_by_name("Cmd_Sync"), cmd("CMD_SYNC"));
	assert_ptr_equal(ish_cmd_by_name("sync"), cmd("CMD_SYNC"));
	assert_ptr_equal(ish_cmd_by_name("CMD_CFGI_CD"), cmd("CFGI_CD"));
	assert_int_equal(cmd("CMD_SYNC")->opcode, 0x46);
	assert_int_equal(cmd("ATC_INV")->opcode, 0x40);
	assert_int_equal(cmd("CFGI_ALL")->opcode, 0x04);
	assert_int_equal(cmd("TLBI_EL3_VA")->opcode, 0x1a);
	assert_int_equal(cmd("TLBI_S2_IPA")->opcode, 0x2a);
	assert_string_equal(ish_cmd_by_opcode(0x04)->name, "CFGI_STE_RANGE");
	assert_null(ish_cmd_by_opcode(0x7f));
	assert_null(ish_cmd_by_opcode(0x00));
	assert_null(ish_cmd_by_name("TLBI_FOO"));
	assert_null(ish_cmd_by_name(NULL));
	assert_null(ish_cmd_by_name("a-name-far-too-long-to-be-any-command-at-all"));
}

static void cmd_format_text(void **state)
{
	uint64_t c[2];
	char buf[256];
	int n;

	mkcmd(c, "TLBI_NH_ASID", "asid", (uint64_t)1, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "TLBI_NH_ASID asid=1");
	mkcmd(c, "TLBI_NH_ASID", "asid", (uint64_t)0, "vmid", (uint64_t)0x10, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "TLBI_NH_ASID asid=0 vmid=0x10");
	mkcmd(c, "TLBI_NH_ALL", NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "TLBI_NH_ALL");
	mkcmd(c, "CFGI_CD_ALL", "sid", (uint64_t)8, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_CD_ALL sid=8");
	/* decimal up to 9, hex from 10 */
	mkcmd(c, "CFGI_CD_ALL", "sid", (uint64_t)9, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_CD_ALL sid=9");
	mkcmd(c, "CFGI_CD_ALL", "sid", (uint64_t)10, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_CD_ALL sid=0xa");
	mkcmd(c, "CFGI_CD", "sid", (uint64_t)0x42, "leaf", (uint64_t)1, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_CD sid=0x42 leaf=1");
	mkcmd(c, "TLBI_NH_VA", "asid", (uint64_t)1, "addr", (uint64_t)0x10000, "leaf",
	      (uint64_t)1, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "TLBI_NH_VA asid=1 addr=0x10000 leaf=1");
	mkcmd(c, "TLBI_NH_VAA", "addr", (uint64_t)0, "num", (uint64_t)3, "tg", (uint64_t)1, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "TLBI_NH_VAA addr=0 num=3 tg=1");
	mkcmd(c, "ATC_INV", "sid", (uint64_t)8, "size", (uint64_t)52, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "ATC_INV sid=8 size=0x34");
	mkcmd(c, "CMD_SYNC", "cs", (uint64_t)1, "msiaddr", (uint64_t)0x8090004, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CMD_SYNC cs=1 msiaddr=0x8090004");
	/* CFGI_ALL is CFGI_STE_RANGE with range=31: built by name, printed by name */
	mkcmd(c, "CFGI_ALL", NULL);
	assert_int_equal(c[0], 0x04);
	assert_int_equal(c[1], 31);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_ALL");
	/* the same when the range is set by name */
	c[0] = cmd("CFGI_ALL")->opcode;
	c[1] = 0;
	assert_int_equal(ish_field_set(fld(cmd("CFGI_ALL")->fields, "range"), c, 31), 0);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_ALL");
	c[0] |= 1ULL << 10;
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_ALL ssec=1");
	/* a CFGI_ALL that names a StreamID is a CFGI_STE_RANGE */
	c[0] = ISH_CMD_CFGI_STE_RANGE | (5ULL << 32);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_STE_RANGE sid=5 range=0x1f");
	mkcmd(c, "CFGI_STE_RANGE", "sid", (uint64_t)0x100, "range", (uint64_t)7, NULL);
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "CFGI_STE_RANGE sid=0x100 range=7");
	/* bits of no field show as RES0 */
	c[0] = ISH_CMD_TLBI_NH_ALL | (1ULL << 12);
	c[1] = 1;
	ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "TLBI_NH_ALL rsvd0=0x1000 rsvd1=0x1");
	/* unknown opcodes: the raw words */
	c[0] = 0x7f | (1ULL << 40);
	c[1] = 0x20;
	n = ish_cmd_format(c, buf, sizeof(buf));
	assert_string_equal(buf, "opcode 0x7f w0=0x1000000007f w1=0x20");
	assert_int_equal(ish_cmd_format(c, buf, 4), n);
	assert_string_equal(buf, "opc");
}

/* ---- commands: the 7.3 strict validation --------------------------------------------------- */

struct cmd_case {
	const char *what;
	uint64_t c[2];
	int rc;
	const char *why;
};

#define OP(x)		((uint64_t)ISH_CMD_##x)
#define VMID(v)		((uint64_t)(v) << 32)
#define ASID(v)		((uint64_t)(v) << 48)
#define SID(v)		((uint64_t)(v) << 32)
#define SSID(v)		((uint64_t)(v) << 12)
#define NUM(v)		((uint64_t)(v) << 12)
#define SCALE(v)	((uint64_t)(v) << 20)
#define TTL(v)		((uint64_t)(v) << 8)
#define TG(v)		((uint64_t)(v) << 10)
#define SSV		(1ULL << 11)
#define GLOBAL		(1ULL << 9)
#define SSEC		(1ULL << 10)

static void run_cmd_cases(const struct cmd_case *cases, size_t n, const uint32_t idr[6])
{
	char why[160];
	size_t i;

	for (i = 0; i < n; i++) {
		int rc;

		strcpy(why, "stale");
		rc = ish_cmd_validate_user(cases[i].c, idr, why, sizeof(why));
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, expected %d (%s)", cases[i].what, rc, cases[i].rc,
				 why);
		if (cases[i].why && !strstr(why, cases[i].why))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", cases[i].what, why,
				 cases[i].why);
		if (!cases[i].rc && why[0])
			fail_msg("%s: accepted with a reason \"%s\"", cases[i].what, why);
	}
}

/* on QEMU's SMMU: RIL=1, ATS=0, SSIDSIZE=0, ASID16=1, DS=0 */
static void validate_qemu_host(void **state)
{
	static const struct cmd_case cases[] = {
		/* §8 live observations */
		{ "CMD_SYNC", { OP(SYNC), 0 }, -EIO, "CMD_SYNC is not accepted" },
		{ "CFGI_STE", { OP(CFGI_STE) | SID(8), 0 }, -EIO, "CFGI_STE is not accepted" },
		{ "ATC_INV no ATS", { OP(ATC_INV) | SID(8), 52 }, -EIO, "IDR0.ATS=0" },
		{ "TLBI_S12_VMALL", { OP(TLBI_S12_VMALL), 0 }, -EIO, "stage 2" },
		{ "NH_ALL with VMID", { OP(TLBI_NH_ALL) | VMID(0x55), 0 }, 0, NULL },
		{ "NH_ALL cmd[1] bit 0", { OP(TLBI_NH_ALL), 1 }, -EIO, "cmd[1] bit 0" },
		{ "NH_ALL cmd[1] bit 63", { OP(TLBI_NH_ALL), 1ULL << 63 }, -EIO, "cmd[1] bit 63" },
		{ "NH_ALL stray bit 12", { OP(TLBI_NH_ALL) | (1ULL << 12), 0 }, -EIO,
		  "cmd[0] bit 12 is RES0" },
		{ "NH_VA tg=4K ttl=num=scale=0", { OP(TLBI_NH_VA) | ASID(1), TG(1) | 0x10000 },
		  -EIO, "tg=1 with num=scale=ttl=0" },
		{ "NH_ASID with a VMID", { OP(TLBI_NH_ASID) | ASID(1) | VMID(7), 0 }, 0, NULL },
		{ "NH_VA leaf", { OP(TLBI_NH_VA) | ASID(1), 1 | 0x10000 }, 0, NULL },
		{ "NH_VAA", { OP(TLBI_NH_VAA), 0x10000 }, 0, NULL },
		{ "NSNH_ALL", { OP(TLBI_NSNH_ALL), 0 }, 0, NULL },
		{ "CFGI_CD leaf", { OP(CFGI_CD) | SID(8), 1 }, 0, NULL },
		{ "CFGI_CD_ALL", { OP(CFGI_CD_ALL) | SID(8), 0 }, 0, NULL },
		/* TLBI_NSNH_ALL carries nothing but its opcode */
		{ "NSNH_ALL with VMID", { OP(TLBI_NSNH_ALL) | VMID(1), 0 }, -EIO,
		  "cmd[0] bit 32 is RES0 (no field of TLBI_NSNH_ALL)" },
		{ "NSNH_ALL cmd[1]", { OP(TLBI_NSNH_ALL), 1ULL << 12 }, -EIO, "cmd[1] bit 12" },
		/* NH_ASID / NH_VA: the whole 16-bit ASID with ASID16 */
		{ "NH_ASID asid 0xffff", { OP(TLBI_NH_ASID) | ASID(0xffff), 0 }, 0, NULL },
		{ "NH_ASID cmd[1]", { OP(TLBI_NH_ASID), 1 }, -EIO, "cmd[1] bit 0" },
		{ "NH_ASID stray bit 8", { OP(TLBI_NH_ASID) | (1ULL << 8), 0 }, -EIO, "bit 8" },
		/* range fields with RIL */
		{ "NH_VA range", { OP(TLBI_NH_VA) | NUM(3) | SCALE(2), TG(1) | 0x10000 }, 0, NULL },
		{ "NH_VA ttl only", { OP(TLBI_NH_VA), TG(1) | TTL(3) | 0x10000 }, 0, NULL },
		{ "NH_VA num, tg 0", { OP(TLBI_NH_VA) | NUM(3), 0x10000 }, -EIO,
		  "num=3 with tg=0" },
		{ "NH_VA scale, tg 0", { OP(TLBI_NH_VA) | SCALE(1), 0 }, -EIO,
		  "scale=1 with tg=0" },
		{ "NH_VA ttl, tg 0", { OP(TLBI_NH_VA), TTL(2) }, -EIO, "ttl=2 with tg=0" },
		{ "NH_VAA tg 64K alone", { OP(TLBI_NH_VAA), TG(3) }, -EIO,
		  "tg=3 with num=scale=ttl=0" },
		{ "NH_VA 16K ttl 1 no DS", { OP(TLBI_NH_VA) | NUM(1), TG(2) | TTL(1) }, -EIO,
		  "ttl=1 with tg=2 (16K) needs IDR5.DS=1" },
		{ "NH_VA 16K ttl 2", { OP(TLBI_NH_VA) | NUM(1), TG(2) | TTL(2) }, 0, NULL },
		{ "NH_VA scale 31", { OP(TLBI_NH_VA) | SCALE(31), TG(1) }, 0, NULL },
		{ "NH_VA scale 32 no DS", { OP(TLBI_NH_VA) | SCALE(32), TG(1) }, -EIO,
		  "scale=0x20 above 31 needs IDR5.DS=1" },
		/* the range check comes before the mask: reserved range wins over a stray bit */
		{ "NH_VA range before mask", { OP(TLBI_NH_VA) | (1ULL << 17), TG(1) }, -EIO,
		  "num=scale=ttl=0" },
		{ "NH_VA stray bit 17", { OP(TLBI_NH_VA) | NUM(1) | (1ULL << 17), TG(1) }, -EIO,
		  "cmd[0] bit 17 is RES0" },
		{ "NH_VA cmd[1] bit 1", { OP(TLBI_NH_VA), 2 }, -EIO, "cmd[1] bit 1" },
		{ "NH_VAA no ASID", { OP(TLBI_NH_VAA) | ASID(1), 0 }, -EIO, "cmd[0] bit 48" },
		{ "NH_VA every field", { OP(TLBI_NH_VA) | ASID(0xffff) | VMID(0xffff) | NUM(31) |
		  SCALE(31), 1 | TTL(3) | TG(3) | 0xfffffffffffff000ULL }, 0, NULL },
		/* CFGI_CD without substreams: no SSID; never SSV */
		{ "CFGI_CD ssid", { OP(CFGI_CD) | SID(8) | SSID(1), 0 }, -EIO,
		  "ssid=1 needs substreams (IDR1.SSIDSIZE=0)" },
		{ "CFGI_CD ssv", { OP(CFGI_CD) | SID(8) | SSV, 0 }, -EIO, "cmd[0] bit 11 is RES0" },
		{ "CFGI_CD ssec", { OP(CFGI_CD) | SID(8) | SSEC, 0 }, -EIO,
		  "ssec=1 is not accepted" },
		{ "CFGI_CD_ALL leaf", { OP(CFGI_CD_ALL) | SID(8), 1 }, -EIO, "cmd[1] bit 0" },
		{ "CFGI_CD sid max", { OP(CFGI_CD) | SID(0xffffffff), 1 }, 0, NULL },
		/* everything else */
		{ "CFGI_ALL", { OP(CFGI_STE_RANGE), 31 }, -EIO, "CFGI_ALL is not accepted" },
		{ "CFGI_STE_RANGE", { OP(CFGI_STE_RANGE), 3 }, -EIO, "CFGI_STE_RANGE is not" },
		{ "TLBI_S2_IPA", { OP(TLBI_S2_IPA), 0 }, -EIO, "TLBI_S2_IPA is not accepted" },
		{ "TLBI_EL2_ALL", { OP(TLBI_EL2_ALL), 0 }, -EIO, "EL2" },
		{ "TLBI_EL3_ALL", { OP(TLBI_EL3_ALL), 0 }, -EIO, "TLBI_EL3_ALL is not" },
		{ "PREFETCH_CONFIG", { OP(PREFETCH_CONFIG), 0 }, -EIO, "PREFETCH_CONFIG is not" },
		{ "PRI_RESP", { OP(PRI_RESP), 0 }, -EIO, "PRI_RESP is not" },
		{ "RESUME", { OP(RESUME), 0 }, -EIO, "RESUME is not" },
		{ "STALL_TERM", { OP(STALL_TERM), 0 }, -EIO, "STALL_TERM is not" },
		{ "opcode 0", { 0, 0 }, -EIO, "opcode 0x00 is not an SMMUv3 command" },
		{ "opcode 0x7f", { 0x7f, 0 }, -EIO, "opcode 0x7f" },
	};

	run_cmd_cases(cases, ARRAY_SIZE(cases), qemu_idr);
}

/* a host with ATS, 20-bit substreams and DS: what QEMU's lacks */
static void validate_ats_ssid_ds_host(void **state)
{
	uint32_t idr[6];
	static const struct cmd_case cases[] = {
		{ "ATC_INV all", { OP(ATC_INV) | SID(8), 52 }, 0, NULL },
		{ "ATC_INV page", { OP(ATC_INV) | SID(8), 0x10000 }, 0, NULL },
		{ "ATC_INV size 53", { OP(ATC_INV) | SID(8), 53 }, -EIO, "size=0x35 is above 52" },
		{ "ATC_INV size 63", { OP(ATC_INV) | SID(8), 63 }, -EIO, "above 52" },
		{ "ATC_INV ssid", { OP(ATC_INV) | SID(8) | SSV | SSID(5) | GLOBAL, 52 }, 0, NULL },
		{ "ATC_INV cmd[1] bit 6", { OP(ATC_INV) | SID(8), 1ULL << 6 }, -EIO,
		  "cmd[1] bit 6" },
		{ "ATC_INV bit 10", { OP(ATC_INV) | SID(8) | SSEC, 0 }, -EIO, "cmd[0] bit 10" },
		{ "CFGI_CD ssid", { OP(CFGI_CD) | SID(8) | SSID(0xfffff), 1 }, 0, NULL },
		{ "CFGI_CD ssv", { OP(CFGI_CD) | SID(8) | SSV, 0 }, -EIO, "cmd[0] bit 11" },
		{ "NH_VA 16K ttl 1 with DS", { OP(TLBI_NH_VA) | NUM(1), TG(2) | TTL(1) }, 0, NULL },
		{ "NH_VA scale 63 with DS", { OP(TLBI_NH_VA) | SCALE(63), TG(1) }, 0, NULL },
		/* an 8-bit ASID host: the upper byte is RES0 */
		{ "NH_ASID asid 0xff", { OP(TLBI_NH_ASID) | ASID(0xff), 0 }, 0, NULL },
		{ "NH_ASID asid 0x100", { OP(TLBI_NH_ASID) | ASID(0x100), 0 }, -EIO,
		  "asid=0x100 exceeds the SMMU's 8-bit ASIDs" },
		{ "NH_VA asid 0x1ff", { OP(TLBI_NH_VA) | ASID(0x1ff), 0 }, -EIO, "8-bit ASIDs" },
	};

	memcpy(idr, qemu_idr, sizeof(idr));
	idr[0] |= 1u << 10;		/* ATS */
	idr[0] &= ~(1u << 12);		/* ASID16 = 0 */
	idr[1] |= 20u << 6;		/* SSIDSIZE = 20 */
	idr[5] |= 1u << 7;		/* DS */
	run_cmd_cases(cases, ARRAY_SIZE(cases), idr);
}

/* an SMMUv3.0-like host without RIL: no range fields at all */
static void validate_no_ril_host(void **state)
{
	uint32_t idr[6];
	static const struct cmd_case cases[] = {
		{ "NH_VA plain", { OP(TLBI_NH_VA) | ASID(3), 1 | 0x20000 }, 0, NULL },
		{ "NH_VA num", { OP(TLBI_NH_VA) | NUM(1), TG(1) }, -EIO,
		  "num=1 needs range invalidation (IDR3.RIL=0)" },
		/* without RIL there is no range check: tg alone is just a disallowed field */
		{ "NH_VAA tg", { OP(TLBI_NH_VAA), TG(1) }, -EIO, "tg=1 needs range invalidation" },
		{ "NH_VAA ttl", { OP(TLBI_NH_VAA), TTL(1) }, -EIO, "ttl=1 needs range" },
		{ "NH_VA scale", { OP(TLBI_NH_VA) | SCALE(1), 0 }, -EIO, "scale=1 needs range" },
	};

	memcpy(idr, qemu_idr, sizeof(idr));
	idr[3] &= ~(1u << 10);
	run_cmd_cases(cases, ARRAY_SIZE(cases), idr);
}

static void validate_null_idr_and_why(void **state)
{
	const uint64_t ok[2] = { ISH_CMD_TLBI_NH_ALL, 0 };
	const uint64_t atc[2] = { ISH_CMD_ATC_INV, 0 };
	char why[8];

	/* no IDRs: a bare SMMU, still a valid call */
	assert_int_equal(ish_cmd_validate_user(ok, NULL, NULL, 0), 0);
	assert_int_equal(ish_cmd_validate_user(atc, NULL, why, sizeof(why)), -EIO);
	assert_int_equal(strlen(why), sizeof(why) - 1);	/* truncated, terminated */
}

/* ---- events ------------------------------------------------------------------------------ */

static void evt_decode_live_records(void **state)
{
	/* C_BAD_CD for vSID 0x42, as the live VM delivered it */
	const uint64_t bad_cd[4] = { 0x000000420000000aULL, 0, 0, 0 };
	/* F_TRANSLATION, a read of VA 0x10000 by vSID 8 */
	const uint64_t xlate[4] = { 0x0000000800000010ULL, 1ULL << 35, 0x10000, 0 };
	/* F_PERMISSION, a write */
	const uint64_t perm[4] = { 0x0000000800000013ULL, 0, 0x2000, 0 };
	/* F_CD_FETCH with the fetch address */
	const uint64_t fetch[4] = { 0x0000000800000009ULL, 0, 0, 0x41000 };
	/* a stage 2 F_TRANSLATION with an IPA and a stall tag */
	const uint64_t s2[4] = { 0x0000000800000810ULL | SSID(3), (1ULL << 39) | (1ULL << 31) | 7,
				 0x1000, 0x80000000ULL };
	const uint64_t unknown[4] = { 0x7f, 1ULL << 20, 0, 5 };
	char buf[256];

	assert_string_equal(ish_evt_name((uint8_t)bad_cd[0]), "C_BAD_CD");
	assert_int_equal(ish_field_get(fld(ish_evt_fields, "id"), bad_cd), ISH_EVT_C_BAD_CD);
	assert_int_equal(ish_field_get(fld(ish_evt_fields, "sid"), bad_cd), 0x42);
	assert_int_equal(ish_field_get(fld(ish_evt_fields, "ssv"), bad_cd), 0);
	ish_evt_format(bad_cd, buf, sizeof(buf));
	assert_string_equal(buf, "C_BAD_CD sid=0x42");

	assert_int_equal(ish_field_get(fld(ish_evt_fields, "rnw"), xlate), 1);
	assert_int_equal(ish_field_get(fld(ish_evt_fields, "addr"), xlate), 0x10000);
	ish_evt_format(xlate, buf, sizeof(buf));
	assert_string_equal(buf, "F_TRANSLATION sid=8 rnw=1 addr=0x10000");
	ish_evt_format(perm, buf, sizeof(buf));
	assert_string_equal(buf, "F_PERMISSION sid=8 rnw=0 addr=0x2000");
	ish_evt_format(fetch, buf, sizeof(buf));
	assert_string_equal(buf, "F_CD_FETCH sid=8 fetchaddr=0x41000");
	ish_evt_format(s2, buf, sizeof(buf));
	assert_string_equal(buf, "F_TRANSLATION sid=8 ssv=1 ssid=3 stag=7 stall=1 rnw=0 s2=1 "
			    "addr=0x1000 ipa=0x80000000");
	ish_evt_format(unknown, buf, sizeof(buf));
	assert_string_equal(buf, "event 0x7f sid=0 other1=0x100000 other3=0x5");
}

static void evt_names_roundtrip(void **state)
{
	static const struct {
		int id;
		const char *name;
	} all[] = {
		{ 0x01, "F_UUT" }, { 0x02, "C_BAD_STREAMID" }, { 0x03, "F_STE_FETCH" },
		{ 0x04, "C_BAD_STE" }, { 0x05, "F_BAD_ATS_TREQ" }, { 0x06, "F_STREAM_DISABLED" },
		{ 0x07, "F_TRANSL_FORBIDDEN" }, { 0x08, "C_BAD_SUBSTREAMID" },
		{ 0x09, "F_CD_FETCH" }, { 0x0a, "C_BAD_CD" }, { 0x0b, "F_WALK_EABT" },
		{ 0x10, "F_TRANSLATION" }, { 0x11, "F_ADDR_SIZE" }, { 0x12, "F_ACCESS" },
		{ 0x13, "F_PERMISSION" }, { 0x20, "F_TLB_CONFLICT" }, { 0x21, "F_CFG_CONFLICT" },
		{ 0x24, "E_PAGE_REQUEST" }, { 0x25, "F_VMS_FETCH" },
	};
	unsigned int id, named = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		assert_string_equal(ish_evt_name((uint8_t)all[i].id), all[i].name);
		assert_int_equal(ish_evt_id_by_name(all[i].name), all[i].id);
	}
	for (id = 0; id < 256; id++)
		named += ish_evt_name((uint8_t)id) != NULL;
	assert_int_equal(named, ARRAY_SIZE(all));
	assert_int_equal(ish_evt_id_by_name("c_bad_cd"), 0x0a);
	assert_int_equal(ish_evt_id_by_name("F_Translation"), 0x10);
	assert_int_equal(ish_evt_id_by_name("F_NOPE"), -ENOENT);
	assert_int_equal(ish_evt_id_by_name(NULL), -ENOENT);
	assert_null(ish_evt_name(0));
	assert_null(ish_evt_name(0x0c));
}

static void evt_forwarding_rules(void **state)
{
	static const uint8_t fwd[] = { 0x04, 0x06, 0x08, 0x0a, 0x10, 0x11, 0x12, 0x13 };
	unsigned int id, n = 0;

	for (id = 0; id < 256; id++) {
		uint64_t evt[4] = { id | SID(8), 0, 0x1000, 0 };
		bool expect = memchr(fwd, (int)id, sizeof(fwd)) != NULL;

		assert_int_equal(ish_evt_forwarded(evt), expect);
		n += expect;
		/* a stall goes to the IOPF path, a stage 2 fault stays on the host */
		evt[1] = 1ULL << 31;
		assert_false(ish_evt_forwarded(evt));
		evt[1] = 1ULL << 39;
		assert_false(ish_evt_forwarded(evt));
		/* other bits of word 1 do not matter */
		evt[1] = (1ULL << 35) | (1ULL << 33) | 0xffff;
		assert_int_equal(ish_evt_forwarded(evt), expect);
	}
	assert_int_equal(n, ARRAY_SIZE(fwd));
}

/* ---- IDRs ------------------------------------------------------------------------------------ */

static uint32_t idr(const uint32_t regs[6], const char *name)
{
	const struct ish_idr_field *f = ish_idr_find(name);

	assert_non_null(f);
	return ish_idr_get(f, regs);
}

static const char *idr_name(const uint32_t regs[6], const char *name)
{
	return ish_idr_value_name(ish_idr_find(name), idr(regs, name));
}

static void idr_table_sane(void **state)
{
	const struct ish_idr_field *a, *b;
	static const char *const wanted[] = {
		"S2P", "S1P", "TTF", "COHACC", "BTM", "HTTU", "DORMHINT", "HYP", "ATS", "NS1ATS",
		"ASID16", "MSI", "SEV", "ATOS", "PRI", "VMW", "VMID16", "CD2L", "VATOS",
		"TTENDIAN", "ATSRECERR", "STALL_MODEL", "TERM_MODEL", "ST_LEVEL", "SIDSIZE",
		"SSIDSIZE", "PRIQS", "EVENTQS", "CMDQS", "ATTR_PERMS_OVR", "ATTR_TYPES_OVR", "REL",
		"QUEUES_PRESET", "TABLES_PRESET", "ECMDQ", "HAD", "PBHA", "XNX", "PPS", "MPAM",
		"FWB", "STT", "RIL", "BBML", "E0PD", "PTWNNC", "OAS", "GRAN4K", "GRAN16K",
		"GRAN64K", "VAX", "STALL_MAX", "DS",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(wanted); i++)
		assert_non_null(ish_idr_find(wanted[i]));
	assert_ptr_equal(ish_idr_find("sidsize"), ish_idr_find("SIDSIZE"));
	assert_ptr_equal(ish_idr_find("St_Level"), ish_idr_find("ST_LEVEL"));
	assert_null(ish_idr_find("NOPE"));
	assert_null(ish_idr_find(NULL));
	for (a = ish_idr_fields; a->name; a++) {
		assert_true(a->reg < 6 && a->lo <= a->hi && a->hi < 32);
		assert_non_null(a->help);
		for (b = a + 1; b->name; b++) {
			assert_string_not_equal(a->name, b->name);
			if (a->reg == b->reg)
				assert_true(a->hi < b->lo || b->hi < a->lo);
		}
	}
}

/*
 * QEMU's values, bit by bit:
 * IDR0 0x0d44101b = bits 0 1 3 4 12 18 22 24 26 27: S2P S1P TTF=0b10 COHACC ASID16 VMID16
 *   TTENDIAN=0b10 STALL_MODEL=0b01 TERM_MODEL ST_LEVEL=0b01
 * IDR1 0x02730010: SIDSIZE=0x10, SSIDSIZE=0, PRIQS=0, EVENTQS=0x13, CMDQS=0x13
 * IDR3 0x1414 = bits 2 4 10 12: HAD XNX RIL BBML=0b10
 * IDR5 0x74 = bits 2 4 5 6: OAS=0b100 GRAN4K GRAN16K GRAN64K
 */
static void idr_decode_qemu(void **state)
{
	assert_int_equal(idr(qemu_idr, "S2P"), 1);
	assert_int_equal(idr(qemu_idr, "S1P"), 1);
	assert_int_equal(idr(qemu_idr, "TTF"), 2);
	assert_string_equal(idr_name(qemu_idr, "TTF"), "aarch64");
	assert_int_equal(idr(qemu_idr, "COHACC"), 1);
	assert_int_equal(idr(qemu_idr, "BTM"), 0);
	assert_int_equal(idr(qemu_idr, "HTTU"), 0);
	assert_string_equal(idr_name(qemu_idr, "HTTU"), "none");
	assert_int_equal(idr(qemu_idr, "HYP"), 0);
	assert_int_equal(idr(qemu_idr, "ATS"), 0);
	assert_string_equal(idr_name(qemu_idr, "ATS"), "no");
	assert_int_equal(idr(qemu_idr, "ASID16"), 1);
	assert_string_equal(idr_name(qemu_idr, "ASID16"), "yes");
	assert_int_equal(idr(qemu_idr, "MSI"), 0);
	assert_int_equal(idr(qemu_idr, "PRI"), 0);
	assert_int_equal(idr(qemu_idr, "VMID16"), 1);
	assert_int_equal(idr(qemu_idr, "CD2L"), 0);
	assert_int_equal(idr(qemu_idr, "TTENDIAN"), 2);
	assert_string_equal(idr_name(qemu_idr, "TTENDIAN"), "little");
	assert_int_equal(idr(qemu_idr, "STALL_MODEL"), 1);
	assert_string_equal(idr_name(qemu_idr, "STALL_MODEL"), "terminate-only");
	assert_int_equal(idr(qemu_idr, "TERM_MODEL"), 1);
	assert_int_equal(idr(qemu_idr, "ST_LEVEL"), 1);
	assert_string_equal(idr_name(qemu_idr, "ST_LEVEL"), "2-level");

	assert_int_equal(idr(qemu_idr, "SIDSIZE"), 16);
	assert_string_equal(idr_name(qemu_idr, "SIDSIZE"), "16 bits");
	assert_int_equal(idr(qemu_idr, "SSIDSIZE"), 0);
	assert_string_equal(idr_name(qemu_idr, "SSIDSIZE"), "0 bits");
	assert_int_equal(idr(qemu_idr, "PRIQS"), 0);
	assert_int_equal(idr(qemu_idr, "EVENTQS"), 19);
	assert_string_equal(idr_name(qemu_idr, "EVENTQS"), "2^19 entries");
	assert_int_equal(idr(qemu_idr, "CMDQS"), 19);
	assert_int_equal(idr(qemu_idr, "ECMDQ"), 0);

	assert_int_equal(idr(qemu_idr, "HAD"), 1);
	assert_int_equal(idr(qemu_idr, "XNX"), 1);
	assert_int_equal(idr(qemu_idr, "RIL"), 1);
	assert_int_equal(idr(qemu_idr, "FWB"), 0);
	assert_int_equal(idr(qemu_idr, "BBML"), 2);
	assert_string_equal(idr_name(qemu_idr, "BBML"), "level-2");
	assert_int_equal(idr(qemu_idr, "E0PD"), 0);

	assert_int_equal(idr(qemu_idr, "OAS"), 4);
	assert_int_equal(ish_idr_oas_bits(idr(qemu_idr, "OAS")), 44);
	assert_string_equal(idr_name(qemu_idr, "OAS"), "44-bit");
	assert_int_equal(idr(qemu_idr, "GRAN4K"), 1);
	assert_int_equal(idr(qemu_idr, "GRAN16K"), 1);
	assert_int_equal(idr(qemu_idr, "GRAN64K"), 1);
	assert_int_equal(idr(qemu_idr, "DS"), 0);
	assert_int_equal(idr(qemu_idr, "VAX"), 0);
	assert_string_equal(idr_name(qemu_idr, "VAX"), "48-bit");
	assert_int_equal(idr(qemu_idr, "STALL_MAX"), 0);
}

static void idr_value_names(void **state)
{
	static const unsigned int oas[8] = { 32, 36, 40, 42, 44, 48, 52, 56 };
	const struct ish_idr_field *f;
	unsigned int i;

	for (i = 0; i < 8; i++)
		assert_int_equal(ish_idr_oas_bits(i), oas[i]);
	assert_int_equal(ish_idr_oas_bits(8), 0);
	assert_string_equal(ish_idr_value_name(ish_idr_find("ST_LEVEL"), 0), "linear");
	assert_string_equal(ish_idr_value_name(ish_idr_find("ST_LEVEL"), 2), "reserved");
	assert_string_equal(ish_idr_value_name(ish_idr_find("TTENDIAN"), 0), "mixed");
	assert_string_equal(ish_idr_value_name(ish_idr_find("TTENDIAN"), 1), "reserved");
	assert_string_equal(ish_idr_value_name(ish_idr_find("TTENDIAN"), 3), "big");
	assert_string_equal(ish_idr_value_name(ish_idr_find("TTF"), 1), "aarch32");
	assert_string_equal(ish_idr_value_name(ish_idr_find("TTF"), 3), "both");
	assert_string_equal(ish_idr_value_name(ish_idr_find("TTF"), 0), "reserved");
	assert_string_equal(ish_idr_value_name(ish_idr_find("STALL_MODEL"), 0), "stall+terminate");
	assert_string_equal(ish_idr_value_name(ish_idr_find("STALL_MODEL"), 2), "stall-forced");
	assert_string_equal(ish_idr_value_name(ish_idr_find("STALL_MODEL"), 3), "reserved");
	assert_string_equal(ish_idr_value_name(ish_idr_find("BBML"), 0), "level-0");
	assert_string_equal(ish_idr_value_name(ish_idr_find("BBML"), 3), "reserved");
	assert_string_equal(ish_idr_value_name(ish_idr_find("OAS"), 5), "48-bit");
	assert_string_equal(ish_idr_value_name(ish_idr_find("SIDSIZE"), 32), "32 bits");
	assert_string_equal(ish_idr_value_name(ish_idr_find("SIDSIZE"), 63), "63 bits");
	assert_string_equal(ish_idr_value_name(ish_idr_find("CMDQS"), 31), "2^31 entries");
	assert_string_equal(ish_idr_value_name(ish_idr_find("STALL_MAX"), 4), "");
	assert_string_equal(ish_idr_value_name(NULL, 0), "");
	/* every value of every field has a printable name */
	for (f = ish_idr_fields; f->name; f++) {
		uint32_t max = f->hi - f->lo >= 8 ? 255 : (1u << (f->hi - f->lo + 1)) - 1, v;

		for (v = 0; v <= max; v++)
			assert_non_null(ish_idr_value_name(f, v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_ste_roundtrip),
		cmocka_unit_test(fields_cmd_roundtrip),
		cmocka_unit_test(fields_evt_roundtrip),
		cmocka_unit_test(fields_do_not_overlap),
		cmocka_unit_test(field_positions_spot_check),
		cmocka_unit_test(ste_masks_are_the_allowed_fields),
		cmocka_unit_test(ste_validate_cases),
		cmocka_unit_test(ste_config_names),
		cmocka_unit_test(ste_format_text),
		cmocka_unit_test(cmd_lookup),
		cmocka_unit_test(cmd_format_text),
		cmocka_unit_test(validate_qemu_host),
		cmocka_unit_test(validate_ats_ssid_ds_host),
		cmocka_unit_test(validate_no_ril_host),
		cmocka_unit_test(validate_null_idr_and_why),
		cmocka_unit_test(evt_decode_live_records),
		cmocka_unit_test(evt_names_roundtrip),
		cmocka_unit_test(evt_forwarding_rules),
		cmocka_unit_test(idr_table_sane),
		cmocka_unit_test(idr_decode_qemu),
		cmocka_unit_test(idr_value_names),
	};

	return cmocka_run_group_tests_name("smmu", tests, NULL, NULL);
}
