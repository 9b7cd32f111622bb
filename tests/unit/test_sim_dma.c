// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated kernel's device side: VFIO regions, the edu device, DMA through each kind
 * of translation (S2, bypass, abort, V=0, S1 with real page tables in an IOAS buffer), the
 * IOTLB and CD cache staying stale until invalidated, the events a faulting DMA raises and
 * the driver's forwarding rules, and vEVENTQ reads with overflow (§2, §4, §8).
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

#define BDF_A		"0000:00:01.0"	/* SID 0x8 */
#define BDF_B		"0000:00:02.0"
#define SID_A		0x8ULL
#define VSID		0x42ULL

#define STE_V		1ULL
#define STE_BYPASS	(STE_V | (4ULL << 1))
#define STE_S1(cd)	(STE_V | (5ULL << 1) | (cd))

#define CFG_OFF		((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40)
#define BAR0		0ULL
#define EDU_BUF		0x40000ULL

/* guest memory: 1 MiB of this process at IPA BASE; the guest's S1 tables inside it */
#define BASE		0x100000ULL
#define RAM_LEN		0x100000ULL
#define CD_OFF		0x8000
#define L1_OFF		0x9000
#define L2_OFF		0xa000
#define L3_OFF		0xb000
#define ALT_L1_OFF	0xc000		/* a second set of tables for the CD cache test */
#define S1_VA		0x800000ULL
#define ASID		1ULL
#define PTE_RW		(0x3ULL | (1ULL << 10) | (3ULL << 8))	/* page, AF, ISH */
#define PTE_RO		(1ULL << 7)

#define EVT_C_BAD_CD		0x0a
#define EVT_F_TRANSLATION	0x10
#define EVT_F_ACCESS		0x12
#define EVT_F_PERMISSION	0x13
#define EVT1_RNW		(1ULL << 35)
#define EVT1_S2			(1ULL << 39)

struct env {
	struct ish_backend *be;
	int iofd, dfd, dfd_b;
	uint32_t dev, dev_b, ioas, parent, viommu, vdev, q;
	int qfd;
	uint8_t *ram;
};

struct rec {
	uint32_t flags, seq;
	uint64_t evt[4];
};

/* ---- raw calls -------------------------------------------------------------------------- */

static int io(struct env *e, unsigned long req, void *arg)
{
	return e->be->ops->ioctl(e->be, e->iofd, req, arg);
}

static uint32_t alloc_nested(struct env *e, uint64_t s0, uint64_t s1)
{
	struct iommu_hwpt_arm_smmuv3 ste = { .ste = { s0, s1 } };
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .dev_id = e->dev, .pt_id = e->viommu,
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, .data_len = sizeof(ste),
		.data_uptr = (uintptr_t)&ste,
	};

	assert_int_equal(io(e, IOMMU_HWPT_ALLOC, &a), 0);
	return a.out_hwpt_id;
}

static int attach_fd(struct env *e, int fd, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = pt };

	return e->be->ops->ioctl(e->be, fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static void attach(struct env *e, uint32_t pt)
{
	assert_int_equal(attach_fd(e, e->dfd, pt), 0);
}

static int destroy(struct env *e, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return io(e, IOMMU_DESTROY, &d);
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

static int map_at(struct env *e, uint64_t iova, void *va, uint64_t len, uint32_t flags)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = e->ioas, .length = len,
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | flags,
				    .user_va = (uintptr_t)va, .iova = iova };

	return io(e, IOMMU_IOAS_MAP, &m);
}

static int unmap_at(struct env *e, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = e->ioas, .iova = iova,
				      .length = len };

	return io(e, IOMMU_IOAS_UNMAP, &u);
}

/* ---- edu through the region fd ---------------------------------------------------------- */

static uint64_t rd(struct env *e, uint64_t off, size_t n)
{
	uint64_t v = 0;

	assert_int_equal(e->be->ops->pread(e->be, e->dfd, &v, n, off), (ssize_t)n);
	return v;
}

static void wr(struct env *e, uint64_t off, size_t n, uint64_t v)
{
	assert_int_equal(e->be->ops->pwrite(e->be, e->dfd, &v, n, off), (ssize_t)n);
}

static void bus_master(struct env *e, bool on)
{
	uint64_t cmd = rd(e, CFG_OFF + 4, 2);

	wr(e, CFG_OFF + 4, 2, on ? cmd | 0x4 : cmd & ~0x4ULL);
}

/* One edu DMA: to_ram 0 = RAM(src) -> buffer(dst), 1 = buffer(src) -> RAM(dst). */
static void edu_dma(struct env *e, uint64_t src, uint64_t dst, uint64_t cnt, int to_ram)
{
	wr(e, BAR0 + 0x80, 8, src);
	wr(e, BAR0 + 0x88, 8, dst);
	wr(e, BAR0 + 0x90, 8, cnt);
	wr(e, BAR0 + 0x98, 8, 1 | (to_ram ? 2 : 0));
	assert_int_equal(rd(e, BAR0 + 0x98, 4) & 1, 0);	/* done at once */
}

