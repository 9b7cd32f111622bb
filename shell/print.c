// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The print layer: each call site names a JSON key and a text format, so a handler writes
 * both outputs from one place. In JSON mode every command makes exactly one object, kept in
 * memory until the command succeeded (a failure prints {"error":...} instead).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "shell.h"

/*
 * Each command's output is flushed when it ends, so that it comes before the next command's
 * error on stderr and a reader of a pipe or terminal sees it at once; a write a line was most
 * of a batch's cost. Only where no one can see the order (stdout /dev/null, or a regular file
 * that is not the one stderr goes to) does stdio's buffer keep it until it is full or exit.
 */
int sh_pr_flush_each = -1;

static bool flush_each(void)
{
	int each = sh_pr_flush_each;
	struct stat o, e;

	if (each < 0) {
		each = 1;
		if (fstat(STDOUT_FILENO, &o) == 0 && S_ISCHR(o.st_mode) &&
		    o.st_rdev == makedev(1, 3))
			each = 0;	/* /dev/null */
		else if (fstat(STDOUT_FILENO, &o) == 0 && S_ISREG(o.st_mode))
			each = fstat(STDERR_FILENO, &e) == 0 && e.st_dev == o.st_dev &&
			       e.st_ino == o.st_ino;
	}
	sh_pr_flush_each = each;
	return each;
}

bool pr_json(const struct shell *sh)
{
	return sh->json;
}

static bool text_on(const struct shell *sh, enum sh_pr m)
{
	return !sh->json && m != PR_JSON;
}

static bool json_on(const struct shell *sh, enum sh_pr m)
{
	return sh->json && m != PR_TEXT && sh->out.fp;
}

static void indent(struct shell *sh)
{
	int i;

	if (!sh->pretty)
		return;
	fputc('\n', sh->out.fp);
	for (i = 0; i < sh->out.depth; i++)
		fputs("  ", sh->out.fp);
}

/*
 * The length of the valid UTF-8 sequence at @s (1..4), 0 when the bytes there are not one:
 * no overlong form, no surrogate, nothing above U+10FFFF (RFC 3629).
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* a C1 control (U+0080..U+009F) as UTF-8: terminals act on these like on ESC [ */
static bool utf8_c1(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

void sh_fput_text(FILE *fp, const char *str, bool keep_nl)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (s && *s) {
		n = utf8_len(s);
		if (n == 1 && (*s >= 0x20 || (keep_nl && (*s == '\n' || *s == '\t'))) && *s != 0x7f) {
			fputc(*s, fp);
		} else if (n > 1 && !utf8_c1(s, n)) {
			fwrite(s, 1, n, fp);
		} else {
			/* a control, or a byte that starts no UTF-8 character: one byte, escaped */
			if (n == 0)
				n = 1;
			while (n--)
				fprintf(fp, "\\x%02x", *s++);
			continue;
		}
		s += n;
	}
}

char *sh_escape_text(const char *s, bool keep_nl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	sh_fput_text(fp, s, keep_nl);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}


static void json_string(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', fp);
	while (s && *s) {
		unsigned char ch = *s;

		n = utf8_len(s);
		if (n == 0) {
			fputs("\xef\xbf\xbd", fp);	/* U+FFFD for a byte that is not UTF-8 */
			s++;
			continue;
		}
		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", fp);
		else if (ch == '\t')
			fputs("\\t", fp);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(fp, "\\u%04x", ch);
		else if (utf8_c1(s, n))
			fprintf(fp, "\\u%04x", s[1]);
		else
			fwrite(s, 1, n, fp);
		s += n;
	}
	fputc('"', fp);
}

/* the separator and key before a value at the current level */
static void member(struct shell *sh, const char *key)
{
	int d = sh->out.depth > SH_JDEPTH ? SH_JDEPTH : sh->out.depth;
	struct sh_jlevel *lv = &sh->out.lv[d - 1];

	if (!lv->first)
		fputc(',', sh->out.fp);
	lv->first = false;
	indent(sh);
	if (!lv->array && key) {
		json_string(sh->out.fp, key);
		fputs(sh->pretty ? ": " : ":", sh->out.fp);
	}
}

