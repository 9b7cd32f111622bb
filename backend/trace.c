// SPDX-License-Identifier: GPL-2.0-or-later
/* Names and one-line decodes of every kernel call, for --trace and --dry-run. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/vfio.h>
#include "internal.h"

#define IOCTL(req, type) { req, #req, sizeof(type) }

static const struct {
	unsigned long request;
	const char *name;
	size_t argsz;
} ioctls[] = {
	IOCTL(IOMMU_DESTROY, struct iommu_destroy),
	IOCTL(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc),
	IOCTL(IOMMU_IOAS_MAP, struct iommu_ioas_map),
	IOCTL(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap),
	IOCTL(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges),
	IOCTL(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas),
	IOCTL(IOMMU_IOAS_COPY, struct iommu_ioas_copy),
	IOCTL(IOMMU_OPTION, struct iommu_option),
	IOCTL(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc),
	IOCTL(IOMMU_GET_HW_INFO, struct iommu_hw_info),
	IOCTL(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate),
	IOCTL(IOMMU_VIOMMU_ALLOC, struct iommu_viommu_alloc),
	IOCTL(IOMMU_VDEVICE_ALLOC, struct iommu_vdevice_alloc),
	IOCTL(IOMMU_VEVENTQ_ALLOC, struct iommu_veventq_alloc),
	IOCTL(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd),
	IOCTL(VFIO_DEVICE_ATTACH_IOMMUFD_PT, struct vfio_device_attach_iommufd_pt),
	IOCTL(VFIO_DEVICE_DETACH_IOMMUFD_PT, struct vfio_device_detach_iommufd_pt),
	IOCTL(VFIO_DEVICE_GET_INFO, struct vfio_device_info),
	IOCTL(VFIO_DEVICE_GET_REGION_INFO, struct vfio_region_info),
};

const char *ish_ioctl_name(unsigned long request)
{
	size_t i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (ioctls[i].request == request)
			return ioctls[i].name;
	return NULL;
}

size_t ish_ioctl_argsz(unsigned long request)
{
	size_t i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (ioctls[i].request == request)
			return ioctls[i].argsz;
	return 0;
}

struct out {
	char *buf;
	size_t len, used;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
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

static void hwpt_flags(struct out *o, uint32_t f)
{
	static const char *const names[] = { "NEST_PARENT", "DIRTY_TRACKING", "FAULT_ID_VALID",
					     "PASID" };
	const char *sep = "";
	unsigned int i;

	if (!f) {
		put(o, "0");
		return;
	}
	for (i = 0; i < 32; i++) {
		if (!(f & (1u << i)))
			continue;
		if (i < 4)
			put(o, "%s%s", sep, names[i]);
		else
			put(o, "%s0x%x", sep, 1u << i);
		sep = "|";
	}
}

/* arguments (from the copy made before the call), then " -> " and the outputs */
static void decode(struct out *o, unsigned long rq, const void *arg, const void *res, bool ok)
{
	switch (rq) {
	case IOMMU_DESTROY: {
		const struct iommu_destroy *a = arg;

		put(o, "id=%u", a->id);
		break;
	}
	case IOMMU_IOAS_ALLOC: {
		const struct iommu_ioas_alloc *a = arg;

		put(o, "flags=0x%x", a->flags);
		if (ok)
			put(o, " -> out_ioas_id=%u", ((const struct iommu_ioas_alloc *)res)->out_ioas_id);
		break;
	}
	case IOMMU_IOAS_MAP: {
		const struct iommu_ioas_map *a = arg;

		put(o, "ioas_id=%u flags=0x%x user_va=0x%llx length=0x%llx iova=0x%llx", a->ioas_id,
		    a->flags, (unsigned long long)a->user_va, (unsigned long long)a->length,
		    (unsigned long long)a->iova);
		if (ok)
			put(o, " -> iova=0x%llx",
			    (unsigned long long)((const struct iommu_ioas_map *)res)->iova);
		break;
	}
	case IOMMU_IOAS_UNMAP: {
		const struct iommu_ioas_unmap *a = arg;

		put(o, "ioas_id=%u iova=0x%llx length=0x%llx", a->ioas_id,
		    (unsigned long long)a->iova, (unsigned long long)a->length);
		if (ok)
			put(o, " -> length=0x%llx",
			    (unsigned long long)((const struct iommu_ioas_unmap *)res)->length);
		break;
	}
	case IOMMU_IOAS_IOVA_RANGES: {
		const struct iommu_ioas_iova_ranges *a = arg;
		const struct iommu_ioas_iova_ranges *r = res;

		put(o, "ioas_id=%u num_iovas=%u", a->ioas_id, a->num_iovas);
		/* iommufd_ioas_iova_ranges() reports the count also when it fails with EMSGSIZE */
		put(o, " -> num_iovas=%u out_iova_alignment=0x%llx", r->num_iovas,
		    (unsigned long long)r->out_iova_alignment);
		break;
	}
	case IOMMU_IOAS_ALLOW_IOVAS: {
		const struct iommu_ioas_allow_iovas *a = arg;

		put(o, "ioas_id=%u num_iovas=%u", a->ioas_id, a->num_iovas);
		break;
	}
	case IOMMU_IOAS_COPY: {
		const struct iommu_ioas_copy *a = arg;

		put(o, "dst_ioas_id=%u src_ioas_id=%u flags=0x%x length=0x%llx src_iova=0x%llx "
		    "dst_iova=0x%llx", a->dst_ioas_id, a->src_ioas_id, a->flags,
		    (unsigned long long)a->length, (unsigned long long)a->src_iova,
		    (unsigned long long)a->dst_iova);
		if (ok)
			put(o, " -> dst_iova=0x%llx",
			    (unsigned long long)((const struct iommu_ioas_copy *)res)->dst_iova);
		break;
	}
	case IOMMU_OPTION: {
		const struct iommu_option *a = arg;
		static const char *const opt[] = { "RLIMIT_MODE", "HUGE_PAGES" };

		if (a->option_id < 2)
			put(o, "option_id=%s", opt[a->option_id]);
		else
			put(o, "option_id=%u", a->option_id);
		put(o, " op=%s object_id=%u", a->op == IOMMU_OPTION_OP_SET ? "SET" :
		    a->op == IOMMU_OPTION_OP_GET ? "GET" : "?", a->object_id);
		if (a->op == IOMMU_OPTION_OP_SET)
			put(o, " val64=%llu", (unsigned long long)a->val64);
		else if (ok)
			put(o, " -> val64=%llu",
			    (unsigned long long)((const struct iommu_option *)res)->val64);
		break;
	}
	case IOMMU_HWPT_ALLOC: {
		const struct iommu_hwpt_alloc *a = arg;

		put(o, "flags=");
		hwpt_flags(o, a->flags);
		put(o, " dev_id=%u pt_id=%u data_type=%u data_len=%u", a->dev_id, a->pt_id,
		    a->data_type, a->data_len);
		if (a->data_type == IOMMU_HWPT_DATA_ARM_SMMUV3 && a->data_len >= 16 && a->data_uptr) {
			const struct iommu_hwpt_arm_smmuv3 *s = (const void *)(uintptr_t)a->data_uptr;

			put(o, " ste={0x%016llx,0x%016llx}", (unsigned long long)s->ste[0],
			    (unsigned long long)s->ste[1]);
		}
		if (ok)
			put(o, " -> out_hwpt_id=%u", ((const struct iommu_hwpt_alloc *)res)->out_hwpt_id);
		break;
	}
	case IOMMU_GET_HW_INFO: {
		const struct iommu_hw_info *a = arg;

		put(o, "dev_id=%u data_len=%u", a->dev_id, a->data_len);
		if (ok) {
			const struct iommu_hw_info *r = res;

			put(o, " -> data_len=%u out_data_type=%u out_capabilities=0x%llx", r->data_len,
			    r->out_data_type, (unsigned long long)r->out_capabilities);
		}
		break;
	}
	case IOMMU_HWPT_INVALIDATE: {
		const struct iommu_hwpt_invalidate *a = arg;

		put(o, "hwpt_id=%u data_type=%u entry_len=%u entry_num=%u", a->hwpt_id, a->data_type,
		    a->entry_len, a->entry_num);
		/* entry_num is written back on failure too */
		put(o, " -> entry_num=%u", ((const struct iommu_hwpt_invalidate *)res)->entry_num);
		break;
	}
	case IOMMU_VIOMMU_ALLOC: {
		const struct iommu_viommu_alloc *a = arg;

		put(o, "flags=0x%x type=%u dev_id=%u hwpt_id=%u", a->flags, a->type, a->dev_id,
		    a->hwpt_id);
		if (ok)
			put(o, " -> out_viommu_id=%u",
			    ((const struct iommu_viommu_alloc *)res)->out_viommu_id);
		break;
	}
	case IOMMU_VDEVICE_ALLOC: {
		const struct iommu_vdevice_alloc *a = arg;

		put(o, "viommu_id=%u dev_id=%u virt_id=0x%llx", a->viommu_id, a->dev_id,
		    (unsigned long long)a->virt_id);
		if (ok)
			put(o, " -> out_vdevice_id=%u",
			    ((const struct iommu_vdevice_alloc *)res)->out_vdevice_id);
		break;
	}
	case IOMMU_VEVENTQ_ALLOC: {
		const struct iommu_veventq_alloc *a = arg;

		put(o, "viommu_id=%u type=%u veventq_depth=%u", a->viommu_id, a->type,
		    a->veventq_depth);
		if (ok) {
			const struct iommu_veventq_alloc *r = res;

			put(o, " -> out_veventq_id=%u out_veventq_fd=%d", r->out_veventq_id,
			    r->out_veventq_fd);
		}
		break;
	}
	case VFIO_DEVICE_BIND_IOMMUFD: {
		const struct vfio_device_bind_iommufd *a = arg;

		put(o, "iommufd=%d flags=0x%x", a->iommufd, a->flags);
		if (ok)
			put(o, " -> out_devid=%u",
			    ((const struct vfio_device_bind_iommufd *)res)->out_devid);
		break;
	}
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		const struct vfio_device_attach_iommufd_pt *a = arg;

		put(o, "flags=0x%x pt_id=%u", a->flags, a->pt_id);
		if (ok)
			put(o, " -> pt_id=%u",
			    ((const struct vfio_device_attach_iommufd_pt *)res)->pt_id);
		break;
	}
	case VFIO_DEVICE_DETACH_IOMMUFD_PT: {
		const struct vfio_device_detach_iommufd_pt *a = arg;

		put(o, "flags=0x%x", a->flags);
		break;
	}
	case VFIO_DEVICE_GET_INFO: {
		const struct vfio_device_info *a = res;

		if (ok)
			put(o, "-> flags=0x%x num_regions=%u num_irqs=%u", a->flags, a->num_regions,
			    a->num_irqs);
		break;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		const struct vfio_region_info *a = arg;

		put(o, "index=%u", a->index);
		if (ok) {
			const struct vfio_region_info *r = res;

			put(o, " -> flags=0x%x size=0x%llx offset=0x%llx", r->flags,
			    (unsigned long long)r->size, (unsigned long long)r->offset);
		}
		break;
	}
	default:
		break;
	}
}

