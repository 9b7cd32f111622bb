// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libiommush-record.so: the LD_PRELOAD interposer of `iommush record`.
 *
 * Why LD_PRELOAD and not ptrace: a VMM makes thousands of iommufd calls (one IOAS_MAP per
 * guest RAM region, invalidations at the guest's pace) from many threads; under ptrace each
 * call stops the thread twice and every user buffer (STE words, command arrays, hw info) is
 * copied out through the tracer, while here a recorded call costs one encoded line copied into
 * a shared mapping of the raw file (no system call) and the buffers are read in place. Threads come for free and children inherit LD_PRELOAD. What it
 * cannot follow, a static or setuid program, is refused before it starts (iommush record) or,
 * for an exec inside a recorded program, marked so that the recording is refused whole.
 *
 * It watches the fds of /dev/iommu, /dev/vfio/devices/ and the vEVENTQ fds these hand out:
 * open, ioctl, read, pread/pwrite, mmap, close and dup on them. Every other call goes straight
 * to libc after one table lookup. Records go to the raw file named by $IOMMUSH_RECORD_RAW,
 * which iommush record prepared (struct ish_raw_hdr): each line's bytes are reserved with one
 * atomic add shared by every thread and process, so lines never interleave, and what was
 * copied survives a crash of the program.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/record.h"

#define FD_MAX 65536
#define ISH_EXPORT __attribute__((visibility("default")))

enum { K_NONE, K_IOMMUFD, K_DEVICE, K_VEVENTQ };

static _Atomic unsigned char kinds[FD_MAX];
static int out_fd = -1;
static struct ish_raw_hdr *hdr;	/* the shared header of the raw file */
static char *data;		/* its records, mapped; NULL: written with pwrite */
/* pid and tid cost a syscall each: kept per thread, forgotten in a forked child */
static __thread int my_tid;
static int my_pid;

static void forget_ids(void)
{
	my_pid = 0;
	my_tid = 0;
}

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off_t);
static int (*real_close)(int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_fcntl)(int, int, ...);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_execv)(const char *, char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			       const posix_spawnattr_t *, char *const[], char *const[]);
static int (*real_posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
				const posix_spawnattr_t *, char *const[], char *const[]);

#define LOAD(name) (real_##name = dlsym(RTLD_NEXT, #name))

__attribute__((constructor))
static void rec_init(void)
{
	const char *path = getenv("IOMMUSH_RECORD_RAW");

	LOAD(open); LOAD(open64); LOAD(openat); LOAD(openat64); LOAD(ioctl); LOAD(read);
	LOAD(pread); LOAD(pread64); LOAD(pwrite); LOAD(pwrite64); LOAD(mmap); LOAD(mmap64);
	LOAD(close); LOAD(dup); LOAD(dup2); LOAD(dup3); LOAD(fcntl); LOAD(execve);
	LOAD(execv); LOAD(execvp); LOAD(poll); LOAD(posix_spawn); LOAD(posix_spawnp);
	if (path && *path)
		out_fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0600);
	if (out_fd >= 0) {
		void *h = real_mmap(NULL, ISH_RAW_HDR, PROT_READ | PROT_WRITE, MAP_SHARED, out_fd, 0);
		void *d;

		if (h == MAP_FAILED || memcmp(((struct ish_raw_hdr *)h)->magic, ISH_RAW_MAGIC,
					      sizeof(ISH_RAW_MAGIC))) {
			/* not a file iommush record made: nothing is recorded */
			if (h != MAP_FAILED)
				munmap(h, ISH_RAW_HDR);
			syscall(SYS_close, out_fd);
			out_fd = -1;
		} else {
			hdr = h;
			d = real_mmap(NULL, hdr->size, PROT_READ | PROT_WRITE, MAP_SHARED, out_fd,
				      ISH_RAW_HDR);
			data = d == MAP_FAILED ? NULL : d;
		}
	}
	pthread_atfork(NULL, NULL, forget_ids);
}

static int kind(int fd)
{
	return out_fd >= 0 && fd >= 0 && fd < FD_MAX ? atomic_load_explicit(&kinds[fd],
									     memory_order_relaxed) : K_NONE;
}

static void set_kind(int fd, int k)
{
	if (fd >= 0 && fd < FD_MAX && fd != out_fd)
		atomic_store_explicit(&kinds[fd], (unsigned char)k, memory_order_relaxed);
}

