// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommush record: run a program under the LD_PRELOAD interposer and turn what it recorded
 * into a batch script. iommush reduce: cut a recording that ends in a failure down to a
 * minimal subsequence that still fails the same way (delta debugging).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "config.h"
#include "iommush/record.h"
#include "iommush/sim.h"
#include "shell.h"
#include "../preload/frame.h"

/* ---- record --------------------------------------------------------------------------------- */

static void record_usage(FILE *fp)
{
	fputs("Usage: iommush record [-o FILE] [-j] [--mmio] [--] PROGRAM [ARG]...\n"
	      "Run PROGRAM and record its calls on /dev/iommu, VFIO cdevs and the fds they hand\n"
	      "out, as an iommush batch script (-j: JSON lines). See iommush-record(8).\n"
	      "  -o, --output FILE   write the recording to FILE (default: standard output)\n"
	      "  -j, --json          JSON lines instead of a batch script\n"
	      "  --mmio              record every access through a BAR mapping, and what the\n"
	      "                      program and the device write into mapped memory (a program\n"
	      "                      that drives its device itself, not a VMM)\n", fp);
}

/* PROGRAM as execvp would find it */
static int find_program(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p;

	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return access(out, X_OK) == 0 ? 0 : -errno;
	}
	for (p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s/%s", (int)n, n ? p : ".", prog);
		if (access(out, X_OK) == 0)
			return 0;
		p += n;
		if (*p)
			p++;
	}
	return -ENOENT;
}

/* the interposer: $IOMMUSH_PRELOAD, next to this binary (build tree), or installed */
static int find_preload(char *out, size_t len)
{
	const char *env = getenv("IOMMUSH_PRELOAD");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, R_OK) == 0 ? 0 : -errno;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(out, len, "%s/libiommush-record.so", exe) < (int)len &&
			    access(out, R_OK) == 0)
				return 0;
			if (snprintf(out, len, "%s/build/libiommush-record.so", exe) < (int)len &&
			    access(out, R_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, "%s/lib/iommush/libiommush-record.so", ISH_PREFIX);
	return access(out, R_OK) == 0 ? 0 : -ENOENT;
}

static int run_recorded(const char *prog, char **argv, const char *preload, const char *raw,
			bool mmio, int *status)
{
	const char *old = getenv("LD_PRELOAD");
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	char *pre;
	pid_t pid;
	int rc = 0;

	if (asprintf(&pre, "%s%s%s", preload, old && *old ? ":" : "", old ? old : "") < 0)
		return -ENOMEM;
	/* Ctrl-C is for the program; iommush waits for it and writes what it did */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		setenv("LD_PRELOAD", pre, 1);
		setenv("IOMMUSH_RECORD_RAW", raw, 1);
		if (mmio)
			setenv("IOMMUSH_RECORD_MMIO", "1", 1);
		else
			unsetenv("IOMMUSH_RECORD_MMIO");
		execv(prog, argv);
		fprintf(stderr, "iommush: record: cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		rc = -errno;
	else
		while (waitpid(pid, status, 0) < 0)
			if (errno != EINTR) {
				rc = -errno;
				break;
			}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	free(pre);
	return rc;
}

/* the raw file: its header, and room for ISH_RAW_SIZE bytes of records (sparse) */
static int raw_prepare(int fd)
{
	struct ish_raw_hdr h;
	char page[ISH_RAW_HDR] = { 0 };

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, ISH_RAW_MAGIC, sizeof(ISH_RAW_MAGIC));
	h.size = ISH_RAW_SIZE;
	memcpy(page, &h, sizeof(h));
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page))
		return -1;
	return ftruncate(fd, (off_t)(ISH_RAW_HDR + ISH_RAW_SIZE));
}

/*
 * The frames the program left (preload/frame.h), read whole into *@raw; *@used their bytes.
 * -1 with the reason when there are none to trust.
 */
static int raw_read(int fd, unsigned char **raw, uint64_t *used, char *why, size_t len)
{
	struct ish_raw_hdr h;

	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		snprintf(why, len, "the raw records cannot be read: %s", strerror(errno));
		return -1;
	}
	*used = atomic_load(&h.used);
	if (atomic_load(&h.overflow) || *used > h.size) {
		snprintf(why, len, "the program made more than %llu MiB of records, or they could "
			 "not be written", (unsigned long long)(h.size >> 20));
		return -1;
	}
	*raw = malloc(*used ? *used : 1);
	if (!*raw || pread(fd, *raw, *used, ISH_RAW_HDR) != (ssize_t)*used) {
		snprintf(why, len, "the raw records cannot be read");
		free(*raw);
		*raw = NULL;
		return -1;
	}
	return 0;
}

