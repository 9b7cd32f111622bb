// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shell against the library beneath it, side by side in one run: N `ioas alloc` +
 * `destroy $_` pairs through `iommush -b` (a process, start-up included, stdout to /dev/null)
 * and through the same shell code in this process, against a C loop making the same library
 * calls; commands per second in batch mode; start-up to the end of `-c quit` and to the first
 * prompt on a terminal. Every figure is the median of paired rounds with min-max.
 * `shell [IOMMUSH]`: the binary to run (default $IOMMUSH, else ./iommush). Never asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "iommush/iommush.h"
#include "iommush/sim.h"
#include "shell.h"
#include "bench.h"

#define PAIRS 50000
#define ROUNDS 10
#define START_ROUNDS 20

static const char *bin = "./iommush";
static char script[64];

static void write_script(void)
{
	FILE *fp;
	int fd, i;

	snprintf(script, sizeof(script), "/tmp/iommush-bench-XXXXXX");
	fd = mkstemp(script);
	if (fd < 0 || !(fp = fdopen(fd, "w")))
		bench_die("mkstemp", -errno);
	for (i = 0; i < PAIRS; i++)
		fputs("ioas alloc\ndestroy $_\n", fp);
	if (fclose(fp))
		bench_die("write script", -errno);
}

static bool on_kernel;	/* the rounds run on /dev/iommu, not the simulator */

static struct ish_backend *backend(void)
{
	struct ish_backend *be;
	int err = 0;

	if (!on_kernel)
		return ish_sim_new();
	be = ish_kernel_backend_new(&err);
	if (!be)
		bench_die("kernel backend", err);
	return be;
}

static double c_loop(void)
{
	struct ish_ctx *ctx;
	uint32_t id;
	double t;
	int i;

	BENCH_CHECK("ctx", ish_ctx_new(backend(), &ctx));
	t = bench_now();
	for (i = 0; i < PAIRS; i++) {
		BENCH_CHECK("ioas alloc", ish_ioas_alloc(ctx, &id));
		BENCH_CHECK("destroy", ish_destroy(ctx, id));
	}
	t = bench_now() - t;
	ish_ctx_free(ctx);
	return t;
}

/* the batch reader, tokenizer, parser, handlers and output of iommush -b, in this process */
static double in_process(void)
{
	struct shell sh = { .sim = !on_kernel };
	int out = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
	double t;
	int rc;

	if (out < 0 || null < 0)
		bench_die("/dev/null", -errno);
	BENCH_CHECK("ctx", ish_ctx_new(backend(), &sh.ctx));
	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	t = bench_now();
	rc = sh_run_file(&sh, script, "bench");
	fflush(stdout);
	t = bench_now() - t;
	dup2(out, STDOUT_FILENO);
	close(out);
	close(null);
	ish_ctx_free(sh.ctx);
	sh_vars_free(&sh);
	if (rc)
		bench_die("in-process batch", -rc);
	return t;
}

/* run iommush with @args, stdout and stderr to /dev/null: wall time to its exit */
static double spawn(char *const args[])
{
	double t = bench_now();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		bench_die("fork", -errno);
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execv(bin, args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		bench_die(bin, -ECHILD);
	return bench_now() - t;
}

static double batch_process(void)
{
	char *args[] = { (char *)bin, "--backend", on_kernel ? "kernel" : "sim", "-b", script,
			 NULL };

	return spawn(args);
}

static double start_quit(void)
{
	char *args[] = { (char *)bin, "--backend", "sim", "-c", "quit", NULL };

	return spawn(args);
}

/* on a terminal: from fork to the prompt on the screen */
static double start_prompt(void)
{
	char buf[4096];
	size_t got = 0;
	double t = bench_now();
	int fd, status;
	pid_t pid = forkpty(&fd, NULL, NULL, NULL);

	if (pid < 0)
		bench_die("forkpty", -errno);
	if (!pid) {
		execl(bin, bin, "--backend", "sim", (char *)NULL);
		_exit(127);
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			bench_die("no prompt", n < 0 ? -errno : -EIO);
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "> "))	/* "iommush> ", "iommush(sim)> " */
			break;
		if (got == sizeof(buf) - 1)
			got = 0;
	}
	t = bench_now() - t;
	kill(pid, SIGTERM);
	close(fd);
	waitpid(pid, &status, 0);
	return t;
}

