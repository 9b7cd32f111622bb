// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommush record: run a program under the LD_PRELOAD interposer and turn what it recorded
 * into a batch script. iommush reduce: cut a recording that ends in a failure down to a
 * minimal subsequence that still fails the same way (delta debugging).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

/*
 * The raw file's memory is allocated here, ahead of the program's frames, while it runs: a
 * page the kernel allocates and zeroes when a frame first reaches it cost the recorded call
 * 100-200 ns a call on the host (a 4 KiB page holds 15-35 frames), much more under TCG; now
 * the program's populate (preload/record.c) only maps pages already there. AHEAD bytes
 * past the frames are kept allocated; the check runs every 1-100 ms (sooner while the
 * frames grow) and ends as soon as the program does (a pidfd, else a plain wait). Where the
 * file system cannot allocate (fallocate fails), the program populates as before.
 */
#define AHEAD (8ull << 20)

static int wait_allocating(pid_t pid, int rawfd, int *status)
{
	const struct ish_raw_hdr *h = mmap(NULL, ISH_RAW_HDR, PROT_READ, MAP_SHARED, rawfd, 0);
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), ms = 1, rc = 0;
	uint64_t done = 0, last = 0;
	bool alloc = h != MAP_FAILED;

	for (;;) {
		pid_t w = waitpid(pid, status, alloc ? WNOHANG : 0);

		if (w == pid)
			break;
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (!alloc)
			continue;
		{
			uint64_t used = atomic_load(&h->used), want = used + AHEAD;

			if (want > ISH_RAW_SIZE)
				want = ISH_RAW_SIZE;
			if (want > done) {
				if (fallocate(rawfd, 0, (off_t)(ISH_RAW_HDR + done),
					      (off_t)(want - done)) < 0)
					alloc = false;	/* the program populates alone */
				else
					done = want;
			}
			/* sooner while the frames grow, rarer when the program is quiet */
			ms = used != last ? 1 : ms < 100 ? ms * 2 : 100;
			last = used;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, ms);
		} else {
			struct timespec t = { 0, ms * 1000000L };

			nanosleep(&t, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (h != MAP_FAILED)
		munmap((void *)h, ISH_RAW_HDR);
	return rc;
}

static int run_recorded(const char *prog, char **argv, const char *preload, const char *raw,
			int rawfd, bool mmio, int *status)
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
		rc = wait_allocating(pid, rawfd, status);
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
	rc = run_recorded(prog, argv + optind, preload, raw, rawfd, mmio, &status);
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
	/*
	 * never a half recording: a failed one is removed, but only a regular file (-o /dev/null
	 * or a FIFO is not ours to unlink: as root that took /dev/null away)
	 */
	if (ret != SH_EXIT_OK && outpath && strcmp(outpath, "-")) {
		struct stat st;

		if (lstat(outpath, &st) == 0 && S_ISREG(st.st_mode))
			unlink(outpath);
	}
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
	const char *other;		/* --differs: the second backend */
	unsigned long runs, max_runs;
	bool capped;			/* ddmin stopped at max_runs */
	char *want[2];			/* --differs: the target's two outcomes, kept the same */
};

/* ---- outcomes: what each command did on one backend, for --differs ------------------------- */

/* a backend by name, for a replay in a child */
static struct ish_backend *reduce_backend(const char *name, bool *sim)
{
	struct ish_backend *be;
	int err = 0;

	*sim = strcmp(name, "kernel") != 0;
	if (!*sim)
		return ish_kernel_backend_new(&err);
	be = ish_sim_new();
	if (be && !strcmp(name, "sim-no-canwbs"))
		ish_sim_set_canwbs(be, false);
	return be;
}

/*
 * The outcome of a command as the two backends can be held to it: its JSON output with what
 * only names the backend left out, and of a failure the command and errno (the message names
 * the backend's view, the file and line the script).
 */
static void drop_key(char *l, const char *key)
{
	char *p, *e;
	size_t n = strlen(key);

	for (p = l; (p = strstr(p, key));) {
		e = p + n;
		while (*e && *e != '"')
			e += e[0] == '\\' && e[1] ? 2 : 1;
		if (*e)
			e++;
		if (*e == ',')
			e++;
		memmove(p, e, strlen(e) + 1);
	}
}

static void outcome_line(char *l)
{
	char *p;

	if (!strncmp(l, "{\"error\":{", 10) && (p = strstr(l, ",\"message\":"))) {
		strcpy(p, "}}");
		return;
	}
	/* the backend's name and the name it gives the physical SMMU */
	drop_key(l, "\"backend\":\"");
	drop_key(l, "\"iommu\":\"");
}

