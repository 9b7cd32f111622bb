// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel backend against a fake sysfs + /dev tree: BDF <-> cdev <-> sysfs resolution, the
 * never-rebind rule, pci_use_vfio and its restore (by the files it writes), the ioctl choke
 * point and the -errno mapping of every fd operation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/vfio.h>
#include "config.h"
#include "iommush/iommush.h"
#include "internal.h"	/* white-box: the registry layout */
#include "lib/fakesys.h"
#if HAVE_LIBPCI
#include <pci/pci.h>
#endif

#define BDF_VFIO "0000:00:01.0"		/* on vfio-pci, vfio0, group 5, smmu */
#define BDF_NIC "0000:00:02.0"		/* on e1000e */
#define BDF_BARE "0000:00:03.0"		/* no driver, no group, no iommu */
#define BDF_NIC2 "0000:01:00.0"		/* on e1000e, vfio3 once moved */
#define SMMU "smmu3.0x0000000009050000"

/* a path into the fake tree; they are all far shorter than PATH_MAX */
#define PATHF(buf, ...) assert_true(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

struct kfx {
	struct fakesys fs;
	struct ish_backend *be;
};

static const struct fakesys_dev devs[] = {
	{ BDF_VFIO, 0x1234, 0x11e8, 0x00ff00, "vfio-pci", 5, SMMU, 0 },
	{ BDF_NIC, 0x8086, 0x10d3, 0x020000, "e1000e", 6, SMMU, -1 },
	{ BDF_BARE, 0x1b36, 0x0001, 0x060400, NULL, -1, NULL, -1 },
	{ BDF_NIC2, 0x8086, 0x10d3, 0x020000, "e1000e", 7, SMMU, -1 },
};

static int setup(void **state)
{
	struct kfx *k = calloc(1, sizeof(*k));
	size_t i;
	int err = 1;

	assert_non_null(k);
	assert_int_equal(fakesys_create(&k->fs), 0);
	assert_int_equal(fakesys_add_driver(&k->fs, "vfio-pci"), 0);
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		assert_int_equal(fakesys_add_device(&k->fs, &devs[i]), 0);
	fakesys_env(&k->fs);
	k->be = ish_kernel_backend_new(&err);
	assert_non_null(k->be);
	assert_int_equal(err, 0);
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	struct kfx *k = *state;

	if (k->be)
		k->be->ops->free(k->be);
	fakesys_destroy(&k->fs);
	free(k);
	return 0;
}

