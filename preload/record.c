// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libiommush-record.so: the LD_PRELOAD interposer of `iommush record`.
 *
 * Why LD_PRELOAD and not ptrace: a VMM makes thousands of iommufd calls (one IOAS_MAP per
 * guest RAM region, invalidations at the guest's pace) from many threads; under ptrace each
 * call stops the thread twice and every user buffer (STE words, command arrays, hw info) is
 * copied out through the tracer, while here a recorded call costs one binary frame copied into
 * a shared mapping of the raw file (no system call) and the buffers are read in place. Threads come for free and children inherit LD_PRELOAD. What it
 * cannot follow, a static or setuid program, is refused before it starts (iommush record) or,
 * for an exec inside a recorded program, marked so that the recording is refused whole.
 *
 * It watches the fds of /dev/iommu, /dev/vfio/devices/ and the vEVENTQ fds these hand out:
 * open, ioctl, read, pread/pwrite, mmap, close and dup on them. Every other call goes straight
 * to libc after one table lookup. Records go to the raw file named by $IOMMUSH_RECORD_RAW,
 * which iommush record prepared (struct ish_raw_hdr), as binary frames (frame.h: copies, no
 * encoding): each frame's bytes are reserved with one atomic add shared by every thread and
 * process, so frames never interleave, and what was copied survives a crash of the program.
 * A struct on the caller's stack is copied as it is; one elsewhere costs one process_vm_readv
 * before the call (a bad pointer must give EFAULT, not a crash), nothing after it.
 */
#include <alloca.h>
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/record.h"
#include "frame.h"

#define FD_MAX 65536
#define ISH_EXPORT __attribute__((visibility("default")))

enum { K_NONE, K_IOMMUFD, K_DEVICE, K_VEVENTQ };

static _Atomic unsigned char kinds[FD_MAX];
static int out_fd = -1;
static struct ish_raw_hdr *hdr;	/* the shared header of the raw file */
static char *data;		/* its records, mapped; NULL: written with pwrite */
/* pid and tid cost a syscall each: kept per thread, forgotten in a forked child */
/* the calling thread's id and stack: initial-exec TLS, no __tls_get_addr call each time */
static __thread struct {
	uintptr_t stk_lo, stk_hi;	/* its stack, found once (pthread_getattr_np) */
	int stk_known;			/* 0: not yet, 1: known, -1: cannot be known */
	int tid;
} me __attribute__((tls_model("initial-exec")));
static int my_pid;
static uintptr_t page_size = 4096;
static bool mmio_mode;	/* IOMMUSH_RECORD_MMIO=1: iommush record --mmio */

static void forget_ids(void)
{
	my_pid = 0;
	me.tid = 0;
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
static int (*real_munmap)(void *, size_t);
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
	LOAD(munmap);
	mmio_mode = getenv("IOMMUSH_RECORD_MMIO") && !strcmp(getenv("IOMMUSH_RECORD_MMIO"), "1");
	if (path && *path)
		out_fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0600);
	if (out_fd >= 0) {
		struct stat st;

		/* a file whose header cannot be read (/dev/null: a mapping of it gives SIGBUS) */
		if (fstat(out_fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < ISH_RAW_HDR) {
			syscall(SYS_close, out_fd);
			out_fd = -1;
		}
	}
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
	page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
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

/*
 * The mapping is populated a chunk ahead of the records (MADV_POPULATE_WRITE, one system call
 * a chunk instead of a page fault a page), and a chunk that cannot be populated (the file
 * system is full) makes the recording refused instead of a SIGBUS in the program.
 */
#define CHUNK (256u << 10)
static _Atomic uint64_t ready;	/* this process populated the mapping up to here */
static bool no_populate;	/* a kernel before 5.14 */

static bool populate(uint64_t end)
{
	uint64_t from = atomic_load_explicit(&ready, memory_order_relaxed), to;

	if (end <= from || no_populate)
		return true;
	to = ((end + CHUNK - 1) / CHUNK + 1) * CHUNK;
	if (to > hdr->size)
		to = hdr->size;
	if (madvise(data + from, to - from, MADV_POPULATE_WRITE) < 0) {
		if (errno == EINVAL)
			return no_populate = true;
		return false;
	}
	/* another thread may have gone further meanwhile: keep the larger */
	while (from < to && !atomic_compare_exchange_weak(&ready, &from, to))
		;
	return true;
}

/* @r as a frame; errno may change (a caller that restores it anyway saves nothing here) */
static void put_frame(struct ish_rec *r)
{
	size_t pathlen = r->path ? strlen(r->path) : 0, need = ish_frame_size(r, pathlen);
	struct timespec ts;
	uint64_t off;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->t_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (!my_pid)
		my_pid = getpid();
	if (!me.tid)
		me.tid = gettid();
	r->pid = my_pid;
	r->tid = me.tid;
	off = atomic_fetch_add(&hdr->used, (uint64_t)need);
	if (off + need > hdr->size) {
		atomic_store(&hdr->overflow, 1);
	} else if (data) {
		if (populate(off + need))
			ish_frame_put(r, pathlen, data + off, need);
		else
			atomic_store(&hdr->overflow, 1);
	} else {
		/* no mapping: the frame is built aside and written at its place */
		void *f = need <= 8192 ? alloca(need) : malloc(need);

		if (f)
			ish_frame_put(r, pathlen, f, need);
		if (!f || syscall(SYS_pwrite64, out_fd, f, need, ISH_RAW_HDR + off) != (long)need)
			atomic_store(&hdr->overflow, 1);	/* a full disk: refused whole */
		if (f && need > 8192)
			free(f);
	}
}

static void put(struct ish_rec *r)
{
	int saved = errno;

	put_frame(r);
	errno = saved;
}

static long result(long rc)
{
	return rc < 0 ? -errno : rc;
}

static bool no_vm_readv;	/* a kernel without CONFIG_CROSS_MEMORY_ATTACH */

/*
 * [@p, @p + @len) lies between the caller's frame and the top of this thread's stack: mapped
 * for sure, so it can be copied as it is (most structs a program hands ioctl are on its
 * stack). A thread on another stack (a coroutine, a signal stack) is not judged so.
 */
static __attribute__((noinline)) void find_my_stack(void)
{
	pthread_attr_t at;
	void *addr;
	size_t sz;

	me.stk_known = -1;
	if (pthread_getattr_np(pthread_self(), &at) == 0) {
		if (pthread_attr_getstack(&at, &addr, &sz) == 0) {
			me.stk_lo = (uintptr_t)addr;
			me.stk_hi = (uintptr_t)addr + sz;
			me.stk_known = 1;
		}
		pthread_attr_destroy(&at);
	}
}

/* inline: it runs for every recorded ioctl (a call costs two lookups under TCG) */
static inline __attribute__((always_inline)) bool on_my_stack(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, sp = (uintptr_t)__builtin_frame_address(0);

	if (!me.stk_known)
		find_my_stack();
	return me.stk_known > 0 && sp >= me.stk_lo && sp < me.stk_hi && a >= sp &&
	       a + len >= a && a + len <= me.stk_hi;
}

/*
 * A user buffer, read safely: a bad pointer (the kernel said EFAULT) gives nothing. On this
 * thread's stack it is copied as it is; elsewhere through process_vm_readv (one system call),
 * or, without it, copied as it is, which a pointer the program also hands the kernel survives.
 */
static size_t peek(const void *src, size_t len, void *dst)
{
	struct iovec local = { dst, len }, remote = { (void *)src, len };
	ssize_t n;

	if (!src || !len || len > ISH_REC_BUF_MAX)
		return 0;
	if (on_my_stack(src, len)) {
		memcpy(dst, src, len);
		return len;
	}
	if (!no_vm_readv) {
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n >= 0 || (errno != ENOSYS && errno != EPERM))
			return n > 0 ? (size_t)n : 0;
		no_vm_readv = true;
	}
	memcpy(dst, src, len);
	return len;
}

/*
 * An ioctl's struct before the call: its first 4 bytes give its size (size / argsz), but off
 * the stack both are read in one process_vm_readv: up to the end of its page, and the rest as
 * a second piece that may fail on its own (a struct at the end of a mapping).
 */
static uint32_t peek_struct(const void *arg, unsigned char *in)
{
	uintptr_t a = (uintptr_t)arg;
	size_t first = page_size - (a & (page_size - 1));
	uint32_t size;

	if (!arg)
		return 0;
	if (on_my_stack(arg, ISH_REC_ARG_MAX)) {
		memcpy(&size, arg, 4);
		if (size > ISH_REC_ARG_MAX)
			size = ISH_REC_ARG_MAX;
		ish_frame_copy(in, arg, size);
		return size;
	}
	if (first > ISH_REC_ARG_MAX)
		first = ISH_REC_ARG_MAX;
	if (!no_vm_readv && first >= 4) {
		struct iovec local = { in, ISH_REC_ARG_MAX };
		struct iovec remote[2] = { { (void *)arg, first },
					   { (void *)(a + first), ISH_REC_ARG_MAX - first } };
		ssize_t n = process_vm_readv(getpid(), &local, 1, remote,
					     first < ISH_REC_ARG_MAX ? 2 : 1, 0);

		if (n >= 4) {
			memcpy(&size, in, 4);
			if (size > ISH_REC_ARG_MAX)
				size = ISH_REC_ARG_MAX;
			return size <= (size_t)n ? size : 0;
		}
		if (n >= 0 || (errno != ENOSYS && errno != EPERM))
			return 0;
		no_vm_readv = true;
	}
	if (peek(arg, 4, &size) != 4)
		return 0;
	if (size > ISH_REC_ARG_MAX)
		size = ISH_REC_ARG_MAX;
	return (uint32_t)peek(arg, size, in);
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

static ssize_t region_rec(enum ish_rec_op op, int fd, const void *p, size_t len, off_t off,
			  ssize_t n);

/*
 * --mmio (IOMMUSH_RECORD_MMIO=1): a program that drives its device itself (a test, a user-space
 * driver; not a VMM, which hands its BAR mappings to a guest) has every access through a BAR
 * mapping recorded as a region read or write. The mapping is made PROT_NONE; each access
 * faults, the SIGSEGV handler decodes the load or store (arm64; x86-64's MOV forms, for the
 * tests on the simulator), makes it with pread/pwrite on
 * the device (VFIO's region read/write) and goes on. Around these accesses the memory the
 * program gave to IOAS_MAP is compared with a copy: what the program wrote since is recorded
 * before a register write or a call (the replay writes it too), what changed by a register
 * read is the device's doing (DMA results, which the replay compares).
 */
#define TRAPS 16
#define SHADOWS 64
#define SHADOW_MAX (64u << 20)	/* bytes of copies at most; memory past it is not followed */

static struct trap {
	uintptr_t base;
	size_t len;
	uint64_t off;		/* the region offset of base */
	int fd, own;		/* the program's fd, and a dup of it that it cannot close */
} traps[TRAPS];
static struct shadow {
	uintptr_t va;
	size_t len;
	uint8_t *copy;
	uint32_t ioas;
	uint64_t iova;
} shadows[SHADOWS];
static size_t shadow_bytes;
static atomic_flag shadow_lock = ATOMIC_FLAG_INIT;

static void lock_shadows(void)
{
	while (atomic_flag_test_and_set_explicit(&shadow_lock, memory_order_acquire))
		;
}

static void unlock_shadows(void)
{
	atomic_flag_clear_explicit(&shadow_lock, memory_order_release);
}

/* what changed in the followed memory since the last look, as ISH_REC_MEM records */
static void mem_sync(int by_device)
{
	size_t i, a, b, blk = 64;

	if (!mmio_mode)
		return;
	lock_shadows();
	for (i = 0; i < SHADOWS; i++) {
		struct shadow *s = &shadows[i];
		const uint8_t *cur = (const uint8_t *)s->va;

		if (!s->copy)
			continue;
		for (a = 0; a < s->len;) {
			size_t n = s->len - a < blk ? s->len - a : blk;

			if (!memcmp(cur + a, s->copy + a, n)) {
				a += n;
				continue;
			}
			while (cur[a] == s->copy[a])
				a++;
			/* a run of changed bytes, gaps under 16 bytes included */
			for (b = a + 1; b < s->len && b - a < ISH_REC_BUF_MAX; b++) {
				size_t g = 0;

				while (b + g < s->len && g < 16 && cur[b + g] == s->copy[b + g])
					g++;
				if (g == 16 || b + g == s->len)
					break;
				b += g;
			}
			memcpy(s->copy + a, cur + a, b - a);
			{
				struct ish_rec r = { .op = ISH_REC_MEM, .fd = -1, .rc = by_device,
						     .off = s->va + a, .len = b - a,
						     .buf = s->copy + a, .buflen = b - a };

				put(&r);
			}
			a = b;
		}
	}
	unlock_shadows();
}

/* IOAS_MAP of [va, va + len) succeeded: follow it, its content first */
static void shadow_add(uintptr_t va, size_t len, uint32_t ioas, uint64_t iova)
{
	size_t i;

	if (!mmio_mode || !len || shadow_bytes + len > SHADOW_MAX)
		return;
	lock_shadows();
	for (i = 0; i < SHADOWS && shadows[i].copy; i++)
		;
	if (i < SHADOWS) {
		void *c = real_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);

		if (c != MAP_FAILED) {
			shadows[i] = (struct shadow){ va, len, c, ioas, iova };
			shadow_bytes += len;
		}
	}
	unlock_shadows();
	mem_sync(0);
}

/* stop following memory that goes away: unmapped from the IOAS, the IOAS destroyed, munmap */
static void shadow_drop(bool (*gone)(const struct shadow *, const void *), const void *arg)
{
	size_t i;

	lock_shadows();
	for (i = 0; i < SHADOWS; i++) {
		if (shadows[i].copy && gone(&shadows[i], arg)) {
			real_munmap(shadows[i].copy, shadows[i].len);
			shadow_bytes -= shadows[i].len;
			shadows[i].copy = NULL;
		}
	}
	unlock_shadows();
}

struct range {
	uintptr_t a;
	size_t len;
	uint32_t ioas;
};

static bool by_va(const struct shadow *s, const void *arg)
{
	const struct range *r = arg;

	return s->va < r->a + r->len && r->a < s->va + s->len;
}

static bool by_iova(const struct shadow *s, const void *arg)
{
	const struct range *r = arg;

	return s->ioas == r->ioas && s->iova < r->a + r->len && r->a < s->iova + s->len;
}

static bool by_ioas(const struct shadow *s, const void *arg)
{
	return s->ioas == ((const struct range *)arg)->ioas;
}

static bool any(const struct shadow *s, const void *arg)
{
	(void)s;
	(void)arg;
	return true;
}

#if defined(__aarch64__) || defined(__x86_64__)
#include <signal.h>
#include <ucontext.h>

static struct sigaction old_segv;

static struct trap *trap_of(uintptr_t a)
{
	size_t i;

	for (i = 0; i < TRAPS; i++)
		if (traps[i].len && a >= traps[i].base && a - traps[i].base < traps[i].len)
			return &traps[i];
	return NULL;
}

/* one access: a store of @v, or a load whose value goes to the register as @put_reg says */
struct access {
	bool store;
	unsigned int width;
	uint64_t v;
};

#if defined(__aarch64__)
/*
 * A load or store of a general register (LDR/STR and their byte, halfword, signed, unscaled,
 * pre- and post-index and register-offset forms), or false for anything else (pairs, SIMD,
 * exclusives).
 */
static bool decode(ucontext_t *uc, struct access *x)
{
	uint32_t insn = *(const uint32_t *)uc->uc_mcontext.pc;
	unsigned int size = insn >> 30, opc = (insn >> 22) & 3, rt = insn & 31;

	if ((insn & 0x3f000000) == 0x39000000) {
		/* unsigned immediate offset */
	} else if ((insn & 0x3f200000) == 0x38000000) {
		if (((insn >> 10) & 3) == 2)
			return false;		/* unprivileged LDTR/STTR */
	} else if ((insn & 0x3f200c00) != 0x38200800) {	/* register offset */
		return false;
	}
	/* opc 2 on a doubleword is a prefetch, opc 3 sign-extends to 32 bits below a word */
	if ((size == 3 && opc >= 2) || (size == 2 && opc == 3))
		return false;
	x->store = opc == 0;
	x->width = 1u << size;
	x->v = x->store && rt != 31 ? uc->uc_mcontext.regs[rt] : 0;
	return true;
}

static void finish(ucontext_t *uc, const struct access *x, uint64_t v)
{
	uint32_t insn = *(const uint32_t *)uc->uc_mcontext.pc;
	unsigned int size = insn >> 30, opc = (insn >> 22) & 3, rt = insn & 31;
	unsigned int bits = 8u << size, rn = (insn >> 5) & 31;

	if (!x->store && rt != 31) {
		if (opc >= 2 && bits < 64)
			v = (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
		if (opc == 3)
			v = (uint32_t)v;	/* sign-extended to 32 bits, the top cleared */
		uc->uc_mcontext.regs[rt] = v;
	}
	if ((insn & 0x3f200000) == 0x38000000 && ((insn >> 10) & 1)) {
		/* post- or pre-index: the base register moves by the 9-bit offset */
		int64_t imm9 = (int64_t)((insn >> 12) & 0x1ff);

		if (imm9 & 0x100)
			imm9 -= 0x200;
		if (rn == 31)
			uc->uc_mcontext.sp += (uint64_t)imm9;
		else
			uc->uc_mcontext.regs[rn] += (uint64_t)imm9;
	}
	uc->uc_mcontext.pc += 4;
}
#else
/* the general registers by their number in an instruction */
static const int gpr[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* the MOV forms a compiler makes of a volatile access: to or from a register, an immediate */
struct x86 {
	size_t len;
	int reg;		/* the register operand, or -1 */
	uint8_t op;
	bool twobyte, rex;
};

static bool x86_decode(const uint8_t *ip, struct x86 *d, struct access *x, ucontext_t *uc)
{
	const uint8_t *p = ip;
	bool o16 = false;
	unsigned int rex = 0, mod, rm, regf;
	uint8_t modrm;

	while (*p == 0x66) {
		o16 = true;
		p++;
	}
	if ((*p & 0xf0) == 0x40)
		rex = *p++;
	d->op = *p++;
	d->twobyte = d->op == 0x0f;
	if (d->twobyte)
		d->op = *p++;
	modrm = *p++;
	mod = modrm >> 6;
	rm = modrm & 7;
	regf = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (mod == 3)
		return false;
	if (rm == 4 && (*p++ & 7) == 5 && mod == 0)
		p += 4;
	p += mod == 1 ? 1 : mod == 2 ? 4 : mod == 0 && rm == 5 ? 4 : 0;
	x->width = rex & 8 ? 8 : o16 ? 2 : 4;
	d->reg = (int)regf;
	d->rex = rex != 0;
	if (d->twobyte) {
		if (d->op != 0xb6 && d->op != 0xb7)
			return false;		/* movzx of a byte or a word */
		x->store = false;
		x->width = d->op == 0xb6 ? 1 : 2;
	} else {
		switch (d->op) {
		case 0x88: case 0x8a:
			if (!rex && regf >= 4)
				return false;	/* AH..BH */
			x->width = 1;
			/* fall through */
		case 0x89: case 0x8b:
			x->store = d->op == 0x88 || d->op == 0x89;
			if (x->store)
				x->v = (uint64_t)uc->uc_mcontext.gregs[gpr[regf]];
			break;
		case 0xc6: case 0xc7:
			if (regf & 7)
				return false;
			x->store = true;
			if (d->op == 0xc6) {
				x->width = 1;
				x->v = *p++;
			} else if (o16 && !(rex & 8)) {
				x->v = (uint16_t)(p[0] | p[1] << 8);
				p += 2;
			} else {
				int32_t imm;

				memcpy(&imm, p, 4);
				x->v = (uint64_t)(int64_t)imm;
				p += 4;
			}
			d->reg = -1;
			break;
		default:
			return false;
		}
	}
	d->len = (size_t)(p - ip);
	return true;
}

static struct x86 cur_insn;	/* decode() to finish(), inside one signal */

static bool decode(ucontext_t *uc, struct access *x)
{
	return x86_decode((const uint8_t *)uc->uc_mcontext.gregs[REG_RIP], &cur_insn, x, uc);
}

static void finish(ucontext_t *uc, const struct access *x, uint64_t v)
{
	const struct x86 *d = &cur_insn;

	if (!x->store && d->reg >= 0) {
		greg_t *r = &uc->uc_mcontext.gregs[gpr[d->reg]];

		if (d->twobyte || x->width >= 4)
			*r = (greg_t)v;		/* movzx, and a 32-bit load zero-extends */
		else if (x->width == 2)
			*r = (greg_t)(((uint64_t)*r & ~0xffffull) | v);
		else
			*r = (greg_t)(((uint64_t)*r & ~0xffull) | v);
	}
	uc->uc_mcontext.gregs[REG_RIP] += (greg_t)d->len;
}
#endif

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct trap *t = trap_of((uintptr_t)si->si_addr);
	struct access x = { 0 };
	uint64_t v = 0, at;
	int saved = errno;
	ssize_t n;

	if (!t) {
		/* not ours: what the program had, or the default (the fault repeats and kills) */
		if (old_segv.sa_flags & SA_SIGINFO)
			old_segv.sa_sigaction(sig, si, ucv);
		else if (old_segv.sa_handler != SIG_DFL && old_segv.sa_handler != SIG_IGN)
			old_segv.sa_handler(sig);
		else
			signal(SIGSEGV, SIG_DFL);
		return;
	}
	if (!decode(uc, &x)) {
		/* an access that cannot be made for the program: the recording is refused */
		struct ish_rec r = { .op = ISH_REC_REFUSE, .fd = -1, .path = "a BAR access",
				     .buf = "(an instruction --mmio cannot make)" };

		r.buflen = strlen(r.buf);
		put(&r);
		mprotect((void *)t->base, t->len, PROT_READ | PROT_WRITE);
		errno = saved;
		return;
	}
	at = t->off + ((uintptr_t)si->si_addr - t->base);
	if (x.store) {
		v = x.v;
		mem_sync(0);	/* what the program wrote, before the device is told */
		n = real_pwrite(t->own, &v, x.width, (off_t)at);
		region_rec(ISH_REC_PWRITE, t->fd, &v, x.width, (off_t)at, n);
	} else {
		n = real_pread(t->own, &v, x.width, (off_t)at);
		if (n != (ssize_t)x.width)
			v = ~0ull;	/* as a read the device does not answer */
		region_rec(ISH_REC_PREAD, t->fd, &v, x.width, (off_t)at, n);
		if (x.width < 8)
			v &= (1ull << (8 * x.width)) - 1;
	}
	finish(uc, &x, v);
	if (!x.store)
		mem_sync(1);	/* what changed while the device ran: its results */
	errno = saved;
}

/* trap the accesses to [p, p + len), BAR region offset @off of @fd: false when it cannot */
static bool trap_add(int fd, void *p, size_t len, off_t off)
{
	static bool installed;
	size_t i;
	int own;

	for (i = 0; i < TRAPS && traps[i].len; i++)
		;
	/* dup, not fcntl: the one a preloaded test kernel hands out too */
	if (i == TRAPS || (own = real_dup(fd)) < 0)
		return false;
	real_fcntl(own, F_SETFD, FD_CLOEXEC);
	if (!installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &old_segv) < 0) {
			real_close(own);
			return false;
		}
		installed = true;
	}
	if (mprotect(p, len, PROT_NONE) < 0) {
		real_close(own);
		return false;
	}
	traps[i] = (struct trap){ (uintptr_t)p, len, (uint64_t)off, fd, own };
	return true;
}

