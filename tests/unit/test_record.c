// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recording translator: raw records round-trip through their text form, each kind of
 * call becomes the shell command that makes it (ids as variables, memory as mem stand-ins,
 * failures as expect-error), calls without a command are kept and listed, and the library
 * records itself at its choke point under IOMMUSH_RECORD.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/iommush.h"
#include "iommush/record.h"
#include "iommush/sim.h"

struct tr {
	char *text;
	size_t len;
	FILE *fp;
	struct ish_recorder *rr;
};

static void tr_open(struct tr *t, bool json)
{
	t->fp = open_memstream(&t->text, &t->len);
	assert_non_null(t->fp);
	assert_int_equal(ish_recorder_new(t->fp, json, &t->rr), 0);
}

/* finish and keep the text */
static const char *tr_close(struct tr *t)
{
	assert_int_equal(ish_recorder_finish(t->rr), 0);
	fclose(t->fp);
	return t->text;
}

static void rec_open(struct tr *t, const char *path, long fd)
{
	struct ish_rec r = { .op = ISH_REC_OPEN, .fd = -1, .rc = fd, .path = path, .pid = 7,
			     .tid = 7 };

	assert_int_equal(ish_recorder_add(t->rr, &r), 0);
}

static void rec_ioctl(struct tr *t, int fd, unsigned long req, const void *in,
		      const void *out, size_t sz, long rc, const void *buf, size_t buflen)
{
	struct ish_rec r = { .op = ISH_REC_IOCTL, .fd = fd, .request = req, .in = in,
			     .out = out, .argsz = sz, .rc = rc, .buf = buf, .buflen = buflen,
			     .pid = 7, .tid = 8 };

	assert_int_equal(ish_recorder_add(t->rr, &r), 0);
}

static void bind_dev(struct tr *t, uint32_t devid)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = 3 }, bo = b;

	rec_open(t, "/dev/iommu", 3);
	rec_open(t, "/dev/vfio/devices/vfio0", 4);
	bo.out_devid = devid;
	rec_ioctl(t, 4, VFIO_DEVICE_BIND_IOMMUFD, &b, &bo, sizeof(b), 0, NULL, 0);
}

static void ioas_alloc(struct tr *t, uint32_t id, long rc)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) }, ao = a;

	ao.out_ioas_id = id;
	rec_ioctl(t, 3, IOMMU_IOAS_ALLOC, &a, &ao, sizeof(a), rc, NULL, 0);
}

static void a_raw_record_reads_back_as_it_was_written(void **state)
{
	const uint64_t ste[2] = { 0x9, 0 };
	struct iommu_hwpt_alloc in = { .size = sizeof(in), .dev_id = 1, .pt_id = 4,
				       .data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, .data_len = 16 };
	struct iommu_hwpt_alloc out = in;
	struct ish_rec r = { .op = ISH_REC_IOCTL, .seq = 5, .pid = 11, .tid = 12, .t_ns = 99,
			     .fd = 3, .rc = -95, .request = IOMMU_HWPT_ALLOC, .in = &in, .out = &out,
			     .argsz = sizeof(in), .buf = ste, .buflen = sizeof(ste) }, back;
	char line[1024], scratch[1024];

	(void)state;
	out.out_hwpt_id = 6;
	assert_true(ish_rec_encode(&r, line, sizeof(line)) > 0);
	assert_int_equal(ish_rec_decode(line, &back, scratch, sizeof(scratch)), 0);
	assert_int_equal(back.op, ISH_REC_IOCTL);
	assert_int_equal(back.seq, 5);
	assert_int_equal(back.pid, 11);
	assert_int_equal(back.tid, 12);
	assert_int_equal(back.t_ns, 99);
	assert_int_equal(back.rc, -95);
	assert_int_equal(back.request, IOMMU_HWPT_ALLOC);
	assert_int_equal(back.argsz, sizeof(in));
	assert_memory_equal(back.in, &in, sizeof(in));
	assert_memory_equal(back.out, &out, sizeof(out));
	assert_int_equal(back.buflen, 16);
	assert_memory_equal(back.buf, ste, 16);
}

static void a_path_with_blanks_and_quotes_survives_the_raw_form(void **state)
{
	struct ish_rec r = { .op = ISH_REC_OPEN, .fd = -1, .rc = 4, .path = "/tmp/a b%c\"\\" }, back;
	char line[256], scratch[256];

	(void)state;
	assert_true(ish_rec_encode(&r, line, sizeof(line)) > 0);
	/* one line of words, safe inside a JSON string too */
	assert_null(strchr(line, '\t'));
	assert_null(strchr(line, '"'));
	assert_null(strchr(line, '\\'));
	assert_int_equal(ish_rec_decode(line, &back, scratch, sizeof(scratch)), 0);
	assert_string_equal(back.path, "/tmp/a b%c\"\\");
}

