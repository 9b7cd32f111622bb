// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel backend: real syscalls on /dev/iommu and VFIO cdevs, PCI functions found through
 * sysfs. ISH_SYSFS_ROOT and ISH_DEV_ROOT move both trees so that tests can run the very same
 * code against a fake one. libpci, when built in, only supplies the vendor and device names:
 * everything else comes from sysfs, so the static build without libpci behaves the same.
 *
 * A device is never moved between host drivers unless pci_use_vfio() asks for it, and every
 * device moved that way goes back to its driver when the backend is freed.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "iommush/backend.h"
#if HAVE_LIBPCI
#include <pci/pci.h>
#endif

#define VFIO_PCI "vfio-pci"
#define DRV_LEN 32		/* sizeof(struct ish_pci_dev.driver) */

/* A function pci_use_vfio() moved to vfio-pci, and what to give back. */
struct moved {
	char bdf[ISH_BDF_LEN];
	char driver[DRV_LEN];	/* the driver it had, "" if none */
	char override[64];	/* its driver_override before, "" if none */
	struct moved *next;	/* newest first: restored in reverse order */
};

struct kbe {
	struct ish_backend be;
	char sys[PATH_MAX];	/* sysfs root, "/sys" */
	char dev[PATH_MAX];	/* device node root, "/dev" */
	struct moved *moved;
#if HAVE_LIBPCI
	struct pci_access *pacc;	/* for names only; made on first use */
#endif
};

static struct kbe *kbe_of(struct ish_backend *be)
{
	return (struct kbe *)be;
}

static int sys_ioctl(int fd, unsigned long request, void *arg)
{
	int rc = ioctl(fd, request, arg);

	return rc < 0 ? -errno : rc;
}

int (*ish_kernel_sys_ioctl)(int fd, unsigned long request, void *arg) = sys_ioctl;

