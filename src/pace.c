/*-------------------------------------------------------------------------
 *
 * pace.c
 *	  Pacing: a mirror of ARM's per-principal token bucket for reads, filled
 *	  from the x-ms-ratelimit-remaining-*-reads headers and refilled at ARM's
 *	  documented rate, so that requests slow down before Azure answers 429.
 *
 * One bucket per backend: every scan of the backend draws from it.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include <math.h>

#define AZB_READS_REFILL_PER_SEC 25.0
#define AZB_READS_RESERVE 2.0

static double pace_tokens = -1;	/* unknown until a response says */
static double pace_cap = 0;
static TimestampTz pace_ts = 0;

static double
pace_estimate(TimestampTz now)
{
	double		est;

	if (pace_tokens < 0)
		return -1;
	est = pace_tokens + (double) (now - pace_ts) / 1000000.0 * AZB_READS_REFILL_PER_SEC;
	return Min(est, Max(pace_cap, 1.0 + AZB_READS_RESERVE));
}

/*
 * How long to wait before the next request so as not to empty Azure's read
 * bucket (0: go now).
 */
long
azb_pace_ms(void)
{
	double		est = pace_estimate(GetCurrentTimestamp());

	if (est < 0 || est >= 1.0 + AZB_READS_RESERVE)
		return 0;
	return (long) ceil((1.0 + AZB_READS_RESERVE - est) / AZB_READS_REFILL_PER_SEC * 1000.0);
}

/* A request is about to start: it takes a token from the mirror. */
void
azb_pace_take(void)
{
	TimestampTz now = GetCurrentTimestamp();
	double		est = pace_estimate(now);

	if (est < 0)
		return;
	pace_tokens = est - 1.0;
	pace_ts = now;
}

/*
 * An answer said how many reads are left.  Answers arrive out of order, and
 * requests started since this one were served after it: Azure's figure can
 * only lower the estimate (the refill is what raises it).
 */
void
azb_pace_report(long reads_left)
{
	TimestampTz now = GetCurrentTimestamp();
	double		est = pace_estimate(now);

	pace_cap = Max(pace_cap, (double) reads_left);
	pace_tokens = (est < 0) ? (double) reads_left : Min(est, (double) reads_left);
	pace_ts = now;
}
