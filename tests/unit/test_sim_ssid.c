// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated SMMU's stage 1 beyond one CD and the 4 KiB granule: the 16 KiB and 64 KiB
 * granules (tables, pages, the levels that may hold blocks), SubstreamIDs through linear and
 * 2-level CD tables (S1CDMax, S1DSS, S1Fmt, L1CD.V), the events they raise with SSV/SSID,
 * the CD cache per SubstreamID and CFGI_CD by SSID, and ish_sim_dma()'s own errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/sim.h"
#include "testing.h"

#define BDF		"0000:00:01.0"
#define SID		0x8U
#define VSID		0x42ULL
#define CFG_OFF		((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40)

/* guest RAM: 2 MiB at IPA BASE; two small windows at block-aligned IPAs */
#define BASE		0x100000ULL
#define RAM_LEN		0x200000ULL
#define BLK16_IPA	0x2000000ULL	/* 32 MiB: a 16K-granule level-2 block */
#define BLK64_IPA	0x20000000ULL	/* 512 MiB: a 64K-granule level-2 block */
#define WIN_LEN		0x10000ULL

#define STE_V		1ULL
#define STE_S1(cd)	(STE_V | (5ULL << 1) | (cd))
#define STE_BYPASS	(STE_V | (4ULL << 1))
#define STE_CDMAX(n)	((uint64_t)(n) << 59)
#define STE_FMT(n)	((uint64_t)(n) << 4)
#define PTE_PAGE	(0x3ULL | (1ULL << 10) | (3ULL << 8))	/* page, AF, ISH */
#define PTE_BLOCK	(0x1ULL | (1ULL << 10) | (3ULL << 8))
#define PTE_TABLE	0x3ULL
#define TG_4K		0ULL
#define TG_64K		1ULL
#define TG_16K		2ULL

#define EVT_C_BAD_STE		0x04
#define EVT_F_STREAM_DISABLED	0x06
#define EVT_C_BAD_SUBSTREAMID	0x08
#define EVT_C_BAD_CD		0x0a
#define EVT_F_TRANSLATION	0x10
#define EVT0_SSV		(1ULL << 11)

struct env {
	struct ish_backend *be;
	int iofd, dfd, qfd;
	uint32_t dev, ioas, parent, viommu, vdev, q, pt;
	uint8_t *ram, *win16, *win64;
};

struct rec {
	uint32_t flags, seq;
	uint64_t evt[4];
};

static int io(struct env *e, unsigned long req, void *arg)
{
	return e->be->ops->ioctl(e->be, e->iofd, req, arg);
}

static void map_at(struct env *e, uint64_t iova, void *va, uint64_t len)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = e->ioas, .length = len,
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .user_va = (uintptr_t)va, .iova = iova };

	assert_int_equal(io(e, IOMMU_IOAS_MAP, &m), 0);
}