static void a_short_buffer_is_refused_not_overrun(void **state)
{
	struct ish_rec r = { .op = ISH_REC_CLOSE, .fd = 3 };
	char line[8];

	(void)state;
	assert_int_equal(ish_rec_encode(&r, line, sizeof(line)), -ENOSPC);
}

static void garbage_is_not_a_record(void **state)
{
	char line[] = "frobnicate fd=3", line2[] = "ioctl fd=x", scratch[64];
	struct ish_rec r;

	(void)state;
	assert_int_equal(ish_rec_decode(line, &r, scratch, sizeof(scratch)), -EINVAL);
	assert_int_equal(ish_rec_decode(line2, &r, scratch, sizeof(scratch)), -EINVAL);
}

static void a_bind_becomes_device_bind_of_the_cdev_kept_in_a_variable(void **state)
{
	struct tr t;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	assert_non_null(strstr(tr_close(&t), "\nlet dev1 = device bind /dev/vfio/devices/vfio0\n"));
	free(t.text);
}

static void allocations_bind_their_ids_and_later_calls_use_the_variables(void **state)
{
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
				      .dev_id = 1, .pt_id = 2 }, ho = h;
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = 1, .dev_id = 1, .hwpt_id = 3 },
				  vo = v;
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	ho.out_hwpt_id = 3;
	rec_ioctl(&t, 3, IOMMU_HWPT_ALLOC, &h, &ho, sizeof(h), 0, NULL, 0);
	vo.out_viommu_id = 4;
	rec_ioctl(&t, 3, IOMMU_VIOMMU_ALLOC, &v, &vo, sizeof(v), 0, NULL, 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nlet ioas2 = ioas alloc\n"));
	assert_non_null(strstr(s, "\nlet hwpt3 = hwpt alloc $dev1 $ioas2 nest-parent\n"));
	assert_non_null(strstr(s, "\nlet viommu4 = viommu alloc $dev1 $hwpt3\n"));
	free(t.text);
}

static void a_failed_call_becomes_expect_error_with_its_errno(void **state)
{
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = 1, .dev_id = 1, .hwpt_id = 3 };
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	rec_ioctl(&t, 3, IOMMU_VIOMMU_ALLOC, &v, &v, sizeof(v), -EOPNOTSUPP, NULL, 0);
	s = tr_close(&t);
	/* hwpt 3 was not made by the recording: its number is kept as it is */
	assert_non_null(strstr(s, "\nexpect-error EOPNOTSUPP viommu alloc $dev1 3\n"));
	assert_null(strstr(s, "let viommu"));
	free(t.text);
}

static void an_id_handed_out_again_after_destroy_gets_a_new_variable(void **state)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 2 };
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	rec_ioctl(&t, 3, IOMMU_DESTROY, &d, &d, sizeof(d), 0, NULL, 0);
	ioas_alloc(&t, 2, 0);
	rec_ioctl(&t, 3, IOMMU_DESTROY, &d, &d, sizeof(d), 0, NULL, 0);
	rec_ioctl(&t, 3, IOMMU_DESTROY, &d, &d, sizeof(d), -ENOENT, NULL, 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\ndestroy $ioas2\nlet") || strstr(s, "\ndestroy $ioas2\n#"));
	assert_non_null(strstr(s, "\nlet ioas2_2 = ioas alloc\n"));
	assert_non_null(strstr(s, "\ndestroy $ioas2_2\n"));
	/* once destroyed, the id is a number again */
	assert_non_null(strstr(s, "\nexpect-error ENOENT destroy 2\n"));
	free(t.text);
}

static void an_id_handed_out_a_thousand_times_is_named_by_its_generation(void **state)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 2 };
	struct tr t;
	const char *s;
	int i;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	for (i = 0; i < 1000; i++) {
		ioas_alloc(&t, 2, 0);
		rec_ioctl(&t, 3, IOMMU_DESTROY, &d, &d, sizeof(d), 0, NULL, 0);
	}
	ioas_alloc(&t, 7, 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nlet ioas2_1000 = ioas alloc\n"));
	assert_non_null(strstr(s, "\ndestroy $ioas2_1000\n"));
	assert_null(strstr(s, "ioas2_1001"));
	assert_non_null(strstr(s, "\nlet ioas7 = ioas alloc\n"));
	free(t.text);
}

