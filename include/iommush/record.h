/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recording: the iommufd and VFIO calls of a program, turned into an iommush batch script
 * that replays them (or into JSON lines).
 *
 * A call is first a raw record (struct ish_rec), one text line each in the raw format: the
 * LD_PRELOAD interposer (libiommush-record.so) writes these from any number of threads and
 * processes, and the core builds them at its choke point when IOMMUSH_RECORD is set. The
 * translator (struct ish_recorder) reads records in call order and writes, for each, the
 * matching low-level shell command: ids bound to variables (let ioas2 = ioas alloc), memory
 * the program mapped stood in for by `mem alloc` buffers of the same size, a failed call as
 * `expect-error ERRNO ...`, a comment with the call number, process, thread, time and the
 * decoded call before it. A call no command matches stays as a commented raw record and is
 * listed again at the end.
 */
#ifndef IOMMUSH_RECORD_H
#define IOMMUSH_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ish_rec_op {
	ISH_REC_OPEN,		/* path, rc = the fd */
	ISH_REC_CLOSE,
	ISH_REC_IOCTL,		/* request, in/out struct, buf = the user buffer it points to */
	ISH_REC_READ,		/* len asked, buf = the bytes read */
	ISH_REC_PREAD,		/* len, off, buf = the bytes read */
	ISH_REC_PWRITE,		/* len, off, buf = the bytes written */
	ISH_REC_MMAP,		/* len, off, va = the address mapped; rc = 0 or -errno;
				 * request = 1: its accesses are recorded one by one (--mmio) */
	ISH_REC_DUP,		/* fd = the old fd, rc = the new one */
	ISH_REC_POLL,		/* len = the timeout in ms */
	ISH_REC_REFUSE,		/* the interposer cannot follow an exec: path, reason in buf */
	ISH_REC_MEM,		/* memory given to IOAS_MAP changed: off = its address, buf = the
				 * bytes now; rc = 0 the program wrote them, 1 the device did */
	ISH_REC_NOPS
};

/* One call as it was made. rc is the result: >= 0, or -errno. */
struct ish_rec {
	unsigned long seq;	/* 0: numbered by the translator */
	int pid, tid;
	uint64_t t_ns;		/* CLOCK_MONOTONIC */
	enum ish_rec_op op;
	int fd;
	long rc;
	unsigned long request;
	const void *in, *out;	/* ioctl: the struct before and after the call */
	size_t argsz;
	const void *buf;	/* see enum ish_rec_op */
	size_t buflen;
	size_t len;
	uint64_t off;
	const char *path;
	uint64_t va;		/* ISH_REC_MMAP: where the mapping landed (0: unknown, old writers) */
};

/* at most this much of a user buffer is kept in a record */
#define ISH_REC_BUF_MAX 65536
/* and of an ioctl struct */
#define ISH_REC_ARG_MAX 256

/*
 * The raw format: "OP key=value ... \n", hex for the bytes, %XX escapes in the path. Encode
 * returns the length written (not counting the NUL), or -ENOSPC when @len is too small;
 * ish_rec_line_max() is always enough.
 */
size_t ish_rec_line_max(const struct ish_rec *r);
int ish_rec_encode(const struct ish_rec *r, char *line, size_t len);
/*
 * Parse one line in place: the bytes go to @scratch (at least strlen(line) bytes), the
 * pointers of @r point into @scratch and @line. -EINVAL when it is not a record.
 */
int ish_rec_decode(char *line, struct ish_rec *r, void *scratch, size_t scratch_len);
const char *ish_rec_op_name(enum ish_rec_op op);

/*
 * 0 when the interposer can follow the program at @path; -EPERM (static, setuid) or -errno
 * with the reason in @why otherwise. A #! script is judged by its interpreter.
 */
int ish_rec_followable(const char *path, char *why, size_t len);

/*
 * The raw file `iommush record` hands the interposer: a header page, then records, as binary
 * frames (not the text lines above: a copy costs less than an encoding). Writers reserve
 * their bytes with one atomic add on @used (shared by every thread and process that maps the
 * file) and copy the frame into the mapping: no system call per record, and what was copied
 * survives a crash of the program. A frame's layout is iommush record's own business.
 */
#define ISH_RAW_MAGIC "ISHRAW2"
#define ISH_RAW_HDR 4096
#define ISH_RAW_SIZE (1ULL << 30)	/* records beyond it make the recording refused */
struct ish_raw_hdr {
	char magic[8];
	_Atomic uint64_t used;
	uint64_t size;
	_Atomic uint32_t overflow;
};

struct ish_recorder;

/* translate into @out: a batch script, or JSON lines with @json */
int ish_recorder_new(FILE *out, bool json, struct ish_recorder **rr);
int ish_recorder_add(struct ish_recorder *rr, const struct ish_rec *r);
/* feed a raw file, line by line; -EINVAL with *bad_line set on a malformed line */
int ish_recorder_add_file(struct ish_recorder *rr, FILE *raw, unsigned long *bad_line);
/* the reason the recording is incomplete (an exec the interposer could not follow), or NULL */
const char *ish_recorder_refused(const struct ish_recorder *rr);
/* calls recorded, and those without a command */
unsigned long ish_recorder_calls(const struct ish_recorder *rr);
unsigned long ish_recorder_raw_calls(const struct ish_recorder *rr);
/* write the closing list of raw calls, then free; returns -errno if writing failed */
int ish_recorder_finish(struct ish_recorder *rr);

/*
 * Record every call @ctx makes from now on into @fp (not closed), as IOMMUSH_RECORD does into
 * a file: what `iommush --trace=script` prints. 0 or -errno.
 */
struct ish_ctx;
int ish_record_to(struct ish_ctx *ctx, FILE *fp);

#endif
