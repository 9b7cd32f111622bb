// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The raw record format, one line per call, shared by the LD_PRELOAD interposer (which links
 * this file alone) and the core:
 *     ioctl seq=3 pid=812 tid=812 t=1234 fd=3 rc=0 req=0x3b81 in=HEX out=HEX buf=HEX
 * Keys the op does not use are left out. No allocation, no stdio: safe inside any libc call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/record.h"
#include "internal.h"

static const char *const op_names[ISH_REC_NOPS] = {
	[ISH_REC_OPEN] = "open", [ISH_REC_CLOSE] = "close", [ISH_REC_IOCTL] = "ioctl",
	[ISH_REC_READ] = "read", [ISH_REC_PREAD] = "pread", [ISH_REC_PWRITE] = "pwrite",
	[ISH_REC_MMAP] = "mmap", [ISH_REC_DUP] = "dup", [ISH_REC_POLL] = "poll",
	[ISH_REC_REFUSE] = "refuse", [ISH_REC_MEM] = "mem",
};

const char *ish_rec_op_name(enum ish_rec_op op)
{
	return (unsigned int)op < ISH_REC_NOPS ? op_names[op] : "?";
}

size_t ish_rec_line_max(const struct ish_rec *r)
{
	size_t n = 256 + 2 * (r->argsz + r->argsz + r->buflen);

	if (r->path)
		n += 3 * strlen(r->path);
	return n;
}

struct w {
	char *p;
	size_t left;
	bool full;
};

static void put_c(struct w *w, char c)
{
	if (w->left <= 1) {
		w->full = true;
		return;
	}
	*w->p++ = c;
	w->left--;
}

static void put_s(struct w *w, const char *s)
{
	while (*s)
		put_c(w, *s++);
}

static void put_u(struct w *w, unsigned long long v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		put_s(w, "0x");
	while (n)
		put_c(w, tmp[--n]);
}

static void put_l(struct w *w, long long v)
{
	if (v < 0) {
		put_c(w, '-');
		put_u(w, (unsigned long long)-v, 10);
	} else {
		put_u(w, (unsigned long long)v, 10);
	}
}

static void put_key(struct w *w, const char *key)
{
	put_c(w, ' ');
	put_s(w, key);
	put_c(w, '=');
}

static void put_hex(struct w *w, const char *key, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	if (!p)
		return;
	put_key(w, key);
	for (i = 0; i < n; i++) {
		put_c(w, "0123456789abcdef"[b[i] >> 4]);
		put_c(w, "0123456789abcdef"[b[i] & 15]);
	}
	if (!n)
		put_c(w, '-');
}

int ish_rec_encode(const struct ish_rec *r, char *line, size_t len)
{
	struct w w = { line, len, false };
	const char *s;

	if (!len)
		return -ENOSPC;
	put_s(&w, ish_rec_op_name(r->op));
	put_key(&w, "seq");
	put_u(&w, r->seq, 10);
	put_key(&w, "pid");
	put_l(&w, r->pid);
	put_key(&w, "tid");
	put_l(&w, r->tid);
	put_key(&w, "t");
	put_u(&w, r->t_ns, 10);
	put_key(&w, "fd");
	put_l(&w, r->fd);
	put_key(&w, "rc");
	put_l(&w, r->rc);
	if (r->op == ISH_REC_IOCTL) {
		put_key(&w, "req");
		put_u(&w, r->request, 16);
		put_hex(&w, "in", r->in, r->argsz);
		put_hex(&w, "out", r->out, r->argsz);
	}
	if (r->op != ISH_REC_IOCTL && r->op != ISH_REC_OPEN && r->op != ISH_REC_CLOSE &&
	    r->op != ISH_REC_DUP) {
		put_key(&w, "len");
		put_u(&w, r->len, 10);
	}
	if (r->op == ISH_REC_PREAD || r->op == ISH_REC_PWRITE || r->op == ISH_REC_MMAP ||
	    r->op == ISH_REC_MEM) {
		put_key(&w, "off");
		put_u(&w, r->off, 16);
	}
	if (r->op == ISH_REC_MMAP && r->va) {
		put_key(&w, "va");
		put_u(&w, r->va, 16);
	}
	put_hex(&w, "buf", r->buf, r->buflen);
	if (r->path) {
		put_key(&w, "path");
		for (s = r->path; *s; s++) {
			unsigned char c = (unsigned char)*s;

			if (c <= ' ' || c == '%' || c == '"' || c == '\\' || c >= 0x7f) {
				put_c(&w, '%');
				put_c(&w, "0123456789abcdef"[c >> 4]);
				put_c(&w, "0123456789abcdef"[c & 15]);
			} else {
				put_c(&w, (char)c);
			}
		}
	}
	put_c(&w, '\n');
	if (w.full)
		return -ENOSPC;
	*w.p = '\0';
	return (int)(len - w.left);
}

