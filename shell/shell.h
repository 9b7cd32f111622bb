/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell: one command table (cmds/) drives parsing, help, completion and
 * --list-commands; handlers parse typed arguments, make one core call and print through
 * the print layer, which writes text or JSON from the same call.
 */
#ifndef ISH_SHELL_H
#define ISH_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "iommush/iommush.h"

/* Handler results besides 0 and -errno. */
#define SH_EUSAGE 4096	/* the command line is wrong (exit code 2) */
#define SH_EFAIL 4097	/* failed, and no errno describes it */
#define SH_EQUIET 4098	/* failed, already reported (source); status in sh->quiet_status */

/* Exit codes. */
#define SH_EXIT_OK 0
#define SH_EXIT_FAIL 1
#define SH_EXIT_USAGE 2
#define SH_EXIT_SETUP 3
#define SH_EXIT_INTR 130

/* ---- the command table ------------------------------------------------------------------ */

enum sh_kind {
	SH_POS,		/* positional value */
	SH_KW,		/* keyword followed by one value (two with SH_TWO) */
	SH_FLAG,	/* bare keyword */
	SH_REST,	/* everything left (or, for field lists, every NAME=VALUE word) */
};

enum sh_type {
	SH_T_WORD,	/* any string */
	SH_T_U32,
	SH_T_U64,
	SH_T_SIZE,	/* number with an optional K, M, G suffix */
	SH_T_CHOICE,	/* one of .choices */
	SH_T_ID,	/* any object id */
	SH_T_IOAS,
	SH_T_HWPT,
	SH_T_PT,	/* what a device attaches to: IOAS or HWPT */
	SH_T_PARENT,	/* what a HWPT is allocated on: IOAS, HWPT or vIOMMU */
	SH_T_VIOMMU,
	SH_T_VEVENTQ,
	SH_T_DEV,	/* a bound device: id, BDF or cdev */
	SH_T_DEV_ON_VSMMU,	/* a device set on the vSMMU named by the first positional */
	SH_T_DEV_FREE,	/* a device set on no vSMMU */
	SH_T_BDF,	/* a PCI function */
	SH_T_VFIO,	/* something to bind: BDF or cdev path */
	SH_T_VSMMU,
	SH_T_MEM,
	SH_T_ERRNO,	/* EINVAL or 22 */
	SH_T_FILE,
	SH_T_GROUP,
	SH_T_VERB,	/* a verb of the group given in the previous word */
	SH_T_EVENT,	/* event name or number */
	SH_T_REGION,	/* bar0..bar5, rom, config, vga or an index */
	SH_T_STE_FIELDS,
	SH_T_EVT_FIELDS,
	SH_T_IDR_FIELDS,	/* SMMU_IDRn fields by name: sidsize=16 ril=0 */
	SH_T_CMDS,	/* CMDQ commands: NAME [FIELD=VALUE...] | raw W0 W1, separated by "," */
	SH_T_COMMAND,	/* a whole command line */
	SH_T_WORDS,
	SH_T_VMM,		/* a VMM front end of the vmm group, by name */
	SH_T_VMM_REG,		/* an SMMUv3 register by name: cr0, gbpa, cmdq_prod... */
	SH_T_REG_FIELDS,	/* FIELD=VALUE words of the register named before them */
};

#define SH_OPT	0x1	/* may be left out */
#define SH_TWO	0x2	/* keyword with two values */
#define SH_ENDS_KW 0x4	/* a positional: once given, no keyword may follow, only the rest */

struct sh_cands;

struct sh_arg {
	const char *name;	/* keyword, or the metavariable of a positional ("IOAS") */
	enum sh_kind kind;
	enum sh_type type;
	unsigned int flags;
	const char *const *choices;	/* SH_T_CHOICE, NULL terminated */
	const char *help;
	/* the candidates of a type cmds/ owns (a VMM front end's name); NULL: the shell's own */
	void (*complete)(struct sh_cands *c, int n, char **w);
};

struct shell;
struct sh_call;

#define SH_CMD_SIM	0x1	/* only with the simulator backend */
#define SH_CMD_HIDDEN	0x2	/* not listed (test helpers) */
#define SH_CMD_OWN_OUTPUT 0x4	/* runs other lines that print their own values (source) */