/* every frame into the translator, in the order they were reserved */
static int raw_translate(struct ish_recorder *rr, const unsigned char *raw, uint64_t used,
			 uint64_t *lost)
{
	static char path[PATH_MAX + 1];
	uint64_t off = 0;
	struct ish_rec r;
	long n;
	int rc;

	*lost = 0;
	while (off < used) {
		n = ish_frame_get(raw + off, used - off, &r, path, sizeof(path));
		if (n == 0) {
			*lost = used - off;	/* a process died between reserving and writing */
			break;
		}
		if (n > 0 && (rc = ish_recorder_add(rr, &r)) < 0)
			return rc;
		off += (uint64_t)(n < 0 ? -n : n);
	}
	return 0;
}

int sh_main_record(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "mmio", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *tmpdir = getenv("TMPDIR");
	char prog[PATH_MAX], preload[PATH_MAX], raw[PATH_MAX], why[600];
	struct ish_recorder *rr = NULL;
	unsigned char *frames = NULL;
	uint64_t used = 0, lost = 0;
	int rawfd;
	bool json = false, mmio = false;
	FILE *out;
	int ch, rc, status = 0, ret;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+o:jh", longs, NULL)) != -1) {
		switch (ch) {
		case 'o': outpath = optarg; break;
		case 'j': json = true; break;
		case 'm': mmio = true; break;
		case 'h': record_usage(stdout); return SH_EXIT_OK;
		default: record_usage(stderr); return SH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iommush: record: which program? (iommush record -- PROGRAM ARGS)\n");
		return SH_EXIT_USAGE;
	}
	rc = find_program(argv[optind], prog, sizeof(prog));
	if (rc < 0) {
		fprintf(stderr, "iommush: record: %s: %s\n", argv[optind], strerror(-rc));
		return SH_EXIT_SETUP;
	}
	/* never record half: refuse what the interposer cannot follow before it runs */
	rc = ish_rec_followable(prog, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "iommush: record: refused: %s (%s)\n", why, sh_errno_name(-rc));
		return SH_EXIT_SETUP;
	}
	rc = find_preload(preload, sizeof(preload));
	if (rc < 0) {
		fprintf(stderr, "iommush: record: libiommush-record.so not found (%s): build it "
			"with make, install it, or name it in IOMMUSH_PRELOAD\n", preload);
		return SH_EXIT_SETUP;
	}
	/*
	 * The raw file: in memory (/dev/shm) unless TMPDIR says otherwise, so that its pages
	 * cost the recorded program no block allocation and no writeback.
	 */
	if (!tmpdir || !*tmpdir)
		tmpdir = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(raw, sizeof(raw), "%s/iommush-record.XXXXXX", tmpdir);
	rawfd = mkstemp(raw);
	if (rawfd < 0 || raw_prepare(rawfd) < 0) {
		fprintf(stderr, "iommush: record: %s: %s\n", raw, strerror(errno));
		if (rawfd >= 0) {
			close(rawfd);
			unlink(raw);
		}
		return SH_EXIT_SETUP;
	}
	rc = run_recorded(prog, argv + optind, preload, raw, mmio, &status);
	if (rc < 0) {
		fprintf(stderr, "iommush: record: cannot run %s: %s\n", prog, strerror(-rc));
		ret = SH_EXIT_SETUP;
		goto unlink_raw;
	}
	if (raw_read(rawfd, &frames, &used, why, sizeof(why)) < 0) {
		fprintf(stderr, "iommush: record: refused: %s; no recording written\n", why);
		ret = SH_EXIT_SETUP;
		goto unlink_raw;
	}
	out = outpath && strcmp(outpath, "-") ? fopen(outpath, "we") : stdout;
	if (!out) {
		fprintf(stderr, "iommush: record: %s: %s\n", outpath, strerror(errno));
		ret = SH_EXIT_SETUP;
		goto free_frames;
	}
	rc = ish_recorder_new(out, json, &rr);
	if (rc == 0) {
		if (!json)
			fprintf(out, "# iommush record of %s: replay with iommush -b FILE\n", prog);
		rc = raw_translate(rr, frames, used, &lost);
	}
	ret = SH_EXIT_OK;
	if (rc == 0 && rr && ish_recorder_refused(rr)) {
		fprintf(stderr, "iommush: record: refused: the program ran %s; no recording written\n",
			ish_recorder_refused(rr));
		ret = SH_EXIT_SETUP;
	} else if (rc < 0) {
		fprintf(stderr, "iommush: record: %s\n", strerror(-rc));
		ret = SH_EXIT_SETUP;
	} else if (lost) {
		fprintf(stderr, "iommush: record: refused: a process died while it recorded a call "
			"(%llu bytes of records unreadable); no recording written\n",
			(unsigned long long)lost);
		ret = SH_EXIT_SETUP;
	} else {
		fprintf(stderr, "iommush: record: %lu calls, %lu without a command%s%s\n",
			ish_recorder_calls(rr), ish_recorder_raw_calls(rr),
			outpath ? ", written to " : "", outpath ? outpath : "");
	}
	if (rr && ish_recorder_finish(rr) < 0 && ret == SH_EXIT_OK) {
		fprintf(stderr, "iommush: record: writing %s failed\n", outpath ? outpath : "stdout");
		ret = SH_EXIT_SETUP;
	}
	if (out != stdout && fclose(out) != 0 && ret == SH_EXIT_OK)
		ret = SH_EXIT_SETUP;
	if (ret != SH_EXIT_OK && outpath && strcmp(outpath, "-"))
		unlink(outpath);
	/* the program's own status, as its shell would see it */
	if (ret == SH_EXIT_OK)
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
free_frames:
	free(frames);
