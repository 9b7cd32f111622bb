// SPDX-License-Identifier: GPL-2.0-or-later
/* The ioctl descriptor table (see ioctl.h) and the decoders --trace and --dry-run print. */
#include <stdarg.h>
#include <stdio.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "ioctl.h"

void ish_out_put(struct ish_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
}

static void hwpt_flags(struct ish_out *o, uint32_t f)
{
	static const char *const names[] = { "NEST_PARENT", "DIRTY_TRACKING", "FAULT_ID_VALID",
					     "PASID" };
	const char *sep = "";
	unsigned int i;

	if (!f) {
		ish_out_put(o, "0");
		return;
	}
	for (i = 0; i < 32; i++) {
		if (!(f & (1u << i)))
			continue;
		if (i < 4)
			ish_out_put(o, "%s%s", sep, names[i]);
		else
			ish_out_put(o, "%s0x%x", sep, 1u << i);
		sep = "|";
	}
}

static void dec_destroy(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_destroy *a = arg;

	ish_out_put(o, "id=%u", a->id);
}

static void dec_ioas_alloc(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_alloc *a = arg;

	ish_out_put(o, "flags=0x%x", a->flags);
	if (ok)
		ish_out_put(o, " -> out_ioas_id=%u", ((const struct iommu_ioas_alloc *)res)->out_ioas_id);
}

static void dec_ioas_map(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_map *a = arg;

	ish_out_put(o, "ioas_id=%u flags=0x%x user_va=0x%llx length=0x%llx iova=0x%llx", a->ioas_id,
	    a->flags, (unsigned long long)a->user_va, (unsigned long long)a->length,
	    (unsigned long long)a->iova);
	if (ok)
		ish_out_put(o, " -> iova=0x%llx",
		    (unsigned long long)((const struct iommu_ioas_map *)res)->iova);
}

static void dec_ioas_unmap(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_unmap *a = arg;

	ish_out_put(o, "ioas_id=%u iova=0x%llx length=0x%llx", a->ioas_id,
	    (unsigned long long)a->iova, (unsigned long long)a->length);
	if (ok)
		ish_out_put(o, " -> length=0x%llx",
		    (unsigned long long)((const struct iommu_ioas_unmap *)res)->length);
}

static void dec_ioas_iova_ranges(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_iova_ranges *a = arg;
	const struct iommu_ioas_iova_ranges *r = res;

	ish_out_put(o, "ioas_id=%u num_iovas=%u", a->ioas_id, a->num_iovas);
	/* iommufd_ioas_iova_ranges() reports the count also when it fails with EMSGSIZE */
	ish_out_put(o, " -> num_iovas=%u out_iova_alignment=0x%llx", r->num_iovas,
	    (unsigned long long)r->out_iova_alignment);
}

static void dec_ioas_allow_iovas(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_allow_iovas *a = arg;

	ish_out_put(o, "ioas_id=%u num_iovas=%u", a->ioas_id, a->num_iovas);
}

static void dec_ioas_copy(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_copy *a = arg;

	ish_out_put(o, "dst_ioas_id=%u src_ioas_id=%u flags=0x%x length=0x%llx src_iova=0x%llx "
	    "dst_iova=0x%llx", a->dst_ioas_id, a->src_ioas_id, a->flags,
	    (unsigned long long)a->length, (unsigned long long)a->src_iova,
	    (unsigned long long)a->dst_iova);
	if (ok)
		ish_out_put(o, " -> dst_iova=0x%llx",
		    (unsigned long long)((const struct iommu_ioas_copy *)res)->dst_iova);
}

static void dec_option(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_option *a = arg;
	static const char *const opt[] = { "RLIMIT_MODE", "HUGE_PAGES" };

	if (a->option_id < 2)
		ish_out_put(o, "option_id=%s", opt[a->option_id]);
	else
		ish_out_put(o, "option_id=%u", a->option_id);
	ish_out_put(o, " op=%s object_id=%u", a->op == IOMMU_OPTION_OP_SET ? "SET" :
	    a->op == IOMMU_OPTION_OP_GET ? "GET" : "?", a->object_id);
	if (a->op == IOMMU_OPTION_OP_SET)
		ish_out_put(o, " val64=%llu", (unsigned long long)a->val64);
	else if (ok)
		ish_out_put(o, " -> val64=%llu",
		    (unsigned long long)((const struct iommu_option *)res)->val64);
}

