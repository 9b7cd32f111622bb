// SPDX-License-Identifier: GPL-2.0-or-later
/* region and mmio: a device's VFIO regions, and register access through them. */
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>
#include "cmds.h"

static int cmd_list(struct shell *sh, const struct sh_call *c)
{
	struct ish_region r[ISH_MAX_REGIONS];
	const char *name;
	uint32_t dev;
	int rc, i, n;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	n = ish_region_list(sh->ctx, dev, r, ISH_MAX_REGIONS);
	if (n < 0)
		return n;
	pr_arr_open(sh, "regions");
	for (i = 0; i < n; i++) {
		if (!r[i].size)
			continue;
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "index", "%llu", r[i].index);
		name = sh_region_name(r[i].index);
		pr_str(sh, PR_TEXT, NULL, " %-6s", name);
		pr_str(sh, PR_JSON, "name", NULL, strcmp(name, "?") ? name : NULL);	/* no VFIO name */
		pr_hex(sh, PR_ANY, "size", " size 0x%llx", r[i].size);
		pr_hex(sh, PR_ANY, "offset", " offset 0x%llx", r[i].offset);
		pr_bool(sh, PR_ANY, "read", " read", r[i].flags & VFIO_REGION_INFO_FLAG_READ);
		pr_bool(sh, PR_ANY, "write", " write", r[i].flags & VFIO_REGION_INFO_FLAG_WRITE);
		pr_bool(sh, PR_ANY, "mmap", " mmap", r[i].flags & VFIO_REGION_INFO_FLAG_MMAP);
		pr_obj_close(sh);
		pr_nl(sh);
	}
	pr_arr_close(sh);
	return 0;
}

static int width_of(struct shell *sh, const struct sh_call *c, unsigned int *w)
{
	uint64_t v = sh_num(c, "width", 4);

	if (v != 1 && v != 2 && v != 4 && v != 8)
		return sh_usage(sh, "width is 1, 2, 4 or 8");
	*w = (unsigned int)v;
	return 0;
}

static int cmd_read(struct shell *sh, const struct sh_call *c)
{
	uint64_t off = sh_num(c, "OFFSET", 0), v;
	unsigned int w = 4;
	uint32_t dev;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc == 0)
		rc = width_of(sh, c, &w);
	if (rc < 0)
		return rc;
	rc = ish_mmio_read(sh->ctx, dev, (uint32_t)sh_num(c, "BAR", 0), off, w, &v);
	if (rc < 0)
		return rc;
	pr_hex(sh, PR_ANY, "value", w == 1 ? "0x%02llx\n" : w == 2 ? "0x%04llx\n" :
	       w == 4 ? "0x%08llx\n" : "0x%016llx\n", v);
	return 0;
}

static int cmd_write(struct shell *sh, const struct sh_call *c)
{
	uint64_t off = sh_num(c, "OFFSET", 0), v = sh_num(c, "VALUE", 0);
	unsigned int w = 4;
	uint32_t dev;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc == 0)
		rc = width_of(sh, c, &w);
	if (rc < 0)
		return rc;
	if (w < 8 && v >> (w * 8))
		return sh_usage(sh, "0x%llx does not fit in %u bytes", (unsigned long long)v, w);
	return ish_mmio_write(sh->ctx, dev, (uint32_t)sh_num(c, "BAR", 0), off, w, v);
}

#define DEV_ARG { "DEV", SH_POS, SH_T_DEV, 0, NULL, "a bound device: id, PCI address or cdev" }

static const struct sh_arg list_args[] = { DEV_ARG, { NULL } };

static const struct sh_arg read_args[] = {
	DEV_ARG,
	{ "BAR", SH_POS, SH_T_REGION, 0, NULL, "bar0..bar5, rom, config, vga, or a region index" },
	{ "OFFSET", SH_POS, SH_T_U64, 0, NULL, "offset inside the region" },
	{ "width", SH_KW, SH_T_U64, SH_OPT, NULL, "1, 2, 4 (default) or 8 bytes" },
	{ NULL }
};

static const struct sh_arg write_args[] = {
	DEV_ARG,
	{ "BAR", SH_POS, SH_T_REGION, 0, NULL, "bar0..bar5, rom, config, vga, or a region index" },
	{ "OFFSET", SH_POS, SH_T_U64, 0, NULL, "offset inside the region" },
	{ "VALUE", SH_POS, SH_T_U64, 0, NULL, "what to write" },
	{ "width", SH_KW, SH_T_U64, SH_OPT, NULL, "1, 2, 4 (default) or 8 bytes" },
	{ NULL }
};

const struct sh_group sh_group_region = {
	"region", "VFIO regions of a device", "iommush-region(8)", (const struct sh_cmd[]) {
		{ "list", "DEV", "List the regions: index, size, offset, flags "
		  "(VFIO_DEVICE_GET_REGION_INFO).", list_args, cmd_list, 0 },
		{ 0 }
	}
};

const struct sh_group sh_group_mmio = {
	"mmio", "register access through VFIO regions", "iommush-region(8)",
	(const struct sh_cmd[]) {
		{ "read", "DEV BAR OFFSET [width 1|2|4|8]", "Read a register.", read_args,
		  cmd_read, 0 },
		{ "write", "DEV BAR OFFSET VALUE [width 1|2|4|8]", "Write a register.", write_args,
		  cmd_write, 0 },
		{ 0 }
	}
};
