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

#include <linux/version.h>

#ifndef ISH_VERSION
#define ISH_VERSION "0.2.0"	/* the Makefile's VERSION, also the library's */
#endif


struct opts {
	const char *batch;	/* -b FILE */
	const char *command;	/* -c CMDS */
	const char *backend;
	const char *fail_nth;	/* --fail-nth N:ERRNO */
	bool list, version, complete;
	int cmd_argc;		/* iommush GROUP [VERB] [ARGS]: one command from the command line */
	char **cmd_argv;
	bool check;		/* iommush check */
	bool step;		/* --step / --until: next and continue walk the batch file */
	bool trace_script;	/* --trace=script: the trace as a replayable recording */
	unsigned int until;
};

static void usage(FILE *fp)
{
	fputs("Usage: iommush [OPTION]... [-b FILE | -c COMMANDS | FILE | COMMAND [ARG]...]\n"
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
	      "      --complete WORD...  print the completions of the last WORD (bash completion)\n"
	      "      --fail-nth N:ERRNO  fail backend call N with ERRNO (fault injection)\n"
	      "      --check-teardown  at the end, check the registry against the simulator\n"
	      "                        and that a teardown leaves nothing (tests)\n"
	      "      --no-wait         sleep and waits return at once (simulator tests)\n"
	      "  -h, --help            this help\n"
	      "  -q, --quiet           no notices (errors are still printed)\n"
	      "  -V, --version         the version and the build's features\n"
	      "\n"
	      "Batch, -c and piped runs need /dev/iommu or an explicit --backend: they never\n"
	      "fall back to the simulator silently.\n"
	      "\n"
	      "Exit status: 0 ok, 1 a command failed, 2 usage error, 3 set-up failure,\n"
	      "130 interrupted (SIGINT, SIGTERM, SIGHUP). \"help\" inside the shell lists the\n"
	      "commands; see iommush(8).\n",
	      fp);
}

static int parse_opts(struct shell *sh, struct opts *o, int argc, char **argv)
{
	enum { OPT_BACKEND = 256, OPT_TRACE, OPT_DRY, OPT_LIST, OPT_COMPLETE, OPT_FAIL_NTH, OPT_CHECK,
	       OPT_NO_WAIT, OPT_UNTIL, OPT_STEP };
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
		{ "complete", no_argument, NULL, OPT_COMPLETE },
		{ "fail-nth", required_argument, NULL, OPT_FAIL_NTH },
		{ "check-teardown", no_argument, NULL, OPT_CHECK },
		{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "step", no_argument, NULL, OPT_STEP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "+b:c:fxjphqV", longs, NULL)) != -1) {
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
		case OPT_COMPLETE: o->complete = true; break;
		case OPT_FAIL_NTH: o->fail_nth = optarg; break;
		case OPT_CHECK: sh->check_teardown = true; break;
		case OPT_NO_WAIT: sh->no_wait = true; break;
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
		case 'V': o->version = true; break;
		case 'q': sh->quiet = true; break;
		default: usage(stderr); return -1;
		}
	}
	if (o->complete) {	/* the words are the command line to complete, not a command */
		o->cmd_argc = argc - optind;
		o->cmd_argv = argv + optind;
		return 0;
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
	/*
	 * A first word with no '/' or '.' that is not a file is a command, as ip and bpftool
	 * take them ("iommush pci list"); anything else is a batch file (./show runs a file
	 * named like a command).
	 */
	if (optind < argc && !o->batch && !o->command && !strpbrk(argv[optind], "/.") &&
	    access(argv[optind], F_OK) < 0) {
		o->cmd_argc = argc - optind;
		o->cmd_argv = argv + optind;
		optind = argc;
	}
	if (optind < argc && !o->batch && !o->command)
		o->batch = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "iommush: unexpected argument \"");
		sh_fput_text(stderr, argv[optind], false);
		fputs("\"\n", stderr);
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
		fprintf(stderr, "iommush: --backend is sim, sim-no-canwbs or kernel, not \"");
		sh_fput_text(stderr, o->backend, false);
		fputs("\"\n", stderr);
		return -1;
	}
	if (o->fail_nth && sh_fail_nth_parse(o->fail_nth, &sh->fail_nth, &sh->fail_err) < 0) {
		fprintf(stderr, "iommush: --fail-nth is N:ERRNO (N from 1, ERRNO a name such as "
			"ENOMEM or a number), not \"");
		sh_fput_text(stderr, o->fail_nth, false);
		fputs("\"\n", stderr);
		return -1;
	}
	return 0;
}

static bool have_dev_iommu(void)
{
	return access("/dev/iommu", F_OK) == 0;
}

