// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A VFIO cdev: BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT (attach = replace, auto domains, the
 * SMMUv3 nested attach rules), GET_INFO, GET_REGION_INFO and region access, with vfio-pci's
 * argsz rules.
 */
#include <stddef.h>
#include "sim_internal.h"

#define OFFSETOFEND(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))
#define STE_CFG(ste)	(((ste)[0] >> 1) & 7)
#define STE_CFG_S1	5

/* ---- attach ------------------------------------------------------------------------------- */

/* The paging HWPT whose IOAS a device on @hwpt uses: itself, or a nested one's S2 parent. */
static struct sim_obj *paging_of(struct sim_obj *hwpt)
{
	if (hwpt->type == SIM_HWPT_PAGING)
		return hwpt;
	return hwpt->u.nested.viommu->u.viommu.parent;
}

static struct sim_smmu *dev_smmu(struct sim_obj *idev)
{
	return &idev->ictx->sim->smmu[idev->u.dev.pdev->cfg.smmu];
}

/* arm_smmu_attach_dev() / arm_smmu_attach_dev_nested(): what the driver refuses */
static int smmu_attach_check(struct sim_obj *idev, struct sim_obj *hwpt,
			     struct sim_obj **vmaster)
{
	unsigned int smmu = idev->u.dev.pdev->cfg.smmu;
	struct sim_obj *v, *vd = idev->u.dev.vdev;

	*vmaster = NULL;
	if (hwpt->type == SIM_HWPT_PAGING)
		return hwpt->u.paging.smmu == smmu ? 0 : -EINVAL;
	v = hwpt->u.nested.viommu;
	if (v->u.viommu.smmu != smmu)
		return -EINVAL;
	if (vd && vd->u.vdev.viommu == v) {
		*vmaster = v;
		return 0;
	}
	/* only a translating vSTE needs the vSID to exist (abort and bypass are GBPA's) */
	return STE_CFG(hwpt->u.nested.ste) == STE_CFG_S1 ? -ENOENT : 0;
}

static void hwpt_put(struct sim_obj *hwpt)
{
	hwpt->users--;
	/* an auto domain goes with its last device */
	if (hwpt->type == SIM_HWPT_PAGING && hwpt->u.paging.autodomain && hwpt->users == 1)
		sim_obj_remove(hwpt);
}

/* Point the StreamID at another STE: the driver's CFGI_STE drops the cached CD. */
static void ste_changed(struct sim_obj *idev)
{
	struct sim_pdev *p = idev->u.dev.pdev;

	sim_cdc_inv(dev_smmu(idev), p->cfg.sid, -1, false);
}

/* Attach, or replace what is attached; a failure changes nothing. */
static int do_attach(struct sim_obj *idev, struct sim_obj *hwpt)
{
	struct sim_obj *old = idev->u.dev.hwpt, *vmaster;
	struct sim_obj *new_ioas = paging_of(hwpt)->u.paging.ioas;
	struct sim_obj *old_ioas = old ? paging_of(old)->u.paging.ioas : NULL;
	int rc;

	if (old == hwpt)
		return 0;
	if (new_ioas != old_ioas) {
		rc = sim_ioas_resv_add(new_ioas, SIM_MSI_IOVA, SIM_MSI_LAST);
		if (rc < 0)
			return rc;
	}
	rc = smmu_attach_check(idev, hwpt, &vmaster);
	if (rc < 0) {
		if (new_ioas != old_ioas)
			sim_ioas_resv_del(new_ioas, SIM_MSI_IOVA, SIM_MSI_LAST);
		return rc;
	}
	if (old_ioas && old_ioas != new_ioas)
		sim_ioas_resv_del(old_ioas, SIM_MSI_IOVA, SIM_MSI_LAST);
	hwpt->users++;
	if (!old)
		idev->users++;
	idev->u.dev.hwpt = hwpt;
	idev->u.dev.vmaster = vmaster;
	idev->u.dev.vsid = vmaster ? (uint32_t)idev->u.dev.vdev->u.vdev.virt_id : 0;
	ste_changed(idev);
	if (old)
		hwpt_put(old);
	return 0;
}

