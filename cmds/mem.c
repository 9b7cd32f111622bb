// SPDX-License-Identifier: GPL-2.0-or-later
/* mem: host buffers to map into an IOAS, and the tools to set and check what DMA did. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t id;
	int rc;

	rc = sh_has(c, "memfd") ? ish_mem_alloc_memfd(sh->ctx, (size_t)sh_num(c, "SIZE", 0), &id) :
	     ish_mem_alloc(sh->ctx, (size_t)sh_num(c, "SIZE", 0), &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "mem", id);
	return 0;
}

static int cmd_free(struct shell *sh, const struct sh_call *c)
{
	return ish_mem_free(sh->ctx, (uint32_t)sh_num(c, "MEM", 0));
}

/* [off, off + len) inside the buffer; len defaults to the rest */
static int span(struct shell *sh, const struct ish_mem *m, uint64_t off, uint64_t *len,
		bool has_len)
{
	if (off > ish_mem_size(m))
		return sh_fail(sh, -ERANGE, "offset 0x%llx is past the end of buffer %u (size 0x%zx)",
			       (unsigned long long)off, ish_mem_id(m), ish_mem_size(m));
	if (!has_len)
		*len = ish_mem_size(m) - off;
	if (*len > ish_mem_size(m) - off)
		return sh_fail(sh, -ERANGE, "0x%llx bytes at 0x%llx go past the end of buffer %u "
			       "(size 0x%zx)", (unsigned long long)*len, (unsigned long long)off,
			       ish_mem_id(m), ish_mem_size(m));
	return 0;
}

static int cmd_fill(struct shell *sh, const struct sh_call *c)
{
	const char *pat = sh_str(c, "PATTERN");
	uint64_t off = sh_num(c, "offset", 0), len = sh_num(c, "length", 0), byte, i;
	struct ish_mem *m;
	uint8_t *p;
	int rc;

	rc = sh_mem(sh, c, "MEM", &m);
	if (rc == 0)
		rc = span(sh, m, off, &len, sh_has(c, "length"));
	if (rc < 0)
		return rc;
	p = (uint8_t *)ish_mem_va(m) + off;
	if (!strcmp(pat, "seq")) {
		/* byte i of the buffer holds i & 0xff: a shifted copy shows as a mismatch */
		for (i = 0; i < len; i++)
			p[i] = (uint8_t)(off + i);
	} else if (sh_parse_u64(pat, &byte) && byte <= 0xff) {
		memset(p, (int)byte, len);
	} else {
		return sh_usage(sh, "PATTERN is a byte value (0..0xff) or seq");
	}
	return 0;
}

static bool valid_width(uint64_t w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

/* "de:ad:be:ef" or "deadbeef" */
static int parse_bytes(struct shell *sh, const char *s, uint8_t **out, size_t *n)
{
	size_t len = strlen(s), k = 0;
	uint8_t *b = malloc(len / 2 + 1);

	if (!b)
		return -ENOMEM;
	while (*s) {
		if (*s == ':') {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1])) {
			free(b);
			return sh_usage(sh, "bytes: hex digit pairs, optionally separated by ':'");
		}
		sscanf(s, "%2hhx", &b[k++]);
		s += 2;
	}
	*out = b;
	*n = k;
	return 0;
}

static int cmd_write(struct shell *sh, const struct sh_call *c)
{
	uint64_t off = sh_num(c, "OFFSET", 0), width = sh_num(c, "width", 4), v, len;
	struct ish_mem *m;
	uint8_t *bytes = NULL;
	size_t n = 0;
	int rc;

	rc = sh_mem(sh, c, "MEM", &m);
	if (rc < 0)
		return rc;
	if (sh_has(c, "bytes") == sh_has(c, "VALUE"))
		return sh_usage(sh, "give either VALUE [width W] or bytes HEX");
	if (sh_has(c, "bytes")) {
		rc = parse_bytes(sh, sh_str(c, "bytes"), &bytes, &n);
		if (rc < 0)
			return rc;
		len = n;
		rc = span(sh, m, off, &len, true);
		if (rc == 0)
			memcpy((uint8_t *)ish_mem_va(m) + off, bytes, n);
		free(bytes);
		return rc;
	}
	if (!valid_width(width))
		return sh_usage(sh, "width is 1, 2, 4 or 8");
	v = sh_num(c, "VALUE", 0);
	if (width < 8 && v >> (width * 8))
		return sh_usage(sh, "0x%llx does not fit in %llu bytes", (unsigned long long)v,
				(unsigned long long)width);
	len = width;
	rc = span(sh, m, off, &len, true);
	if (rc < 0)
		return rc;
	memcpy((uint8_t *)ish_mem_va(m) + off, &v, width);	/* little-endian, like the device sees it */
	return 0;
}