/* 256 bytes RAM(addr) -> edu -> RAM(addr + 0x1000); where did they land? */
static int roundtrip(struct env *e, uint64_t addr, uint8_t seed)
{
	int i;

	for (i = 0; i < 256; i++) {
		e->ram[i] = (uint8_t)(seed + i);
		e->ram[0x1000 + i] = 0;
		e->ram[0x2000 + i] = 0;
	}
	edu_dma(e, addr, EDU_BUF, 256, 0);
	edu_dma(e, EDU_BUF, addr + 0x1000, 256, 1);
	if (!memcmp(e->ram, e->ram + 0x1000, 256))
		return 0x1000;
	if (!memcmp(e->ram, e->ram + 0x2000, 256))
		return 0x2000;
	return 0;
}

/* ---- the guest's stage 1 ----------------------------------------------------------------- */

static uint64_t *at(struct env *e, unsigned int off)
{
	return (uint64_t *)(e->ram + off);
}

/* T0SZ 25 (39-bit VA, walk from level 1), TTB0 at @l1_off, V, AA64, ASID 1 */
static void write_cd(struct env *e, unsigned int l1_off)
{
	uint64_t *cd = at(e, CD_OFF);

	memset(cd, 0, 64);
	cd[1] = BASE + l1_off;
	cd[3] = 0xff;
	cd[0] = 25 | (1ULL << 31) | (2ULL << 32) | (1ULL << 41) | (ASID << 48);
}

/* VA S1_VA -> IPA BASE, S1_VA + 0x1000 -> BASE + @dst_page */
static void write_tables(struct env *e, unsigned int l1_off, unsigned int dst_page)
{
	unsigned int l2_off = l1_off + 0x1000, l3_off = l1_off + 0x2000;

	memset(at(e, l1_off), 0, 0x3000);
	at(e, l1_off)[0] = (BASE + l2_off) | 3;
	at(e, l2_off)[(S1_VA >> 21) & 511] = (BASE + l3_off) | 3;
	at(e, l3_off)[(S1_VA >> 12) & 511] = BASE | PTE_RW;
	at(e, l3_off)[((S1_VA >> 12) & 511) + 1] = (BASE + dst_page) | PTE_RW;
}

static uint64_t *pte(struct env *e, uint64_t va)
{
	return &at(e, L3_OFF)[(va >> 12) & 511];
}

/* ---- vEVENTQ ------------------------------------------------------------------------------ */

/* Parse one read() worth of records. */
static int read_recs(struct env *e, struct rec *r, int max)
{
	uint8_t buf[8192];
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
	assert_int_equal(off, (size_t)n);
	return i;
}

static unsigned long host_events(struct env *e)
{
	struct ish_sim_stats st;

	ish_sim_get_stats(e->be, &st);
	return st.host_events;
}

/* ---- set-up ------------------------------------------------------------------------------- */

