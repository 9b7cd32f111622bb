// SPDX-License-Identifier: GPL-2.0-or-later
/* iommush: options, the backend, and which reader runs (REPL, -b FILE, -c, piped stdin). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "iommush/record.h"
#include "iommush/sim.h"
#include "shell.h"

#define ISH_VERSION "0.1"

struct opts {
	const char *batch;	/* -b FILE */
	const char *command;	/* -c CMDS */
	const char *backend;
	bool list;
	bool check;		/* iommush check */
	bool step;		/* --step / --until: next and continue walk the batch file */
	bool trace_script;	/* --trace=script: the trace as a replayable recording */
	unsigned int until;
};

static void usage(FILE *fp)
{
	fputs("Usage: iommush [OPTION]... [-b FILE | -c COMMANDS | FILE]\n"
	      "       iommush record [-o FILE] [-j] -- PROGRAM [ARG]...\n"
	      "       iommush reduce [--backend B] FILE\n"
	      "       iommush [--backend B] check [-j]\n"
	      "An interactive shell for iommufd nested translation on ARM SMMUv3.\n"
	      "\n"
	      "  -b, --batch FILE      run the commands of FILE (- = stdin)\n"
	      "  -c, --command CMDS    run CMDS, commands separated by ';'\n"
	      "  -f, --force           go on after a failed command (the exit status is still 1)\n"
	      "  -x, --echo            print each command on stderr before running it\n"
	      "  -j, --json            JSON output: one value per command\n"
	      "  -p, --pretty          indented JSON (implies -j)\n"
	      "      --backend B       kernel (/dev/iommu) or sim (the built-in simulator);\n"
	      "                        sim-no-canwbs: a simulated host without CANWBS, where\n"
	      "                        vIOMMU allocation fails as on QEMU without an IORT override\n"
	      "      --trace           print every kernel call with its arguments and result\n"
	      "      --trace=script    the same, as a batch script that replays it (stderr)\n"
	      "      --dry-run         print the kernel calls without making them\n"
	      "      --until LINE      with -b: run FILE up to LINE, then step (next, continue)\n"
	      "      --step            with -b: step through FILE from its first command\n"
	      "      --list-commands   print the command table: group, verb, usage, summary\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 a command failed, 2 usage error, 3 set-up failure,\n"
	      "130 interrupted. \"help\" inside the shell lists the commands; see iommush(8).\n",
	      fp);
}

static int parse_opts(struct shell *sh, struct opts *o, int argc, char **argv)
{
	enum { OPT_BACKEND = 256, OPT_TRACE, OPT_DRY, OPT_LIST, OPT_UNTIL, OPT_STEP };
	static const struct option longs[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "command", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "echo", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "trace", optional_argument, NULL, OPT_TRACE },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "list-commands", no_argument, NULL, OPT_LIST },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "step", no_argument, NULL, OPT_STEP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "+b:c:fxjphV", longs, NULL)) != -1) {
		switch (ch) {
		case 'b': o->batch = optarg; break;
		case 'c': o->command = optarg; break;
		case 'f': sh->force = true; break;
		case 'x': sh->echo = true; break;
		case 'j': sh->json = true; break;
		case 'p': sh->json = sh->pretty = true; break;
		case OPT_BACKEND: o->backend = optarg; break;
		case OPT_TRACE:
			if (optarg && !strcmp(optarg, "script")) {
				o->trace_script = true;
			} else if (optarg) {
				fprintf(stderr, "iommush: --trace takes nothing or =script, not \"%s\"\n",
					optarg);
				return -1;
			} else {
				sh->trace = true;
			}
			break;
		case OPT_DRY: sh->dry_run = true; break;
		case OPT_LIST: o->list = true; break;
		case OPT_STEP: o->step = true; break;
		case OPT_UNTIL: {
			uint64_t v;

			if (!sh_parse_u64(optarg, &v) || !v || v > UINT32_MAX) {
				fprintf(stderr, "iommush: --until takes a line number, not \"%s\"\n",
					optarg);
				return -1;
			}
			o->until = (unsigned int)v;
			o->step = true;
			break;
		}
		case 'h': usage(stdout); exit(0);
		case 'V': puts("iommush " ISH_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc && !o->batch && !o->command && !strcmp(argv[optind], "check")) {
		/* iommush check [-j]: the check command, alone */
		o->check = true;
		o->command = "check";
		for (optind++; optind < argc; optind++) {
			if (!strcmp(argv[optind], "-j") || !strcmp(argv[optind], "--json"))
				sh->json = true;
			else
				break;
		}
	}
	if (optind < argc && !o->batch && !o->command)
		o->batch = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "iommush: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (o->batch && o->command) {
		fprintf(stderr, "iommush: -b and -c exclude each other\n");
		return -1;
	}
	if (o->step && (!o->batch || !strcmp(o->batch, "-"))) {
		fprintf(stderr, "iommush: --step and --until step through a file: give it with -b\n");
		return -1;
	}
	if (o->backend && strcmp(o->backend, "sim") && strcmp(o->backend, "kernel") &&
	    strcmp(o->backend, "sim-no-canwbs")) {
		fprintf(stderr, "iommush: --backend is sim, sim-no-canwbs or kernel, not \"%s\"\n",
			o->backend);
		return -1;
	}
	return 0;
}

