/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake sysfs + /dev tree in a temporary directory, laid out with the same directories and
 * symlinks the kernel makes, for running the kernel backend through ISH_SYSFS_ROOT and
 * ISH_DEV_ROOT. Attributes are plain files: a write by the backend just stays there for the
 * test to read, and nothing reacts to it; a test plays the kernel's part with fakesys_bind().
 */
#ifndef ISH_TEST_FAKESYS_H
#define ISH_TEST_FAKESYS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct fakesys {
	char root[PATH_MAX];	/* the temporary directory */
	char sys[PATH_MAX];	/* root/sys */
	char dev[PATH_MAX];	/* root/dev */
};

struct fakesys_dev {
	const char *bdf;	/* canonical "0000:00:01.0" */
	uint16_t vendor, device;
	uint32_t class;
	const char *driver;	/* NULL: no driver bound */
	int group;		/* iommu_group number, -1: none */
	const char *iommu;	/* the IOMMU's sysfs name, NULL: no iommu link */
	int vfio;		/* N of its vfioN cdev, -1: none */
};

/* Every helper returns 0 or -errno. */
int fakesys_create(struct fakesys *fs);	/* empty bus, dev/iommu and dev/vfio/devices */
void fakesys_env(const struct fakesys *fs);	/* point ISH_SYSFS_ROOT/ISH_DEV_ROOT at it */
void fakesys_destroy(struct fakesys *fs);	/* rm -rf, and unset the variables */

/* drivers/NAME/{bind,unbind} */
int fakesys_add_driver(struct fakesys *fs, const char *name);
int fakesys_add_device(struct fakesys *fs, const struct fakesys_dev *d);
/* The kernel's side of a (re)bind: the driver link and, if vfio >= 0, a vfioN cdev. */
int fakesys_bind(struct fakesys *fs, const char *bdf, const char *driver, int vfio);

/* A file relative to the root ("sys/bus/pci/drivers_probe"): read it whole, or replace it. */
int fakesys_read(const struct fakesys *fs, const char *rel, char *buf, size_t len);
int fakesys_write(const struct fakesys *fs, const char *rel, const char *val);
/* Every file's content and every link's target under sys/, for "nothing was touched". */
char *fakesys_snapshot(const struct fakesys *fs);

#endif