static void dec_ioas_map_file(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_map_file *a = arg;

	ish_out_put(o, "ioas_id=%u flags=0x%x fd=%d start=0x%llx length=0x%llx iova=0x%llx",
	    a->ioas_id, a->flags, a->fd, (unsigned long long)a->start,
	    (unsigned long long)a->length, (unsigned long long)a->iova);
	if (ok)
		ish_out_put(o, " -> iova=0x%llx",
		    (unsigned long long)((const struct iommu_ioas_map_file *)res)->iova);
}

static void dec_ioas_change_process(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	ish_out_put(o, "size=%u", ((const struct iommu_ioas_change_process *)arg)->size);
}

static void dec_ioas_noiommu_get_pa(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_ioas_noiommu_get_pa *a = arg;

	ish_out_put(o, "flags=0x%x ioas_id=%u iova=0x%llx length=0x%llx", a->flags, a->ioas_id,
	    (unsigned long long)a->iova, (unsigned long long)a->length);
	if (ok) {
		const struct iommu_ioas_noiommu_get_pa *r = res;

		ish_out_put(o, " -> length=0x%llx out_phys=0x%llx", (unsigned long long)r->length,
		    (unsigned long long)r->out_phys);
	}
}

static void dec_hwpt_alloc(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_hwpt_alloc *a = arg;

	ish_out_put(o, "flags=");
	hwpt_flags(o, a->flags);
	ish_out_put(o, " dev_id=%u pt_id=%u data_type=%u data_len=%u", a->dev_id, a->pt_id,
	    a->data_type, a->data_len);
	if (a->data_type == IOMMU_HWPT_DATA_ARM_SMMUV3 && a->data_len >= 16 && a->data_uptr) {
		const struct iommu_hwpt_arm_smmuv3 *s = (const void *)(uintptr_t)a->data_uptr;

		ish_out_put(o, " ste={0x%016llx,0x%016llx}", (unsigned long long)s->ste[0],
		    (unsigned long long)s->ste[1]);
	}
	if (ok)
		ish_out_put(o, " -> out_hwpt_id=%u", ((const struct iommu_hwpt_alloc *)res)->out_hwpt_id);
}

static void dec_get_hw_info(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_hw_info *a = arg;

	ish_out_put(o, "dev_id=%u data_len=%u", a->dev_id, a->data_len);
	if (ok) {
		const struct iommu_hw_info *r = res;

		ish_out_put(o, " -> data_len=%u out_data_type=%u out_capabilities=0x%llx", r->data_len,
		    r->out_data_type, (unsigned long long)r->out_capabilities);
	}
}

static void dec_hwpt_invalidate(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_hwpt_invalidate *a = arg;

	ish_out_put(o, "hwpt_id=%u data_type=%u entry_len=%u entry_num=%u", a->hwpt_id, a->data_type,
	    a->entry_len, a->entry_num);
	/* entry_num is written back on failure too */
	ish_out_put(o, " -> entry_num=%u", ((const struct iommu_hwpt_invalidate *)res)->entry_num);
}

static void dec_viommu_alloc(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_viommu_alloc *a = arg;

	ish_out_put(o, "flags=0x%x type=%u dev_id=%u hwpt_id=%u", a->flags, a->type, a->dev_id,
	    a->hwpt_id);
	if (ok)
		ish_out_put(o, " -> out_viommu_id=%u",
		    ((const struct iommu_viommu_alloc *)res)->out_viommu_id);
}

static void dec_vdevice_alloc(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_vdevice_alloc *a = arg;

	ish_out_put(o, "viommu_id=%u dev_id=%u virt_id=0x%llx", a->viommu_id, a->dev_id,
	    (unsigned long long)a->virt_id);
	if (ok)
		ish_out_put(o, " -> out_vdevice_id=%u",
		    ((const struct iommu_vdevice_alloc *)res)->out_vdevice_id);
}

