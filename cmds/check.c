// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check: is this host ready for a VMM's accelerated vSMMUv3? As virt-host-validate does for
 * libvirt, one line per check, PASS / WARN / FAIL, with the fix. Whether a vIOMMU can be
 * allocated is not guessed from the IDRs: it is tried on each VFIO function (bind, IOAS,
 * nest-parent HWPT, vIOMMU, all undone), and the refusal explained from what the kernel said.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "iommush/smmu.h"
#include "cmds.h"

enum verdict { PASS, WARN, FAIL };

struct tally {
	unsigned int n[3];
	int err;	/* the errno of the first FAIL that has one: what check fails with */
};

__attribute__((format(printf, 6, 7)))
static void line(struct shell *sh, struct tally *t, enum verdict v, const char *what,
		 const char *fix, const char *fmt, ...)
{
	static const char *const names[] = { "PASS", "WARN", "FAIL" };
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	t->n[v]++;
	pr_obj_open(sh, NULL);
	pr_str(sh, PR_ANY, "result", "%s ", names[v]);
	pr_str(sh, PR_ANY, "check", "%s: ", what);
	pr_str(sh, PR_ANY, "detail", "%s", detail);
	if (fix)
		pr_str(sh, PR_ANY, "fix", "; fix: %s", fix);
	else
		pr_null(sh, "fix");
	pr_obj_close(sh);
	pr_nl(sh);
}

/* ---- /dev/iommu and the kernel options ------------------------------------------------------ */

static void check_iommufd(struct shell *sh, struct tally *t)
{
	if (sh->sim) {
		line(sh, t, PASS, "/dev/iommu", NULL, "the simulator's (Linux 7.3 iommufd)");
		return;
	}
	if (sh->ctx) {
		line(sh, t, PASS, "/dev/iommu", NULL, "present and opened");
		return;
	}
	if (access("/dev/iommu", F_OK) < 0)
		line(sh, t, FAIL, "/dev/iommu", "a kernel with CONFIG_IOMMUFD=y (or modprobe iommufd)",
		     "missing");
	else
		line(sh, t, FAIL, "/dev/iommu", "run as root, or give this user read-write access "
		     "to /dev/iommu (a udev rule)", "cannot be opened: %s", strerror(errno));
}

/* "y", "m" or NULL for CONFIG_@opt in @cfg */
static const char *config_value(const char *cfg, const char *opt)
{
	char key[64];
	const char *p;
	size_t n;

	n = (size_t)snprintf(key, sizeof(key), "\nCONFIG_%s=", opt);
	for (p = cfg; (p = strstr(p, key)); p += n)
		return p[n] == 'y' ? "y" : p[n] == 'm' ? "m" : NULL;
	return NULL;
}

static char *read_config(char *src, size_t len)
{
	struct utsname u;
	char cmd[300], *buf = NULL;
	size_t cap = 0, used = 0;
	FILE *fp = NULL;
	bool gz = false;

	if (access("/proc/config.gz", R_OK) == 0) {
		snprintf(src, len, "/proc/config.gz");
		snprintf(cmd, sizeof(cmd), "gzip -dc /proc/config.gz 2>/dev/null");
		fp = popen(cmd, "r");
		gz = true;
	} else if (uname(&u) == 0) {
		snprintf(src, len, "/boot/config-%s", u.release);
		fp = fopen(src, "r");
	}
	if (!fp)
		return NULL;
	buf = malloc(cap = 1 << 16);
	while (buf) {
		size_t got = fread(buf + 1 + used, 1, cap - used - 2, fp);

		used += got;
		if (got == 0)
			break;
		if (cap - used - 2 == 0) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (gz)
		pclose(fp);
	else
		fclose(fp);
	if (!buf || !used) {
		free(buf);
		return NULL;
	}
	buf[0] = '\n';	/* so that the first line matches "\nCONFIG_" too */
	buf[used + 1] = '\0';
	return buf;
}

static void check_config(struct shell *sh, struct tally *t)
{
	static const struct {
		const char *opt, *why;
	} opts[] = {
		{ "IOMMUFD", "no /dev/iommu" },
		{ "ARM_SMMU_V3_IOMMUFD", "no vIOMMU, nested HWPT or vEVENTQ on an SMMUv3" },
		{ "VFIO_DEVICE_CDEV", "no /dev/vfio/devices/vfioN cdev for a VMM to bind" },
		{ "VFIO_PCI", "no vfio-pci to hand PCI functions to a VMM" },
	};
	char src[128], what[64], fix[96];
	size_t i;
	char *cfg;

	if (sh->sim) {
		line(sh, t, PASS, "kernel options", NULL, "the simulator models IOMMUFD, "
		     "ARM_SMMU_V3_IOMMUFD, VFIO_DEVICE_CDEV and VFIO_PCI");
		return;
	}
	cfg = read_config(src, sizeof(src));
	if (!cfg) {
		line(sh, t, WARN, "kernel options", "CONFIG_IKCONFIG_PROC=y, or install the "
		     "kernel's config in /boot", "cannot read %s", src);
		return;
	}
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *v = config_value(cfg, opts[i].opt);

		snprintf(what, sizeof(what), "CONFIG_%s", opts[i].opt);
		snprintf(fix, sizeof(fix), "a kernel built with CONFIG_%s=y", opts[i].opt);
		if (v)
			line(sh, t, PASS, what, NULL, "=%s in %s", v, src);
		else
			line(sh, t, FAIL, what, fix, "not set in %s: %s", src, opts[i].why);
	}
	free(cfg);
}