static void mapped_memory_is_stood_in_for_by_one_mem_buffer_per_range(void **state)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = 2,
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .user_va = 0x7f0000000000, .length = 0x10000, .iova = 0x100000 };
	struct iommu_ioas_map m2 = m, m3 = m;
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP, &m, &m, sizeof(m), 0, NULL, 0);
	/* the second half again, read-only, elsewhere: the same buffer at an offset */
	m2.user_va += 0x8000;
	m2.length = 0x8000;
	m2.iova = 0x200000;
	m2.flags &= ~IOMMU_IOAS_MAP_WRITEABLE;
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP, &m2, &m2, sizeof(m2), 0, NULL, 0);
	/* other memory: a second buffer, the kernel picks the IOVA */
	m3.user_va = 0x7f1000000000;
	m3.flags &= ~IOMMU_IOAS_MAP_FIXED_IOVA;
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP, &m3, &m3, sizeof(m3), 0, NULL, 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nlet mem1 = mem alloc 0x10000\n"));
	assert_non_null(strstr(s, "\nioas map $ioas2 $mem1 iova 0x100000 length 0x10000\n"));
	assert_non_null(strstr(s, "\nioas map $ioas2 $mem1 iova 0x200000 length 0x8000 offset "
			       "0x8000 readonly\n"));
	assert_non_null(strstr(s, "\nlet mem2 = mem alloc 0x10000\n"));
	assert_non_null(strstr(s, "\nioas map $ioas2 $mem2 length 0x10000\n"));
	free(t.text);
}

static void the_ioas_calls_of_issue_14_become_ioas_commands(void **state)
{
	const struct iommu_iova_range ranges[2] = { { 0x100000, 0x1fffff }, { 0x400000, 0x4fffff } };
	struct iommu_ioas_iova_ranges g = { .size = sizeof(g), .ioas_id = 2 }, go = g;
	struct iommu_ioas_allow_iovas al = { .size = sizeof(al), .ioas_id = 2, .num_iovas = 2,
					     .allowed_iovas = 0x7f0000000000 };
	struct iommu_ioas_copy cp = { .size = sizeof(cp), .dst_ioas_id = 5, .src_ioas_id = 2,
				      .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
				      .length = 0x2000, .src_iova = 0x100000, .dst_iova = 0x800000 };
	struct iommu_option o = { .size = sizeof(o), .option_id = IOMMU_OPTION_HUGE_PAGES,
				  .op = IOMMU_OPTION_OP_SET, .object_id = 2, .val64 = 0 };
	struct iommu_ioas_map_file mf = { .size = sizeof(mf), .ioas_id = 2, .fd = 9,
					  .flags = IOMMU_IOAS_MAP_READABLE |
						   IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
					  .start = 0x1000, .length = 0x3000, .iova = 0x600000 };
	struct iommu_ioas_map_file mf2 = mf;
	struct iommu_ioas_change_process chg = { .size = sizeof(chg) };
	const char *s, *probe;
	struct tr t;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	ioas_alloc(&t, 5, 0);
	/* the program's EMSGSIZE probe, then the call that fits */
	go.num_iovas = 3;
	rec_ioctl(&t, 3, IOMMU_IOAS_IOVA_RANGES, &g, &go, sizeof(g), -EMSGSIZE, NULL, 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_IOVA_RANGES, &go, &go, sizeof(g), 0, NULL, 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_ALLOW_IOVAS, &al, &al, sizeof(al), 0, ranges, sizeof(ranges));
	rec_ioctl(&t, 3, IOMMU_IOAS_COPY, &cp, &cp, sizeof(cp), 0, NULL, 0);
	rec_ioctl(&t, 3, IOMMU_OPTION, &o, &o, sizeof(o), 0, NULL, 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP_FILE, &mf, &mf, sizeof(mf), 0, NULL, 0);
	/* the same file again, past its end: the same stand-in, so that it fails alike */
	mf2.start = 0x10000;
	mf2.iova = 0x700000;
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP_FILE, &mf2, &mf2, sizeof(mf2), -EINVAL, NULL, 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_CHANGE_PROCESS, &chg, &chg, sizeof(chg), -EINVAL, NULL, 0);
	s = tr_close(&t);
	/* both calls replay as made: the probe with room 0 fails alike, then the sized one */
	assert_null(strstr(s, "#   covered"));
	probe = strstr(s, "\nexpect-error EMSGSIZE ioas ranges $ioas2 room 0\n");
	assert_non_null(probe);
	assert_true(strstr(s, "\nioas ranges $ioas2 room 3\n") > probe);
	assert_non_null(strstr(s, "\nioas allow $ioas2 0x100000-0x1fffff 0x400000-0x4fffff\n"));
	assert_non_null(strstr(s, "\nioas copy $ioas5 $ioas2 0x100000 0x2000 dst-iova 0x800000 "
			       "readable\n"));
	assert_non_null(strstr(s, "\nioas option huge-pages $ioas2 set 0\n"));
	assert_non_null(strstr(s, "\nlet file1 = mem alloc 0x4000 memfd\n"));
	assert_non_null(strstr(s, "\nioas map-file $ioas2 $file1 iova 0x600000 length 0x3000 "
			       "offset 0x1000\n"));
	assert_non_null(strstr(s, "\nexpect-error EINVAL ioas map-file $ioas2 $file1 iova 0x700000 "
			       "length 0x3000 offset 0x10000\n"));
	assert_null(strstr(s, "file2"));
	assert_non_null(strstr(s, "\nexpect-error EINVAL ioas change-process\n"));
	assert_null(strstr(s, "#   raw"));
	free(t.text);
}