static void dec_veventq_alloc(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct iommu_veventq_alloc *a = arg;

	ish_out_put(o, "viommu_id=%u type=%u veventq_depth=%u", a->viommu_id, a->type,
	    a->veventq_depth);
	if (ok) {
		const struct iommu_veventq_alloc *r = res;

		ish_out_put(o, " -> out_veventq_id=%u out_veventq_fd=%d", r->out_veventq_id,
		    r->out_veventq_fd);
	}
}

static void dec_vfio_bind_iommufd(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct vfio_device_bind_iommufd *a = arg;

	ish_out_put(o, "iommufd=%d flags=0x%x", a->iommufd, a->flags);
	if (ok)
		ish_out_put(o, " -> out_devid=%u",
		    ((const struct vfio_device_bind_iommufd *)res)->out_devid);
}

static void dec_vfio_attach_iommufd_pt(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct vfio_device_attach_iommufd_pt *a = arg;

	ish_out_put(o, "flags=0x%x pt_id=%u", a->flags, a->pt_id);
	if (ok)
		ish_out_put(o, " -> pt_id=%u",
		    ((const struct vfio_device_attach_iommufd_pt *)res)->pt_id);
}

static void dec_vfio_detach_iommufd_pt(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct vfio_device_detach_iommufd_pt *a = arg;

	ish_out_put(o, "flags=0x%x", a->flags);
}

static void dec_vfio_get_info(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct vfio_device_info *a = res;

	if (ok)
		ish_out_put(o, "-> flags=0x%x num_regions=%u num_irqs=%u", a->flags, a->num_regions,
		    a->num_irqs);
}

static void dec_vfio_device_feature(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct vfio_device_feature *a = arg;
	uint32_t f = a->flags;

	ish_out_put(o, "argsz=%u flags=%s%s%s%u", a->argsz, f & VFIO_DEVICE_FEATURE_GET ? "GET|" : "",
	    f & VFIO_DEVICE_FEATURE_SET ? "SET|" : "", f & VFIO_DEVICE_FEATURE_PROBE ? "PROBE|" : "",
	    f & VFIO_DEVICE_FEATURE_MASK);
	if ((f & VFIO_DEVICE_FEATURE_MASK) == VFIO_DEVICE_FEATURE_DMA_BUF)
		ish_out_put(o, "(DMA_BUF)");
}

static void dec_vfio_get_region_info(struct ish_out *o, const void *arg, const void *res, bool ok)
{
	const struct vfio_region_info *a = arg;

	ish_out_put(o, "index=%u", a->index);
	if (ok) {
		const struct vfio_region_info *r = res;

		ish_out_put(o, " -> flags=0x%x size=0x%llx offset=0x%llx", r->flags,
		    (unsigned long long)r->size, (unsigned long long)r->offset);
	}
}