static void push(struct shell *sh, bool array)
{
	fputc(array ? '[' : '{', sh->out.fp);
	if (sh->out.depth < SH_JDEPTH) {
		sh->out.lv[sh->out.depth].array = array;
		sh->out.lv[sh->out.depth].first = true;
	}
	sh->out.depth++;
}

static void pop(struct shell *sh, bool array)
{
	bool empty = sh->out.depth <= SH_JDEPTH && sh->out.lv[sh->out.depth - 1].first;

	sh->out.depth--;
	if (!empty)
		indent(sh);
	fputc(array ? ']' : '}', sh->out.fp);
}

void pr_begin(struct shell *sh)
{
	if (sh->out.active)
		return;
	sh->out.active = true;
	if (!sh->json) {
		sh->out.fp = stdout;
		return;
	}
	sh->out.buf = NULL;
	sh->out.len = 0;
	sh->out.depth = 0;
	sh->out.fp = open_memstream(&sh->out.buf, &sh->out.len);
	if (sh->out.fp)
		push(sh, false);
}

void pr_end(struct shell *sh, bool ok)
{
	if (!sh->out.active)
		return;
	sh->out.active = false;
	if (!sh->json) {
		if (flush_each())
			fflush(stdout);
		return;
	}
	if (sh->out.fp) {
		while (sh->out.depth > 0)
			pop(sh, sh->out.depth <= SH_JDEPTH && sh->out.lv[sh->out.depth - 1].array);
		fclose(sh->out.fp);
		sh->out.fp = NULL;
		if (ok && sh->out.buf)
			printf("%s\n", sh->out.buf);
	}
	free(sh->out.buf);
	sh->out.buf = NULL;
	if (flush_each())
		fflush(stdout);
}

/*
 * Most formats are one %s or %llu between literal text ("ioas %llu\n"): those are written
 * without printf's parser, byte for byte what printf would write. false: not such a format.
 */
static bool text_simple(const char *fmt, const char *conv, const char *val)
{
	const char *pct, *p, *rest;
	size_t n;

	for (pct = fmt; *pct && *pct != '%'; pct++)
		;
	if (!*pct)
		return false;
	for (n = 0; conv[n] && pct[n] == conv[n]; n++)
		;
	if (conv[n])
		return false;
	rest = pct + n;
	for (p = rest; *p; p++)
		if (*p == '%')
			return false;
	/* short strings, straight into stdio's buffer (the REPL and batch are one thread) */
	for (p = fmt; p < pct; p++)
		putc_unlocked(*p, stdout);
	for (p = val; *p; p++)
		putc_unlocked(*p, stdout);
	for (p = rest; *p; p++)
		putc_unlocked(*p, stdout);
	return true;
}

