// SPDX-License-Identifier: GPL-2.0
/*
 * (The live-VM lab program of the project's planning, kept as "a program that is not iommush"
 * for the record tests: built dynamic, it runs on the simulator through simkernel.so.)
 * nesttest: drive the iommufd nested SMMUv3 uAPI against a vfio-pci device
 * inside a QEMU TCG arm64 guest (virt machine, emulated SMMUv3).
 *
 * usage: nesttest /dev/vfio/devices/vfioN
 * Every step prints "STEP <n> <name>: OK ..." or "STEP <n> <name>: FAIL errno=<e> (<str>)".
 * If the device is QEMU's "edu" (1234:11e8) the program also performs real
 * DMA through the S2 / nested translations and checks the data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

static int nfail;

static int report(const char *step, const char *name, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static int report(const char *step, const char *name, int ret, const char *fmt, ...)
{
	int e = errno;

	if (ret < 0) {
		printf("STEP %s %s: FAIL errno=%d (%s)\n", step, name, e, strerror(e));
		nfail++;
	} else {
		va_list ap;

		printf("STEP %s %s: OK", step, name);
		if (fmt) {
			printf(" ");
			va_start(ap, fmt);
			vprintf(fmt, ap);
			va_end(ap);
		}
		printf("\n");
	}
	fflush(stdout);
	errno = e;
	return ret;
}

static int iofd, devfd;
static uint32_t devid;

static int destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return ioctl(iofd, IOMMU_DESTROY, &d);
}

static int attach(uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = pt };

	return ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int hwpt_alloc(uint32_t pt, uint32_t flags, uint32_t type, void *data,
		      uint32_t len, uint32_t *out)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h), .flags = flags, .dev_id = devid, .pt_id = pt,
		.data_type = type, .data_len = len, .data_uptr = (uintptr_t)data,
	};
	int ret = ioctl(iofd, IOMMU_HWPT_ALLOC, &h);

	if (!ret)
		*out = h.out_hwpt_id;
	return ret;
}

static int nested_alloc(uint32_t viommu, uint64_t ste0, uint64_t ste1, uint32_t *out)
{
	struct iommu_hwpt_arm_smmuv3 s = { .ste = { ste0, ste1 } };

	return hwpt_alloc(viommu, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &s, sizeof(s), out);
}

/* ---- QEMU edu device helpers (BAR0 MMIO) ---- */
static volatile uint8_t *edu;
static uint8_t *dmabuf;          /* 64 KiB of guest memory mapped into the IOAS */
#define DMA_IOVA   0x100000ull   /* edu has a 28-bit DMA mask */
#define DMA_LEN    0x10000ull
#define CD_IOVA    (DMA_IOVA + 0x8000) /* S1 context descriptor table for "translate" */
#define EDU_BUF    0x40000ull

static uint32_t edu_r32(unsigned off) { return *(volatile uint32_t *)(edu + off); }
static void edu_w32(unsigned off, uint32_t v) { *(volatile uint32_t *)(edu + off) = v; }
static void edu_w64(unsigned off, uint64_t v) { *(volatile uint64_t *)(edu + off) = v; }