unlink_raw:
	close(rawfd);
	unlink(raw);
	return ret;
}

/* ---- reduce --------------------------------------------------------------------------------- */

/* A command of the script, with the comment lines before it and the variables it uses. */
struct unit {
	char *text;		/* the comment lines and the command, as in the file */
	char *cmd;		/* the command alone */
	char def[32];		/* let NAME = ...: NAME */
	unsigned int line;	/* where the command is in the file */
	char **uses;
	size_t nuses;
};

struct script {
	struct unit *u;
	size_t n;
	char *tail;		/* comments after the last command */
};

static void script_free(struct script *s)
{
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		free(s->u[i].text);
		free(s->u[i].cmd);
		for (k = 0; k < s->u[i].nuses; k++)
			free(s->u[i].uses[k]);
		free(s->u[i].uses);
	}
	free(s->u);
	free(s->tail);
}

static int unit_words(struct unit *u)
{
	struct sh_tokens t;
	char err[128];
	int i, k;

	if (sh_tokenize(u->cmd, false, &t, err, sizeof(err)) < 0)
		return -EINVAL;
	for (i = 0; i < t.nseg; i++) {
		struct sh_seg *s = &t.seg[i];

		if (i == 0 && s->argc >= 3 && !strcmp(s->argv[0], "let") && !strcmp(s->argv[2], "="))
			snprintf(u->def, sizeof(u->def), "%s", s->argv[1]);
		for (k = 0; k < s->argc; k++) {
			char **p;

			if (!s->expand[k])
				continue;
			p = realloc(u->uses, (u->nuses + 1) * sizeof(*p));
			if (!p || !(p[u->nuses] = strdup(s->argv[k] + 1))) {
				if (p)
					u->uses = p;
				sh_tokens_free(&t);
				return -ENOMEM;
			}
			u->uses = p;
			u->nuses++;
		}
	}
	sh_tokens_free(&t);
	return 0;
}

