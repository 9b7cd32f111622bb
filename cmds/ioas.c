// SPDX-License-Identifier: GPL-2.0-or-later
/* ioas: I/O address spaces, and mapping host buffers (mem) into them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>
#include "cmds.h"

/* the software MSI window the SMMUv3 driver reserves (MSI_IOVA_BASE, MSI_IOVA_LENGTH) */
#define SMMU_MSI_START 0x8000000ULL
#define SMMU_MSI_LAST  (0x8000000ULL + 0x100000ULL - 1)

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

/* why the kernel keeps [start, last] out of the IOVA space */
static const char *reserved_why(uint64_t start, uint64_t last, const char **detail)
{
	if (start == SMMU_MSI_START && last == SMMU_MSI_LAST) {
		*detail = "the SMMUv3 software MSI window, IOMMU_RESV_SW_MSI, of an attached device";
		return "msi";
	}
	if (last == UINT64_MAX) {
		*detail = "above the input range, the aperture, of an attached domain";
		return "aperture";
	}
	*detail = "a reserved region of an attached device or a domain's aperture";
	return "reserved";
}

static void print_range(struct shell *sh, const char *kind, uint64_t start, uint64_t last)
{
	pr_obj_open(sh, NULL);
	pr_str(sh, PR_ANY, "kind", "%-8s", kind);
	pr_hex(sh, PR_ANY, "start", " 0x%llx", start);
	pr_hex(sh, PR_ANY, "last", "-0x%llx", last);
}

static int cmd_ranges(struct shell *sh, const struct sh_call *c)
{
	uint32_t ioas = (uint32_t)sh_num(c, "IOAS", 0), n, i, nallowed;
	const struct ish_iova_range *allowed;
	struct ish_iova_range *r;
	uint64_t align, next = 0;
	int rc;

	/* room N: the one call a VMM makes with its own array (QEMU's first has room 0) */
	if (sh_has(c, "room"))
		rc = ish_ioas_iova_ranges_room(sh->ctx, ioas, (uint32_t)sh_num(c, "room", 0), &r, &n,
					       &align);
	else
		rc = ish_ioas_iova_ranges(sh->ctx, ioas, &r, &n, &align);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "ioas", "ioas %llu", ioas);
	pr_hex(sh, PR_ANY, "alignment", " alignment 0x%llx", align);
	pr_u64(sh, PR_ANY, "usable", " usable %llu", n);
	pr_nl(sh);
	/* the usable ranges, and the reserved gaps between them, in IOVA order */
	pr_arr_open(sh, "ranges");
	for (i = 0; i <= n; i++) {
		uint64_t gap_last = i < n ? r[i].start - 1 : UINT64_MAX;
		const char *detail, *why;

		if ((i < n && r[i].start > next) || (i == n && (n == 0 || r[n - 1].last != UINT64_MAX))) {
			why = reserved_why(next, gap_last, &detail);
			print_range(sh, "reserved", next, gap_last);
			pr_str(sh, PR_ANY, "why", " %s", why);
			pr_str(sh, PR_ANY, "detail", " (%s)", detail);
			pr_obj_close(sh);
			pr_nl(sh);
		}
		if (i == n)
			break;
		print_range(sh, "usable", r[i].start, r[i].last);
		/* all of the 64-bit space has no size that fits: say null */
		if (r[i].last - r[i].start == UINT64_MAX)
			pr_null(sh, "size");
		else
			pr_hex(sh, PR_ANY, "size", " size 0x%llx", r[i].last - r[i].start + 1);
		pr_obj_close(sh);
		pr_nl(sh);
		if (r[i].last == UINT64_MAX)
			break;
		next = r[i].last + 1;
	}
	pr_arr_close(sh);
	free(r);
	/* automatic IOVAs go only inside these (the registry keeps the last ALLOW_IOVAS) */
	allowed = ish_ioas_allowed(sh->ctx, ioas, &nallowed);
	pr_arr_open(sh, "allowed");
	for (i = 0; i < nallowed; i++) {
		print_range(sh, "allowed", allowed[i].start, allowed[i].last);
		pr_obj_close(sh);
		pr_nl(sh);
	}
	pr_arr_close(sh);
	return 0;
}

