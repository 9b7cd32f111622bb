// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers the handlers share: name lookups, the "new object" line, waiting. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "iommush/vsmmu.h"
#include "shell.h"

static void trace_call(void *arg, const struct ish_call *call, long rc)
{
	struct shell *sh = arg;
	char buf[1024];

	if (sh->trace || sh->dry_run) {
		ish_call_format(call, rc, buf, sizeof(buf));
		fprintf(stderr, "%s: ", sh->dry_run ? "dry-run" : "trace");
		sh_fput_text(stderr, buf, false);
		fputc('\n', stderr);
	}
	if (strcmp(call->op, "close"))
		sh->ncalls++;
	sh_fail_nth_seen(sh, call, rc);
}

void sh_trace_update(struct shell *sh)
{
	/* tracing prints, fail-Nth and the teardown check count the calls */
	bool need = sh->trace || sh->dry_run || sh->fail_nth || sh->check_teardown;

	if (sh->ctx)
		ish_set_trace(sh->ctx, need ? trace_call : NULL, need ? sh : NULL);
}

int sh_dev(struct shell *sh, const struct sh_call *c, const char *name, uint32_t *id)
{
	const char *spec = sh_str(c, name);
	struct ish_obj *o;
	uint64_t v;

	if (!spec)
		return sh_usage(sh, "%s is missing", name);
	o = ish_device_find(sh->ctx, spec);
	if (o) {
		*id = ish_obj_id(o);
		return 0;
	}
	/* an id the registry does not know goes to the kernel, which has the last word */
	if (sh_parse_u64(spec, &v) && v <= UINT32_MAX) {
		*id = (uint32_t)v;
		return 0;
	}
	return sh_fail(sh, -ENODEV, "no bound device \"%s\" (device bind it first)", spec);
}

int sh_vsmmu(struct shell *sh, const struct sh_call *c, const char *name, struct ish_vsmmu **vs)
{
	const char *n = sh_str(c, name);

	*vs = n ? ish_vsmmu_find(sh->ctx, n) : NULL;
	if (!*vs)
		return sh_fail(sh, -ENOENT, "no vSMMU named \"%s\"", n ? n : "");
	return 0;
}

int sh_mem(struct shell *sh, const struct sh_call *c, const char *name, struct ish_mem **m)
{
	uint32_t id = (uint32_t)sh_num(c, name, 0);

	*m = ish_mem_find(sh->ctx, id);
	if (!*m)
		return sh_fail(sh, -ENOENT, "no buffer %u", id);
	return 0;
}

bool sh_bdf_rid(const char *bdf, uint32_t *rid)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		if (sscanf(bdf, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			return false;
	}
	if (bus > 0xff || dev > 0x1f || fn > 7)
		return false;
	*rid = bus << 8 | dev << 3 | fn;
	return true;
}

void sh_print_new(struct shell *sh, const char *type, uint32_t id)
{
	char dec[16], *p = dec + sizeof(dec) - 1;
	uint32_t v = id;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (!sh->json) {
		/* "ioas 3": what nearly every allocating command prints, without a format */
		const char *c;

		for (c = type; *c; c++)
			putc_unlocked(*c, stdout);
		putc_unlocked(' ', stdout);
		for (c = p; *c; c++)
			putc_unlocked(*c, stdout);
		putc_unlocked('\n', stdout);
	} else {
		pr_u64(sh, PR_JSON, "id", NULL, id);
		pr_str(sh, PR_JSON, "type", NULL, type);
	}
	sh_set_result_len(sh, p, (size_t)(dec + sizeof(dec) - 1 - p));
}

int sh_sleep_ms(struct shell *sh, uint64_t ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ms / 1000),
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	/* --no-wait: the simulator has finished everything already (fault injection runs) */
	if (sh->no_wait)
		return 0;
	while (nanosleep(&ts, &ts) < 0) {
		if (errno != EINTR)
			return -errno;
		if (sh_interrupted)
			return sh_fail(sh, -EINTR, "interrupted");
	}
	return 0;
}