static int edu_dma(uint64_t src, uint64_t dst, uint32_t cnt, int to_ram)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	edu_w64(0x80, src);
	edu_w64(0x88, dst);
	edu_w64(0x90, cnt);
	edu_w64(0x98, 1 | (to_ram ? 2 : 0));
	for (i = 0; i < 500; i++) {
		if (!(edu_r32(0x98) & 1))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/*
 * copy 256 bytes: RAM(va) -> edu buffer -> RAM(va + 0x1000).
 * Source bytes live at dmabuf[0]; the destination is expected at dmabuf[dst_off].
 * Returns 1 if the data arrived at dmabuf[dst_off].
 */
static int edu_roundtrip_va(const char *tag, uint8_t seed, uint64_t va, unsigned dst_off)
{
	int i, ok;

	for (i = 0; i < 256; i++) {
		dmabuf[i] = (uint8_t)(seed + i);
		dmabuf[0x1000 + i] = 0;
		dmabuf[0x2000 + i] = 0;
	}
	__sync_synchronize();
	if (edu_dma(va, EDU_BUF, 256, 0) || edu_dma(EDU_BUF, va + 0x1000, 256, 1)) {
		printf("  DMA[%s]: edu DMA timed out\n", tag);
		return 0;
	}
	__sync_synchronize();
	ok = !memcmp(dmabuf, dmabuf + dst_off, 256);
	printf("  DMA[%s]: RAM->edu->RAM via device address 0x%llx: %s (ipa+0x1000: %02x %02x.., ipa+0x2000: %02x %02x..)\n",
	       tag, (unsigned long long)va, ok ? "DATA MATCHES" : "data NOT at expected place",
	       dmabuf[0x1000], dmabuf[0x1001], dmabuf[0x2000], dmabuf[0x2001]);
	fflush(stdout);
	return ok;
}

static int edu_roundtrip(const char *tag, uint8_t seed)
{
	return edu_roundtrip_va(tag, seed, DMA_IOVA, 0x1000);
}

/*
 * Guest-owned stage-1 tables (all addresses are IPAs = IOAS IOVAs):
 *   CD at CD_IOVA, L1 at +0x9000, L2 at +0xa000, L3 at +0xb000 (relative to DMA_IOVA)
 *   S1 VA 0x800000 -> IPA DMA_IOVA, VA 0x801000 -> IPA DMA_IOVA + dst_page
 */
#define S1_VA      0x800000ull
#define S1_ASID    1ull
static void write_s1(unsigned dst_page)
{
	uint64_t *cd = (uint64_t *)(dmabuf + 0x8000);
	uint64_t *l1 = (uint64_t *)(dmabuf + 0x9000);
	uint64_t *l2 = (uint64_t *)(dmabuf + 0xa000);
	uint64_t *l3 = (uint64_t *)(dmabuf + 0xb000);
	const uint64_t pte = 0x3 | (1ull << 10) /* AF */ | (3ull << 8) /* ISH */ | (1ull << 6) /* AP[1] */;

	memset(cd, 0, 64);
	memset(l1, 0, 0x3000);
	l1[0] = (DMA_IOVA + 0xa000) | 0x3;
	l2[(S1_VA >> 21) & 511] = (DMA_IOVA + 0xb000) | 0x3;
	l3[(S1_VA >> 12) & 511] = DMA_IOVA | pte;
	l3[((S1_VA >> 12) & 511) + 1] = (DMA_IOVA + dst_page) | pte;
	cd[1] = DMA_IOVA + 0x9000;          /* TTB0 */
	cd[3] = 0xff;                       /* MAIR: attr0 = normal WB */
	__sync_synchronize();
	cd[0] = 25                          /* T0SZ: 39-bit VA */
		| (1ull << 8) | (1ull << 10)  /* IRGN0/ORGN0 WBWA */
		| (3ull << 12)                /* SH0 inner shareable */
		| (1ull << 30)                /* EPD1 */
		| (1ull << 31)                /* V */
		| (2ull << 32)                /* IPS 40 bit */
		| (1ull << 41)                /* AA64 */
		| (1ull << 45) | (1ull << 46) | (1ull << 47) /* R, A, ASET */
		| (S1_ASID << 48);
	__sync_synchronize();
}

static void set_s1_dst(unsigned dst_page)
{
	uint64_t *l3 = (uint64_t *)(dmabuf + 0xb000);
	const uint64_t pte = 0x3 | (1ull << 10) | (3ull << 8) | (1ull << 6);

	l3[((S1_VA >> 12) & 511) + 1] = (DMA_IOVA + dst_page) | pte;
	__sync_synchronize();
}

static int viommu_invalidate(uint32_t viommu, const char *what, uint64_t c0, uint64_t c1)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmd = { .cmd = { c0, c1 } };
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = viommu, .data_uptr = (uintptr_t)&cmd,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(cmd), .entry_num = 1,
	};
	int ret = ioctl(iofd, IOMMU_HWPT_INVALIDATE, &inv);

	printf("  invalidate %s: ret=%d%s%s entry_num=%u\n", what, ret, ret ? " " : "",
	       ret ? strerror(errno) : "", inv.entry_num);
	fflush(stdout);
	return ret;
}

static int setup_edu(void)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	uint16_t ids[2], cmd;
	void *p;

	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return report("0", "VFIO_DEVICE_GET_REGION_INFO(config)", -1, NULL), -1;
	if (pread(devfd, ids, 4, cfg.offset) != 4)
		return -1;
	printf("  device %04x:%04x\n", ids[0], ids[1]);
	if (ids[0] != 0x1234 || ids[1] != 0x11e8)
		return -1;
	pread(devfd, &cmd, 2, cfg.offset + 4);
	cmd |= 0x6; /* memory space + bus master */
	pwrite(devfd, &cmd, 2, cfg.offset + 4);
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &bar))
		return report("0", "VFIO_DEVICE_GET_REGION_INFO(bar0)", -1, NULL), -1;
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd, bar.offset);
	if (p == MAP_FAILED)
		return report("0", "mmap(bar0)", -1, NULL), -1;
	edu = p;
	edu_w32(0x04, 0x12345678);
	printf("  edu id=0x%08x liveness(~0x12345678)=0x%08x\n", edu_r32(0), edu_r32(4));
	return 0;
}