static void expect_file(struct kfx *k, const char *rel, const char *want)
{
	char buf[256];

	assert_int_equal(fakesys_read(&k->fs, rel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void expect_dev_file(struct kfx *k, const char *bdf, const char *attr, const char *want)
{
	char rel[128];

	PATHF(rel, "sys/bus/pci/devices/%s/%s", bdf, attr);
	expect_file(k, rel, want);
}

#if HAVE_LIBPCI
static void pci_quiet(char *msg, ...)
{
	(void)msg;
}
#endif

/* What the backend should call the function: libpci's name, or the IDs without it. */
static void expected_name(uint16_t vendor, uint16_t device, char *buf, size_t len)
{
#if HAVE_LIBPCI
	struct pci_access *a = pci_alloc();
	char *s;

	assert_non_null(a);
	a->warning = pci_quiet;
	a->debug = pci_quiet;
	s = pci_lookup_name(a, buf, (int)len, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE |
			    PCI_LOOKUP_NO_HWDB, vendor, device);
	assert_non_null(s);
	if (s != buf)
		snprintf(buf, len, "%s", s);
	pci_cleanup(a);
#else
	snprintf(buf, len, "%04x:%04x", vendor, device);
#endif
}

static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static unsigned int open_fds(void)
{
	unsigned int n = 0;
	DIR *d = opendir("/proc/self/fd");

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- creation ------------------------------------------------------------------------------ */

static void new_fails_without_iommufd(void **state)
{
	struct kfx *k = *state;
	struct ish_backend *be;
	char path[PATH_MAX];
	int err = 0;

	PATHF(path, "%s/iommu", k->fs.dev);
	assert_int_equal(unlink(path), 0);
	be = ish_kernel_backend_new(&err);
	assert_null(be);
	assert_int_equal(err, -ENOENT);
	assert_null(ish_kernel_backend_new(NULL));	/* err is optional */

	/* any other reason comes back as is */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_null(ish_kernel_backend_new(&err));
	assert_int_equal(err, -EISDIR);
}

static int eacces_of_new(void)
{
	int err = 0;

	return ish_kernel_backend_new(&err) ? 1 : err;
}

static void new_fails_eacces(void **state)
{
	struct kfx *k = *state;
	char path[PATH_MAX];
	pid_t pid;
	int st;

	PATHF(path, "%s/iommu", k->fs.dev);
	assert_int_equal(chmod(path, 0600), 0);
	if (geteuid()) {
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(eacces_of_new(), -EACCES);
		return;
	}
	/* root opens a mode 0600 file all the same: ask as nobody */
	assert_int_equal(chmod(k->fs.root, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(setgid(65534) || setuid(65534) ? 2 : eacces_of_new() == -EACCES ? 0 : 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void roots_from_environment(void **state)
{
	struct kfx *k = *state;
	char path[PATH_MAX];
	int fd;

	assert_string_equal(k->be->ops->name, "kernel");
	fd = k->be->ops->open_iommufd(k->be);
	assert_true(fd >= 0);
	PATHF(path, "%s/iommu", k->fs.dev);
	assert_true(same_file(fd, path));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(k->be->ops->close(k->be, fd), 0);
}

/* ---- resolution ----------------------------------------------------------------------------- */

static void lookup_fills_every_field(void **state)
{
	struct kfx *k = *state;
	struct ish_pci_dev d;
	char want[ISH_NAME_LEN], cdev[PATH_MAX];

	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(k->be->ops->pci_lookup(k->be, BDF_VFIO, &d), 0);
	assert_string_equal(d.bdf, BDF_VFIO);
	assert_int_equal(d.vendor, 0x1234);
	assert_int_equal(d.device, 0x11e8);
	assert_int_equal(d.class, 0x00ff00);
	assert_string_equal(d.driver, "vfio-pci");
	assert_int_equal(d.iommu_group, 5);
	assert_string_equal(d.iommu, SMMU);
	PATHF(cdev, "%s/vfio/devices/vfio0", k->fs.dev);
	assert_string_equal(d.cdev, cdev);
	expected_name(0x1234, 0x11e8, want, sizeof(want));
	assert_string_equal(d.name, want);

	assert_int_equal(k->be->ops->pci_lookup(k->be, BDF_NIC, &d), 0);
	assert_string_equal(d.driver, "e1000e");
	assert_int_equal(d.class, 0x020000);
	assert_int_equal(d.iommu_group, 6);
	assert_string_equal(d.cdev, "");
	expected_name(0x8086, 0x10d3, want, sizeof(want));
	assert_string_equal(d.name, want);
#if !HAVE_LIBPCI
	assert_string_equal(d.name, "8086:10d3");
#endif
}

static void lookup_function_without_driver_group_iommu(void **state)
{
	struct kfx *k = *state;
	struct ish_pci_dev d;

	assert_int_equal(k->be->ops->pci_lookup(k->be, BDF_BARE, &d), 0);
	assert_string_equal(d.bdf, BDF_BARE);
	assert_int_equal(d.vendor, 0x1b36);
	assert_string_equal(d.driver, "");
	assert_int_equal(d.iommu_group, -1);
	assert_string_equal(d.iommu, "");
	assert_string_equal(d.cdev, "");
}

static void lookup_accepts_bdf_forms_and_cdevs(void **state)
{
	static const char *const specs[] = {
		"0000:00:01.0", "00:01.0", "0:1.0", "0000:0:1.0",
	};
	struct kfx *k = *state;
	struct ish_pci_dev d;
	char spec[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		memset(&d, 0, sizeof(d));
		assert_int_equal(k->be->ops->pci_lookup(k->be, specs[i], &d), 0);
		assert_string_equal(d.bdf, BDF_VFIO);
	}
	/* upper-case hex names the same function, printed the way sysfs does */
	assert_int_equal(fakesys_add_device(&k->fs, &(struct fakesys_dev){
		"0000:0a:1f.7", 0x10de, 0x2330, 0x030200, NULL, -1, NULL, -1 }), 0);
	assert_int_equal(k->be->ops->pci_lookup(k->be, "0A:1F.7", &d), 0);
	assert_string_equal(d.bdf, "0000:0a:1f.7");

	/* cdev -> BDF through /sys/class/vfio-dev/vfioN/device, whatever directory it is in */
	PATHF(spec, "%s/vfio/devices/vfio0", k->fs.dev);
	memset(&d, 0, sizeof(d));
	assert_int_equal(k->be->ops->pci_lookup(k->be, spec, &d), 0);
	assert_string_equal(d.bdf, BDF_VFIO);
	assert_string_equal(d.cdev, spec);
	memset(&d, 0, sizeof(d));
	assert_int_equal(k->be->ops->pci_lookup(k->be, "/dev/vfio/devices/vfio0", &d), 0);
	assert_string_equal(d.bdf, BDF_VFIO);
	memset(&d, 0, sizeof(d));
	assert_int_equal(k->be->ops->pci_lookup(k->be, "vfio0", &d), 0);
	assert_string_equal(d.bdf, BDF_VFIO);
}

static void lookup_errors(void **state)
{
	static const char *const bad[] = {
		"", "00:01", "0000:00:01", "zz:00.0", "00:20.0", "00:01.8", "0000:00:01.0x",
		"100:00.0", "0000:00:01:0.0", "00:01.", ":00:01.0", "00:01.0 ",
		"/dev/vfio/devices/foo", "/dev/vfio/devices/vfio", "vfio1x",
	};
	struct kfx *k = *state;
	struct ish_pci_dev d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (k->be->ops->pci_lookup(k->be, bad[i], &d) != -EINVAL)
			fail_msg("\"%s\" was not refused with EINVAL", bad[i]);
	}
	assert_int_equal(k->be->ops->pci_lookup(k->be, "0000:00:09.0", &d), -ENOENT);
	assert_int_equal(k->be->ops->pci_lookup(k->be, "0001:00:01.0", &d), -ENOENT);
	assert_int_equal(k->be->ops->pci_lookup(k->be, "/dev/vfio/devices/vfio9", &d), -ENOENT);
}

struct seen {
	char bdf[8][ISH_BDF_LEN];
	char driver[8][32];
	unsigned int n, stop_at;
};

static int collect(void *arg, const struct ish_pci_dev *dev)
{
	struct seen *s = arg;

	assert_true(s->n < 8);
	snprintf(s->bdf[s->n], ISH_BDF_LEN, "%s", dev->bdf);
	snprintf(s->driver[s->n], 32, "%s", dev->driver);
	return ++s->n == s->stop_at ? 42 : 0;
}

static void list_walks_every_function_in_order(void **state)
{
	struct kfx *k = *state;
	struct seen s = { .stop_at = 0 };

	/* something that is not a function is skipped */
	assert_int_equal(fakesys_write(&k->fs, "sys/bus/pci/devices/README", "x"), 0);
	assert_int_equal(k->be->ops->pci_list(k->be, collect, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.bdf[0], BDF_VFIO);
	assert_string_equal(s.bdf[1], BDF_NIC);
	assert_string_equal(s.bdf[2], BDF_BARE);
	assert_string_equal(s.bdf[3], BDF_NIC2);
	assert_string_equal(s.driver[0], "vfio-pci");
	assert_string_equal(s.driver[1], "e1000e");
	assert_string_equal(s.driver[2], "");

	/* a non-zero answer stops the walk and is returned */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(k->be->ops->pci_list(k->be, collect, &s), 42);
	assert_int_equal(s.n, 2);
}

static void list_without_pci_bus(void **state)
{
	struct kfx *k = *state;
	struct seen s = { .stop_at = 0 };
	struct ish_backend *be;
	char path[PATH_MAX];

	PATHF(path, "%s/nowhere", k->fs.root);
	setenv("ISH_SYSFS_ROOT", path, 1);
	be = ish_kernel_backend_new(NULL);
	assert_non_null(be);
	assert_int_equal(be->ops->pci_list(be, collect, &s), -ENOENT);
	assert_int_equal(s.n, 0);
	be->ops->free(be);
}

/* ---- opening devices ------------------------------------------------------------------------- */

static void open_device_opens_the_cdev(void **state)
{
	struct kfx *k = *state;
	struct ish_pci_dev d;
	char path[PATH_MAX];
	int fd, fd2;

	PATHF(path, "%s/vfio/devices/vfio0", k->fs.dev);
	fd = k->be->ops->open_device(k->be, "00:01.0", &d);
	assert_true(fd >= 0);
	assert_true(same_file(fd, path));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_string_equal(d.bdf, BDF_VFIO);
	assert_string_equal(d.cdev, path);
	fd2 = k->be->ops->open_device(k->be, path, &d);
	assert_true(fd2 >= 0);
	assert_true(same_file(fd2, path));
	assert_string_equal(d.bdf, BDF_VFIO);
	assert_int_equal(k->be->ops->close(k->be, fd), 0);
	assert_int_equal(k->be->ops->close(k->be, fd2), 0);

	/* sysfs says there is a cdev, /dev has none: the open's errno */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(k->be->ops->open_device(k->be, BDF_VFIO, &d), -ENOENT);

	/* on vfio-pci with no cdev at all: the kernel lacks VFIO_DEVICE_CDEV */
	PATHF(path, "%s/devices/pci0000:00/%s/vfio-dev/vfio0/device", k->fs.sys, BDF_VFIO);
	assert_int_equal(unlink(path), 0);
	PATHF(path, "%s/devices/pci0000:00/%s/vfio-dev/vfio0", k->fs.sys, BDF_VFIO);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(k->be->ops->open_device(k->be, BDF_VFIO, &d), -EOPNOTSUPP);
	assert_string_equal(d.driver, "vfio-pci");
}

static void open_device_never_rebinds(void **state)
{
	static const char *const specs[] = { BDF_NIC, BDF_BARE, "00:02.0", BDF_NIC2 };
	struct kfx *k = *state;
	struct ish_pci_dev d;
	struct seen s = { .stop_at = 0 };
	char *before, *after;
	size_t i;

	before = fakesys_snapshot(&k->fs);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		assert_int_equal(k->be->ops->open_device(k->be, specs[i], &d), -ENODEV);
	assert_int_equal(k->be->ops->open_device(k->be, "0000:00:09.0", &d), -ENOENT);
	assert_int_equal(k->be->ops->pci_list(k->be, collect, &s), 0);
	assert_int_equal(k->be->ops->pci_lookup(k->be, BDF_NIC, &d), 0);
	k->be->ops->free(k->be);
	k->be = NULL;
	after = fakesys_snapshot(&k->fs);
	assert_string_equal(before, after);
	expect_dev_file(k, BDF_NIC, "driver_override", "(null)\n");
	expect_file(k, "sys/bus/pci/drivers_probe", "");
	free(before);
	free(after);
}

/* ---- pci_use_vfio ---------------------------------------------------------------------------- */

static void use_vfio_moves_and_free_restores_in_reverse(void **state)
{
	struct kfx *k = *state;
	struct ish_pci_dev d;
	char cdev[PATH_MAX];
	int fd;

	assert_int_equal(k->be->ops->pci_use_vfio(k->be, "00:02.0"), 0);
	expect_dev_file(k, BDF_NIC, "driver_override", "vfio-pci");
	expect_file(k, "sys/bus/pci/drivers/e1000e/unbind", BDF_NIC);
	expect_file(k, "sys/bus/pci/drivers_probe", BDF_NIC);
	expect_file(k, "sys/bus/pci/drivers/vfio-pci/bind", "");
	/* the kernel's part: vfio-pci took it and made vfio2 */
	assert_int_equal(fakesys_bind(&k->fs, BDF_NIC, "vfio-pci", 2), 0);

	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_NIC2), 0);
	expect_dev_file(k, BDF_NIC2, "driver_override", "vfio-pci");
	expect_file(k, "sys/bus/pci/drivers/e1000e/unbind", BDF_NIC2);
	expect_file(k, "sys/bus/pci/drivers_probe", BDF_NIC2);
	assert_int_equal(fakesys_bind(&k->fs, BDF_NIC2, "vfio-pci", 3), 0);

	/* now it opens like any vfio-pci function */
	fd = k->be->ops->open_device(k->be, BDF_NIC, &d);
	assert_true(fd >= 0);
	PATHF(cdev, "%s/vfio/devices/vfio2", k->fs.dev);
	assert_string_equal(d.cdev, cdev);
	assert_string_equal(d.driver, "vfio-pci");
	assert_int_equal(k->be->ops->close(k->be, fd), 0);

	/* untouched by either move */
	expect_dev_file(k, BDF_VFIO, "driver_override", "(null)\n");
	expect_dev_file(k, BDF_BARE, "driver_override", "(null)\n");

	k->be->ops->free(k->be);
	k->be = NULL;
	expect_dev_file(k, BDF_NIC, "driver_override", "\n");
	expect_dev_file(k, BDF_NIC2, "driver_override", "\n");
	/* the last write wins: restored newest first, so the first one moved comes last */
	expect_file(k, "sys/bus/pci/drivers/vfio-pci/unbind", BDF_NIC);
	expect_file(k, "sys/bus/pci/drivers/e1000e/bind", BDF_NIC);
}

static void use_vfio_restores_previous_override(void **state)
{
	struct kfx *k = *state;

	assert_int_equal(fakesys_write(&k->fs, "sys/bus/pci/devices/" BDF_NIC "/driver_override",
				       "e1000e\n"), 0);
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_NIC), 0);
	expect_dev_file(k, BDF_NIC, "driver_override", "vfio-pci");
	k->be->ops->free(k->be);
	k->be = NULL;
	expect_dev_file(k, BDF_NIC, "driver_override", "e1000e");
	/* nothing re-bound it to vfio-pci (in this fake kernel): no unbind, no bind needed */
	expect_file(k, "sys/bus/pci/drivers/vfio-pci/unbind", "");
	expect_file(k, "sys/bus/pci/drivers/e1000e/bind", "");
}

/* When the old driver's bind attribute refuses, a probe brings it back by its ID table. */
static void restore_falls_back_to_a_probe(void **state)
{
	struct kfx *k = *state;
	char path[PATH_MAX];

	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_NIC), 0);
	assert_int_equal(fakesys_bind(&k->fs, BDF_NIC, "vfio-pci", 2), 0);
	assert_int_equal(fakesys_write(&k->fs, "sys/bus/pci/drivers_probe", ""), 0);
	PATHF(path, "%s/bus/pci/drivers/e1000e/bind", k->fs.sys);
	assert_int_equal(unlink(path), 0);
	k->be->ops->free(k->be);
	k->be = NULL;
	expect_dev_file(k, BDF_NIC, "driver_override", "\n");
	expect_file(k, "sys/bus/pci/drivers/vfio-pci/unbind", BDF_NIC);
	expect_file(k, "sys/bus/pci/drivers_probe", BDF_NIC);
}

static void use_vfio_is_a_noop_when_done(void **state)
{
	struct kfx *k = *state;
	char *before, *after;

	/* a vendor's vfio-pci variant driver makes a cdev too */
	assert_int_equal(fakesys_add_device(&k->fs, &(struct fakesys_dev){
		"0000:02:00.0", 0x15b3, 0x101e, 0x020000, "mlx5_vfio_pci", 8, SMMU, 4 }), 0);
	before = fakesys_snapshot(&k->fs);
	/* already on vfio-pci: nothing to do and nothing to give back */
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_VFIO), 0);
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, "02:00.0"), 0);
	after = fakesys_snapshot(&k->fs);
	assert_string_equal(before, after);
	free(after);

	/* moved once: asking again writes nothing more */
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_NIC), 0);
	assert_int_equal(fakesys_write(&k->fs, "sys/bus/pci/drivers_probe", "-"), 0);
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, "00:02.0"), 0);
	expect_file(k, "sys/bus/pci/drivers_probe", "-");
	k->be->ops->free(k->be);
	k->be = NULL;
	expect_dev_file(k, BDF_NIC, "driver_override", "\n");
	expect_dev_file(k, BDF_VFIO, "driver_override", "(null)\n");
	free(before);
}