/* which backend runs, and why: --version says it as the shell would choose */
static void version(const struct opts *o)
{
	printf("iommush %s\n", ISH_VERSION);
	if (o->backend)
		printf("backend: %s (--backend)\n", o->backend);
	else if (have_dev_iommu())
		printf("backend: kernel (/dev/iommu)\n");
	else
		printf("backend: sim in the REPL (/dev/iommu not found); batch runs need "
		       "--backend sim\n");
	printf("line editor: %s\n", HAVE_LIBEDIT ? "libedit" : "none (plain stdin)");
	printf("PCI names: %s\n", HAVE_LIBPCI ? "libpci" : "sysfs only");
	printf("uAPI headers: Linux %d.%d (linux/iommufd.h, vIOMMU and vEVENTQ)\n",
	       LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 0xff);
	printf("simulator: Linux 7.3 iommufd + arm-smmu-v3 (profiles 7.3, 7.1)\n");
	printf("library: libiommush %s\n", ISH_VERSION);
}

static struct ish_backend *open_backend(struct shell *sh, const char *name)
{
	struct ish_backend *be;
	int err = 0;

	if (!name) {
		name = have_dev_iommu() ? "kernel" : "sim";
		/* a reproducer must never "pass" on the simulator by accident */
		if (!strcmp(name, "sim") && !sh->interactive) {
			fprintf(stderr, "iommush: /dev/iommu not found, and a batch, -c or piped run "
				"does not fall back to the simulator: load iommufd (modprobe iommufd; "
				"a kernel with CONFIG_IOMMUFD) or say --backend sim\n");
			return NULL;
		}
		if (!strcmp(name, "sim") && !sh->quiet)
			fprintf(stderr, "iommush: /dev/iommu not found, using the simulator\n");
	}
	sh->backend = !strcmp(name, "sim-no-canwbs") ? "sim-no-canwbs" :
		      !strcmp(name, "sim") ? "sim" : "kernel";
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
	err = err > 0 ? err : -err;
	if (!be && (err == EACCES || err == EPERM))
		fprintf(stderr, "iommush: cannot use the kernel backend: /dev/iommu: %s: run as "
			"root, or give this user read-write access to /dev/iommu (a udev rule: "
			"KERNEL==\"iommu\", GROUP=\"GROUP\", MODE=\"0660\"); the VFIO cdevs need "
			"the same\n", strerror(err));
	else if (!be)
		fprintf(stderr, "iommush: cannot use the kernel backend: /dev/iommu: %s\n",
			strerror(err));
	return be;
}

static void on_signal(int sig)
{
	if (sig != SIGINT)
		sh_terminate = 1;
	sh_interrupted = 1;
}

/*
 * No SA_RESTART: a waiting poll() or nanosleep() returns EINTR and the command ends. SIGINT
 * ends the command (and a batch); SIGTERM and SIGHUP end the session, both after the
 * reverse-order teardown. SIGPIPE is ignored: a closed stdout shows as a write error, which
 * stops the session quietly.
 */
static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * --complete WORDS...: what TAB would offer for the last word (maybe ""), one a line, from
 * the command table, for the shell's own completion of an iommush command line. No session:
 * ids and names that exist only in one are not offered. A lone word starting with '-'
 * completes the options.
 */
static int complete_words(struct shell *sh, int argc, char **argv)
{
	static const char *const options[] = {
		"--backend", "--batch", "--command", "--complete", "--dry-run", "--echo", "--force",
		"--help", "--json", "--list-commands", "--pretty", "--quiet", "--trace", "--version",
		NULL,
	};
	struct sh_cands cands;
	size_t len = 2, o = 0, i;
	char *line, *q, *partial;
	int k;

	if (argc == 1 && argv[0][0] == '-') {
		for (i = 0; options[i]; i++)
			if (!strncmp(options[i], argv[0], strlen(argv[0])))
				puts(options[i]);
		return 0;
	}
	for (k = 0; k < argc; k++)
		len += 2 * strlen(argv[k]) + 4;
	line = malloc(len);
	q = malloc(len);
	if (!line || !q) {
		free(line);
		free(q);
		return SH_EXIT_SETUP;
	}
	line[0] = '\0';
	for (k = 0; k < argc; k++) {
		/* the words before the cursor quoted as typed; the one being completed raw */
		if (k < argc - 1)
			sh_quote_word(argv[k], q, len);
		o += (size_t)snprintf(line + o, len - o, "%s%s", k ? " " : "",
				      k < argc - 1 ? q : argv[k]);
	}
	if (!argc)
		line[0] = '\0';
	if (sh_complete(sh, line, &cands, &partial) < 0) {
		free(line);
		free(q);
		return SH_EXIT_SETUP;
	}
	for (i = 0; i < cands.n; i++)
		puts(cands.v[i]);
	sh_cands_free(&cands);
	free(partial);
	free(line);
	free(q);
	return 0;
}