/* the same pairs through the shell and a C loop, side by side, on the current backend */
static void ratio_table(void)
{
	struct bench_stat c = { 0 }, sp = { 0 }, ip = { 0 }, rp = { 0 }, ri = { 0 }, cps = { 0 },
			  own = { 0 };
	int i;

	for (i = 0; i < ROUNDS; i++) {
		double tc = c_loop(), tp = batch_process(), ti = in_process();

		bench_add(&c, tc);
		bench_add(&sp, tp);
		bench_add(&ip, ti);
		bench_add(&rp, tp / tc);
		bench_add(&ri, ti / tc);
		bench_add(&cps, 2.0 * PAIRS / tp);
		bench_add(&own, (ti - tc) / (2.0 * PAIRS));	/* paired: this round's own */
	}
	{
		const char *be = on_kernel ? "kernel" : "simulator";
		char area[48], note[96], per[64];

		snprintf(area, sizeof(area), "shell vs library, %s", be);
		snprintf(note, sizeof(note), "%d `ioas alloc` + `destroy $_` pairs, %d paired "
			 "rounds", PAIRS, ROUNDS);
		bench_row(area, "C loop over libiommush", 2 * PAIRS, &c, 1e3, "ms",
			  bench_per(bench_median(&c) * 1e9 / (2.0 * PAIRS), "ns/command", per,
				    sizeof(per)), note);
		bench_row(area, "iommush -b (a process, start-up incl.)", 2 * PAIRS, &sp, 1e3, "ms",
			  bench_per(bench_median(&sp) * 1e9 / (2.0 * PAIRS), "ns/command", per,
				    sizeof(per)), "stdout to /dev/null");
		bench_row(area, "the same shell code in-process", 2 * PAIRS, &ip, 1e3, "ms",
			  bench_per(bench_median(&ip) * 1e9 / (2.0 * PAIRS), "ns/command", per,
				    sizeof(per)), "");
		bench_row(area, "the shell's own time a command", 0, &own, 1e9, "ns", "",
			  "in-process minus the C loop, paired");
		bench_row(area, "ratio in-process shell / C loop", 0, &ri, 1, "ratio", "", "");
		bench_row(area, "ratio iommush -b / C loop", 0, &rp, 1, "ratio", "",
			  bench_median(&rp) <= 1.5 ? "goal <= 1.5x: met" : "goal <= 1.5x: NOT met");
		bench_row(area, "commands/s, iommush -b", 0, &cps, 1e-3, "thousand/s", "",
			  bench_median(&cps) >= 5e5 ? "goal >= 500 000/s: met" :
			  "goal >= 500 000/s: NOT met");
	}
}

int main(int argc, char **argv)
{
	struct bench_stat q = { 0 }, pr = { 0 };
	int i;

	if (argc > 1)
		bin = argv[1];
	else if (getenv("IOMMUSH"))
		bin = getenv("IOMMUSH");
	if (access(bin, X_OK) < 0) {
		fprintf(stderr, "bench: no %s (make it first, or pass the binary)\n", bin);
		return 1;
	}
	write_script();
	bench_head();
	ratio_table();
	if (access("/dev/iommu", F_OK) == 0) {
		on_kernel = true;
		ratio_table();
		on_kernel = false;
	} else {
		bench_rowv("shell vs library, kernel", "-", "", "-", "", "",
			   "no /dev/iommu on this machine: simulator only");
	}
	for (i = 0; i < START_ROUNDS; i++) {
		bench_add(&q, start_quit());
		bench_add(&pr, start_prompt());
	}
	unlink(script);
	bench_row("start-up, simulator", "to the end of `iommush -c quit`", 0, &q, 1e3, "ms", "",
		  "20 rounds");
	bench_row("start-up, simulator", "to the first prompt on a pty", 0, &pr, 1e3, "ms", "",
		  "");
	return 0;
}