int ish_call_format(const struct ish_call *c, long rc, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const char *name;

	if (len)
		buf[0] = '\0';
	if (!strcmp(c->op, "ioctl")) {
		name = ish_ioctl_name(c->request);
		if (name)
			put(&o, "%s(fd %d", name, c->fd);
		else
			put(&o, "ioctl(fd %d, 0x%lx", c->fd, c->request);
		put(&o, ": ");
		if (c->arg)
			decode(&o, c->request, c->in ? c->in : c->arg, c->arg, rc >= 0);
		put(&o, ")");
	} else if (!strcmp(c->op, "open") || !strcmp(c->op, "use-vfio")) {
		put(&o, "%s(%s)", c->op, c->arg ? (const char *)c->arg : "");
	} else if (!strcmp(c->op, "poll")) {
		put(&o, "poll(fd %d, timeout %d ms)", c->fd, (int)c->len);
	} else if (!strcmp(c->op, "read")) {
		put(&o, "read(fd %d, %zu bytes)", c->fd, c->len);
	} else if (!strcmp(c->op, "pread") || !strcmp(c->op, "pwrite")) {
		put(&o, "%s(fd %d, %zu bytes at 0x%llx)", c->op, c->fd, c->len,
		    (unsigned long long)c->off);
	} else {
		put(&o, "%s(fd %d)", c->op, c->fd);
	}
	if (rc < 0)
		put(&o, " = -%s", strerrorname_np((int)-rc) ? strerrorname_np((int)-rc) : "?");
	else
		put(&o, " = %ld", rc);
	return (int)o.used;
}
