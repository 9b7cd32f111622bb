// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stepping through a batch file as gdb steps a program: iommush -b FILE --until N runs it up
 * to line N, then next runs one more command, continue the rest; any other command (show,
 * vars, mem dump...) can run in between.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"

int sh_step_open(struct shell *sh, const char *path)
{
	sh_step_close(sh);
	sh->step_fp = fopen(path, "r");
	if (!sh->step_fp)
		return -errno;
	sh->step_file = strdup(path);
	if (!sh->step_file) {
		sh_step_close(sh);
		return -ENOMEM;
	}
	sh->step_line = 0;
	return 0;
}

void sh_step_close(struct shell *sh)
{
	if (sh->step_fp)
		fclose(sh->step_fp);
	sh->step_fp = NULL;
	free(sh->step_file);
	sh->step_file = NULL;
}

/* the next logical line that holds a command; NULL at the end. *first = its line number */
static char *next_command(struct shell *sh, unsigned int *first)
{
	char *line = NULL, *more = NULL, *joined;
	size_t cap = 0, mcap = 0;

	for (;;) {
		if (getline(&line, &cap, sh->step_fp) < 0) {
			free(line);
			free(more);
			return NULL;
		}
		*first = ++sh->step_line;
		while (sh_line_continues(line)) {
			if (getline(&more, &mcap, sh->step_fp) < 0)
				break;
			sh->step_line++;
			if (asprintf(&joined, "%s %s", line, more) < 0)
				break;
			free(line);
			line = joined;
		}
		if (line[strspn(line, " \t")] && line[strspn(line, " \t")] != '#')
			break;
	}
	free(more);
	return line;
}

int sh_step_run(struct shell *sh, unsigned int until, unsigned long count)
{
	const char *saved_file = sh->file;
	unsigned int saved_line = sh->line, first, read_so_far;
	bool interactive = sh->interactive;
	int status = 0;
	long pos;
	char *line;

	while (sh->step_fp && !sh->quit && (count || until)) {
		pos = ftell(sh->step_fp);
		read_so_far = sh->step_line;
		line = next_command(sh, &first);
		if (!line) {
			fprintf(stderr, "%s: the end\n", sh->step_file);
			sh_step_close(sh);
			break;
		}
		if (until && first > until) {
			/* not yet: put it back for next */
			fseek(sh->step_fp, pos, SEEK_SET);
			sh->step_line = read_so_far;
			free(line);
			break;
		}
		fprintf(stderr, "%s:%u: %s\n", sh->step_file, first, line);
		sh->file = sh->step_file;
		sh->line = first;
		sh->interactive = false;	/* errors say FILE:LINE, as in a batch */
		status = sh_run_line(sh, line);
		sh->interactive = interactive;
		sh->file = saved_file;
		sh->line = saved_line;
		free(line);
		if (count)
			count--;
		if (status)
			break;
	}
	return status;
}

static int no_script(struct shell *sh)
{
	return sh_fail(sh, -SH_EFAIL, "no script is being stepped: start one with iommush -b FILE "
		       "--step (or --until LINE)");
}

static int cmd_next(struct shell *sh, const struct sh_call *c)
{
	int status;

	if (!sh->step_fp)
		return no_script(sh);
	status = sh_step_run(sh, 0, sh_num(c, "N", 1));
	if (!status)
		return 0;
	sh->quiet_status = status;
	return -SH_EQUIET;
}

static int cmd_continue(struct shell *sh, const struct sh_call *c)
{
	int status;

	(void)c;
	if (!sh->step_fp)
		return no_script(sh);
	status = sh_step_run(sh, 0, (unsigned long)-1);
	if (!status)
		return 0;
	sh->quiet_status = status;
	return -SH_EQUIET;
}

static const struct sh_arg next_args[] = {
	{ "N", SH_POS, SH_T_U64, SH_OPT, NULL, "how many commands (default 1)" },
	{ 0 }
};

const struct sh_group sh_group_next = {
	"next", "run the next command of the stepped script", "iommush-record(8)",
	(const struct sh_cmd[]) {
		{ NULL, "[N]", "Run the next N commands of the script given with --step or --until; "
		  "each is shown as FILE:LINE first.", next_args, cmd_next, SH_CMD_OWN_OUTPUT },
		{ 0 }
	}
};

const struct sh_group sh_group_continue = {
	"continue", "run the rest of the stepped script", "iommush-record(8)",
	(const struct sh_cmd[]) {
		{ NULL, "", "Run the rest of the script, stopping at its first failure.", NULL,
		  cmd_continue, SH_CMD_OWN_OUTPUT },
		{ 0 }
	}
};
