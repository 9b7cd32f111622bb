// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated kernel with thousands of objects, files and devices: numbers stay the lowest
 * free ones past every growth of the bitmaps, lookups by BDF, cdev and vSID find the one
 * asked for, the SW MSI window that many devices share stays reserved (a fixed-IOVA map there
 * fails with EINVAL) until the last leaves, thousands of mappings in one IOAS are found, filled
 * between and unmapped as one list would, and closing tears every object down. Behaviour only: how fast it is, bench/scale.c says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/sim.h"

#define FD_BASE 1000		/* the simulator's first fd (SIM_FD_BASE) */
#define MSI_IOVA 0x8000000ULL	/* the SMMUv3 driver's SW MSI window */

struct host {
	struct ish_backend *be;
	int iofd;
};

static void bdf_of(unsigned int i, char *bdf)
{
	snprintf(bdf, 16, "0000:%02x:%02x.%x", (1 + i / 256) & 0xff, (i / 8) % 32, i % 8);
}

/* @n vfio-pci functions on one SMMU, added in descending BDF order */
static struct host host_new(unsigned int n)
{
	struct host h = { ish_sim_new_empty(), -1 };
	struct ish_sim_smmu_cfg cfg;
	unsigned int i;

	assert_non_null(h.be);
	ish_sim_smmu_default(&cfg);
	assert_int_equal(ish_sim_add_smmu(h.be, &cfg), 0);
	for (i = n; i-- > 0;) {
		struct ish_sim_dev_cfg d = { .vendor = 0x1234, .device = 0x11e8, .smmu = 0,
					     .sid = 8 * (i + 1), .vfio = true };

		bdf_of(i, d.bdf);
		assert_int_equal(ish_sim_add_device(h.be, &d), 0);
	}
	h.iofd = h.be->ops->open_iommufd(h.be);
	assert_true(h.iofd >= FD_BASE);
	return h;
}

static int io(struct host *h, unsigned long req, void *arg)
{
	return h->be->ops->ioctl(h->be, h->iofd, req, arg);
}

static uint32_t ioas_alloc(struct host *h)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	assert_int_equal(io(h, IOMMU_IOAS_ALLOC, &a), 0);
	return a.out_ioas_id;
}

static int destroy(struct host *h, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return io(h, IOMMU_DESTROY, &d);
}