static int open_bind(struct env *e, const char *bdf, uint32_t *dev)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	int fd = e->be->ops->open_device(e->be, bdf, NULL);

	assert_true(fd >= 0);
	b.iommufd = e->iofd;
	assert_int_equal(e->be->ops->ioctl(e->be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	*dev = b.out_devid;
	return fd;
}

/*
 * Device A bound, bus mastering on, guest RAM mapped at BASE in an IOAS. With @nest: A on a
 * nest parent, a vIOMMU, vDEVICE vSID 0x42 and a vEVENTQ of @depth.
 */
static void env_open(struct env *e, bool nest, uint32_t depth)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };

	memset(e, 0, sizeof(*e));
	e->qfd = -1;
	e->dfd_b = -1;
	e->be = ish_sim_new();
	e->iofd = e->be->ops->open_iommufd(e->be);
	e->dfd = open_bind(e, BDF_A, &e->dev);
	bus_master(e, true);
	assert_int_equal(io(e, IOMMU_IOAS_ALLOC, &ia), 0);
	e->ioas = ia.out_ioas_id;
	e->ram = mmap(NULL, RAM_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(e->ram != MAP_FAILED);
	assert_int_equal(map_at(e, BASE, e->ram, RAM_LEN, IOMMU_IOAS_MAP_READABLE |
				IOMMU_IOAS_MAP_WRITEABLE), 0);
	if (!nest)
		return;
	{
		struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = e->dev,
					      .pt_id = e->ioas,
					      .flags = IOMMU_HWPT_ALLOC_NEST_PARENT };
		struct iommu_viommu_alloc v = { .size = sizeof(v), .dev_id = e->dev,
						.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
		struct iommu_vdevice_alloc vd = { .size = sizeof(vd), .dev_id = e->dev,
						  .virt_id = VSID };
		struct iommu_veventq_alloc q = { .size = sizeof(q), .veventq_depth = depth,
						 .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 };

		assert_int_equal(io(e, IOMMU_HWPT_ALLOC, &h), 0);
		e->parent = h.out_hwpt_id;
		attach(e, e->parent);
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

	if (e->qfd >= 0)
		assert_int_equal(e->be->ops->close(e->be, e->qfd), 0);
	if (e->dfd_b >= 0)
		assert_int_equal(e->be->ops->close(e->be, e->dfd_b), 0);
	assert_int_equal(e->be->ops->close(e->be, e->dfd), 0);
	assert_int_equal(e->be->ops->close(e->be, e->iofd), 0);
	ish_sim_get_stats(e->be, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.open_fds, 0);
	e->be->ops->free(e->be);
	munmap(e->ram, RAM_LEN);
}

/* A translating nested HWPT with the CD at BASE + CD_OFF, the device on it. */
static uint32_t translate(struct env *e)
{
	uint32_t tr = alloc_nested(e, STE_S1(BASE + CD_OFF), 0);

	attach(e, tr);
	return tr;
}

/* ---- regions and the edu registers --------------------------------------------------------- */

static void regions(void **state)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct env e;
	uint8_t b[8];

	(void)state;
	env_open(&e, false, 0);
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_INFO, &di), 0);
	assert_int_equal(di.flags, VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(di.num_regions, 9);
	assert_int_equal(di.num_irqs, 5);
	di.argsz = 15;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_INFO, &di), -EINVAL);
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.size, 1 << 20);
	assert_int_equal(ri.offset, 0);
	assert_true(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.size, 256);
	assert_int_equal(ri.offset, CFG_OFF);
	ri.index = VFIO_PCI_BAR2_REGION_INDEX;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.size, 0);
	assert_int_equal(ri.flags, 0);
	ri.index = VFIO_PCI_VGA_REGION_INDEX;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	ri.index = 9;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	ri.index = 0;
	ri.argsz = 31;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_RESET, NULL), -EINVAL);
	{
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSI_IRQ_INDEX };

		assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0);
		assert_int_equal(ii.count, 1);
		ii.index = VFIO_PCI_INTX_IRQ_INDEX;
		assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0);
		assert_true(ii.flags & VFIO_IRQ_INFO_MASKABLE);
		ii.index = VFIO_PCI_ERR_IRQ_INDEX;
		assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_GET_IRQ_INFO, &ii),
				 -EINVAL);
	}
	/* config space */
	assert_int_equal(rd(&e, CFG_OFF, 4), 0x11e81234);
	assert_int_equal(rd(&e, CFG_OFF + 0x09, 2) | rd(&e, CFG_OFF + 0x0b, 1) << 16, 0x00ff00);
	wr(&e, CFG_OFF + 0x10, 4, 0xffffffff);
	assert_int_equal(rd(&e, CFG_OFF + 0x10, 4), 0xfff00000);	/* 1 MiB BAR */
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 8, CFG_OFF + 0x100), -EINVAL);
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 8, CFG_OFF + 0xfc), 4);
	/* other regions and the end of BAR0 */
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 4, 1ULL << 40), -EINVAL);
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 4, 6ULL << 40), -EINVAL);
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 4, 1 << 20), -EINVAL);
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 8, (1 << 20) - 4), 4);
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 4, 10ULL << 40), -EINVAL);
	/* memory decode off: the BAR is not there */
	wr(&e, CFG_OFF + 4, 2, 0);
	assert_int_equal(e.be->ops->pread(e.be, e.dfd, b, 4, 0), -EIO);
	wr(&e, CFG_OFF + 4, 2, 0x6);
	env_close(&e);
}

static void edu_registers(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, false, 0);
	assert_int_equal(rd(&e, BAR0, 4), 0x010000ed);
	assert_int_equal(rd(&e, BAR0, 8), UINT64_MAX);		/* 8 bytes below 0x80: ~0 */
	assert_int_equal(rd(&e, BAR0, 2), 0xffff);
	wr(&e, BAR0 + 4, 4, 0x12345678);
	assert_int_equal(rd(&e, BAR0 + 4, 4), 0xedcba987);
	wr(&e, BAR0 + 8, 4, 5);
	assert_int_equal(rd(&e, BAR0 + 8, 4), 120);
	assert_int_equal(rd(&e, BAR0 + 0x20, 4) & 1, 0);
	wr(&e, BAR0 + 0x60, 4, 0x5);
	assert_int_equal(rd(&e, BAR0 + 0x24, 4), 0x5);
	wr(&e, BAR0 + 0x64, 4, 0x1);
	assert_int_equal(rd(&e, BAR0 + 0x24, 4), 0x4);
	wr(&e, BAR0 + 0x80, 8, 0x123456789ULL);
	assert_int_equal(rd(&e, BAR0 + 0x80, 8), 0x123456789ULL);
	assert_int_equal(rd(&e, BAR0 + 0x80, 4), 0x23456789);
	assert_int_equal(rd(&e, BAR0 + 0x200, 4), 0xffffffff);
	/* one pread of 16 bytes is two 8-byte accesses */
	{
		uint64_t two[2];

		assert_int_equal(e.be->ops->pread(e.be, e.dfd, two, 16, BAR0 + 0x80), 16);
		assert_int_equal(two[0], 0x123456789ULL);
	}
	env_close(&e);
}

/* ---- DMA in each mode ---------------------------------------------------------------------- */