static int cmd_read(struct shell *sh, const struct sh_call *c)
{
	uint64_t off = sh_num(c, "OFFSET", 0), width = sh_num(c, "width", 4), v = 0;
	struct ish_mem *m;
	int rc;

	rc = sh_mem(sh, c, "MEM", &m);
	if (rc < 0)
		return rc;
	if (!valid_width(width))
		return sh_usage(sh, "width is 1, 2, 4 or 8");
	rc = span(sh, m, off, &width, true);
	if (rc < 0)
		return rc;
	memcpy(&v, (uint8_t *)ish_mem_va(m) + off, width);
	pr_hex(sh, PR_ANY, "value", width == 1 ? "0x%02llx\n" : width == 2 ? "0x%04llx\n" :
	       width == 4 ? "0x%08llx\n" : "0x%016llx\n", v);
	return 0;
}

static int cmd_dump(struct shell *sh, const struct sh_call *c)
{
	uint64_t off = sh_num(c, "offset", 0), len = sh_num(c, "length", 256), i, k;
	const uint8_t *p;
	struct ish_mem *m;
	char ascii[17];
	int rc;

	rc = sh_mem(sh, c, "MEM", &m);
	if (rc < 0)
		return rc;
	if (!sh_has(c, "length") && len > ish_mem_size(m) - (off < ish_mem_size(m) ? off : ish_mem_size(m)))
		len = ish_mem_size(m) - off;
	rc = span(sh, m, off, &len, true);
	if (rc < 0)
		return rc;
	p = (const uint8_t *)ish_mem_va(m) + off;
	pr_hex(sh, PR_JSON, "offset", NULL, off);
	pr_arr_open(sh, "bytes");
	for (i = 0; i < len; i += 16) {
		pr_text(sh, "%08llx ", (unsigned long long)(off + i));
		for (k = 0; k < 16; k++) {
			if (i + k < len) {
				pr_text(sh, "%s%02x", k == 8 ? "  " : " ", p[i + k]);
				pr_u64(sh, PR_JSON, NULL, NULL, p[i + k]);
				ascii[k] = isprint(p[i + k]) ? (char)p[i + k] : '.';
			} else {
				pr_text(sh, "%s   ", k == 8 ? "  " : "");
				ascii[k] = '\0';
			}
		}
		ascii[16] = '\0';
		pr_text(sh, "  |%s|\n", ascii);
	}
	pr_arr_close(sh);
	return 0;
}

static int cmd_compare(struct shell *sh, const struct sh_call *c)
{
	uint64_t off = sh_num(c, "OFF", 0), off2 = sh_num(c, "OFF2", 0), len = sh_num(c, "LEN", 0);
	const uint8_t *a, *b;
	struct ish_mem *m, *m2;
	uint64_t i;
	int rc;

	rc = sh_mem(sh, c, "MEM", &m);
	if (rc == 0)
		rc = sh_mem(sh, c, "MEM2", &m2);
	if (rc == 0)
		rc = span(sh, m, off, &len, true);
	if (rc == 0)
		rc = span(sh, m2, off2, &len, true);
	if (rc < 0)
		return rc;
	a = (const uint8_t *)ish_mem_va(m) + off;
	b = (const uint8_t *)ish_mem_va(m2) + off2;
	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return sh_fail(sh, -EIO, "buffers differ at offset 0x%llx: mem %u has 0x%02x "
				       "at 0x%llx, mem %u has 0x%02x at 0x%llx",
				       (unsigned long long)i, ish_mem_id(m), a[i],
				       (unsigned long long)(off + i), ish_mem_id(m2), b[i],
				       (unsigned long long)(off2 + i));
	pr_hex(sh, PR_ANY, "equal", "0x%llx bytes equal\n", len);
	return 0;
}