/* START-LAST (inclusive, as struct iommu_iova_range) or START+LENGTH */
static int parse_range(struct shell *sh, const char *w, struct ish_iova_range *r)
{
	const char *sep = strpbrk(w, "-+");
	char first[32];
	uint64_t b;

	if (!sep || (size_t)(sep - w) >= sizeof(first))
		return sh_usage(sh, "%s: a range is START-LAST or START+LENGTH", w);
	memcpy(first, w, (size_t)(sep - w));
	first[sep - w] = 0;
	if (!sh_parse_u64(first, &r->start) || !sh_parse_size(sep + 1, &b))
		return sh_usage(sh, "%s: a range is START-LAST or START+LENGTH", w);
	if (*sep == '-') {
		r->last = b;
	} else {
		if (!b || b - 1 > UINT64_MAX - r->start)
			return sh_usage(sh, "%s: the length is 0 or runs past 2^64", w);
		r->last = r->start + b - 1;
	}
	return 0;
}

static int cmd_allow(struct shell *sh, const struct sh_call *c)
{
	uint32_t ioas = (uint32_t)sh_num(c, "IOAS", 0);
	struct ish_iova_range *r = NULL;
	int i, rc = 0;

	if (c->nrest) {
		r = calloc((size_t)c->nrest, sizeof(*r));
		if (!r)
			return -ENOMEM;
	}
	for (i = 0; i < c->nrest && !rc; i++)
		rc = parse_range(sh, c->rest[i], &r[i]);
	if (!rc)
		rc = ish_ioas_allow_iovas(sh->ctx, ioas, r, (uint32_t)c->nrest);
	if (!rc) {
		pr_u64(sh, PR_ANY, "ioas", "ioas %llu", ioas);
		pr_u64(sh, PR_ANY, "allowed", " allowed %llu", (uint64_t)c->nrest);
		pr_str(sh, PR_TEXT, NULL, "%s", c->nrest ? " ranges" :
		       " ranges: automatic IOVAs go anywhere");
		pr_nl(sh);
	}
	free(r);
	return rc;
}

/* READABLE | WRITEABLE as asked; both when neither is */
static uint32_t access_flags(const struct sh_call *c)
{
	uint32_t f = 0;

	if (sh_has(c, "readable"))
		f |= IOMMU_IOAS_MAP_READABLE;
	if (sh_has(c, "writeable"))
		f |= IOMMU_IOAS_MAP_WRITEABLE;
	return f ? f : IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
}

static void print_access(struct shell *sh, uint32_t flags)
{
	pr_bool(sh, PR_ANY, "readable", " readable", flags & IOMMU_IOAS_MAP_READABLE);
	pr_bool(sh, PR_ANY, "writeable", " writeable", flags & IOMMU_IOAS_MAP_WRITEABLE);
}

static int cmd_copy(struct shell *sh, const struct sh_call *c)
{
	uint32_t dst = (uint32_t)sh_num(c, "DST", 0), src = (uint32_t)sh_num(c, "SRC", 0);
	uint64_t iova = sh_num(c, "IOVA", 0), len = sh_num(c, "LEN", 0);
	uint64_t dst_iova = sh_num(c, "dst-iova", 0);
	uint32_t flags = access_flags(c);
	int rc;

	if (sh_has(c, "dst-iova") || sh_has(c, "fixed"))
		flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	rc = ish_ioas_copy(sh->ctx, dst, src, iova, len, &dst_iova, flags);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "ioas", "ioas %llu", dst);
	pr_hex(sh, PR_ANY, "iova", " iova 0x%llx", dst_iova);
	pr_hex(sh, PR_ANY, "length", " length 0x%llx", len);
	pr_u64(sh, PR_ANY, "src", " from ioas %llu", src);
	pr_hex(sh, PR_ANY, "src_iova", " iova 0x%llx", iova);
	print_access(sh, flags);
	pr_nl(sh);
	return 0;
}

