// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A whole batch file through the batch reader (line limits, NUL bytes, continuations) and the
 * shell, with --force so every line runs, on a fresh simulator; the teardown must leave the
 * simulated kernel empty.
 */
#include <stdio.h>
#include "shellfx.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ish_sim_stats st;
	struct shell sh;
	FILE *fp;

	if (size < 1 || fx_skip(data, size))
		return 0;
	if (!fx_open(&sh, true))
		return 0;
	sh.json = data[0] & 1;
	fp = fmemopen((void *)(data + 1), size - 1, "r");
	if (fp) {
		sh_run_stream(&sh, fp, "fuzz");
		fclose(fp);
	}
	/* the reverse-order teardown leaves only the iommufd (and tombstones); faults a
	 * "sim fail" line armed are disarmed first, as iommush --check-teardown does */
	ish_fail_nth(sh.ctx, 0, 0);
	ish_sim_fail_alloc(ish_ctx_backend(sh.ctx), 0);
	ish_ctx_reset(sh.ctx);
	ish_sim_get_stats(ish_ctx_backend(sh.ctx), &st);
	CHECK(st.objects == st.tombstones);
	CHECK(st.open_fds == 1);
	fx_close(&sh);
	return 0;
}