/* --mmio: what the program wrote is written again, what the device wrote is compared */
static void memory_the_program_and_the_device_wrote_is_written_and_compared(void **state)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = 2,
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .user_va = 0x7f0000000000, .length = 0x10000, .iova = 0x100000 };
	uint8_t cpu[3] = { 0x10, 0x11, 0x12 }, dev[300];
	struct ish_rec r = { .op = ISH_REC_MEM, .fd = -1, .off = 0x7f0000000010, .buf = cpu,
			     .buflen = sizeof(cpu), .pid = 7, .tid = 7 };
	struct tr t;
	const char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dev); i++)
		dev[i] = (uint8_t)i;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP, &m, &m, sizeof(m), 0, NULL, 0);
	assert_int_equal(ish_recorder_add(t.rr, &r), 0);
	/* 300 bytes the device wrote at 0x1000: two commands of at most 256, each compared */
	r.off = 0x7f0000001000;
	r.buf = dev;
	r.buflen = sizeof(dev);
	r.rc = 1;
	assert_int_equal(ish_recorder_add(t.rr, &r), 0);
	/* memory no IOAS maps: kept raw */
	r.off = 0x1000;
	assert_int_equal(ish_recorder_add(t.rr, &r), 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nmem write $mem1 0x10 bytes 101112\n"));
	assert_non_null(strstr(s, "\nlet mem1_dma = mem alloc 0x10000\n"));
	assert_non_null(strstr(s, "\nmem write $mem1_dma 0x1000 bytes 000102"));
	assert_non_null(strstr(s, "\nsleep 200\nmem compare $mem1 0x1000 $mem1_dma 0x1000 256\n"));
	assert_non_null(strstr(s, "\nmem write $mem1_dma 0x1100 bytes 000102"));
	assert_non_null(strstr(s, "\nmem compare $mem1 0x1100 $mem1_dma 0x1100 44\n"));
	assert_non_null(strstr(s, "raw (not in memory given to IOAS_MAP)"));
	assert_null(strstr(s, "let mem1_dma = mem alloc 0x10000\nlet mem1_dma"));
	free(t.text);
}

/* a VMM maps a passed-through BAR for peer to peer DMA: the kernel refuses to pin it (EFAULT),
 * so a stand-in buffer, which it would pin, must not replace it */
static void memory_mapped_from_a_device_gets_no_stand_in(void **state)
{
	struct ish_rec mm = { .op = ISH_REC_MMAP, .fd = 4, .len = 0x100000, .off = 0,
			      .va = 0xffff55400000 }, back;
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = 2,
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .user_va = 0xffff55400000, .length = 0x100000, .iova = 0x10000000 };
	char line[512], scratch[64];
	struct tr t;
	const char *s;

	(void)state;
	/* the address survives the raw form */
	assert_true(ish_rec_encode(&mm, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " va=0xffff55400000"));
	assert_int_equal(ish_rec_decode(line, &back, scratch, sizeof(scratch)), 0);
	assert_int_equal(back.va, 0xffff55400000);
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	assert_int_equal(ish_recorder_add(t.rr, &mm), 0);
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP, &m, &m, sizeof(m), -EFAULT, NULL, 0);
	/* memory of the program's own next to it still gets one */
	m.user_va = 0xffff55500000;
	m.iova = 0x20000000;
	rec_ioctl(&t, 3, IOMMU_IOAS_MAP, &m, &m, sizeof(m), 0, NULL, 0);
	assert_int_equal(ish_recorder_raw_calls(t.rr), 2);
	s = tr_close(&t);
	assert_non_null(strstr(s, "#   raw (memory the program mapped from a device (a BAR)): "
			       "IOMMU_IOAS_MAP("));
	assert_null(strstr(s, "iova 0x10000000"));
	assert_non_null(strstr(s, "\nlet mem1 = mem alloc 0x100000\n"));
	assert_non_null(strstr(s, "\nioas map $ioas2 $mem1 iova 0x20000000 length 0x100000\n"));
	free(t.text);
}

static void invalidations_keep_every_command_word(void **state)
{
	const uint64_t cmds[2][2] = { { 0x4200000005, 0 }, { 0x10, 0 } };
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = 1, .dev_id = 1, .hwpt_id = 3 },
				  vo = v;
	struct iommu_hwpt_invalidate inv = { .size = sizeof(inv), .hwpt_id = 4,
					     .data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
					     .entry_len = 16, .entry_num = 2 }, io = inv;
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	vo.out_viommu_id = 4;
	rec_ioctl(&t, 3, IOMMU_VIOMMU_ALLOC, &v, &vo, sizeof(v), 0, NULL, 0);
	io.entry_num = 1;
	rec_ioctl(&t, 3, IOMMU_HWPT_INVALIDATE, &inv, &io, sizeof(inv), -EIO, cmds, sizeof(cmds));
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nexpect-error EIO viommu invalidate $viommu4 raw 0x4200000005 "
			       "0x0 , raw 0x10 0x0\n"));
	free(t.text);
}