static void *anon(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* A host of one SMMU with @ssid_bits (and CD2L when @cd2l), one device on a nested setup. */
static void env_open(struct env *e, unsigned int ssid_bits, bool cd2l)
{
	struct ish_sim_smmu_cfg cfg;
	struct ish_sim_dev_cfg dc = { .bdf = BDF, .vendor = 0x1b36, .device = 5,
				      .name = "test", .sid = SID, .vfio = true };
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	uint16_t cmd = 0x6;

	memset(e, 0, sizeof(*e));
	e->be = ish_sim_new_empty();
	ish_sim_smmu_default(&cfg);
	cfg.idr[1] |= ssid_bits << 6;
	cfg.idr[0] |= (cd2l ? 1U << 19 : 0) | 1U << 10;	/* CD2L, ATS */
	assert_int_equal(ish_sim_add_smmu(e->be, &cfg), 0);
	assert_int_equal(ish_sim_add_device(e->be, &dc), 0);
	e->iofd = e->be->ops->open_iommufd(e->be);
	e->dfd = e->be->ops->open_device(e->be, BDF, NULL);
	assert_true(e->dfd >= 0);
	b.iommufd = e->iofd;
	assert_int_equal(e->be->ops->ioctl(e->be, e->dfd, VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	e->dev = b.out_devid;
	assert_int_equal(e->be->ops->pwrite(e->be, e->dfd, &cmd, 2, CFG_OFF + 4), 2);
	assert_int_equal(io(e, IOMMU_IOAS_ALLOC, &ia), 0);
	e->ioas = ia.out_ioas_id;
	e->ram = anon(RAM_LEN);
	e->win16 = anon(WIN_LEN);
	e->win64 = anon(WIN_LEN);
	map_at(e, BASE, e->ram, RAM_LEN);
	map_at(e, BLK16_IPA, e->win16, WIN_LEN);
	map_at(e, BLK64_IPA, e->win64, WIN_LEN);
	{
		struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = e->dev,
					      .pt_id = e->ioas,
					      .flags = IOMMU_HWPT_ALLOC_NEST_PARENT };
		struct iommu_viommu_alloc v = { .size = sizeof(v), .dev_id = e->dev,
						.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
		struct iommu_vdevice_alloc vd = { .size = sizeof(vd), .dev_id = e->dev,
						  .virt_id = VSID };
		struct iommu_veventq_alloc q = { .size = sizeof(q), .veventq_depth = 256,
						 .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 };
		struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a) };

		assert_int_equal(io(e, IOMMU_HWPT_ALLOC, &h), 0);
		e->parent = h.out_hwpt_id;
		a.pt_id = e->parent;
		assert_int_equal(e->be->ops->ioctl(e->be, e->dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
						   &a), 0);
		v.hwpt_id = e->parent;
		assert_int_equal(io(e, IOMMU_VIOMMU_ALLOC, &v), 0);
		e->viommu = v.out_viommu_id;
		vd.viommu_id = e->viommu;
		assert_int_equal(io(e, IOMMU_VDEVICE_ALLOC, &vd), 0);
		e->vdev = vd.out_vdevice_id;
		q.viommu_id = e->viommu;
		assert_int_equal(io(e, IOMMU_VEVENTQ_ALLOC, &q), 0);
		e->q = q.out_veventq_id;
		e->qfd = (int)q.out_veventq_fd;
	}
}

static void env_close(struct env *e)
{
	struct ish_sim_stats st;

	assert_int_equal(e->be->ops->close(e->be, e->qfd), 0);
	assert_int_equal(e->be->ops->close(e->be, e->dfd), 0);
	assert_int_equal(e->be->ops->close(e->be, e->iofd), 0);
	ish_sim_get_stats(e->be, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.open_fds, 0);
	e->be->ops->free(e->be);
	munmap(e->ram, RAM_LEN);
	munmap(e->win16, WIN_LEN);
	munmap(e->win64, WIN_LEN);
}

/* guest memory at an IPA inside RAM */
static uint64_t *at(struct env *e, uint64_t ipa)
{
	assert_true(ipa >= BASE && ipa < BASE + RAM_LEN);
	return (uint64_t *)(e->ram + (ipa - BASE));
}

/* a 32-bit word of guest memory at an IPA inside RAM (any 4-byte alignment) */
static void put32(struct env *e, uint64_t ipa, uint32_t v)
{
	assert_true(ipa >= BASE && ipa + 4 <= BASE + RAM_LEN);
	memcpy(e->ram + (ipa - BASE), &v, sizeof(v));
}

/* Install (and attach) a nested HWPT with this vSTE; the previous one is destroyed. */
static void set_ste(struct env *e, uint64_t s0, uint64_t s1)
{
	struct iommu_hwpt_arm_smmuv3 ste = { .ste = { s0, s1 } };
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .dev_id = e->dev, .pt_id = e->viommu,
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, .data_len = sizeof(ste),
		.data_uptr = (uintptr_t)&ste,
	};
	struct vfio_device_attach_iommufd_pt at_pt = { .argsz = sizeof(at_pt) };
	struct iommu_destroy d = { .size = sizeof(d) };

	assert_int_equal(io(e, IOMMU_HWPT_ALLOC, &a), 0);
	at_pt.pt_id = a.out_hwpt_id;
	assert_int_equal(e->be->ops->ioctl(e->be, e->dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at_pt),
			 0);
	if (e->pt) {
		d.id = e->pt;
		assert_int_equal(io(e, IOMMU_DESTROY, &d), 0);
	}
	e->pt = a.out_hwpt_id;
}