struct sh_cmd {
	const char *verb;	/* may be two words ("device add"); NULL: the group is the command */
	const char *usage;	/* the arguments after the command words */
	const char *summary;
	const struct sh_arg *args;	/* name NULL terminated; NULL for none */
	int (*fn)(struct shell *sh, const struct sh_call *c);
	unsigned int flags;
};

struct sh_group {
	const char *name;
	const char *summary;
	const char *man;		/* its page, NULL: iommush(8) */
	const struct sh_cmd *cmds;	/* fn NULL terminated */
	void (*fini)(void);		/* at exit, before the context: what its commands hold */
};

/* every group, in help order; NULL terminated (cmds/groups.c: the shell knows no group) */
#define SH_GROUPS_MAX 255	/* shell/table.c chains them in bytes */
extern const struct sh_group *const sh_groups[];
/* every group's fini, in reverse table order */
void sh_groups_fini(void);

const struct sh_group *sh_group_find(const char *name);
/*
 * What the user typed, as ip and gdb take it: the exact name, else a unique prefix ("vs" for
 * vsmmu, "dev b" for device bind). An ambiguous prefix is a usage error listing the
 * candidates; an unknown word suggests the nearest name. sh_cmd_resolve returns -ENOENT,
 * with no message, when the group has no verbs or none matches nor comes close.
 */
int sh_group_resolve(struct shell *sh, const char *word, const struct sh_group **out);
/* the same without a word: exact or unique prefix, else NULL (for completion) */
const struct sh_group *sh_group_lookup(const char *word);
int sh_cmd_resolve(struct shell *sh, const struct sh_group *g, int argc, char *const *argv,
		   const struct sh_cmd **out, int *nwords);
/* the command that @argv names; *nwords = how many words named it */
const struct sh_cmd *sh_cmd_find(const struct sh_group *g, int argc, char *const *argv,
				 int *nwords);
/* "ioas map" */
void sh_cmd_name(const struct sh_group *g, const struct sh_cmd *c, char *buf, size_t len);

/* ---- a parsed call ----------------------------------------------------------------------- */

#define SH_MAX_ARGS 16	/* at most 32: struct sh_walk keeps a bit a slot */

struct sh_val {
	const char *str;
	uint64_t num;
};

struct sh_slot {
	bool set;
	struct sh_val v[2];
};

struct sh_call {
	const struct sh_group *group;
	const struct sh_cmd *cmd;
	struct sh_slot slot[SH_MAX_ARGS];
	int nrest;
	char **rest;
};

/* the one walk of a command's spec over the words typed (spec.h): parser and completion */
enum sh_role {
	SH_ROLE_KW,		/* a keyword or flag of the spec (its values follow) */
	SH_ROLE_KW_AGAIN,	/* a keyword given before */
	SH_ROLE_POS,		/* the next positional */
	SH_ROLE_FIELD,		/* a NAME=VALUE word of a fields rest */
	SH_ROLE_REST,		/* a word of a plain rest (every word from the first on) */
	SH_ROLE_NONE,		/* no argument of the spec */
};

struct sh_walk {
	const struct sh_cmd *cmd;
	int len;		/* the spec's arguments */
	int rest;		/* the rest's slot, -1 */
	int pos;		/* where the next positional is looked for */
	bool in_rest;
	bool fields;		/* the rest is NAME=VALUE words, which may sit anywhere */
	unsigned int used;	/* bit k: slot k was given */
};

static inline bool sh_walk_used(const struct sh_walk *w, int k)
{
	return w->used >> k & 1;
}

/* parse @argv (the words after the command words) against the command's spec */
int sh_parse(struct shell *sh, const struct sh_group *g, const struct sh_cmd *cmd, int argc,
	     char **argv, struct sh_call *c);
void sh_call_release(struct sh_call *c);

bool sh_has(const struct sh_call *c, const char *name);
const char *sh_str(const struct sh_call *c, const char *name);
uint64_t sh_num(const struct sh_call *c, const char *name, uint64_t dflt);
const char *sh_str2(const struct sh_call *c, const char *name, unsigned int i);
uint64_t sh_num2(const struct sh_call *c, const char *name, unsigned int i);

