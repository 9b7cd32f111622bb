// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A test-only LD_PRELOAD library: the simulator in the place of the kernel, for programs that
 * were not written for it. open("/dev/iommu") and open("/dev/vfio/devices/vfioN") reach the
 * simulated host of ish_sim_new(), and so do ioctl, read, poll, pread, pwrite, dup and close
 * on the fds it hands out; mmap of them fails with ENODEV (the simulator has no mappable
 * BARs). Preloaded after libiommush-record.so, it lets `iommush record` be tested end to end
 * on a machine without /dev/iommu. One lock: the simulator is not thread-safe. A forked child
 * gets a copy of the simulated kernel (a real child shares the one kernel), so ids repeat.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include "iommush/backend.h"
#include "iommush/sim.h"

#define EXPORT __attribute__((visibility("default")))
#define NFD 4096

static struct ish_backend *be;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* the fds handed out: 0 = not ours, else the simulator's fd (dup makes aliases) */
static int sim_of[NFD];

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static int (*real_close)(int);
static int (*real_dup)(int);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

__attribute__((constructor))
static void init(void)
{
	real_open = dlsym(RTLD_NEXT, "open");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_read = dlsym(RTLD_NEXT, "read");
	real_pread = dlsym(RTLD_NEXT, "pread");
	real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	real_close = dlsym(RTLD_NEXT, "close");
	real_dup = dlsym(RTLD_NEXT, "dup");
	real_poll = dlsym(RTLD_NEXT, "poll");
	real_mmap = dlsym(RTLD_NEXT, "mmap");
	be = ish_sim_new();
}

static int ours(int fd)
{
	return fd >= 0 && fd < NFD ? sim_of[fd] : 0;
}

static long ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/* a sim fd number, as a number the program can hold: sim fds start at 1000 */
static int hand_out(int simfd)
{
	if (simfd < 0 || simfd >= NFD)
		return simfd < 0 ? simfd : -EMFILE;
	sim_of[simfd] = simfd;
	return simfd;
}

static int sim_open(const char *path)
{
	struct ish_pci_dev info;
	int fd;

	pthread_mutex_lock(&lock);
	if (!strcmp(path, "/dev/iommu"))
		fd = be->ops->open_iommufd(be);
	else
		fd = be->ops->open_device(be, path, &info);
	fd = hand_out(fd);
	pthread_mutex_unlock(&lock);
	return (int)ret(fd);
}

static bool is_sim_path(const char *p)
{
	return p && (!strcmp(p, "/dev/iommu") || !strncmp(p, "/dev/vfio/devices/", 18));
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	if (is_sim_path(path))
		return sim_open(path);
	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	return real_open(path, flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	if (is_sim_path(path))
		return sim_open(path);
	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	return real_openat(dirfd, path, flags, mode);
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!ours(fd))
		return real_ioctl(fd, req, arg);
	pthread_mutex_lock(&lock);
	rc = be->ops->ioctl(be, ours(fd), req, arg);
	/* a vEVENTQ's fd is handed out through the struct */
	if (rc == 0 && req == IOMMU_VEVENTQ_ALLOC)
		hand_out((int)((struct iommu_veventq_alloc *)arg)->out_veventq_fd);
	pthread_mutex_unlock(&lock);
	return (int)ret(rc);
}

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	ssize_t n;

	if (!ours(fd))
		return real_read(fd, buf, len);
	pthread_mutex_lock(&lock);
	n = be->ops->read(be, ours(fd), buf, len);
	pthread_mutex_unlock(&lock);
	return ret(n);
}

EXPORT ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	if (!ours(fd))
		return real_pread(fd, buf, len, off);
	pthread_mutex_lock(&lock);
	n = be->ops->pread(be, ours(fd), buf, len, (uint64_t)off);
	pthread_mutex_unlock(&lock);
	return ret(n);
}

EXPORT ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n;

	if (!ours(fd))
		return real_pwrite(fd, buf, len, off);
	pthread_mutex_lock(&lock);
	n = be->ops->pwrite(be, ours(fd), buf, len, (uint64_t)off);
	pthread_mutex_unlock(&lock);
	return ret(n);
}

/* glibc declares poll's array write-only, so reading .fd looks uninitialized to gcc */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
EXPORT int poll(struct pollfd *p, nfds_t n, int timeout)
{
	int rc;

	if (n != 1 || !ours(p[0].fd))
		return real_poll(p, n, timeout);
	pthread_mutex_lock(&lock);
	rc = be->ops->poll(be, ours(p[0].fd), timeout);
	pthread_mutex_unlock(&lock);
	p[0].revents = rc > 0 ? POLLIN : 0;
	return (int)ret(rc);
}

/*
 * With SIMKERNEL_BARS=1 a device's mmap gives plain memory of that size, so that the
 * interposer's --mmio can trap the accesses and make them as region reads and writes (which
 * reach the simulated device); touched without it, it is memory, not a device.
 */
EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	const char *bars = getenv("SIMKERNEL_BARS");

	if (!ours(fd))
		return real_mmap(addr, len, prot, flags, fd, off);
	if (bars && !strcmp(bars, "1") && sim_of[fd] && (flags & MAP_SHARED))
		return real_mmap(addr, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	errno = ENODEV;
	return MAP_FAILED;
}

EXPORT int dup(int fd)
{
	int i;

	if (!ours(fd))
		return real_dup(fd);
	pthread_mutex_lock(&lock);
	for (i = 3000; i < NFD && sim_of[i]; i++)
		;
	if (i < NFD)
		sim_of[i] = sim_of[fd];
	pthread_mutex_unlock(&lock);
	if (i == NFD) {
		errno = EMFILE;
		return -1;
	}
	return i;
}

EXPORT int close(int fd)
{
	int simfd, i, rc = 0;

	if (!ours(fd))
		return real_close(fd);
	pthread_mutex_lock(&lock);
	simfd = sim_of[fd];
	sim_of[fd] = 0;
	for (i = 0; i < NFD; i++)
		if (sim_of[i] == simfd)
			break;
	if (i == NFD)	/* the last alias: the file goes */
		rc = be->ops->close(be, simfd);
	pthread_mutex_unlock(&lock);
	return (int)ret(rc);
}