/* hex into @dst; returns the byte count or -1 */
static long unhex(const char *s, unsigned char *dst, size_t room)
{
	size_t n = 0;

	if (!strcmp(s, "-"))
		return 0;
	while (s[0]) {
		int hi = ish_hex_digit(s[0]), lo = s[1] ? ish_hex_digit(s[1]) : -1;

		if (hi < 0 || lo < 0 || n >= room)
			return -1;
		dst[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return (long)n;
}

static bool num(const char *s, long long *v)
{
	char *end;

	errno = 0;
	if (s[0] == '-')
		*v = strtoll(s, &end, 0);
	else
		*v = (long long)strtoull(s, &end, 0);
	return *s && !*end && !errno;
}

int ish_rec_decode(char *line, struct ish_rec *r, void *scratch, size_t scratch_len)
{
	unsigned char *sp = scratch;
	size_t used = 0;
	char *tok, *save = NULL, *val;
	long long v;
	int i;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	line[strcspn(line, "\r\n")] = '\0';
	tok = strtok_r(line, " ", &save);
	if (!tok)
		return -EINVAL;
	for (i = 0; i < ISH_REC_NOPS; i++)
		if (!strcmp(tok, op_names[i]))
			break;
	if (i == ISH_REC_NOPS)
		return -EINVAL;
	r->op = (enum ish_rec_op)i;
	while ((tok = strtok_r(NULL, " ", &save))) {
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "in") || !strcmp(tok, "out") || !strcmp(tok, "buf")) {
			long n = unhex(val, sp + used, scratch_len - used);

			if (n < 0)
				return -EINVAL;
			if (!strcmp(tok, "buf")) {
				r->buf = sp + used;
				r->buflen = (size_t)n;
			} else {
				if (tok[0] == 'i')
					r->in = sp + used;
				else
					r->out = sp + used;
				r->argsz = (size_t)n;
			}
			used += (size_t)n;
			continue;
		}
		if (!strcmp(tok, "path")) {
			char *d = val, *s = val;

			while (*s) {
				if (*s == '%' && ish_hex_digit(s[1]) >= 0 && ish_hex_digit(s[2]) >= 0) {
					*d++ = (char)(ish_hex_digit(s[1]) << 4 | ish_hex_digit(s[2]));
					s += 3;
				} else {
					*d++ = *s++;
				}
			}
			*d = '\0';
			r->path = val;
			continue;
		}
		if (!num(val, &v))
			return -EINVAL;
		if (!strcmp(tok, "seq"))
			r->seq = (unsigned long)v;
		else if (!strcmp(tok, "pid"))
			r->pid = (int)v;
		else if (!strcmp(tok, "tid"))
			r->tid = (int)v;
		else if (!strcmp(tok, "t"))
			r->t_ns = (uint64_t)v;
		else if (!strcmp(tok, "fd"))
			r->fd = (int)v;
		else if (!strcmp(tok, "rc"))
			r->rc = (long)v;
		else if (!strcmp(tok, "req"))
			r->request = (unsigned long)v;
		else if (!strcmp(tok, "len"))
			r->len = (size_t)v;
		else if (!strcmp(tok, "off"))
			r->off = (uint64_t)v;
		else if (!strcmp(tok, "va"))
			r->va = (uint64_t)v;
		/* unknown keys: a newer writer; ignored */
	}
	return 0;
}