static void a_nested_hwpt_keeps_its_ste_words(void **state)
{
	const uint64_t ste[2] = { 0x10800b, 0x1 };
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = 1, .dev_id = 1, .hwpt_id = 3 },
				  vo = v;
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = 1, .pt_id = 4,
				      .data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, .data_len = 16 },
				ho = h;
	struct tr t;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	vo.out_viommu_id = 4;
	rec_ioctl(&t, 3, IOMMU_VIOMMU_ALLOC, &v, &vo, sizeof(v), 0, NULL, 0);
	ho.out_hwpt_id = 5;
	rec_ioctl(&t, 3, IOMMU_HWPT_ALLOC, &h, &ho, sizeof(h), 0, ste, sizeof(ste));
	assert_non_null(strstr(tr_close(&t), "\nlet hwpt5 = hwpt alloc $dev1 $viommu4 ste 0x10800b "
			       "0x1\n"));
	free(t.text);
}

static void region_accesses_become_mmio_commands_on_the_region_they_hit(void **state)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = 7 }, ro = ri;
	uint16_t cmdword = 0x0106;
	struct ish_rec rd = { .op = ISH_REC_PREAD, .fd = 4, .len = 4, .off = 0x70000000000,
			      .rc = 4 };
	struct ish_rec wr = { .op = ISH_REC_PWRITE, .fd = 4, .len = 2, .off = 0x70000000004,
			      .rc = 2, .buf = &cmdword, .buflen = 2 };
	struct ish_rec odd = { .op = ISH_REC_PREAD, .fd = 4, .len = 3, .off = 0x70000000000,
			       .rc = 3 };
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ro.size = 0x100;
	ro.offset = 0x70000000000;
	rec_ioctl(&t, 4, VFIO_DEVICE_GET_REGION_INFO, &ri, &ro, sizeof(ri), 0, NULL, 0);
	assert_int_equal(ish_recorder_add(t.rr, &rd), 0);
	assert_int_equal(ish_recorder_add(t.rr, &wr), 0);
	assert_int_equal(ish_recorder_add(t.rr, &odd), 0);
	assert_int_equal(ish_recorder_raw_calls(t.rr), 1);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nregion list $dev1\n"));
	assert_non_null(strstr(s, "\nmmio read $dev1 config 0x0 width 4\n"));
	assert_non_null(strstr(s, "\nmmio write $dev1 config 0x4 0x106 width 2\n"));
	assert_non_null(strstr(s, "#   raw (not a 1, 2, 4 or 8 byte register access)"));
	free(t.text);
}

/* a register read 30 ms after the call before it: the program waited for its device, and so
 * does the replay; IOMMUSH_RECORD_PAUSE_MS sets how long a pause counts (0: never) */
static void a_register_read_after_a_pause_sleeps_as_long(void **state)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = 7 }, ro = ri;
	struct ish_rec first = { .op = ISH_REC_PREAD, .fd = 4, .len = 4, .off = 0x70000000000,
				 .rc = 4, .t_ns = 1000000000 }, later = first;
	const char *const envs[] = { NULL, "40", "0" };
	const bool sleeps[] = { true, false, false };
	unsigned int i;

	(void)state;
	later.t_ns = first.t_ns + 30000000;
	for (i = 0; i < 3; i++) {
		struct tr t;
		const char *s;

		if (envs[i])
			setenv("IOMMUSH_RECORD_PAUSE_MS", envs[i], 1);
		else
			unsetenv("IOMMUSH_RECORD_PAUSE_MS");
		tr_open(&t, false);
		bind_dev(&t, 1);
		ro.size = 0x100;
		ro.offset = 0x70000000000;
		rec_ioctl(&t, 4, VFIO_DEVICE_GET_REGION_INFO, &ri, &ro, sizeof(ri), 0, NULL, 0);
		assert_int_equal(ish_recorder_add(t.rr, &first), 0);
		assert_int_equal(ish_recorder_add(t.rr, &later), 0);
		s = tr_close(&t);
		if (sleeps[i]) {
			/* one sleep: before the later read, not the first (nothing timed before it) */
			assert_non_null(strstr(s, "\nsleep 30\n"));
			assert_null(strstr(strstr(s, "\nsleep 30\n") + 1, "\nsleep "));
			assert_non_null(strstr(strstr(s, "\nsleep 30\n"), "mmio read $dev1 config"));
		}
		else
			assert_null(strstr(s, "\nsleep "));
		free(t.text);
	}
	unsetenv("IOMMUSH_RECORD_PAUSE_MS");
}

