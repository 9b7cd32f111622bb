// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwpt: paging HWPTs on an IOAS (nest parents), nested HWPTs on a vIOMMU from an STE, and the
 * dirty tracking of a paging HWPT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/smmu.h"
#include "cmds.h"

static int alloc_nested(struct shell *sh, const struct sh_call *c, uint32_t dev, uint32_t pt)
{
	uint64_t ste[2];
	uint32_t id;
	int rc;

	if (sh_has(c, "nest-parent") || sh_has(c, "dirty-tracking") || sh_has(c, "pasid"))
		return sh_usage(sh, "nest-parent, dirty-tracking and pasid are for a paging HWPT, "
				"not one made from an STE");
	if (sh_has(c, "ste") && c->nrest)
		return sh_usage(sh, "give either ste W0 W1 or FIELD=VALUE words, not both");
	if (sh_has(c, "ste")) {
		ste[0] = sh_num2(c, "ste", 0);
		ste[1] = sh_num2(c, "ste", 1);
	} else {
		rc = cmd_parse_ste(sh, c->rest, c->nrest, ste);
		if (rc < 0)
			return rc;
	}
	if (sh_has(c, "fault")) {
		struct iommu_hwpt_arm_smmuv3 data = { .ste = { ste[0], ste[1] } };

		rc = ish_hwpt_alloc_fault(sh->ctx, dev, pt, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &data,
					  sizeof(data), (uint32_t)sh_num(c, "fault", 0), &id);
	} else {
		rc = ish_hwpt_alloc_nested(sh->ctx, dev, pt, ste, &id);	/* the core explains EIO */
	}
	if (rc < 0)
		return rc;
	sh_print_new(sh, "hwpt", id);
	return 0;
}

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t dev, pt = (uint32_t)sh_num(c, "PT", 0), flags = 0, id;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	if (sh_has(c, "ste") || c->nrest)
		return alloc_nested(sh, c, dev, pt);
	if (sh_has(c, "nest-parent"))
		flags |= IOMMU_HWPT_ALLOC_NEST_PARENT;
	if (sh_has(c, "dirty-tracking"))
		flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	if (sh_has(c, "pasid"))
		flags |= IOMMU_HWPT_ALLOC_PASID;
	if (sh_has(c, "fault"))
		rc = ish_hwpt_alloc_fault(sh->ctx, dev, pt, flags, IOMMU_HWPT_DATA_NONE, NULL, 0,
					  (uint32_t)sh_num(c, "fault", 0), &id);
	else
		rc = ish_hwpt_alloc(sh->ctx, dev, pt, flags, IOMMU_HWPT_DATA_NONE, NULL, 0, &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "hwpt", id);
	return 0;
}

/* DEV|HWPT: a device names the HWPT it is attached to */
static int hwpt_of(struct shell *sh, const struct sh_call *c, uint32_t *id)
{
	const char *spec = sh_str(c, "DEV|HWPT");
	struct ish_obj *dev = ish_device_find(sh->ctx, spec);
	uint64_t v;

	if (dev) {
		*id = ish_obj_device_pt(dev);
		if (!*id)
			return sh_fail(sh, -ENODEV, "device %u is attached to no page table",
				       ish_obj_id(dev));
		return 0;
	}
	if (!sh_parse_u64(spec, &v) || v > UINT32_MAX)
		return sh_usage(sh, "\"%s\" is neither a bound device nor a HWPT id", spec);
	*id = (uint32_t)v;
	return 0;
}

static int cmd_dirty(struct shell *sh, const struct sh_call *c)
{
	bool on = !strcmp(sh_str(c, "STATE"), "on");
	uint32_t id;
	int rc;

	rc = hwpt_of(sh, c, &id);
	if (rc < 0)
		return rc;
	rc = ish_hwpt_set_dirty_tracking(sh->ctx, id, on);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "hwpt", "hwpt %llu", id);
	pr_bool(sh, PR_JSON, "tracking", NULL, on);
	pr_text(sh, " dirty tracking %s\n", on ? "on (dirty state cleared)" : "off");
	return 0;
}

/* the dirty bits as IOVA ranges: runs of set bits, each page-size wide */
static void print_ranges(struct shell *sh, const uint64_t *bm, uint64_t bits, uint64_t iova,
			 uint64_t psz)
{
	uint64_t i = 0, start;

	pr_arr_open(sh, "ranges");
	while (i < bits) {
		if (!((bm[i / 64] >> (i % 64)) & 1)) {
			i++;
			continue;
		}
		for (start = i; i < bits && ((bm[i / 64] >> (i % 64)) & 1); i++)
			;
		pr_obj_open(sh, NULL);
		pr_hex(sh, PR_ANY, "iova", " 0x%llx", iova + start * psz);
		pr_hex(sh, PR_ANY, "length", "+0x%llx", (i - start) * psz);
		pr_obj_close(sh);
	}
	pr_arr_close(sh);
}

