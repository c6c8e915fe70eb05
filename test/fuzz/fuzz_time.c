/*
 * fuzz_time.c
 *	  libFuzzer target for src/timeparse.c.
 *
 * Every input is used three ways:
 *	1. as text: the whole input and each of its lines go to
 *	   azb_parse_timestamp and azb_parse_date (fuzz_check_time_string);
 *	2. as entropy for a generator that writes a valid date or date-time
 *	   (ISO 8601 or US M/D/YYYY, 'T'/'t'/' ', optional seconds, 1 to 9
 *	   fractional digits with '.' or ',', "Z", "z", +hh:mm, +hhmm, +hh or no
 *	   zone, leap second, 24:00, blanks around) and computes its value
 *	   independently; the parsers must accept it with exactly that value
 *	   (fractions beyond 6 digits truncated, never rounded);
 *	3. as entropy for the same generator with one defect injected
 *	   (2018-02-30, month 13, day 0, year 0000, hour 25, minute 60,
 *	   second 61, 24:00:01, 10 fractional digits, an empty fraction, offset
 *	   +16:00 or +01:60, trailing junk, a 3-digit US year...); the parsers
 *	   must reject it.
 * Plus: days_from_civil and civil_from_days round-trip over PostgreSQL's
 * whole date range, and agree with a day count computed year by year.
 *
 * Invariants on any accepted string (common.c): parse_timestamp and
 * parse_date accept the same strings; the day is within years 1..9999 and
 * the timestamp within that day (plus up to 24:00 and a 15:59 offset);
 * civil_from_days/days_from_civil round-trip; format_date gives
 * YYYY-MM-DD, 10 characters, which re-parses to the same day; the date is
 * the one written; blanks around the string change nothing.
 */
#include "common.h"
#include "timeparse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USECS_PER_SEC	INT64_C(1000000)
#define USECS_PER_DAY	INT64_C(86400000000)

typedef struct Reader
{
	const uint8_t *data;
	size_t		size,
				pos;
} Reader;

/* A number in [0, n) from the next two bytes (0 once the input is used up). */
static unsigned
take(Reader *r, unsigned n)
{
	unsigned	v = 0;

	for (int i = 0; i < 2; i++)
		v = (v << 8) | (r->pos < r->size ? r->data[r->pos++] : 0);
	return n ? v % n : 0;
}

typedef struct Gen
{
	char		s[160];
	size_t		len;
} Gen;

