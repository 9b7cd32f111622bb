// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One descriptor per kernel call iommush knows: its name, the size of its struct, the size
 * below which the kernel refuses it, where the id or fd it hands out sits, and how to decode
 * it.  Trace, dry-run, recording and the simulator's dispatch all read this one table.
 */
#ifndef ISH_IOCTL_H
#define ISH_IOCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a bounded text buffer the decoders append to */
struct ish_out {
	char *buf;
	size_t len, used;
};

__attribute__((format(printf, 2, 3)))
void ish_out_put(struct ish_out *o, const char *fmt, ...);

/* args: the struct as it was passed in; res: as it came back; ok: the call succeeded */
typedef void (*ish_decode_fn)(struct ish_out *o, const void *args, const void *res, bool ok);

struct ish_ioctl_desc {
	unsigned long request;
	const char *name;
	uint32_t size;		/* the struct in the Linux 7.3 uAPI */
	uint32_t min_size;	/* below it the kernel says EINVAL: its IOCTL_OP last member */
	int16_t out_id;		/* offset of the object id handed out, or ISH_NO_OUT */
	int16_t out_fd;		/* offset of the fd handed out, or ISH_NO_OUT */
	ish_decode_fn decode;	/* NULL: named and sized, not decoded */
};

#define ISH_NO_OUT (-1)

/* O(1): the descriptor of REQUEST, or NULL for a call iommush does not know */
const struct ish_ioctl_desc *ish_ioctl_desc(unsigned long request);

#endif