static const char *u64_dec(uint64_t v, char buf[24])
{
	char *p = buf + 23;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

static void text(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

void pr_u64(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, uint64_t v)
{
	char dec[24];

	if (text_on(sh, m) && fmt && !text_simple(fmt, "%llu", u64_dec(v, dec)))
		text(fmt, (unsigned long long)v);
	if (json_on(sh, m)) {
		member(sh, key);
		fprintf(sh->out.fp, "%llu", (unsigned long long)v);
	}
}

void pr_int(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, long long v)
{
	if (text_on(sh, m) && fmt)
		text(fmt, v);
	if (json_on(sh, m)) {
		member(sh, key);
		fprintf(sh->out.fp, "%lld", v);
	}
}

void pr_hex(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, uint64_t v)
{
	if (text_on(sh, m) && fmt)
		text(fmt, (unsigned long long)v);
	if (json_on(sh, m)) {
		member(sh, key);
		fprintf(sh->out.fp, "\"0x%llx\"", (unsigned long long)v);
	}
}

/* every byte a printable ASCII character: nothing to escape, nothing to validate */
static bool plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

void pr_str(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, const char *s)
{
	if (text_on(sh, m) && fmt) {
		const char *v = s ? s : "";

		/* plain printable ASCII goes straight out; anything else is escaped first */
		if (!plain_ascii(v)) {
			char *esc = sh_escape_text(v, false);

			text(fmt, esc ? esc : "?");
			free(esc);
		} else if (!text_simple(fmt, "%s", v)) {
			text(fmt, v);
		}
	}
	if (json_on(sh, m)) {
		member(sh, key);
		if (s)
			json_string(sh->out.fp, s);
		else
			fputs("null", sh->out.fp);	/* none */
	}
}

void pr_bool(struct shell *sh, enum sh_pr m, const char *key, const char *fmt, bool v)
{
	if (text_on(sh, m) && fmt && v)
		text(fmt);
	if (json_on(sh, m)) {
		member(sh, key);
		fputs(v ? "true" : "false", sh->out.fp);
	}
}

#pragma GCC diagnostic pop

void pr_null(struct shell *sh, const char *key)
{
	if (json_on(sh, PR_JSON)) {
		member(sh, key);
		fputs("null", sh->out.fp);
	}
}

void pr_obj_open(struct shell *sh, const char *key)
{
	if (json_on(sh, PR_JSON)) {
		member(sh, key);
		push(sh, false);
	}
}

void pr_obj_close(struct shell *sh)
{
	if (json_on(sh, PR_JSON) && sh->out.depth > 1)
		pop(sh, false);
}

void pr_arr_open(struct shell *sh, const char *key)
{
	if (json_on(sh, PR_JSON)) {
		member(sh, key);
		push(sh, true);
	}
}

void pr_arr_close(struct shell *sh)
{
	if (json_on(sh, PR_JSON) && sh->out.depth > 1)
		pop(sh, true);
}

/* the nesting of the JSON value being printed, and back to it (closing what is open) */
int pr_depth(const struct shell *sh)
{
	return sh->out.depth;
}

void pr_close_to(struct shell *sh, int depth)
{
	if (!json_on(sh, PR_JSON))
		return;
	while (sh->out.depth > depth && sh->out.depth > 1)
		pop(sh, sh->out.depth <= SH_JDEPTH && sh->out.lv[sh->out.depth - 1].array);
}

void pr_nl(struct shell *sh)
{
	if (!sh->json)
		fputc('\n', stdout);
}

void pr_text(struct shell *sh, const char *fmt, ...)
{
	char *buf = NULL;
	va_list ap;
	int n;

	if (sh->json)
		return;
	va_start(ap, fmt);
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sh_fput_text(stdout, buf, true);
	free(buf);
}

/*
 * {"error":{...}}: the same keys for every failure (iommush-json(7)); "command" is null for a
 * line that failed before naming one, "errno" for a usage or shell-level failure, "file" and
 * "line" outside a batch file.
 */
void pr_error_json(struct shell *sh, const char *cmd, int err, const char *msg)
{
	const char *sep = sh->pretty ? ",\n    \"" : ",\"", *colon = sh->pretty ? "\": " : "\":";
	FILE *fp = stdout;

	fputs(sh->pretty ? "{\n  \"error\": {\n    \"command\": " : "{\"error\":{\"command\":", fp);
	if (cmd && *cmd)
		json_string(fp, cmd);
	else
		fputs("null", fp);
	fprintf(fp, "%serrno%s", sep, colon);
	if (err > 0 && err < SH_EUSAGE)
		json_string(fp, sh_errno_name(err));
	else
		fputs("null", fp);
	fprintf(fp, "%susage%s%s", sep, colon, err == SH_EUSAGE ? "true" : "false");
	fprintf(fp, "%smessage%s", sep, colon);
	json_string(fp, msg);
	fprintf(fp, "%sfile%s", sep, colon);
	if (sh->file)
		json_string(fp, sh->file);
	else
		fputs("null", fp);
	fprintf(fp, "%sline%s", sep, colon);
	if (sh->file)
		fprintf(fp, "%u", sh->line);
	else
		fputs("null", fp);
	fprintf(fp, "%signored%s%s", sep, colon, sh->err_ignored ? "true" : "false");
	fputs(sh->pretty ? "\n  }\n}\n" : "}}\n", fp);
	fflush(fp);
}

void pr_json_local_begin(struct shell *sh)
{
	if (sh->json)
		return;
	fflush(stdout);
	sh->json = true;
	sh->out.active = false;
	pr_begin(sh);
	sh->out.local = true;
}

void pr_json_local_end(struct shell *sh)
{
	if (!sh->out.local)
		return;
	pr_end(sh, true);
	sh->out.local = false;
	sh->json = false;
	/* the caller's text output goes on */
	sh->out.active = true;
	sh->out.fp = stdout;
}
