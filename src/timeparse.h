/*-------------------------------------------------------------------------
 *
 * timeparse.h
 *	  Dates, times and numbers as Azure sends them, read without the backend.
 *
 * Accepted: ISO 8601 dates and date-times with 0 to 9 fractional digits
 * (beyond microseconds truncated, never rounded), with "Z", an offset
 * (+hh:mm, +hhmm, +hh) or none (UTC); and the US form M/D/YYYY, optionally
 * followed by a time of day.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_TIMEPARSE_H
#define AZB_TIMEPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* microseconds and days are counted from 2000-01-01 00:00:00 UTC, as in PostgreSQL */
extern bool azb_parse_timestamp(const char *s, int64_t *usecs);
extern bool azb_parse_date(const char *s, int32_t *days);
extern int32_t azb_days_from_civil(int y, int m, int d);
extern void azb_civil_from_days(int32_t days, int *y, int *m, int *d);
extern void azb_format_date(int32_t days, char *out);	/* YYYY-MM-DD, 11 bytes */

/*
 * A JSON number's shortest decimal form as n / 10^scale, when it has at most
 * 9 decimals and fewer than 16 digits (amounts do): false otherwise.
 */
extern bool azb_short_decimal(double d, int64_t *n, int *scale);

#endif							/* AZB_TIMEPARSE_H */