static const char *const option_names[] = { "rlimit-mode", "huge-pages", NULL };

static int cmd_option(struct shell *sh, const struct sh_call *c)
{
	/* the choices are in IOMMU_OPTION_* order: RLIMIT_MODE 0, HUGE_PAGES 1 */
	uint32_t opt = (uint32_t)sh_num(c, "OPTION", 0), ioas = (uint32_t)sh_num(c, "IOAS", 0);
	uint64_t val = sh_num(c, "set", 0);
	int rc;

	if (opt == IOMMU_OPTION_HUGE_PAGES && !sh_has(c, "IOAS"))
		return sh_usage(sh, "huge-pages is an option of an IOAS: give its id");
	if (sh_has(c, "set"))
		rc = ish_option_set(sh->ctx, opt, ioas, val);
	else
		rc = ish_option_get(sh->ctx, opt, ioas, &val);
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "option", "%s", option_names[opt]);
	if (sh_has(c, "IOAS"))
		pr_u64(sh, PR_ANY, "ioas", " ioas %llu", ioas);
	else
		pr_null(sh, "ioas");	/* global */
	pr_u64(sh, PR_ANY, "value", " %llu", val);
	pr_str(sh, PR_TEXT, NULL, " (%s)", opt == IOMMU_OPTION_RLIMIT_MODE ?
	       (val ? "pins charged to the process, against the RLIMIT_MEMLOCK of its mm" :
		"pins charged to the user") :
	       (val ? "huge pages allowed" : "page-sized mappings only, page-aligned IOVAs"));
	pr_nl(sh);
	return 0;
}

/* a region of a device as a VFIO dma-buf, mapped: the kernel keeps the dma-buf */
static int map_dmabuf(struct shell *sh, const struct sh_call *c, uint32_t ioas)
{
	uint32_t region = (uint32_t)sh_num(c, "region", VFIO_PCI_BAR0_REGION_INDEX), dev;
	uint32_t flags = IOMMU_IOAS_MAP_READABLE;
	uint64_t off = sh_num(c, "offset", 0), len = sh_num(c, "length", 0);
	uint64_t iova = sh_num(c, "iova", 0);
	int rc;

	if (!sh_has(c, "length"))
		return sh_usage(sh, "with dma-buf DEV, say the length");
	rc = sh_dev(sh, c, "dma-buf", &dev);
	if (rc < 0)
		return rc;
	if (!sh_has(c, "readonly"))
		flags |= IOMMU_IOAS_MAP_WRITEABLE;
	if (sh_has(c, "iova"))
		flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	rc = ish_ioas_map_dmabuf(sh->ctx, ioas, dev, region, off, len, &iova, flags);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "ioas", "ioas %llu", ioas);
	pr_hex(sh, PR_ANY, "iova", " iova 0x%llx", iova);
	pr_hex(sh, PR_ANY, "length", " length 0x%llx", len);
	pr_null(sh, "mem");
	pr_null(sh, "fd");
	pr_u64(sh, PR_ANY, "dev", " dev %llu", dev);
	pr_str(sh, PR_ANY, "region", " %s", sh_region_name(region));
	pr_hex(sh, PR_ANY, "offset", " offset 0x%llx", off);
	pr_bool(sh, PR_ANY, "readonly", " readonly", !(flags & IOMMU_IOAS_MAP_WRITEABLE));
	pr_nl(sh);
	return 0;
}