/* ---- small sysfs helpers ------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int mkpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Read a sysfs attribute as a string without its trailing newline. */
static int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* Never creates a file: an attribute the kernel lacks is an error, not a new file. */
static int write_attr(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	if (close(fd) < 0 && n >= 0)
		n = -errno;
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* The last component of what a symlink points to: "driver" -> ".../drivers/e1000e" */
static int link_base(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	copy_str(out, len, base);
	return 0;
}
/*
 * "[DDDD:]BB:DD.F" (libpci's slot syntax) into the canonical "dddd:bb:dd.f" sysfs uses;
 * a missing domain is 0000.
 */
/* "vfioN" from a cdev spec ("/dev/vfio/devices/vfioN" or "vfioN"); -EINVAL if it is none. */
static int parse_cdev(const char *spec, char *out, size_t len)
{
	const char *base = strrchr(spec, '/'), *p;

	base = base ? base + 1 : spec;
	if (strncmp(base, "vfio", 4) || !base[4])
		return -EINVAL;
	for (p = base + 4; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	if (strlen(base) >= len)
		return -EINVAL;
	copy_str(out, len, base);
	return 0;
}

static bool is_cdev_spec(const char *spec)
{
	return strchr(spec, '/') || !strncmp(spec, "vfio", 4);
}

static int dev_path(struct kbe *kb, char *buf, size_t len, const char *bdf, const char *attr)
{
	return mkpath(buf, len, "%s/bus/pci/devices/%s/%s", kb->sys, bdf, attr);
}

static int drv_path(struct kbe *kb, char *buf, size_t len, const char *drv, const char *attr)
{
	return mkpath(buf, len, "%s/bus/pci/drivers/%s/%s", kb->sys, drv, attr);
}

/* The bound driver's name, "" when none. */
static int current_driver(struct kbe *kb, const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	int rc;

	rc = dev_path(kb, path, sizeof(path), bdf, "driver");
	if (rc < 0)
		return rc;
	rc = link_base(path, out, len);
	if (rc == -ENOENT) {
		out[0] = '\0';
		rc = 0;
	}
	return rc;
}

/* "vfioN" under the function's vfio-dev/ directory, "" when it has no VFIO cdev. */
static int find_cdev(struct kbe *kb, const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc;

	out[0] = '\0';
	rc = dev_path(kb, path, sizeof(path), bdf, "vfio-dev");
	if (rc < 0)
		return rc;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (!parse_cdev(de->d_name, out, len))
			break;
	closedir(d);
	return 0;
}

/* ---- identifying a function ---------------------------------------------------------------- */

#if HAVE_LIBPCI
static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* libpci calls this only when out of memory or on a bad request, and it must not return. */
__attribute__((noreturn))
static void pci_die(char *msg, ...)
{
	(void)msg;
	abort();
}

static void pci_name(struct kbe *kb, struct ish_pci_dev *info)
{
	char *s = NULL;

	if (!kb->pacc) {
		/* no pci_init(): it probes access methods, and names need none of them */
		kb->pacc = pci_alloc();
		if (kb->pacc) {
			kb->pacc->warning = pci_quiet;
			kb->pacc->debug = pci_quiet;
			kb->pacc->error = pci_die;
		}
	}
	/* not udev's hwdb: pci.ids alone gives the same answer everywhere (and hwdb leaks) */
	if (kb->pacc)
		s = pci_lookup_name(kb->pacc, info->name, sizeof(info->name),
				    PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_HWDB,
				    info->vendor, info->device);
	if (!s)
		snprintf(info->name, sizeof(info->name), "%04x:%04x", info->vendor, info->device);
	else if (s != info->name)
		copy_str(info->name, sizeof(info->name), s);
}
#else
static void pci_name(struct kbe *kb, struct ish_pci_dev *info)
{
	(void)kb;
	snprintf(info->name, sizeof(info->name), "%04x:%04x", info->vendor, info->device);
}
#endif

static int read_hex_attr(struct kbe *kb, const char *bdf, const char *attr, unsigned long *val)
{
	char path[PATH_MAX], buf[32], *end;
	int rc;

	rc = dev_path(kb, path, sizeof(path), bdf, attr);
	if (rc < 0)
		return rc;
	rc = read_attr(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	*val = strtoul(buf, &end, 16);
	return errno || end == buf ? -EINVAL : 0;
}

/* Everything sysfs says about the function @bdf (canonical form). */
static int fill_info(struct kbe *kb, const char *bdf, struct ish_pci_dev *info)
{
	char path[PATH_MAX], buf[64], cdev[32];
	unsigned long vendor, device, class;
	struct stat st;
	char *end;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = dev_path(kb, path, sizeof(path), bdf, "");
	if (rc < 0)
		return rc;
	if (stat(path, &st) < 0)
		return -errno;
	if ((rc = read_hex_attr(kb, bdf, "vendor", &vendor)) < 0 ||
	    (rc = read_hex_attr(kb, bdf, "device", &device)) < 0 ||
	    (rc = read_hex_attr(kb, bdf, "class", &class)) < 0)
		return rc;
	copy_str(info->bdf, sizeof(info->bdf), bdf);
	info->vendor = (uint16_t)vendor;
	info->device = (uint16_t)device;
	info->class = (uint32_t)class & 0xffffff;
	rc = current_driver(kb, bdf, info->driver, sizeof(info->driver));
	if (rc < 0)
		return rc;
	info->iommu_group = -1;
	if (!dev_path(kb, path, sizeof(path), bdf, "iommu_group") &&
	    !link_base(path, buf, sizeof(buf))) {
		long g = strtol(buf, &end, 10);

		if (end != buf && !*end && g >= 0 && g <= INT_MAX)
			info->iommu_group = (int)g;
	}
	if (!dev_path(kb, path, sizeof(path), bdf, "iommu"))
		link_base(path, info->iommu, sizeof(info->iommu));
	rc = find_cdev(kb, bdf, cdev, sizeof(cdev));
	if (rc < 0)
		return rc;
	if (cdev[0] && mkpath(info->cdev, sizeof(info->cdev), "%s/vfio/devices/%s", kb->dev, cdev))
		return -ENAMETOOLONG;
	pci_name(kb, info);
	return 0;
}

/* A BDF or a cdev spec to the canonical BDF of an existing function. */
static int resolve(struct kbe *kb, const char *spec, char bdf[ISH_BDF_LEN])
{
	char name[32], path[PATH_MAX], target[64];
	int rc;

	if (!spec || !*spec)
		return -EINVAL;
	if (!is_cdev_spec(spec))
		return ish_bdf_canon(spec, bdf);
	rc = parse_cdev(spec, name, sizeof(name));
	if (rc < 0)
		return rc;
	rc = mkpath(path, sizeof(path), "%s/class/vfio-dev/%s/device", kb->sys, name);
	if (rc < 0)
		return rc;
	rc = link_base(path, target, sizeof(target));
	if (rc < 0)
		return rc;
	/* a cdev of something that is not a PCI function (vfio-platform, mdev) */
	if (ish_bdf_canon(target, bdf) < 0)
		return -ENODEV;
	return 0;
}

static int kern_pci_lookup(struct ish_backend *be, const char *spec, struct ish_pci_dev *info)
{
	struct kbe *kb = kbe_of(be);
	char bdf[ISH_BDF_LEN];
	int rc;

	rc = resolve(kb, spec, bdf);
	if (rc < 0)
		return rc;
	return fill_info(kb, bdf, info);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int kern_pci_list(struct ish_backend *be, ish_pci_cb cb, void *arg)
{
	struct kbe *kb = kbe_of(be);
	struct dirent **ents;
	struct ish_pci_dev info;
	char path[PATH_MAX], bdf[ISH_BDF_LEN];
	int i, n, rc = 0;

	if (mkpath(path, sizeof(path), "%s/bus/pci/devices", kb->sys))
		return -ENAMETOOLONG;
	n = scandir(path, &ents, NULL, by_name);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		/* a function that vanished (hot-unplug) while walking is skipped */
		if (!rc && !ish_bdf_canon(ents[i]->d_name, bdf) && !fill_info(kb, bdf, &info))
			rc = cb(arg, &info);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* ---- file descriptors ----------------------------------------------------------------------- */

static int kern_open_iommufd(struct ish_backend *be)
{
	struct kbe *kb = kbe_of(be);
	char path[PATH_MAX];
	int fd;

	if (mkpath(path, sizeof(path), "%s/iommu", kb->dev))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Only a function already on a VFIO driver opens: anything else is -ENODEV, untouched. */
static int kern_open_device(struct ish_backend *be, const char *spec, struct ish_pci_dev *info)
{
	int rc, fd;

	rc = kern_pci_lookup(be, spec, info);
	if (rc < 0)
		return rc;
	/* on vfio-pci without a cdev: a kernel built without VFIO_DEVICE_CDEV */
	if (!info->cdev[0])
		return strcmp(info->driver, VFIO_PCI) ? -ENODEV : -EOPNOTSUPP;
	fd = open(info->cdev, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int kern_close(struct ish_backend *be, int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

static int kern_ioctl(struct ish_backend *be, int fd, unsigned long request, void *arg)
{
	return ish_kernel_sys_ioctl(fd, request, arg);
}

/* No retry on EINTR anywhere below: the shell's Ctrl-C must get back to the prompt. */
static ssize_t kern_read(struct ish_backend *be, int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t kern_write(struct ish_backend *be, int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static int kern_poll(struct ish_backend *be, int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	rc = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
	if (rc < 0)
		return -errno;
	if (!rc)
		return 0;
	if (p.revents & POLLNVAL)
		return -EBADF;
	/* POLLERR or POLLHUP: readable, in the sense that read() reports what happened */
	return 1;
}

static ssize_t kern_pread(struct ish_backend *be, int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	if (off > INT64_MAX)
		return -EINVAL;
	n = pread(fd, buf, len, (off_t)off);
	return n < 0 ? -errno : n;
}

static int kern_mmap(struct ish_backend *be, int fd, uint64_t off, size_t len, void **addr)
{
	void *p;

	if (off > INT64_MAX)
		return -EINVAL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int kern_munmap(struct ish_backend *be, void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? -errno : 0;
}

static ssize_t kern_pwrite(struct ish_backend *be, int fd, const void *buf, size_t len,
			   uint64_t off)
{
	ssize_t n;

	if (off > INT64_MAX)
		return -EINVAL;
	n = pwrite(fd, buf, len, (off_t)off);
	return n < 0 ? -errno : n;
}

/* ---- moving a function to vfio-pci and back -------------------------------------------------- */

/*
 * Put @m back as it was: its old driver_override, off vfio-pci, onto its old driver. Best
 * effort: each step is tried even if one before failed, so as much as possible comes back.
 */
static void restore(struct kbe *kb, const struct moved *m)
{
	char path[PATH_MAX], cur[DRV_LEN];
	int rc;

	if (!dev_path(kb, path, sizeof(path), m->bdf, "driver_override"))
		write_attr(path, m->override[0] ? m->override : "\n");
	if (!current_driver(kb, m->bdf, cur, sizeof(cur)) && !strcmp(cur, VFIO_PCI) &&
	    !drv_path(kb, path, sizeof(path), VFIO_PCI, "unbind"))
		write_attr(path, m->bdf);
	if (!m->driver[0] || (!current_driver(kb, m->bdf, cur, sizeof(cur)) &&
			      !strcmp(cur, m->driver)))
		return;
	rc = drv_path(kb, path, sizeof(path), m->driver, "bind");
	if (!rc)
		rc = write_attr(path, m->bdf);
	/* the driver may refuse an explicit bind; a probe finds it by its id table */
	if (rc < 0 && !mkpath(path, sizeof(path), "%s/bus/pci/drivers_probe", kb->sys))
		write_attr(path, m->bdf);
}

/* driver_override as it is now, "" when unset ("(null)") */
static int read_override(struct kbe *kb, const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	int rc;

	rc = dev_path(kb, path, sizeof(path), bdf, "driver_override");
	if (rc < 0)
		return rc;
	rc = read_attr(path, out, len);
	if (rc < 0)
		return rc;
	if (!strcmp(out, "(null)"))
		out[0] = '\0';
	return 0;
}

/* override -> unbind -> probe, as an administrator would do it by hand */
static int move_to_vfio(struct kbe *kb, const struct moved *m)
{
	char path[PATH_MAX], cur[DRV_LEN];
	int rc;

	rc = dev_path(kb, path, sizeof(path), m->bdf, "driver_override");
	if (!rc)
		rc = write_attr(path, VFIO_PCI);
	if (rc < 0)
		return rc;
	if (m->driver[0]) {
		rc = drv_path(kb, path, sizeof(path), m->driver, "unbind");
		if (!rc)
			rc = write_attr(path, m->bdf);
		if (rc < 0)
			return rc;
	}
	rc = mkpath(path, sizeof(path), "%s/bus/pci/drivers_probe", kb->sys);
	if (!rc)
		rc = write_attr(path, m->bdf);
	if (rc < 0)
		return rc;
	/*
	 * The probe is synchronous and the override lets only vfio-pci match: a function left
	 * with no driver at all means vfio-pci did not take it (module not loaded, or refused).
	 */
	rc = current_driver(kb, m->bdf, cur, sizeof(cur));
	if (rc < 0)
		return rc;
	return cur[0] ? 0 : -ENODEV;
}

static int kern_pci_use_vfio(struct ish_backend *be, const char *spec)
{
	struct kbe *kb = kbe_of(be);
	char bdf[ISH_BDF_LEN];
	struct ish_pci_dev info;
	struct moved *m;
	int rc;

	rc = resolve(kb, spec, bdf);
	if (rc < 0)
		return rc;
	rc = fill_info(kb, bdf, &info);
	if (rc < 0)
		return rc;
	/* on vfio-pci, or a vendor's vfio-pci variant: it already has a cdev */
	if (!strcmp(info.driver, VFIO_PCI) || info.cdev[0])
		return 0;
	for (m = kb->moved; m; m = m->next)
		if (!strcmp(m->bdf, bdf))
			return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	copy_str(m->bdf, sizeof(m->bdf), bdf);
	copy_str(m->driver, sizeof(m->driver), info.driver);
	rc = read_override(kb, bdf, m->override, sizeof(m->override));
	if (rc < 0)
		goto free_m;
	rc = move_to_vfio(kb, m);
	if (rc < 0)
		goto restore_m;
	m->next = kb->moved;
	kb->moved = m;
	return 0;

restore_m:
	restore(kb, m);
free_m:
	free(m);
	return rc;
}

/* ---- huge pages ---------------------------------------------------------------------------- */

/* the default hugetlb page size, /proc/meminfo "Hugepagesize:" (hugetlb_report_meminfo()) */
static size_t huge_page_size(void)
{
	unsigned long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return (size_t)kib << 10;
}

/*
 * hugetlb pages: a private mapping reserves its pages at mmap() (hugetlb_reserve_pages()), so
 * too few free ones is -ENOMEM now, not a SIGBUS at the first touch; munmap() wants the length
 * a multiple of the page size, hence the -EINVAL first
 */
static int kern_map_huge(struct ish_backend *be, size_t size, size_t *page, void **va)
{
	(void)be;
	*page = huge_page_size();
	if (!*page)
		return -ENOMEM;	/* no hugetlb in this kernel: none reserved either */
	if (!size || size % *page)
		return -EINVAL;
	*va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		   -1, 0);
	return *va == MAP_FAILED ? -errno : 0;
}

/* ---- life ---------------------------------------------------------------------------------- */

static void kern_free(struct ish_backend *be)
{
	struct kbe *kb = kbe_of(be);
	struct moved *m;

	while ((m = kb->moved)) {
		kb->moved = m->next;
		restore(kb, m);
		free(m);
	}
#if HAVE_LIBPCI
	if (kb->pacc)
		pci_cleanup(kb->pacc);
#endif
	free(kb);
}

static const struct ish_ops kernel_ops = {
	.name = "kernel",
	.open_iommufd = kern_open_iommufd,
	.open_device = kern_open_device,
	.close = kern_close,
	.ioctl = kern_ioctl,
	.read = kern_read,
	.write = kern_write,
	.poll = kern_poll,
	.pread = kern_pread,
	.pwrite = kern_pwrite,
	.pci_list = kern_pci_list,
	.pci_lookup = kern_pci_lookup,
	.pci_use_vfio = kern_pci_use_vfio,
	.free = kern_free,
	.mmap = kern_mmap,
	.munmap = kern_munmap,
	.map_huge = kern_map_huge,
};

static int root_from_env(char *buf, size_t len, const char *var, const char *def)
{
	const char *v = getenv(var);

	return mkpath(buf, len, "%s", v && *v ? v : def);
}

struct ish_backend *ish_kernel_backend_new(int *err)
{
	struct kbe *kb;
	int rc, fd;

	kb = calloc(1, sizeof(*kb));
	if (!kb) {
		rc = -ENOMEM;
		goto fail;
	}
	kb->be.ops = &kernel_ops;
	rc = root_from_env(kb->sys, sizeof(kb->sys), "ISH_SYSFS_ROOT", "/sys");
	if (!rc)
		rc = root_from_env(kb->dev, sizeof(kb->dev), "ISH_DEV_ROOT", "/dev");
	if (rc < 0)
		goto free_kb;
	/* fail now, with the reason, so that the shell can fall back to the simulator */
	fd = kern_open_iommufd(&kb->be);
	if (fd < 0) {
		rc = fd;
		goto free_kb;
	}
	close(fd);
	if (err)
		*err = 0;
	return &kb->be;

free_kb:
	free(kb);
fail:
	if (err)
		*err = rc;
	return NULL;
}
