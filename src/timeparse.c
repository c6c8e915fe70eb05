/*-------------------------------------------------------------------------
 *
 * timeparse.c
 *	  Dates, times and numbers as Azure sends them, read without the backend.
 *
 * PostgreSQL's own input functions round fractional seconds to microseconds,
 * which turns Azure's period ends ("2020-03-31T23:59:59.9999999") into the
 * next day, and read "07/09/2020" by DateStyle.  Billing data needs
 * truncation and the US reading, so the parsing is done here, directly into
 * PostgreSQL's internal representation.
 *
 *-------------------------------------------------------------------------
 */
#include "timeparse.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define USECS_PER_SEC	INT64_C(1000000)
#define USECS_PER_DAY	INT64_C(86400000000)

/* PostgreSQL's limits: 4713 BC to 5874897 AD for dates; keep to 1..9999 AD */
#define MIN_YEAR 1
#define MAX_YEAR 9999

/*
 * Days from 2000-01-01 to the proleptic Gregorian date y-m-d
 * (Howard Hinnant's days_from_civil, shifted to PostgreSQL's epoch).
 */
int32_t
azb_days_from_civil(int y, int m, int d)
{
	int			era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t) doe - 719468 - 10957;
}

void
azb_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	int32_t		z = days + 10957 + 719468;
	int			era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned	doe = (unsigned) (z - era * 146097);
	unsigned	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned	mp = (5 * doy + 2) / 153;

	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) yoe + era * 400 + (*m <= 2);
}

void
azb_format_date(int32_t days, char *out)
{
	int			y,
				m,
				d;

	azb_civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static bool
valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			max;

	if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Read exactly n digits. */
static bool
digits(const char **s, int n, int *out)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* Read 1 to max digits. */
static bool
some_digits(const char **s, int max, int *out)
{
	int			v = 0,
				n = 0;

	while (n < max && **s >= '0' && **s <= '9')
	{
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	*out = v;
	return n > 0;
}

/*
 * The calendar date at the start of s: ISO YYYY-MM-DD or US M/D/YYYY.
 * Advances *s past it.
 */
static bool
parse_date_part(const char **s, int *y, int *m, int *d)
{
	const char *p = *s;

	if (strlen(p) >= 10 && p[4] == '-' && p[7] == '-')
	{
		if (!digits(&p, 4, y) || *p++ != '-' || !digits(&p, 2, m) ||
			*p++ != '-' || !digits(&p, 2, d))
			return false;
	}
	else
	{
		if (!some_digits(&p, 2, m) || *p++ != '/' || !some_digits(&p, 2, d) ||
			*p++ != '/' || !digits(&p, 4, y))
			return false;
	}
	if (!valid_date(*y, *m, *d))
		return false;
	*s = p;
	return true;
}

/*
 * Parse a time of day with optional fraction and offset, starting after the
 * 'T' (or space).  Sets *usecs to the time of day in microseconds and
 * *offset_secs to the UTC offset.
 */
static bool
parse_time_part(const char **s, int64_t *usecs, int *offset_secs)
{
	const char *p = *s;
	int			hh,
				mi,
				ss = 0;
	int64_t		frac = 0;

	if (!digits(&p, 2, &hh) || *p++ != ':' || !digits(&p, 2, &mi))
		return false;
	if (*p == ':')
	{
		p++;
		if (!digits(&p, 2, &ss))
			return false;
		if (*p == '.' || *p == ',')
		{
			int			n = 0;

			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
			{
				if (n < 6)
					frac = frac * 10 + (*p - '0');
				n++;
				p++;
			}
			if (n > 9)
				return false;
			for (; n < 6; n++)
				frac *= 10;		/* scale to microseconds; extra digits truncated */
		}
	}
	if (hh > 24 || mi > 59 || ss > 60 || (hh == 24 && (mi || ss || frac)))
		return false;
	if (ss == 60)
		ss = 59;				/* a leap second stays within its minute */
	*usecs = ((int64_t) hh * 3600 + mi * 60 + ss) * USECS_PER_SEC + frac;

	*offset_secs = 0;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		int			sign = (*p == '-') ? -1 : 1;
		int			oh,
					om = 0;

		p++;
		if (!digits(&p, 2, &oh))
			return false;
		if (*p == ':')
		{
			p++;
			if (!digits(&p, 2, &om))
				return false;
		}
		else if (*p >= '0' && *p <= '9')
		{
			if (!digits(&p, 2, &om))
				return false;
		}
		if (oh > 15 || om > 59)
			return false;
		*offset_secs = sign * (oh * 3600 + om * 60);
	}
	*s = p;
	return true;
}

/* A parsed date-time as written: calendar day, time of day, offset in seconds. */
typedef struct ParsedTime
{
	int			y,
				m,
				d;
	int64_t		tod;
	int			offset;
} ParsedTime;

/*
 * The whole of a datetime as Azure writes it: a date, then optionally a
 * time (after 'T', 't' or a space) or a bare 'Z', and nothing else but
 * spaces.  The calendar day as written, its time of day and its offset.
 */

static bool
parse_datetime(const char *s, ParsedTime *t)
{
	t->tod = 0;
	t->offset = 0;
	if (s == NULL)
		return false;
	while (*s == ' ')
		s++;
	if (!parse_date_part(&s, &t->y, &t->m, &t->d))
		return false;
	if (*s == 'T' || *s == 't' || (*s == ' ' && s[1] >= '0' && s[1] <= '9'))
	{
		s++;
		if (!parse_time_part(&s, &t->tod, &t->offset))
			return false;
	}
	else if (*s == 'Z' || *s == 'z')
		s++;
	while (*s == ' ')
		s++;
	return *s == '\0';
}

bool
azb_parse_timestamp(const char *s, int64_t *usecs)
{
	ParsedTime	t;

	if (!parse_datetime(s, &t))
		return false;
	*usecs = (int64_t) azb_days_from_civil(t.y, t.m, t.d) * USECS_PER_DAY + t.tod -
		(int64_t) t.offset * USECS_PER_SEC;
	return true;
}

/*
 * A date column takes the calendar date as written: "2023-02-01T17:32:28Z"
 * and "2023-02-01T23:30:00-08:00" are both 2023-02-01.
 */
bool
azb_parse_date(const char *s, int32_t *days)
{
	ParsedTime	t;

	if (!parse_datetime(s, &t))
		return false;
	*days = azb_days_from_civil(t.y, t.m, t.d);
	return true;
}

/* powers of ten that a double holds exactly */
static const double exact_pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/*
 * The shortest decimal that reads back as d has the fewest decimals of all
 * that do: so it is n / 10^k for the first k at which the nearest integer n
 * to d * 10^k gives back d.  n stays below 2^52, where every integer and its
 * quotient by 10^k (one correctly rounded division) are exact steps.
 */
bool
azb_short_decimal(double d, int64_t *n, int *scale)
{
	if (!isfinite(d))
		return false;
	for (int k = 0; k < (int) (sizeof(exact_pow10) / sizeof(exact_pow10[0])); k++)
	{
		double		scaled = rint(d * exact_pow10[k]);

		if (fabs(scaled) >= 4503599627370496.0)
			return false;
		if (scaled / exact_pow10[k] == d)
		{
			*n = (int64_t) scaled;
			*scale = k;
			return true;
		}
	}
	return false;
}