/* ---- each PCI function ----------------------------------------------------------------------- */

struct walk {
	struct shell *sh;
	struct tally *t;
	unsigned int n;
};

/* bind (unless bound here already), and try what a VMM's vSMMU does first */
static void probe_viommu(struct shell *sh, struct tally *t, const struct ish_pci_dev *d,
			 const char *what)
{
	struct ish_obj *known = ish_device_find(sh->ctx, d->bdf);
	uint32_t dev, ioas = 0, s2 = 0, viommu = 0;
	struct ish_hw_info hw;
	const char *fix;
	int rc;

	if (known) {
		dev = ish_obj_id(known);
	} else {
		rc = ish_device_bind(sh->ctx, d->bdf, &dev);
		if (rc == -EBUSY) {
			line(sh, t, WARN, what, "stop the VMM that holds it, then check again",
			     "in use by another process: vIOMMU allocation not tried");
			return;
		}
		if (rc < 0) {
			line(sh, t, FAIL, what, "see iommush-device(8)", "bind failed: %s (%s)",
			     ish_errmsg(sh->ctx)[0] ? ish_errmsg(sh->ctx) : strerror(-rc),
			     sh_errno_name(-rc));
			return;
		}
	}
	rc = ish_get_hw_info(sh->ctx, dev, &hw);
	if (rc < 0 || hw.type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
		line(sh, t, FAIL, what, "an ARM SMMUv3 host with CONFIG_ARM_SMMU_V3_IOMMUFD",
		     rc < 0 ? "IOMMU_GET_HW_INFO failed: %s" : "%s is not behind an ARM SMMUv3",
		     rc < 0 ? strerror(-rc) : d->bdf);
		goto unbind;
	}
	rc = ish_ioas_alloc(sh->ctx, &ioas);
	if (rc == 0)
		rc = ish_hwpt_alloc(sh->ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				    IOMMU_HWPT_DATA_NONE, NULL, 0, &s2);
	if (rc < 0) {
		bool s1 = hw.smmu.idr[0] & 2, s2p = hw.smmu.idr[0] & 1;

		/* arm_smmu_domain_alloc_paging_flags(): NEST_PARENT needs FEAT_NESTING */
		t->err = t->err ? t->err : rc;
		if (rc == -EOPNOTSUPP)
			line(sh, t, FAIL, what, "an SMMU with both stages (QEMU: arm-smmuv3,"
			     "stage=nested)", "no nest-parent HWPT (EOPNOTSUPP): the SMMU lacks "
			     "nesting (both stages; its IDR0 says S1P=%d S2P=%d)", s1, s2p);
		else
			line(sh, t, FAIL, what, NULL, "nest-parent HWPT refused: %s (%s)",
			     strerror(-rc), sh_errno_name(-rc));
		goto destroy;
	}
	rc = ish_viommu_alloc(sh->ctx, dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu);
	if (rc == 0) {
		line(sh, t, PASS, what, NULL, "vIOMMU allocated and freed (nesting; %s)",
		     hw.smmu.idr[3] & (1u << 8) ? "S2FWB" : "CANWBS from the IORT");
		ish_destroy(sh->ctx, viommu);
		/* 7.3: the host tells user space to repeat its invalidations (T264-SMMU-3) */
		if (hw.smmu.flags & IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI)
			line(sh, t, WARN, what, "a VMM that honours the flag (libiommush's vSMMU "
			     "model does)", "the SMMU reports ERRATA_REPEAT_TLBI_CFGI: "
			     "every guest TLBI and CFGI, with a CMD_SYNC, must be issued twice");
	} else if (rc == -EOPNOTSUPP) {
		t->err = t->err ? t->err : rc;
		/* arm_smmu_get_viommu_size(): CANWBS on the master or S2FWB on the SMMU */
		fix = "firmware whose IORT root complex node sets CANWBS (memory access flags "
		      "bit 2; for QEMU, an ACPI IORT override made by tools/iort-canwbs), or an "
		      "SMMU with S2FWB";
		line(sh, t, FAIL, what, fix, "vIOMMU refused (EOPNOTSUPP): the SMMU has no S2FWB "
		     "(IDR3.FWB=0) and the device is not CANWBS");
	} else {
		t->err = t->err ? t->err : rc;
		line(sh, t, FAIL, what, NULL, "vIOMMU refused: %s (%s)", strerror(-rc),
		     sh_errno_name(-rc));
	}
destroy:
	if (s2)
		ish_destroy(sh->ctx, s2);
	if (ioas)
		ish_destroy(sh->ctx, ioas);
unbind:
	if (!known)
		ish_device_unbind(sh->ctx, dev);
	ish_clear_err(sh->ctx);
}