/*
 * Two outcomes of the same kind: equal but for the numbers in them (ids: a reduced script
 * hands out other ids than the whole, and still shows the same difference).
 */
static bool same_shape(const char *a, const char *b)
{
	while (*a && *b) {
		if (a[0] == ':' && b[0] == ':' && a[1] >= '0' && a[1] <= '9' &&
		    b[1] >= '0' && b[1] <= '9') {
			for (a++; *a >= '0' && *a <= '9'; a++)
				;
			for (b++; *b >= '0' && *b <= '9'; b++)
				;
			continue;
		}
		if (*a++ != *b++)
			return false;
	}
	return *a == *b;
}

/* the outcomes of the kept units of @r (all when @keep is NULL) on @backend, run in a child;
 * out[i] is unit i's (NULL: not run or the child died before it) */
static int run_outcomes(struct reducer *r, const bool *keep, size_t last, const char *backend,
			char **out)
{
	FILE *tmp = tmpfile();
	char *line = NULL;
	size_t cap = 0, i, cur = (size_t)-1;
	ssize_t n;
	pid_t pid;
	int status;

	for (i = 0; i <= last; i++)
		out[i] = NULL;
	if (!tmp)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct shell sh = { 0 };
		struct ish_backend *be;

		if (dup2(fileno(tmp), STDOUT_FILENO) < 0 || !freopen("/dev/null", "w", stderr))
			_exit(99);
		alarm(600);	/* a hung kernel call must not hang the reducer */
		be = reduce_backend(backend, &sh.sim);
		if (!be || ish_ctx_new(be, &sh.ctx) < 0)
			_exit(98);
		sh.json = sh.force = true;
		sh.no_wait = sh.sim;	/* the simulated edu finishes at once */
		sh.backend = backend;
		for (i = 0; i <= last; i++) {
			if (keep && !keep[i] && i != last)
				continue;
			printf("@%zu\n", i);
			fflush(stdout);
			sh_run_line(&sh, r->s->u[i].cmd);
			fflush(stdout);
			if (sh.quit)
				break;
		}
		sh_groups_fini();
		ish_ctx_free(sh.ctx);
		sh_vars_free(&sh);
		_exit(0);
	}
	if (pid < 0) {
		fclose(tmp);
		return -errno;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	rewind(tmp);
	while ((n = getline(&line, &cap, tmp)) > 0) {
		char *o;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '@') {
			cur = strtoul(line + 1, NULL, 10);
			if (cur <= last && !out[cur])
				out[cur] = strdup("");
			continue;
		}
		if (cur > last || !out[cur])
			continue;
		outcome_line(line);
		if (asprintf(&o, "%s%s%s", out[cur], *out[cur] ? " " : "", line) < 0)
			continue;
		free(out[cur]);
		out[cur] = o;
	}
	free(line);
	fclose(tmp);
	return 0;
}

static void outcomes_free(char **out, size_t last)
{
	size_t i;

	for (i = 0; i <= last; i++) {
		free(out[i]);
		out[i] = NULL;
	}
}

static const char *outcome_text(const char *o)
{
	return o ? (*o ? o : "(nothing)") : "(not run: the replay died before it)";
}

/*
 * The first kept unit up to @last whose outcome differs between the two backends, (size_t)-1
 * when none does; the two outcomes of it in @oa, @ob when asked.
 */
static size_t first_difference(struct reducer *r, const bool *keep, size_t last, char **oa,
			       char **ob)
{
	char **a = calloc(last + 1, sizeof(*a)), **b = calloc(last + 1, sizeof(*b));
	size_t i, found = (size_t)-1;

	if (!a || !b)
		goto free_outcomes;
	r->runs++;
	if (run_outcomes(r, keep, last, r->backend, a) < 0 ||
	    run_outcomes(r, keep, last, r->other, b) < 0)
		goto free_runs;
	for (i = 0; i <= last; i++) {
		if (keep && !keep[i] && i != last)
			continue;
		if (!a[i] && !b[i])
			break;
		if (!a[i] || !b[i] || strcmp(a[i], b[i])) {
			found = i;
			if (oa)
				*oa = strdup(outcome_text(a[i]));
			if (ob)
				*ob = strdup(outcome_text(b[i]));
			break;
		}
	}
free_runs:
	outcomes_free(a, last);
	outcomes_free(b, last);
free_outcomes:
	free(a);
	free(b);
	return found;
}

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
	if (r->other) {
		char *a = NULL, *b = NULL;
		bool same;

		/* the same difference: both outcomes as they were (ids aside), not another pair */
		same = first_difference(r, keep, r->target, &a, &b) == r->target && a && b &&
		       same_shape(a, r->want[0]) && same_shape(b, r->want[1]);
		free(a);
		free(b);
		return same;
	}
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
	while (n >= 2 && (!r->max_runs || r->runs < r->max_runs)) {
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
	if (n >= 2 && r->max_runs && r->runs >= r->max_runs)
		r->capped = true;
	else if (n == 1 && test_set(r, cand, 0, keep))
		n = 0;
	free(sub);
	return n;
}