static void trap_drop(uintptr_t a, size_t len)
{
	size_t i;

	for (i = 0; i < TRAPS; i++) {
		if (traps[i].len && traps[i].base < a + len && a < traps[i].base + traps[i].len) {
			real_close(traps[i].own);
			traps[i].len = 0;
		}
	}
}
#else
static bool trap_add(int fd, void *p, size_t len, off_t off)
{
	(void)fd, (void)p, (void)len, (void)off;
	return false;
}

static void trap_drop(uintptr_t a, size_t len)
{
	(void)a, (void)len;
}
#endif

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

/* --mmio: memory an IOAS maps is followed from IOAS_MAP until it is unmapped or destroyed */
static void follow_memory(unsigned long req, const void *out, size_t argsz)
{
	struct range g = { 0 };

	if (req == IOMMU_IOAS_MAP && argsz >= sizeof(struct iommu_ioas_map)) {
		const struct iommu_ioas_map *m = out;

		shadow_add((uintptr_t)m->user_va, (size_t)m->length, m->ioas_id, m->iova);
	} else if (req == IOMMU_IOAS_UNMAP && argsz >= sizeof(struct iommu_ioas_unmap)) {
		const struct iommu_ioas_unmap *u = out;

		g.a = (uintptr_t)u->iova;
		g.len = (size_t)u->length;
		g.ioas = u->ioas_id;
		shadow_drop(u->iova || u->length != UINT64_MAX ? by_iova : by_ioas, &g);
	} else if (req == IOMMU_DESTROY && argsz >= sizeof(struct iommu_destroy)) {
		g.ioas = ((const struct iommu_destroy *)out)->id;
		shadow_drop(by_ioas, &g);
	}
}

