// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated kernel's front door: the ops table (what a process can call), and the
 * simulated host (SMMUs and PCI functions) that GET_HW_INFO, open_device and enumeration
 * describe. The allocator, number spaces and fds below it are sim_base.c's.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim_internal.h"

static const struct ish_ops sim_ops;

/* ---- the simulated host's PCI functions -------------------------------------------------- */

/* "vfioN" at the end of a cdev path: N, or -EINVAL. */
static int cdev_minor(const char *spec)
{
	const char *base = strrchr(spec, '/');
	char *end;
	long n;

	base = base ? base + 1 : spec;
	if (strncmp(base, "vfio", 4) || base[4] < '0' || base[4] > '9')
		return -EINVAL;
	n = strtol(base + 4, &end, 10);
	return *end || n > 0xffff ? -EINVAL : (int)n;
}

/* "DDDD:BB:DD.F" (canonical) as a number: the key of sim->pdev_by_bdf */
static uint64_t bdf_key(const char *bdf)
{
	return strtoull(bdf, NULL, 16) << 16 | strtoull(bdf + 5, NULL, 16) << 8 |
	       strtoull(bdf + 8, NULL, 16) << 3 | strtoull(bdf + 11, NULL, 16);
}

/* A function by BDF or cdev path; *err = -ENOENT when none, -EINVAL when malformed. */
struct sim_pdev *sim_pdev_find(struct sim *sim, const char *spec, int *err)
{
	char bdf[ISH_BDF_LEN];
	struct sim_pdev *p;
	int minor = -1;

	*err = -EINVAL;
	if (!spec || !*spec)
		return NULL;
	if (strchr(spec, '/') || !strncmp(spec, "vfio", 4)) {
		minor = cdev_minor(spec);
		if (minor < 0)
			return NULL;
	} else if (ish_bdf_canon(spec, bdf) < 0) {
		return NULL;
	}
	*err = -ENOENT;
	if (minor >= 0)
		return (unsigned int)minor < sim->nvfio ? sim->pdev_by_minor[minor] : NULL;
	p = sim_map_get(&sim->pdev_by_bdf, bdf_key(bdf));
	return p;
}

void sim_pdev_info(const struct sim *sim, const struct sim_pdev *p, struct ish_pci_dev *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->bdf, sizeof(info->bdf), "%s", p->cfg.bdf);
	info->vendor = p->cfg.vendor;
	info->device = p->cfg.device;
	info->class = p->cfg.class & 0xffffff;
	snprintf(info->name, sizeof(info->name), "%s", p->name);
	info->iommu_group = p->group;
	snprintf(info->iommu, sizeof(info->iommu), "smmu%u", p->cfg.smmu);
	if (p->minor >= 0) {
		snprintf(info->driver, sizeof(info->driver), "vfio-pci");
		snprintf(info->cdev, sizeof(info->cdev), "/dev/vfio/devices/vfio%d", p->minor);
	} else if (p->cfg.vendor == 0x1af4) {
		snprintf(info->driver, sizeof(info->driver), "virtio-pci");
	} else {
		info->driver[0] = '\0';	/* no driver bound */
	}
	(void)sim;
}

