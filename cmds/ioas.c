// SPDX-License-Identifier: GPL-2.0-or-later
/* ioas: I/O address spaces, and mapping host buffers (mem) into them. */
#include <errno.h>
#include "cmds.h"

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t id;
	int rc;

	(void)c;
	rc = ish_ioas_alloc(sh->ctx, &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "ioas", id);
	return 0;
}

static int cmd_map(struct shell *sh, const struct sh_call *c)
{
	uint32_t ioas = (uint32_t)sh_num(c, "IOAS", 0);
	uint32_t flags = IOMMU_IOAS_MAP_READABLE;
	uint64_t off = sh_num(c, "offset", 0), len, iova = sh_num(c, "iova", 0);
	struct ish_mem *m;
	int rc;

	rc = sh_mem(sh, c, "MEM", &m);
	if (rc < 0)
		return rc;
	if (off >= ish_mem_size(m))
		return sh_fail(sh, -ERANGE, "offset 0x%llx is past the end of buffer %u (size 0x%zx)",
			       (unsigned long long)off, ish_mem_id(m), ish_mem_size(m));
	len = sh_num(c, "length", ish_mem_size(m) - off);
	/* the kernel would pin whatever lies beyond: never hand it memory we do not own */
	if (len > ish_mem_size(m) - off)
		return sh_fail(sh, -ERANGE, "offset 0x%llx + length 0x%llx is past the end of "
			       "buffer %u (size 0x%zx)", (unsigned long long)off,
			       (unsigned long long)len, ish_mem_id(m), ish_mem_size(m));
	if (!sh_has(c, "readonly"))
		flags |= IOMMU_IOAS_MAP_WRITEABLE;
	if (sh_has(c, "iova"))
		flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	rc = ish_ioas_map(sh->ctx, ioas, (char *)ish_mem_va(m) + off, len, &iova, flags);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "ioas", "ioas %llu", ioas);
	pr_hex(sh, PR_ANY, "iova", " iova 0x%llx", iova);
	pr_hex(sh, PR_ANY, "length", " length 0x%llx", len);
	pr_u64(sh, PR_ANY, "mem", " mem %llu", ish_mem_id(m));
	pr_hex(sh, PR_ANY, "offset", " offset 0x%llx", off);
	pr_bool(sh, PR_ANY, "readonly", " readonly", !(flags & IOMMU_IOAS_MAP_WRITEABLE));
	pr_nl(sh);
	return 0;
}

static int cmd_unmap(struct shell *sh, const struct sh_call *c)
{
	uint32_t ioas = (uint32_t)sh_num(c, "IOAS", 0);
	uint64_t iova, len, done = 0;
	int rc;

	if (sh_has(c, "all") == (sh_has(c, "iova") || sh_has(c, "length")))
		return sh_usage(sh, "say either all, or iova IOVA length LEN");
	if (sh_has(c, "all")) {
		iova = 0;
		len = UINT64_MAX;
	} else {
		if (!sh_has(c, "iova") || !sh_has(c, "length"))
			return sh_usage(sh, "iova and length go together");
		iova = sh_num(c, "iova", 0);
		len = sh_num(c, "length", 0);
	}
	rc = ish_ioas_unmap(sh->ctx, ioas, iova, len, &done);
	if (rc < 0)
		return rc;
	pr_hex(sh, PR_ANY, "unmapped", "unmapped 0x%llx bytes\n", done);
	return 0;
}

static const struct sh_arg map_args[] = {
	{ "IOAS", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS" },
	{ "MEM", SH_POS, SH_T_MEM, 0, NULL, "a host buffer from mem alloc" },
	{ "iova", SH_KW, SH_T_U64, SH_OPT, NULL, "map at this IOVA (default: the kernel picks)" },
	{ "length", SH_KW, SH_T_SIZE, SH_OPT, NULL, "bytes (default: the rest of the buffer)" },
	{ "offset", SH_KW, SH_T_SIZE, SH_OPT, NULL, "start this far into the buffer" },
	{ "readonly", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "no device writes (no IOMMU_IOAS_MAP_WRITEABLE)" },
	{ NULL }
};

static const struct sh_arg unmap_args[] = {
	{ "IOAS", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS" },
	{ "all", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "everything it maps" },
	{ "iova", SH_KW, SH_T_U64, SH_OPT, NULL, "start of the range" },
	{ "length", SH_KW, SH_T_SIZE, SH_OPT, NULL, "its length" },
	{ NULL }
};

const struct sh_group sh_group_ioas = {
	"ioas", "I/O address spaces", "iommush-ioas(8)", (const struct sh_cmd[]) {
		{ "alloc", "", "Allocate an IOAS (IOMMU_IOAS_ALLOC); prints its id.", NULL,
		  cmd_alloc, 0 },
		{ "map", "IOAS MEM [iova IOVA] [length LEN] [offset OFF] [readonly]",
		  "Map a host buffer (IOMMU_IOAS_MAP); prints the IOVA.", map_args, cmd_map, 0 },
		{ "unmap", "IOAS (all | iova IOVA length LEN)",
		  "Unmap a range, or everything (IOMMU_IOAS_UNMAP).", unmap_args, cmd_unmap, 0 },
		{ 0 }
	}
};
