/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A raw record as the interposer writes it into the raw file: binary, not the text line of
 * ish_rec_encode(), so that a recorded call costs a few copies, not an encoding (iommush
 * record turns the frames into records after the program ended). A frame is 8-byte aligned:
 * its head, the length, offset and address (struct ish_frame_ext) when the call has any (an
 * ioctl has none: its frame is 24 bytes shorter, and the memory under the frames is most of
 * what recording costs), then the struct before and after the call (argsz bytes each), the
 * buffer, the path. The writer reserves the whole frame with one atomic add, stores its size first and
 * `done` last (release): a reader skips a frame whose `done` is not set (its process died
 * while copying it) and stops at a size of 0 (it died between the add and the first store).
 * Shared by preload/record.c (the writer) and shell/record.c (the reader); not installed.
 */
#ifndef ISH_RAW_FRAME_H
#define ISH_RAW_FRAME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "iommush/record.h"

#define ISH_FRAME_DONE 0x454e4f44u	/* "DONE" */

struct ish_frame {
	uint32_t size;			/* the whole frame, a multiple of 8 */
	_Atomic uint32_t done;		/* ISH_FRAME_DONE once it is whole */
	uint32_t op;
	int32_t pid, tid, fd;
	int64_t rc;
	uint64_t t_ns, request;
	uint32_t argsz, buflen, pathlen, flags;
};

#define ISH_FRAME_EXT 1u		/* flags: a struct ish_frame_ext follows the head */

struct ish_frame_ext {
	uint64_t len, off, va;
};

static inline bool ish_frame_has_ext(const struct ish_rec *r)
{
	return r->len || r->off || r->va;
}

static inline size_t ish_frame_size(const struct ish_rec *r, size_t pathlen)
{
	size_t n = sizeof(struct ish_frame) +
		   (ish_frame_has_ext(r) ? sizeof(struct ish_frame_ext) : 0) +
		   2 * (r->in ? r->argsz : 0) + (r->buf ? r->buflen : 0) + pathlen;

	return (n + 7) & ~(size_t)7;
}

/*
 * A copy of a struct or a small buffer without a call to memcpy: under an emulator (QEMU's
 * TCG runs the live VM) a call and its return are two indirect jumps, each a lookup, which
 * cost more than the few words copied here.
 */
static inline void ish_frame_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
	uint64_t w;
	uint32_t h;

	if (n > 128) {
		memcpy(dst, src, n);
		return;
	}
	for (; n >= 8; n -= 8, dst += 8, src += 8) {
		__builtin_memcpy(&w, src, 8);
		__builtin_memcpy(dst, &w, 8);
	}
	if (n >= 4) {	/* iommufd and VFIO structs are made of 32-bit fields at least */
		__builtin_memcpy(&h, src, 4);
		__builtin_memcpy(dst, &h, 4);
		n -= 4, dst += 4, src += 4;
	}
	while (n--)
		*dst++ = *src++;
}

/* write @r into @dst, @size bytes from ish_frame_size(); `done` is stored last */
static inline void ish_frame_put(const struct ish_rec *r, size_t pathlen, void *dst, size_t size)
{
	struct ish_frame *f = dst;
	unsigned char *p = (unsigned char *)(f + 1);
	uint32_t argsz = r->in ? (uint32_t)r->argsz : 0, buflen = r->buf ? (uint32_t)r->buflen : 0;

	f->size = (uint32_t)size;
	f->op = (uint32_t)r->op;
	f->pid = r->pid;
	f->tid = r->tid;
	f->fd = r->fd;
	f->rc = r->rc;
	f->t_ns = r->t_ns;
	f->request = r->request;
	f->argsz = argsz;
	f->buflen = buflen;
	f->pathlen = (uint32_t)pathlen;
	f->flags = 0;
	if (ish_frame_has_ext(r)) {
		struct ish_frame_ext *x = (struct ish_frame_ext *)p;

		f->flags = ISH_FRAME_EXT;
		x->len = r->len;
		x->off = r->off;
		x->va = r->va;
		p += sizeof(*x);
	}
	/* most frames have no path and many no buffer: no call for nothing */
	if (argsz) {
		ish_frame_copy(p, r->in, argsz);
		ish_frame_copy(p + argsz, r->out, argsz);
	}
	if (buflen)
		ish_frame_copy(p + 2 * argsz, r->buf, buflen);
	if (pathlen)
		memcpy(p + 2 * argsz + buflen, r->path, pathlen);
	atomic_store_explicit(&f->done, ISH_FRAME_DONE, memory_order_release);
}

/*
 * The frame at @src of @avail bytes, into @r (pointing into @src; the path copied to @path of
 * @pathmax bytes, NUL-terminated). Returns its size: > 0 a record, < 0 -(its size) for a frame
 * to skip (never finished), 0 for the end (no frame, or one that does not fit).
 */
static inline long ish_frame_get(const void *src, size_t avail, struct ish_rec *r, char *path,
				 size_t pathmax)
{
	const struct ish_frame *f = src;
	const unsigned char *p = (const unsigned char *)(f + 1);
	size_t need;

	if (avail < sizeof(*f) || !f->size || f->size > avail || f->size % 8)
		return 0;
	if (atomic_load_explicit(&f->done, memory_order_acquire) != ISH_FRAME_DONE)
		return -(long)f->size;
	need = sizeof(*f) + (f->flags & ISH_FRAME_EXT ? sizeof(struct ish_frame_ext) : 0) +
	       2 * (size_t)f->argsz + f->buflen + f->pathlen;
	if (need > f->size || f->op >= ISH_REC_NOPS || f->argsz > ISH_REC_ARG_MAX ||
	    f->pathlen >= pathmax || (f->flags & ~ISH_FRAME_EXT))
		return 0;
	memset(r, 0, sizeof(*r));
	r->op = (enum ish_rec_op)f->op;
	r->pid = f->pid;
	r->tid = f->tid;
	r->fd = f->fd;
	r->rc = (long)f->rc;
	r->t_ns = f->t_ns;
	r->request = (unsigned long)f->request;
	if (f->flags & ISH_FRAME_EXT) {
		const struct ish_frame_ext *x = (const struct ish_frame_ext *)p;

		r->len = (size_t)x->len;
		r->off = x->off;
		r->va = x->va;
		p += sizeof(*x);
	}
	r->argsz = f->argsz;
	if (f->argsz) {
		r->in = p;
		r->out = p + f->argsz;
	}
	r->buflen = f->buflen;
	if (f->buflen)
		r->buf = p + 2 * f->argsz;
	if (f->pathlen || r->op == ISH_REC_OPEN || r->op == ISH_REC_REFUSE) {
		memcpy(path, p + 2 * f->argsz + f->buflen, f->pathlen);
		path[f->pathlen] = '\0';
		r->path = path;
	}
	return (long)f->size;
}

#endif