/* a CD at @ipa: T0SZ @t0sz, granule @tg, TTB0 @ttb, ASID @asid */
static void write_cd(struct env *e, uint64_t ipa, unsigned int t0sz, uint64_t tg, uint64_t ttb,
		     uint16_t asid)
{
	uint64_t *cd = at(e, ipa);

	memset(cd, 0, 64);
	cd[1] = ttb;
	cd[3] = 0xff;
	cd[0] = t0sz | tg << 6 | (1ULL << 31) | (2ULL << 32) | (1ULL << 41) |
		(uint64_t)asid << 48;
}

static int inval1(struct env *e, uint64_t c0, uint64_t c1)
{
	const uint64_t cmd[2] = { c0, c1 };
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = e->viommu, .data_uptr = (uintptr_t)cmd,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, .entry_len = 16,
		.entry_num = 1,
	};

	return io(e, IOMMU_HWPT_INVALIDATE, &inv);
}

static int read_recs(struct env *e, struct rec *r, int max)
{
	uint8_t buf[4096];
	ssize_t n = e->be->ops->read(e->be, e->qfd, buf, sizeof(buf));
	size_t off = 0;
	int i = 0;

	assert_true(n >= 0);
	while (i < max && off + 8 <= (size_t)n) {
		memset(&r[i], 0, sizeof(r[i]));
		memcpy(&r[i].flags, buf + off, 4);
		memcpy(&r[i].seq, buf + off + 4, 4);
		off += 8;
		if (!(r[i].flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS)) {
			memcpy(r[i].evt, buf + off, 32);
			off += 32;
		}
		i++;
	}
	return i;
}

/* One 4-byte read at @va (SubstreamID @ssid, < 0 none): 0, or the event id it raised. */
static int dma_evt(struct env *e, uint64_t va, int64_t ssid, uint64_t *evt0)
{
	struct rec r[4];
	uint32_t v;
	int rc = ish_sim_dma(e->be, BDF, va, sizeof(v), ssid, false, &v);

	if (!rc)
		return 0;
	assert_int_equal(rc, -EFAULT);
	assert_int_equal(read_recs(e, r, 4), 1);
	assert_int_equal(r[0].evt[0] >> 32, VSID);
	if (evt0)
		*evt0 = r[0].evt[0];
	return (int)(r[0].evt[0] & 0xff);
}

/* Read 4 bytes at @va: what is there, -1 when it faulted (the event drained). */
static int64_t peek(struct env *e, uint64_t va, int64_t ssid)
{
	uint32_t v = 0;
	struct rec r[4];

	if (ish_sim_dma(e->be, BDF, va, sizeof(v), ssid, false, &v) < 0) {
		read_recs(e, r, 4);
		return -1;
	}
	return v;
}

/* ---- granules ------------------------------------------------------------------------------ */

/*
 * 16 KiB: T0SZ 25 walks levels 1, 2, 3 of 2048 entries (L1 only 8 used). VA 0x800000 ->
 * IPA BASE + 0x80000 (a page); VA 0x2000000 (L2 index 1) -> a level-2 block at BLK16_IPA.
 */
static void granule_16k(void **state)
{
	uint64_t l1 = BASE + 0x10000, l2 = BASE + 0x14000, l3 = BASE + 0x18000;
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	write_cd(&e, BASE + 0x8000, 25, TG_16K, l1, 1);
	at(&e, l1)[0] = l2 | PTE_TABLE;
	at(&e, l2)[0] = l3 | PTE_TABLE;
	at(&e, l3)[0x200] = (BASE + 0x80000) | PTE_PAGE;	/* VA 0x800000 */
	at(&e, l2)[1] = BLK16_IPA | PTE_BLOCK;		/* VA 0x2000000: 32 MiB */
	put32(&e, BASE + 0x80000 + 0x3ffc, 0x5555);
	memcpy(e.win16 + 0x1000, "\x77\x77\0\0", 4);
	set_ste(&e, STE_S1(BASE + 0x8000), 0);
	/* the last word of the 16 KiB page: the same leaf covers all of it */
	assert_int_equal(peek(&e, 0x800000 + 0x3ffc, -1), 0x5555);
	assert_int_equal(peek(&e, 0x2000000 + 0x1000, -1), 0x7777);
	/* the next page (L3 index 0x201) is not mapped */
	assert_int_equal(dma_evt(&e, 0x804000, -1, NULL), EVT_F_TRANSLATION);
	env_close(&e);
}

