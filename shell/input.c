// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where input comes from, and its limits: which files may be a batch source, lines of at most
 * SH_LINE_MAX bytes with no NUL byte, batch sources of at most SH_BATCH_MAX bytes, read errors
 * kept apart from the end of the file. Never unbounded memory, whatever the source.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "shell.h"

/* the empty file every supervisor hands as stdin: a character device, yet no terminal */
static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

int sh_batch_check(int fd, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "is a directory: a batch source is a regular file, a FIFO "
			 "or a terminal");
		return -EISDIR;
	}
	if (S_ISREG(st.st_mode)) {
		if (st.st_size > SH_BATCH_MAX) {
			snprintf(why, whylen, "%lld bytes, more than a batch file may hold (%d)",
				 (long long)st.st_size, SH_BATCH_MAX);
			return -EFBIG;
		}
		return 0;
	}
	if (S_ISFIFO(st.st_mode) || is_dev_null(&st) || isatty(fd))
		return 0;
	snprintf(why, whylen, "%s, not a regular file, a FIFO or a terminal",
		 S_ISCHR(st.st_mode) ? "a character device" :
		 S_ISBLK(st.st_mode) ? "a block device" :
		 S_ISSOCK(st.st_mode) ? "a socket" : "a special file");
	return -EINVAL;
}

FILE *sh_batch_open(const char *path, char *why, size_t whylen, int *err)
{
	FILE *fp = fopen(path, "r");
	int rc;

	if (!fp) {
		*err = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	rc = sh_batch_check(fileno(fp), why, whylen);
	if (rc < 0) {
		fclose(fp);
		*err = rc;
		return NULL;
	}
	return fp;
}

void sh_reader_init(struct sh_reader *r, FILE *fp)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
}

void sh_reader_free(struct sh_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

/* grow the buffer to hold @need bytes and a NUL */
static int reserve(struct sh_reader *r, size_t need)
{
	size_t cap = r->cap ? r->cap : 256;
	char *n;

	if (need + 1 <= r->cap)
		return 0;
	while (cap < need + 1)
		cap *= 2;
	n = realloc(r->buf, cap);
	if (!n)
		return -ENOMEM;
	r->buf = n;
	r->cap = cap;
	return 0;
}

/*
 * What stdio has read ahead of @fp, to take a line from with memchr rather than a character
 * at a time: glibc's FILE keeps its read window in the public struct its getc_unlocked()
 * inline reads. Elsewhere the window is empty and every character comes through getc.
 */
static inline size_t ahead(FILE *fp, const char **p)
{
#ifdef __GLIBC__
	*p = fp->_IO_read_ptr;
	return fp->_IO_read_ptr && fp->_IO_read_end > fp->_IO_read_ptr ?
	       (size_t)(fp->_IO_read_end - fp->_IO_read_ptr) : 0;
#else
	(void)fp;
	*p = NULL;
	return 0;
#endif
}

static inline void consume(FILE *fp, size_t k)
{
#ifdef __GLIBC__
	fp->_IO_read_ptr += k;
#else
	(void)fp;
	(void)k;
#endif
}

/*
 * One physical line into r->buf (newline kept). 1 = a line, 0 = end of input, -errno: -E2BIG
 * past SH_LINE_MAX (the rest of that line is skipped, so reading may go on), -EILSEQ for a NUL
 * byte, -EFBIG past SH_BATCH_MAX in total, or the read error.
 */
int sh_read_line(struct sh_reader *r, size_t *len)
{
	size_t n = 0;
	bool nul = false, big = false;
	int ch;

	{
		/* the common case: stdio holds the whole line, and it is within every limit */
		const char *p, *nl;
		size_t k = ahead(r->fp, &p);

		if (k && (nl = memchr(p, '\n', k)) && (k = (size_t)(nl - p) + 1) < r->cap &&
		    k <= SH_LINE_MAX && r->total + k <= SH_BATCH_MAX && !memchr(p, '\0', k)) {
			memcpy(r->buf, p, k);
			r->buf[k] = '\0';
			consume(r->fp, k);
			r->total += k;
			*len = k;
			return 1;
		}
	}

	for (;;) {
		const char *p, *nl;
		size_t k = ahead(r->fp, &p), c;

		if (k) {
			/* the rest of the line, or all stdio holds, at once */
			nl = memchr(p, '\n', k);
			if (nl)
				k = (size_t)(nl - p) + 1;
			if (r->total + k > SH_BATCH_MAX) {
				consume(r->fp, SH_BATCH_MAX - r->total + 1);
				r->total = SH_BATCH_MAX + 1;
				return -EFBIG;
			}
			r->total += k;
			if (memchr(p, '\0', k))
				nul = true;
			c = n < SH_LINE_MAX ? SH_LINE_MAX - n : 0;
			if (k > c)
				big = true;
			else
				c = k;
			if (c) {
				if (reserve(r, n + c) < 0)
					return -ENOMEM;
				memcpy(r->buf + n, p, c);
				n += c;
			}
			consume(r->fp, k);
			if (nl)
				break;
			continue;
		}
		/* stdio's buffer is empty: one character refills it (or says EOF) */
		errno = 0;
		ch = getc_unlocked(r->fp);
		if (ch == EOF) {
			if (ferror(r->fp)) {
				int err = errno ? errno : EIO;

				clearerr(r->fp);
				return -err;
			}
			if (n == 0 && !big && !nul)
				return 0;
			break;
		}
		if (++r->total > SH_BATCH_MAX)
			return -EFBIG;
		if (ch == '\0')
			nul = true;
		if (n >= SH_LINE_MAX) {
			big = true;
			if (ch == '\n')
				break;
			continue;
		}
		if (reserve(r, n + 1) < 0)
			return -ENOMEM;
		r->buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (reserve(r, n) < 0)
		return -ENOMEM;
	r->buf[n] = '\0';
	*len = n;
	if (big)
		return -E2BIG;
	if (nul)
		return -EILSEQ;
	return 1;
}

const char *sh_read_error(int err)
{
	switch (-err) {
	case E2BIG:
		return "line longer than the limit of " SH_STR(SH_LINE_MAX) " bytes";
	case EILSEQ:
		return "the line holds a NUL byte";
	case EFBIG:
		return "more input than the limit of a batch source, " SH_STR(SH_BATCH_MAX) " bytes";
	case ENOMEM:
		return "out of memory";
	default: {
		static char buf[96];

		snprintf(buf, sizeof(buf), "read error: %s", strerror(-err));
		return buf;
	}
	}
}
