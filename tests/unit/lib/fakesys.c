// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fakesys.h"

__attribute__((format(printf, 3, 4)))
static int fs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p */
static int mkdirs(const char *path)
{
	char tmp[PATH_MAX], *p;

	if (fs_path(tmp, sizeof(tmp), "%s", path))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int put_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

static int put_link(const char *target, const char *path)
{
	unlink(path);
	return symlink(target, path) < 0 ? -errno : 0;
}

/* sys/devices/pciDDDD:BB/BDF, as the kernel places a function on a root bus */
static int dev_dir(const struct fakesys *fs, const char *bdf, char *buf, size_t len)
{
	return fs_path(buf, len, "%s/devices/pci%.7s/%s", fs->sys, bdf, bdf);
}

int fakesys_create(struct fakesys *fs)
{
	static const char *const dirs[] = {
		"sys/bus/pci/devices", "sys/bus/pci/drivers", "sys/class/vfio-dev",
		"sys/kernel/iommu_groups", "sys/devices/platform", "dev/vfio/devices",
	};
	char path[PATH_MAX];
	size_t i;
	int rc;

	memset(fs, 0, sizeof(*fs));
	snprintf(fs->root, sizeof(fs->root), "%s/ish-fakesys-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fs->root))
		return -errno;
	if (fs_path(fs->sys, sizeof(fs->sys), "%s/sys", fs->root) ||
	    fs_path(fs->dev, sizeof(fs->dev), "%s/dev", fs->root))
		return -ENAMETOOLONG;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (fs_path(path, sizeof(path), "%s/%s", fs->root, dirs[i]))
			return -ENAMETOOLONG;
		rc = mkdirs(path);
		if (rc < 0)
			return rc;
	}
	if (fs_path(path, sizeof(path), "%s/bus/pci/drivers_probe", fs->sys))
		return -ENAMETOOLONG;
	rc = put_file(path, "");
	if (rc < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/iommu", fs->dev))
		return -ENAMETOOLONG;
	return put_file(path, "");
}

void fakesys_env(const struct fakesys *fs)
{
	setenv("ISH_SYSFS_ROOT", fs->sys, 1);
	setenv("ISH_DEV_ROOT", fs->dev, 1);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void fakesys_destroy(struct fakesys *fs)
{
	if (fs->root[0])
		nftw(fs->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("ISH_SYSFS_ROOT");
	unsetenv("ISH_DEV_ROOT");
	fs->root[0] = '\0';
}

int fakesys_add_driver(struct fakesys *fs, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	int rc;

	if (fs_path(path, sizeof(path), "%s/bus/pci/drivers/%s", fs->sys, name))
		return -ENAMETOOLONG;
	if (!stat(path, &st))
		return 0;
	rc = mkdirs(path);
	if (rc < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/bus/pci/drivers/%s/bind", fs->sys, name))
		return -ENAMETOOLONG;
	rc = put_file(path, "");
	if (rc < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/bus/pci/drivers/%s/unbind", fs->sys, name))
		return -ENAMETOOLONG;
	return put_file(path, "");
}

static int add_attr(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX];

	if (fs_path(path, sizeof(path), "%s/%s", dir, name))
		return -ENAMETOOLONG;
	return put_file(path, val);
}

/* a vfioN cdev: vfio-dev/vfioN with its device link, the class link and the /dev node */
static int add_cdev(struct fakesys *fs, const char *bdf, const char *dir, int n)
{
	char path[PATH_MAX], target[PATH_MAX];
	int rc;

	if (fs_path(path, sizeof(path), "%s/vfio-dev/vfio%d", dir, n))
		return -ENAMETOOLONG;
	rc = mkdirs(path);
	if (rc < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/vfio-dev/vfio%d/device", dir, n) ||
	    fs_path(target, sizeof(target), "../../../%s", bdf))
		return -ENAMETOOLONG;
	rc = put_link(target, path);
	if (rc < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/class/vfio-dev/vfio%d", fs->sys, n) ||
	    fs_path(target, sizeof(target), "../../devices/pci%.7s/%s/vfio-dev/vfio%d", bdf,
		    bdf, n))
		return -ENAMETOOLONG;
	rc = put_link(target, path);
	if (rc < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/vfio/devices/vfio%d", fs->dev, n))
		return -ENAMETOOLONG;
	return put_file(path, "");
}

int fakesys_bind(struct fakesys *fs, const char *bdf, const char *driver, int vfio)
{
	char dir[PATH_MAX], path[PATH_MAX], target[PATH_MAX];
	int rc;

	if (dev_dir(fs, bdf, dir, sizeof(dir)) ||
	    fs_path(path, sizeof(path), "%s/driver", dir))
		return -ENAMETOOLONG;
	unlink(path);
	if (driver) {
		rc = fakesys_add_driver(fs, driver);
		if (rc < 0)
			return rc;
		if (fs_path(target, sizeof(target), "../../../bus/pci/drivers/%s", driver))
			return -ENAMETOOLONG;
		rc = put_link(target, path);
		if (rc < 0)
			return rc;
	}
	return vfio >= 0 ? add_cdev(fs, bdf, dir, vfio) : 0;
}

int fakesys_add_device(struct fakesys *fs, const struct fakesys_dev *d)
{
	char dir[PATH_MAX], path[PATH_MAX], target[PATH_MAX], val[32];
	int rc;

	if (dev_dir(fs, d->bdf, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	rc = mkdirs(dir);
	if (rc < 0)
		return rc;
	snprintf(val, sizeof(val), "0x%04x\n", d->vendor);
	if ((rc = add_attr(dir, "vendor", val)) < 0)
		return rc;
	snprintf(val, sizeof(val), "0x%04x\n", d->device);
	if ((rc = add_attr(dir, "device", val)) < 0)
		return rc;
	snprintf(val, sizeof(val), "0x%06x\n", d->class);
	if ((rc = add_attr(dir, "class", val)) < 0 ||
	    (rc = add_attr(dir, "driver_override", "(null)\n")) < 0)
		return rc;
	if (fs_path(path, sizeof(path), "%s/bus/pci/devices/%s", fs->sys, d->bdf) ||
	    fs_path(target, sizeof(target), "../../../devices/pci%.7s/%s", d->bdf, d->bdf))
		return -ENAMETOOLONG;
	if ((rc = put_link(target, path)) < 0)
		return rc;
	if (d->group >= 0) {
		if (fs_path(path, sizeof(path), "%s/kernel/iommu_groups/%d", fs->sys, d->group))
			return -ENAMETOOLONG;
		if ((rc = mkdirs(path)) < 0)
			return rc;
		if (fs_path(path, sizeof(path), "%s/iommu_group", dir) ||
		    fs_path(target, sizeof(target), "../../../kernel/iommu_groups/%d", d->group))
			return -ENAMETOOLONG;
		if ((rc = put_link(target, path)) < 0)
			return rc;
	}
	if (d->iommu) {
		/* an SMMUv3 registers its iommu device under its platform device */
		if (fs_path(path, sizeof(path), "%s/devices/platform/arm-smmu-v3.0.auto/iommu/%s",
			    fs->sys, d->iommu))
			return -ENAMETOOLONG;
		if ((rc = mkdirs(path)) < 0)
			return rc;
		if (fs_path(path, sizeof(path), "%s/iommu", dir) ||
		    fs_path(target, sizeof(target), "../../platform/arm-smmu-v3.0.auto/iommu/%s",
			    d->iommu))
			return -ENAMETOOLONG;
		if ((rc = put_link(target, path)) < 0)
			return rc;
	}
	return fakesys_bind(fs, d->bdf, d->driver, d->vfio);
}

int fakesys_read(const struct fakesys *fs, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (fs_path(path, sizeof(path), "%s/%s", fs->root, rel))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int fakesys_write(const struct fakesys *fs, const char *rel, const char *val)
{
	char path[PATH_MAX];

	if (fs_path(path, sizeof(path), "%s/%s", fs->root, rel))
		return -ENAMETOOLONG;
	return put_file(path, val);
}

/* nftw() takes no argument: the walk in progress, one at a time */
static struct {
	char *buf;
	size_t len, used;
	size_t skip;	/* length of the root prefix */
} snap;

static void snap_put(const char *s)
{
	size_t n = strlen(s);

	if (snap.used + n + 1 > snap.len) {
		char *nb = realloc(snap.buf, (snap.used + n + 1) * 2);

		if (!nb)
			abort();
		snap.buf = nb;
		snap.len = (snap.used + n + 1) * 2;
	}
	memcpy(snap.buf + snap.used, s, n + 1);
	snap.used += n;
}

static int snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char val[PATH_MAX];
	ssize_t n;
	int fd;

	(void)st;
	(void)ftw;
	val[0] = '\0';
	if (flag == FTW_SL) {
		n = readlink(path, val, sizeof(val) - 1);
		val[n < 0 ? 0 : n] = '\0';
		snap_put(path + snap.skip);
		snap_put(" -> ");
	} else if (flag == FTW_F) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? 0 : read(fd, val, sizeof(val) - 1);
		if (fd >= 0)
			close(fd);
		val[n < 0 ? 0 : n] = '\0';
		snap_put(path + snap.skip);
		snap_put(" = ");
	} else {
		return 0;
	}
	snap_put(val);
	snap_put("\n");
	return 0;
}

char *fakesys_snapshot(const struct fakesys *fs)
{
	char *out;

	memset(&snap, 0, sizeof(snap));
	snap.skip = strlen(fs->root);
	snap_put("");
	nftw(fs->sys, snap_one, 16, FTW_PHYS);
	out = snap.buf;
	memset(&snap, 0, sizeof(snap));
	return out;
}