static void dma_s2(void **state)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a) };
	unsigned long before;
	struct env e;

	(void)state;
	env_open(&e, false, 0);
	/* blocked until attached: nothing moves, nothing is reported */
	before = host_events(&e);
	assert_int_equal(roundtrip(&e, BASE, 1), 0);
	assert_int_equal(host_events(&e), before);
	a.pt_id = e.ioas;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), 0);
	assert_int_equal(roundtrip(&e, BASE, 2), 0x1000);
	/* the 28-bit DMA mask of edu: high address bits are dropped */
	assert_int_equal(roundtrip(&e, BASE | (1ULL << 40), 3), 0x1000);
	/* without bus mastering the DMA never leaves the device */
	bus_master(&e, false);
	assert_int_equal(roundtrip(&e, BASE, 4), 0);
	bus_master(&e, true);
	/* an unmapped IOVA faults on the host: 64 + 64 events for the two 256-byte halves */
	before = host_events(&e);
	assert_int_equal(roundtrip(&e, BASE + RAM_LEN, 5), 0);
	assert_int_equal(host_events(&e) - before, 128);
	/* a buffer range outside the edu's 4 KiB does nothing */
	memset(e.ram, 0x77, 16);
	edu_dma(&e, BASE, EDU_BUF + 0xff8, 16, 0);
	edu_dma(&e, EDU_BUF + 0x1000, BASE + 0x1000, 16, 1);
	env_close(&e);
}

/*
 * A read the SMMU faults returns zeros to the device (QEMU's unassigned region), so the edu
 * buffer holds zeros after it, not its old bytes (tests/diff/faulted-dma-read-reads-zeros.ish,
 * found against the live kernel); the abort of a blocked device likewise.
 */
static void dma_faulted_read_reads_zeros(void **state)
{
	struct env e;
	int i;

	(void)state;
	env_open(&e, false, 0);
	attach(&e, e.ioas);
	memset(e.ram, 0x5a, 256);
	memset(e.ram + 0x1000, 0x11, 256);
	edu_dma(&e, BASE, EDU_BUF, 256, 0);
	edu_dma(&e, BASE + RAM_LEN, EDU_BUF, 256, 0);		/* unmapped: faults */
	edu_dma(&e, EDU_BUF, BASE + 0x1000, 256, 1);
	for (i = 0; i < 256; i++)
		assert_int_equal(e.ram[0x1000 + i], 0);
	env_close(&e);
}

/*
 * The kernel's failed replace within one IOAS (iommufd_device_do_replace(), err_unresv)
 * drops the device's MSI window from the IOAS it stays attached through: a map there works
 * until the device leaves the IOAS (tests/live/scripts/replace-resv.ish). A failed replace
 * to another IOAS leaves the window where it was.
 */
static void failed_replace_drops_msi_window(void **state)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct vfio_device_detach_iommufd_pt de = { .argsz = sizeof(de) };
	uint8_t *buf = mmap(NULL, 0x200000, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t tr, ioas;
	struct env e;

	(void)state;
	assert_true(buf != MAP_FAILED);
	env_open(&e, true, 8);
	assert_int_equal(map_at(&e, 0x8000000, buf, 0x200000, IOMMU_IOAS_MAP_READABLE), -EINVAL);
	/* a translating vSTE of a vSID with no vDEVICE fails the attach in the driver */
	assert_int_equal(destroy(&e, e.vdev), 0);
	tr = alloc_nested(&e, STE_S1(BASE + CD_OFF), 0);
	assert_int_equal(attach_fd(&e, e.dfd, tr), -ENOENT);
	assert_int_equal(map_at(&e, 0x8000000, buf, 0x200000, IOMMU_IOAS_MAP_READABLE), 0);
	assert_int_equal(unmap_at(&e, 0x8000000, 0x200000), 0);
	/* leaving and coming back reserves it again, once (the detach removed nothing twice) */
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de), 0);
	attach(&e, e.parent);
	assert_int_equal(map_at(&e, 0x8000000, buf, 0x200000, IOMMU_IOAS_MAP_READABLE), -EINVAL);
	/* a failed replace onto another IOAS keeps this one's window */
	assert_int_equal(io(&e, IOMMU_IOAS_ALLOC, &ia), 0);
	ioas = ia.out_ioas_id;
	{
		struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = e.dev, .pt_id = ioas,
					      .flags = IOMMU_HWPT_ALLOC_NEST_PARENT };
		struct iommu_viommu_alloc v = { .size = sizeof(v), .dev_id = e.dev,
						.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
		uint32_t vi, tr2, save = e.viommu;

		assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &h), 0);
		v.hwpt_id = h.out_hwpt_id;
		assert_int_equal(io(&e, IOMMU_VIOMMU_ALLOC, &v), 0);
		vi = v.out_viommu_id;
		e.viommu = vi;
		tr2 = alloc_nested(&e, STE_S1(BASE + CD_OFF), 0);
		e.viommu = save;
		assert_int_equal(attach_fd(&e, e.dfd, tr2), -ENOENT);
		assert_int_equal(map_at(&e, 0x8000000, buf, 0x200000, IOMMU_IOAS_MAP_READABLE),
				 -EINVAL);
		assert_int_equal(destroy(&e, tr2), 0);
		assert_int_equal(destroy(&e, vi), 0);
		assert_int_equal(destroy(&e, h.out_hwpt_id), 0);
		assert_int_equal(destroy(&e, ioas), 0);
	}
	assert_int_equal(destroy(&e, tr), 0);
	env_close(&e);
	munmap(buf, 0x200000);
}

