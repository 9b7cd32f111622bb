// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Errors: a command's reason kept (sh_fail, sh_usage), the words of the report
 * ("FILE:LINE: COMMAND: reason (ERRNO)", plus the JSON error object under -j), and the exit
 * status a result stands for. The reason comes from the command, else from the core
 * (ish_errmsg: what EXPLAIN worked out), else the kernel call that failed, never a bare
 * strerror where something better is known.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "shell.h"

int sh_fail(struct shell *sh, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->errmsg, sizeof(sh->errmsg), fmt, ap);
	va_end(ap);
	return err > 0 ? -err : err;
}

int sh_usage(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->errmsg, sizeof(sh->errmsg), fmt, ap);
	va_end(ap);
	return -SH_EUSAGE;
}

const char *sh_errtext(struct shell *sh, int rc)
{
	int err = -rc;

	if (sh->errmsg[0])
		return sh->errmsg;
	static char callmsg[160];
	const char *call;
	bool injected;
	int call_err;

	if (sh->ctx && ish_errmsg(sh->ctx)[0])
		return ish_errmsg(sh->ctx);
	if (err == EINTR && sh_interrupted)
		return "interrupted";
	/* no word from the core: say at least which kernel call gave the errno */
	call = sh->ctx ? ish_err_call(sh->ctx, &call_err, &injected) : NULL;
	if (call && call_err == rc && err < SH_EUSAGE) {
		snprintf(callmsg, sizeof(callmsg), "%s failed%s: %s", call,
			 injected ? " (injected by sim fail)" : "", strerror(err));
		return callmsg;
	}
	if (err == EINTR && sh_interrupted)
		return "interrupted";
	if (err >= SH_EUSAGE)
		return "failed";
	return strerror(err);
}

const char *sh_errcmd(struct shell *sh)
{
	if (sh->errcmd_cmd) {
		sh_cmd_name(sh->errcmd_group, sh->errcmd_cmd, sh->errcmd, sizeof(sh->errcmd));
		sh->errcmd_cmd = NULL;
	}
	return sh->errcmd;
}

void sh_report(struct shell *sh, int rc)
{
	const char *msg = sh_errtext(sh, rc), *cmd = sh_errcmd(sh);
	int err = -rc;

	/* what the user or the kernel handed in is escaped: no raw control character */
	fputs("iommush: ", stderr);
	if (sh->file) {
		sh_fput_text(stderr, sh->file, false);
		fprintf(stderr, ":%u: ", sh->line);
	}
	if (cmd[0])
		fprintf(stderr, "%s: ", cmd);
	sh_fput_text(stderr, msg, false);
	if (err > 0 && err < SH_EUSAGE)
		fprintf(stderr, " (%s)\n", sh_errno_name(err));
	else
		fputc('\n', stderr);
	if (sh->json)
		pr_error_json(sh, cmd, err, msg);
}

int sh_status(int rc)
{
	if (rc == 0)
		return SH_EXIT_OK;
	if (rc == -SH_EUSAGE)
		return SH_EXIT_USAGE;
	if (sh_interrupted)
		return SH_EXIT_INTR;
	return SH_EXIT_FAIL;
}

/* ---- errno names, as the report prints them and expect-error takes them ---------------- */

const char *sh_errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

int sh_errno_parse(const char *s)
{
	uint64_t v;
	int e;

	if (sh_parse_u64(s, &v))
		return v > 0 && v < 4096 ? (int)v : -1;
	for (e = 1; e < 256; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcasecmp(n, s))
			return e;
	}
	return -1;
}
