// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What iommush record costs a program on a real kernel: run in the live VM as it is and under
 * `iommush record` (tests/live/scripts/record.sh), it times the calls a VMM makes: control
 * calls (IOAS_ALLOC + DESTROY) and guest RAM mappings that pin (IOAS_MAP + UNMAP of 2 MiB on
 * an IOAS a device is attached to). Medians of 9 rounds. Prints; never asserts.
 *   record-overhead /dev/vfio/devices/vfioN
 */
#include <fcntl.h>
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

#define ROUNDS 9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp);
	return v[ROUNDS / 2];
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_destroy d = { .size = sizeof(d) };
	double ctl[ROUNDS], map[ROUNDS], t0;
	const size_t len = 2 << 20;
	int fd, dev, k, i, n = 200;
	uint32_t ioas;
	void *buf;

	fd = open("/dev/iommu", O_RDWR);
	dev = open(argc > 1 ? argv[1] : "/dev/vfio/devices/vfio0", O_RDWR);
	if (fd < 0 || dev < 0) {
		perror("record-overhead: open");
		return 1;
	}
	bind.iommufd = fd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) || ioctl(fd, IOMMU_IOAS_ALLOC, &a)) {
		perror("record-overhead: bind");
		return 1;
	}
	ioas = a.out_ioas_id;
	at.pt_id = ioas;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)) {
		perror("record-overhead: attach");
		return 1;
	}
	memset(buf, 1, len);
	for (k = 0; k < ROUNDS; k++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			ioctl(fd, IOMMU_IOAS_ALLOC, &a);
			d.id = a.out_ioas_id;
			ioctl(fd, IOMMU_DESTROY, &d);
		}
		ctl[k] = (now_ns() - t0) / (2.0 * n);
		t0 = now_ns();
		for (i = 0; i < n / 10; i++) {
			struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = ioas,
				.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					 IOMMU_IOAS_MAP_WRITEABLE,
				.user_va = (uintptr_t)buf, .length = len, .iova = 0x1000000 };
			struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas,
						      .iova = 0x1000000, .length = len };

			if (ioctl(fd, IOMMU_IOAS_MAP, &m) || ioctl(fd, IOMMU_IOAS_UNMAP, &u)) {
				perror("record-overhead: map");
				return 1;
			}
		}
		map[k] = (now_ns() - t0) / (2.0 * (n / 10));
	}
	printf("record-overhead: IOAS_ALLOC/DESTROY %.0f ns/call, IOAS_MAP/UNMAP 2 MiB %.0f ns/call\n",
	       median(ctl), median(map));
	return 0;
}