static void put(struct ish_rec *r)
{
	char stack[8192], *line = stack;
	size_t need = ish_rec_line_max(r);
	int n, saved = errno;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->t_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (!my_pid)
		my_pid = getpid();
	if (!my_tid)
		my_tid = gettid();
	r->pid = my_pid;
	r->tid = my_tid;
	if (need > sizeof(stack)) {
		line = malloc(need);
		if (!line) {
			errno = saved;
			return;
		}
	}
	n = ish_rec_encode(r, line, line == stack ? sizeof(stack) : need);
	if (n > 0) {
		uint64_t off = atomic_fetch_add(&hdr->used, (uint64_t)n);

		if (off + (uint64_t)n > hdr->size)
			atomic_store(&hdr->overflow, 1);
		else if (data)
			memcpy(data + off, line, (size_t)n);
		else if (syscall(SYS_pwrite64, out_fd, line, (size_t)n, ISH_RAW_HDR + off) != n)
			atomic_store(&hdr->overflow, 1);	/* a full disk: refused whole */
	}
	if (line != stack)
		free(line);
	errno = saved;
}

static long result(long rc)
{
	return rc < 0 ? -errno : rc;
}

static bool no_vm_readv;	/* a kernel without CONFIG_CROSS_MEMORY_ATTACH */

/*
 * A user buffer, read safely: a bad pointer (the kernel said EFAULT) gives nothing. Without
 * process_vm_readv the bytes are copied as they are, which a pointer the program also hands
 * the kernel survives.
 */
static size_t peek(const void *src, size_t len, void *dst)
{
	struct iovec local = { dst, len }, remote = { (void *)src, len };
	ssize_t n;

	if (!src || !len || len > ISH_REC_BUF_MAX)
		return 0;
	if (!no_vm_readv) {
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n >= 0 || (errno != ENOSYS && errno != EPERM))
			return n > 0 ? (size_t)n : 0;
		no_vm_readv = true;
	}
	memcpy(dst, src, len);
	return len;
}

/* ---- open ---------------------------------------------------------------------------------- */

static int watched(const char *path)
{
	if (!path)
		return K_NONE;
	if (!strcmp(path, "/dev/iommu"))
		return K_IOMMUFD;
	if (!strncmp(path, "/dev/vfio/devices/", 18))
		return K_DEVICE;
	return K_NONE;
}

static int opened(const char *path, int fd)
{
	int k = watched(path);

	if (k != K_NONE && out_fd >= 0) {
		struct ish_rec r = { .op = ISH_REC_OPEN, .fd = -1, .rc = result(fd), .path = path };

		put(&r);
		if (fd >= 0)
			set_kind(fd, k);
	}
	return fd;
}

#define OPEN_MODE(flags, mode)                                                            \
	do {                                                                              \
		if ((flags) & (O_CREAT | __O_TMPFILE)) {                                  \
			va_list ap;                                                       \
			va_start(ap, flags);                                              \
			mode = va_arg(ap, int);                                           \
			va_end(ap);                                                       \
		}                                                                         \
	} while (0)

ISH_EXPORT int open(const char *path, int flags, ...)
{
	int mode = 0;

	OPEN_MODE(flags, mode);
	return opened(path, real_open(path, flags, mode));
}

ISH_EXPORT int open64(const char *path, int flags, ...)
{
	int mode = 0;

	OPEN_MODE(flags, mode);
	return opened(path, real_open64(path, flags, mode));
}

ISH_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;

	OPEN_MODE(flags, mode);
	return opened(path, real_openat(dirfd, path, flags, mode));
}

ISH_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;

	OPEN_MODE(flags, mode);
	return opened(path, real_openat64(dirfd, path, flags, mode));
}

/* _FORTIFY_SOURCE builds call these */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);

ISH_EXPORT int __open_2(const char *path, int flags)
{
	return opened(path, real_open(path, flags, 0));
}

ISH_EXPORT int __open64_2(const char *path, int flags)
{
	return opened(path, real_open64(path, flags, 0));
}

ISH_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return opened(path, real_openat(dirfd, path, flags, 0));
}

/* ---- ioctl --------------------------------------------------------------------------------- */