static void use_vfio_rolls_back_when_vfio_pci_does_not_bind(void **state)
{
	struct kfx *k = *state;
	char *before, *after;

	/* no driver before; after the probe still none: vfio-pci did not take it */
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_BARE), -ENODEV);
	expect_dev_file(k, BDF_BARE, "driver_override", "\n");
	expect_file(k, "sys/bus/pci/drivers_probe", BDF_BARE);
	expect_file(k, "sys/bus/pci/drivers/vfio-pci/unbind", "");
	/* nothing left to restore at free */
	before = fakesys_snapshot(&k->fs);
	k->be->ops->free(k->be);
	k->be = NULL;
	after = fakesys_snapshot(&k->fs);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void use_vfio_errors_leave_nothing_behind(void **state)
{
	struct kfx *k = *state;
	char path[PATH_MAX], *before, *after;

	assert_int_equal(k->be->ops->pci_use_vfio(k->be, "0000:00:09.0"), -ENOENT);
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, "garbage"), -EINVAL);

	/* an old kernel without driver_override: refused before anything is written */
	PATHF(path, "%s/bus/pci/devices/%s/driver_override", k->fs.sys, BDF_NIC);
	assert_int_equal(unlink(path), 0);
	before = fakesys_snapshot(&k->fs);
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_NIC), -ENOENT);
	after = fakesys_snapshot(&k->fs);
	assert_string_equal(before, after);
	free(after);

	/* the unbind fails: the override is put back, the driver never left */
	PATHF(path, "%s/bus/pci/drivers/e1000e/unbind", k->fs.sys);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(k->be->ops->pci_use_vfio(k->be, BDF_NIC2), -ENOENT);
	expect_dev_file(k, BDF_NIC2, "driver_override", "\n");
	expect_file(k, "sys/bus/pci/drivers_probe", "");
	free(before);
	before = fakesys_snapshot(&k->fs);
	k->be->ops->free(k->be);
	k->be = NULL;
	after = fakesys_snapshot(&k->fs);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* ---- ioctl and the fd operations ------------------------------------------------------------ */