static int script_load(const char *path, struct script *s)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *acc = NULL;
	size_t cap = 0, acclen = 0;
	unsigned int lineno = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) > 0) {
		size_t n = strlen(line);
		const char *p = line + strspn(line, " \t");
		char *na = realloc(acc, acclen + n + 1);

		lineno++;
		if (!na) {
			rc = -ENOMEM;
			break;
		}
		acc = na;
		memcpy(acc + acclen, line, n + 1);
		acclen += n;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		/* a command: it ends the unit (a continued line is taken as it is) */
		{
			struct unit *u = realloc(s->u, (s->n + 1) * sizeof(*u));

			if (!u) {
				rc = -ENOMEM;
				break;
			}
			s->u = u;
			u = &s->u[s->n];
			memset(u, 0, sizeof(*u));
			u->text = acc;
			u->line = lineno;
			u->cmd = strdup(p);
			acc = NULL;
			acclen = 0;
			s->n++;
			if (!u->cmd) {
				rc = -ENOMEM;
				break;
			}
			u->cmd[strcspn(u->cmd, "\n")] = '\0';
			rc = unit_words(u);
			if (rc < 0)
				break;
		}
	}
	s->tail = acc;
	free(line);
	fclose(fp);
	return rc;
}

/* which units the kept ones need: every let that defines a variable they use, transitively */
static void closure(const struct script *s, bool *keep, size_t target)
{
	bool changed = true;
	size_t i, j, k;

	while (changed) {
		changed = false;
		for (i = 0; i <= target; i++) {
			if (!keep[i])
				continue;
			for (k = 0; k < s->u[i].nuses; k++) {
				/* the last definition before the use */
				for (j = i; j-- > 0;) {
					if (!strcmp(s->u[j].def, s->u[i].uses[k])) {
						if (!keep[j]) {
							keep[j] = true;
							changed = true;
						}
						break;
					}
				}
			}
		}
	}
}

struct reducer {
	const struct script *s;
	size_t target;
	const char *backend;
	unsigned long runs;
};

/* run the kept units in a fresh context, in a child: true when they still fail the same way */
static bool still_fails(struct reducer *r, const bool *keep)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem;
	pid_t pid;
	int status;

	mem = open_memstream(&text, &len);
	if (!mem)
		return false;
	for (i = 0; i <= r->target; i++)
		if (keep[i] || i == r->target)
			fprintf(mem, "%s\n", r->s->u[i].cmd);
	fclose(mem);
	r->runs++;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct shell sh = { 0 };
		struct ish_backend *be;
		FILE *fp;
		int rc, err = 0;

		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(99);
		if (!strcmp(r->backend, "kernel")) {
			be = ish_kernel_backend_new(&err);
		} else {
			be = ish_sim_new();
			if (be && !strcmp(r->backend, "sim-no-canwbs"))
				ish_sim_set_canwbs(be, false);
			sh.sim = true;
		}
		if (!be || ish_ctx_new(be, &sh.ctx) < 0)
			_exit(98);
		fp = fmemopen(text, strlen(text), "r");
		rc = fp ? sh_run_stream(&sh, fp, "reduce") : 98;
		if (fp)
			fclose(fp);
		ish_ctx_free(sh.ctx);
		sh_vars_free(&sh);
		free(text);
		_exit(rc);
	}
	free(text);
	if (pid < 0)
		return false;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void *volatile reduce_roots[2];	/* volatile: the stores must stay */

/* test a set given as the indices @idx[0..n): closure added */
static bool test_set(struct reducer *r, const size_t *idx, size_t n, bool *keep)
{
	size_t i;

	memset(keep, 0, (r->target + 1) * sizeof(*keep));
	for (i = 0; i < n; i++)
		keep[idx[i]] = true;
	/* shell options (set replay on) make no kernel call: always kept */
	for (i = 0; i < r->target; i++)
		if (!strncmp(r->s->u[i].cmd, "set ", 4))
			keep[i] = true;
	keep[r->target] = true;
	closure(r->s, keep, r->target);
	return still_fails(r, keep);
}

/*
 * ddmin (Zeller and Hildebrandt): split the candidates into @gran chunks; go on with a chunk
 * alone if it still fails, else with the rest without a chunk, else split finer, until the
 * chunks are single commands. The result is 1-minimal: dropping any one command (with what
 * depends on it) loses the failure.
 */