/* the user buffer an ioctl points to, and its length, from the struct around the call */
static const void *ioctl_buf(unsigned long req, const void *in, const void *out, size_t *len)
{
	switch (req) {
	case IOMMU_HWPT_ALLOC: {
		const struct iommu_hwpt_alloc *a = in;

		*len = a->data_len;
		return (const void *)(uintptr_t)a->data_uptr;
	}
	case IOMMU_HWPT_INVALIDATE: {
		const struct iommu_hwpt_invalidate *a = in;

		*len = (size_t)a->entry_len * a->entry_num;
		return (const void *)(uintptr_t)a->data_uptr;
	}
	case IOMMU_GET_HW_INFO: {
		const struct iommu_hw_info *a = in, *b = out;

		*len = b->data_len < a->data_len ? b->data_len : a->data_len;
		return (const void *)(uintptr_t)a->data_uptr;
	}
	case IOMMU_VIOMMU_ALLOC: {
		const struct iommu_viommu_alloc *a = in;

		*len = a->data_len;
		return (const void *)(uintptr_t)a->data_uptr;
	}
	case IOMMU_IOAS_ALLOW_IOVAS: {
		const struct iommu_ioas_allow_iovas *a = in;

		*len = (size_t)a->num_iovas * sizeof(struct iommu_iova_range);
		return (const void *)(uintptr_t)a->allowed_iovas;
	}
	default:
		*len = 0;
		return NULL;
	}
}

ISH_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	unsigned char in[ISH_REC_ARG_MAX], outb[ISH_REC_ARG_MAX], *buf = NULL;
	struct ish_rec r = { .op = ISH_REC_IOCTL };
	uint32_t size = 0;
	va_list ap;
	void *arg;
	int rc, k;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	k = kind(fd);
	if (k == K_NONE)
		return real_ioctl(fd, req, arg);
	/* iommufd and VFIO structs begin with their own size (size / argsz) */
	if (_IOC_TYPE(req) == IOMMUFD_TYPE && peek(arg, 4, &size) == 4) {
		if (size > sizeof(in))
			size = sizeof(in);
		size = (uint32_t)peek(arg, size, in);
	}
	rc = real_ioctl(fd, req, arg);
	r.fd = fd;
	r.request = req;
	r.rc = result(rc);
	if (size) {
		r.argsz = peek(arg, size, outb);
		r.in = in;
		r.out = outb;
		if (r.argsz != size)
			r.argsz = 0, r.in = r.out = NULL;
	}
	if (r.argsz >= 32) {	/* every struct with a buffer is at least that long */
		size_t len;
		const void *src = ioctl_buf(req, in, outb, &len);

		if (src && len && len <= ISH_REC_BUF_MAX && (buf = malloc(len))) {
			r.buflen = peek(src, len, buf);
			r.buf = r.buflen ? buf : NULL;
		}
	}
	if (rc == 0 && req == IOMMU_VEVENTQ_ALLOC && r.argsz >= sizeof(struct iommu_veventq_alloc))
		set_kind((int)((struct iommu_veventq_alloc *)outb)->out_veventq_fd, K_VEVENTQ);
	put(&r);
	free(buf);
	return rc;
}

/* ---- read, pread, pwrite, mmap ---------------------------------------------------------------- */

ISH_EXPORT ssize_t read(int fd, void *p, size_t len)
{
	ssize_t n = real_read(fd, p, len);

	if (kind(fd) != K_NONE) {
		struct ish_rec r = { .op = ISH_REC_READ, .fd = fd, .rc = result(n), .len = len,
				     .buf = p, .buflen = n > 0 && n <= ISH_REC_BUF_MAX ? (size_t)n : 0 };

		put(&r);
	}
	return n;
}

static ssize_t region_rec(enum ish_rec_op op, int fd, const void *p, size_t len, off_t off,
			  ssize_t n)
{
	struct ish_rec r = { .op = op, .fd = fd, .rc = result(n), .len = len, .off = (uint64_t)off,
			     .buf = p };

	r.buflen = op == ISH_REC_PWRITE ? len : n > 0 ? (size_t)n : 0;
	if (r.buflen > ISH_REC_BUF_MAX)
		r.buflen = 0;
	put(&r);
	return n;
}

ISH_EXPORT ssize_t pread(int fd, void *p, size_t len, off_t off)
{
	ssize_t n = real_pread(fd, p, len, off);

	return kind(fd) == K_NONE ? n : region_rec(ISH_REC_PREAD, fd, p, len, off, n);
}

ISH_EXPORT ssize_t pread64(int fd, void *p, size_t len, off_t off)
{
	ssize_t n = real_pread64(fd, p, len, off);

	return kind(fd) == K_NONE ? n : region_rec(ISH_REC_PREAD, fd, p, len, off, n);
}

ISH_EXPORT ssize_t pwrite(int fd, const void *p, size_t len, off_t off)
{
	ssize_t n = real_pwrite(fd, p, len, off);

	return kind(fd) == K_NONE ? n : region_rec(ISH_REC_PWRITE, fd, p, len, off, n);
}

ISH_EXPORT ssize_t pwrite64(int fd, const void *p, size_t len, off_t off)
{
	ssize_t n = real_pwrite64(fd, p, len, off);

	return kind(fd) == K_NONE ? n : region_rec(ISH_REC_PWRITE, fd, p, len, off, n);
}