void sim_device_detach(struct sim_obj *idev)
{
	struct sim_obj *old = idev->u.dev.hwpt;

	if (!old)
		return;
	sim_ioas_resv_del(paging_of(old)->u.paging.ioas, SIM_MSI_IOVA, SIM_MSI_LAST);
	idev->u.dev.hwpt = NULL;
	idev->u.dev.vmaster = NULL;
	idev->users--;
	ste_changed(idev);
	hwpt_put(old);
}

/* iommufd_device_auto_get_domain(): reuse a compatible auto HWPT, or make one */
static int attach_ioas(struct sim_obj *idev, struct sim_obj *ioas, uint32_t *pt_id)
{
	struct sim_obj *h;
	int rc;

	for (h = ioas->u.ioas.hwpts; h; h = h->u.paging.next) {
		if (!h->u.paging.autodomain)
			continue;
		rc = do_attach(idev, h);
		if (rc == -EINVAL)
			continue;	/* incompatible with this device: try the next */
		if (!rc)
			*pt_id = h->id;
		return rc;
	}
	rc = sim_hwpt_paging_new(idev, ioas, 0, true, &h);
	if (rc < 0)
		return rc;
	rc = do_attach(idev, h);
	if (rc < 0) {
		sim_hwpt_destroy(h);
		sim_obj_abort(h);
		return rc;
	}
	*pt_id = h->id;
	sim_obj_finalize(h);
	return 0;
}

static int change_pt(struct sim_obj *idev, uint32_t *pt_id)
{
	struct sim_obj *pt = sim_obj_any(idev->ictx, *pt_id);

	if (!pt)
		return -ENOENT;
	switch (pt->type) {
	case SIM_HWPT_PAGING:
	case SIM_HWPT_NESTED:
		return do_attach(idev, pt);
	case SIM_IOAS:
		return attach_ioas(idev, pt, pt_id);
	default:
		return -EINVAL;
	}
}

/* No simulated function has the PASID capability. */
static int pasid_attach(struct sim_obj *idev, uint32_t pt_id)
{
	struct sim_obj *pt = sim_obj_any(idev->ictx, pt_id);

	if (!pt)
		return -ENOENT;
	return -EINVAL;
}

static int ioctl_attach(struct sim_file *f, struct vfio_device_attach_iommufd_pt *uarg)
{
	struct vfio_device_attach_iommufd_pt at = { 0 };
	size_t minsz = OFFSETOFEND(struct vfio_device_attach_iommufd_pt, pt_id);
	uint32_t pt_id;
	int rc;

	memcpy(&at, uarg, minsz);
	if (at.argsz < minsz || at.flags & ~VFIO_DEVICE_ATTACH_PASID)
		return -EINVAL;
	if (at.flags & VFIO_DEVICE_ATTACH_PASID) {
		if (at.argsz < sizeof(at))
			return -EINVAL;
		return pasid_attach(f->obj, at.pt_id);
	}
	pt_id = at.pt_id;
	rc = change_pt(f->obj, &pt_id);
	if (!rc)
		uarg->pt_id = pt_id;
	return rc;
}

/* Detaching what is not attached (RID or PASID) is a quiet success. */
static int ioctl_detach(struct sim_file *f, struct vfio_device_detach_iommufd_pt *uarg)
{
	struct vfio_device_detach_iommufd_pt de = { 0 };
	size_t minsz = OFFSETOFEND(struct vfio_device_detach_iommufd_pt, flags);

	memcpy(&de, uarg, minsz);
	if (de.argsz < minsz || de.flags & ~VFIO_DEVICE_DETACH_PASID)
		return -EINVAL;
	if (de.flags & VFIO_DEVICE_DETACH_PASID)
		return de.argsz < sizeof(de) ? -EINVAL : 0;
	sim_device_detach(f->obj);
	return 0;
}

/* ---- bind / unbind ---------------------------------------------------------------------- */

