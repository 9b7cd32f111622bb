// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iort-canwbs: make an ACPI IORT override table that lets arm-smmu-v3 allocate a vIOMMU under
 * QEMU's emulated SMMUv3.
 *
 * The kernel refuses IOMMU_VIOMMU_ALLOC (EOPNOTSUPP) unless the SMMU has S2FWB or the PCI root
 * complex is marked CANWBS in the IORT. QEMU's SMMUv3 has no S2FWB and its IORT root complex
 * node has memory access flags 0x03. This tool takes QEMU's IORT, sets CANWBS (bit 2 of the
 * memory access flags) in every PCI root complex node, raises the OEM revision (the kernel's
 * ACPI_TABLE_UPGRADE only takes a table with a greater revision) and recomputes the checksum.
 *
 *   iort-canwbs [-o OUT] [-q] INPUT
 *
 * INPUT is the raw table (as in /sys/firmware/acpi/tables/IORT) or a text file (a serial log)
 * holding a hex dump of it between a line containing IORT-HEX-BEGIN and one containing
 * IORT-HEX-END; without the markers the whole text is read as hex. OUT defaults to IORT.aml.
 * Exit status: 0 written, 1 bad input, 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ACPI_HDR_LEN	36	/* signature, length, revision, checksum, OEM ids, ... */
#define OFF_LENGTH	4
#define OFF_CHECKSUM	9
#define OFF_OEM_REV	24
#define OFF_NODE_COUNT	36
#define OFF_NODE_ARRAY	40
#define IORT_MIN_LEN	48

#define NODE_HDR_LEN	16	/* type, length, revision, identifier, #id mappings, offset */
#define NODE_PCI_RC	2
/* after the node header: u32 cache coherency, u8 allocation hints, u16 reserved, u8 flags */
#define RC_MAF_OFF	(NODE_HDR_LEN + 4 + 1 + 2)
#define MAF_CANWBS	0x04

#define MAX_TABLE	(1u << 20)