static void *mapped(int fd, size_t len, off_t off, void *p)
{
	if (kind(fd) != K_NONE) {
		struct ish_rec r = { .op = ISH_REC_MMAP, .fd = fd, .len = len, .off = (uint64_t)off,
				     .rc = p == MAP_FAILED ? -errno : 0,
				     .va = p == MAP_FAILED ? 0 : (uintptr_t)p };

		put(&r);
	}
	return p;
}

ISH_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mapped(fd, len, off, real_mmap(addr, len, prot, flags, fd, off));
}

ISH_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mapped(fd, len, off, real_mmap64(addr, len, prot, flags, fd, off));
}

/* a vEVENTQ waited for: the read after it waits as long in the replay (epoll is not seen) */
ISH_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int rc = real_poll(fds, n, timeout), saved = errno;
	nfds_t i;

	for (i = 0; i < n && out_fd >= 0; i++) {
		if (kind(fds[i].fd) != K_VEVENTQ)
			continue;
		{
			struct ish_rec r = { .op = ISH_REC_POLL, .fd = fds[i].fd,
					     .len = (size_t)timeout,
					     .rc = rc < 0 ? -saved : !!(fds[i].revents & POLLIN) };

			put(&r);
		}
	}
	errno = saved;
	return rc;
}

/* ---- close and dup -------------------------------------------------------------------------- */

ISH_EXPORT int close(int fd)
{
	int k = kind(fd), rc;

	if (fd == out_fd && fd >= 0) {
		errno = EBADF;	/* a program closing every fd must not end the recording */
		return -1;
	}
	rc = real_close(fd);
	if (k != K_NONE) {
		struct ish_rec r = { .op = ISH_REC_CLOSE, .fd = fd, .rc = result(rc) };

		set_kind(fd, K_NONE);
		put(&r);
	}
	return rc;
}

static int duped(int old, int k, int fd)
{
	if (k != K_NONE) {
		struct ish_rec r = { .op = ISH_REC_DUP, .fd = old, .rc = result(fd) };

		if (fd >= 0)
			set_kind(fd, k);
		put(&r);
	}
	return fd;
}

ISH_EXPORT int dup(int fd)
{
	return duped(fd, kind(fd), real_dup(fd));
}

ISH_EXPORT int dup2(int fd, int to)
{
	return duped(fd, kind(fd), real_dup2(fd, to));
}

ISH_EXPORT int dup3(int fd, int to, int flags)
{
	return duped(fd, kind(fd), real_dup3(fd, to, flags));
}

ISH_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;
	int rc;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	rc = real_fcntl(fd, cmd, arg);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return duped(fd, kind(fd), rc);
	return rc;
}

/* ---- exec: a program the interposer cannot follow makes the whole recording refused ------- */

static void judge_exec(const char *file, bool search);

ISH_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	judge_exec(path, false);
	return real_execve(path, argv, envp);
}

/* refuse the recording if @file (searched in $PATH when @search) cannot be followed */
static void judge_exec(const char *file, bool search)
{
	const char *path = getenv("PATH"), *p;
	char full[4096], why[512];

	if (out_fd < 0 || !file || !*file)
		return;
	full[0] = '\0';
	if (!search || strchr(file, '/')) {
		snprintf(full, sizeof(full), "%s", file);
	} else {
		for (p = path ? path : "/usr/bin:/bin"; *p;) {
			size_t n = strcspn(p, ":");

			if (snprintf(full, sizeof(full), "%.*s/%s", (int)n, p, file) <
			    (int)sizeof(full) && access(full, X_OK) == 0)
				break;
			full[0] = '\0';
			p += n;
			if (*p)
				p++;
		}
	}
	if (full[0] && ish_rec_followable(full, why, sizeof(why)) == -EPERM) {
		struct ish_rec r = { .op = ISH_REC_REFUSE, .fd = -1, .path = full, .buf = why,
				     .buflen = strlen(why) };

		put(&r);
	}
}

ISH_EXPORT int execv(const char *path, char *const argv[])
{
	judge_exec(path, false);
	return real_execv(path, argv);
}

ISH_EXPORT int execvp(const char *file, char *const argv[])
{
	judge_exec(file, true);
	return real_execvp(file, argv);
}

ISH_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	judge_exec(path, false);
	return real_posix_spawn(pid, path, fa, attr, argv, envp);
}

ISH_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	judge_exec(file, true);
	return real_posix_spawnp(pid, file, fa, attr, argv, envp);
}