static void calls_without_a_command_are_kept_and_listed_at_the_end(void **state)
{
	struct ish_rec mm = { .op = ISH_REC_MMAP, .fd = 4, .len = 0x1000, .off = 0 };
	uint32_t unknown[4] = { 16 };
	struct tr t;
	const char *s, *end;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	assert_int_equal(ish_recorder_add(t.rr, &mm), 0);
	rec_ioctl(&t, 3, _IO(IOMMUFD_TYPE, 0x7f), unknown, unknown, sizeof(unknown), -ENOTTY,
		  NULL, 0);
	assert_int_equal(ish_recorder_calls(t.rr), 5);
	assert_int_equal(ish_recorder_raw_calls(t.rr), 2);
	s = tr_close(&t);
	end = strstr(s, "# ---- 5 calls recorded, 2 without a command:\n");
	assert_non_null(end);
	assert_non_null(strstr(end, "[4] pid 0 tid 0: mmap(fd 4, 4096 bytes at 0x0) = 0"));
	assert_non_null(strstr(end, "[5] pid 7 tid 8: ioctl(fd 3, 0x3b7f"));
	/* every byte of it is kept, in the raw format */
	assert_non_null(strstr(s, "#   record: ioctl seq=5 pid=7 tid=8 t=0 fd=3 rc=-25 req=0x3b7f "
			       "in=10000000000000000000000000000000 "
			       "out=10000000000000000000000000000000\n"));
	free(t.text);
}

static void a_vevent_read_after_a_poll_waits_as_the_program_did(void **state)
{
	struct iommu_veventq_alloc q = { .size = sizeof(q), .viommu_id = 4, .type = 1,
					 .veventq_depth = 64 }, qo = q;
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = 1, .dev_id = 1, .hwpt_id = 3 },
				  vo = v;
	struct ish_rec poll = { .op = ISH_REC_POLL, .fd = 9, .len = 2000, .rc = 1 };
	struct ish_rec rd = { .op = ISH_REC_READ, .fd = 9, .len = 4096, .rc = 0 };
	struct ish_rec cl = { .op = ISH_REC_CLOSE, .fd = 9 };
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	vo.out_viommu_id = 4;
	rec_ioctl(&t, 3, IOMMU_VIOMMU_ALLOC, &v, &vo, sizeof(v), 0, NULL, 0);
	qo.out_veventq_id = 5;
	qo.out_veventq_fd = 9;
	rec_ioctl(&t, 3, IOMMU_VEVENTQ_ALLOC, &q, &qo, sizeof(q), 0, NULL, 0);
	assert_int_equal(ish_recorder_add(t.rr, &poll), 0);
	assert_int_equal(ish_recorder_add(t.rr, &rd), 0);
	assert_int_equal(ish_recorder_add(t.rr, &rd), 0);
	/* a wait that found nothing is the same command: it polls, and reads nothing */
	poll.rc = 0;
	poll.len = 500;
	assert_int_equal(ish_recorder_add(t.rr, &poll), 0);
	assert_int_equal(ish_recorder_add(t.rr, &cl), 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nveventq read $veventq5 wait 500\n"));
	assert_non_null(strstr(s, "\nlet veventq5 = veventq alloc $viommu4 depth 64\n"));
	assert_non_null(strstr(s, "\nveventq read $veventq5 wait 2000\n"));
	assert_non_null(strstr(s, "\nveventq read $veventq5\n"));
	free(t.text);
}

static void fault_queues_and_hw_queues_become_their_commands(void **state)
{
	struct iommu_fault_alloc fa = { .size = sizeof(fa) }, fo = fa;
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .flags = IOMMU_HWPT_FAULT_ID_VALID,
				      .dev_id = 1, .pt_id = 2, .fault_id = 5 }, ho = h;
	struct iommu_viommu_tegra241_cmdqv data = { 0 };
	struct iommu_viommu_alloc v = { .size = sizeof(v), .type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
					.dev_id = 1, .hwpt_id = 6, .data_len = sizeof(data),
					.data_uptr = (uintptr_t)&data }, vo = v;
	struct iommu_hw_queue_alloc q = { .size = sizeof(q), .viommu_id = 7, .type = 1, .index = 0,
					  .nesting_parent_iova = 0x100000, .length = 0x1000 }, qo = q;
	struct ish_rec rd = { .op = ISH_REC_READ, .fd = 9,
			      .len = 4 * sizeof(struct iommu_hwpt_pgfault), .rc = 0 };
	struct ish_rec cl = { .op = ISH_REC_CLOSE, .fd = 9 };
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, 0);
	fo.out_fault_id = 5;
	fo.out_fault_fd = 9;
	rec_ioctl(&t, 3, IOMMU_FAULT_QUEUE_ALLOC, &fa, &fo, sizeof(fa), 0, NULL, 0);
	ho.out_hwpt_id = 6;
	rec_ioctl(&t, 3, IOMMU_HWPT_ALLOC, &h, &ho, sizeof(h), 0, NULL, 0);
	assert_int_equal(ish_recorder_add(t.rr, &rd), 0);
	vo.out_viommu_id = 7;
	rec_ioctl(&t, 3, IOMMU_VIOMMU_ALLOC, &v, &vo, sizeof(v), 0, NULL, 0);
	qo.out_hw_queue_id = 8;
	rec_ioctl(&t, 3, IOMMU_HW_QUEUE_ALLOC, &q, &qo, sizeof(q), 0, NULL, 0);
	assert_int_equal(ish_recorder_add(t.rr, &cl), 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\nlet fault5 = fault alloc\n"));
	assert_non_null(strstr(s, "\nlet hwpt6 = hwpt alloc $dev1 $ioas2 fault $fault5\n"));
	assert_non_null(strstr(s, "\nfault read $fault5 count 4\n"));
	assert_non_null(strstr(s, "\nlet viommu7 = viommu alloc $dev1 $hwpt6 cmdqv\n"));
	assert_non_null(strstr(s, "\nlet hwq8 = hwq alloc $viommu7 1 0 0x100000 0x1000\n"));
	free(t.text);
}

