/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one choke point below the core: every kernel call iommush makes goes through an ops
 * table. The kernel backend issues the real syscalls on /dev/iommu and VFIO cdevs; the sim
 * backend serves the very same request numbers and uAPI structs in-process.
 *
 * Every op returns a non-negative value on success and -errno on failure. No op prints.
 */
#ifndef IOMMUSH_BACKEND_H
#define IOMMUSH_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ISH_BDF_LEN 16
#define ISH_NAME_LEN 128

/* One PCI function as enumeration sees it. */
struct ish_pci_dev {
	char bdf[ISH_BDF_LEN];		/* "0000:00:01.0" */
	uint16_t vendor, device;
	uint32_t class;			/* 24-bit class code */
	char name[ISH_NAME_LEN];	/* vendor + device names (libpci, or the sim's) */
	char driver[32];		/* bound host driver, "" if none */
	int iommu_group;		/* -1 when the function has no IOMMU group */
	char cdev[64];			/* "/dev/vfio/devices/vfioN", "" when not on vfio-pci */
	char iommu[64];			/* physical IOMMU instance, e.g. "arm-smmu-v3.0.auto" */
};

struct ish_backend;

typedef int (*ish_pci_cb)(void *arg, const struct ish_pci_dev *dev);

struct ish_ops {
	const char *name;			/* "kernel" or "sim" */
	/* open /dev/iommu: an fd */
	int (*open_iommufd)(struct ish_backend *be);
	/* open the VFIO cdev of a device given by BDF or cdev path; fills *info */
	int (*open_device)(struct ish_backend *be, const char *spec, struct ish_pci_dev *info);
	int (*close)(struct ish_backend *be, int fd);
	/* 0 or -errno; like ioctl(2) the struct is updated in place */
	int (*ioctl)(struct ish_backend *be, int fd, unsigned long request, void *arg);
	ssize_t (*read)(struct ish_backend *be, int fd, void *buf, size_t len);
	ssize_t (*write)(struct ish_backend *be, int fd, const void *buf, size_t len);
	/* 1 when readable, 0 on timeout, -errno; timeout_ms < 0 waits forever */
	int (*poll)(struct ish_backend *be, int fd, int timeout_ms);
	/* VFIO region access at an absolute file offset */
	ssize_t (*pread)(struct ish_backend *be, int fd, void *buf, size_t len, uint64_t off);
	ssize_t (*pwrite)(struct ish_backend *be, int fd, const void *buf, size_t len, uint64_t off);
	/* enumeration: cb returning non-zero stops the walk and is returned */
	int (*pci_list)(struct ish_backend *be, ish_pci_cb cb, void *arg);
	int (*pci_lookup)(struct ish_backend *be, const char *spec, struct ish_pci_dev *info);
	/* rebind a function to vfio-pci (kernel only, only when asked); restore on release */
	int (*pci_use_vfio)(struct ish_backend *be, const char *bdf);
	void (*free)(struct ish_backend *be);
	/* mmap(2) MAP_SHARED read/write of @len bytes at @off of @fd: 0 and *addr, or -errno;
	 * NULL when the backend cannot (-ENODEV) */
	int (*mmap)(struct ish_backend *be, int fd, uint64_t off, size_t len, void **addr);
	int (*munmap)(struct ish_backend *be, void *addr, size_t len);
	/*
	 * Memory whose bytes are physically contiguous within each huge page, for tables a
	 * device walks (mem alloc SIZE huge). *page is the huge page size, set on every return;
	 * -EINVAL when @size is not a multiple of it, -ENOMEM when none are reserved. The kernel
	 * backend maps hugetlb pages (MAP_HUGETLB); the simulator has no physical addresses,
	 * ordinary memory is contiguous enough for it. NULL: -EOPNOTSUPP.
	 */
	int (*map_huge)(struct ish_backend *be, size_t size, size_t *page, void **va);
};

struct ish_backend {
	const struct ish_ops *ops;
};

/*
 * "[DDDD:]BB:DD.F" (libpci's slot syntax, any hex case) into the canonical "dddd:bb:dd.f"
 * sysfs uses; a missing domain is 0000. -EINVAL when malformed.
 */
int ish_bdf_canon(const char *spec, char out[ISH_BDF_LEN]);

/* The kernel backend; -errno in *err when /dev/iommu cannot be used. */
struct ish_backend *ish_kernel_backend_new(int *err);

#endif