static void dma_readonly_s2(void **state)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a) };
	unsigned long before;
	struct env e;

	(void)state;
	env_open(&e, false, 0);
	assert_int_equal(unmap_at(&e, BASE, RAM_LEN), 0);
	assert_int_equal(map_at(&e, BASE, e.ram, 0x1000, IOMMU_IOAS_MAP_READABLE), 0);
	assert_int_equal(map_at(&e, BASE + 0x1000, e.ram + 0x1000, 0x1000,
				IOMMU_IOAS_MAP_WRITEABLE), 0);
	a.pt_id = e.ioas;
	assert_int_equal(e.be->ops->ioctl(e.be, e.dfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), 0);
	assert_int_equal(roundtrip(&e, BASE, 1), 0x1000);
	/* writing the read-only page and reading the write-only one both fault */
	before = host_events(&e);
	edu_dma(&e, EDU_BUF, BASE, 4, 1);
	edu_dma(&e, BASE + 0x1000, EDU_BUF, 8, 0);
	assert_int_equal(host_events(&e) - before, 3);
	env_close(&e);
}

static void dma_bypass_abort_v0(void **state)
{
	uint32_t by, ab, v0;
	unsigned long before;
	struct rec r[2];
	struct env e;

	(void)state;
	env_open(&e, true, 8);
	assert_int_equal(roundtrip(&e, BASE, 1), 0x1000);		/* S2 only */
	by = alloc_nested(&e, STE_BYPASS, 0);
	ab = alloc_nested(&e, STE_V, 0);
	v0 = alloc_nested(&e, STE_S1(BASE + CD_OFF) & ~STE_V, 0);
	attach(&e, by);
	assert_int_equal(roundtrip(&e, BASE, 2), 0x1000);
	before = host_events(&e);
	attach(&e, ab);
	assert_int_equal(roundtrip(&e, BASE, 3), 0);
	attach(&e, v0);
	assert_int_equal(roundtrip(&e, BASE, 4), 0);
	/* blocked without an event, here or on the host */
	assert_int_equal(host_events(&e), before);
	assert_int_equal(read_recs(&e, r, 2), 0);
	env_close(&e);
}

/* A translating vSTE whose CD is all zero: C_BAD_CD, forwarded with the vSID (§8). */
static void dma_bad_cd_and_overflow(void **state)
{
	struct rec r[80];
	struct env e;
	int n;

	(void)state;
	env_open(&e, true, 64);
	translate(&e);
	assert_int_equal(e.be->ops->poll(e.be, e.qfd, 0), 0);
	assert_int_equal(roundtrip(&e, BASE, 1), 0);
	assert_int_equal(e.be->ops->poll(e.be, e.qfd, 0), 1);
	/* 128 events into 64 slots: 64 records, then the LOST header of the last drop */
	n = read_recs(&e, r, 80);
	assert_int_equal(n, 65);
	assert_int_equal(r[0].flags, 0);
	assert_int_equal(r[0].seq, 0);
	assert_int_equal(r[0].evt[0], EVT_C_BAD_CD | VSID << 32);
	assert_int_equal(r[0].evt[1], 0);
	assert_int_equal(r[0].evt[2], 0);
	assert_int_equal(r[63].seq, 63);
	assert_int_equal(r[64].flags, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
	assert_int_equal(r[64].seq, 127);
	assert_int_equal(e.be->ops->poll(e.be, e.qfd, 0), 0);
	/* the next one continues the sequence */
	edu_dma(&e, BASE, EDU_BUF, 4, 0);
	assert_int_equal(read_recs(&e, r, 80), 1);
	assert_int_equal(r[0].seq, 128);
	env_close(&e);
}

static void dma_s1_walk(void **state)
{
	struct rec r[70];
	struct env e;
	int n;

	(void)state;
	env_open(&e, true, 64);
	write_cd(&e, L1_OFF);
	write_tables(&e, L1_OFF, 0x1000);
	translate(&e);
	assert_int_equal(roundtrip(&e, S1_VA, 1), 0x1000);
	assert_int_equal(read_recs(&e, r, 70), 0);
	/* nothing mapped at this VA: F_TRANSLATION with the VA and RnW (a read of RAM) */
	edu_dma(&e, S1_VA + 0x5000, EDU_BUF, 8, 0);
	n = read_recs(&e, r, 70);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].evt[0], EVT_F_TRANSLATION | VSID << 32);
	assert_int_equal(r[0].evt[2], S1_VA + 0x5000);
	assert_int_equal(r[1].evt[2], S1_VA + 0x5004);
	assert_true(r[0].evt[1] & EVT1_RNW);
	assert_false(r[0].evt[1] & EVT1_S2);
	/* a write to RAM there: RnW clear */
	edu_dma(&e, EDU_BUF, S1_VA + 0x5000, 4, 1);
	assert_int_equal(read_recs(&e, r, 70), 1);
	assert_false(r[0].evt[1] & EVT1_RNW);
	/* a VA beyond the 39 bits of T0SZ 25 */
	edu_dma(&e, EDU_BUF, 1ULL << 39 | S1_VA, 4, 1);
	/* ... is cut by the 28-bit DMA mask first: it lands at S1_VA */
	assert_int_equal(read_recs(&e, r, 70), 0);
	/* AF = 0: F_ACCESS */
	*pte(&e, S1_VA + 0x3000) = (BASE + 0x3000) | (PTE_RW & ~(1ULL << 10));
	edu_dma(&e, S1_VA + 0x3000, EDU_BUF, 4, 0);
	assert_int_equal(read_recs(&e, r, 70), 1);
	assert_int_equal(r[0].evt[0] & 0xff, EVT_F_ACCESS);
	/* AP[2]: read-only; reading works, writing is F_PERMISSION */
	*pte(&e, S1_VA + 0x4000) = (BASE + 0x4000) | PTE_RW | PTE_RO;
	e.ram[0x4000] = 0x5a;
	edu_dma(&e, S1_VA + 0x4000, EDU_BUF, 4, 0);
	assert_int_equal(read_recs(&e, r, 70), 0);
	edu_dma(&e, EDU_BUF, S1_VA + 0x4000, 4, 1);
	assert_int_equal(read_recs(&e, r, 70), 1);
	assert_int_equal(r[0].evt[0] & 0xff, EVT_F_PERMISSION);
	assert_int_equal(r[0].evt[2], S1_VA + 0x4000);
	/* a 2 MiB block at level 2 */
	at(&e, L2_OFF)[((S1_VA >> 21) & 511) + 1] = BASE | (PTE_RW & ~2ULL);
	memset(e.ram + 0x10, 0x33, 4);
	edu_dma(&e, S1_VA + 0x200010, EDU_BUF, 4, 0);
	assert_int_equal(read_recs(&e, r, 70), 0);
	env_close(&e);
}