static void closing_the_cdev_unbinds_but_a_dup_keeps_it_bound(void **state)
{
	struct ish_rec dup = { .op = ISH_REC_DUP, .fd = 4, .rc = 6 };
	struct ish_rec c4 = { .op = ISH_REC_CLOSE, .fd = 4 }, c6 = { .op = ISH_REC_CLOSE, .fd = 6 };
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, false);
	bind_dev(&t, 1);
	assert_int_equal(ish_recorder_add(t.rr, &dup), 0);
	assert_int_equal(ish_recorder_add(t.rr, &c4), 0);
	assert_int_equal(ish_recorder_calls(t.rr), 5);
	s = tr_close(&t);
	assert_null(strstr(s, "device unbind"));
	free(t.text);

	tr_open(&t, false);
	bind_dev(&t, 1);
	assert_int_equal(ish_recorder_add(t.rr, &dup), 0);
	assert_int_equal(ish_recorder_add(t.rr, &c4), 0);
	assert_int_equal(ish_recorder_add(t.rr, &c6), 0);
	s = tr_close(&t);
	assert_non_null(strstr(s, "another fd keeps the device bound"));
	assert_non_null(strstr(s, "\ndevice unbind $dev1\n"));
	free(t.text);
}

static void an_exec_the_interposer_cannot_follow_refuses_the_recording(void **state)
{
	const char why[] = "/bin/x is statically linked";
	struct ish_rec r = { .op = ISH_REC_REFUSE, .fd = -1, .path = "/bin/x", .buf = why,
			     .buflen = sizeof(why) - 1 };
	struct tr t;

	(void)state;
	tr_open(&t, false);
	assert_null(ish_recorder_refused(t.rr));
	assert_int_equal(ish_recorder_add(t.rr, &r), 0);
	assert_non_null(ish_recorder_refused(t.rr));
	assert_non_null(strstr(ish_recorder_refused(t.rr), "statically linked"));
	tr_close(&t);
	free(t.text);
}

static void json_mode_writes_one_object_per_call(void **state)
{
	struct tr t;
	const char *s;

	(void)state;
	tr_open(&t, true);
	bind_dev(&t, 1);
	ioas_alloc(&t, 2, -ENOMEM);
	s = tr_close(&t);
	assert_non_null(strstr(s, "\"request\":\"VFIO_DEVICE_BIND_IOMMUFD\""));
	assert_non_null(strstr(s, "\"command\":\"let dev1 = device bind /dev/vfio/devices/vfio0\""));
	assert_non_null(strstr(s, "\"errno\":\"ENOMEM\""));
	assert_non_null(strstr(s, "\"command\":\"expect-error ENOMEM ioas alloc\""));
	assert_null(strstr(s, "# ----"));
	free(t.text);
}

static void a_raw_file_is_translated_line_by_line(void **state)
{
	char raw[] = "open seq=0 pid=1 tid=1 t=10 fd=-1 rc=3 path=/dev/iommu\n"
		     "ioctl seq=0 pid=1 tid=1 t=20 fd=3 rc=0 req=0x3b81 "
		     "in=0c0000000000000000000000 out=0c0000000000000002000000\n";
	char bad[] = "open seq=0 pid=1 fd=-1 rc=3 path=/dev/iommu\nnonsense\n";
	unsigned long line = 0;
	struct tr t;
	FILE *fp;

	(void)state;
	tr_open(&t, false);
	fp = fmemopen(raw, strlen(raw), "r");
	assert_int_equal(ish_recorder_add_file(t.rr, fp, &line), 0);
	fclose(fp);
	assert_non_null(strstr(tr_close(&t), "\nlet ioas2 = ioas alloc\n"));
	free(t.text);

	tr_open(&t, false);
	fp = fmemopen(bad, strlen(bad), "r");
	assert_int_equal(ish_recorder_add_file(t.rr, fp, &line), -EINVAL);
	assert_int_equal(line, 2);
	fclose(fp);
	tr_close(&t);
	free(t.text);
}

