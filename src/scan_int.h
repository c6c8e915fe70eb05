/*-------------------------------------------------------------------------
 *
 * scan_int.h
 *	  The scan's private state, shared by the files of the scan engine:
 *	  scan.c (executor and async callbacks), scan_quals.c (the values the
 *	  query binds), scan_tasks.c (tasks, requests and each answer's
 *	  outcome), scan_agreement.c (agreement types a chain serves) and
 *	  explain.c (what EXPLAIN shows).
 *
 * A scan runs its chain of steps (catalog.h) as tasks.  A task is one
 * route with its scope values bound; it walks its nextLink chain one page
 * at a time.  Pages of enumeration steps spawn the tasks of the next step;
 * pages of the target step queue up for the executor.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_SCAN_INT_H
#define AZB_SCAN_INT_H

#include "azb.h"

#include "access/stratnum.h"
#include "lib/ilist.h"

#define AZB_MAX_SLOTS 16
#define AZB_MAX_LINKS_PER_TASK 1000000
#define AZB_PROGRESS_ROWS 16		/* drive transfers every so many rows (power of 2) */

typedef struct AzbTask
{
	dlist_node	node;
	int			step;
	char	  **values;			/* per slot; NULL where unbound */
	unsigned	agreement;		/* the billing account's agreement type bit */
	const char *agreement_name;
	const char *type;			/* "type" query value, or NULL */
	char	   *url;			/* what to GET next */
	char	   *path;			/* url without the host, for messages */
	int			pageno;
	int64		nitems;			/* items seen on all its pages */
	int			unparsed;		/* its pages followed before being parsed */
	bool		filtered;		/* its first request carried $filter */
	bool		auth_retried;
	uint64	   *seen;			/* hashes of links followed */
	int			nseen;
	int			maxseen;
} AzbTask;

typedef struct AzbReadyPage
{
	dlist_node	node;
	AzbTask    *task;
	MemoryContext cxt;
	AzbPage    *page;			/* NULL until parsed */
	int			pageno;
	int			next_item;
	char	   *path;
	/* a page whose next page was requested before it was parsed */
	char	   *body;			/* malloc'd; freed with cxt */
	size_t		body_len;
	char	   *content_type;
	char	   *followed;		/* the nextLink already followed */
	char	   *cache_url;		/* its URL, to keep it in the result cache once
								 * parsed; NULL when it came from there */
	MemoryContextCallback free_body;
} AzbReadyPage;

typedef struct AzbBinding
{
	char	   *column;
	int			expr;
	bool		is_array;
	bool		from_join;		/* a parameterized path's join clause */
} AzbBinding;

struct AzbScan
{
	MemoryContext cxt;			/* lives as long as the scan */
	MemoryContext runcxt;		/* tasks and pages of one execution; reset by rescan */
	MemoryContext rowcxt;		/* one row */
	Relation	rel;
	AzbOptions *opts;
	const AzbResourceDef *res;
	int			version;
	const AzbVersionDef *vdef;
	AzbChain	chain;
	bool		explain_only;

	/* slots: the scope columns the chain binds */
	int			nslots;
	const char *slot_names[AZB_MAX_SLOTS];
	List	   *slot_values[AZB_MAX_SLOTS]; /* of char *: values bound by the query */
	bool		slot_bound[AZB_MAX_SLOTS];
	bool		slot_joined[AZB_MAX_SLOTS];	/* the value came from a join */

	List	   *bindings;		/* AzbBinding */
	List	   *date_exprs;		/* date conditions: their fdw_exprs indexes ... */
	List	   *date_strategies;	/* ... and btree strategies (IntLists) */
	List	   *filter_keys;	/* $filter conditions: properties' keys ... */
	List	   *filter_exprs;	/* ... and their fdw_exprs indexes */
	char	   *odata_filter;	/* the $filter text (not encoded), or NULL */
	bool		filter_refused; /* Azure refused the $filter: send none */
	List	   *expr_states;	/* ExprState per fdw_exprs entry */
	List	   *types;			/* billed statuses to fetch */
	bool		typed_by_query;
	bool		have_lower,
				have_upper;
	int32		lower,
				upper;			/* the query's date window, in days */
	bool		empty;			/* the quals cannot match: no request at all */
	char	   *lower_shown;	/* EXPLAIN: date bounds known only at run time, */
	char	   *upper_shown;	/* as SQL expressions; NULL when none */

