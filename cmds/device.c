// SPDX-License-Identifier: GPL-2.0-or-later
/* device: VFIO cdev binding, attach/detach, and GET_HW_INFO decoded field by field. */
#include <errno.h>
#include <string.h>
#include "iommush/smmu.h"
#include "cmds.h"

static int cmd_bind(struct shell *sh, const struct sh_call *c)
{
	uint32_t id;
	int rc;

	rc = ish_device_bind(sh->ctx, sh_str(c, "DEVICE"), &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "device", id);
	return 0;
}

static int cmd_unbind(struct shell *sh, const struct sh_call *c)
{
	uint32_t dev;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	return rc < 0 ? rc : ish_device_unbind(sh->ctx, dev);
}

static int cmd_attach(struct shell *sh, const struct sh_call *c)
{
	uint32_t dev, pt = (uint32_t)sh_num(c, "PT", 0), got;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	rc = ish_device_attach(sh->ctx, dev, pt, &got);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "dev", "device %llu", dev);
	pr_u64(sh, PR_ANY, "pt", " on hwpt %llu", got);
	if (got != pt)
		pr_u64(sh, PR_ANY, "ioas", " (auto, on ioas %llu)", pt);
	else
		pr_null(sh, "ioas");	/* attached to the HWPT it named */
	pr_nl(sh);
	return 0;
}

static int cmd_detach(struct shell *sh, const struct sh_call *c)
{
	uint32_t dev;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	return rc < 0 ? rc : ish_device_detach(sh->ctx, dev);
}

static const char *hw_type_name(uint32_t t)
{
	switch (t) {
	case IOMMU_HW_INFO_TYPE_NONE: return "none";
	case IOMMU_HW_INFO_TYPE_INTEL_VTD: return "intel-vtd";
	case IOMMU_HW_INFO_TYPE_ARM_SMMUV3: return "arm-smmuv3";
	case IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: return "tegra241-cmdqv";
	case IOMMU_HW_INFO_TYPE_AMD: return "amd";
	default: return NULL;	/* a type this build does not know */
	}
}

static void print_caps(struct shell *sh, uint64_t caps)
{
	static const char *const names[] = { "dirty-tracking", "pasid-exec", "pasid-priv",
					      "ats-not-supported" };
	unsigned int i;

	pr_hex(sh, PR_ANY, "capabilities", " capabilities 0x%llx", caps);
	pr_arr_open(sh, "capability_names");
	for (i = 0; i < 4; i++)
		if (caps & (1ULL << i))
			pr_str(sh, PR_ANY, NULL, " %s", names[i]);
	pr_arr_close(sh);
}

static void print_idr_fields(struct shell *sh, const uint32_t idr[6])
{
	const struct ish_idr_field *f;

	pr_obj_open(sh, "fields");
	for (f = ish_idr_fields; f->name; f++) {
		uint32_t v = ish_idr_get(f, idr);
		const char *meaning = ish_idr_value_name(f, v);

		pr_obj_open(sh, f->name);
		pr_u64(sh, PR_TEXT, NULL, "  IDR%llu ", f->reg);
		pr_str(sh, PR_TEXT, NULL, "%-15s", f->name);
		pr_u64(sh, PR_ANY, "value", " %-6llu", v);
		if (meaning && *meaning)
			pr_str(sh, PR_ANY, "meaning", " %s", meaning);
		else
			pr_null(sh, "meaning");
		pr_obj_close(sh);
		pr_nl(sh);
	}
	pr_obj_close(sh);
}

static int cmd_info(struct shell *sh, const struct sh_call *c)
{
	struct ish_hw_info hw;
	uint32_t dev;
	int rc, i;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	rc = ish_get_hw_info(sh->ctx, dev, &hw);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "dev", "device %llu:", dev);
	pr_u64(sh, PR_ANY, "type", " type %llu", hw.type);
	pr_str(sh, PR_TEXT, NULL, " (%s)", hw_type_name(hw.type) ? hw_type_name(hw.type) : "?");
	pr_str(sh, PR_JSON, "type_name", NULL, hw_type_name(hw.type));
	print_caps(sh, hw.capabilities);
	pr_u64(sh, PR_ANY, "max_pasid_log2", " max_pasid_log2 %llu", hw.max_pasid_log2);
	pr_u64(sh, PR_ANY, "data_len", " data_len %llu\n", hw.data_len);
	if (hw.type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return 0;
	pr_hex(sh, PR_ANY, "flags", "  flags 0x%llx", hw.smmu.flags);
	pr_hex(sh, PR_ANY, "iidr", " iidr 0x%08llx", hw.smmu.iidr);
	pr_hex(sh, PR_ANY, "aidr", " aidr 0x%08llx\n", hw.smmu.aidr);
	pr_arr_open(sh, "idr");
	for (i = 0; i < 6; i++) {
		pr_u64(sh, PR_TEXT, NULL, i % 3 ? " idr%llu" : "  idr%llu", (uint64_t)i);
		pr_hex(sh, PR_ANY, NULL, " 0x%08llx", hw.smmu.idr[i]);
		if (i % 3 == 2)
			pr_nl(sh);
	}
	pr_arr_close(sh);
	print_idr_fields(sh, hw.smmu.idr);
	return 0;
}

static const struct sh_arg bind_args[] = {
	{ "DEVICE", SH_POS, SH_T_VFIO, 0, NULL,
	  "PCI address of a function on vfio-pci, or its /dev/vfio/devices/vfioN" },
	{ NULL }
};

static const struct sh_arg dev_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "a bound device: its id, PCI address or cdev" },
	{ NULL }
};

static const struct sh_arg attach_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "a bound device: its id, PCI address or cdev" },
	{ "PT", SH_POS, SH_T_PT, 0, NULL,
	  "an IOAS (the kernel finds or makes a HWPT) or a HWPT; attaching again replaces" },
	{ NULL }
};

const struct sh_group sh_group_device = {
	"device", "VFIO devices bound to the iommufd", "iommush-device(8)", (const struct sh_cmd[]) {
		{ "bind", "BDF|CDEV", "Open the VFIO cdev and bind it to the iommufd "
		  "(VFIO_DEVICE_BIND_IOMMUFD); prints the device id.", bind_args, cmd_bind, 0 },
		{ "unbind", "DEV", "Close the cdev: the kernel detaches it and tombstones its "
		  "vDEVICE.", dev_args, cmd_unbind, 0 },
		{ "attach", "DEV PT", "Attach to an IOAS or HWPT, or replace the attachment "
		  "(VFIO_DEVICE_ATTACH_IOMMUFD_PT).", attach_args, cmd_attach, 0 },
		{ "detach", "DEV", "Detach from its page table (VFIO_DEVICE_DETACH_IOMMUFD_PT).",
		  dev_args, cmd_detach, 0 },
		{ "info", "DEV", "IOMMU_GET_HW_INFO: type, capabilities and the SMMUv3 IDRs decoded "
		  "field by field.", dev_args, cmd_info, 0 },
		{ 0 }
	}
};
