// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vEVENTQ reader (ish_veventq_read) against arbitrary byte streams: a real vEVENTQ is made
 * on the simulator, then its fd's read() serves the fuzzer's bytes in short reads of sizes the
 * input chooses (and errors). Every record the reader returns must be what the stream held:
 * a header's sequence and LOST flag, and an event's 32 bytes, never a record cut short.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/iommufd.h>
#include "iommush/iommush.h"
#include "internal.h"	/* white-box: the vEVENTQ fd */
#include "iommush/sim.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

static const uint8_t *stream;
static size_t stream_len, stream_off;
static int chunk;	/* what the next read may return */
static int queue_fd = -1;
static struct ish_ops fake_ops;
static const struct ish_ops *real_ops;

static ssize_t fake_read(struct ish_backend *be, int fd, void *buf, size_t len)
{
	size_t n;

	if (fd != queue_fd)
		return real_ops->read(be, fd, buf, len);
	if (chunk < 0)
		return chunk;
	n = (size_t)chunk;
	if (n > len)
		n = len;
	if (n > stream_len - stream_off)
		n = stream_len - stream_off;
	memcpy(buf, stream + stream_off, n);
	stream_off += n;
	return (ssize_t)n;
}

static int fake_poll(struct ish_backend *be, int fd, int timeout_ms)
{
	if (fd != queue_fd)
		return real_ops->poll(be, fd, timeout_ms);
	return stream_off < stream_len ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ish_backend *be = ish_sim_new();
	uint32_t dev, ioas, s2, viommu, q, pt;
	struct ish_ctx *ctx;
	struct ish_vevent ev[8];
	size_t ctl, i;
	int rounds = 0;

	if (size < 2 || !be)
		goto free_be;
	if (ish_ctx_new(be, &ctx) < 0)
		goto free_be;
	if (ish_device_bind(ctx, "0000:00:01.0", &dev) < 0 || ish_ioas_alloc(ctx, &ioas) < 0 ||
	    ish_hwpt_alloc(ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE,
			   NULL, 0, &s2) < 0 ||
	    ish_device_attach(ctx, dev, s2, &pt) < 0 ||
	    ish_viommu_alloc(ctx, dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu) < 0 ||
	    ish_veventq_alloc(ctx, viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 8, &q) < 0)
		abort();
	queue_fd = ish_obj_find(ctx, q)->u.veventq.fd;
	real_ops = be->ops;
	fake_ops = *be->ops;
	fake_ops.read = fake_read;
	fake_ops.poll = fake_poll;
	be->ops = &fake_ops;

	/* the first bytes steer: read sizes and how many records to ask for */
	ctl = data[0] % 16 + 1;
	if (ctl > size - 1)
		ctl = size - 1;
	stream = data + 1 + ctl;
	stream_len = size - 1 - ctl;
	stream_off = 0;
	for (i = 0; stream_off < stream_len && rounds < 64; rounds++, i = (i + 1) % ctl) {
		uint8_t c = data[1 + i];
		size_t max = c % 8 + 1, before = stream_off;
		const uint8_t *at = stream + before;
		int n, k;

		chunk = c >= 0xf8 ? -(int)(c - 0xf7) : (c * 7) % 300;
		n = ish_veventq_read(ctx, q, ev, max, (c & 1) ? 1 : 0);
		if (n < 0 || chunk <= 0)
			continue;
		CHECK((size_t)n <= max);
		/* each record: its header, then (unless LOST) its event, in the bytes read */
		for (k = 0; k < n; k++) {
			struct iommufd_vevent_header h;

			CHECK((size_t)(at - stream) + sizeof(h) <= stream_off);
			memcpy(&h, at, sizeof(h));
			at += sizeof(h);
			CHECK(ev[k].seq == h.sequence);
			CHECK(ev[k].lost == !!(h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS));
			if (ev[k].lost)
				continue;
			CHECK((size_t)(at - stream) + sizeof(ev[k].evt) <= stream_off);
			CHECK(!memcmp(ev[k].evt, at, sizeof(ev[k].evt)));
			at += sizeof(ev[k].evt);
		}
	}
	be->ops = real_ops;
	queue_fd = -1;
	ish_ctx_free(ctx);
	return 0;
free_be:
	if (be && be->ops->free)
		be->ops->free(be);
	return 0;
}
