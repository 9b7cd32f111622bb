/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A shell on a fresh simulator for each input, as iommush --backend sim would run it, with
 * stdout and stderr on /dev/null. Inputs naming a command that waits (sleep, wait) or reads
 * another file (source) are skipped: the fuzzer would only measure the clock or the disk.
 */
#ifndef ISH_FUZZ_SHELLFX_H
#define ISH_FUZZ_SHELLFX_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "iommush/sim.h"
#include "shell.h"
#include "fuzzlib.h"

static void fx_quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0)
		abort();
	dup2(fd, STDOUT_FILENO);
	/* libFuzzer's -close_fd_mask=2 closed it: writes must still succeed */
	if (fcntl(STDERR_FILENO, F_GETFD) < 0)
		dup2(fd, STDERR_FILENO);
	close(fd);
	clearerr(stdout);
	clearerr(stderr);
}

static bool fx_skip(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "sleep", "wait", "source", NULL };
	int i;

	for (i = 0; words[i]; i++)
		if (memmem(data, size, words[i], strlen(words[i])))
			return true;
	return false;
}

static bool fx_open(struct shell *sh, bool force)
{
	struct ish_backend *be = ish_sim_new();

	memset(sh, 0, sizeof(*sh));
	if (!be)
		return false;
	if (ish_ctx_new(be, &sh->ctx) < 0) {
		be->ops->free(be);
		return false;
	}
	sh->sim = true;
	sh->backend = "sim";
	sh->force = force;
	sh_interrupted = 0;
	sh_terminate = 0;
	fuzz_mem_reset();
	fx_quiet();
	return true;
}

static void fx_close(struct shell *sh)
{
	ish_ctx_free(sh->ctx);
	sh_vars_free(sh);
}

#endif
