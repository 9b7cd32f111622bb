// SPDX-License-Identifier: GPL-2.0-or-later
/* The ioctl descriptor table, and --trace / --dry-run decoding of the IOAS range, copy and
 * option ioctls (6.2). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/vfio.h>
#include "iommush/iommush.h"
#include "internal.h"	/* ish_ioctl_argsz, ish_ioctl_desc */

static void fmt(unsigned long rq, const void *in, const void *out, long rc, char *buf, size_t len)
{
	struct ish_call c = { .fd = 3, .request = rq, .op = "ioctl", .arg = out, .in = in };

	ish_call_format(&c, rc, buf, len);
}

static void test_the_four_ioctls_are_named_with_their_struct_size(void **state)
{
	(void)state;
	assert_string_equal(ish_ioctl_name(IOMMU_IOAS_IOVA_RANGES), "IOMMU_IOAS_IOVA_RANGES");
	assert_string_equal(ish_ioctl_name(IOMMU_IOAS_ALLOW_IOVAS), "IOMMU_IOAS_ALLOW_IOVAS");
	assert_string_equal(ish_ioctl_name(IOMMU_IOAS_COPY), "IOMMU_IOAS_COPY");
	assert_string_equal(ish_ioctl_name(IOMMU_OPTION), "IOMMU_OPTION");
	assert_int_equal(ish_ioctl_argsz(IOMMU_IOAS_IOVA_RANGES),
			 sizeof(struct iommu_ioas_iova_ranges));
	assert_int_equal(ish_ioctl_argsz(IOMMU_IOAS_ALLOW_IOVAS),
			 sizeof(struct iommu_ioas_allow_iovas));
	assert_int_equal(ish_ioctl_argsz(IOMMU_IOAS_COPY), sizeof(struct iommu_ioas_copy));
	assert_int_equal(ish_ioctl_argsz(IOMMU_OPTION), sizeof(struct iommu_option));
}