/*
 * A level-1 block with 16 KiB (64 GiB) needs 52-bit addresses: a translation fault, as the
 * architecture says (QEMU 10 translates it: see sim_walk.c block_level()).
 */
static void granule_16k_level1_block_faults(void **state)
{
	uint64_t l1 = BASE + 0x10000;
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	write_cd(&e, BASE + 0x8000, 25, TG_16K, l1, 1);
	at(&e, l1)[0] = BLK16_IPA | PTE_BLOCK;
	set_ste(&e, STE_S1(BASE + 0x8000), 0);
	assert_int_equal(dma_evt(&e, 0x1000, -1, NULL), EVT_F_TRANSLATION);
	env_close(&e);
}

/*
 * 64 KiB: T0SZ 25 walks levels 2 and 3 only (L2 indexed by VA[38:29], L3 by VA[28:16]);
 * VA 0x800000 -> a page at BASE + 0x100000, VA 0x20000000 (L2 index 1) -> a 512 MiB block.
 */
static void granule_64k(void **state)
{
	uint64_t l2 = BASE + 0x20000, l3 = BASE + 0x30000;
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	write_cd(&e, BASE + 0x8000, 25, TG_64K, l2, 1);
	at(&e, l2)[0] = l3 | PTE_TABLE;
	at(&e, l3)[0x80] = (BASE + 0x100000) | PTE_PAGE;
	at(&e, l2)[1] = BLK64_IPA | PTE_BLOCK;
	put32(&e, BASE + 0x100000 + 0xfffc, 0x6464);
	memcpy(e.win64 + 0x2000, "\x99\x99\0\0", 4);
	set_ste(&e, STE_S1(BASE + 0x8000), 0);
	assert_int_equal(peek(&e, 0x800000 + 0xfffc, -1), 0x6464);
	assert_int_equal(peek(&e, 0x20000000 + 0x2000, -1), 0x9999);
	assert_int_equal(dma_evt(&e, 0x810000, -1, NULL), EVT_F_TRANSLATION);
	env_close(&e);
}

/* 64 KiB with a 48-bit VA starts at level 1, where a block (4 TiB) needs FEAT_LPA: faults */
static void granule_64k_level1(void **state)
{
	uint64_t l1 = BASE + 0x20000, l2 = BASE + 0x30000, l3 = BASE + 0x40000;
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	write_cd(&e, BASE + 0x8000, 16, TG_64K, l1, 1);
	at(&e, l1)[0] = l2 | PTE_TABLE;
	at(&e, l2)[0] = l3 | PTE_TABLE;
	at(&e, l3)[0x80] = (BASE + 0x100000) | PTE_PAGE;
	*at(&e, BASE + 0x100000) = 0x4848;
	set_ste(&e, STE_S1(BASE + 0x8000), 0);
	assert_int_equal(peek(&e, 0x800000, -1), 0x4848);
	/* VA 1 << 42 is L1 index 1: a block there faults */
	at(&e, l1)[1] = BLK64_IPA | PTE_BLOCK;
	assert_int_equal(dma_evt(&e, 1ULL << 42, -1, NULL), EVT_F_TRANSLATION);
	env_close(&e);
}

/* TG0 = 3 is reserved: the CD is ILLEGAL, C_BAD_CD */
static void granule_unsupported(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	write_cd(&e, BASE + 0x8000, 25, 3, BASE + 0x10000, 1);
	set_ste(&e, STE_S1(BASE + 0x8000), 0);
	assert_int_equal(dma_evt(&e, 0x800000, -1, NULL), EVT_C_BAD_CD);
	env_close(&e);
}