static void the_library_records_itself_under_iommush_record(void **state)
{
	char path[] = "/tmp/test_record.XXXXXX", buf[8192];
	struct ish_ctx *ctx;
	uint32_t dev, ioas, mem;
	uint64_t iova = 0x100000;
	FILE *fp;
	size_t n;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	setenv("IOMMUSH_RECORD", path, 1);
	assert_int_equal(ish_ctx_new(ish_sim_new(), &ctx), 0);
	unsetenv("IOMMUSH_RECORD");
	assert_int_equal(ish_device_bind(ctx, "0000:00:01.0", &dev), 0);
	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	assert_int_equal(ish_mem_alloc(ctx, 0x10000, &mem), 0);
	assert_int_equal(ish_ioas_map(ctx, ioas, ish_mem_va(ish_mem_find(ctx, mem)), 0x10000, &iova,
				      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE), 0);
	assert_int_equal(ish_destroy(ctx, 4242), -ENOENT);
	ish_ctx_free(ctx);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	assert_non_null(strstr(buf, "\nlet dev1 = device bind 0000:00:01.0\n"));
	assert_non_null(strstr(buf, "\nlet ioas2 = ioas alloc\n"));
	assert_non_null(strstr(buf, "\nioas map $ioas2 $mem1 iova 0x100000 length 0x10000 "
			       "readonly\n"));
	assert_non_null(strstr(buf, "\nexpect-error ENOENT destroy 4242\n"));
	/* the teardown of ish_ctx_free is recorded too */
	assert_non_null(strstr(buf, "\ndestroy $ioas2\n"));
	assert_non_null(strstr(buf, "\ndevice unbind $dev1\n"));
}

static void an_unwritable_record_file_refuses_the_context(void **state)
{
	struct ish_backend *be = ish_sim_new();
	struct ish_ctx *ctx = NULL;

	(void)state;
	setenv("IOMMUSH_RECORD", "/nonexistent/dir/rec.ish", 1);
	assert_int_equal(ish_ctx_new(be, &ctx), -ENOENT);
	unsetenv("IOMMUSH_RECORD");
	assert_null(ctx);
	be->ops->free(be);	/* a context that failed does not own its backend */
}

static void a_static_program_cannot_be_followed_and_a_dynamic_one_can(void **state)
{
	char why[512];

	(void)state;
	/* this test binary is dynamic; /bin/sh is a dynamic ELF on Debian */
	assert_int_equal(ish_rec_followable("/proc/self/exe", why, sizeof(why)), 0);
	assert_int_equal(ish_rec_followable("/nonexistent", why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "cannot read"));
	if (access("/bin/busybox", R_OK) == 0 &&
	    ish_rec_followable("/bin/busybox", why, sizeof(why)) == -EPERM)
		assert_non_null(strstr(why, "statically linked"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_raw_record_reads_back_as_it_was_written),
		cmocka_unit_test(a_path_with_blanks_and_quotes_survives_the_raw_form),
		cmocka_unit_test(a_short_buffer_is_refused_not_overrun),
		cmocka_unit_test(garbage_is_not_a_record),
		cmocka_unit_test(a_bind_becomes_device_bind_of_the_cdev_kept_in_a_variable),
		cmocka_unit_test(allocations_bind_their_ids_and_later_calls_use_the_variables),
		cmocka_unit_test(a_failed_call_becomes_expect_error_with_its_errno),
		cmocka_unit_test(an_id_handed_out_again_after_destroy_gets_a_new_variable),
		cmocka_unit_test(an_id_handed_out_a_thousand_times_is_named_by_its_generation),
		cmocka_unit_test(mapped_memory_is_stood_in_for_by_one_mem_buffer_per_range),
		cmocka_unit_test(the_ioas_calls_of_issue_14_become_ioas_commands),
		cmocka_unit_test(memory_the_program_and_the_device_wrote_is_written_and_compared),
		cmocka_unit_test(memory_mapped_from_a_device_gets_no_stand_in),
		cmocka_unit_test(invalidations_keep_every_command_word),
		cmocka_unit_test(a_nested_hwpt_keeps_its_ste_words),
		cmocka_unit_test(region_accesses_become_mmio_commands_on_the_region_they_hit),
		cmocka_unit_test(a_register_read_after_a_pause_sleeps_as_long),
		cmocka_unit_test(calls_without_a_command_are_kept_and_listed_at_the_end),
		cmocka_unit_test(a_vevent_read_after_a_poll_waits_as_the_program_did),
		cmocka_unit_test(fault_queues_and_hw_queues_become_their_commands),
		cmocka_unit_test(closing_the_cdev_unbinds_but_a_dup_keeps_it_bound),
		cmocka_unit_test(an_exec_the_interposer_cannot_follow_refuses_the_recording),
		cmocka_unit_test(json_mode_writes_one_object_per_call),
		cmocka_unit_test(a_raw_file_is_translated_line_by_line),
		cmocka_unit_test(the_library_records_itself_under_iommush_record),
		cmocka_unit_test(an_unwritable_record_file_refuses_the_context),
		cmocka_unit_test(a_static_program_cannot_be_followed_and_a_dynamic_one_can),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