static void test_iova_ranges_shows_the_count_even_on_emsgsize(void **state)
{
	struct iommu_ioas_iova_ranges in = { .size = sizeof(in), .ioas_id = 2 };
	struct iommu_ioas_iova_ranges out = in;
	char buf[256];

	(void)state;
	out.num_iovas = 2;
	out.out_iova_alignment = 0x1000;
	fmt(IOMMU_IOAS_IOVA_RANGES, &in, &out, -EMSGSIZE, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_IOVA_RANGES(fd 3: ioas_id=2 num_iovas=0 -> "
			    "num_iovas=2 out_iova_alignment=0x1000) = -EMSGSIZE");
}

static void test_copy_shows_both_ioases_and_the_dst_iova_it_got(void **state)
{
	struct iommu_ioas_copy in = { .size = sizeof(in), .dst_ioas_id = 5, .src_ioas_id = 2,
				      .flags = IOMMU_IOAS_MAP_READABLE, .length = 0x2000,
				      .src_iova = 0x10000 };
	struct iommu_ioas_copy out = in;
	char buf[256];

	(void)state;
	out.dst_iova = 0x40000;
	fmt(IOMMU_IOAS_COPY, &in, &out, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_COPY(fd 3: dst_ioas_id=5 src_ioas_id=2 flags=0x4 "
			    "length=0x2000 src_iova=0x10000 dst_iova=0x0 -> dst_iova=0x40000) = 0");
}

static void test_option_get_names_the_option_and_shows_the_value_read(void **state)
{
	struct iommu_option in = { .size = sizeof(in), .option_id = IOMMU_OPTION_HUGE_PAGES,
				   .op = IOMMU_OPTION_OP_GET, .object_id = 2 };
	struct iommu_option out = in;
	char buf[256];

	(void)state;
	out.val64 = 1;
	fmt(IOMMU_OPTION, &in, &out, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_OPTION(fd 3: option_id=HUGE_PAGES op=GET object_id=2 "
			    "-> val64=1) = 0");
	in.option_id = IOMMU_OPTION_RLIMIT_MODE;
	in.op = IOMMU_OPTION_OP_SET;
	in.object_id = 0;
	fmt(IOMMU_OPTION, &in, &in, -EBUSY, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_OPTION(fd 3: option_id=RLIMIT_MODE op=SET object_id=0 "
			    "val64=0) = -EBUSY");
}

static void test_map_file_change_process_get_pa_are_decoded(void **state)
{
	struct iommu_ioas_map_file in = { .size = sizeof(in), .flags = 3, .ioas_id = 2, .fd = 7,
					  .start = 0x1000, .length = 0x2000 };
	struct iommu_ioas_map_file out = in;
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	struct iommu_ioas_noiommu_get_pa g = { .size = sizeof(g), .ioas_id = 2, .iova = 0x10800,
					       .length = 0x4000 };
	struct iommu_ioas_noiommu_get_pa go = g;
	char buf[256];

	(void)state;
	out.iova = 0x600000;
	fmt(IOMMU_IOAS_MAP_FILE, &in, &out, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_MAP_FILE(fd 3: ioas_id=2 flags=0x3 fd=7 start=0x1000 "
			    "length=0x2000 iova=0x0 -> iova=0x600000) = 0");
	fmt(IOMMU_IOAS_CHANGE_PROCESS, &cp, &cp, -EINVAL, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_CHANGE_PROCESS(fd 3: size=8) = -EINVAL");
	go.length = 0x800;
	go.out_phys = 0x80000800;
	fmt(IOMMU_IOAS_NOIOMMU_GET_PA, &g, &go, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_NOIOMMU_GET_PA(fd 3: flags=0x0 ioas_id=2 "
			    "iova=0x10800 length=0x4000 -> length=0x800 out_phys=0x80000800) = 0");
	fmt(IOMMU_IOAS_NOIOMMU_GET_PA, &g, &g, -EOPNOTSUPP, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_NOIOMMU_GET_PA(fd 3: flags=0x0 ioas_id=2 "
			    "iova=0x10800 length=0x4000) = -EOPNOTSUPP");
}

static void test_allow_iovas_shows_the_ioas_and_the_count(void **state)
{
	struct iommu_ioas_allow_iovas in = { .size = sizeof(in), .ioas_id = 2, .num_iovas = 1 };
	char buf[256];

	(void)state;
	fmt(IOMMU_IOAS_ALLOW_IOVAS, &in, &in, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_ALLOW_IOVAS(fd 3: ioas_id=2 num_iovas=1) = 0");
}

static void test_every_iommufd_ioctl_of_linux_7_3_has_a_descriptor(void **state)
{
	unsigned int nr;

	(void)state;
	for (nr = IOMMUFD_CMD_DESTROY; nr <= IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA; nr++) {
		const struct ish_ioctl_desc *d = ish_ioctl_desc(_IO(IOMMUFD_TYPE, nr));

		assert_non_null(d);
		assert_int_equal(d->request, _IO(IOMMUFD_TYPE, nr));
		assert_non_null(d->name);
		/* the struct starts with its size word, which the minimum always covers */
		assert_true(d->min_size >= sizeof(uint32_t));
		assert_true(d->min_size <= d->size);
		assert_true(d->out_id == ISH_NO_OUT || d->out_id + 4 <= (int)d->size);
		assert_true(d->out_fd == ISH_NO_OUT || d->out_fd + 4 <= (int)d->size);
	}
	assert_null(ish_ioctl_desc(_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA + 1)));
}

static void test_a_request_of_another_type_or_direction_has_no_descriptor(void **state)
{
	(void)state;
	/* the same number under another type, and with a direction encoded: not ours */
	assert_null(ish_ioctl_desc(_IO('x', IOMMUFD_CMD_IOAS_ALLOC)));
	assert_null(ish_ioctl_desc(_IOW(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC, int)));
	assert_non_null(ish_ioctl_desc(VFIO_DEVICE_BIND_IOMMUFD));
	assert_string_equal(ish_ioctl_desc(VFIO_DEVICE_BIND_IOMMUFD)->name,
			    "VFIO_DEVICE_BIND_IOMMUFD");
}

static void test_the_output_id_offsets_are_where_the_kernel_writes_them(void **state)
{
	(void)state;
	assert_int_equal(ish_ioctl_desc(IOMMU_IOAS_ALLOC)->out_id,
			 offsetof(struct iommu_ioas_alloc, out_ioas_id));
	assert_int_equal(ish_ioctl_desc(IOMMU_VEVENTQ_ALLOC)->out_fd,
			 offsetof(struct iommu_veventq_alloc, out_veventq_fd));
	assert_int_equal(ish_ioctl_desc(IOMMU_FAULT_QUEUE_ALLOC)->out_id,
			 offsetof(struct iommu_fault_alloc, out_fault_id));
	assert_int_equal(ish_ioctl_desc(IOMMU_IOAS_MAP)->out_id, ISH_NO_OUT);
	assert_int_equal(ish_ioctl_desc(IOMMU_IOAS_MAP)->min_size,
			 offsetof(struct iommu_ioas_map, iova) + sizeof(uint64_t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_iommufd_ioctl_of_linux_7_3_has_a_descriptor),
		cmocka_unit_test(test_a_request_of_another_type_or_direction_has_no_descriptor),
		cmocka_unit_test(test_the_output_id_offsets_are_where_the_kernel_writes_them),
		cmocka_unit_test(test_the_four_ioctls_are_named_with_their_struct_size),
		cmocka_unit_test(test_iova_ranges_shows_the_count_even_on_emsgsize),
		cmocka_unit_test(test_copy_shows_both_ioases_and_the_dst_iova_it_got),
		cmocka_unit_test(test_option_get_names_the_option_and_shows_the_value_read),
		cmocka_unit_test(test_allow_iovas_shows_the_ioas_and_the_count),
		cmocka_unit_test(test_map_file_change_process_get_pa_are_decoded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