static int quiet;

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* read the whole file; *len gets its size */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	if (!fp) {
		fprintf(stderr, "iort-canwbs: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				fprintf(stderr, "iort-canwbs: out of memory\n");
				free(buf);
				buf = NULL;
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	if (ferror(fp)) {
		fprintf(stderr, "iort-canwbs: %s: read error\n", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*len = n;
out:
	if (fp != stdin)
		fclose(fp);
	return buf;
}

/*
 * Decode a hex dump from text: the lines between the markers (or every line). A line may have
 * hex byte words separated by blanks ("49 4f 52 54" or "494f5254..."); anything else on a
 * line inside the dump (a kernel message that got in the way) is an error, so a damaged dump
 * is never patched. Returns the number of bytes, or -1.
 */
static long unhex(char *text, uint8_t *out, size_t max)
{
	int markers = strstr(text, "IORT-HEX-BEGIN") != NULL, inside = !markers, lineno = 0;
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p;

		lineno++;
		if (markers && !inside) {
			inside = strstr(line, "IORT-HEX-BEGIN") != NULL;
			continue;
		}
		if (markers && strstr(line, "IORT-HEX-END"))
			return n;
		for (p = line; *p; ) {
			int hi, lo;

			if (isspace((unsigned char)*p)) {
				p++;
				continue;
			}
			hi = hexval(*p);
			lo = hi < 0 ? -1 : hexval(p[1]);
			if (lo < 0) {
				fprintf(stderr, "iort-canwbs: line %d: not part of a hex dump: %.60s\n",
					lineno, line);
				return -1;
			}
			if (n == max) {
				fprintf(stderr, "iort-canwbs: hex dump larger than %zu bytes\n", max);
				return -1;
			}
			out[n++] = (uint8_t)(hi << 4 | lo);
			p += 2;
		}
	}
	if (markers) {
		fprintf(stderr, "iort-canwbs: %s\n", inside ? "no IORT-HEX-END marker" :
			"no IORT-HEX-BEGIN marker");
		return -1;
	}
	return n;
}

/* check the table and set CANWBS in every root complex node; returns how many, or -1 */
static int patch(uint8_t *t, size_t len)
{
	uint32_t count = get32(t + OFF_NODE_COUNT), off = get32(t + OFF_NODE_ARRAY), i;
	int rc_nodes = 0;

	for (i = 0; i < count; i++) {
		uint16_t nlen;

		if (off > len || len - off < NODE_HDR_LEN) {
			fprintf(stderr, "iort-canwbs: node %u at 0x%x runs past the table\n", i, off);
			return -1;
		}
		nlen = get16(t + off + 1);
		if (nlen < NODE_HDR_LEN || nlen > len - off) {
			fprintf(stderr, "iort-canwbs: node %u at 0x%x has a bad length %u\n", i, off,
				nlen);
			return -1;
		}
		if (t[off] == NODE_PCI_RC) {
			uint8_t *maf = t + off + RC_MAF_OFF;

			if (nlen <= RC_MAF_OFF) {
				fprintf(stderr, "iort-canwbs: root complex node at 0x%x too short\n",
					off);
				return -1;
			}
			if (!quiet)
				printf("root complex node at 0x%x (revision %u): memory access flags "
				       "0x%02x -> 0x%02x\n", off, t[off + 3], *maf, *maf | MAF_CANWBS);
			*maf |= MAF_CANWBS;
			rc_nodes++;
		}
		off += nlen;
	}
	return rc_nodes;
}

/*
 * The whole transformation, from what was read to the patched table: *in is the input (taken
 * over when it is the raw table), *t and *len the table to write. Returns the number of root
 * complex nodes patched, or -1 with the reason on stderr. No I/O: the fuzz harness calls it.
 */
static int canwbs(uint8_t **in, size_t inlen, const char *name, uint8_t **tp, size_t *lenp,
		  uint32_t *oemrevp)
{
	uint8_t *t;
	size_t len;
	uint32_t oemrev;
	int n;

	*tp = NULL;
	if (inlen >= 4 && !memcmp(*in, "IORT", 4)) {
		t = *in;
		len = inlen;
		*in = NULL;
	} else {
		long got;

		t = malloc(MAX_TABLE);
		if (!t) {
			fprintf(stderr, "iort-canwbs: out of memory\n");
			return -1;
		}
		got = unhex((char *)*in, t, MAX_TABLE);
		if (got < 0)
			goto bad;
		len = got;
	}
	*tp = t;
	if (len < IORT_MIN_LEN || memcmp(t, "IORT", 4)) {
		fprintf(stderr, "iort-canwbs: %s: not an IORT table\n", name);
		return -1;
	}
	if (get32(t + OFF_LENGTH) > len || get32(t + OFF_LENGTH) < IORT_MIN_LEN) {
		fprintf(stderr, "iort-canwbs: table length %u, but %zu bytes given\n",
			get32(t + OFF_LENGTH), len);
		return -1;
	}
	len = get32(t + OFF_LENGTH);
	if (sum8(t, len)) {
		fprintf(stderr, "iort-canwbs: bad checksum in the input (damaged dump?)\n");
		return -1;
	}
	n = patch(t, len);
	if (n < 0)
		return -1;
	if (n == 0) {
		fprintf(stderr, "iort-canwbs: no PCI root complex node in the table\n");
		return -1;
	}
	oemrev = get32(t + OFF_OEM_REV);
	put32(t + OFF_OEM_REV, oemrev + 1);
	t[OFF_CHECKSUM] = 0;
	t[OFF_CHECKSUM] = (uint8_t)-sum8(t, len);
	*lenp = len;
	*oemrevp = oemrev;
	return n;
bad:
	free(t);
	return -1;
}

int main(int argc, char **argv)
{
	const char *outpath = "IORT.aml";
	uint8_t *in, *t = NULL;
	size_t inlen, len;
	uint32_t oemrev;
	FILE *fp;
	int opt, n, ok, ret = 1;

	while ((opt = getopt(argc, argv, "o:qh")) != -1) {
		switch (opt) {
		case 'o': outpath = optarg; break;
		case 'q': quiet = 1; break;
		case 'h':
			printf("usage: iort-canwbs [-o OUT] [-q] INPUT\n"
			       "Set CANWBS in every PCI root complex node of an IORT table (raw, or a\n"
			       "hex dump between IORT-HEX-BEGIN/END lines), raise its OEM revision, fix\n"
			       "the checksum and write OUT (default IORT.aml).\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: iort-canwbs [-o OUT] [-q] INPUT\n");
		return 2;
	}
	in = slurp(argv[optind], &inlen);
	if (!in)
		return 1;
	n = canwbs(&in, inlen, argv[optind], &t, &len, &oemrev);
	if (n < 0)
		goto out;

	fp = fopen(outpath, "wb");
	if (!fp) {
		fprintf(stderr, "iort-canwbs: %s: %s\n", outpath, strerror(errno));
		goto out;
	}
	ok = fwrite(t, 1, len, fp) == len;
	if (fclose(fp) || !ok) {
		fprintf(stderr, "iort-canwbs: %s: write error\n", outpath);
		unlink(outpath);
		goto out;
	}
	if (!quiet)
		printf("wrote %s: %zu bytes, %d root complex node(s), OEM revision %u -> %u\n",
		       outpath, len, n, oemrev, oemrev + 1);
	ret = 0;
out:
	free(in);
	free(t);
	return ret;
}