/* Stage-2 faults (the CD or the S1 output outside the IOAS) stay on the host. */
static void dma_s2_faults_not_forwarded(void **state)
{
	unsigned long before;
	struct rec r[4];
	uint32_t tr;
	struct env e;

	(void)state;
	env_open(&e, true, 64);
	tr = alloc_nested(&e, STE_S1(0x4000000), 0);
	attach(&e, tr);
	before = host_events(&e);
	edu_dma(&e, S1_VA, EDU_BUF, 8, 0);
	assert_int_equal(host_events(&e) - before, 2);
	assert_int_equal(read_recs(&e, r, 4), 0);
	/* a valid walk whose output IPA is not in S2 */
	write_cd(&e, L1_OFF);
	write_tables(&e, L1_OFF, 0x1000);
	*pte(&e, S1_VA) = 0x3000000 | PTE_RW;
	translate(&e);
	edu_dma(&e, S1_VA, EDU_BUF, 4, 0);
	assert_int_equal(host_events(&e) - before, 3);
	assert_int_equal(read_recs(&e, r, 4), 0);
	env_close(&e);
}

/* ---- IOTLB and CD cache --------------------------------------------------------------------- */

static void stale_until_tlbi(void **state)
{
	static const struct { uint64_t c0, c1; } flush[] = {
		{ 0x11 | ASID << 48, 0 },			/* TLBI_NH_ASID */
		{ 0x12 | ASID << 48, (S1_VA + 0x1000) | 1 },	/* TLBI_NH_VA, leaf */
		{ 0x13, S1_VA + 0x1000 },			/* TLBI_NH_VAA */
		{ 0x10, 0 },					/* TLBI_NH_ALL */
		{ 0x30, 0 },					/* TLBI_NSNH_ALL */
	};
	unsigned int dst = 0x1000;
	struct env e;
	size_t i;

	(void)state;
	env_open(&e, true, 64);
	write_cd(&e, L1_OFF);
	write_tables(&e, L1_OFF, dst);
	translate(&e);
	assert_int_equal(roundtrip(&e, S1_VA, 1), 0x1000);
	for (i = 0; i < sizeof(flush) / sizeof(flush[0]); i++) {
		unsigned int old = dst;

		dst = dst == 0x1000 ? 0x2000 : 0x1000;
		*pte(&e, S1_VA + 0x1000) = (BASE + dst) | PTE_RW;
		assert_int_equal(roundtrip(&e, S1_VA, 2), (int)old);	/* the cached one */
		/* another ASID or another page does not help */
		assert_int_equal(inval1(&e, 0x11 | 7ULL << 48, 0), 0);
		assert_int_equal(inval1(&e, 0x12 | ASID << 48, (S1_VA + 0x9000) | 1), 0);
		assert_int_equal(roundtrip(&e, S1_VA, 3), (int)old);
		assert_int_equal(inval1(&e, flush[i].c0, flush[i].c1), 0);
		assert_int_equal(roundtrip(&e, S1_VA, 4), (int)dst);
	}
	/* a range TLBI: TG 4K, NUM 1 -> two pages from S1_VA */
	dst = dst == 0x1000 ? 0x2000 : 0x1000;
	*pte(&e, S1_VA + 0x1000) = (BASE + dst) | PTE_RW;
	assert_int_equal(inval1(&e, 0x12 | ASID << 48 | 1ULL << 12, S1_VA | 1ULL << 10), 0);
	assert_int_equal(roundtrip(&e, S1_VA, 5), (int)dst);
	/* an S2 unmap makes the driver flush all of the VMID's S1 entries too */
	dst = dst == 0x1000 ? 0x2000 : 0x1000;
	*pte(&e, S1_VA + 0x1000) = (BASE + dst) | PTE_RW;
	assert_int_equal(map_at(&e, 0x4000000, e.ram, 0x1000, IOMMU_IOAS_MAP_READABLE), 0);
	assert_int_equal(unmap_at(&e, 0x4000000, 0x1000), 0);
	assert_int_equal(roundtrip(&e, S1_VA, 6), (int)dst);
	env_close(&e);
}

