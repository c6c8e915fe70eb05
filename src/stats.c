/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  Request counters per server and operation, behind the view
 *	  azbilling_stats and azbilling_stats_reset().
 *
 * The counters are a fixed array of entries keyed by (server, operation
 * id).  When the library is in shared_preload_libraries the array lives in
 * shared memory under one LWLock, and counts every backend; otherwise it
 * lives in this backend's TopMemoryContext and counts this backend only.
 * Nothing is ever written to a table, so the view works in read-only
 * transactions and on standbys.  Operation "(token)" holds a server's
 * token fetches and cache hits; cache_hits counts pages the result
 * cache (cache.c) served instead of a request.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lwlock.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "shmem.h"
#include "stats.h"

#define AZB_STATS_ENTRIES	512
#define AZB_STATS_OPLEN		96
#define AZB_STATS_CLASSES	8	/* SQLSTATE classes kept per entry */
#define AZB_TOKEN_OP		"(token)"

typedef struct AzbStatsEntry
{
	Oid			serverid;
	char		operation[AZB_STATS_OPLEN];
	AzbStatsDelta counts;		/* requests, pages, rows, bytes, retries, 429s, wait */
	int64		token_fetches;
	int64		token_hits;
	int64		cache_hits;		/* pages served from the result cache */
	char		err_class[AZB_STATS_CLASSES][3];
	int64		err_count[AZB_STATS_CLASSES];
	int64		skipped;		/* scopes skipped under skip_forbidden */
} AzbStatsEntry;

typedef struct AzbStatsArea
{
	int			nentries;
	bool		full;			/* an entry could not be added */
	AzbStatsEntry entries[AZB_STATS_ENTRIES];
} AzbStatsArea;

static AzbStatsArea *area = NULL;
static LWLock *area_lock = NULL;	/* NULL: backend-local counters */

/* The shared area, attached (shmem.c) */
static void
stats_attach(void *mem, LWLock *lock, bool first)
{
	area = mem;
	area_lock = lock;
}

/*
 * Called from _PG_init: in the postmaster while shared_preload_libraries
 * load, ask for shared memory; otherwise counters stay in the backend.
 */
void
azb_stats_init(void)
{
	azb_shmem_add("azbilling_fdw stats", sizeof(AzbStatsArea), stats_attach);
}

/* The counters' area, made in this backend when there is no shared one. */
static AzbStatsArea *
stats_area(void)
{
	if (area == NULL)
		area = MemoryContextAllocZero(TopMemoryContext, sizeof(AzbStatsArea));
	return area;
}

/* The entry of (server, operation), added if new; NULL when the array is full.  Caller holds the lock. */
static AzbStatsEntry *
stats_entry(Oid serverid, const char *operation)
{
	AzbStatsArea *a = stats_area();
	AzbStatsEntry *e;
	int			i;

	if (operation == NULL)
		operation = "(unknown)";
	for (i = 0; i < a->nentries; i++)
	{
		e = &a->entries[i];
		if (e->serverid == serverid && strncmp(e->operation, operation, AZB_STATS_OPLEN - 1) == 0)
			return e;
	}
	if (a->nentries >= AZB_STATS_ENTRIES)
	{
		a->full = true;
		return NULL;
	}
	e = &a->entries[a->nentries++];
	memset(e, 0, sizeof(*e));
	e->serverid = serverid;
	strlcpy(e->operation, operation, AZB_STATS_OPLEN);
	return e;
}

static void
stats_lock(void)
{
	stats_area();
	if (area_lock)
		LWLockAcquire(area_lock, LW_EXCLUSIVE);
}

static void
stats_unlock(void)
{
	if (area_lock)
		LWLockRelease(area_lock);
}

/* A finished request (or a started one: d says what to add). */
void
azb_stats_count_request(Oid serverid, const char *operation_id, const AzbStatsDelta *d)
{
	AzbStatsEntry *e;

	stats_lock();
	e = stats_entry(serverid, operation_id);
	if (e)
	{
		e->counts.requests += d->requests;
		e->counts.pages += d->pages;
		e->counts.rows += d->rows;
		e->counts.bytes += d->bytes;
		e->counts.retries += d->retries;
		e->counts.throttled += d->throttled;
		e->counts.wait_ms += d->wait_ms;
	}
	stats_unlock();
}

