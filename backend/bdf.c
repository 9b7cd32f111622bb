// SPDX-License-Identifier: GPL-2.0-or-later
/* PCI addresses, as both backends and the registry accept them. */
#include <errno.h>
#include <stdio.h>
#include "iommush/backend.h"
#include "internal.h"

/* Up to @max hex digits at *s; advances *s. -1 when there is none. */
static long long hex_field(const char **s, int max)
{
	long long v = 0;
	int n = 0, d;

	while (n < max && (d = ish_hex_digit(**s)) >= 0) {
		v = v * 16 + d;
		(*s)++;
		n++;
	}
	return n ? v : -1;
}

int ish_bdf_canon(const char *spec, char out[ISH_BDF_LEN])
{
	long long f[3], dom = 0, dev, fn;
	const char *s = spec;
	int n = 0, len;

	for (;;) {
		if (n == 3)
			return -EINVAL;
		f[n] = hex_field(&s, n ? 2 : 8);
		if (f[n++] < 0)
			return -EINVAL;
		if (*s != ':')
			break;
		s++;
	}
	if (n == 3)
		dom = f[0];
	else if (n != 2)
		return -EINVAL;
	if (*s++ != '.' || (fn = hex_field(&s, 1)) < 0 || *s)
		return -EINVAL;
	dev = f[n - 1];
	if (f[n - 2] > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	len = snprintf(out, ISH_BDF_LEN, "%04llx:%02llx:%02llx.%llx", dom, f[n - 2], dev, fn);
	/* a domain too wide for ISH_BDF_LEN does not fit: refuse it rather than cut it */
	return len < 0 || len >= ISH_BDF_LEN ? -EINVAL : 0;
}