/* 4 KiB still walks as before, and its level-1 block (1 GiB) is allowed */
static void granule_4k_level1_block(void **state)
{
	uint64_t l1 = BASE + 0x10000;
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	write_cd(&e, BASE + 0x8000, 25, TG_4K, l1, 1);
	at(&e, l1)[0] = 0 | PTE_BLOCK;		/* VA 0..1 GiB -> IPA 0..1 GiB */
	*at(&e, BASE + 0x40) = 0x4141;
	set_ste(&e, STE_S1(BASE + 0x8000), 0);
	assert_int_equal(peek(&e, BASE + 0x40, -1), 0x4141);
	env_close(&e);
}

/* ---- SubstreamIDs ------------------------------------------------------------------------ */

/*
 * CD @n of a table at @table (64 bytes each): 4K granule, T0SZ 25, its own tables at
 * BASE + 0x40000 + n * 0x3000 mapping VA 0x800000 -> IPA BASE + 0x100000 + n * 0x1000, whose
 * first word is 0x1000 + n. ASID 1 + n.
 */
static void substream_cd(struct env *e, uint64_t cd_ipa, unsigned int n)
{
	uint64_t l1 = BASE + 0x40000 + n * 0x3000ULL, l2 = l1 + 0x1000, l3 = l1 + 0x2000;
	uint64_t page = BASE + 0x100000 + n * 0x1000ULL;

	memset(at(e, l1), 0, 0x3000);
	at(e, l1)[0] = l2 | PTE_TABLE;
	at(e, l2)[(0x800000 >> 21) & 511] = l3 | PTE_TABLE;
	at(e, l3)[(0x800000 >> 12) & 511] = page | PTE_PAGE;
	*at(e, page) = 0x1000 + n;
	write_cd(e, cd_ipa, 25, TG_4K, l1, (uint16_t)(1 + n));
}

#define CDTAB	(BASE + 0x8000)

/* A linear table of 4 CDs (S1CDMax 2): each SubstreamID its own address space. */
static void ssid_linear(void **state)
{
	uint64_t evt0 = 0;
	struct env e;

	(void)state;
	env_open(&e, 4, false);
	substream_cd(&e, CDTAB, 0);
	substream_cd(&e, CDTAB + 64, 1);
	substream_cd(&e, CDTAB + 128, 2);
	memset(at(&e, CDTAB + 192), 0, 64);		/* CD 3 invalid */
	set_ste(&e, STE_S1(CDTAB) | STE_CDMAX(2), 2);	/* S1DSS: no SSID uses CD 0 */
	assert_int_equal(peek(&e, 0x800000, 1), 0x1001);
	assert_int_equal(peek(&e, 0x800000, 2), 0x1002);
	assert_int_equal(peek(&e, 0x800000, -1), 0x1000);
	/* the events say which substream: SSV and SSID */
	assert_int_equal(dma_evt(&e, 0x800000, 3, &evt0), EVT_C_BAD_CD);
	assert_int_equal(evt0 & (EVT0_SSV | 0xfffff000ULL), EVT0_SSV | 3ULL << 12);
	assert_int_equal(dma_evt(&e, 0x900000, 1, &evt0), EVT_F_TRANSLATION);
	assert_int_equal(evt0 & (EVT0_SSV | 0xfffff000ULL), EVT0_SSV | 1ULL << 12);
	/* beyond 2^S1CDMax, and substream 0 reserved for S1DSS=0b10 */
	assert_int_equal(dma_evt(&e, 0x800000, 4, NULL), EVT_C_BAD_SUBSTREAMID);
	assert_int_equal(dma_evt(&e, 0x800000, 0, NULL), EVT_F_STREAM_DISABLED);
	/* without substreams a transaction that has one is terminated, and it has no SSV */
	set_ste(&e, STE_S1(CDTAB), 0);
	assert_int_equal(dma_evt(&e, 0x800000, 1, &evt0), EVT_C_BAD_SUBSTREAMID);
	assert_int_equal(dma_evt(&e, 0x900000, -1, &evt0), EVT_F_TRANSLATION);
	assert_int_equal(evt0 & EVT0_SSV, 0);
	env_close(&e);
}