/* Rows of a page parsed later than its answer arrived. */
void
azb_stats_count_rows(Oid serverid, const char *operation_id, int64 rows)
{
	AzbStatsDelta d = {0};

	d.rows = rows;
	azb_stats_count_request(serverid, operation_id, &d);
}

/* A request that ends the scan with an error of this SQLSTATE class. */
void
azb_stats_count_error(Oid serverid, const char *operation_id, const char *sqlstate_class)
{
	AzbStatsEntry *e;
	int			i;

	stats_lock();
	e = stats_entry(serverid, operation_id);
	for (i = 0; e && i < AZB_STATS_CLASSES; i++)
	{
		if (e->err_class[i][0] == '\0')
			strlcpy(e->err_class[i], sqlstate_class, 3);
		if (strncmp(e->err_class[i], sqlstate_class, 2) == 0)
		{
			e->err_count[i]++;
			break;
		}
	}
	stats_unlock();
}

/* Add one to the counter at offset (an int64 of the entry) of (server, operation). */
static void
count_one(Oid serverid, const char *operation_id, size_t offset)
{
	AzbStatsEntry *e;

	stats_lock();
	e = stats_entry(serverid, operation_id);
	if (e)
		(*(int64 *) ((char *) e + offset))++;
	stats_unlock();
}

/* A page served from the result cache instead of a request. */
void
azb_stats_count_cache_hit(Oid serverid, const char *operation_id)
{
	count_one(serverid, operation_id, offsetof(AzbStatsEntry, cache_hits));
}

/* A token fetched from Entra ID (or the identity endpoint), or taken from the cache. */
void
azb_stats_count_token(Oid serverid, bool fetched)
{
	AzbStatsEntry *e;

	stats_lock();
	e = stats_entry(serverid, AZB_TOKEN_OP);
	if (e)
	{
		if (fetched)
			e->token_fetches++;
		else
			e->token_hits++;
	}
	stats_unlock();
}

/* A scope Azure refused that the scan skipped (skip_forbidden). */
void
azb_stats_count_skipped(Oid serverid, const char *operation_id)
{
	count_one(serverid, operation_id, offsetof(AzbStatsEntry, skipped));
}

PG_FUNCTION_INFO_V1(azbilling_stats);
PG_FUNCTION_INFO_V1(azbilling_stats_reset);

/* The counters, one row per (server, operation); the server's name is joined in SQL. */
Datum
azbilling_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AzbStatsEntry *copy;
	int			n;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	stats_lock();
	n = area->nentries;
	copy = palloc(sizeof(AzbStatsEntry) * Max(n, 1));
	memcpy(copy, area->entries, sizeof(AzbStatsEntry) * n);
	stats_unlock();

	for (i = 0; i < n; i++)
	{
		AzbStatsEntry *e = &copy[i];
		Datum		values[15];
		bool		nulls[15] = {0};
		StringInfoData errs;
		int			k;

		initStringInfo(&errs);
		appendStringInfoChar(&errs, '{');
		for (k = 0; k < AZB_STATS_CLASSES && e->err_class[k][0]; k++)
			appendStringInfo(&errs, "%s\"%s\": " INT64_FORMAT, k ? ", " : "",
							 e->err_class[k], e->err_count[k]);
		appendStringInfoChar(&errs, '}');

		values[0] = ObjectIdGetDatum(e->serverid);
		values[1] = CStringGetTextDatum(e->operation);
		values[2] = Int64GetDatum(e->counts.requests);
		values[3] = Int64GetDatum(e->counts.pages);
		values[4] = Int64GetDatum(e->counts.rows);
		values[5] = Int64GetDatum(e->counts.bytes);
		values[6] = Int64GetDatum(e->counts.retries);
		values[7] = Int64GetDatum(e->counts.throttled);
		values[8] = Float8GetDatum(e->counts.wait_ms);
		values[9] = DirectFunctionCall1(jsonb_in, CStringGetDatum(errs.data));
		values[10] = Int64GetDatum(e->token_fetches);
		values[11] = Int64GetDatum(e->token_hits);
		values[12] = Int64GetDatum(e->cache_hits);
		values[13] = CStringGetTextDatum(area_lock ? "shared" : "backend");
		values[14] = Int64GetDatum(e->skipped);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Zero every counter (of this backend, or of the cluster when shared). */
Datum
azbilling_stats_reset(PG_FUNCTION_ARGS)
{
	stats_lock();
	area->nentries = 0;
	area->full = false;
	stats_unlock();
	PG_RETURN_VOID();
}