static struct {
	unsigned int n;
	int fd;
	unsigned long request;
	void *arg;
	int rc;
	struct vfio_device_bind_iommufd bind;	/* a copy, as the wrapper saw it */
} rec;

static int recorder(int fd, unsigned long request, void *arg)
{
	rec.n++;
	rec.fd = fd;
	rec.request = request;
	rec.arg = arg;
	if (request == VFIO_DEVICE_BIND_IOMMUFD) {
		memcpy(&rec.bind, arg, sizeof(rec.bind));
		((struct vfio_device_bind_iommufd *)arg)->out_devid = 7;
	}
	return rec.rc;
}

static void ioctl_goes_through_the_replaceable_pointer(void **state)
{
	struct kfx *k = *state;
	int (*saved)(int, unsigned long, void *) = ish_kernel_sys_ioctl;
	struct iommu_destroy d = { .size = sizeof(d), .id = 3 };

	memset(&rec, 0, sizeof(rec));
	ish_kernel_sys_ioctl = recorder;
	rec.rc = -EXDEV;
	assert_int_equal(k->be->ops->ioctl(k->be, 1234, IOMMU_DESTROY, &d), -EXDEV);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.fd, 1234);
	assert_int_equal(rec.request, IOMMU_DESTROY);
	assert_ptr_equal(rec.arg, &d);
	rec.rc = 0;
	assert_int_equal(k->be->ops->ioctl(k->be, 5, IOMMU_IOAS_ALLOC, NULL), 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.request, IOMMU_IOAS_ALLOC);
	ish_kernel_sys_ioctl = saved;
}