ISH_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	unsigned char in[ISH_REC_ARG_MAX], small[1024], *buf = NULL;
	struct ish_rec r = { .op = ISH_REC_IOCTL };
	uint32_t size = 0;
	va_list ap;
	void *arg;
	int rc, k, saved;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	k = kind(fd);
	if (k == K_NONE)
		return real_ioctl(fd, req, arg);
	/* iommufd and VFIO structs begin with their own size (size / argsz) */
	if (_IOC_TYPE(req) == IOMMUFD_TYPE)
		size = peek_struct(arg, in);
	if (shadow_bytes)
		mem_sync(0);	/* what the program wrote before the call (a CD, page tables) */
	rc = real_ioctl(fd, req, arg);
	saved = errno;
	r.fd = fd;
	r.request = req;
	r.rc = result(rc);
	if (size) {
		/*
		 * readable before the call, so after it (the kernel wrote there, unless EFAULT):
		 * the frame copies it from there, no copy aside
		 */
		r.argsz = size;
		r.in = in;
		r.out = arg;
	}
	if (r.argsz >= 32) {	/* every struct with a buffer is at least that long */
		size_t len;
		const void *src = ioctl_buf(req, in, arg, &len);

		if (src && len && len <= ISH_REC_BUF_MAX) {
			if (rc == 0) {
				/* a call that succeeded read (or wrote) its buffer: it is mapped */
				r.buf = src;
				r.buflen = len;
			} else if ((buf = len <= sizeof(small) ? small : malloc(len))) {
				r.buflen = peek(src, len, buf);
				r.buf = r.buflen ? buf : NULL;
			}
		}
	}
	if (rc == 0 && req == IOMMU_VEVENTQ_ALLOC && r.argsz >= sizeof(struct iommu_veventq_alloc))
		set_kind((int)((struct iommu_veventq_alloc *)arg)->out_veventq_fd, K_VEVENTQ);
	put_frame(&r);	/* errno is restored below */
	if (rc == 0 && mmio_mode && k == K_IOMMUFD && r.argsz)
		follow_memory(req, arg, r.argsz);
	if (buf && buf != small)
		free(buf);
	errno = saved;
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

		if (p != MAP_FAILED && mmio_mode && kind(fd) == K_DEVICE && trap_add(fd, p, len, off))
			r.request = 1;	/* its accesses follow as region reads and writes */
		put(&r);
	}
	return p;
}

ISH_EXPORT int munmap(void *p, size_t len)
{
	struct range g = { (uintptr_t)p, len, 0 };

	if (mmio_mode) {
		trap_drop((uintptr_t)p, len);
		shadow_drop(by_va, &g);
	}
	return real_munmap(p, len);
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
	if (k == K_IOMMUFD && shadow_bytes)
		shadow_drop(any, NULL);	/* the iommufd's IOASes go with it */
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