/* conversions shared by the parser and the handlers; false when @s is not one */
bool sh_parse_u64(const char *s, uint64_t *v);
bool sh_parse_size(const char *s, uint64_t *v);
int sh_errno_parse(const char *s);	/* errno value, or -1 */
const char *sh_errno_name(int err);	/* "EINVAL", or "E?" */
int sh_region_parse(const char *s);	/* region index, or -1 */
const char *sh_region_name(unsigned int index);

/* ---- the shell state ----------------------------------------------------------------------- */

struct sh_var {
	char *name, *value;
	struct sh_var *next;
};

struct sh_jlevel {
	bool array;
	bool first;
};

#define SH_JDEPTH 16

struct sh_out {
	FILE *fp;		/* where text or JSON of the current command goes */
	char *buf;		/* JSON: the command's value is kept until it succeeded */
	size_t len;
	int depth;
	struct sh_jlevel lv[SH_JDEPTH];
	bool active;		/* inside a command */
	bool local;		/* JSON for this command only (show -j) */
};

struct shell {
	struct ish_ctx *ctx;
	bool sim;
	bool interactive;	/* REPL: errors never end the session, no FILE:LINE */
	bool quiet;		/* -q: no notices */
	bool json, pretty, echo, force, trace, dry_run;

	const char *file;	/* batch file for error locations, NULL for none */
	unsigned int line;
	int source_depth;

	struct sh_var *vars;
	struct sh_var *result;	/* $_ in vars, once set: every allocating command sets it */
	unsigned long nresults;	/* how many times $_ was set, for let */
	int last_status;

	/* the failure of the command that just ran */
	char errcmd[64];	/* read through sh_errcmd() */
	/* the command errcmd names, spelt out only when something reads it */
	const struct sh_group *errcmd_group;
	const struct sh_cmd *errcmd_cmd;
	char errmsg[512];
	int quiet_status;
	bool err_ignored;	/* the failing line has the '-' prefix (JSON "ignored") */

	struct sh_out out;
	bool quit;

	const char *backend;	/* "kernel", "sim" or "sim-no-canwbs": named by show, the prompt */
	bool output_lost;	/* stdout or stderr could not be written (a closed pipe): stop */
	/* --fail-nth N:ERRNO, --check-teardown */
	unsigned long fail_nth;
	int fail_err;
	bool fail_seen;
	bool check_teardown;
	unsigned long ncalls;	/* backend calls that can fail (close cannot), for --fail-nth */
	bool no_wait;		/* --no-wait: sleep and wait return at once (simulator tests) */
	/* stepping through a batch file (--until, --step; next, continue): cmds/step.c */
	FILE *step_fp;
	char *step_file;
	unsigned int step_line;	/* lines of it read so far */
	bool replay;		/* set replay on (recordings): let says when ids differ */
};

extern volatile sig_atomic_t sh_interrupted;
/* SIGTERM or SIGHUP came: the session ends (reverse-order teardown, exit 130) */
extern volatile sig_atomic_t sh_terminate;

/* ---- errors -------------------------------------------------------------------------------- */

/* the command a failure names ("ioas map"), "" for none */
const char *sh_errcmd(struct shell *sh);
static inline void sh_errcmd_clear(struct shell *sh)
{
	sh->errcmd[0] = '\0';
	sh->errcmd_cmd = NULL;
}