/* S1DSS for transactions without a SubstreamID: terminate, bypass stage 1, or CD 0. */
static void ssid_s1dss(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, 4, false);
	substream_cd(&e, CDTAB, 0);
	substream_cd(&e, CDTAB + 64, 1);
	*at(&e, BASE + 0x2000) = 0xb0b0;
	set_ste(&e, STE_S1(CDTAB) | STE_CDMAX(1), 0);
	assert_int_equal(dma_evt(&e, 0x800000, -1, NULL), EVT_F_STREAM_DISABLED);
	assert_int_equal(peek(&e, 0x800000, 0), 0x1000);	/* SSID 0 is a substream here */
	set_ste(&e, STE_S1(CDTAB) | STE_CDMAX(1), 1);
	assert_int_equal(peek(&e, BASE + 0x2000, -1), 0xb0b0);	/* VA = IPA */
	assert_int_equal(peek(&e, 0x800000, 1), 0x1001);
	set_ste(&e, STE_S1(CDTAB) | STE_CDMAX(1), 3);	/* reserved: as terminate */
	assert_int_equal(dma_evt(&e, 0x800000, -1, NULL), EVT_F_STREAM_DISABLED);
	env_close(&e);
}

/* 2-level CD tables: S1Fmt 1 (64 CDs a 4 KiB leaf), L1CD.V, and IDR0.CD2L. */
static void ssid_two_level(void **state)
{
	uint64_t l1 = BASE + 0x8000, leaf0 = BASE + 0x9000, leaf1 = BASE + 0xa000;
	struct env e;

	(void)state;
	env_open(&e, 8, true);
	memset(at(&e, l1), 0, 0x3000);
	at(&e, l1)[0] = leaf0 | 1;
	at(&e, l1)[1] = leaf1 | 1;
	substream_cd(&e, leaf0 + 5 * 64, 5);
	substream_cd(&e, leaf1 + 1 * 64, 7);		/* SSID 65: L1 index 1, leaf index 1 */
	set_ste(&e, STE_S1(l1) | STE_CDMAX(8) | STE_FMT(1), 0);
	assert_int_equal(peek(&e, 0x800000, 5), 0x1005);
	assert_int_equal(peek(&e, 0x800000, 65), 0x1007);
	/* SSID 130: L1 index 2, whose V is 0 */
	assert_int_equal(dma_evt(&e, 0x800000, 130, NULL), EVT_C_BAD_SUBSTREAMID);
	/* S1CDMax 9 > SSIDSIZE 8: the STE is ILLEGAL */
	set_ste(&e, STE_S1(l1) | STE_CDMAX(9) | STE_FMT(1), 0);
	assert_int_equal(dma_evt(&e, 0x800000, 5, NULL), EVT_C_BAD_STE);
	env_close(&e);

	env_open(&e, 8, false);				/* no IDR0.CD2L */
	set_ste(&e, STE_S1(l1) | STE_CDMAX(8) | STE_FMT(1), 0);
	assert_int_equal(dma_evt(&e, 0x800000, 5, NULL), EVT_C_BAD_STE);
	env_close(&e);
}