static bool backend_ok(const char *b)
{
	return !strcmp(b, "sim") || !strcmp(b, "sim-no-canwbs") || !strcmp(b, "kernel");
}

/* --outcomes: every command's outcome on one backend, as --differs compares them */
static int print_outcomes(struct reducer *r)
{
	size_t last = r->s->n - 1, i;
	char **a = calloc(r->s->n, sizeof(*a));

	if (!a || run_outcomes(r, NULL, last, r->backend, a) < 0) {
		free(a);
		return SH_EXIT_SETUP;
	}
	for (i = 0; i <= last; i++)
		printf("%u: %s\n", r->s->u[i].line, outcome_text(a[i]));
	outcomes_free(a, last);
	free(a);
	return SH_EXIT_OK;
}

/* --differs: the first command whose outcome differs is the target; before it, both agree */
static int find_difference(struct reducer *r, const char *path, char **oa, char **ob)
{
	size_t at;

	if (!r->s->n)
		return SH_EXIT_FAIL;
	at = first_difference(r, NULL, r->s->n - 1, oa, ob);
	if (at == (size_t)-1) {
		fprintf(stderr, "iommush: reduce: %s: every command does the same on %s and %s: "
			"nothing to reduce\n", path, r->backend, r->other);
		return SH_EXIT_FAIL;
	}
	r->target = at;
	return SH_EXIT_OK;
}

/* does unit @j use a variable one of the units marked in @gone defines? */
static bool uses_gone(const struct script *s, size_t j, const bool *gone)
{
	size_t k, i;

	for (k = 0; k < s->u[j].nuses; k++)
		for (i = 0; i < j; i++)
			if (gone[i] && !strcmp(s->u[i].def, s->u[j].uses[k]))
				return true;
	return false;
}

/*
 * After ddmin: a kept command that defines a variable is kept again by the closure of every
 * command that uses it, so ddmin can drop it only together with them. Try each, newest first,
 * with everything that (transitively) uses it.
 */
static size_t prune_chains(struct reducer *r, size_t *cand, size_t n, bool *keep)
{
	bool *gone = calloc(r->target + 1, sizeof(*gone));
	size_t *sub = malloc((n + 1) * sizeof(*sub)), c, i, m;

	if (!gone || !sub)
		goto free_all;
	for (c = n; c-- > 0 && c < n;) {
		if (r->max_runs && r->runs >= r->max_runs) {
			r->capped = true;
			break;
		}
		if (!r->s->u[cand[c]].def[0])
			continue;
		memset(gone, 0, (r->target + 1) * sizeof(*gone));
		gone[cand[c]] = true;
		for (i = c + 1; i < n; i++)
			if (uses_gone(r->s, cand[i], gone))
				gone[cand[i]] = true;
		if (uses_gone(r->s, r->target, gone))
			continue;
		for (i = 0, m = 0; i < n; i++)
			if (!gone[cand[i]])
				sub[m++] = cand[i];
		if (m < n - 1 && test_set(r, sub, m, keep)) {
			memcpy(cand, sub, m * sizeof(*cand));
			n = m;
			if (c > n)
				c = n;
		}
	}
free_all:
	free(gone);
	free(sub);
	return n;
}

