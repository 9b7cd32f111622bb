// SPDX-License-Identifier: GPL-2.0-or-later
/* --trace / --dry-run decoding of the IOAS range, copy and option ioctls (6.2). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "iommush/iommush.h"
#include "internal.h"	/* ish_ioctl_argsz */

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

static void test_allow_iovas_shows_the_ioas_and_the_count(void **state)
{
	struct iommu_ioas_allow_iovas in = { .size = sizeof(in), .ioas_id = 2, .num_iovas = 1 };
	char buf[256];

	(void)state;
	fmt(IOMMU_IOAS_ALLOW_IOVAS, &in, &in, 0, buf, sizeof(buf));
	assert_string_equal(buf, "IOMMU_IOAS_ALLOW_IOVAS(fd 3: ioas_id=2 num_iovas=1) = 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_four_ioctls_are_named_with_their_struct_size),
		cmocka_unit_test(test_iova_ranges_shows_the_count_even_on_emsgsize),
		cmocka_unit_test(test_copy_shows_both_ioases_and_the_dst_iova_it_got),
		cmocka_unit_test(test_option_get_names_the_option_and_shows_the_value_read),
		cmocka_unit_test(test_allow_iovas_shows_the_ioas_and_the_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