/* The CD cache holds each substream's CD; CFGI_CD with an SSID drops that one only. */
static void ssid_cfgi_cd(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, 4, false);
	substream_cd(&e, CDTAB + 64, 1);
	substream_cd(&e, CDTAB + 128, 2);
	set_ste(&e, STE_S1(CDTAB) | STE_CDMAX(2), 0);
	assert_int_equal(peek(&e, 0x800000, 1), 0x1001);
	assert_int_equal(peek(&e, 0x800000, 2), 0x1002);
	/* both CDs swapped in memory: the SMMU keeps its cached ones */
	substream_cd(&e, CDTAB + 64, 2);
	substream_cd(&e, CDTAB + 128, 1);
	assert_int_equal(peek(&e, 0x800000, 1), 0x1001);
	/* CFGI_CD vSID 0x42 SSID 2, leaf */
	assert_int_equal(inval1(&e, 0x05 | VSID << 32 | 2ULL << 12, 1), 0);
	assert_int_equal(peek(&e, 0x800000, 1), 0x1001);	/* still stale */
	assert_int_equal(peek(&e, 0x800000, 2), 0x1001);	/* refetched */
	assert_int_equal(inval1(&e, 0x06 | VSID << 32, 0), 0);	/* CFGI_CD_ALL */
	assert_int_equal(peek(&e, 0x800000, 1), 0x1002);
	/* ATC_INV with an SSID: the SMMU has ATS and substreams */
	assert_int_equal(inval1(&e, 0x40 | VSID << 32 | 1ULL << 11 | 2ULL << 12, 52), 0);
	env_close(&e);

	/* QEMU's IDRs (SSIDSIZE 0, no ATS): both refused */
	env_open(&e, 0, false);
	assert_int_equal(inval1(&e, 0x05 | VSID << 32 | 2ULL << 12, 1), -EIO);
	assert_int_equal(inval1(&e, 0x05 | VSID << 32, 1), 0);
	env_close(&e);
}

/* Stage 1 disabled (bypass vSTE, or a plain S2 domain): a SubstreamID is C_BAD_SUBSTREAMID. */
static void ssid_without_stage1(void **state)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a) };
	struct ish_sim_stats st;
	unsigned long before;
	struct env e;

	(void)state;
	env_open(&e, 4, false);
	*at(&e, BASE) = 0xcafe;
	set_ste(&e, STE_BYPASS, 0);
	assert_int_equal(peek(&e, BASE, -1), 0xcafe);
	assert_int_equal(dma_evt(&e, BASE, 1, NULL), EVT_C_BAD_SUBSTREAMID);
	/* on the nest parent itself: the host's own event, not forwarded */
	a.pt_id = e.parent;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), 0);
	ish_sim_get_stats(e.be, &st);
	before = st.host_events;
	assert_int_equal(ish_sim_dma(e.be, BDF, BASE, 8, 1, false, NULL), -EFAULT);
	ish_sim_get_stats(e.be, &st);
	assert_int_equal(st.host_events, before + 2);	/* one per 4 bytes */
	env_close(&e);
}

/* ish_sim_dma()'s own refusals. */
static void sim_dma_errors(void **state)
{
	uint16_t cmd = 0x2;
	struct env e;

	(void)state;
	env_open(&e, 4, false);
	assert_int_equal(ish_sim_dma(e.be, BDF, BASE, 0, -1, false, NULL), -EINVAL);
	assert_int_equal(ish_sim_dma(e.be, BDF, BASE, ISH_SIM_DMA_MAX + 1, -1, false, NULL),
			 -EINVAL);
	assert_int_equal(ish_sim_dma(e.be, BDF, BASE, 4, 1 << 20, false, NULL), -EINVAL);
	assert_int_equal(ish_sim_dma(e.be, "0000:07:00.0", BASE, 4, -1, false, NULL), -ENOENT);
	assert_int_equal(ish_sim_dma(e.be, "nonsense", BASE, 4, -1, false, NULL), -EINVAL);
	assert_int_equal(ish_sim_dma(e.be, BDF, BASE, 4, -1, true, NULL), 0);	/* S2 */
	assert_int_equal(e.be->ops->pwrite(e.be, e.dfd, &cmd, 2, CFG_OFF + 4), 2);
	assert_int_equal(ish_sim_dma(e.be, BDF, BASE, 4, -1, true, NULL), -EPERM);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(granule_16k),
		cmocka_unit_test(granule_16k_level1_block_faults),
		cmocka_unit_test(granule_64k),
		cmocka_unit_test(granule_64k_level1),
		cmocka_unit_test(granule_unsupported),
		cmocka_unit_test(granule_4k_level1_block),
		cmocka_unit_test(ssid_linear),
		cmocka_unit_test(ssid_s1dss),
		cmocka_unit_test(ssid_two_level),
		cmocka_unit_test(ssid_cfgi_cd),
		cmocka_unit_test(ssid_without_stage1),
		cmocka_unit_test(sim_dma_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