int sh_main_reduce(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "backend", required_argument, NULL, 'B' },
		{ "differs", required_argument, NULL, 'D' },
		{ "max-replays", required_argument, NULL, 'M' },
		{ "outcomes", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct reducer r = { .backend = "sim" };
	struct script s;
	size_t *cand = NULL, n, i, kept;
	bool *keep = NULL, outcomes = false, again;
	char *oa = NULL, *ob = NULL;
	uint64_t v;
	int ch, rc, ret = SH_EXIT_SETUP;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
		switch (ch) {
		case 'B': r.backend = optarg; break;
		case 'D': r.other = optarg; break;
		case 'M':
			if (!sh_parse_u64(optarg, &v) || !v || v > 1000000) {
				fprintf(stderr, "iommush: reduce: --max-replays %s: 1 to 1000000\n",
					optarg);
				return SH_EXIT_USAGE;
			}
			r.max_runs = (unsigned long)v;
			break;
		case 'O': outcomes = true; break;
		case 'h':
			puts("Usage: iommush reduce [--backend sim|sim-no-canwbs|kernel] [--differs B2]\n"
			     "                      [--max-replays N] [--outcomes] FILE\n"
			     "Print a minimal part of FILE that still fails as its last expect-error "
			     "does,\nor (--differs) where backend B2 still does otherwise than B. "
			     "See iommush-record(8).");
			return SH_EXIT_OK;
		default: return SH_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "iommush: reduce: one recording, please (iommush reduce FILE)\n");
		return SH_EXIT_USAGE;
	}
	if (!backend_ok(r.backend) || (r.other && !backend_ok(r.other))) {
		fprintf(stderr, "iommush: reduce: --backend and --differs are sim, sim-no-canwbs or "
			"kernel\n");
		return SH_EXIT_USAGE;
	}
	if (r.other && !strcmp(r.other, r.backend)) {
		fprintf(stderr, "iommush: reduce: --differs %s: the same backend as --backend\n",
			r.other);
		return SH_EXIT_USAGE;
	}
	if (!r.max_runs && r.other)
		r.max_runs = 300;
	rc = script_load(argv[optind], &s);
	if (rc < 0) {
		fprintf(stderr, "iommush: reduce: %s: %s\n", argv[optind], strerror(-rc));
		script_free(&s);
		return SH_EXIT_SETUP;
	}
	r.s = &s;
	if (outcomes) {
		ret = s.n ? print_outcomes(&r) : SH_EXIT_OK;
		script_free(&s);
		return ret;
	}
	if (r.other) {
		ret = find_difference(&r, argv[optind], &oa, &ob);
		if (ret != SH_EXIT_OK)
			goto free_all;
		r.want[0] = oa;
		r.want[1] = ob;
		ret = SH_EXIT_SETUP;
		i = r.target;
	} else {
		/* the failure to keep: the last expect-error */
		for (i = s.n; i-- > 0;)
			if (!strncmp(s.u[i].cmd, "expect-error ", 13))
				break;
		if (i == (size_t)-1) {
			fprintf(stderr, "iommush: reduce: %s does not end in a failure (no "
				"expect-error line): nothing to keep failing\n", argv[optind]);
			script_free(&s);
			return SH_EXIT_FAIL;
		}
	}
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
		if (r.other)
			fprintf(stderr, "iommush: reduce: %s:%u: \"%s\" differs only with the "
				"commands after it, or not every time: nothing to reduce\n",
				argv[optind], s.u[r.target].line, s.u[r.target].cmd);
		else
			fprintf(stderr, "iommush: reduce: %s:%u: \"%s\" does not fail that way when "
				"%s replays the recording: nothing to reduce\n", argv[optind],
				s.u[r.target].line, s.u[r.target].cmd, r.backend);
		ret = SH_EXIT_FAIL;
		goto free_all;
	}
	n = ddmin(&r, cand, n, keep);
	n = prune_chains(&r, cand, n, keep);
	again = test_set(&r, cand, n, keep);	/* leaves the final set in keep */
	for (i = 0, kept = 0; i <= r.target; i++)
		kept += keep[i];
	if (r.other) {
		/* the reduced script differs as the whole did (test_set checked it) */
		free(oa);
		free(ob);
		oa = ob = NULL;
		if (!again || first_difference(&r, keep, r.target, &oa, &ob) != r.target) {
			fprintf(stderr, "iommush: reduce: %s:%u: the reduced script does not differ "
				"again (not every time?)\n", argv[optind], s.u[r.target].line);
			ret = SH_EXIT_FAIL;
			goto free_all;
		}
	}
	if (r.other) {
		printf("# iommush reduce --differs %s --backend %s %s: %zu of %zu commands; the last "
		       "does otherwise on the two (%lu replays on each%s)\n", r.other, r.backend,
		       argv[optind], kept, r.target + 1, r.runs,
		       r.capped ? ", stopped at --max-replays: may not be minimal" : "");
		printf("# outcome %s: %s\n# outcome %s: %s\n", r.backend, oa, r.other, ob);
	} else {
		printf("# iommush reduce %s: %zu of %zu commands still fail as line %u does: \"%s\" "
		       "(%lu replays on %s)\n", argv[optind], kept, r.target + 1,
		       s.u[r.target].line, s.u[r.target].cmd, r.runs, r.backend);
	}
	for (i = 0; i <= r.target; i++)
		if (keep[i])
			fputs(s.u[i].text, stdout);
	ret = SH_EXIT_OK;
free_all:
	free(oa);
	free(ob);
	free(keep);
	free(cand);
	script_free(&s);
	return ret;
}
