/*-------------------------------------------------------------------------
 *
 * stats.h
 *	  Request counters per server and operation (azbilling_stats).
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_STATS_H
#define AZB_STATS_H

#include "postgres.h"

/* what one finished request adds to its operation's counters */
typedef struct AzbStatsDelta
{
	int64		requests;
	int64		pages;
	int64		rows;
	int64		bytes;
	int64		retries;
	int64		throttled;
	double		wait_ms;
} AzbStatsDelta;

extern void azb_stats_init(void);
extern void azb_stats_count_request(Oid serverid, const char *operation_id,
									const AzbStatsDelta *d);
extern void azb_stats_count_rows(Oid serverid, const char *operation_id, int64 rows);
extern void azb_stats_count_error(Oid serverid, const char *operation_id, const char *sqlstate_class);
extern void azb_stats_count_token(Oid serverid, bool fetched);
extern void azb_stats_count_cache_hit(Oid serverid, const char *operation_id);
extern void azb_stats_count_skipped(Oid serverid, const char *operation_id);

#endif							/* AZB_STATS_H */