static int check_function(void *arg, const struct ish_pci_dev *d)
{
	struct walk *w = arg;
	struct shell *sh = w->sh;
	char what[64], fix[128];

	w->n++;
	snprintf(what, sizeof(what), "%s group", d->bdf);
	if (d->iommu_group < 0) {
		line(sh, w->t, WARN, what, "nothing, unless a VMM needs it: then it must sit behind "
		     "an SMMU (IORT/DT iommu-map)", "no IOMMU group: not behind an IOMMU");
		return 0;
	}
	line(sh, w->t, PASS, what, NULL, "IOMMU group %d, on %s", d->iommu_group,
	     d->iommu[0] ? d->iommu : "an unnamed IOMMU");
	if (d->class >> 16 == 0x06)
		return 0;	/* a bridge: nothing a VMM passes through */
	snprintf(what, sizeof(what), "%s driver", d->bdf);
	if (strcmp(d->driver, "vfio-pci")) {
		snprintf(fix, sizeof(fix), "iommush -c 'pci use-vfio %s' (or driver_override)",
			 d->bdf);
		line(sh, w->t, WARN, what, fix, "%s, not vfio-pci: a VMM cannot take it",
		     d->driver[0] ? d->driver : "no driver");
		return 0;
	}
	snprintf(what, sizeof(what), "%s cdev", d->bdf);
	if (!d->cdev[0]) {
		line(sh, w->t, FAIL, what, "a kernel with CONFIG_VFIO_DEVICE_CDEV=y",
		     "on vfio-pci but without a VFIO cdev");
		return 0;
	}
	if (!sh->sim && access(d->cdev, R_OK | W_OK) < 0) {
		snprintf(fix, sizeof(fix), "run as root, or give this user rw access to %s",
			 d->cdev);
		line(sh, w->t, FAIL, what, fix, "%s: %s", d->cdev, strerror(errno));
		return 0;
	}
	line(sh, w->t, PASS, what, NULL, "%s, read-write for this user", d->cdev);
	snprintf(what, sizeof(what), "%s vIOMMU", d->bdf);
	probe_viommu(sh, w->t, d, what);
	return 0;
}