#define OFFSETOFEND(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))
#define OUT(t, m) ((int16_t)offsetof(t, m))
#define NO ISH_NO_OUT
/* iommufd and VFIO share the ';' type and their numbers do not overlap: one array by _IOC_NR */
#define D(req, type, last, id, fd, dec) \
	[_IOC_NR(req)] = { req, #req, sizeof(type), OFFSETOFEND(type, last), id, fd, dec }

static const struct ish_ioctl_desc descs[256] = {
	/* iommufd: the last member is the one iommufd_ioctl_ops[] names (drivers/iommu/iommufd/main.c) */
	D(IOMMU_DESTROY, struct iommu_destroy, id, NO, NO, dec_destroy),
	D(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id,
	  OUT(struct iommu_ioas_alloc, out_ioas_id), NO, dec_ioas_alloc),
	D(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas, allowed_iovas, NO, NO,
	  dec_ioas_allow_iovas),
	D(IOMMU_IOAS_COPY, struct iommu_ioas_copy, src_iova, NO, NO, dec_ioas_copy),
	D(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges, out_iova_alignment, NO, NO,
	  dec_ioas_iova_ranges),
	D(IOMMU_IOAS_MAP, struct iommu_ioas_map, iova, NO, NO, dec_ioas_map),
	D(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, length, NO, NO, dec_ioas_unmap),
	D(IOMMU_OPTION, struct iommu_option, val64, NO, NO, dec_option),
	D(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas, __reserved, NO, NO, NULL),
	D(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, __reserved,
	  OUT(struct iommu_hwpt_alloc, out_hwpt_id), NO, dec_hwpt_alloc),
	D(IOMMU_GET_HW_INFO, struct iommu_hw_info, __reserved, NO, NO, dec_get_hw_info),
	D(IOMMU_HWPT_SET_DIRTY_TRACKING, struct iommu_hwpt_set_dirty_tracking, __reserved, NO, NO,
	  NULL),
	D(IOMMU_HWPT_GET_DIRTY_BITMAP, struct iommu_hwpt_get_dirty_bitmap, data, NO, NO, NULL),
	D(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate, __reserved, NO, NO,
	  dec_hwpt_invalidate),
	D(IOMMU_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc, out_fault_fd,
	  OUT(struct iommu_fault_alloc, out_fault_id), OUT(struct iommu_fault_alloc, out_fault_fd),
	  NULL),
	D(IOMMU_IOAS_MAP_FILE, struct iommu_ioas_map_file, iova, NO, NO, dec_ioas_map_file),
	D(IOMMU_VIOMMU_ALLOC, struct iommu_viommu_alloc, out_viommu_id,
	  OUT(struct iommu_viommu_alloc, out_viommu_id), NO, dec_viommu_alloc),
	D(IOMMU_VDEVICE_ALLOC, struct iommu_vdevice_alloc, virt_id,
	  OUT(struct iommu_vdevice_alloc, out_vdevice_id), NO, dec_vdevice_alloc),
	D(IOMMU_IOAS_CHANGE_PROCESS, struct iommu_ioas_change_process, __reserved, NO, NO,
	  dec_ioas_change_process),
	D(IOMMU_VEVENTQ_ALLOC, struct iommu_veventq_alloc, out_veventq_fd,
	  OUT(struct iommu_veventq_alloc, out_veventq_id),
	  OUT(struct iommu_veventq_alloc, out_veventq_fd), dec_veventq_alloc),
	D(IOMMU_HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc, length,
	  OUT(struct iommu_hw_queue_alloc, out_hw_queue_id), NO, NULL),
	D(IOMMU_IOAS_NOIOMMU_GET_PA, struct iommu_ioas_noiommu_get_pa, out_phys, NO, NO,
	  dec_ioas_noiommu_get_pa),
	/* VFIO cdev: argsz-style, the minimum is what vfio_df_ioctl_*() copy in */
	D(VFIO_DEVICE_GET_INFO, struct vfio_device_info, num_irqs, NO, NO, dec_vfio_get_info),
	D(VFIO_DEVICE_GET_REGION_INFO, struct vfio_region_info, offset, NO, NO,
	  dec_vfio_get_region_info),
	/* the header; a feature's data follows (DMA_BUF: the new dma-buf is the return value) */
	D(VFIO_DEVICE_FEATURE, struct vfio_device_feature, flags, NO, NO, dec_vfio_device_feature),
	D(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd, out_devid,
	  OUT(struct vfio_device_bind_iommufd, out_devid), NO, dec_vfio_bind_iommufd),
	D(VFIO_DEVICE_ATTACH_IOMMUFD_PT, struct vfio_device_attach_iommufd_pt, pt_id, NO, NO,
	  dec_vfio_attach_iommufd_pt),
	D(VFIO_DEVICE_DETACH_IOMMUFD_PT, struct vfio_device_detach_iommufd_pt, flags, NO, NO,
	  dec_vfio_detach_iommufd_pt),
};

const struct ish_ioctl_desc *ish_ioctl_desc(unsigned long request)
{
	const struct ish_ioctl_desc *d = &descs[_IOC_NR(request)];

	return d->name && d->request == request ? d : NULL;
}