static void ioctl_default_returns_negative_errno(void **state)
{
	struct kfx *k = *state;
	struct iommu_destroy d = { .size = sizeof(d), .id = 3 };
	int fd, p[2], avail = -1;

	fd = k->be->ops->open_iommufd(k->be);
	assert_true(fd >= 0);
	/* the fake /dev/iommu is a plain file: it knows no ioctl */
	assert_int_equal(k->be->ops->ioctl(k->be, fd, IOMMU_DESTROY, &d), -ENOTTY);
	assert_int_equal(ish_kernel_sys_ioctl(fd, IOMMU_DESTROY, &d), -ENOTTY);
	assert_int_equal(k->be->ops->close(k->be, fd), 0);
	assert_int_equal(k->be->ops->ioctl(k->be, fd, IOMMU_DESTROY, &d), -EBADF);
	assert_int_equal(k->be->ops->close(k->be, fd), -EBADF);
	/* a real ioctl that succeeds: FIONREAD on a pipe */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(k->be->ops->ioctl(k->be, p[0], FIONREAD, &avail), 0);
	assert_int_equal(avail, 3);
	close(p[0]);
	close(p[1]);
}

static void fd_ops_map_errno(void **state)
{
	struct kfx *k = *state;
	struct ish_backend *be = k->be;
	char path[PATH_MAX], buf[16];
	int fd, p[2];

	PATHF(path, "%s/region", k->fs.root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(be->ops->pwrite(be, fd, "abcdefgh", 8, 0x100), 8);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(be->ops->pread(be, fd, buf, 4, 0x102), 4);
	assert_memory_equal(buf, "cdef", 4);
	assert_int_equal(be->ops->pread(be, fd, buf, 4, 0x1000), 0);	/* past the end */
	assert_int_equal(be->ops->pread(be, fd, buf, 4, UINT64_MAX), -EINVAL);
	assert_int_equal(be->ops->pwrite(be, fd, buf, 4, 1ULL << 63), -EINVAL);
	assert_int_equal(be->ops->write(be, fd, "xy", 2), 2);
	assert_int_equal(be->ops->pread(be, fd, buf, 2, 0), 2);
	assert_memory_equal(buf, "xy", 2);
	assert_int_equal(be->ops->read(be, fd, buf, 1), 1);	/* offset 2 */
	assert_int_equal(buf[0], 0);
	close(fd);
	assert_int_equal(be->ops->read(be, fd, buf, 1), -EBADF);
	assert_int_equal(be->ops->write(be, fd, buf, 1), -EBADF);
	assert_int_equal(be->ops->pread(be, fd, buf, 1, 0), -EBADF);
	assert_int_equal(be->ops->pwrite(be, fd, buf, 1, 0), -EBADF);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(be->ops->pread(be, p[0], buf, 1, 0), -ESPIPE);
	assert_int_equal(be->ops->poll(be, p[0], 0), 0);
	assert_int_equal(be->ops->write(be, p[1], "z", 1), 1);
	assert_int_equal(be->ops->poll(be, p[0], 0), 1);
	assert_int_equal(be->ops->poll(be, p[0], -1), 1);
	assert_int_equal(be->ops->read(be, p[0], buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'z');
	close(p[1]);
	assert_int_equal(be->ops->poll(be, p[0], 0), 1);	/* hang-up: read() says 0 */
	assert_int_equal(be->ops->read(be, p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	assert_int_equal(be->ops->poll(be, p[0], 0), -EBADF);
}

static volatile sig_atomic_t alarms;
static int alarm_pipe = -1;

/* After a few, make the fd readable: an op that retried on EINTR then ends instead of hanging. */
static void on_alarm(int sig)
{
	(void)sig;
	if (++alarms == 3 && write(alarm_pipe, "!", 1) < 0)
		alarms = 100;
}

/* Ctrl-C in the shell relies on a blocked read or poll giving back -EINTR. */
static void eintr_is_propagated(void **state)
{
	struct kfx *k = *state;
	struct sigaction sa = { .sa_handler = on_alarm }, old;	/* no SA_RESTART */
	struct itimerval it = {
		.it_value = { .tv_usec = 20000 }, .it_interval = { .tv_usec = 20000 },
	};
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	char buf[4];
	int p[2];

	assert_int_equal(pipe(p), 0);
	alarm_pipe = p[1];
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	alarms = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(k->be->ops->poll(k->be, p[0], -1), -EINTR);
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(alarms, 1);
	alarms = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(k->be->ops->read(k->be, p[0], buf, sizeof(buf)), -EINTR);
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(alarms, 1);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	close(p[0]);
	close(p[1]);
}

/* The core on the kernel backend: bind resolves, opens the cdev and issues the ioctl on it. */
static void core_binds_through_the_kernel_backend(void **state)
{
	struct kfx *k = *state;
	int (*saved)(int, unsigned long, void *) = ish_kernel_sys_ioctl;
	unsigned int fds = open_fds();
	struct ish_ctx *ctx;
	struct ish_obj *o;
	char path[PATH_MAX];
	uint32_t id = 0;

	memset(&rec, 0, sizeof(rec));
	ish_kernel_sys_ioctl = recorder;
	assert_int_equal(ish_ctx_new(k->be, &ctx), 0);
	k->be = NULL;	/* the context owns it now */
	PATHF(path, "%s/iommu", k->fs.dev);
	assert_true(same_file(ish_ctx_iommufd(ctx), path));

	assert_int_equal(ish_device_bind(ctx, BDF_NIC, &id), -ENODEV);
	assert_non_null(strstr(ish_errmsg(ctx), "not bound to vfio-pci"));
	assert_int_equal(rec.n, 0);
	assert_int_equal(ish_device_bind(ctx, "00:01.0", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.request, VFIO_DEVICE_BIND_IOMMUFD);
	PATHF(path, "%s/vfio/devices/vfio0", k->fs.dev);
	assert_true(same_file(rec.fd, path));
	o = ish_obj_find(ctx, 7);
	assert_non_null(o);
	assert_int_equal(o->u.device.fd, rec.fd);
	assert_string_equal(o->u.device.pci.bdf, BDF_VFIO);
	assert_string_equal(o->u.device.pci.iommu, SMMU);
	assert_int_equal(rec.bind.argsz, sizeof(rec.bind));
	assert_int_equal(rec.bind.iommufd, ish_ctx_iommufd(ctx));
	assert_int_equal(rec.bind.flags, 0);
	assert_ptr_equal(ish_device_find(ctx, path), o);
	ish_ctx_free(ctx);
	assert_int_equal(open_fds(), fds);
	ish_kernel_sys_ioctl = saved;
}

/* HugePages_Free of /proc/meminfo, -1 when the kernel has no hugetlb */
static long huge_pages_free(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * map_huge: the size rule against the kernel's Hugepagesize, then hugetlb pages when some are
 * free on this machine and -ENOMEM when none are (both outcomes checked, whichever applies).
 */
static void map_huge_follows_the_reservation(void **state)
{
	struct kfx *k = *state;
	long free_pages = huge_pages_free();
	size_t page = 1;
	void *va = NULL;
	int rc;

	rc = k->be->ops->map_huge(k->be, 4096, &page, &va);
	if (free_pages < 0) {
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(page, 0);
		return;
	}
	assert_int_equal(rc, -EINVAL);
	assert_true(page >= 65536 && !(page & (page - 1)));
	rc = k->be->ops->map_huge(k->be, page, &page, &va);
	if (free_pages == 0) {
		assert_int_equal(rc, -ENOMEM);
		return;
	}
	assert_int_equal(rc, 0);
	((volatile char *)va)[page - 1] = 1;
	assert_int_equal(munmap(va, page), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(new_fails_without_iommufd),
		T(map_huge_follows_the_reservation),
		T(new_fails_eacces),
		T(roots_from_environment),
		T(lookup_fills_every_field),
		T(lookup_function_without_driver_group_iommu),
		T(lookup_accepts_bdf_forms_and_cdevs),
		T(lookup_errors),
		T(list_walks_every_function_in_order),
		T(list_without_pci_bus),
		T(open_device_opens_the_cdev),
		T(open_device_never_rebinds),
		T(use_vfio_moves_and_free_restores_in_reverse),
		T(use_vfio_restores_previous_override),
		T(restore_falls_back_to_a_probe),
		T(use_vfio_is_a_noop_when_done),
		T(use_vfio_rolls_back_when_vfio_pci_does_not_bind),
		T(use_vfio_errors_leave_nothing_behind),
		T(ioctl_goes_through_the_replaceable_pointer),
		T(ioctl_default_returns_negative_errno),
		T(fd_ops_map_errno),
		T(eintr_is_propagated),
		T(core_binds_through_the_kernel_backend),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
