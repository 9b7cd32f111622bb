// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tools/iort-canwbs.c against arbitrary input, raw tables and hex dumps alike: the tool's own
 * code (its main renamed), through canwbs(), the whole transformation short of the file I/O.
 * What it writes must be a table of the length it says, with a good checksum and CANWBS set.
 */
int iort_canwbs_main(int argc, char **argv);
#define main iort_canwbs_main
#include "../../tools/iort-canwbs.c"
#undef main

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = malloc(size + 1), *t = NULL;
	size_t len = 0;
	uint32_t oemrev = 0;
	int n;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';	/* as slurp() leaves it */
	quiet = 1;
	n = canwbs(&in, size, "fuzz", &t, &len, &oemrev);
	if (n > 0) {
		CHECK(len >= IORT_MIN_LEN && len <= MAX_TABLE);
		CHECK(get32(t + OFF_LENGTH) == len);
		CHECK(sum8(t, len) == 0);
		CHECK(get32(t + OFF_OEM_REV) == oemrev + 1);
	}
	free(in);
	free(t);
	return 0;
}
