// SPDX-License-Identifier: GPL-2.0-or-later
/* Names and one-line decodes of every kernel call, for --trace and --dry-run. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/vfio.h>
#include "internal.h"

#define put ish_out_put

const char *ish_ioctl_name(unsigned long request)
{
	const struct ish_ioctl_desc *d = ish_ioctl_desc(request);

	return d ? d->name : NULL;
}

size_t ish_ioctl_argsz(unsigned long request)
{
	const struct ish_ioctl_desc *d = ish_ioctl_desc(request);

	return d ? d->size : 0;
}

int ish_call_format(const struct ish_call *c, long rc, char *buf, size_t len)
{
	struct ish_out o = { buf, len, 0 };
	const struct ish_ioctl_desc *d;

	if (len)
		buf[0] = '\0';
	if (!strcmp(c->op, "ioctl")) {
		d = ish_ioctl_desc(c->request);
		if (d)
			put(&o, "%s(fd %d", d->name, c->fd);
		else
			put(&o, "ioctl(fd %d, 0x%lx", c->fd, c->request);
		put(&o, ": ");
		if (c->arg && d && d->decode)
			d->decode(&o, c->in ? c->in : c->arg, c->arg, rc >= 0);
		put(&o, ")");
	} else if (!strcmp(c->op, "open") || !strcmp(c->op, "use-vfio")) {
		put(&o, "%s(%s)", c->op, c->arg ? (const char *)c->arg : "");
	} else if (!strcmp(c->op, "mmap")) {
		put(&o, "mmap(fd %d, %zu bytes at 0x%llx)", c->fd, c->len, (unsigned long long)c->off);
	} else if (!strcmp(c->op, "munmap")) {
		put(&o, "munmap(%zu bytes)", c->len);
	} else if (!strcmp(c->op, "poll")) {
		put(&o, "poll(fd %d, timeout %d ms)", c->fd, (int)c->len);
	} else if (!strcmp(c->op, "map-huge")) {
		put(&o, "map-huge(%zu bytes)", c->len);
	} else if (!strcmp(c->op, "read") || !strcmp(c->op, "write")) {
		put(&o, "%s(fd %d, %zu bytes)", c->op, c->fd, c->len);
	} else if (!strcmp(c->op, "pread") || !strcmp(c->op, "pwrite")) {
		put(&o, "%s(fd %d, %zu bytes at 0x%llx)", c->op, c->fd, c->len,
		    (unsigned long long)c->off);
	} else {
		put(&o, "%s(fd %d)", c->op, c->fd);
	}
	if (rc < 0)
		put(&o, " = -%s", strerrorname_np((int)-rc) ? strerrorname_np((int)-rc) : "?");
	else
		put(&o, " = %ld", rc);
	return (int)o.used;
}