static int cmd_dirty_bitmap(struct shell *sh, const struct sh_call *c)
{
	uint64_t iova = sh_num(c, "IOVA", 0), len = sh_num(c, "LEN", 0);
	uint64_t psz = sh_num(c, "page-size", 4096), bits, words, i, n = 0;
	uint32_t id, flags = sh_has(c, "clear") ? 0 : IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	uint64_t *bm;
	int rc;

	rc = hwpt_of(sh, c, &id);
	if (rc < 0)
		return rc;
	if (!psz || (psz & (psz - 1)))
		return sh_usage(sh, "page-size must be a power of two");
	bits = len / psz;
	/* the bitmap is this process's memory: 2^28 bits (32 MiB) covers 1 TiB of 4K pages */
	if (bits > (1ULL << 28))
		return sh_usage(sh, "LEN / page-size is %llu bits: at most 2^28 in one call (a "
				"larger page-size covers more)", (unsigned long long)bits);
	words = (bits + 63) / 64;
	bm = calloc(words ? words : 1, sizeof(*bm));
	if (!bm)
		return sh_fail(sh, -ENOMEM, "no memory for a bitmap of %llu bits",
			       (unsigned long long)bits);
	rc = ish_hwpt_get_dirty_bitmap(sh->ctx, id, iova, len, psz, flags, bm);
	if (rc < 0) {
		free(bm);
		return rc;
	}
	for (i = 0; i < bits; i++)
		n += (bm[i / 64] >> (i % 64)) & 1;
	pr_u64(sh, PR_ANY, "hwpt", "hwpt %llu", id);
	pr_hex(sh, PR_ANY, "iova", " iova 0x%llx", iova);
	pr_hex(sh, PR_ANY, "length", " length 0x%llx", len);
	pr_hex(sh, PR_ANY, "page_size", " page-size 0x%llx", psz);
	pr_u64(sh, PR_ANY, "dirty", " dirty %llu", n);
	pr_u64(sh, PR_ANY, "pages", "/%llu", bits);
	pr_bool(sh, PR_ANY, "cleared", " cleared", !flags);
	if (n)
		pr_text(sh, ":");
	print_ranges(sh, bm, bits, iova, psz);
	pr_nl(sh);
	free(bm);
	return 0;
}

static const struct sh_arg alloc_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "the device it is for" },
	{ "PT", SH_POS, SH_T_PARENT, 0, NULL,
	  "an IOAS (paging HWPT) or a vIOMMU (nested HWPT from an STE)" },
	{ "nest-parent", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "paging: usable as the S2 of nested HWPTs and vIOMMUs (IOMMU_HWPT_ALLOC_NEST_PARENT)" },
	{ "dirty-tracking", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "paging: IOMMU_HWPT_ALLOC_DIRTY_TRACKING" },
	{ "pasid", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "paging: PASID-compatible, so a device PASID can attach to it (IOMMU_HWPT_ALLOC_PASID)" },
	{ "fault", SH_KW, SH_T_FAULT, SH_OPT, NULL,
	  "IOPF-capable: report its page faults to this fault queue (FAULT_ID_VALID)" },
	{ "ste", SH_KW, SH_T_U64, SH_OPT | SH_TWO, NULL, "nested: the two vSTE words, raw" },
	{ "FIELD=VALUE", SH_REST, SH_T_STE_FIELDS, SH_OPT, NULL,
	  "nested: vSTE fields by name (config=s1-translate s1contextptr=0x...); V=1 unless given" },
	{ NULL }
};

static const char *const on_off[] = { "on", "off", NULL };

static const struct sh_arg dirty_args[] = {
	{ "DEV|HWPT", SH_POS, SH_T_ID, 0, NULL,
	  "a paging HWPT, or a bound device (the HWPT it is attached to)" },
	{ "STATE", SH_POS, SH_T_CHOICE, 0, on_off, "on clears the dirty state first" },
	{ NULL }
};

static const struct sh_arg bitmap_args[] = {
	{ "DEV|HWPT", SH_POS, SH_T_ID, 0, NULL,
	  "a paging HWPT, or a bound device (the HWPT it is attached to)" },
	{ "IOVA", SH_POS, SH_T_U64, 0, NULL, "start, a multiple of page-size" },
	{ "LEN", SH_POS, SH_T_SIZE, 0, NULL, "length, a multiple of page-size" },
	{ "page-size", SH_KW, SH_T_SIZE, SH_OPT, NULL, "what one bit covers (default 4K)" },
	{ "clear", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "clear the dirty state read (default: IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)" },
	{ NULL }
};

const struct sh_group sh_group_hwpt = {
	"hwpt", "hardware page tables", "iommush-hwpt(8)", (const struct sh_cmd[]) {
		{ "alloc", "DEV PT [nest-parent] [dirty-tracking] [pasid] [fault FAULT] "
		  "[ste W0 W1 | FIELD=VALUE...]", "Allocate a HWPT (IOMMU_HWPT_ALLOC): paging on an "
		  "IOAS, or nested on a vIOMMU from a vSTE; prints its id.", alloc_args, cmd_alloc, 0 },
		{ "dirty", "DEV|HWPT on|off", "Turn dirty tracking of a paging HWPT on or off "
		  "(IOMMU_HWPT_SET_DIRTY_TRACKING).", dirty_args, cmd_dirty, 0 },
		{ "dirty-bitmap", "DEV|HWPT IOVA LEN [page-size N] [clear]", "Read which pages DMA "
		  "wrote since the last clear (IOMMU_HWPT_GET_DIRTY_BITMAP).", bitmap_args,
		  cmd_dirty_bitmap, 0 },
		{ 0 }
	}
};