static int cmd_map_file(struct shell *sh, const struct sh_call *c)
{
	uint32_t ioas = (uint32_t)sh_num(c, "IOAS", 0), flags = IOMMU_IOAS_MAP_READABLE;
	uint64_t off = sh_num(c, "offset", 0), len, iova = sh_num(c, "iova", 0);
	struct ish_mem *m = NULL;
	int fd, rc;

	if (sh_has(c, "MEM") + sh_has(c, "fd") + sh_has(c, "dma-buf") != 1)
		return sh_usage(sh, "say one of: a memfd-backed buffer MEM, fd FD, dma-buf DEV");
	if (sh_has(c, "dma-buf"))
		return map_dmabuf(sh, c, ioas);
	if (sh_has(c, "MEM")) {
		rc = sh_mem(sh, c, "MEM", &m);
		if (rc < 0)
			return rc;
		fd = ish_mem_fd(m);
		if (fd < 0)
			return sh_fail(sh, -EINVAL, "buffer %u is anonymous memory, not a file: "
				       "allocate it with mem alloc SIZE memfd", ish_mem_id(m));
		len = sh_num(c, "length", off < ish_mem_size(m) ? ish_mem_size(m) - off : 0);
	} else {
		fd = (int)sh_num(c, "fd", 0);
		if (!sh_has(c, "length"))
			return sh_usage(sh, "with fd FD, say the length");
		len = sh_num(c, "length", 0);
	}
	if (!sh_has(c, "readonly"))
		flags |= IOMMU_IOAS_MAP_WRITEABLE;
	if (sh_has(c, "iova"))
		flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	rc = ish_ioas_map_file(sh->ctx, ioas, fd, off, len, &iova, flags);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "ioas", "ioas %llu", ioas);
	pr_hex(sh, PR_ANY, "iova", " iova 0x%llx", iova);
	pr_hex(sh, PR_ANY, "length", " length 0x%llx", len);
	if (m) {
		pr_u64(sh, PR_ANY, "mem", " mem %llu", ish_mem_id(m));
		pr_null(sh, "fd");
	} else {
		pr_null(sh, "mem");
		pr_int(sh, PR_ANY, "fd", " fd %lld", fd);
	}
	pr_hex(sh, PR_ANY, "offset", " offset 0x%llx", off);
	pr_bool(sh, PR_ANY, "readonly", " readonly", !(flags & IOMMU_IOAS_MAP_WRITEABLE));
	pr_nl(sh);
	return 0;
}

static int cmd_change_process(struct shell *sh, const struct sh_call *c)
{
	int rc;

	(void)c;
	rc = ish_ioas_change_process(sh->ctx);
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "charged", "pinned pages charged to %s", "this process");
	pr_nl(sh);
	return 0;
}

static int cmd_get_pa(struct shell *sh, const struct sh_call *c)
{
	uint32_t ioas = (uint32_t)sh_num(c, "IOAS", 0);
	uint64_t iova = sh_num(c, "IOVA", 0), len = sh_num(c, "length", 4096), pa;
	int rc;

	rc = ish_ioas_noiommu_get_pa(sh->ctx, ioas, iova, &len, &pa);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "ioas", "ioas %llu", ioas);
	pr_hex(sh, PR_ANY, "iova", " iova 0x%llx", iova);
	pr_hex(sh, PR_ANY, "phys", " phys 0x%llx", pa);
	pr_hex(sh, PR_ANY, "length", " length 0x%llx", len);
	pr_nl(sh);
	return 0;
}

