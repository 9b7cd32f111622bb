// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a recorded call's time goes on this machine (the live VM, where QEMU's TCG emulates
 * every instruction and perf is not there): each step the interposer takes for a call, timed
 * alone in a loop, next to the kernel calls it records. Medians [min-max] of 11 rounds of
 * 2000, ns a step. Built in the live VM (tests/live/run) and by make. Prints; never asserts.
 *   record-parts [/dev/iommu]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
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
#include "../bench.h"

#define ROUNDS 11
#define N 2000

static int iofd = -1;
static unsigned char *shm;
static _Atomic uint64_t *used;
static unsigned char src[256];
static volatile uint64_t sink;

static void s_empty(int i) { sink = (uint64_t)i; }

static void s_clock(int i)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sink = (uint64_t)ts.tv_nsec + (uint64_t)i;
}

static void s_coarse(int i)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	sink = (uint64_t)ts.tv_nsec + (uint64_t)i;
}

static void s_getpid(int i) { sink = (uint64_t)syscall(SYS_getpid) + (uint64_t)i; }

static void s_atomic(int i) { sink = atomic_fetch_add(used, 96) + (uint64_t)i; }

static void s_frame(int i)
{
	/* a frame of IOAS_ALLOC: its head and the struct twice, into the shared mapping */
	memcpy(shm + (size_t)(i % 4096) * 96, src, 96);
}

/* a copy through libc's memcpy (a call: two indirect jumps) and one inline, word by word */
static void s_memcpy(int i)
{
	void *(*volatile cp)(void *, const void *, size_t) = memcpy;

	cp(shm + (size_t)(i % 4096) * 96, src, 40);
}

static void s_words(int i)
{
	unsigned char *d = shm + (size_t)(i % 4096) * 96;
	const unsigned char *p = src;
	uint64_t w;
	size_t n;

	for (n = 40; n >= 8; n -= 8, d += 8, p += 8) {
		__builtin_memcpy(&w, p, 8);
		__builtin_memcpy(d, &w, 8);
	}
}

/* a call and its return: the floor of every function the interposer calls */
static __attribute__((noinline)) void nothing(int i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
}

static void s_call(int i)
{
	void (*volatile fn)(int) = nothing;

	fn(i);
}

#ifdef __aarch64__
/* the counter clock_gettime reads, read directly (what a timestamp could cost at least) */
static void s_counter(int i)
{
	uint64_t c;

	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(c));
	sink = c + (uint64_t)i;
}
#endif

static void s_vmreadv(int i)
{
	unsigned char dst[64];
	struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(dst) };

	sink = (uint64_t)process_vm_readv(getpid(), &l, 1, &r, 1, 0) + (uint64_t)i;
}

static void s_enotty(int i) { sink = (uint64_t)ioctl(iofd, _IO(0x3b, 0x7f), 0) + (uint64_t)i; }

static void s_alloc(int i)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_destroy d = { .size = sizeof(d) };

	if (ioctl(iofd, IOMMU_IOAS_ALLOC, &a) == 0) {
		d.id = a.out_ioas_id;
		ioctl(iofd, IOMMU_DESTROY, &d);
	}
	sink = (uint64_t)i;
}

int main(int argc, char **argv)
{
	static const struct { const char *what; void (*fn)(int); int calls; } steps[] = {
		{ "an empty step (the loop)", s_empty, 1 },
		{ "clock_gettime(CLOCK_MONOTONIC)", s_clock, 1 },
		{ "clock_gettime(CLOCK_MONOTONIC_COARSE)", s_coarse, 1 },
#ifdef __aarch64__
		{ "the counter read directly (cntvct_el0)", s_counter, 1 },
#endif
		{ "a call through a pointer, and return", s_call, 1 },
		{ "a null system call (getpid)", s_getpid, 1 },
		{ "atomic add on the shared mapping", s_atomic, 1 },
		{ "a 96-byte frame copied into it", s_frame, 1 },
		{ "40 bytes through memcpy (a call)", s_memcpy, 1 },
		{ "40 bytes inline, word by word", s_words, 1 },
		{ "process_vm_readv of 64 bytes", s_vmreadv, 1 },
		{ "an iommufd ioctl that fails (ENOTTY)", s_enotty, 1 },
		{ "IOAS_ALLOC + DESTROY, a call", s_alloc, 2 },
	};
	/* where iommush record puts its raw file: /dev/shm, else /tmp (the live VM has no shm) */
	char name[] = "/dev/shm/record-parts-XXXXXX", alt[] = "/tmp/record-parts-XXXXXX";
	int fd = mkstemp(name), k, i, s;
	const char *at = name;

	if (fd < 0) {
		fd = mkstemp(alt);
		at = alt;
	}
	iofd = open(argc > 1 ? argv[1] : "/dev/iommu", O_RDWR);
	if (fd < 0 || ftruncate(fd, 1 << 20) < 0) {
		printf("record-parts: no file for the shared mapping: %s\n", strerror(errno));
		return 1;
	}
	shm = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	unlink(at);
	if (shm == MAP_FAILED) {
		printf("record-parts: mmap: %s\n", strerror(errno));
		return 1;
	}
	used = (_Atomic uint64_t *)(shm + (1 << 20) - 64);
	for (s = 0; s < (int)(sizeof(steps) / sizeof(steps[0])); s++) {
		struct bench_stat st = { .n = 0 };

		if (iofd < 0 && steps[s].fn == s_alloc)
			continue;
		for (k = 0; k < ROUNDS; k++) {
			double t0 = bench_now();

			for (i = 0; i < N; i++)
				steps[s].fn(i);
			bench_add(&st, (bench_now() - t0) * 1e9 / N / steps[s].calls);
		}
		printf("%-40s %8.0f [%.0f-%.0f] ns\n", steps[s].what, bench_median(&st),
		       bench_min(&st), bench_max(&st));
	}
	return 0;
}