/* open and bind function @i: its DEVICE id, the cdev fd in *fd */
static uint32_t bind(struct host *h, unsigned int i, int *fd)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = h->iofd };
	char bdf[16];

	bdf_of(i, bdf);
	*fd = h->be->ops->open_device(h->be, bdf, NULL);
	assert_true(*fd >= FD_BASE);
	assert_int_equal(h->be->ops->ioctl(h->be, *fd, VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	return b.out_devid;
}

static int attach(struct host *h, int fd, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = pt };

	return h->be->ops->ioctl(h->be, fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int detach(struct host *h, int fd)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return h->be->ops->ioctl(h->be, fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int map_at(struct host *h, uint32_t ioas, void *va, uint64_t iova)
{
	struct iommu_ioas_map m = { .size = sizeof(m),
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
				    .ioas_id = ioas, .user_va = (uintptr_t)va, .length = 4096,
				    .iova = iova };

	return io(h, IOMMU_IOAS_MAP, &m);
}

static int unmap(struct host *h, uint32_t ioas, uint64_t iova, uint64_t len, uint64_t *done)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova,
				      .length = len };
	int rc = io(h, IOMMU_IOAS_UNMAP, &u);

	*done = u.length;
	return rc;
}

static int vdevice(struct host *h, uint32_t viommu, uint32_t dev, uint64_t vsid, uint32_t *id)
{
	struct iommu_vdevice_alloc v = { .size = sizeof(v), .viommu_id = viommu, .dev_id = dev,
					 .virt_id = vsid };
	int rc = io(h, IOMMU_VDEVICE_ALLOC, &v);

	*id = v.out_vdevice_id;
	return rc;
}

static void host_free(struct host *h)
{
	h->be->ops->free(h->be);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void freed_ids_are_reused_lowest_first_among_thousands(void **state)
{
	struct host h = host_new(0);
	uint32_t i;

	(void)state;
	for (i = 1; i <= 5000; i++)
		assert_int_equal(ioas_alloc(&h), i);
	assert_int_equal(destroy(&h, 4097), 0);
	assert_int_equal(destroy(&h, 64), 0);
	assert_int_equal(destroy(&h, 1), 0);
	assert_int_equal(destroy(&h, 1), -ENOENT);
	assert_int_equal(ioas_alloc(&h), 1);
	assert_int_equal(ioas_alloc(&h), 64);
	assert_int_equal(ioas_alloc(&h), 4097);
	assert_int_equal(ioas_alloc(&h), 5001);
	host_free(&h);
}

static void closed_fds_are_reused_lowest_first_among_thousands(void **state)
{
	struct host h = host_new(0);
	struct ish_sim_stats st;
	int i, fd;

	(void)state;
	assert_int_equal(h.iofd, FD_BASE);
	for (i = 1; i < 5000; i++) {
		fd = h.be->ops->open_iommufd(h.be);
		assert_int_equal(fd, FD_BASE + i);
	}
	assert_int_equal(h.be->ops->close(h.be, FD_BASE + 4200), 0);
	assert_int_equal(h.be->ops->close(h.be, FD_BASE + 3), 0);
	assert_int_equal(h.be->ops->close(h.be, FD_BASE + 3), -EBADF);
	assert_int_equal(h.be->ops->ioctl(h.be, FD_BASE + 4200, IOMMU_IOAS_ALLOC, NULL), -EBADF);
	assert_int_equal(h.be->ops->open_iommufd(h.be), FD_BASE + 3);
	assert_int_equal(h.be->ops->open_iommufd(h.be), FD_BASE + 4200);
	assert_int_equal(h.be->ops->open_iommufd(h.be), FD_BASE + 5000);
	ish_sim_get_stats(h.be, &st);
	assert_int_equal(st.open_fds, 5001);
	host_free(&h);
}

struct listing {
	unsigned int n;
	char last[16];
	bool sorted;
};

static int list_one(void *arg, const struct ish_pci_dev *d)
{
	struct listing *l = arg;

	if (l->n && strcmp(l->last, d->bdf) >= 0)
		l->sorted = false;
	snprintf(l->last, sizeof(l->last), "%s", d->bdf);
	l->n++;
	return 0;
}

static void functions_are_found_by_bdf_and_cdev_and_listed_in_bdf_order(void **state)
{
	struct host h = host_new(3000);
	struct listing l = { .sorted = true };
	struct ish_pci_dev info;
	struct ish_sim_dev_cfg dup = { .smmu = 0, .vfio = true };
	char bdf[16], cdev[64];

	(void)state;
	bdf_of(1234, bdf);
	assert_int_equal(h.be->ops->pci_lookup(h.be, bdf, &info), 0);
	assert_string_equal(info.bdf, bdf);
	/* added from the highest BDF down: function 1234 got vfio minor 3000 - 1 - 1234 */
	snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/vfio%d", 3000 - 1 - 1234);
	assert_string_equal(info.cdev, cdev);
	assert_int_equal(h.be->ops->pci_lookup(h.be, cdev, &info), 0);
	assert_string_equal(info.bdf, bdf);
	assert_int_equal(h.be->ops->pci_lookup(h.be, "/dev/vfio/devices/vfio3000", &info),
			 -ENOENT);
	assert_int_equal(h.be->ops->pci_lookup(h.be, "0000:7f:00.0", &info), -ENOENT);
	snprintf(dup.bdf, sizeof(dup.bdf), "%s", bdf);
	assert_int_equal(ish_sim_add_device(h.be, &dup), -EEXIST);
	assert_int_equal(h.be->ops->pci_list(h.be, list_one, &l), 0);
	assert_int_equal(l.n, 3000);
	assert_true(l.sorted);
	host_free(&h);
}

static void a_vsid_is_taken_once_on_a_viommu_of_hundreds_of_vdevices(void **state)
{
	struct host h = host_new(300);
	struct iommu_hwpt_alloc s2 = { .size = sizeof(s2), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT };
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
	uint32_t dev[300], vd7 = 0, id;
	int fd[300];
	unsigned int i;

	(void)state;
	for (i = 0; i < 300; i++)
		dev[i] = bind(&h, i, &fd[i]);
	s2.dev_id = dev[0];
	s2.pt_id = ioas_alloc(&h);
	assert_int_equal(io(&h, IOMMU_HWPT_ALLOC, &s2), 0);
	v.dev_id = dev[0];
	v.hwpt_id = s2.out_hwpt_id;
	assert_int_equal(io(&h, IOMMU_VIOMMU_ALLOC, &v), 0);
	for (i = 0; i < 299; i++) {
		assert_int_equal(vdevice(&h, v.out_viommu_id, dev[i], 0x100 + i, &id), 0);
		if (i == 7)
			vd7 = id;
	}
	assert_int_equal(vdevice(&h, v.out_viommu_id, dev[299], 0x107, &id), -EEXIST);
	assert_int_equal(vdevice(&h, v.out_viommu_id, dev[298], 0x1000, &id), -EEXIST);
	assert_int_equal(destroy(&h, vd7), 0);
	assert_int_equal(vdevice(&h, v.out_viommu_id, dev[299], 0x107, &id), 0);
	assert_int_equal(id, vd7);
	host_free(&h);
}

static void the_msi_window_stays_reserved_until_the_last_device_leaves(void **state)
{
	struct host h = host_new(3);
	static char page[4096] __attribute__((aligned(4096)));
	uint32_t ioas;
	int fd[3];
	unsigned int i;

	(void)state;
	ioas = ioas_alloc(&h);
	for (i = 0; i < 3; i++) {
		bind(&h, i, &fd[i]);
		assert_int_equal(attach(&h, fd[i], ioas), 0);
	}
	assert_int_equal(map_at(&h, ioas, page, MSI_IOVA), -EINVAL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(detach(&h, fd[i]), 0);
		assert_int_equal(map_at(&h, ioas, page, MSI_IOVA), -EINVAL);
	}
	assert_int_equal(detach(&h, fd[2]), 0);
	assert_int_equal(map_at(&h, ioas, page, MSI_IOVA), 0);
	/* an auto domain went with its last device: nothing holds the IOAS */
	assert_int_equal(destroy(&h, ioas), 0);
	host_free(&h);
}

static void thousands_of_mappings_are_found_split_off_and_unmapped_in_order(void **state)
{
	static char page[4096] __attribute__((aligned(4096)));
	struct host h = host_new(0);
	struct iommu_ioas_map m = { .size = sizeof(m), .flags = IOMMU_IOAS_MAP_READABLE,
				    .user_va = (uintptr_t)page, .length = 4096 };
	const uint64_t base = 0x100000, step = 0x2000;
	uint64_t done;
	uint32_t ioas, i;

	(void)state;
	ioas = ioas_alloc(&h);
	for (i = 0; i < 4000; i++)
		assert_int_equal(map_at(&h, ioas, page, base + i * step), 0);
	assert_int_equal(map_at(&h, ioas, page, base + 1234 * step), -EEXIST);
	/* an IOVA the kernel picks: the lowest hole, below all of them */
	m.ioas_id = ioas;
	assert_int_equal(io(&h, IOMMU_IOAS_MAP, &m), 0);
	assert_int_equal(m.iova, 0x1000);
	/* ... and the hole between two of them */
	assert_int_equal(map_at(&h, ioas, page, 0x2000), 0);
	m.iova = 0;
	assert_int_equal(io(&h, IOMMU_IOAS_MAP, &m), 0);
	assert_int_equal(m.iova, 0x3000);
	/* a range that starts inside an area unmaps nothing */
	assert_int_equal(unmap(&h, ioas, base + 10 * step + 0x800, 0x10000, &done), -ENOENT);
	assert_int_equal(unmap(&h, ioas, base + 10 * step, 11 * step, &done), 0);
	assert_int_equal(done, 11 * 4096);
	assert_int_equal(unmap(&h, ioas, base + 10 * step, 4096, &done), -ENOENT);
	assert_int_equal(map_at(&h, ioas, page, base + 15 * step), 0);
	assert_int_equal(unmap(&h, ioas, 0, UINT64_MAX, &done), 0);
	assert_int_equal(done, (4000 - 11 + 1 + 3) * 4096ULL);
	assert_int_equal(destroy(&h, ioas), 0);
	host_free(&h);
}

static void closing_a_context_of_thousands_of_objects_frees_them_all(void **state)
{
	struct host h = host_new(1);
	struct ish_sim_stats st;
	uint32_t dev, ioas[2000];
	int fd;
	unsigned int i;

	(void)state;
	dev = bind(&h, 0, &fd);
	for (i = 0; i < 2000; i++)
		ioas[i] = ioas_alloc(&h);
	/* free low ids, so that the domains get ids below the IOASes they hold */
	for (i = 0; i < 1000; i++)
		assert_int_equal(destroy(&h, ioas[i]), 0);
	for (i = 1000; i < 2000; i++) {
		struct iommu_hwpt_alloc a = { .size = sizeof(a), .dev_id = dev,
					      .pt_id = ioas[i] };

		assert_int_equal(io(&h, IOMMU_HWPT_ALLOC, &a), 0);
		assert_true(a.out_hwpt_id < ioas[i]);
	}
	assert_int_equal(destroy(&h, ioas[1500]), -EBUSY);
	ish_sim_get_stats(h.be, &st);
	assert_int_equal(st.objects, 1 + 1000 + 1000);
	assert_int_equal(h.be->ops->close(h.be, fd), 0);
	assert_int_equal(h.be->ops->close(h.be, h.iofd), 0);
	ish_sim_get_stats(h.be, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.open_fds, 0);
	host_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(freed_ids_are_reused_lowest_first_among_thousands),
		cmocka_unit_test(closed_fds_are_reused_lowest_first_among_thousands),
		cmocka_unit_test(functions_are_found_by_bdf_and_cdev_and_listed_in_bdf_order),
		cmocka_unit_test(a_vsid_is_taken_once_on_a_viommu_of_hundreds_of_vdevices),
		cmocka_unit_test(the_msi_window_stays_reserved_until_the_last_device_leaves),
		cmocka_unit_test(thousands_of_mappings_are_found_split_off_and_unmapped_in_order),
		cmocka_unit_test(closing_a_context_of_thousands_of_objects_frees_them_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