/* without /dev/iommu there is no backend: sysfs alone says what the functions are */
static void check_sysfs(struct shell *sh, struct tally *t)
{
	struct dirent **list, *e;
	char path[512], link[256], what[64];
	int i, count;
	ssize_t n;

	count = scandir("/sys/bus/pci/devices", &list, NULL, alphasort);
	if (count < 0) {
		line(sh, t, WARN, "PCI", NULL, "no /sys/bus/pci/devices");
		return;
	}
	for (i = 0; i < count; free(list[i++])) {
		e = list[i];
		if (e->d_name[0] == '.')
			continue;
		snprintf(what, sizeof(what), "%.16s group", e->d_name);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0) {
			line(sh, t, WARN, what, "nothing, unless a VMM needs it: then it must sit "
			     "behind an SMMU", "no IOMMU group: not behind an IOMMU");
			continue;
		}
		link[n] = '\0';
		line(sh, t, PASS, what, NULL, "IOMMU group %s",
		     strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
	free(list);
}

/* ---- limits ----------------------------------------------------------------------------------- */

static bool has_cap_ipc_lock(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char buf[256];
	unsigned long long eff = 0;

	if (!fp)
		return false;
	while (fgets(buf, sizeof(buf), fp))
		if (sscanf(buf, "CapEff: %llx", &eff) == 1)
			break;
	fclose(fp);
	return eff & (1ULL << 14);	/* CAP_IPC_LOCK */
}

static void check_memlock(struct shell *sh, struct tally *t)
{
	struct rlimit rl;

	/* iommufd charges pinned pages to the user's locked_vm (iommufd_account_mode) */
	if (sh->sim) {
		line(sh, t, PASS, "RLIMIT_MEMLOCK", NULL, "the simulator pins nothing (on a kernel, "
		     "IOAS_MAP charges the pages it pins to it)");
		return;
	}
	if (has_cap_ipc_lock()) {
		line(sh, t, PASS, "RLIMIT_MEMLOCK", NULL, "CAP_IPC_LOCK: pinned memory is not "
		     "limited");
		return;
	}
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) {
		line(sh, t, PASS, "RLIMIT_MEMLOCK", NULL, "unlimited");
		return;
	}
	if (rl.rlim_cur < (1ULL << 30))
		line(sh, t, WARN, "RLIMIT_MEMLOCK", "ulimit -l (or LimitMEMLOCK= for a service) at "
		     "least the guest's RAM", "%llu KiB: IOAS_MAP pins guest RAM against it, and "
		     "fails with ENOMEM past it", (unsigned long long)rl.rlim_cur / 1024);
	else
		line(sh, t, PASS, "RLIMIT_MEMLOCK", NULL, "%llu MiB",
		     (unsigned long long)rl.rlim_cur >> 20);
}

static int cmd_check(struct shell *sh, const struct sh_call *c)
{
	struct tally t = { { 0 }, 0 };
	struct walk w = { sh, &t, 0 };
	int rc = 0;

	(void)c;
	pr_arr_open(sh, "checks");
	check_iommufd(sh, &t);
	check_config(sh, &t);
	if (sh->ctx)
		rc = ish_pci_list(sh->ctx, check_function, &w);
	else
		check_sysfs(sh, &t);
	if (rc < 0)
		line(sh, &t, WARN, "PCI", NULL, "cannot list the PCI functions: %s", strerror(-rc));
	else if (sh->ctx && !w.n)
		line(sh, &t, WARN, "PCI", "give the VM a PCI function to pass through", "no PCI "
		     "function");
	check_memlock(sh, &t);
	pr_arr_close(sh);
	pr_u64(sh, PR_ANY, "pass", "%llu passed", t.n[PASS]);
	pr_u64(sh, PR_ANY, "warn", ", %llu", t.n[WARN]);
	pr_text(sh, " warning%s", t.n[WARN] == 1 ? "" : "s");
	pr_u64(sh, PR_ANY, "fail", ", %llu failed\n", t.n[FAIL]);
	if (t.n[FAIL]) {
		pr_end(sh, true);	/* the checks are the answer, also when one failed */
		return sh_fail(sh, t.err ? t.err : -SH_EFAIL, "%u check%s failed%s", t.n[FAIL],
			       t.n[FAIL] == 1 ? "" : "s", t.err ? " (the errno is the first vIOMMU probe's)" : "");
	}
	return 0;
}

const struct sh_group sh_group_check = {
	"check", "validate the host for a VMM's vSMMUv3", "iommush-check(8)",
	(const struct sh_cmd[]) {
		{ NULL, "", "Check /dev/iommu, the kernel options, each PCI function (group, "
		  "driver, cdev, whether a vIOMMU can be allocated on it) and RLIMIT_MEMLOCK: "
		  "PASS, WARN or FAIL with the fix.", NULL, cmd_check, 0 },
		{ 0 }
	}
};
