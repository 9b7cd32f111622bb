// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the fuzzers found, kept as tests: a vEVENTQ read cut short in a record yields no event
 * of zeros (the reader stops before it), and a reserved STE Config is printed by number, so
 * the decoded text gives the same STE back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include "iommush/iommush.h"
#include "iommush/sim.h"
#include "iommush/smmu.h"
#include "internal.h"	/* white-box: the vEVENTQ fd */

static const uint8_t *stream;
static size_t stream_len;
static int queue_fd = -1;
static const struct ish_ops *real_ops;

static ssize_t short_read(struct ish_backend *be, int fd, void *buf, size_t len)
{
	if (fd != queue_fd)
		return real_ops->read(be, fd, buf, len);
	if (len > stream_len)
		len = stream_len;
	memcpy(buf, stream, len);
	return (ssize_t)len;
}

static void a_record_cut_short_by_a_read_is_no_event(void **state)
{
	struct ish_backend *be = ish_sim_new();
	struct iommufd_vevent_header h = { .flags = 0, .sequence = 7 };
	uint32_t dev, ioas, s2, viommu, q, pt;
	struct ish_vevent ev[4];
	struct ish_ops fake;
	struct ish_ctx *ctx;
	uint8_t bytes[64];
	uint64_t evt[4] = { 0x10, 0x42, 0x1000, 0 };

	(void)state;
	assert_non_null(be);
	assert_int_equal(ish_ctx_new(be, &ctx), 0);
	assert_int_equal(ish_device_bind(ctx, "0000:00:01.0", &dev), 0);
	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	assert_int_equal(ish_hwpt_alloc(ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &s2), 0);
	assert_int_equal(ish_device_attach(ctx, dev, s2, &pt), 0);
	assert_int_equal(ish_viommu_alloc(ctx, dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu), 0);
	assert_int_equal(ish_veventq_alloc(ctx, viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 4, &q), 0);
	queue_fd = ish_obj_find(ctx, q)->u.veventq.fd;
	real_ops = be->ops;
	fake = *be->ops;
	fake.read = short_read;
	be->ops = &fake;

	/* one whole record, then the header and half the event of a second */
	memcpy(bytes, &h, sizeof(h));
	memcpy(bytes + sizeof(h), evt, sizeof(evt));
	h.sequence = 8;
	memcpy(bytes + 40, &h, sizeof(h));
	memcpy(bytes + 48, evt, 16);
	stream = bytes;
	stream_len = 64;
	assert_int_equal(ish_veventq_read(ctx, q, ev, 4, 0), 1);
	assert_int_equal(ev[0].seq, 7);
	assert_memory_equal(ev[0].evt, evt, sizeof(evt));
	/* a read that ends inside the first record: nothing */
	stream_len = 20;
	assert_int_equal(ish_veventq_read(ctx, q, ev, 4, 0), 0);

	be->ops = real_ops;
	ish_ctx_free(ctx);
}

static void a_reserved_ste_config_is_printed_by_number(void **state)
{
	uint64_t ste[2] = { 1 | 1 << 1, 0 };	/* V=1, Config=1 */
	char buf[256];

	(void)state;
	ish_ste_format(ste, buf, sizeof(buf));
	assert_string_equal(buf, "v=1 config=1");
	ste[0] = 1 | 6 << 1;
	ish_ste_format(ste, buf, sizeof(buf));
	assert_string_equal(buf, "v=1 config=s2-translate");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_record_cut_short_by_a_read_is_no_event),
		cmocka_unit_test(a_reserved_ste_config_is_printed_by_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