/* leave a message for a failure and return -err (err may be SH_EUSAGE or SH_EFAIL) */
__attribute__((format(printf, 3, 4)))
int sh_fail(struct shell *sh, int err, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
int sh_usage(struct shell *sh, const char *fmt, ...);
/* the message for a failure of @rc: the handler's, else the core's, else strerror */
const char *sh_errtext(struct shell *sh, int rc);
/* print the failure of @rc on stderr (and as {"error":..} in JSON mode) */
void sh_report(struct shell *sh, int rc);

/* ---- running commands -------------------------------------------------------------------- */

/* run one command given as words (expanded); nested calls (let, expect-error) share the output */
int sh_exec(struct shell *sh, int argc, char **argv);
/* run a line (maybe several commands separated by ';'): the exit status of it */
int sh_run_line(struct shell *sh, const char *line);
/* run a batch file (NULL path = stdin): 0 or the status of the first failure */
int sh_run_file(struct shell *sh, const char *path, const char *label);
bool sh_line_continues(char *line);
int sh_run_stream(struct shell *sh, FILE *fp, const char *label);
/* the REPL */
int sh_repl(struct shell *sh);

/* ---- input (shell/input.c) ----------------------------------------------------------------- */

/* a line (continuations joined) holds at most this many bytes; a batch source at most this */
#define SH_LINE_MAX 65536
#define SH_BATCH_MAX 16777216
#define SH_STR_(x) #x
#define SH_STR(x) SH_STR_(x)

struct sh_reader {
	FILE *fp;
	char *buf;
	size_t cap;
	unsigned long long total;	/* bytes read so far */
};

/* a batch source is a regular file (up to SH_BATCH_MAX), a FIFO, a terminal or /dev/null */
int sh_batch_check(int fd, char *why, size_t whylen);
/* fopen + sh_batch_check: NULL with *err = -errno and the reason in @why */
FILE *sh_batch_open(const char *path, char *why, size_t whylen, int *err);
void sh_reader_init(struct sh_reader *r, FILE *fp);
void sh_reader_free(struct sh_reader *r);
int sh_read_line(struct sh_reader *r, size_t *len);
/* the reason of a sh_read_line() error */
const char *sh_read_error(int err);

/* status for a handler result */
int sh_status(int rc);

/* ---- variables ------------------------------------------------------------------------------ */

const char *sh_var_get(struct shell *sh, const char *name);
int sh_var_set(struct shell *sh, const char *name, const char *value);
bool sh_var_name_ok(const char *name);
void sh_vars_free(struct shell *sh);
/* what an allocating command made: sets $_ */
__attribute__((format(printf, 2, 3)))
void sh_set_result(struct shell *sh, const char *fmt, ...);
void sh_set_result_str(struct shell *sh, const char *value);

/* ---- tokenizer ---------------------------------------------------------------------------- */

struct sh_seg {
	int argc;
	char **argv;
	bool *expand;	/* the word was an unquoted $NAME */
	bool ignore;	/* '-' prefix: its error does not count */
	char *values;	/* the values $NAME words were replaced by (exec.c): NULL, values_in
			   or the heap */
	char values_in[48];
};

/*
 * The words of a line, NUL separated in one buffer, and every segment's argv in one array:
 * a typical line fits the inline space and costs no allocation at all. Tokens point into
 * themselves: they stay where sh_tokenize() filled them.
 */
#define SH_TOK_CHARS 256
#define SH_TOK_WORDS 32
#define SH_TOK_SEGS 4
struct sh_tokens {
	int nseg;
	struct sh_seg *seg;
	/* partial mode (completion): the last word is open when the text ends inside it */
	bool open_word;
	char quote;	/* the quote left open, 0 if none */
	bool in_comment;
	char *words;		/* the words: chars_in or the heap */
	char **vec;		/* the argv arrays, NULL after each: vec_in or the heap */
	bool *expv;
	char chars_in[SH_TOK_CHARS];
	char *vec_in[SH_TOK_WORDS];
	bool expv_in[SH_TOK_WORDS];
	struct sh_seg seg_in[SH_TOK_SEGS];
};

/* split @text; @partial: the text ends at the cursor (no error for an open quote) */
int sh_tokenize(const char *text, bool partial, struct sh_tokens *t, char *err, size_t errlen);
void sh_tokens_free(struct sh_tokens *t);
/* quote a word for echo or completion when it needs it */
void sh_quote_word(const char *w, char *buf, size_t len);

/* ---- completion --------------------------------------------------------------------------- */

struct sh_cands {
	char **v;
	size_t n, cap;
	const char *prefix;	/* only words starting with it are kept */
};

/* candidates for the word that ends at the end of @line */
int sh_complete(struct shell *sh, const char *line, struct sh_cands *out, char **partial);
void sh_cands_add(struct sh_cands *c, const char *s);
void sh_cands_free(struct sh_cands *c);

/* ---- help ------------------------------------------------------------------------------------ */

int sh_help(struct shell *sh, const char *group, const char *verb);
void sh_list_commands(FILE *fp);

/* ---- print layer: text or JSON from the same call ------------------------------------------ */

enum sh_pr { PR_ANY, PR_TEXT, PR_JSON };

void pr_begin(struct shell *sh);
void pr_end(struct shell *sh, bool ok);

void pr_u64(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, uint64_t v);
void pr_int(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, long long v);
/* JSON: a "0x..." string; @fmt gets an unsigned long long */
void pr_hex(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, uint64_t v);
void pr_str(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, const char *s);
/* text: @fmt only when @v (no conversion) */
void pr_bool(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, bool v);
void pr_null(struct shell *sh, const char *key);
void pr_obj_open(struct shell *sh, const char *key);
void pr_obj_close(struct shell *sh);
void pr_arr_open(struct shell *sh, const char *key);
void pr_arr_close(struct shell *sh);
void pr_nl(struct shell *sh);	/* text only */
int pr_depth(const struct shell *sh);
void pr_close_to(struct shell *sh, int depth);	/* close the objects and arrays above @depth */
__attribute__((format(printf, 2, 3)))
void pr_text(struct shell *sh, const char *fmt, ...);
/* the error object of a failed command (JSON mode) */
void pr_error_json(struct shell *sh, const char *cmd, int err, const char *msg);
bool pr_json(const struct shell *sh);
/* "show -j": this one command in JSON, whatever the mode */
void pr_json_local_begin(struct shell *sh);
void pr_json_local_end(struct shell *sh);

/* ---- helpers for handlers (shell/util.c) --------------------------------------------------- */

/* a bound device by id, BDF or cdev: -ENODEV with a message when none */
int sh_dev(struct shell *sh, const struct sh_call *c, const char *name, uint32_t *id);
struct ish_vsmmu;
int sh_vsmmu(struct shell *sh, const struct sh_call *c, const char *name, struct ish_vsmmu **vs);
int sh_mem(struct shell *sh, const struct sh_call *c, const char *name, struct ish_mem **m);
/* the RID a PCI address stands for: bus << 8 | dev << 3 | fn */
bool sh_bdf_rid(const char *bdf, uint32_t *rid);
/*
 * The core's call hook, installed only while something uses it (--trace or set trace, dry
 * run, --fail-nth, --check-teardown): without one the core copies nothing a call.
 */
void sh_trace_update(struct shell *sh);
/* print "TYPE ID" / {"id":ID,"type":TYPE} and set $_ */
void sh_print_new(struct shell *sh, const char *type, uint32_t id);
/* wait @ms milliseconds, -EINTR on SIGINT */
int sh_sleep_ms(struct shell *sh, uint64_t ms);

/* ---- fault injection of a whole script (shell/selfcheck.c) ---------------------------------- */

/* "5:ENOMEM" -> 5, ENOMEM; -EINVAL when malformed */
int sh_fail_nth_parse(const char *spec, unsigned long *n, int *err);
/* from the trace hook: name the armed call on stderr once it failed */
void sh_fail_nth_seen(struct shell *sh, const struct ish_call *call, long rc);
/* compare the registry with the simulator, tear down, check nothing is left: exit status */
int sh_check_teardown(struct shell *sh);

/* ---- output safety (shell/print.c) ----------------------------------------------------------- */

/*
 * Text output never carries raw control characters: C0 controls, DEL, C1 controls and bytes
 * that are not UTF-8 are written as \xHH (@keep_nl: newline and tab stay). JSON strings are
 * always valid UTF-8: bytes that are not are replaced by U+FFFD.
 */
void sh_fput_text(FILE *fp, const char *s, bool keep_nl);
/* the same into a new string (NULL when out of memory) */
char *sh_escape_text(const char *s, bool keep_nl);
/* true once stdout or stderr failed (EPIPE...): the session stops quietly */
bool pr_output_lost(struct shell *sh);
/* ---- record, reduce (shell/record.c), stepping (cmds/step.c) ---------------------------- */

int sh_main_record(int argc, char **argv);
int sh_main_reduce(int argc, char **argv);
/* open @path for next/continue; 0 or -errno */
int sh_step_open(struct shell *sh, const char *path);
/* run its commands up to line @until (all when 0 = every line): the status of the first failure */
int sh_step_run(struct shell *sh, unsigned int until, unsigned long count);
void sh_step_close(struct shell *sh);

#endif
