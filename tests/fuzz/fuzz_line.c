// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One line, as typed at the prompt: the tokenizer (whole and as a partial line, the way TAB
 * sees it), quoting every word and splitting it again gives back that word, the completion
 * of the line, then the line run by the shell on the simulator in JSON mode (one half of the
 * inputs) or text. What it wrote, stdout and stderr, must be valid UTF-8 with no raw control
 * character but newline (and tab in text): what a terminal or a JSON reader gets.
 */
#include <stdio.h>
#include <sys/mman.h>
#include "shellfx.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

/*
 * Each command's words, quoted by sh_quote_word() and joined by blanks (what -x echoes),
 * split into the same words again. A command whose first word starts with '-' is left out:
 * there the '-' is the ignore-errors mark, by design.
 */
static void quoting_round_trips(const struct sh_tokens *t)
{
	char q[512], err[128], *line;
	struct sh_tokens back;
	size_t len, o;
	int i, j;

	for (i = 0; i < t->nseg; i++) {
		const struct sh_seg *s = &t->seg[i];

		if (s->argc == 0 || s->argv[0][0] == '-')
			continue;
		for (j = 0, len = 1; j < s->argc; j++)
			len += 2 * strlen(s->argv[j]) + 4;
		line = malloc(len);
		if (!line)
			return;
		for (j = 0, o = 0; j < s->argc; j++) {
			if (strlen(s->argv[j]) > 200)
				goto next;
			sh_quote_word(s->argv[j], q, sizeof(q));
			o += (size_t)snprintf(line + o, len - o, "%s%s", j ? " " : "", q);
		}
		CHECK(sh_tokenize(line, false, &back, err, sizeof(err)) == 0);
		CHECK(back.nseg == 1 && back.seg[0].argc == s->argc);
		for (j = 0; j < s->argc; j++)
			CHECK(!strcmp(back.seg[0].argv[j], s->argv[j]));
		sh_tokens_free(&back);
next:
		free(line);
	}
}

/* the length of the UTF-8 sequence at @s (RFC 3629), 0 when invalid or a C1 control */
static size_t utf8_ok(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0xa0) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void output_is_clean(int fd, bool json)
{
	off_t len = lseek(fd, 0, SEEK_END);
	unsigned char *buf;
	size_t i, n;

	if (len <= 0)
		return;
	buf = malloc((size_t)len);
	CHECK(buf && pread(fd, buf, (size_t)len, 0) == len);
	for (i = 0; i < (size_t)len; i += n) {
		n = utf8_ok(buf + i, (size_t)len - i);
		CHECK(n > 0);
		if (n == 1)
			CHECK(buf[i] >= 0x20 ? buf[i] != 0x7f :
			      buf[i] == '\n' || (!json && buf[i] == '\t'));
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_tokens t;
	struct sh_cands c;
	struct shell sh;
	char err[128], *line, *partial = NULL;

	if (size < 1 || size > 4096 || fx_skip(data, size))
		return 0;
	line = strndup((const char *)data + 1, size - 1);
	if (!line)
		return 0;
	if (sh_tokenize(line, false, &t, err, sizeof(err)) == 0) {
		quoting_round_trips(&t);
		sh_tokens_free(&t);
	}
	if (sh_tokenize(line, true, &t, err, sizeof(err)) == 0)
		sh_tokens_free(&t);
	if (fx_open(&sh, false)) {
		static int out = -1, err = -1;

		if (out < 0) {
			out = memfd_create("fuzz-out", 0);
			err = dup(STDERR_FILENO);	/* where a failed check is told */
		}
		CHECK(out >= 0 && ftruncate(out, 0) == 0);
		lseek(out, 0, SEEK_SET);
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
		sh.json = data[0] & 1;
		sh.pretty = data[0] & 2;
		if (sh_complete(&sh, line, &c, &partial) >= 0) {
			sh_cands_free(&c);
			free(partial);
		}
		sh_run_line(&sh, line);
		fflush(stdout);
		fflush(stderr);
		fx_quiet();
		if (err >= 0)
			dup2(err, STDERR_FILENO);
		/* stderr carries the text of errors even in JSON mode */
		output_is_clean(out, false);
		fx_close(&sh);
	}
	free(line);
	return 0;
}