static struct ish_backend *open_backend(struct shell *sh, const char *name)
{
	struct ish_backend *be;
	int err = 0;

	if (!name) {
		name = access("/dev/iommu", F_OK) == 0 ? "kernel" : "sim";
		if (!strcmp(name, "sim") && sh->interactive)
			fprintf(stderr, "iommush: /dev/iommu not found, using the simulator\n");
	}
	if (!strncmp(name, "sim", 3)) {
		be = ish_sim_new();
		if (!be)
			fprintf(stderr, "iommush: cannot start the simulator: %s\n",
				strerror(ENOMEM));
		else if (!strcmp(name, "sim-no-canwbs"))
			ish_sim_set_canwbs(be, false);
		sh->sim = true;
		return be;
	}
	be = ish_kernel_backend_new(&err);
	if (!be)
		fprintf(stderr, "iommush: cannot use the kernel backend: /dev/iommu: %s\n",
			strerror(err > 0 ? err : -err));
	return be;
}

static void trace_call(void *arg, const struct ish_call *call, long rc)
{
	struct shell *sh = arg;
	char buf[1024];

	ish_call_format(call, rc, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", sh->dry_run ? "dry-run" : "trace", buf);
}

static void on_sigint(int sig)
{
	(void)sig;
	sh_interrupted = 1;
}

/* no SA_RESTART: a waiting poll() or nanosleep() returns EINTR and the command ends */
static void catch_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

static int run(struct shell *sh, const struct opts *o)
{
	FILE *fp;
	int rc, first;

	if (o->command) {
		fp = fmemopen((void *)o->command, strlen(o->command), "r");
		if (!fp) {
			fprintf(stderr, "iommush: -c: %s\n", strerror(errno));
			return SH_EXIT_SETUP;
		}
		rc = sh_run_stream(sh, fp, NULL);
		fclose(fp);
		return rc;
	}
	if (o->step) {
		rc = sh_step_open(sh, o->batch);
		if (rc < 0) {
			fprintf(stderr, "iommush: cannot read %s: %s\n", o->batch, strerror(-rc));
			return SH_EXIT_SETUP;
		}
		first = o->until ? sh_step_run(sh, o->until, (unsigned long)-1) : 0;
		if (first == SH_EXIT_INTR)
			return first;
		/* then the user steps: at a terminal in the REPL, else with commands on stdin */
		rc = sh->interactive ? sh_repl(sh) : sh_run_file(sh, NULL, "stdin");
		return first ? first : rc;
	}
	if (o->batch) {
		if (!strcmp(o->batch, "-"))
			return sh_run_file(sh, NULL, "stdin");
		rc = sh_run_file(sh, o->batch, NULL);
		if (rc < 0) {
			fprintf(stderr, "iommush: cannot read %s: %s\n", o->batch, strerror(-rc));
			return SH_EXIT_SETUP;
		}
		return rc;
	}
	if (!sh->interactive)
		return sh_run_file(sh, NULL, "stdin");
	return sh_repl(sh);
}

int main(int argc, char **argv)
{
	struct shell sh = { 0 };
	struct opts o = { 0 };
	struct ish_backend *be;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "record"))
		return sh_main_record(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "reduce"))
		return sh_main_reduce(argc - 1, argv + 1);
	if (parse_opts(&sh, &o, argc, argv) < 0)
		return SH_EXIT_USAGE;
	if (o.list) {
		sh_list_commands(stdout);
		return 0;
	}
	sh.interactive = (o.step || (!o.batch && !o.command)) && isatty(STDIN_FILENO);
	if (o.batch && strcmp(o.batch, "-") && access(o.batch, R_OK) < 0) {
		fprintf(stderr, "iommush: cannot read %s: %s\n", o.batch, strerror(errno));
		return SH_EXIT_SETUP;
	}
	if (o.check && !o.backend && access("/dev/iommu", F_OK) < 0) {
		/* a host check judges this host: no simulator standing in, no iommufd to use */
		rc = sh_run_line(&sh, "check");
		sh_vars_free(&sh);
		return rc;
	}
	be = open_backend(&sh, o.backend);
	if (!be)
		return SH_EXIT_SETUP;
	rc = ish_ctx_new(be, &sh.ctx);
	if (rc < 0) {
		fprintf(stderr, "iommush: cannot open the iommufd: %s\n", strerror(-rc));
		if (be->ops->free)
			be->ops->free(be);
		return SH_EXIT_SETUP;
	}
	if (sh.trace || sh.dry_run)
		ish_set_trace(sh.ctx, trace_call, &sh);
	if (o.trace_script && ish_record_to(sh.ctx, stderr) < 0)
		fprintf(stderr, "iommush: --trace=script: IOMMUSH_RECORD records this session already\n");
	ish_set_dry_run(sh.ctx, sh.dry_run);
	catch_sigint();
	rc = run(&sh, &o);
	/* reverse order of everything made: vSMMUs, objects, devices, then the iommufd */
	ish_ctx_free(sh.ctx);
	sh_vars_free(&sh);
	sh_step_close(&sh);
	return rc;
}
