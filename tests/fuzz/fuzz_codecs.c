// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SMMUv3 codecs (backend/smmu.c) against arbitrary words: the decoded text of an STE, a
 * CMDQ command or an event record, read back field by field from the codec tables, gives the
 * very same words (an exact round trip), and every IDR field read out of six registers puts
 * the covered bits back. The validators and namers must take any input. The first byte picks
 * the codec; the rest are the words.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/smmu.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

/* "name=value" words after the leading name(s): fields of @tab, or PREFIXn=0x... raw bits */
static void read_back(char *text, int skip, const struct ish_field *tab, const char *raw,
		      uint64_t *w, unsigned int nwords)
{
	char *save = NULL, *tok;
	int i = 0;

	for (tok = strtok_r(text, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++) {
		char *eq = strchr(tok, '=');
		const struct ish_field *f;
		uint64_t v;

		if (i < skip)
			continue;
		CHECK(eq);
		*eq = '\0';
		v = strtoull(eq + 1, NULL, 0);
		if (!strncmp(tok, raw, strlen(raw)) && tok[strlen(raw)] >= '0' &&
		    tok[strlen(raw)] <= '9') {
			unsigned int word = (unsigned int)atoi(tok + strlen(raw));

			CHECK(word < nwords);
			CHECK((w[word] & v) == 0);	/* raw bits never overlap a field */
			w[word] |= v;
			continue;
		}
		f = ish_field_find(tab, tok);
		CHECK(f);
		CHECK(ish_field_set(f, w, v) == 0);
	}
}

static void ste(const uint64_t in[2])
{
	char buf[1024], why[256];
	uint64_t out[2] = { 0, 0 };
	char *cfg;
	int cv;

	CHECK(ish_ste_format(in, buf, sizeof(buf)) < (int)sizeof(buf));
	/* "v=N config=NAME ...": config by its name */
	cfg = strstr(buf, "config=");
	CHECK(cfg);
	{
		char name[32];

		CHECK(sscanf(cfg, "config=%31s", name) == 1);
		/* a reserved Config is given by number */
		cv = name[0] >= '0' && name[0] <= '9' ? atoi(name) : ish_ste_config_by_name(name);
		CHECK(cv >= 0);
		out[0] |= (uint64_t)cv << 1;
	}
	out[0] |= in[0] & ISH_STE_V;
	read_back(buf, 2, ish_ste_fields, "rsvd", out, 2);
	CHECK(out[0] == in[0] && out[1] == in[1]);
	ish_ste_validate(in, why, sizeof(why));
	ish_ste_validate(in, NULL, 0);
}

static void cmd(const uint64_t in[2], const uint32_t idr[6])
{
	char buf[1024], name[32], why[256];
	const struct ish_cmd_desc *d;
	uint64_t out[2] = { 0, 0 };

	CHECK(ish_cmd_format(in, buf, sizeof(buf)) < (int)sizeof(buf));
	CHECK(sscanf(buf, "%31s", name) == 1);
	if (!strcmp(name, "opcode")) {
		unsigned long long w0, w1;
		unsigned int op;

		CHECK(sscanf(buf, "opcode 0x%x w0=0x%llx w1=0x%llx", &op, &w0, &w1) == 3);
		CHECK(!ish_cmd_by_opcode((uint8_t)op));
		CHECK(w0 == in[0] && w1 == in[1]);
	} else {
		d = ish_cmd_by_name(name);
		CHECK(d);
		ish_cmd_init(d, out);
		read_back(buf, 1, d->fields, "rsvd", out, 2);
		CHECK(out[0] == in[0] && out[1] == in[1]);
	}
	ish_cmd_validate_user(in, idr, why, sizeof(why));
	ish_cmd_validate_user(in, NULL, NULL, 0);
}

static void evt(const uint64_t in[4])
{
	char buf[1024], name[32];
	uint64_t out[4] = { 0, 0, 0, 0 };
	int skip = 1, id;

	CHECK(ish_evt_format(in, buf, sizeof(buf)) < (int)sizeof(buf));
	CHECK(sscanf(buf, "%31s", name) == 1);
	if (!strcmp(name, "event")) {
		unsigned int v;

		CHECK(sscanf(buf, "event 0x%x", &v) == 1);
		CHECK(!ish_evt_name((uint8_t)v));
		id = (int)v;
		skip = 2;
	} else {
		id = ish_evt_id_by_name(name);
		CHECK(id >= 0);
	}
	out[0] = (uint64_t)id;
	read_back(buf, skip, ish_evt_fields, "other", out, 4);
	CHECK(!memcmp(out, in, sizeof(out)));
	ish_evt_forwarded(in);
}

static void idr(const uint32_t in[6])
{
	const struct ish_idr_field *f;
	uint32_t out[6] = { 0 }, covered[6] = { 0 };

	for (f = ish_idr_fields; f->name; f++) {
		unsigned int bits = f->hi - f->lo + 1;
		uint32_t mask = (bits < 32 ? (1u << bits) - 1 : ~0u) << f->lo;
		uint32_t v = ish_idr_get(f, in);

		CHECK(f->reg < 6 && f->hi < 32 && f->lo <= f->hi);
		CHECK(ish_idr_find(f->name) == f);
		CHECK(ish_idr_value_name(f, v) != NULL);
		CHECK((covered[f->reg] & mask) == 0);	/* no two fields share a bit */
		covered[f->reg] |= mask;
		out[f->reg] |= v << f->lo;
	}
	for (int r = 0; r < 6; r++)
		CHECK(out[r] == (in[r] & covered[r]));
	ish_idr_oas_bits(in[5] & 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t w[4] = { 0, 0, 0, 0 };
	uint32_t r[6] = { 0 };

	if (size < 1)
		return 0;
	memcpy(w, data + 1, size - 1 < sizeof(w) ? size - 1 : sizeof(w));
	if (size > 1 + sizeof(w))
		memcpy(r, data + 1 + sizeof(w),
		       size - 1 - sizeof(w) < sizeof(r) ? size - 1 - sizeof(w) : sizeof(r));
	switch (data[0] & 3) {
	case 0: ste(w); break;
	case 1: cmd(w, r); break;
	case 2: evt(w); break;
	default: memcpy(r, data + 1, size - 1 < sizeof(r) ? size - 1 : sizeof(r)); idr(r); break;
	}
	return 0;
}
