/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every bench program shares: a monotonic clock, rounds summarised as median and spread
 * (min-max), and a way to stop on a failed call. Benchmarks print; they never assert.
 */
#ifndef ISH_BENCH_H
#define ISH_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_MAX_ROUNDS 64

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void bench_die(const char *what, int rc)
{
	fprintf(stderr, "bench: %s failed: %d\n", what, rc);
	exit(1);
}

#define BENCH_CHECK(what, expr) \
	do { int rc_ = (expr); if (rc_ < 0) bench_die(what, rc_); } while (0)

/* rounds of one figure: the median says what it costs, min-max how far rounds strayed */
struct bench_stat {
	double v[BENCH_MAX_ROUNDS];
	unsigned int n;
};

static inline void bench_add(struct bench_stat *s, double v)
{
	if (s->n < BENCH_MAX_ROUNDS)
		s->v[s->n++] = v;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double bench_median(struct bench_stat *s)
{
	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(s->v[0]), bench_cmp);
	return s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
}

static inline double bench_min(struct bench_stat *s)
{
	bench_median(s);
	return s->n ? s->v[0] : 0;
}

static inline double bench_max(struct bench_stat *s)
{
	bench_median(s);
	return s->n ? s->v[s->n - 1] : 0;
}

/* "median [min-max]" of a figure, scaled by @k, in a column of @w characters */
static inline void bench_print(struct bench_stat *s, double k, int w)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.2f [%.2f-%.2f]", bench_median(s) * k, bench_min(s) * k,
		 bench_max(s) * k);
	printf(" %*s", w, buf);
}

/*
 * One table a run: every program prints rows of the same table, | area | figure | N |
 * median [min-max] | unit | per device or object | note |. `make bench` prints the head once
 * (ISH_BENCH_TABLE set) and runs them all; a program run alone prints its own head.
 */
static inline void bench_head(void)
{
	if (getenv("ISH_BENCH_TABLE"))
		return;
	printf("| area | figure | N | median [min-max] | unit | per device, object; calls | note |\n");
	printf("|---|---|---|---|---|---|---|\n");
}

static inline void bench_rowv(const char *area, const char *figure, const char *n,
			      const char *value, const char *unit, const char *per,
			      const char *note)
{
	printf("| %s | %s | %s | %s | %s | %s | %s |\n", area, figure, n && *n ? n : "-", value,
	       unit, per && *per ? per : "-", note && *note ? note : "");
}

/* three significant digits, never an exponent: 0.0712, 2.42, 17.9, 4871 */
static inline const char *bench_num(double v, char *buf, size_t len)
{
	double a = v < 0 ? -v : v;

	snprintf(buf, len, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" :
		 a >= 0.1 ? "%.3f" : a >= 0.01 ? "%.4f" : "%.5f", v);
	return buf;
}

/* a figure's row: its median [min-max] scaled by @k; @per: per-unit column, or NULL */
static inline void bench_row(const char *area, const char *figure, unsigned int n,
			     struct bench_stat *s, double k, const char *unit, const char *per,
			     const char *note)
{
	char v[80], ns[16] = "", a[24], b[24], c[24];

	if (n)
		snprintf(ns, sizeof(ns), "%u", n);
	snprintf(v, sizeof(v), "%s [%s-%s]", bench_num(bench_median(s) * k, a, sizeof(a)),
		 bench_num(bench_min(s) * k, b, sizeof(b)), bench_num(bench_max(s) * k, c, sizeof(c)));
	bench_rowv(area, figure, ns, v, unit, per, note);
}

/* the per-device column: @v with its unit */
static inline const char *bench_per(double v, const char *unit, char *buf, size_t len)
{
	char n[24];

	snprintf(buf, len, "%s %s", bench_num(v, n, sizeof(n)), unit);
	return buf;
}

#endif