#define MEM_ARG { "MEM", SH_POS, SH_T_MEM, 0, NULL, "a buffer from mem alloc" }

static const struct sh_arg alloc_args[] = {
	{ "SIZE", SH_POS, SH_T_SIZE, 0, NULL, "bytes, with an optional K, M or G suffix" },
	{ "memfd", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "backed by a memfd (shared), for ioas map-file" },
	{ NULL }
};

static const struct sh_arg mem_args[] = { MEM_ARG, { NULL } };

static const struct sh_arg fill_args[] = {
	MEM_ARG,
	{ "PATTERN", SH_POS, SH_T_WORD, 0, NULL, "a byte value, or seq (byte i holds i & 0xff)" },
	{ "offset", SH_KW, SH_T_SIZE, SH_OPT, NULL, "start (default 0)" },
	{ "length", SH_KW, SH_T_SIZE, SH_OPT, NULL, "bytes (default: to the end)" },
	{ NULL }
};

static const struct sh_arg write_args[] = {
	MEM_ARG,
	{ "OFFSET", SH_POS, SH_T_SIZE, 0, NULL, "where" },
	{ "VALUE", SH_POS, SH_T_U64, SH_OPT, NULL, "a number, stored little-endian" },
	{ "width", SH_KW, SH_T_U64, SH_OPT, NULL, "bytes of VALUE: 1, 2, 4 (default) or 8" },
	{ "bytes", SH_KW, SH_T_WORD, SH_OPT, NULL, "hex bytes instead of VALUE: de:ad:be:ef" },
	{ NULL }
};

static const struct sh_arg read_args[] = {
	MEM_ARG,
	{ "OFFSET", SH_POS, SH_T_SIZE, 0, NULL, "where" },
	{ "width", SH_KW, SH_T_U64, SH_OPT, NULL, "1, 2, 4 (default) or 8 bytes, little-endian" },
	{ NULL }
};

static const struct sh_arg dump_args[] = {
	MEM_ARG,
	{ "offset", SH_KW, SH_T_SIZE, SH_OPT, NULL, "start (default 0)" },
	{ "length", SH_KW, SH_T_SIZE, SH_OPT, NULL, "bytes (default 256)" },
	{ NULL }
};

static const struct sh_arg compare_args[] = {
	MEM_ARG,
	{ "OFF", SH_POS, SH_T_SIZE, 0, NULL, "offset in MEM" },
	{ "MEM2", SH_POS, SH_T_MEM, 0, NULL, "the other buffer (may be MEM)" },
	{ "OFF2", SH_POS, SH_T_SIZE, 0, NULL, "offset in MEM2" },
	{ "LEN", SH_POS, SH_T_SIZE, 0, NULL, "bytes to compare" },
	{ NULL }
};

const struct sh_group sh_group_mem = {
	"mem", "host buffers for DMA", "iommush-mem(8)", (const struct sh_cmd[]) {
		{ "alloc", "SIZE [memfd]", "Allocate a page-aligned host buffer; prints its id.",
		  alloc_args, cmd_alloc, 0 },
		{ "fill", "MEM PATTERN [offset OFF] [length LEN]", "Fill with a byte value or a "
		  "sequence.", fill_args, cmd_fill, 0 },
		{ "write", "MEM OFFSET (VALUE [width 1|2|4|8] | bytes HEX)", "Store a value or "
		  "bytes.", write_args, cmd_write, 0 },
		{ "read", "MEM OFFSET [width 1|2|4|8]", "Load a value.", read_args, cmd_read, 0 },
		{ "dump", "MEM [offset OFF] [length LEN]", "Hex dump.", dump_args, cmd_dump, 0 },
		{ "compare", "MEM OFF MEM2 OFF2 LEN", "Compare two ranges; fails naming the first "
		  "differing offset.", compare_args, cmd_compare, 0 },
		{ "free", "MEM", "Free a buffer (refused while it is mapped).", mem_args, cmd_free,
		  0 },
		{ 0 }
	}
};