static int bind_args(struct vfio_device_bind_iommufd *bind, const void *uarg)
{
	size_t minsz = OFFSETOFEND(struct vfio_device_bind_iommufd, out_devid);
	int rc;

	memcpy(bind, uarg, minsz);
	if (bind->argsz < minsz)
		return -EINVAL;
	rc = sim_struct_from_user(bind, sizeof(*bind), (uintptr_t)uarg, bind->argsz);
	if (rc < 0)
		return rc;
	if (bind->iommufd < 0 || bind->flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN)
		return -EINVAL;
	return 0;
}

/* A VF token is only for SR-IOV functions: none here takes one. */
static int bind_token(const struct vfio_device_bind_iommufd *bind)
{
	uint8_t uuid[16];

	if (!(bind->flags & VFIO_DEVICE_BIND_FLAG_TOKEN))
		return 0;
	if (sim_copy_from_user(uuid, bind->token_uuid_ptr, sizeof(uuid)) < 0)
		return -EFAULT;
	return -EINVAL;
}

static int bind_ctx(struct sim *sim, int fd, struct sim_ictx **out)
{
	struct sim_file *iof = sim_file_find(sim, fd);

	if (!iof)
		return -EBADF;
	if (iof->kind != SIM_F_IOMMUFD)
		return -EBADFD;
	*out = iof->ictx;
	return 0;
}

static int ioctl_bind(struct sim *sim, struct sim_file *f, struct vfio_device_bind_iommufd *uarg)
{
	struct vfio_device_bind_iommufd bind;
	struct sim_pdev *p = f->pdev;
	struct sim_ictx *ictx;
	struct sim_obj *idev;
	int rc;

	rc = bind_args(&bind, uarg);
	if (rc < 0)
		return rc;
	if (f->obj)
		return -EINVAL;		/* bound already */
	rc = bind_token(&bind);
	if (!rc)
		rc = bind_ctx(sim, bind.iommufd, &ictx);
	if (rc < 0)
		return rc;
	if (p->idev)
		return -EINVAL;		/* open through another cdev fd */
	idev = sim_obj_new(ictx, SIM_DEVICE);
	if (!idev)
		return -ENOMEM;
	idev->u.dev.pdev = p;
	idev->users++;			/* the binding, for its whole life */
	sim_obj_finalize(idev);
	sim_ictx_get(ictx);
	p->idev = idev;
	f->obj = idev;
	f->ictx = ictx;
	p->config[0x04] = (p->config[0x04] & ~SIM_PCI_CMD_MASTER) | SIM_PCI_CMD_MEM;
	uarg->out_devid = idev->id;
	return 0;
}

/* Closing a bound cdev: detach, tombstone a live vDEVICE, destroy the DEVICE object. */
void sim_vfio_unbind(struct sim *sim, struct sim_file *f)
{
	struct sim_obj *idev = f->obj;
	struct sim_pdev *p = f->pdev;

	(void)sim;
	sim_device_detach(idev);
	if (idev->u.dev.vdev)
		sim_obj_tombstone(idev->u.dev.vdev);
	idev->users = 1;
	sim_obj_remove(idev);
	p->idev = NULL;
	f->obj = NULL;
	p->config[0x04] &= ~SIM_PCI_CMD_MASTER;	/* vfio-pci's disable clears bus mastering */
}

static uint64_t bar_size(const struct sim_pdev *p, unsigned int index)
{
	return index == VFIO_PCI_BAR0_REGION_INDEX && p->cfg.edu ? SIM_EDU_BAR_SIZE : 0;
}

/* ---- device info and regions ------------------------------------------------------------ */