static const struct sh_arg ranges_args[] = {
	{ "IOAS", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS" },
	{ "room", SH_KW, SH_T_U32, SH_OPT, NULL,
	  "one call with room for N ranges (EMSGSIZE when more; default: room for all)" },
	{ NULL }
};

static const struct sh_arg allow_args[] = {
	{ "IOAS", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS" },
	{ "RANGE", SH_REST, SH_T_WORDS, SH_OPT, NULL,
	  "START-LAST or START+LENGTH; none: automatic IOVAs go anywhere again" },
	{ NULL }
};

static const struct sh_arg copy_args[] = {
	{ "DST", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS to map into" },
	{ "SRC", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS whose pages are taken" },
	{ "IOVA", SH_POS, SH_T_U64, 0, NULL, "where they are in SRC" },
	{ "LEN", SH_POS, SH_T_SIZE, 0, NULL, "bytes" },
	{ "dst-iova", SH_KW, SH_T_U64, SH_OPT, NULL, "map at this IOVA of DST (FIXED_IOVA)" },
	{ "readable", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "device reads (default: with writeable)" },
	{ "writeable", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "device writes (default: with readable)" },
	{ "fixed", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "FIXED_IOVA at dst-iova (default 0)" },
	{ NULL }
};

static const struct sh_arg option_args[] = {
	{ "OPTION", SH_POS, SH_T_CHOICE, 0, option_names,
	  "rlimit-mode (global) or huge-pages (of an IOAS)" },
	{ "IOAS", SH_POS, SH_T_IOAS, SH_OPT, NULL, "for huge-pages: the IOAS" },
	{ "set", SH_KW, SH_T_U64, SH_OPT, NULL, "set it to 0 or 1 (default: read it)" },
	{ NULL }
};

static const struct sh_arg map_file_args[] = {
	{ "IOAS", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS" },
	{ "MEM", SH_POS, SH_T_MEM, SH_OPT, NULL, "a buffer from mem alloc SIZE memfd" },
	{ "fd", SH_KW, SH_T_U32, SH_OPT, NULL, "instead of MEM: an open file descriptor" },
	{ "dma-buf", SH_KW, SH_T_DEV, SH_OPT, NULL,
	  "instead of MEM: a VFIO dma-buf of this device's region (VFIO_DEVICE_FEATURE_DMA_BUF)" },
	{ "region", SH_KW, SH_T_REGION, SH_OPT, NULL, "with dma-buf: the region (default bar0)" },
	{ "iova", SH_KW, SH_T_U64, SH_OPT, NULL, "map at this IOVA (default: the kernel picks)" },
	{ "length", SH_KW, SH_T_SIZE, SH_OPT, NULL, "bytes (default: the rest of the buffer)" },
	{ "offset", SH_KW, SH_T_SIZE, SH_OPT, NULL, "start this far into the file" },
	{ "readonly", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "no device writes (no IOMMU_IOAS_MAP_WRITEABLE)" },
	{ NULL }
};

static const struct sh_arg get_pa_args[] = {
	{ "IOAS", SH_POS, SH_T_IOAS, 0, NULL, "the IOAS (of noiommu devices)" },
	{ "IOVA", SH_POS, SH_T_U64, 0, NULL, "the IOVA to look up" },
	{ "length", SH_KW, SH_T_SIZE, SH_OPT, NULL, "look this far at most (default 4 KiB)" },
	{ NULL }
};

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
		{ "ranges", "IOAS [room N]", "The usable IOVA ranges and the reserved ones between "
		  "them (IOMMU_IOAS_IOVA_RANGES).", ranges_args, cmd_ranges, 0 },
		{ "allow", "IOAS [RANGE...]", "Where automatic IOVAs may go (IOMMU_IOAS_ALLOW_IOVAS).",
		  allow_args, cmd_allow, 0 },
		{ "copy", "DST SRC IOVA LEN [dst-iova X] [readable] [writeable] [fixed]",
		  "Map the pages of one IOAS's range in another (IOMMU_IOAS_COPY).", copy_args,
		  cmd_copy, 0 },
		{ "option", "(rlimit-mode | huge-pages IOAS) [set 0|1]",
		  "Read or set an option (IOMMU_OPTION).", option_args, cmd_option, 0 },
		{ "map-file", "IOAS (MEM | fd FD | dma-buf DEV [region BAR]) [iova IOVA] [length LEN] "
		  "[offset OFF] [readonly]",
		  "Map a memfd's pages (IOMMU_IOAS_MAP_FILE); prints the IOVA.", map_file_args,
		  cmd_map_file, 0 },
		{ "change-process", "", "Charge every mapping's pinned pages to this process "
		  "(IOMMU_IOAS_CHANGE_PROCESS).", NULL, cmd_change_process, 0 },
		{ "get-pa", "IOAS IOVA [length LEN]", "The physical address behind an IOVA of "
		  "noiommu devices (IOMMU_IOAS_NOIOMMU_GET_PA).", get_pa_args, cmd_get_pa, 0 },
		{ 0 }
	}
};