/* A failing batch is not issued: the TLBI before a bad command has no effect (§2). */
static void failed_batch_not_issued(void **state)
{
	const uint64_t cmds[2][2] = { { 0x10, 0 }, { 0x06 | 0x99ULL << 32, 0 } };
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .data_uptr = (uintptr_t)cmds, .entry_len = 16,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, .entry_num = 2,
	};
	struct env e;

	(void)state;
	env_open(&e, true, 64);
	write_cd(&e, L1_OFF);
	write_tables(&e, L1_OFF, 0x1000);
	translate(&e);
	assert_int_equal(roundtrip(&e, S1_VA, 1), 0x1000);
	*pte(&e, S1_VA + 0x1000) = (BASE + 0x2000) | PTE_RW;
	inv.hwpt_id = e.viommu;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EIO);
	assert_int_equal(inv.entry_num, 1);
	assert_int_equal(roundtrip(&e, S1_VA, 2), 0x1000);
	env_close(&e);
}

static void cd_cache_until_cfgi(void **state)
{
	uint32_t tr;
	struct env e;

	(void)state;
	env_open(&e, true, 64);
	write_cd(&e, L1_OFF);
	write_tables(&e, L1_OFF, 0x1000);
	write_tables(&e, ALT_L1_OFF, 0x2000);
	tr = translate(&e);
	assert_int_equal(roundtrip(&e, S1_VA, 1), 0x1000);
	/* a new TTB0, no CFGI_CD, and the TLB flushed: still the cached CD's tables */
	write_cd(&e, ALT_L1_OFF);
	assert_int_equal(inval1(&e, 0x10, 0), 0);
	assert_int_equal(roundtrip(&e, S1_VA, 2), 0x1000);
	assert_int_equal(inval1(&e, 0x05 | VSID << 32, 1), 0);
	assert_int_equal(inval1(&e, 0x10, 0), 0);
	assert_int_equal(roundtrip(&e, S1_VA, 3), 0x2000);
	/* a CD made invalid is noticed after CFGI_CD_ALL, and re-attach also refetches */
	write_cd(&e, L1_OFF);
	attach(&e, e.parent);
	attach(&e, tr);
	assert_int_equal(inval1(&e, 0x10, 0), 0);
	assert_int_equal(roundtrip(&e, S1_VA, 4), 0x1000);
	env_close(&e);
}

/* ---- forwarding rules (§4), with injected events ------------------------------------------ */

static int inject(struct env *e, uint64_t e0, uint64_t e1)
{
	const uint64_t evt[4] = { e0 | SID_A << 32, e1, 0x1234, 0 };

	return ish_sim_inject_event(e->be, BDF_A, evt);
}

static void forwarding_rules(void **state)
{
	uint32_t by, tr, vd;
	struct rec r[8];
	struct env e;

	(void)state;
	env_open(&e, true, 8);
	/* on the nest parent: no vmaster */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 0);
	tr = translate(&e);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);
	assert_int_equal(inject(&e, 0x01, 0), 0);			/* F_UUT: host only */
	assert_int_equal(inject(&e, 0x0b, 0), 0);			/* F_WALK_EABT */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, EVT1_S2), 0);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 1ULL << 31), 0);	/* a stall */
	assert_int_equal(inject(&e, 0x04, 0), 1);
	assert_int_equal(read_recs(&e, r, 8), 2);
	assert_int_equal(r[0].evt[0], EVT_F_TRANSLATION | VSID << 32);
	assert_int_equal(r[0].evt[2], 0x1234);				/* passed through */
	assert_int_equal(r[1].seq, 1);
	/* the vDEVICE goes while attached: events keep the old vSID, CFGI finds nothing */
	assert_int_equal(destroy(&e, e.vdev), 0);
	assert_int_equal(inject(&e, EVT_C_BAD_CD, 0), 1);
	assert_int_equal(read_recs(&e, r, 8), 1);
	assert_int_equal(r[0].evt[0] >> 32, VSID);
	assert_int_equal(inval1(&e, 0x06 | VSID << 32, 0), -EIO);
	/* bypass without a vDEVICE: no vmaster, so nothing forwarded */
	by = alloc_nested(&e, STE_BYPASS, 0);
	attach(&e, by);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 0);
	/* a vDEVICE made after the attach counts only from the next attach */
	{
		struct iommu_vdevice_alloc a = { .size = sizeof(a), .viommu_id = e.viommu,
						 .dev_id = e.dev, .virt_id = 0x77 };

		assert_int_equal(io(&e, IOMMU_VDEVICE_ALLOC, &a), 0);
		vd = a.out_vdevice_id;
	}
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 0);
	attach(&e, tr);
	attach(&e, by);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);
	assert_int_equal(read_recs(&e, r, 8), 1);
	assert_int_equal(r[0].evt[0] >> 32, 0x77);
	/* no queue of the SMMUv3 type: dropped on the host */
	assert_int_equal(e.be->ops->close(e.be, e.qfd), 0);
	e.qfd = -1;
	assert_int_equal(destroy(&e, e.q), 0);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 0);
	assert_int_equal(destroy(&e, vd), 0);
	assert_int_equal(ish_sim_inject_event(e.be, "0000:00:09.0", r[0].evt), -ENOENT);
	env_close(&e);
}