static void
put(Gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(Gen *g, const char *fmt, ...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(g->s + g->len, sizeof(g->s) - g->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->len += (size_t) n;
	if (g->len >= sizeof(g->s))
		g->len = sizeof(g->s) - 1;
}

/* the defects the generator can inject */
enum
{
	DEF_NONE = 0,
	DEF_DAY_PAST_MONTH,
	DEF_MONTH_13,
	DEF_MONTH_0,
	DEF_DAY_0,
	DEF_YEAR_0,
	DEF_HOUR,
	DEF_MINUTE,
	DEF_SECOND,
	DEF_AFTER_24,
	DEF_LONG_FRACTION,
	DEF_EMPTY_FRACTION,
	DEF_OFFSET_HOUR,
	DEF_OFFSET_MINUTE,
	DEF_JUNK,
	DEF_US_YEAR,
	DEF_US_MONTH,
	DEF_COUNT
};

static const char *const defect_names[DEF_COUNT] = {
	"none", "day past month end", "month 13", "month 0", "day 0", "year 0", "hour",
	"minute", "second", "after 24:00", "10+ fractional digits", "empty fraction",
	"offset hour", "offset minute", "trailing junk", "US year digits", "US month digits"
};

/*
 * Write a date or date-time into g from the reader's bytes, with the given
 * defect; *want gets its value when there is none.
 */
static void
generate(Reader *rd, int defect, Gen *g, int64_t *want_usecs, int32_t *want_days)
{
	static const int edge_years[] = {1, 2, 4, 100, 1582, 1899, 1900, 1970, 1999, 2000,
	2016, 2019, 2024, 2100, 2400, 9998, 9999};
	int			y,
				m,
				d,
				dim;
	bool		us = take(rd, 3) == 0;
	int			time_kind = (int) take(rd, 3);	/* 0 none, else a time */
	int			hh = 0,
				mi = 0,
				ss = 0;
	bool		has_sec = false;
	int			ndig = 0;
	int64_t		frac = 0;
	int			zone = 0;
	int			sign = 1,
				oh = 0,
				om = 0;

	memset(g, 0, sizeof(*g));
	if (take(rd, 3) == 0)
		y = edge_years[take(rd, sizeof(edge_years) / sizeof(edge_years[0]))];
	else
		y = 1 + (int) take(rd, 9999);
	m = 1 + (int) take(rd, 12);
	dim = ref_days_in_month(y, m);
	d = take(rd, 4) == 0 ? (take(rd, 2) ? dim : 1) : 1 + (int) take(rd, (unsigned) dim);

	switch (defect)
	{
		case DEF_DAY_PAST_MONTH:
			d = dim + 1;
			break;
		case DEF_MONTH_13:
			m = 13 + (int) take(rd, 87);
			d = 1;
			break;
		case DEF_MONTH_0:
			m = 0;
			d = 1;
			break;
		case DEF_DAY_0:
			d = 0;
			break;
		case DEF_YEAR_0:
			y = 0;
			break;
		case DEF_US_YEAR:
		case DEF_US_MONTH:
			us = true;
			break;
		case DEF_HOUR:
		case DEF_MINUTE:
		case DEF_SECOND:
		case DEF_AFTER_24:
		case DEF_LONG_FRACTION:
		case DEF_EMPTY_FRACTION:
		case DEF_OFFSET_HOUR:
		case DEF_OFFSET_MINUTE:
			if (time_kind == 0)
				time_kind = 1;
			break;
	}

	for (unsigned i = take(rd, 4) == 0 ? 1 + take(rd, 3) : 0; i > 0; i--)
		put(g, " ");

	/* the date */
	if (us)
	{
		if (defect == DEF_US_MONTH)
			put(g, "%03d/", m);
		else
			put(g, take(rd, 2) ? "%d/" : "%02d/", m);
		put(g, take(rd, 2) ? "%d/" : "%02d/", d);
		if (defect == DEF_US_YEAR)
			put(g, take(rd, 2) ? "%03d" : "%05d", y % 1000 + (take(rd, 2) ? 0 : 10000));
		else
			put(g, "%04d", y);
	}
	else
		put(g, "%04d-%02d-%02d", y, m, d);

	/* the time */
	if (time_kind)
	{
		static const char seps[] = "Tt ";

		hh = (int) take(rd, 24);
		mi = (int) take(rd, 60);
		has_sec = take(rd, 4) != 0;
		if (has_sec)
			ss = take(rd, 20) == 0 ? 60 : (int) take(rd, 60);
		if (has_sec && take(rd, 3) != 0)
			ndig = 1 + (int) take(rd, 9);
		if (take(rd, 8) == 0)
		{
			hh = 24;			/* the end of the day */
			mi = ss = 0;
		}
		/* a defect in the seconds or their fraction needs the seconds written */
		if (defect == DEF_SECOND || defect == DEF_LONG_FRACTION || defect == DEF_EMPTY_FRACTION)
			has_sec = true;
		/* the defects that put one field past its range, and the bad values */
		{
			const struct
			{
				int			defect;
				int		   *field;
				int			first,
							last;
			}			past_range[] = {
				{DEF_HOUR, &hh, 25, 99},
				{DEF_MINUTE, &mi, 60, 99},
				{DEF_SECOND, &ss, 61, 99},
				{DEF_LONG_FRACTION, &ndig, 10, 19},
			};

			for (size_t i = 0; i < sizeof(past_range) / sizeof(past_range[0]); i++)
				if (past_range[i].defect == defect)
					*past_range[i].field = past_range[i].first +
						(int) take(rd, (unsigned) (past_range[i].last - past_range[i].first + 1));
		}
		if (defect == DEF_AFTER_24)
		{
			hh = 24;
			if (take(rd, 2))
				mi = 1 + (int) take(rd, 59);
			else
			{
				has_sec = true;
				ss = 1 + (int) take(rd, 59);
				mi = 0;
			}
		}
		else if (defect == DEF_EMPTY_FRACTION)
			ndig = 0;
		put(g, "%c%02d:%02d", seps[take(rd, 3)], hh, mi);
		if (has_sec)
		{
			put(g, ":%02d", ss);
			if (ndig > 0 || defect == DEF_EMPTY_FRACTION)
			{
				put(g, "%c", take(rd, 4) ? '.' : ',');
				for (int i = 0; i < ndig; i++)
				{
					int			digit = hh == 24 && defect != DEF_AFTER_24 ? 0 : (int) take(rd, 10);

					put(g, "%d", digit);
					if (i < 6)
						frac = frac * 10 + digit;
				}
				for (int i = ndig; i < 6; i++)
					frac *= 10;
			}
		}
		zone = (int) take(rd, 6);	/* none, Z, z, +hh:mm, +hhmm, +hh */
		if (defect == DEF_OFFSET_HOUR && zone < 3)
			zone = 3;
		if (defect == DEF_OFFSET_MINUTE && zone != 3 && zone != 4)
			zone = 3;
		if (zone >= 3)
		{
			sign = take(rd, 2) ? 1 : -1;
			oh = (int) take(rd, 16);
			om = zone == 5 ? 0 : (int) take(rd, 60);
			if (defect == DEF_OFFSET_HOUR)
				oh = 16 + (int) take(rd, 84);
			if (defect == DEF_OFFSET_MINUTE)
				om = 60 + (int) take(rd, 40);
		}
		switch (zone)
		{
			case 1:
				put(g, "Z");
				break;
			case 2:
				put(g, "z");
				break;
			case 3:
				put(g, "%c%02d:%02d", sign > 0 ? '+' : '-', oh, om);
				break;
			case 4:
				put(g, "%c%02d%02d", sign > 0 ? '+' : '-', oh, om);
				break;
			case 5:
				put(g, "%c%02d", sign > 0 ? '+' : '-', oh);
				break;
		}
	}
	else if (take(rd, 4) == 0)
		put(g, take(rd, 2) ? "Z" : "z");	/* a date with a zone letter */

	if (defect == DEF_JUNK)
	{
		static const char junk[] = "x#!/:.T";

		put(g, "%c", junk[take(rd, sizeof(junk) - 1)]);
	}
	for (unsigned i = take(rd, 4) == 0 ? 1 + take(rd, 3) : 0; i > 0; i--)
		put(g, " ");

	if (defect == DEF_NONE)
	{
		int64_t		days = ref_days(y, m, d);

		*want_days = (int32_t) days;
		*want_usecs = days * USECS_PER_DAY +
			((int64_t) hh * 3600 + mi * 60 + (ss == 60 ? 59 : ss)) * USECS_PER_SEC + frac -
			(int64_t) sign * (oh * 3600 + om * 60) * USECS_PER_SEC;
	}
}

static void
check_generated(const uint8_t *data, size_t size)
{
	Reader		rd = {data, size, 0};
	Gen			g;
	int64_t		want_t = 0,
				t = 0;
	int32_t		want_d = 0,
				d = 0;
	int			defect;

	/* a valid string */
	generate(&rd, DEF_NONE, &g, &want_t, &want_d);
	FUZZ_CHECK(azb_parse_timestamp(g.s, &t) && t == want_t,
			   "parse_timestamp(%s) = %lld, want %lld", fuzz_show(0, g.s),
			   azb_parse_timestamp(g.s, &t) ? (long long) t : -1LL, (long long) want_t);
	FUZZ_CHECK(azb_parse_date(g.s, &d) && d == want_d,
			   "parse_date(%s) = %d, want %d", fuzz_show(0, g.s),
			   azb_parse_date(g.s, &d) ? d : -1, want_d);
	fuzz_check_time_string(g.s);

	/* the same kind of string with one defect */
	defect = 1 + (int) take(&rd, DEF_COUNT - 1);
	generate(&rd, defect, &g, &want_t, &want_d);
	FUZZ_CHECK(!azb_parse_timestamp(g.s, &t),
			   "parse_timestamp accepts %s (%s) as %lld", fuzz_show(0, g.s),
			   defect_names[defect], (long long) t);
	FUZZ_CHECK(!azb_parse_date(g.s, &d),
			   "parse_date accepts %s (%s) as %d", fuzz_show(0, g.s), defect_names[defect], d);
}

/* civil <-> days over PostgreSQL's whole date range (4714-11-24 BC .. 5874897 AD) */
static void
check_days(const uint8_t *data, size_t size)
{
	const int64_t lo = -2451545,
				hi = 2145031948;
	uint32_t	raw = 0;
	int32_t		days;
	int			y,
				m,
				d;

	for (size_t i = 0; i < 4 && i < size; i++)
		raw = (raw << 8) | data[size - 1 - i];
	days = (int32_t) (lo + (int64_t) (raw % (uint32_t) (hi - lo + 1)));
	azb_civil_from_days(days, &y, &m, &d);
	FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31, "civil_from_days(%d) = %d-%d-%d", days, y, m, d);
	FUZZ_CHECK(azb_days_from_civil(y, m, d) == days, "civil_from_days(%d) = %d-%d-%d = day %d",
			   days, y, m, d, azb_days_from_civil(y, m, d));
	if (y >= 1)
		FUZZ_CHECK(d <= ref_days_in_month(y, m) && ref_days(y, m, d) == days,
				   "civil_from_days(%d) = %d-%d-%d, which is day %lld", days, y, m, d,
				   (long long) ref_days(y, m, d));
	if (days < hi)
	{
		int			y2,
					m2,
					d2;

		azb_civil_from_days(days + 1, &y2, &m2, &d2);
		FUZZ_CHECK((y2 == y && m2 == m && d2 == d + 1) ||
				   (y2 == y && m2 == m + 1 && d2 == 1) ||
				   (y2 == y + 1 && m2 == 1 && d2 == 1 && m == 12 && d == 31),
				   "day %d is %d-%d-%d, the next %d-%d-%d", days, y, m, d, y2, m2, d2);
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *pieces[16];
	int			n;
	char	   *whole;

	if (size > 1024)
		return 0;
	whole = fuzz_strndup(data, size);
	fuzz_check_time_string(whole);
	free(whole);
	n = fuzz_split(data, size, pieces, 16);
	for (int i = 0; i < n; i++)
		fuzz_check_time_string(pieces[i]);
	fuzz_free_pieces(pieces, n);

	check_generated(data, size);
	check_days(data, size);
	return 0;
}