static void read_veventq(int fd, const char *tag)
{
	uint8_t buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf));
	ssize_t off = 0;
	int nev = 0;

	if (n < 0) {
		printf("  veventq read[%s]: errno=%d (%s)\n", tag, errno, strerror(errno));
		return;
	}
	printf("  veventq read[%s]: %zd bytes\n", tag, n);
	while (off + (ssize_t)sizeof(struct iommufd_vevent_header) <= n) {
		struct iommufd_vevent_header *h = (void *)(buf + off);
		struct iommu_vevent_arm_smmuv3 *e = (void *)(h + 1);

		off += sizeof(*h);
		if (h->flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
			/* a lost-events header carries no payload */
			printf("    hdr flags=0x%x (LOST_EVENTS) seq=%u\n", h->flags, h->sequence);
			continue;
		}
		if (off + (ssize_t)sizeof(*e) > n)
			break;
		off += sizeof(*e);
		if (nev++ < 3)
			printf("    hdr flags=0x%x seq=%u evt=%016llx %016llx %016llx %016llx (event id 0x%02llx, vSID 0x%llx)\n",
			       h->flags, h->sequence,
			       (unsigned long long)e->evt[0], (unsigned long long)e->evt[1],
			       (unsigned long long)e->evt[2], (unsigned long long)e->evt[3],
			       (unsigned long long)(e->evt[0] & 0xff),
			       (unsigned long long)(e->evt[0] >> 32));
	}
	if (nev)
		printf("    %d event record(s) in total\n", nev);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/vfio/devices/vfio0";
	uint32_t ioas = 0, s2 = 0, viommu = 0, bypass = 0, abrt = 0, vdev = 0, trans = 0;
	uint32_t veventq = 0;
	int evfd = -1, have_edu = 0, ret;
	const uint64_t vsid = 0x42;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("nesttest: device %s\n", path);

	/* step 2 */
	iofd = open("/dev/iommu", O_RDWR);
	if (report("2a", "open(/dev/iommu)", iofd, "fd=%d", iofd) < 0)
		return 1;
	devfd = open(path, O_RDWR);
	if (report("2b", "open(vfio cdev)", devfd, "fd=%d", devfd) < 0)
		return 1;
	{
		struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iofd };

		ret = ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &b);
		devid = b.out_devid;
		if (report("2c", "VFIO_DEVICE_BIND_IOMMUFD", ret, "out_devid=%u", devid) < 0)
			return 1;
	}

	/* step 3 */
	{
		struct iommu_hw_info_arm_smmuv3 info = { 0 };
		struct iommu_hw_info h = {
			.size = sizeof(h), .dev_id = devid, .data_len = sizeof(info),
			.data_uptr = (uintptr_t)&info,
		};

		ret = ioctl(iofd, IOMMU_GET_HW_INFO, &h);
		report("3", "IOMMU_GET_HW_INFO", ret, "type=%u (ARM_SMMUV3=%d) data_len=%u caps=0x%llx max_pasid_log2=%u",
		       h.out_data_type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3, h.data_len,
		       (unsigned long long)h.out_capabilities, h.out_max_pasid_log2);
		if (!ret) {
			int i;

			for (i = 0; i < 6; i++)
				printf("  idr[%d]=0x%08x\n", i, info.idr[i]);
			printf("  iidr=0x%08x aidr=0x%08x flags=0x%x\n", info.iidr, info.aidr, info.flags);
			printf("  decoded: IDR0.S1P=%u S2P=%u ST_LEVEL=%u ATS=%u; IDR3.FWB=%u RIL=%u BBML=%u; IDR1.SSIDSIZE=%u SIDSIZE=%u\n",
			       (info.idr[0] >> 1) & 1, info.idr[0] & 1, (info.idr[0] >> 27) & 3,
			       (info.idr[0] >> 10) & 1, (info.idr[3] >> 8) & 1, (info.idr[3] >> 10) & 1,
			       (info.idr[3] >> 11) & 3, (info.idr[1] >> 6) & 0x1f, info.idr[1] & 0x3f);
		}
	}

	have_edu = !setup_edu();

	/* step 4 */
	{
		struct iommu_ioas_alloc a = { .size = sizeof(a) };

		ret = ioctl(iofd, IOMMU_IOAS_ALLOC, &a);
		ioas = a.out_ioas_id;
		report("4a", "IOMMU_IOAS_ALLOC", ret, "ioas_id=%u", ioas);
	}
	ret = hwpt_alloc(ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE, NULL, 0, &s2);
	report("4b", "IOMMU_HWPT_ALLOC(NEST_PARENT on IOAS)", ret, "hwpt_id=%u", s2);
	if (!ret)
		report("4c", "VFIO_DEVICE_ATTACH_IOMMUFD_PT(nest parent)", attach(s2), "pt=%u", s2);
	if (have_edu) {
		struct iommu_ioas_map m = {
			.size = sizeof(m), .ioas_id = ioas,
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.length = DMA_LEN, .iova = DMA_IOVA,
		};

		dmabuf = mmap(NULL, DMA_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(dmabuf, 0, DMA_LEN);
		m.user_va = (uintptr_t)dmabuf;
		report("4d", "IOMMU_IOAS_MAP(64K @ IOVA 0x100000)", ioctl(iofd, IOMMU_IOAS_MAP, &m), NULL);
		if (s2)
			edu_roundtrip("S2 only (nest parent)", 0x10);
	}

	/* step 5 */
	{
		struct iommu_viommu_alloc v = {
			.size = sizeof(v), .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
			.dev_id = devid, .hwpt_id = s2,
		};

		ret = ioctl(iofd, IOMMU_VIOMMU_ALLOC, &v);
		viommu = v.out_viommu_id;
		report("5", "IOMMU_VIOMMU_ALLOC(ARM_SMMUV3)", ret, "viommu_id=%u", viommu);
	}
	if (!viommu) {
		printf("RESULT: vIOMMU allocation failed; nested steps 6-9 skipped\n");
		goto teardown;
	}

	/* step 6 */
	ret = nested_alloc(viommu, 0x1 | (0x4ull << 1), 0, &bypass);
	report("6a", "IOMMU_HWPT_ALLOC(nested, STE bypass)", ret, "hwpt_id=%u", bypass);
	ret = nested_alloc(viommu, 0x1, 0, &abrt);
	report("6b", "IOMMU_HWPT_ALLOC(nested, STE abort)", ret, "hwpt_id=%u", abrt);
	if (bypass) {
		report("6c", "ATTACH(bypass proxy)", attach(bypass), "pt=%u", bypass);
		if (have_edu)
			edu_roundtrip("nested S1-bypass + S2", 0x20);
	}
	if (abrt) {
		report("6d", "ATTACH(abort proxy)", attach(abrt), "pt=%u", abrt);
		if (have_edu)
			edu_roundtrip("nested S1-abort (expect NOT copied)", 0x30);
	}

	/* step 7b (first part): translate nested HWPT, CD table at CD_IOVA (still all-zero) */
	ret = nested_alloc(viommu, 0x1 | (0x5ull << 1) | (CD_IOVA & 0x000fffffffffffc0ull), 0, &trans);
	report("7b", "IOMMU_HWPT_ALLOC(nested, STE S1 translate, S1ContextPtr=IPA 0x108000, S1CDMax=0)", ret,
	       "hwpt_id=%u", trans);
	if (trans) {
		ret = attach(trans);
		printf("  negative test: ATTACH(translate) before IOMMU_VDEVICE_ALLOC: ret=%d errno=%d (%s)\n",
		       ret, ret ? errno : 0, ret ? strerror(errno) : "-");
		if (!ret && abrt)
			attach(abrt);
	}

	/* step 7a */
	{
		struct iommu_vdevice_alloc vd = {
			.size = sizeof(vd), .viommu_id = viommu, .dev_id = devid, .virt_id = vsid,
		};

		ret = ioctl(iofd, IOMMU_VDEVICE_ALLOC, &vd);
		vdev = vd.out_vdevice_id;
		report("7a", "IOMMU_VDEVICE_ALLOC(vSID 0x42)", ret, "vdevice_id=%u", vdev);
	}

	/* step 9 (done before the translate attach so the fault is captured) */
	{
		struct iommu_veventq_alloc q = {
			.size = sizeof(q), .viommu_id = viommu,
			.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, .veventq_depth = 64,
		};

		ret = ioctl(iofd, IOMMU_VEVENTQ_ALLOC, &q);
		veventq = q.out_veventq_id;
		evfd = ret ? -1 : (int)q.out_veventq_fd;
		report("9a", "IOMMU_VEVENTQ_ALLOC(ARM_SMMUV3)", ret, "veventq_id=%u fd=%d", veventq, evfd);
		if (evfd >= 0) {
			fcntl(evfd, F_SETFL, O_NONBLOCK);
			read_veventq(evfd, "empty queue");
		}
	}

	if (trans) {
		report("7c", "ATTACH(translate proxy)", attach(trans), "pt=%u", trans);
		if (have_edu) {
			edu_roundtrip("nested S1-translate, CD invalid (expect NOT copied + C_BAD_CD event)", 0x40);
			if (evfd >= 0) {
				struct pollfd p = { .fd = evfd, .events = POLLIN };

				ret = poll(&p, 1, 2000);
				printf("  poll(veventq, 2s) = %d revents=0x%x\n", ret, p.revents);
				read_veventq(evfd, "after faulting DMA");
			}
		}
	}

	/* step 8 */
	{
		struct iommu_viommu_arm_smmuv3_invalidate cmds[3] = {
			{ .cmd = { 0x05 /* CFGI_CD */ | (vsid << 32), 1 /* leaf */ } },
			{ .cmd = { 0x06 /* CFGI_CD_ALL */ | (vsid << 32), 0 } },
			{ .cmd = { 0x10 /* TLBI_NH_ALL */, 0 } },
		};
		struct iommu_hwpt_invalidate inv = {
			.size = sizeof(inv), .hwpt_id = viommu, .data_uptr = (uintptr_t)cmds,
			.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
			.entry_len = sizeof(cmds[0]), .entry_num = 3,
		};

		if (have_edu && trans)
			write_s1(0x1000); /* now make the CD valid, then tell the "HW" */
		ret = ioctl(iofd, IOMMU_HWPT_INVALIDATE, &inv);
		report("8a", "IOMMU_HWPT_INVALIDATE(viommu: CFGI_CD, CFGI_CD_ALL, TLBI_NH_ALL)", ret,
		       "entry_num=%u", inv.entry_num);
		if (have_edu && trans) {
			edu_roundtrip_va("nested S1 VA 0x800000 -> IPA 0x100000 -> PA", 0x60, S1_VA, 0x1000);
			set_s1_dst(0x2000); /* remap VA 0x801000 -> IPA +0x2000 without TLBI */
			edu_roundtrip_va("after PTE change, no TLBI (stale IOTLB expected -> old page)", 0x70, S1_VA, 0x1000);
			viommu_invalidate(viommu, "TLBI_NH_ASID(asid 1)", 0x11 | (S1_ASID << 48), 0);
			report("8b", "DMA lands in new page after TLBI_NH_ASID",
			       edu_roundtrip_va("after TLBI_NH_ASID (expect new page +0x2000)", 0x80, S1_VA, 0x2000) ? 0 : -1,
			       NULL);
		}
		viommu_invalidate(viommu, "negative: CFGI_CD unknown vSID 0x99 (expect EIO)", 0x05 | (0x99ull << 32), 0);
		viommu_invalidate(viommu, "negative: CFGI_STE (not allowed, expect EIO)", 0x03 | (vsid << 32), 0);
	}
	if (evfd >= 0)
		read_veventq(evfd, "final non-blocking read");

teardown:
	/* step 10 */
	if (s2)
		report("10a", "re-ATTACH(nest parent)", attach(s2), "pt=%u", s2);
	if (have_edu && s2)
		edu_roundtrip("S2 only after re-attach", 0x50);
	if (evfd >= 0)
		close(evfd);
	if (veventq)
		report("10b", "DESTROY(veventq)", destroy(veventq), NULL);
	if (trans)
		report("10c", "DESTROY(translate hwpt)", destroy(trans), NULL);
	if (vdev)
		report("10d", "DESTROY(vdevice)", destroy(vdev), NULL);
	if (abrt)
		report("10e", "DESTROY(abort hwpt)", destroy(abrt), NULL);
	if (bypass)
		report("10f", "DESTROY(bypass hwpt)", destroy(bypass), NULL);
	if (viommu)
		report("10g", "DESTROY(viommu)", destroy(viommu), NULL);
	{
		struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

		report("10h", "VFIO_DEVICE_DETACH_IOMMUFD_PT", ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), NULL);
	}
	if (s2)
		report("10i", "DESTROY(nest parent hwpt)", destroy(s2), NULL);
	if (ioas)
		report("10j", "DESTROY(ioas)", destroy(ioas), NULL);
	close(devfd);
	close(iofd);
	printf("nesttest: done, %d failed step(s)\n", nfail);
	return nfail ? 2 : 0;
}