static void put16(uint8_t *b, unsigned int off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, unsigned int off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

/* Power-on state of a function, as vfio-pci leaves it after open (memory decode on). */
void sim_pdev_reset(struct sim_pdev *p)
{
	memset(p->config, 0, sizeof(p->config));
	put16(p->config, 0x00, p->cfg.vendor);
	put16(p->config, 0x02, p->cfg.device);
	put16(p->config, 0x04, SIM_PCI_CMD_MEM);
	p->config[0x08] = p->cfg.edu ? 0x10 : 0x01;	/* revision */
	p->config[0x09] = (uint8_t)p->cfg.class;
	p->config[0x0a] = (uint8_t)(p->cfg.class >> 8);
	p->config[0x0b] = (uint8_t)(p->cfg.class >> 16);
	put16(p->config, 0x2c, p->cfg.vendor);		/* subsystem */
	put16(p->config, 0x2e, 0x1100);
	p->config[0x3d] = 1;				/* INTA */
	if (p->cfg.edu) {
		p->config[0x06] = 0x10;			/* status: capability list */
		p->config[0x34] = 0x40;
		p->config[0x40] = 0x05;			/* MSI, 64-bit */
		put16(p->config, 0x42, 0x0080);
	}
	if (p->cfg.edu)
		put32(p->config, 0x10, 0x10000000 + ((uint32_t)p->group << 20));
	if (p->edu)
		memset(p->edu, 0, sizeof(*p->edu));
}

/* the next vfioN goes to @p */
static int minor_add(struct sim *sim, struct sim_pdev *p)
{
	if (sim->nvfio == sim->minor_cap) {
		unsigned int cap = sim->minor_cap ? 2 * sim->minor_cap : 16;
		struct sim_pdev **v = realloc(sim->pdev_by_minor, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sim->pdev_by_minor = v;
		sim->minor_cap = cap;
	}
	p->minor = (int)sim->nvfio;
	sim->pdev_by_minor[sim->nvfio++] = p;
	return 0;
}

static int pdev_add(struct sim *sim, const struct ish_sim_dev_cfg *cfg)
{
	char bdf[ISH_BDF_LEN];
	struct sim_pdev *p;
	int err;

	if (ish_bdf_canon(cfg->bdf, bdf) < 0 || cfg->smmu >= sim->nsmmu)
		return -EINVAL;
	if (sim_pdev_find(sim, bdf, &err))
		return -EEXIST;
	if (sim->npdev == sim->pdev_cap) {
		unsigned int cap = sim->pdev_cap ? 2 * sim->pdev_cap : 16;
		struct sim_pdev **v = realloc(sim->pdevs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sim->pdevs = v;
		sim->pdev_cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	memcpy(p->cfg.bdf, bdf, sizeof(bdf));
	snprintf(p->name, sizeof(p->name), "%s", cfg->name ? cfg->name : "");
	p->cfg.name = p->name;
	p->minor = -1;
	if (cfg->edu && !(p->edu = calloc(1, sizeof(*p->edu))))
		goto free_pdev;
	if (sim_map_add(sim, &sim->pdev_by_bdf, bdf_key(bdf), p) < 0)
		goto free_pdev;
	if (cfg->vfio && minor_add(sim, p) < 0)
		goto unmap;
	p->group = (int)sim->npdev;
	sim->pdevs[sim->npdev++] = p;
	sim->pdevs_sorted = false;
	sim_pdev_reset(p);
	return 0;

unmap:
	sim_map_del(&sim->pdev_by_bdf, bdf_key(bdf));
free_pdev:
	free(p->edu);
	free(p);
	return -ENOMEM;
}

static int pdev_cmp(const void *a, const void *b)
{
	return strcmp((*(struct sim_pdev *const *)a)->cfg.bdf,
		      (*(struct sim_pdev *const *)b)->cfg.bdf);
}

/* ---- public: topology ------------------------------------------------------------------- */

void ish_sim_smmu_default(struct ish_sim_smmu_cfg *cfg)
{
	static const uint32_t idr[6] = { 0x0d44101b, 0x02730010, 0, 0x00001414, 0, 0x74 };

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->idr, idr, sizeof(idr));
	cfg->aidr = 1;
	cfg->canwbs = true;
	cfg->nesting = true;
}

int ish_sim_add_smmu(struct ish_backend *be, const struct ish_sim_smmu_cfg *cfg)
{
	struct sim *sim = sim_of(be);

	if (!ish_is_sim(be) || !cfg)
		return -EINVAL;
	if (sim->nsmmu >= ISH_SIM_MAX_SMMUS)
		return -ENOSPC;
	memset(&sim->smmu[sim->nsmmu], 0, sizeof(sim->smmu[0]));
	sim->smmu[sim->nsmmu].cfg = *cfg;
	/*
	 * The driver's FEAT_NESTING is S1P and S2P together (arm_smmu_device_hw_probe): an SMMU
	 * that cannot nest reports stage 1 only, so GET_HW_INFO tells the same story.
	 */
	if (!cfg->nesting && (cfg->idr[0] & 0x3) == 0x3)
		sim->smmu[sim->nsmmu].cfg.idr[0] &= ~0x1u;	/* IDR0.S2P, bit 0 */
	return (int)sim->nsmmu++;
}

void ish_sim_set_canwbs(struct ish_backend *be, bool canwbs)
{
	struct sim *sim = sim_of(be);
	unsigned int i;

	if (!ish_is_sim(be))
		return;
	for (i = 0; i < sim->nsmmu; i++)
		sim->smmu[i].cfg.canwbs = canwbs;
}

int ish_sim_add_device(struct ish_backend *be, const struct ish_sim_dev_cfg *cfg)
{
	if (!ish_is_sim(be) || !cfg)
		return -EINVAL;
	return pdev_add(sim_of(be), cfg);
}

struct ish_backend *ish_sim_new_empty(void)
{
	struct sim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return NULL;
	sim->be.ops = &sim_ops;
	return &sim->be;
}

static int add_default_devices(struct ish_backend *be)
{
	static const struct ish_sim_dev_cfg devs[] = {
		{ "0000:00:01.0", 0x1234, 0x11e8, 0x00ff00, "Qemu edu test device", 0, 0x0008,
		  true, true },
		{ "0000:00:02.0", 0x1234, 0x11e8, 0x00ff00, "Qemu edu test device", 0, 0x0010,
		  true, true },
		{ "0000:10:00.0", 0x1234, 0x11e8, 0x00ff00, "Qemu edu test device", 1, 0x1000,
		  true, true },
		{ "0000:00:03.0", 0x1af4, 0x1041, 0x020000,
		  "Red Hat, Inc. Virtio 1.0 network device", 0, 0x0018, false, false },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		rc = ish_sim_add_device(be, &devs[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct ish_backend *ish_sim_new(void)
{
	struct ish_backend *be = ish_sim_new_empty();
	struct ish_sim_smmu_cfg cfg;

	if (!be)
		return NULL;
	ish_sim_smmu_default(&cfg);
	if (ish_sim_add_smmu(be, &cfg) < 0 || ish_sim_add_smmu(be, &cfg) < 0 ||
	    add_default_devices(be) < 0) {
		be->ops->free(be);
		return NULL;
	}
	return be;
}

bool ish_is_sim(const struct ish_backend *be)
{
	return be && be->ops == &sim_ops;
}

void ish_sim_set_profile(struct ish_backend *be, enum ish_sim_profile p)
{
	if (ish_is_sim(be))
		sim_of(be)->profile = p;
}

static void count_ctx(const struct sim_ictx *ictx, struct ish_sim_stats *st)
{
	uint32_t id;

	for (id = 1; id < ictx->cap; id++) {
		const struct sim_obj *o = ictx->objs[id];

		if (!o)
			continue;
		st->objects++;
		if (o->type == SIM_TOMBSTONE)
			st->tombstones++;
		if (o->type == SIM_IOAS)
			st->pinned_pages += (unsigned int)sim_ioas_pinned(o);
	}
}

void ish_sim_get_stats(struct ish_backend *be, struct ish_sim_stats *st)
{
	struct sim *sim = sim_of(be);
	const struct sim_ictx *ictx;

	memset(st, 0, sizeof(*st));
	if (!ish_is_sim(be))
		return;
	for (ictx = sim->ctxs; ictx; ictx = ictx->next)
		count_ctx(ictx, st);
	st->open_fds = sim->nfiles;
	st->calls = sim->calls;
	st->host_events = sim->host_events;
}

int ish_sim_inject_event(struct ish_backend *be, const char *bdf, const uint64_t evt[4])
{
	struct sim_pdev *p;
	int err;

	if (!ish_is_sim(be) || !evt)
		return -EINVAL;
	p = sim_pdev_find(sim_of(be), bdf, &err);
	if (!p)
		return err;
	return sim_event_report(sim_of(be), p, evt);
}

int ish_sim_dma(struct ish_backend *be, const char *bdf, uint64_t addr, size_t len, int64_t ssid,
		bool to_ram, void *buf)
{
	struct sim_pdev *p;
	uint8_t *tmp = buf;
	int err = 0;

	if (!ish_is_sim(be) || !len || len > ISH_SIM_DMA_MAX || ssid > (int64_t)SIM_SSID_MAX)
		return -EINVAL;
	p = sim_pdev_find(sim_of(be), bdf, &err);
	if (!p)
		return err;
	err = 0;
	if (!(p->config[0x04] & SIM_PCI_CMD_MASTER))
		return -EPERM;	/* PCI_COMMAND.MASTER clear: the function issues no DMA */
	/* the device's own buffer, not kernel memory: no fault injection */
	if (!buf && !(tmp = calloc(1, len)))
		return -ENOMEM;
	if (!sim_dma(sim_of(be), p, addr, tmp, len, to_ram, ssid))
		err = -EFAULT;
	if (!buf)
		free(tmp);
	return err;
}

/* ---- ops ---------------------------------------------------------------------------------- */

static int sim_open_iommufd(struct ish_backend *be)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f;
	struct sim_ictx *ictx;
	int fd;

	ictx = sim_ictx_new(sim);
	if (!ictx)
		return -ENOMEM;
	fd = sim_file_new(sim, SIM_F_IOMMUFD, &f);
	if (fd < 0) {
		sim_ictx_put(ictx);
		return fd;
	}
	f->ictx = ictx;
	return fd;
}

static int sim_open_device(struct ish_backend *be, const char *spec, struct ish_pci_dev *info)
{
	struct sim *sim = sim_of(be);
	struct sim_pdev *p;
	struct sim_file *f;
	int fd, err;

	p = sim_pdev_find(sim, spec, &err);
	if (!p)
		return err;
	if (p->minor < 0)
		return -ENODEV;	/* no cdev: it is not on vfio-pci */
	fd = sim_file_new(sim, SIM_F_DEVICE, &f);
	if (fd < 0)
		return fd;
	f->pdev = p;
	if (info)
		sim_pdev_info(sim, p, info);
	return fd;
}

static int sim_close(struct ish_backend *be, int fd)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f = sim_file_find(sim, fd);
	struct sim_ictx *ictx;

	if (!f)
		return -EBADF;
	ictx = f->ictx;
	if (f->kind == SIM_F_DEVICE && f->obj)
		sim_vfio_unbind(sim, f);
	if (f->kind == SIM_F_VEVENTQ) {
		f->obj->u.q.file = NULL;
		f->obj->users--;
	}
	sim_file_free(sim, f);
	if (ictx)
		sim_ictx_put(ictx);
	return 0;
}

static int sim_ioctl(struct ish_backend *be, int fd, unsigned long request, void *arg)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f = sim_file_find(sim, fd);

	sim->calls++;
	if (!f)
		return -EBADF;
	switch (f->kind) {
	case SIM_F_IOMMUFD:
		return sim_iommufd_ioctl(sim, f, request, arg);
	case SIM_F_DEVICE:
		return sim_vfio_ioctl(sim, f, request, arg);
	default:
		return -ENOTTY;	/* the vEVENTQ file has no ioctl */
	}
}

/* read()/write() on a VFIO device fd: at the file position, which moves on */
static ssize_t device_rw_pos(struct sim *sim, struct sim_file *f, void *buf, size_t len,
			     bool write)
{
	ssize_t n = sim_vfio_rw(sim, f, buf, len, f->pos, write);

	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static ssize_t sim_read(struct ish_backend *be, int fd, void *buf, size_t len)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f = sim_file_find(sim, fd);

	sim->calls++;
	if (!f)
		return -EBADF;
	if (f->kind == SIM_F_VEVENTQ)
		return sim_veventq_read(sim, f, buf, len);
	if (f->kind == SIM_F_DEVICE)
		return device_rw_pos(sim, f, buf, len, false);
	return -EINVAL;		/* /dev/iommu has no read */
}

static ssize_t sim_write(struct ish_backend *be, int fd, const void *buf, size_t len)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f = sim_file_find(sim, fd);

	sim->calls++;
	if (!f)
		return -EBADF;
	if (f->kind == SIM_F_DEVICE)
		return device_rw_pos(sim, f, (void *)buf, len, true);
	return -EINVAL;		/* neither /dev/iommu nor the vEVENTQ has a write op */
}

/*
 * Nothing can arrive while the caller waits (the simulated kernel runs only inside calls), but
 * the wait itself is real: it takes the time the kernel's would and a signal ends it with EINTR,
 * so Ctrl-C and timeouts behave the same on both backends.
 */
static int sim_poll(struct ish_backend *be, int fd, int timeout_ms)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f = sim_file_find(sim, fd);
	int ready;

	sim->calls++;
	if (!f)
		return -EBADF;
	if (f->kind != SIM_F_VEVENTQ)
		return 1;	/* no poll op: the default mask says readable */
	ready = sim_veventq_poll(f);
	if (ready || !timeout_ms)
		return ready;
	if (poll(NULL, 0, timeout_ms) < 0 && errno == EINTR)
		return -EINTR;
	return 0;
}

/* pread/pwrite: VFIO region access on a device cdev; the vEVENTQ cannot seek */
static ssize_t sim_region_io(struct ish_backend *be, int fd, void *buf, size_t len, uint64_t off,
			     bool write)
{
	struct sim *sim = sim_of(be);
	struct sim_file *f = sim_file_find(sim, fd);

	sim->calls++;
	if (!f)
		return -EBADF;
	if (f->kind == SIM_F_VEVENTQ)
		return -ESPIPE;
	if (f->kind != SIM_F_DEVICE)
		return -EINVAL;
	return sim_vfio_rw(sim, f, buf, len, off, write);
}

static ssize_t sim_pread(struct ish_backend *be, int fd, void *buf, size_t len, uint64_t off)
{
	return sim_region_io(be, fd, buf, len, off, false);
}

static ssize_t sim_pwrite(struct ish_backend *be, int fd, const void *buf, size_t len,
			  uint64_t off)
{
	return sim_region_io(be, fd, (void *)buf, len, off, true);
}

static int sim_pci_list(struct ish_backend *be, ish_pci_cb cb, void *arg)
{
	struct sim *sim = sim_of(be);
	struct ish_pci_dev info;
	unsigned int i;
	int rc;

	/* in BDF order, as the PCI core lists them; sorted once after devices were added */
	if (!sim->pdevs_sorted) {
		qsort(sim->pdevs, sim->npdev, sizeof(*sim->pdevs), pdev_cmp);
		sim->pdevs_sorted = true;
	}
	for (i = 0; i < sim->npdev; i++) {
		sim_pdev_info(sim, sim->pdevs[i], &info);
		rc = cb(arg, &info);
		if (rc)
			return rc;
	}
	return 0;
}

static int sim_pci_lookup(struct ish_backend *be, const char *spec, struct ish_pci_dev *info)
{
	struct sim *sim = sim_of(be);
	struct sim_pdev *p;
	int err;

	p = sim_pdev_find(sim, spec, &err);
	if (!p)
		return err;
	sim_pdev_info(sim, p, info);
	return 0;
}

/*
 * Move a function to vfio-pci, as the kernel backend does when asked: it gets the next vfioN.
 * The simulated host goes away with the process, so there is nothing to give back.
 */
static int sim_pci_use_vfio(struct ish_backend *be, const char *bdf)
{
	struct sim *sim = sim_of(be);
	struct sim_pdev *p;
	int err;

	sim->calls++;
	p = sim_pdev_find(sim, bdf, &err);
	if (!p)
		return err;
	if (p->minor < 0)
		return minor_add(sim, p);
	return 0;
}

/* Close whatever the caller left open, as process exit would, then free the host. */
static void sim_free(struct ish_backend *be)
{
	struct sim *sim = sim_of(be);
	unsigned int i;

	for (i = sim->nfile_slots; sim->nfiles && i-- > 0;)
		if (sim->file_tab[i])
			sim_close(be, SIM_FD_BASE + (int)i);
	free(sim->file_tab);
	sim_ida_free(&sim->fds);
	for (i = 0; i < sim->npdev; i++) {
		free(sim->pdevs[i]->edu);
		free(sim->pdevs[i]);
	}
	free(sim->pdevs);
	free(sim->pdev_by_minor);
	sim_map_free(&sim->pdev_by_bdf);
	for (i = 0; i < sim->nsmmu; i++)
		sim_smmu_flush(&sim->smmu[i]);
	free(sim);
}

static const struct ish_ops sim_ops = {
	.name = "sim",
	.open_iommufd = sim_open_iommufd,
	.open_device = sim_open_device,
	.close = sim_close,
	.ioctl = sim_ioctl,
	.read = sim_read,
	.write = sim_write,
	.poll = sim_poll,
	.pread = sim_pread,
	.pwrite = sim_pwrite,
	.pci_list = sim_pci_list,
	.pci_lookup = sim_pci_lookup,
	.pci_use_vfio = sim_pci_use_vfio,
	.free = sim_free,
};