static size_t ddmin(struct reducer *r, size_t *cand, size_t n, bool *keep)
{
	size_t gran = 2, *sub = malloc((n + 1) * sizeof(*sub));

	if (!sub)
		return n;
	/* nothing at all may be enough: the target and what it depends on */
	if (n && test_set(r, cand, 0, keep))
		n = 0;
	while (n >= 2) {
		size_t chunk = (n + gran - 1) / gran, c, i, m;
		bool reduced = false;

		for (c = 0; c < gran && !reduced; c++) {
			size_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n;

			if (lo < hi && hi - lo < n && test_set(r, cand + lo, hi - lo, keep)) {
				memmove(cand, cand + lo, (hi - lo) * sizeof(*cand));
				n = hi - lo;
				gran = 2;
				reduced = true;
			}
		}
		for (c = 0; c < gran && !reduced; c++) {
			size_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n;

			if (lo >= hi)
				continue;
			for (i = 0, m = 0; i < n; i++)
				if (i < lo || i >= hi)
					sub[m++] = cand[i];
			if (test_set(r, sub, m, keep)) {
				memcpy(cand, sub, m * sizeof(*cand));
				n = m;
				gran = gran > 2 ? gran - 1 : 2;
				reduced = true;
			}
		}
		if (reduced)
			continue;
		if (gran >= n)
			break;
		gran = gran * 2 < n ? gran * 2 : n;
	}
	if (n == 1 && test_set(r, cand, 0, keep))
		n = 0;
	free(sub);
	return n;
}

int sh_main_reduce(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct reducer r = { .backend = "sim" };
	struct script s;
	size_t *cand = NULL, n, i, kept;
	bool *keep = NULL;
	int ch, rc, ret = SH_EXIT_SETUP;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
		switch (ch) {
		case 'B': r.backend = optarg; break;
		case 'h':
			puts("Usage: iommush reduce [--backend sim|sim-no-canwbs|kernel] FILE\n"
			     "Print a minimal part of FILE that still fails as its last expect-error "
			     "does. See iommush-record(8).");
			return SH_EXIT_OK;
		default: return SH_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "iommush: reduce: one recording, please (iommush reduce FILE)\n");
		return SH_EXIT_USAGE;
	}
	if (strcmp(r.backend, "sim") && strcmp(r.backend, "sim-no-canwbs") &&
	    strcmp(r.backend, "kernel")) {
		fprintf(stderr, "iommush: reduce: --backend is sim, sim-no-canwbs or kernel\n");
		return SH_EXIT_USAGE;
	}
	rc = script_load(argv[optind], &s);
	if (rc < 0) {
		fprintf(stderr, "iommush: reduce: %s: %s\n", argv[optind], strerror(-rc));
		script_free(&s);
		return SH_EXIT_SETUP;
	}
	/* the failure to keep: the last expect-error */
	for (i = s.n; i-- > 0;)
		if (!strncmp(s.u[i].cmd, "expect-error ", 13))
			break;
	if (i == (size_t)-1) {
		fprintf(stderr, "iommush: reduce: %s does not end in a failure (no expect-error "
			"line): nothing to keep failing\n", argv[optind]);
		script_free(&s);
		return SH_EXIT_FAIL;
	}
	r.s = &s;
	r.target = i;
	keep = calloc(s.n + 1, sizeof(*keep));
	cand = calloc(s.n + 1, sizeof(*cand));
	/* roots for the forked replays: a leak checker in a child must not take them for lost */
	reduce_roots[0] = keep;
	reduce_roots[1] = cand;
	if (!keep || !cand)
		goto free_all;
	for (i = 0, n = 0; i < r.target; i++)
		if (strncmp(s.u[i].cmd, "set ", 4))
			cand[n++] = i;
	if (!test_set(&r, cand, n, keep)) {
		fprintf(stderr, "iommush: reduce: %s:%u: \"%s\" does not fail that way when %s "
			"replays the recording: nothing to reduce\n", argv[optind], s.u[r.target].line,
			s.u[r.target].cmd, r.backend);
		ret = SH_EXIT_FAIL;
		goto free_all;
	}
	n = ddmin(&r, cand, n, keep);
	test_set(&r, cand, n, keep);	/* leaves the final set in keep */
	for (i = 0, kept = 0; i <= r.target; i++)
		kept += keep[i];
	printf("# iommush reduce %s: %zu of %zu commands still fail as line %u does: \"%s\" "
	       "(%lu replays on %s)\n", argv[optind], kept, r.target + 1, s.u[r.target].line,
	       s.u[r.target].cmd, r.runs, r.backend);
	for (i = 0; i <= r.target; i++)
		if (keep[i])
			fputs(s.u[i].text, stdout);
	ret = SH_EXIT_OK;
free_all:
	free(keep);
	free(cand);
	script_free(&s);
	return ret;
}