	AzbDecoder *dec;
	AzbTransferSet *xfers;
	AzbHttpStats stats;
	AzbHttpStats stats_counted;	/* what azbilling_stats has of stats */
	char	   *token;
	MemoryContextCallback wipe;

	bool		started;
	dlist_head	pending;		/* tasks waiting to send a request */
	int			npending;
	int			nactive;		/* tasks with a request in flight */
	dlist_head	ready;			/* target pages waiting for the executor */
	int			nready;
	AzbReadyPage *current;

	long		pace_ms;		/* waiting for Azure's read budget to refill */
	AzbWaiter  *waiter;			/* for an async Append, made on first wait */
	bool		async_mode;		/* inside an async request: never block */
	bool		async_pending;	/* ... and no row was ready */
	int64		pages;
	int64		rows;
	int64		tasks;
	int64		cache_hits;		/* pages served from the result cache */
	int64		cache_misses;	/* pages requested while the cache is on */

	/* with a row bound (LIMIT), requests start only while rows are needed */
	int			row_bound;		/* -1: none */
	int64		run_rows;		/* rows returned by this execution */
	int64		run_items;		/* items on its parsed target pages */
	int64		run_item_pages; /* ... and how many pages that was */
	List	   *accounts;		/* agreement types looked up: List(String column,
								 * String value, Integer bit, String name) */
	List	   *skipped_scopes; /* String: scopes skipped under skip_forbidden */
};

/* The route of a step of the scan's chain. */
static inline const AzbRouteDef *
azb_scan_route(AzbScan *s, int step)
{
	const AzbStep *st = &s->chain.steps[step];

	return &azb_catalog_version(st->resource, s->version)->routes[st->route];
}

/* The slot of a scope column, or -1 when the chain does not use it. */
static inline int
azb_scan_slot(AzbScan *s, const char *name)
{
	for (int i = 0; i < s->nslots; i++)
		if (strcmp(s->slot_names[i], name) == 0)
			return i;
	return -1;
}

/* Does a date condition of this strategy bound the window from below, from above? */
static inline bool
azb_scan_bounds_lower(int strategy)
{
	return strategy == BTGreaterStrategyNumber || strategy == BTGreaterEqualStrategyNumber ||
		strategy == BTEqualStrategyNumber;
}

static inline bool
azb_scan_bounds_upper(int strategy)
{
	return strategy == BTLessStrategyNumber || strategy == BTLessEqualStrategyNumber ||
		strategy == BTEqualStrategyNumber;
}

/* scan_quals.c */
extern bool azb_scan_evaluate(AzbScan *s, ExprContext *econtext, bool only_consts);
extern int32 azb_scan_today(void);

/* scan_tasks.c */
extern char *azb_scan_request(AzbScan *s, int step, char **values, const char *type,
							  bool for_explain, bool with_filter);
extern void azb_scan_combination(AzbScan *s, char **values, const int *expand, int nexpand,
								 const int *idx);
extern bool azb_scan_next_combination(AzbScan *s, const int *expand, int nexpand, int *idx);
extern void azb_scan_start_run(AzbScan *s);
extern void azb_scan_advance(AzbScan *s, long wait_ms);
extern void azb_scan_progress(AzbScan *s);
extern void azb_scan_parse_page(AzbScan *s, AzbReadyPage *rp);

/* scan_agreement.c */
extern bool azb_scan_route_uses_source(const AzbRouteDef *route);
extern unsigned azb_scan_chain_agreements(AzbScan *s, int step);
extern bool azb_scan_check_account(AzbScan *s, AzbTask *task);

#endif							/* AZB_SCAN_INT_H */
