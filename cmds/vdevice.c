// SPDX-License-Identifier: GPL-2.0-or-later
/* vdevice: a device's virtual StreamID on a vIOMMU. */
#include "cmds.h"

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t viommu = (uint32_t)sh_num(c, "VIOMMU", 0), dev, id;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	rc = ish_vdevice_alloc(sh->ctx, viommu, dev, sh_num(c, "vsid", 0), &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "vdevice", id);
	return 0;
}

static const struct sh_arg alloc_args[] = {
	{ "VIOMMU", SH_POS, SH_T_VIOMMU, 0, NULL, "the vIOMMU" },
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "the device" },
	{ "vsid", SH_KW, SH_T_U64, 0, NULL, "the StreamID the guest knows it by (virt_id)" },
	{ NULL }
};

const struct sh_group sh_group_vdevice = {
	"vdevice", "virtual devices (vSIDs)", "iommush-vdevice(8)", (const struct sh_cmd[]) {
		{ "alloc", "VIOMMU DEV vsid N", "Give a device a virtual StreamID on a vIOMMU "
		  "(IOMMU_VDEVICE_ALLOC); prints its id.", alloc_args, cmd_alloc, 0 },
		{ 0 }
	}
};