/* ---- vEVENTQ read() (§2, §4, [ST] vdevice_alloc) ----------------------------------------- */

static void veventq_read_rules(void **state)
{
	uint8_t buf[128];
	struct rec r[8];
	struct env e;

	(void)state;
	env_open(&e, true, 2);
	translate(&e);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 0), -EINVAL);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 7), -EINVAL);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 8), 0);	/* empty: 0, no wait */
	assert_int_equal(e.be->ops->write(e.be, e.qfd, buf, 8), -EINVAL);
	assert_int_equal(e.be->ops->pread(e.be, e.qfd, buf, 8, 0), -ESPIPE);
	assert_int_equal(e.be->ops->ioctl(e.be, e.qfd, IOMMU_DESTROY, buf), -ENOTTY);
	/* depth 2, 3 events: two records and a LOST header with the third's sequence */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 8), -EINVAL);	/* a record is 40 */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);	/* counted as lost */
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 40), 40);	/* one at a time */
	assert_int_equal(read_recs(&e, r, 8), 2);
	assert_int_equal(r[0].seq, 1);
	assert_int_equal(r[1].flags, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
	assert_int_equal(r[1].seq, 2);
	/* clean afterwards */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);
	assert_int_equal(read_recs(&e, r, 8), 1);
	assert_int_equal(r[0].seq, 3);
	assert_int_equal(r[0].flags, 0);
	/* a LOST header overtaken by a new record: only the sequence gap shows the loss */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);	/* 4 */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);	/* 5 */
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);	/* 6 lost */
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 40), 40);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);	/* 7 */
	assert_int_equal(read_recs(&e, r, 8), 2);
	assert_int_equal(r[0].seq, 5);
	assert_int_equal(r[1].seq, 7);
	assert_int_equal(r[1].flags, 0);
	/* 7.1: a short read was 0, not EINVAL */
	ish_sim_set_profile(e.be, ISH_SIM_PROFILE_7_1);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 7), 0);
	assert_int_equal(inject(&e, EVT_F_TRANSLATION, 0), 1);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 8), 0);
	assert_int_equal(e.be->ops->read(e.be, e.qfd, buf, 48), 40);
	env_close(&e);
}

/* Leak check with DMA state (TLB, CD cache) and a second device left attached. */
static void leak_check_after_dma(void **state)
{
	struct ish_sim_stats st;
	struct env e;

	(void)state;
	env_open(&e, true, 4);
	write_cd(&e, L1_OFF);
	write_tables(&e, L1_OFF, 0x1000);
	translate(&e);
	assert_int_equal(roundtrip(&e, S1_VA, 1), 0x1000);
	e.dfd_b = open_bind(&e, BDF_B, &e.dev_b);
	assert_int_equal(attach_fd(&e, e.dfd_b, e.ioas), 0);
	ish_sim_get_stats(e.be, &st);
	assert_int_equal(st.pinned_pages, RAM_LEN / 4096);
	assert_true(st.calls > 20);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regions),
		cmocka_unit_test(edu_registers),
		cmocka_unit_test(dma_s2),
		cmocka_unit_test(dma_readonly_s2),
		cmocka_unit_test(dma_faulted_read_reads_zeros),
		cmocka_unit_test(failed_replace_drops_msi_window),
		cmocka_unit_test(dma_bypass_abort_v0),
		cmocka_unit_test(dma_bad_cd_and_overflow),
		cmocka_unit_test(dma_s1_walk),
		cmocka_unit_test(dma_s2_faults_not_forwarded),
		cmocka_unit_test(stale_until_tlbi),
		cmocka_unit_test(failed_batch_not_issued),
		cmocka_unit_test(cd_cache_until_cfgi),
		cmocka_unit_test(forwarding_rules),
		cmocka_unit_test(veventq_read_rules),
		cmocka_unit_test(leak_check_after_dma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