static int ioctl_get_info(struct vfio_device_info *uarg)
{
	size_t minsz = OFFSETOFEND(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	memcpy(&info, uarg, minsz);
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI;	/* no reset method: no FLR, PM or bus reset */
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	memcpy(uarg, &info, minsz);
	return 0;
}

static int ioctl_region_info(struct sim_pdev *p, struct vfio_region_info *uarg)
{
	size_t minsz = OFFSETOFEND(struct vfio_region_info, offset);
	struct vfio_region_info ri;

	memcpy(&ri, uarg, minsz);
	if (ri.argsz < minsz)
		return -EINVAL;
	if (ri.index >= VFIO_PCI_NUM_REGIONS || ri.index == VFIO_PCI_VGA_REGION_INDEX)
		return -EINVAL;
	ri.offset = (uint64_t)ri.index << SIM_REGION_SHIFT;
	ri.cap_offset = 0;
	ri.flags = 0;
	ri.size = 0;
	if (ri.index == VFIO_PCI_CONFIG_REGION_INDEX) {
		ri.size = SIM_CFG_SIZE;
		ri.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	} else if (bar_size(p, ri.index)) {
		ri.size = bar_size(p, ri.index);
		ri.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			   VFIO_REGION_INFO_FLAG_MMAP;
	}
	memcpy(uarg, &ri, minsz);
	return 0;
}

/* vfio_pci_ioctl_get_irq_info(): INTx (pin A), one MSI vector, no MSI-X, no AER (not PCIe) */
static int ioctl_irq_info(const struct sim_pdev *p, struct vfio_irq_info *uarg)
{
	size_t minsz = OFFSETOFEND(struct vfio_irq_info, count);
	struct vfio_irq_info ii;

	memcpy(&ii, uarg, minsz);
	if (ii.argsz < minsz || ii.index >= VFIO_PCI_NUM_IRQS ||
	    ii.index == VFIO_PCI_ERR_IRQ_INDEX)
		return -EINVAL;
	ii.flags = VFIO_IRQ_INFO_EVENTFD;
	if (ii.index == VFIO_PCI_INTX_IRQ_INDEX) {
		ii.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
		ii.count = p->config[0x3d] ? 1 : 0;
	} else if (ii.index == VFIO_PCI_MSI_IRQ_INDEX) {
		ii.flags |= VFIO_IRQ_INFO_NORESIZE;
		ii.count = p->cfg.edu ? 1 : 0;
	} else if (ii.index == VFIO_PCI_MSIX_IRQ_INDEX) {
		ii.flags |= VFIO_IRQ_INFO_NORESIZE;
		ii.count = 0;
	} else {
		ii.count = 1;	/* the device request IRQ */
	}
	memcpy(uarg, &ii, minsz);
	return 0;
}

/*
 * VFIO_DEVICE_FEATURE: vfio_ioctl_device_feature()'s checks of the header, then no feature:
 * the migration and dirty-logging ones need driver ops edu has not, and DMA_BUF is the stub
 * of a kernel without CONFIG_VFIO_PCI_DMABUF (vfio_pci_priv.h), as this host's is: ENOTTY.
 */
static int ioctl_feature(const void *uarg)
{
	const uint32_t known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET |
			       VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PROBE;
	struct vfio_device_feature ft;

	if (sim_copy_from_user(&ft, (uintptr_t)uarg, sizeof(ft)) < 0)
		return -EFAULT;
	if (ft.argsz < sizeof(ft) || ft.flags & ~known)
		return -EINVAL;
	if (!(ft.flags & VFIO_DEVICE_FEATURE_PROBE) && ft.flags & VFIO_DEVICE_FEATURE_SET &&
	    ft.flags & VFIO_DEVICE_FEATURE_GET)
		return -EINVAL;
	return -ENOTTY;
}

int sim_vfio_ioctl(struct sim *sim, struct sim_file *f, unsigned long req, void *arg)
{
	if (req == VFIO_DEVICE_BIND_IOMMUFD)
		return arg ? ioctl_bind(sim, f, arg) : -EFAULT;
	if (!f->obj)
		return -EINVAL;		/* nothing but BIND before a bind */
	if (!arg && (req == VFIO_DEVICE_ATTACH_IOMMUFD_PT || req == VFIO_DEVICE_DETACH_IOMMUFD_PT ||
		     req == VFIO_DEVICE_GET_INFO || req == VFIO_DEVICE_GET_REGION_INFO ||
		     req == VFIO_DEVICE_GET_IRQ_INFO))
		return -EFAULT;
	switch (req) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return ioctl_attach(f, arg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return ioctl_detach(f, arg);
	case VFIO_DEVICE_GET_INFO:
		return ioctl_get_info(arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return ioctl_region_info(f->pdev, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return ioctl_irq_info(f->pdev, arg);
	case VFIO_DEVICE_RESET:
		return -EINVAL;		/* no reset method works for these functions */
	case VFIO_DEVICE_FEATURE:
		return arg ? ioctl_feature(arg) : -EFAULT;
	default:
		return -ENOTTY;		/* interrupts (SET_IRQS): not modelled */
	}
}

/* ---- region access ----------------------------------------------------------------------- */

/* BAR0 as the guest sees it: address bits only, low bits say 32-bit memory, sizing works */
static void bar0_fixup(struct sim_pdev *p)
{
	uint64_t size = bar_size(p, VFIO_PCI_BAR0_REGION_INDEX);
	uint32_t bar;

	memcpy(&bar, &p->config[0x10], sizeof(bar));
	bar = size ? bar & ~(uint32_t)(size - 1) : 0;
	memcpy(&p->config[0x10], &bar, sizeof(bar));
}

/* vfio-pci virtualizes config space: only the command bits and BAR0 take writes here. */
static void config_write(struct sim_pdev *p, unsigned int off, const uint8_t *b, unsigned int n)
{
	bool bar = false;
	unsigned int i;

	for (i = 0; i < n; i++, off++) {
		if (off == 0x04) {		/* I/O, memory, bus master */
			p->config[off] = (p->config[off] & ~0x07) | (b[i] & 0x07);
		} else if (off == 0x05) {	/* INTx disable */
			p->config[off] = b[i] & 0x04;
		} else if (off >= 0x10 && off < 0x14) {
			p->config[off] = b[i];
			bar = true;
		}
	}
	if (bar)
		bar0_fixup(p);
}

static ssize_t config_rw(struct sim_pdev *p, uint8_t *buf, size_t len, uint64_t pos, bool write)
{
	size_t n;

	if (pos >= SIM_CFG_SIZE)
		return -EINVAL;
	n = len < SIM_CFG_SIZE - pos ? len : SIM_CFG_SIZE - pos;
	if (write)
		config_write(p, (unsigned int)pos, buf, (unsigned int)n);
	else
		memcpy(buf, &p->config[pos], n);
	return (ssize_t)n;
}

/* The widest naturally aligned access that fits, as vfio_pci_core_do_io_rw() splits them. */
static unsigned int io_chunk(uint64_t off, size_t left)
{
	if (left >= 8 && !(off % 8))
		return 8;
	if (left >= 4 && !(off % 4))
		return 4;
	if (left >= 2 && !(off % 2))
		return 2;
	return 1;
}

static ssize_t bar_rw(struct sim *sim, struct sim_pdev *p, uint8_t *buf, size_t len,
		      uint64_t pos, bool write)
{
	uint64_t end = bar_size(p, 0);
	size_t done = 0;

	if (!end || pos >= end)
		return -EINVAL;
	if (len > end - pos)
		len = (size_t)(end - pos);
	while (done < len) {
		unsigned int n = io_chunk(pos + done, len - done);

		if (!(p->config[0x04] & SIM_PCI_CMD_MEM))
			return done ? (ssize_t)done : -EIO;
		if (write)
			sim_edu_write(sim, p, pos + done, buf + done, n);
		else
			sim_edu_read(sim, p, pos + done, buf + done, n);
		done += n;
	}
	return (ssize_t)done;
}

ssize_t sim_vfio_rw(struct sim *sim, struct sim_file *f, void *buf, size_t len, uint64_t off,
		    bool write)
{
	unsigned int index = (unsigned int)(off >> SIM_REGION_SHIFT);
	uint64_t pos = off & ((1ULL << SIM_REGION_SHIFT) - 1);

	if (!f->obj)
		return -EINVAL;	/* no access before bind */
	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return config_rw(f->pdev, buf, len, pos, write);
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return bar_rw(sim, f->pdev, buf, len, pos, write);
	return -EINVAL;		/* BAR1-5, ROM and VGA do not exist */
}