/* one command given as words: quoted back into one line, so it runs as typed */
static int run_argv(struct shell *sh, int argc, char **argv)
{
	size_t len = 1, o = 0;
	char *line, *q;
	int i, rc;

	for (i = 0; i < argc; i++)
		len += 2 * strlen(argv[i]) + 4;
	line = malloc(len);
	q = malloc(len);
	if (!line || !q) {
		free(line);
		free(q);
		fprintf(stderr, "iommush: %s\n", strerror(ENOMEM));
		return SH_EXIT_SETUP;
	}
	for (i = 0; i < argc; i++) {
		sh_quote_word(argv[i], q, len);
		o += (size_t)snprintf(line + o, len - o, "%s%s", i ? " " : "", q);
	}
	rc = sh_run_line(sh, line);
	free(q);
	free(line);
	return rc;
}

static int run(struct shell *sh, const struct opts *o, FILE *batch)
{
	FILE *fp;
	int rc, first;

	if (o->cmd_argc)
		return run_argv(sh, o->cmd_argc, o->cmd_argv);
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
	if (batch)
		return sh_run_stream(sh, batch, batch == stdin ? "stdin" : o->batch);
	if (!sh->interactive)
		return sh_run_file(sh, NULL, "stdin");
	return sh_repl(sh);
}

int main(int argc, char **argv)
{
	struct shell sh = { 0 };
	struct opts o = { 0 };
	struct ish_backend *be;
	FILE *batch = NULL;
	char why[160];
	int rc, err;

	if (argc > 1 && !strcmp(argv[1], "record"))
		return sh_main_record(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "reduce"))
		return sh_main_reduce(argc - 1, argv + 1);
	if (parse_opts(&sh, &o, argc, argv) < 0)
		return SH_EXIT_USAGE;
	if (o.version) {
		version(&o);
		return 0;
	}
	if (o.list) {
		sh_list_commands(stdout);
		return 0;
	}
	if (o.complete)
		return complete_words(&sh, o.cmd_argc, o.cmd_argv);
	sh.interactive = (o.step || (!o.batch && !o.command && !o.cmd_argc)) &&
			 isatty(STDIN_FILENO);
	/* a batch source is checked before anything is opened: a directory is no script */
	if (o.step && o.batch && access(o.batch, R_OK) < 0) {
		fprintf(stderr, "iommush: cannot read %s: %s\n", o.batch, strerror(errno));
		return SH_EXIT_SETUP;
	} else if (o.step) {
		/* stepping opens the file itself (sh_step_open) */
	} else if (o.batch && strcmp(o.batch, "-")) {
		batch = sh_batch_open(o.batch, why, sizeof(why), &err);
		if (!batch) {
			fputs("iommush: cannot read ", stderr);
			sh_fput_text(stderr, o.batch, false);
			fprintf(stderr, ": %s\n", why);
			return SH_EXIT_SETUP;
		}
	} else if (!o.command && !o.cmd_argc && !sh.interactive) {
		if (sh_batch_check(STDIN_FILENO, why, sizeof(why)) < 0) {
			fprintf(stderr, "iommush: cannot read stdin: %s\n", why);
			return SH_EXIT_SETUP;
		}
		batch = stdin;
	}
	if (o.check && !o.backend && access("/dev/iommu", F_OK) < 0) {
		/* a host check judges this host: no simulator standing in, no iommufd to use */
		rc = sh_run_line(&sh, "check");
		sh_vars_free(&sh);
		return rc;
	}
	be = open_backend(&sh, o.backend);
	if (!be) {
		if (batch && batch != stdin)
			fclose(batch);
		return SH_EXIT_SETUP;
	}
	rc = ish_ctx_new(be, &sh.ctx);
	if (rc < 0) {
		fprintf(stderr, "iommush: cannot open the iommufd: %s\n", strerror(-rc));
		if (be->ops->free)
			be->ops->free(be);
		if (batch && batch != stdin)
			fclose(batch);
		return SH_EXIT_SETUP;
	}
	/* only when something needs it: the core copies every call's struct for a hook */
	sh_trace_update(&sh);
	if (o.trace_script && ish_record_to(sh.ctx, stderr) < 0)
		fprintf(stderr, "iommush: --trace=script: IOMMUSH_RECORD records this session already\n");
	ish_set_dry_run(sh.ctx, sh.dry_run);
	catch_signals();
	if (sh.fail_nth)
		ish_fail_nth(sh.ctx, sh.fail_nth, sh.fail_err);
	rc = run(&sh, &o, batch);
	if (batch && batch != stdin)
		fclose(batch);
	/* reverse order of everything made: VMM front ends, vSMMUs, objects, devices, iommufd */
	sh_groups_fini();
	if (sh.check_teardown) {
		int crc = sh_check_teardown(&sh);

		if (crc && !rc)
			rc = crc;
	}
	ish_ctx_free(sh.ctx);
	sh_vars_free(&sh);
	sh_step_close(&sh);
	return rc;
}
