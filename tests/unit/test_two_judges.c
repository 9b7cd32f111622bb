// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Two judges of what userspace may hand the arm-smmu-v3 driver, written apart: the simulated
 * kernel's (backend/sim/sim_smmu.c: sim_vste_check, sim_cmd_check) and the codecs'
 * (backend/smmu.c: ish_ste_validate, ish_cmd_validate_user). They must agree on every opcode,
 * and on every single-bit flip of every word of a base STE or command, on hosts with and
 * without each feature a rule depends on (RIL, DS, ATS, SSIDSIZE, ASID16).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "iommush/smmu.h"
#include "../../backend/sim/sim_internal.h"

#define IDR0_ATS	(1u << 10)
#define IDR0_ASID16	(1u << 12)
#define IDR1_SSIDSIZE	(0x1fu << 6)
#define IDR3_RIL	(1u << 10)
#define IDR5_DS		(1u << 7)

/* the 32 hosts: QEMU's IDRs with each of the five features on or off */
static void host(unsigned int k, uint32_t idr[6])
{
	struct ish_sim_smmu_cfg cfg;

	ish_sim_smmu_default(&cfg);
	memcpy(idr, cfg.idr, sizeof(cfg.idr));
	idr[0] = (idr[0] & ~(IDR0_ATS | IDR0_ASID16)) | (k & 1 ? IDR0_ATS : 0) |
		 (k & 2 ? IDR0_ASID16 : 0);
	idr[1] = (idr[1] & ~IDR1_SSIDSIZE) | (k & 4 ? 20u << 6 : 0);
	idr[3] = (idr[3] & ~IDR3_RIL) | (k & 8 ? IDR3_RIL : 0);
	idr[5] = (idr[5] & ~IDR5_DS) | (k & 16 ? IDR5_DS : 0);
}

static unsigned long disagreements;

static void judge_cmd(const uint32_t idr[6], const uint64_t c[2], const char *what)
{
	char why[256];
	bool codec = ish_cmd_validate_user(c, idr, why, sizeof(why)) == 0;
	bool sim = sim_cmd_check(idr, c) == 0;

	if (codec != sim && disagreements++ < 10)
		print_error("%s: cmd 0x%016llx 0x%016llx (IDR0 0x%x IDR1 0x%x IDR3 0x%x IDR5 0x%x): "
			    "codecs %s, simulator %s%s%s\n", what, (unsigned long long)c[0],
			    (unsigned long long)c[1], idr[0], idr[1], idr[3], idr[5],
			    codec ? "accept" : "refuse", sim ? "accepts" : "refuses",
			    codec ? "" : ": ", codec ? "" : why);
}

static void flips(const uint32_t idr[6], const uint64_t base[2], const char *what)
{
	unsigned int b;

	judge_cmd(idr, base, what);
	/* bits 8..127: every field of the command; the opcode bits are the opcode loop's */
	for (b = 8; b < 128; b++) {
		uint64_t c[2] = { base[0], base[1] };

		c[b / 64] ^= 1ULL << (b % 64);
		judge_cmd(idr, c, what);
	}
}

static void commands_agree_on_every_opcode_and_bit_flip(void **state)
{
	uint32_t idr[6];
	unsigned int k, op, i;

	(void)state;
	disagreements = 0;
	for (k = 0; k < 32; k++) {
		host(k, idr);
		for (op = 0; op < 256; op++) {
			uint64_t base[2] = { op, 0 };

			flips(idr, base, "opcode alone");
			/* a VA invalidation with a range: TG=4K, TTL=3, NUM=1, SCALE=1 */
			if (op == ISH_CMD_TLBI_NH_VA || op == ISH_CMD_TLBI_NH_VAA) {
				uint64_t r[2] = { op | 1ULL << 12 | 1ULL << 20, 1ULL << 10 | 3ULL << 8 };
				uint64_t t[2] = { op, 1ULL << 10 | 2ULL << 8 | 0x40000000ULL };

				flips(idr, r, "VA range");
				flips(idr, t, "VA with TTL");
			}
		}
		/* every named command with each of its fields all ones */
		for (i = 0; ish_cmd_descs[i].name; i++) {
			const struct ish_cmd_desc *d = &ish_cmd_descs[i];
			const struct ish_field *f;

			for (f = d->fields; f && f->name; f++) {
				uint64_t c[2];

				ish_cmd_init(d, c);
				c[f->word] |= ish_field_mask(f);
				flips(idr, c, d->name);
			}
		}
	}
	assert_int_equal(disagreements, 0);
}

static void random_commands_agree(void **state)
{
	uint32_t idr[6];
	unsigned int k, n, ndescs = 0;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	while (ish_cmd_descs[ndescs].name)
		ndescs++;
	disagreements = 0;
	for (k = 0; k < 32; k++) {
		host(k, idr);
		for (n = 0; n < 20000; n++) {
			uint64_t c[2];

			/* xorshift; sparse words, so that some commands pass */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			c[0] = (x & 0xff) | ((x >> 8) & (x >> 20) & (x >> 33) & ~0xffULL);
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			c[1] = x & (x >> 11) & (x >> 23);
			if (n & 1)
				c[0] = (c[0] & ~0xffULL) | ish_cmd_descs[n / 2 % ndescs].opcode;
			judge_cmd(idr, c, "random");
		}
	}
	assert_int_equal(disagreements, 0);
}

static void judge_ste(const uint64_t s[2], const char *what)
{
	uint64_t copy[2] = { s[0], s[1] };
	char why[256];
	bool codec = ish_ste_validate(s, why, sizeof(why)) == 0;
	bool sim = sim_vste_check(copy) == 0;

	if (codec != sim && disagreements++ < 10)
		print_error("%s: vSTE 0x%016llx 0x%016llx: codecs %s, simulator %s\n", what,
			    (unsigned long long)s[0], (unsigned long long)s[1],
			    codec ? "accept" : "refuse", sim ? "accepts" : "refuses");
}

static void vstes_agree_on_every_config_and_bit_flip(void **state)
{
	unsigned int cfg, b, eats;

	(void)state;
	disagreements = 0;
	for (cfg = 0; cfg < 8; cfg++)
		for (eats = 0; eats < 4; eats++) {
			/* V=1, the Config, S1ContextPtr, S1CDMax, EATS: then each bit flipped */
			uint64_t base[2] = { 1 | cfg << 1 | 0x108000ULL, (uint64_t)eats << 28 };

			judge_ste(base, "base");
			for (b = 0; b < 128; b++) {
				uint64_t s[2] = { base[0], base[1] };

				s[b / 64] ^= 1ULL << (b % 64);
				judge_ste(s, "flip");
			}
		}
	assert_int_equal(disagreements, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commands_agree_on_every_opcode_and_bit_flip),
		cmocka_unit_test(random_commands_agree),
		cmocka_unit_test(vstes_agree_on_every_config_and_bit_flip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
