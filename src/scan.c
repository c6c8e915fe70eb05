/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  The scan state machine: fan-out over scopes, paging, prefetch, a memory
 *	  context per page, rescan.
 *
 * A scan runs its chain of steps (catalog.h) as tasks.  A task is one
 * route with its scope values bound; it walks its nextLink chain one page
 * at a time.  Pages of enumeration steps spawn the tasks of the next step;
 * pages of the target step queue up for the executor.  Up to
 * max_concurrency requests are in flight at once; the next page of a task
 * is requested as soon as the current one arrives (prefetch), and nothing
 * new starts while max_concurrency pages wait to be consumed, so memory
 * stays bounded by a few pages whatever the result size.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/execAsync.h"
#include "executor/executor.h"
#include "storage/latch.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#define AZB_MAX_SLOTS 16
#define AZB_MAX_LINKS_PER_TASK 1000000
#define AZB_PROGRESS_ROWS 16		/* drive transfers every so many rows (power of 2) */

static const char *const all_types[] = {"Billed", "Unbilled", "Other"};

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
	MemoryContextCallback free_body;
} AzbReadyPage;

typedef struct AzbBinding
{
	char	   *column;
	int			expr;
	bool		is_array;
	bool		from_join;		/* a parameterized path's join clause */
} AzbBinding;

typedef struct AzbDateQual
{
	int			expr;
	int			strategy;
} AzbDateQual;

typedef struct AzbFilterQual
{
	char	   *key;			/* the property under "properties" */
	int			expr;
} AzbFilterQual;

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
	List	   *dates;			/* AzbDateQual */
	List	   *filters;		/* AzbFilterQual */
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

	AzbDecoder *dec;
	AzbTransferSet *xfers;
	AzbHttpStats stats;
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

	/* with a row bound (LIMIT), requests start only while rows are needed */
	int			row_bound;		/* -1: none */
	int64		run_rows;		/* rows returned by this execution */
	int64		run_items;		/* items on its parsed target pages */
	int64		run_item_pages; /* ... and how many pages that was */
	List	   *accounts;		/* checked accounts: List(String name, Integer bit) */
};

/* ---------------------------------------------------------------- */
/* Helpers															*/
/* ---------------------------------------------------------------- */

static const AzbRouteDef *
step_route(AzbScan *s, int step)
{
	const AzbStep *st = &s->chain.steps[step];

	return &azb_catalog_version(st->resource, s->version)->routes[st->route];
}

static int
slot_index(AzbScan *s, const char *name)
{
	for (int i = 0; i < s->nslots; i++)
		if (strcmp(s->slot_names[i], name) == 0)
			return i;
	return -1;
}

static void
add_slot(AzbScan *s, const char *name)
{
	if (name == NULL || slot_index(s, name) >= 0)
		return;
	if (s->nslots >= AZB_MAX_SLOTS)
		elog(ERROR, "azbilling_fdw: too many scope slots");
	s->slot_names[s->nslots++] = name;
}

static void
wipe_token(void *arg)
{
	AzbScan    *s = (AzbScan *) arg;

	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
}

/* FNV-1a, for the repeated-nextLink check */
static uint64
hash_link(const char *link)
{
	uint64		h = UINT64CONST(14695981039346656037);

	for (const unsigned char *p = (const unsigned char *) link; *p; p++)
	{
		h ^= *p;
		h *= UINT64CONST(1099511628211);
	}
	return h;
}

static char *
datum_text(Datum d, Oid type)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(type, &out, &varlena);
	return OidOutputFunctionCall(out, d);
}

static bool
is_empty_text(Datum d, Oid type)
{
	return datum_text(d, type)[0] == '\0';
}

/* A datetime value as a UTC calendar day. */
static int32
datum_days(Datum d, Oid type)
{
	TimestampTz ts;

	switch (type)
	{
		case DATEOID:
			return DatumGetDateADT(d);
		case TIMESTAMPOID:
			ts = DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, d));
			break;
		default:
			ts = DatumGetTimestampTz(d);
			break;
	}
	if (TIMESTAMP_NOT_FINITE(ts))
		return TIMESTAMP_IS_NOBEGIN(ts) ? PG_INT32_MIN : PG_INT32_MAX;
	/* floor division: days before 2000 are negative */
	return (int32) ((ts >= 0) ? ts / USECS_PER_DAY : -((-ts + USECS_PER_DAY - 1) / USECS_PER_DAY));
}

static int32
today_utc(void)
{
	return datum_days(TimestampTzGetDatum(GetCurrentTimestamp()), TIMESTAMPTZOID);
}

/* ---------------------------------------------------------------- */
/* Bindings: the values of the query's conditions					*/
/* ---------------------------------------------------------------- */

/*
 * Evaluate the bound values.  Returns false (and sets s->empty) when a
 * condition cannot be true, for example "= NULL".  With only_consts, values
 * that need parameters are left unevaluated (EXPLAIN without ANALYZE).
 */
static bool
evaluate_bindings(AzbScan *s, ExprContext *econtext, bool only_consts)
{
	ListCell   *lc;
	MemoryContext old = MemoryContextSwitchTo(s->runcxt);
	List	   *exprs = NIL;

	for (int i = 0; i < s->nslots; i++)
	{
		s->slot_values[i] = NIL;
		s->slot_bound[i] = false;
		s->slot_joined[i] = false;
	}
	s->types = NIL;
	s->typed_by_query = false;
	s->have_lower = s->have_upper = false;
	s->empty = false;

	/* table options pin scopes first: the table is pinned whatever the query says */
	foreach(lc, s->opts->pins)
	{
		AzbPin	   *pin = lfirst(lc);
		int			si = slot_index(s, pin->column);

		if (si >= 0 && !s->slot_bound[si])
		{
			s->slot_values[si] = list_make1(pstrdup(pin->value));
			s->slot_bound[si] = true;
		}
	}

	foreach(lc, s->bindings)
	{
		AzbBinding *b = lfirst(lc);
		ExprState  *es = list_nth(s->expr_states, b->expr);
		Expr	   *expr = es->expr;
		bool		isnull;
		Datum		d;
		List	   *values = NIL;
		int			si = slot_index(s, b->column);
		bool		is_type = strcmp(b->column, "billed_status") == 0;

		if (only_consts && !IsA(expr, Const))
			continue;
		if (!is_type && (si < 0 || s->slot_bound[si]))
			continue;			/* not used by the chain, or already bound */
		if (is_type && s->typed_by_query)
			continue;
		d = ExecEvalExpr(es, econtext, &isnull);
		if (isnull)
		{
			s->empty = true;
			continue;
		}
		if (b->is_array)
		{
			ArrayType  *arr = DatumGetArrayTypeP(d);
			Datum	   *elems;
			bool	   *nulls;
			int			n;
			int16		typlen;
			bool		typbyval;
			char		typalign;

			get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
			deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
							  &elems, &nulls, &n);
			for (int i = 0; i < n; i++)
				if (!nulls[i] && !(si >= 0 && is_empty_text(elems[i], ARR_ELEMTYPE(arr))))
				{
					char	   *v = datum_text(elems[i], ARR_ELEMTYPE(arr));
					bool		dup = false;
					ListCell   *vc;

					foreach(vc, values)
						if (strcmp((char *) lfirst(vc), v) == 0)
							dup = true;
					if (!dup)
						values = lappend(values, v);
				}
			if (values == NIL)
				s->empty = true;
		}
		else
		{
			char	   *v = datum_text(d, exprType((Node *) expr));

			/* no billing scope has an empty name: nothing to ask for */
			if (v[0] == '\0' && !is_type)
				s->empty = true;
			values = list_make1(v);
		}

		if (is_type)
		{
			s->types = values;
			s->typed_by_query = true;
		}
		else
		{
			s->slot_values[si] = values;
			s->slot_bound[si] = true;
			s->slot_joined[si] = b->from_join;
		}
	}

	/* the date window: the tightest bounds of all date conditions */
	foreach(lc, s->dates)
	{
		AzbDateQual *q = lfirst(lc);
		ExprState  *es = list_nth(s->expr_states, q->expr);
		bool		isnull;
		Datum		d;
		int32		day;

		if (only_consts && !IsA(es->expr, Const))
			continue;
		d = ExecEvalExpr(es, econtext, &isnull);
		if (isnull)
		{
			s->empty = true;
			continue;
		}
		/* "< x" ends the day before x when x is a day's first instant */
		if (q->strategy == BTLessStrategyNumber)
		{
			Oid			t = exprType((Node *) es->expr);

			if (t == DATEOID)
				day = DatumGetDateADT(d) - 1;
			else
			{
				TimestampTz ts = t == TIMESTAMPOID ?
				DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, d)) :
				DatumGetTimestampTz(d);

				day = TIMESTAMP_NOT_FINITE(ts) ? datum_days(d, t) :
					datum_days(TimestampTzGetDatum(ts - 1), TIMESTAMPTZOID);
			}
		}
		else
			day = datum_days(d, exprType((Node *) es->expr));
		if (q->strategy == BTGreaterStrategyNumber ||
			q->strategy == BTGreaterEqualStrategyNumber ||
			q->strategy == BTEqualStrategyNumber)
		{
			if (!s->have_lower || day > s->lower)
				s->lower = day;
			s->have_lower = true;
		}
		if (q->strategy == BTLessStrategyNumber ||
			q->strategy == BTLessEqualStrategyNumber ||
			q->strategy == BTEqualStrategyNumber)
		{
			if (!s->have_upper || day < s->upper)
				s->upper = day;
			s->have_upper = true;
		}
	}
	if (s->have_lower && s->have_upper && s->lower > s->upper)
		s->empty = true;

	/* OData $filter from text property conditions, quoted with '' */
	s->odata_filter = NULL;
	{
		StringInfoData f;

		initStringInfo(&f);
		foreach(lc, s->filters)
		{
			AzbFilterQual *q = lfirst(lc);
			ExprState  *es = list_nth(s->expr_states, q->expr);
			bool		isnull;
			Datum		d;
			char	   *v;
			size_t		n;
			char	   *quoted;

			if (only_consts && !IsA(es->expr, Const))
				continue;
			d = ExecEvalExpr(es, econtext, &isnull);
			if (isnull)
			{
				s->empty = true;
				continue;
			}
			v = datum_text(d, exprType((Node *) es->expr));
			n = azb_request_odata_quote(NULL, 0, v);
			quoted = palloc(n + 1);
			azb_request_odata_quote(quoted, n + 1, v);
			appendStringInfo(&f, "%sproperties/%s eq %s", f.len ? " and " : "", q->key, quoted);
		}
		if (f.len > 0)
			s->odata_filter = f.data;
	}

	if (s->types == NIL)
		for (int i = 0; i < lengthof(all_types); i++)
			s->types = lappend(s->types, (char *) all_types[i]);

	list_free(exprs);
	MemoryContextSwitchTo(old);
	return !s->empty;
}

/* ---------------------------------------------------------------- */
/* Requests															*/
/* ---------------------------------------------------------------- */

/*
 * The path and query of a step's request with the given slot values;
 * placeholders for values not known (EXPLAIN).
 */
static char *
build_request(AzbScan *s, int step, char **values, const char *type, bool for_explain,
			  bool with_filter)
{
	const AzbStep *st = &s->chain.steps[step];
	const AzbRouteDef *route = step_route(s, step);
	const char *pv[AZB_MAX_PARAMS];
	StringInfoData buf;
	size_t		need;
	char	   *path;
	bool		target = st->kind == AZB_STEP_TARGET;

	for (int p = 0; p < route->nparams; p++)
	{
		int			si = slot_index(s, st->slots[p]);

		pv[p] = (si >= 0 && values) ? values[si] : NULL;
	}
	need = azb_request_path(NULL, 0, route->path, pv, route->nparams);
	path = palloc(need + 1);
	azb_request_path(path, need + 1, route->path, pv, route->nparams);

	if (for_explain)
	{
		/* a value not known before execution shows as {column} */
		StringInfoData shown;
		const char *t = route->path;
		int			p = 0;

		initStringInfo(&shown);
		for (; *t; t++)
		{
			if (*t == '{')
			{
				const char *close = strchr(t, '}');

				if (pv[p])
					appendStringInfoString(&shown, azb_encoded(pv[p], false));
				else
					appendStringInfo(&shown, "{%s}", st->slots[p]);
				p++;
				t = close;
				continue;
			}
			appendStringInfoChar(&shown, *t);
		}
		path = shown.data;
	}

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s?api-version=%s", path, s->opts->api_version);
	if (route->flags & AZB_ROUTE_DATES)
	{
		bool		required = (route->flags & AZB_ROUTE_DATES_REQUIRED) != 0;
		bool		have = target && (s->have_lower || s->have_upper);

		if (required || have)
		{
			char		lo[12],
						hi[12];
			int32		lower = (target && s->have_lower) ? s->lower : s->opts->history_start;
			int32		upper = (target && s->have_upper) ? s->upper : Max(today_utc(), lower);

			lower = Max(lower, azb_days_from_civil(1, 1, 1));
			upper = Min(upper, azb_days_from_civil(9999, 12, 31));
			azb_format_date(lower, lo);
			azb_format_date(upper, hi);
			appendStringInfo(&buf, "&periodStartDate=%s&periodEndDate=%s", lo, hi);
		}
	}
	if ((route->flags & AZB_ROUTE_TYPE) && type)
		appendStringInfo(&buf, "&type=%s", azb_encoded(type, true));
	if (with_filter && target && (route->flags & AZB_ROUTE_FILTER) && s->odata_filter &&
		!s->filter_refused)
		appendStringInfo(&buf, "&$filter=%s", azb_encoded(s->odata_filter, true));
	return buf.data;
}

/* The supported agreement types of a route, for messages. */
static char *
agreement_list(unsigned bits)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (unsigned b = 1; b <= AZB_AGR_MOSP; b <<= 1)
		if (bits & b)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", azb_catalog_agreement_name(b));
	return buf.data;
}

static void
enqueue(AzbScan *s, AzbTask *task, bool front)
{
	if (front)
		dlist_push_head(&s->pending, &task->node);
	else
		dlist_push_tail(&s->pending, &task->node);
	s->npending++;
}

/*
 * Create the tasks of a step from a parent's values: the cross product of
 * the values the query binds for slots this step uses first, and of the
 * transaction types for a target that takes one.  A step whose route does
 * not serve an enumerated billing account's agreement type is skipped.
 */
static bool
route_uses_account(const AzbRouteDef *route)
{
	for (int p = 0; p < route->nparams; p++)
		if (strcmp(route->params[p], "billing_account_name") == 0)
			return true;
	return false;
}

/*
 * The agreement types every route of the chain from 'step' on serves (the
 * routes that take the billing account and name their types), as bits.
 */
static unsigned
chain_agreements(AzbScan *s, int step)
{
	unsigned	bits = AZB_AGR_ALL;

	for (int i = step; i < s->chain.nsteps; i++)
	{
		const AzbRouteDef *route = step_route(s, i);

		if (route->agreements != AZB_AGR_ANY && route_uses_account(route))
			bits &= route->agreements;
	}
	return bits;
}

static void
agreement_error(AzbScan *s, const char *account, const char *agreement_name)
{
	StringInfoData ops;
	unsigned	bits = chain_agreements(s, 0);

	initStringInfo(&ops);
	for (int i = 0; i < s->chain.nsteps; i++)
	{
		const AzbRouteDef *route = step_route(s, i);

		if (route->agreements != AZB_AGR_ANY && route_uses_account(route))
			appendStringInfo(&ops, "%s%s (%s)", ops.len ? ", " : "", route->operation_id,
							 agreement_list(route->agreements));
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("table \"%s\" is not supported for billing account \"%s\" of agreement type %s",
					RelationGetRelationName(s->rel), account,
					agreement_name ? agreement_name : "?"),
			 errdetail("Azure serves the table through %s.", ops.data),
			 bits ? errhint("Query %s for a billing account of agreement type %s.",
							RelationGetRelationName(s->rel), agreement_list(bits)) :
			 errhint("No agreement type serves every operation this query needs; give other scope conditions.")));
}

/*
 * A request that named its billing account came back empty or failed: if
 * the route does not serve the account's agreement type, say so instead of
 * returning "no rows" or Azure's vaguer error.  The account's type is looked
 * up once per scan.
 */
static bool
check_explicit_account(AzbScan *s, AzbTask *task)
{
	int			si = slot_index(s, "billing_account_name");
	const char *account;
	const AzbResourceDef *accounts;
	const AzbVersionDef *av;
	AzbHttpSpec spec = {0};
	AzbHttpResult *res;
	unsigned	bit = 0;
	char	   *agreement_name = NULL;
	ListCell   *lc;
	MemoryContext old;

	if (si < 0 || !s->slot_bound[si] || task->values[si] == NULL ||
		chain_agreements(s, 0) == AZB_AGR_ALL)
		return false;
	account = task->values[si];
	foreach(lc, s->accounts)
	{
		List	   *pair = lfirst(lc);

		if (strcmp(strVal(linitial(pair)), account) == 0)
		{
			bit = (unsigned) intVal(lsecond(pair));
			agreement_name = strVal(lthird(pair));
			goto known;
		}
	}

	accounts = azb_catalog_resource("billing_accounts");
	av = azb_catalog_version(accounts, s->version);
	if (av == NULL)
		return false;
	old = MemoryContextSwitchTo(s->runcxt);
	for (int r = 0; r < av->nroutes; r++)
	{
		if ((av->routes[r].flags & AZB_ROUTE_POINT) && av->routes[r].nparams == 1)
		{
			size_t		need = azb_request_path(NULL, 0, av->routes[r].path, &account, 1);
			char	   *path = palloc(need + 1);

			azb_request_path(path, need + 1, av->routes[r].path, &account, 1);
			spec.method = "GET";
			spec.url = psprintf("%s%s?api-version=%s", s->opts->endpoint, path,
								s->opts->api_version);
			spec.bearer = s->token;
			spec.retry = true;
			azb_http_perform(s->xfers, &spec, &res);
			if (res->failure == AZB_XFER_OK && res->status == 200)
			{
				AzbPage    *page = azb_page_parse(res->body, res->body_len,
												  res->content_type, true, path);
				const char *at = azb_item_text(azb_page_item(page, 0),
											   "properties.agreementType");

				bit = azb_catalog_agreement_bit(at);
				agreement_name = at ? pstrdup(at) : "";
			}
			break;
		}
	}
	s->accounts = lappend(s->accounts, list_make3(makeString(pstrdup(account)),
												  makeInteger((int) bit),
												  makeString(agreement_name ? agreement_name : "")));
	MemoryContextSwitchTo(old);

known:
	if (bit != 0 && !(chain_agreements(s, 0) & bit))
	{
		/*
		 * An account the query named is an error; one a join supplied is
		 * like an enumerated one: it has no rows here.
		 */
		if (s->slot_joined[si])
			return true;
		agreement_error(s, account, agreement_name);
	}
	return false;
}

/* Put the current combination (idx) of the expanded slots' values in values. */
static void
combination_values(AzbScan *s, char **values, const int *expand, int nexpand, const int *idx)
{
	for (int e = 0; e < nexpand; e++)
		values[expand[e]] = list_nth(s->slot_values[expand[e]], idx[e]);
}

/* Step idx to the next combination of the expanded slots' values; false after the last. */
static bool
next_combination(AzbScan *s, const int *expand, int nexpand, int *idx)
{
	for (int e = nexpand - 1; e >= 0; e--)
	{
		if (++idx[e] < list_length(s->slot_values[expand[e]]))
			return true;
		idx[e] = 0;
	}
	return false;
}

static void
spawn(AzbScan *s, int step, char **base, unsigned agreement, const char *agreement_name)
{
	const AzbStep *st = &s->chain.steps[step];
	const AzbRouteDef *route = step_route(s, step);
	int			expand[AZB_MAX_PARAMS];
	int			nexpand = 0;
	int			idx[AZB_MAX_PARAMS] = {0};
	bool		target = st->kind == AZB_STEP_TARGET;
	dlist_head	batch;
	MemoryContext old = MemoryContextSwitchTo(s->runcxt);

	dlist_init(&batch);

	for (int p = 0; p < route->nparams; p++)
	{
		int			si = slot_index(s, st->slots[p]);

		if (si >= 0 && (base == NULL || base[si] == NULL) && s->slot_bound[si])
		{
			bool		dup = false;

			for (int e = 0; e < nexpand; e++)
				if (expand[e] == si)
					dup = true;
			if (!dup)
				expand[nexpand++] = si;
		}
	}

	/*
	 * An enumerated account of a type that this or a later route does not
	 * serve is skipped: no request would answer for it.
	 */
	if (agreement != 0 && !(chain_agreements(s, step) & agreement))
	{
		MemoryContextSwitchTo(old);
		return;
	}

	for (;;)
	{
		char	  **values = palloc0(sizeof(char *) * AZB_MAX_SLOTS);
		int			ntypes = (target && (route->flags & AZB_ROUTE_TYPE)) ? list_length(s->types) : 1;

		if (base)
			memcpy(values, base, sizeof(char *) * AZB_MAX_SLOTS);
		combination_values(s, values, expand, nexpand, idx);

		for (int ti = 0; ti < ntypes; ti++)
		{
			AzbTask    *task = palloc0(sizeof(AzbTask));
			char	   *req;

			task->step = step;
			task->pageno = 1;
			task->values = values;
			task->agreement = agreement;
			task->agreement_name = agreement_name;
			task->type = (target && (route->flags & AZB_ROUTE_TYPE)) ? list_nth(s->types, ti) : NULL;
			req = build_request(s, step, values, task->type, false, true);
			task->filtered = strstr(req, "&$filter=") != NULL;
			task->path = req;
			task->url = psprintf("%s%s", s->opts->endpoint, req);
			if (target)
				dlist_push_tail(&batch, &task->node);
			else
				enqueue(s, task, false);
			s->tasks++;
		}
		if (!next_combination(s, expand, nexpand, idx))
			break;
	}

	/*
	 * Depth first: the table's own requests run before more enumeration,
	 * in the order spawned (Billed, Unbilled, Other; values as listed).
	 */
	while (!dlist_is_empty(&batch))
	{
		dlist_node *last = dlist_tail_node(&batch);

		dlist_delete(last);
		enqueue(s, dlist_container(AzbTask, node, last), true);
	}
	MemoryContextSwitchTo(old);
}

/*
 * Under a row bound, how many requests may be in flight: as many pages as
 * the rows still needed fill, at the rows per page seen so far, beyond
 * those already waiting; one at a time before any page was seen.  When the
 * buffered rows cover the bound, none, unless nothing is buffered at all:
 * then the executor is asking (local quals rejected rows) and must get
 * an answer.
 */
static int
bounded_concurrency(AzbScan *s)
{
	double		per_page = s->run_item_pages > 0 ?
		(double) s->run_items / s->run_item_pages : -1;
	double		buffered = 0;
	bool		any = false;
	dlist_iter	iter;
	double		need;

	if (s->current && s->current->page &&
		s->current->next_item < azb_page_nitems(s->current->page))
	{
		buffered += azb_page_nitems(s->current->page) - s->current->next_item;
		any = true;
	}
	dlist_foreach(iter, &s->ready)
	{
		AzbReadyPage *rp = dlist_container(AzbReadyPage, node, iter.cur);

		any = true;
		if (rp->page)
			buffered += azb_page_nitems(rp->page) - rp->next_item;
		else if (per_page >= 0)
			buffered += per_page;
		else
			return 0;			/* parse it before asking for more */
	}
	need = (double) s->row_bound - s->run_rows - buffered;
	if (need <= 0)
		return any ? 0 : 1;
	if (per_page <= 0)
		return 1;
	return (int) Min(ceil(need / per_page), (double) s->opts->max_concurrency);
}

/* Start requests while there is room (and Azure's read budget allows). */
static void
pump(AzbScan *s)
{
	int			ready_limit = Max(2, s->opts->max_concurrency);
	int			concurrency = s->opts->max_concurrency;

	s->pace_ms = 0;
	if (s->row_bound >= 0 && s->npending > 0)
		concurrency = bounded_concurrency(s);
	while (s->npending > 0 && s->nactive < concurrency &&
		   s->nready < ready_limit)
	{
		AzbTask    *task;
		AzbHttpSpec spec = {0};
		const char *tok;
		long		pace = azb_http_pace_ms();

		if (pace > 0)
		{
			/* slow down before Azure answers 429 */
			s->pace_ms = pace;
			s->stats.wait_ms += Min(pace, 100);
			break;
		}
		azb_http_pace_take();
		task = dlist_container(AzbTask, node, dlist_pop_head_node(&s->pending));

		s->npending--;
		tok = azb_auth_token(s->opts, false);
		if (s->token == NULL || strcmp(s->token, tok) != 0)
		{
			if (s->token)
				explicit_bzero(s->token, strlen(s->token));
			s->token = MemoryContextStrdup(s->cxt, tok);
		}
		spec.method = "GET";
		spec.url = task->url;
		spec.bearer = s->token;
		spec.retry = true;
		azb_http_start(s->xfers, &spec, task);
		s->nactive++;
	}
}

/* Has this task already followed that link? Records it if not. */
static bool
link_seen(AzbTask *task, const char *link)
{
	uint64		h = hash_link(link);

	for (int i = 0; i < task->nseen; i++)
		if (task->seen[i] == h)
			return true;
	if (task->nseen == task->maxseen)
	{
		task->maxseen = task->maxseen ? task->maxseen * 2 : 8;
		task->seen = task->seen ? repalloc(task->seen, sizeof(uint64) * task->maxseen) :
			palloc(sizeof(uint64) * task->maxseen);
	}
	task->seen[task->nseen++] = h;
	return false;
}

/* Queue the task's next page, after checking where its nextLink points. */
static void
follow_link(AzbScan *s, AzbTask *task, const char *link)
{
	char		host[256];
	AzbLinkCheck check;
	size_t		need;
	char	   *url;
	MemoryContext old;

	check = azb_request_check_link(s->opts->endpoint, link, s->opts->trusted_hosts,
								   host, sizeof(host));
	switch (check)
	{
		case AZB_LINK_SAME_HOST:
		case AZB_LINK_RELATIVE:
		case AZB_LINK_TRUSTED_HOST:
			break;
		case AZB_LINK_FOREIGN_HOST:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Azure's nextLink points at another host, \"%s\"", host),
					 errdetail("The next page of %s would be fetched from a host other than the endpoint; the bearer token is never sent there.",
							   RelationGetRelationName(s->rel)),
					 errhint("If the host is genuinely Azure's, a superuser can list it in the server's trusted_hosts option."),
					 errcontext("page %d of GET %s", task->pageno, task->path)));
			break;
		case AZB_LINK_BAD_SCHEME:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Azure's nextLink does not use https"),
					 errdetail("The next page of %s would be fetched over an insecure scheme from host \"%s\".",
							   RelationGetRelationName(s->rel), host),
					 errhint("This is a service or proxy defect; the token is never sent without TLS."),
					 errcontext("page %d of GET %s", task->pageno, task->path)));
			break;
		case AZB_LINK_INVALID:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("Azure's nextLink is not a valid URL"),
					 errdetail("The list page's nextLink cannot be followed."),
					 errhint("This is a service defect; report it with the request id."),
					 errcontext("page %d of GET %s", task->pageno, task->path)));
			break;
	}

	old = MemoryContextSwitchTo(s->runcxt);
	need = azb_request_resolve(NULL, 0, s->opts->endpoint, link);
	url = palloc(need + 1);
	azb_request_resolve(url, need + 1, s->opts->endpoint, link);
	if (link_seen(task, url) || task->nseen > AZB_MAX_LINKS_PER_TASK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("Azure's nextLink repeats an earlier page"),
				 errdetail("Page %d of %s links back to a page already read; following it would loop forever.",
						   task->pageno, RelationGetRelationName(s->rel)),
				 errhint("This is a service defect; retry the query later."),
				 errcontext("page %d of GET %s", task->pageno, task->path)));
	task->url = url;
	task->path = pstrdup(azb_request_path_of(url));
	task->pageno++;
	MemoryContextSwitchTo(old);
	/* the next page goes first: it is the prefetch of what the executor reads next */
	enqueue(s, task, true);
}

/* Handle an enumeration or check page: spawn the next step's tasks. */
static void
handle_parent_page(AzbScan *s, AzbTask *task, AzbPage *page)
{
	const AzbStep *st = &s->chain.steps[task->step];
	const AzbVersionDef *pv = azb_catalog_version(st->resource, s->version);
	int			si = slot_index(s, st->produces);
	bool		accounts = strcmp(st->resource->name, "billing_accounts") == 0;

	for (int i = 0; i < azb_page_nitems(page); i++)
	{
		AzbItem    *item = azb_page_item(page, i);
		char	  **values;
		char	   *value;
		unsigned	agreement = task->agreement;
		const char *agreement_name = task->agreement_name;

		value = azb_item_scope(item, pv, st->produces);
		if (value == NULL)
		{
			const char *name = azb_item_text(item, "name");

			value = name ? pstrdup(name) : NULL;
		}
		if (value == NULL)
			continue;
		if (accounts)
		{
			const char *at = azb_item_text(item, "properties.agreementType");

			agreement = azb_catalog_agreement_bit(at);
			agreement_name = at ? MemoryContextStrdup(s->runcxt, at) : NULL;
		}
		values = MemoryContextAlloc(s->runcxt, sizeof(char *) * AZB_MAX_SLOTS);
		memcpy(values, task->values, sizeof(char *) * AZB_MAX_SLOTS);
		values[si] = MemoryContextStrdup(s->runcxt, value);
		spawn(s, task->step + 1, values, agreement, agreement_name);
	}
}

static void
free_page_body(void *arg)
{
	AzbReadyPage *rp = (AzbReadyPage *) arg;

	free(rp->body);
	rp->body = NULL;
}

/*
 * Parse a page whose next page is already on its way, and check that the
 * nextLink its tail named is the one the parse finds.
 */
static void
parse_ready_page(AzbScan *s, AzbReadyPage *rp)
{
	MemoryContext old = MemoryContextSwitchTo(rp->cxt);
	const char *link;
	bool		has_link;

	rp->page = azb_page_parse(rp->body, rp->body_len, rp->content_type, false, rp->path);
	MemoryContextSwitchTo(old);
	free(rp->body);
	rp->body = NULL;
	rp->task->unparsed--;
	rp->task->nitems += azb_page_nitems(rp->page);
	s->run_items += azb_page_nitems(rp->page);
	s->run_item_pages++;
	link = azb_page_next_link(rp->page, &has_link);
	if (!has_link || strcmp(link, rp->followed) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure's page has an ambiguous nextLink"),
				 errdetail("The page's text ends with one nextLink, its parsed JSON holds %s.",
						   has_link ? "another" : "none"),
				 errhint("This is a service defect; report it with the request id."),
				 errcontext("page %d of GET %s", rp->pageno, rp->path)));
}

/* A request finished: check, parse, and route its page. */
static void
handle_done(AzbScan *s, AzbTransfer *t)
{
	AzbTask    *task = (AzbTask *) azb_http_owner(t);
	AzbHttpResult *res = azb_http_result(t);
	const AzbStep *st = &s->chain.steps[task->step];
	const AzbRouteDef *route = step_route(s, task->step);
	MemoryContext pagecxt;
	MemoryContext old;
	AzbPage    *page;
	const char *link;
	bool		has_link;
	char	   *page_path;
	int			pageno;

	s->nactive--;

	if (res->failure == AZB_XFER_OK && res->status == 401 && !task->auth_retried &&
		s->opts->access_token == NULL)
	{
		/* the token expired mid-scan: refresh it once and resume this page */
		const char *tok;

		azb_http_free(t);
		task->auth_retried = true;
		tok = azb_auth_token(s->opts, true);
		if (s->token)
			explicit_bzero(s->token, strlen(s->token));
		s->token = MemoryContextStrdup(s->cxt, tok);
		enqueue(s, task, true);
		return;
	}

	if (res->failure == AZB_XFER_OK && res->status == 404 &&
		((route->flags & AZB_ROUTE_POINT) || st->speculative))
	{
		/* a named item, or a scope under an enumerated parent, that does not exist */
		azb_http_free(t);
		return;
	}

	if (res->failure == AZB_XFER_OK && res->status == 400 && task->filtered &&
		task->pageno == 1)
	{
		/*
		 * Azure refused the OData filter: ask again without it.  Every
		 * condition is rechecked locally, so the filter only ever saved
		 * transfer; the rest of the scan sends none.
		 */
		MemoryContext old2 = MemoryContextSwitchTo(s->runcxt);
		char	   *req;

		azb_http_free(t);
		s->filter_refused = true;
		req = build_request(s, task->step, task->values, task->type, false, false);
		task->filtered = false;
		task->path = req;
		task->url = psprintf("%s%s", s->opts->endpoint, req);
		MemoryContextSwitchTo(old2);
		enqueue(s, task, true);
		return;
	}

	if (res->failure != AZB_XFER_OK || res->status < 200 || res->status > 299)
	{
		char	   *path = pstrdup(task->path);

		/* Azure's refusal may mean the account's agreement type lacks the route */
		if (res->failure == AZB_XFER_OK && res->status >= 400 && res->status < 500 &&
			check_explicit_account(s, task))
		{
			azb_http_free(t);
			return;
		}
		azb_error_http(RelationGetRelationName(s->rel), "GET", path, res);
	}

	pagecxt = AllocSetContextCreate(s->runcxt, "azbilling_fdw page", ALLOCSET_DEFAULT_SIZES);
	page_path = MemoryContextStrdup(pagecxt, task->path);
	pageno = task->pageno;
	if (++s->pages > s->opts->max_pages)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("scan of %s read more than max_pages (" INT64_FORMAT ") pages",
						RelationGetRelationName(s->rel), s->opts->max_pages),
				 errdetail("The server's max_pages option caps the pages one scan may read; the result would be incomplete."),
				 errhint("Narrow the query with scope or date conditions, or raise max_pages on the server."),
				 errcontext("page %d of GET %s", pageno, page_path)));
	task->auth_retried = false;

	/*
	 * A list page of the table whose tail names its nextLink: request the
	 * next page now and parse this one when the executor reaches it, so
	 * that parsing overlaps the next download.
	 */
	if (st->kind == AZB_STEP_TARGET && !(route->flags & AZB_ROUTE_SINGLE) && res->body)
	{
		size_t		n;

		if (azb_request_tail_next_link(res->body, res->body_len, NULL, 0, &n) == AZB_TAIL_LINK)
		{
			AzbReadyPage *rp = MemoryContextAllocZero(pagecxt, sizeof(AzbReadyPage));

			rp->followed = MemoryContextAlloc(pagecxt, n + 1);
			azb_request_tail_next_link(res->body, res->body_len, rp->followed, n + 1, &n);
			rp->task = task;
			rp->cxt = pagecxt;
			rp->pageno = pageno;
			rp->path = page_path;
			rp->content_type = MemoryContextStrdup(pagecxt, res->content_type);
			rp->body_len = res->body_len;
			rp->body = res->body;	/* the page now owns the body */
			res->body = NULL;
			rp->free_body.func = free_page_body;
			rp->free_body.arg = rp;
			MemoryContextRegisterResetCallback(pagecxt, &rp->free_body);
			azb_http_free(t);
			task->unparsed++;
			follow_link(s, task, rp->followed);
			dlist_push_tail(&s->ready, &rp->node);
			s->nready++;
			return;
		}
	}

	old = MemoryContextSwitchTo(pagecxt);
	page = azb_page_parse(res->body, res->body_len, res->content_type,
						  (route->flags & AZB_ROUTE_SINGLE) != 0, task->path);
	MemoryContextSwitchTo(old);
	azb_http_free(t);			/* the body is parsed: free it now */

	task->nitems += azb_page_nitems(page);
	link = azb_page_next_link(page, &has_link);
	if (has_link)
		follow_link(s, task, link);
	else if (task->nitems == 0 && task->unparsed == 0)
		(void) check_explicit_account(s, task); /* never "no rows" for an unsupported type */

	if (st->kind == AZB_STEP_TARGET)
	{
		AzbReadyPage *rp = MemoryContextAllocZero(pagecxt, sizeof(AzbReadyPage));

		s->run_items += azb_page_nitems(page);
		s->run_item_pages++;

		rp->task = task;
		rp->cxt = pagecxt;
		rp->page = page;
		rp->pageno = pageno;
		rp->path = page_path;
		dlist_push_tail(&s->ready, &rp->node);
		s->nready++;
	}
	else
	{
		handle_parent_page(s, task, page);
		MemoryContextDelete(pagecxt);
	}
}

/*
 * One round of transfer work: start what may start, let libcurl read what
 * has arrived (waiting up to wait_ms for something to happen), and route
 * finished pages.
 */
static void
advance(AzbScan *s, long wait_ms)
{
	AzbTransfer *t;

	pump(s);
	azb_http_drive(s->xfers, wait_ms);
	while ((t = azb_http_next_done(s->xfers)) != NULL)
		handle_done(s, t);
}

/*
 * Keep the transfers moving while the executor consumes rows, without
 * blocking.  Called when a page is taken and every few rows, so that the
 * next page downloads while this one is decoded.
 */
static void
progress(AzbScan *s)
{
	if (s->npending > 0 || s->nactive > 0)
		advance(s, 0);
}

/* ---------------------------------------------------------------- */
/* Executor callbacks												*/
/* ---------------------------------------------------------------- */

static void
start_run(AzbScan *s)
{
	dlist_init(&s->pending);
	dlist_init(&s->ready);
	s->npending = s->nactive = s->nready = 0;
	s->current = NULL;
	s->started = true;
	s->run_rows = s->run_items = s->run_item_pages = 0;
	if (s->empty)
		return;
	spawn(s, 0, NULL, 0, NULL);
}

void
azb_scan_begin(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	AzbScan    *s;
	List	   *private = fsplan->fdw_private;
	const char *names[64];
	int			n = 0;
	ListCell   *lc;
	MemoryContext old;
	Oid			userid;
	List	   *retrieved;

	s = palloc0(sizeof(AzbScan));
	node->fdw_state = s;
	s->cxt = AllocSetContextCreate(estate->es_query_cxt, "azbilling_fdw scan",
								   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(s->cxt);
	s->runcxt = AllocSetContextCreate(s->cxt, "azbilling_fdw run", ALLOCSET_DEFAULT_SIZES);
	s->rowcxt = AllocSetContextCreate(s->cxt, "azbilling_fdw row", ALLOCSET_SMALL_SIZES);
	s->rel = node->ss.ss_currentRelation;
	s->explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;

	s->opts = azb_options_for_table(RelationGetRelid(s->rel));
	s->version = intVal(list_nth(private, AZB_FP_VERSION));
	s->opts->version = s->version;
	s->opts->api_version = pstrdup(azb_api_versions[s->version]);
	s->res = azb_catalog_resource(strVal(list_nth(private, AZB_FP_RESOURCE)));
	s->vdef = azb_catalog_version(s->res, s->version);

	foreach(lc, (List *) list_nth(private, AZB_FP_BOUND))
		if (n < lengthof(names))
			names[n++] = strVal(lfirst(lc));
	if (!azb_catalog_choose(s->res, s->version, names, n, &s->chain))
		elog(ERROR, "azbilling_fdw: no route for a planned scan");

	for (int i = 0; i < s->chain.nsteps; i++)
	{
		const AzbStep *st = &s->chain.steps[i];
		const AzbRouteDef *route = step_route(s, i);

		for (int p = 0; p < route->nparams; p++)
			add_slot(s, st->slots[p]);
		add_slot(s, st->produces);
	}

	foreach(lc, (List *) list_nth(private, AZB_FP_BINDINGS))
	{
		List	   *b = lfirst(lc);
		AzbBinding *bind = palloc(sizeof(AzbBinding));

		bind->column = strVal(linitial(b));
		bind->expr = intVal(lsecond(b));
		bind->is_array = intVal(lthird(b)) != 0;
		bind->from_join = intVal(lfourth(b)) != 0;
		s->bindings = lappend(s->bindings, bind);
	}
	foreach(lc, (List *) list_nth(private, AZB_FP_DATES))
	{
		List	   *d = lfirst(lc);
		AzbDateQual *q = palloc(sizeof(AzbDateQual));

		q->expr = intVal(linitial(d));
		q->strategy = intVal(lsecond(d));
		s->dates = lappend(s->dates, q);
	}
	retrieved = (List *) list_nth(private, AZB_FP_RETRIEVED);
	s->row_bound = intVal(list_nth(private, AZB_FP_ROW_BOUND));
	foreach(lc, (List *) list_nth(private, AZB_FP_FILTERS))
	{
		List	   *f = lfirst(lc);
		AzbFilterQual *q = palloc(sizeof(AzbFilterQual));

		q->key = strVal(linitial(f));
		q->expr = intVal(lsecond(f));
		s->filters = lappend(s->filters, q);
	}
	s->expr_states = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	s->dec = azb_decoder_create(s->rel, s->res, s->vdef, retrieved, s->nslots, s->slot_names);

	s->wipe.func = wipe_token;
	s->wipe.arg = s;
	MemoryContextRegisterResetCallback(s->cxt, &s->wipe);
	s->xfers = azb_http_set_create(s->opts, &s->stats);

	if (s->explain_only)
	{
		/* only what EXPLAIN can show: values known before execution */
		evaluate_bindings(s, node->ss.ps.ps_ExprContext, true);
		MemoryContextSwitchTo(old);
		return;
	}

	userid = azb_compat_scan_user(fsplan, estate);
	azb_options_add_user(s->opts, userid);
	MemoryContextSwitchTo(old);
}

/*
 * The next row.  With nowait (an async Append asking), make one round of
 * progress without blocking and set *pending when no row is ready yet.
 * Returns an empty slot at the end.
 */
static TupleTableSlot *
scan_next(ForeignScanState *node, bool nowait, bool *pending)
{
	AzbScan    *s = (AzbScan *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	bool		progressed = false;

	*pending = false;
	ExecClearTuple(slot);
	if (!s->started)
	{
		MemoryContext old = MemoryContextSwitchTo(s->cxt);

		evaluate_bindings(s, node->ss.ps.ps_ExprContext, false);
		start_run(s);
		MemoryContextSwitchTo(old);
	}

	for (;;)
	{
		if (s->current)
		{
			AzbReadyPage *rp = s->current;

			if (rp->page == NULL)
				parse_ready_page(s, rp);
			if (rp->next_item < azb_page_nitems(rp->page))
			{
				MemoryContext old;
				int			i = rp->next_item++;

				if ((i & (AZB_PROGRESS_ROWS - 1)) == 0)
					progress(s);

				MemoryContextReset(s->rowcxt);
				old = MemoryContextSwitchTo(s->rowcxt);
				/* columns not retrieved are NULL */
				memset(slot->tts_isnull, true,
					   sizeof(bool) * slot->tts_tupleDescriptor->natts);
				azb_decoder_set_context(s->dec, rp->path, rp->pageno, i + 1);
				azb_decoder_row(s->dec, azb_page_item(rp->page, i),
								(const char *const *) rp->task->values,
								rp->task->type, slot->tts_values, slot->tts_isnull);
				MemoryContextSwitchTo(old);
				ExecStoreVirtualTuple(slot);
				s->rows++;
				s->run_rows++;
				return slot;
			}
			/* the page is used up: its memory goes at once */
			s->current = NULL;
			MemoryContextDelete(rp->cxt);
		}
		if (s->nready > 0)
		{
			s->current = dlist_container(AzbReadyPage, node, dlist_pop_head_node(&s->ready));
			s->nready--;
			continue;
		}
		if (s->npending == 0 && s->nactive == 0)
			return slot;		/* all done */
		if (nowait && progressed)
		{
			*pending = true;	/* the Append waits on our descriptor */
			return NULL;
		}

		advance(s, nowait ? 0 : (s->pace_ms > 0 ? Min(s->pace_ms, 100) : 100));
		progressed = true;
	}
}

TupleTableSlot *
azb_scan_next(ForeignScanState *node)
{
	AzbScan    *s = (AzbScan *) node->fdw_state;
	bool		pending;
	TupleTableSlot *slot = scan_next(node, s->async_mode, &pending);

	/* asked by an async Append: no row yet is an empty slot, not the end */
	s->async_pending = pending;
	if (pending)
		return ExecClearTuple(node->ss.ss_ScanTupleSlot);
	return slot;
}

/* ---------------------------------------------------------------- */
/* Async Append														*/
/* ---------------------------------------------------------------- */

bool
azb_scan_async_capable(ForeignPath *path)
{
	return azb_plan_async_capable(path->path.parent);
}

/*
 * A row if one is ready, or a note that we are waiting.  The row goes
 * through the ForeignScan node itself (local quals, projection), with
 * IterateForeignScan told not to block.
 */
static void
async_produce(AsyncRequest *areq)
{
	ForeignScanState *node = (ForeignScanState *) areq->requestee;
	AzbScan    *s = (AzbScan *) node->fdw_state;
	TupleTableSlot *result;

	s->async_mode = true;
	s->async_pending = false;
	result = areq->requestee->ExecProcNodeReal(areq->requestee);
	s->async_mode = false;
	if (TupIsNull(result) && s->async_pending)
		ExecAsyncRequestPending(areq);
	else
		ExecAsyncRequestDone(areq, result);
}

void
azb_scan_async_request(AsyncRequest *areq)
{
	async_produce(areq);
}

/* Wake the Append when a transfer can progress, or after a short while. */
void
azb_scan_async_configure_wait(AsyncRequest *areq)
{
	ForeignScanState *node = (ForeignScanState *) areq->requestee;
	AzbScan    *s = (AzbScan *) node->fdw_state;
	int			fd;

	if (s->waiter == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(s->cxt);

		s->waiter = azb_http_waiter_create();
		MemoryContextSwitchTo(old);
		if (s->waiter == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("could not set up waiting for an asynchronous scan of %s",
							RelationGetRelationName(s->rel)),
					 errdetail("epoll or timerfd descriptors are not available."),
					 errhint("Set async_capable 'false' on the server or table.")));
	}
	fd = azb_http_waiter_arm(s->waiter, s->pace_ms > 0 ? Min(s->pace_ms, 100) : 20);
	AddWaitEventToSet(((AppendState *) areq->requestor)->as_eventset, WL_SOCKET_READABLE, fd,
					  NULL, areq);
}

void
azb_scan_async_notify(AsyncRequest *areq)
{
	async_produce(areq);
}

void
azb_scan_rescan(ForeignScanState *node)
{
	AzbScan    *s = (AzbScan *) node->fdw_state;

	azb_http_cancel_all(s->xfers);
	s->current = NULL;
	MemoryContextReset(s->runcxt);
	/* everything below lived in runcxt */
	s->accounts = NIL;
	s->odata_filter = NULL;
	s->types = NIL;
	for (int i = 0; i < s->nslots; i++)
		s->slot_values[i] = NIL;
	s->started = false;
	s->npending = s->nactive = s->nready = 0;
	dlist_init(&s->pending);
	dlist_init(&s->ready);
}

void
azb_scan_end(ForeignScanState *node)
{
	AzbScan    *s = (AzbScan *) node->fdw_state;

	if (s == NULL)
		return;
	MemoryContextDelete(s->cxt);	/* cancels transfers, wipes the token */
	node->fdw_state = NULL;
}

/* ---------------------------------------------------------------- */
/* EXPLAIN															*/
/* ---------------------------------------------------------------- */

void
azb_scan_describe(ForeignScanState *node, ExplainState *es)
{
	AzbScan    *s = (AzbScan *) node->fdw_state;
	StringInfoData ops;
	MemoryContext old;

	if (s == NULL)
		return;
	old = MemoryContextSwitchTo(s->runcxt);
	initStringInfo(&ops);
	for (int i = 0; i < s->chain.nsteps; i++)
		appendStringInfo(&ops, "%s%s", i ? ", " : "", step_route(s, i)->operation_id);

	ExplainPropertyText("Azure Resource", s->res->name, es);
	ExplainPropertyText("Azure API Version", s->opts->api_version, es);
	ExplainPropertyText("Azure Operations", ops.data, es);

	if (es->verbose)
	{
		List	   *requests = NIL;

		for (int i = 0; i < s->chain.nsteps; i++)
		{
			const AzbStep *st = &s->chain.steps[i];
			const AzbRouteDef *route = step_route(s, i);
			bool		target = st->kind == AZB_STEP_TARGET;
			int			expand[AZB_MAX_PARAMS];
			int			nexpand = 0;
			int			idx[AZB_MAX_PARAMS] = {0};
			int			shown = 0;
			int			ntypes = (target && (route->flags & AZB_ROUTE_TYPE)) ?
				list_length(s->types) : 1;

			/* one line per combination of known values */
			for (int p = 0; p < route->nparams; p++)
			{
				int			si = slot_index(s, st->slots[p]);

				if (si >= 0 && s->slot_bound[si] && s->slot_values[si] != NIL)
					expand[nexpand++] = si;
			}
			for (;;)
			{
				char	  **values = palloc0(sizeof(char *) * AZB_MAX_SLOTS);

				combination_values(s, values, expand, nexpand, idx);
				for (int ti = 0; ti < ntypes; ti++)
				{
					const char *type = (target && (route->flags & AZB_ROUTE_TYPE)) ?
					list_nth(s->types, ti) : NULL;

					if (shown < 20)
						requests = lappend(requests,
										   psprintf("GET %s", build_request(s, i, values, type, true,
																			true)));
					shown++;
				}
				if (!next_combination(s, expand, nexpand, idx))
					break;
			}
			if (shown > 20)
				requests = lappend(requests, psprintf("... and %d more like it", shown - 20));
		}
		if (s->empty)
			requests = list_make1("none: the conditions cannot be true");

		if (es->format == EXPLAIN_FORMAT_TEXT)
		{
			ListCell   *lc;

			foreach(lc, requests)
				ExplainPropertyText("Azure Request", lfirst(lc), es);
		}
		else
			ExplainPropertyList("Azure Requests", requests, es);
		if (s->row_bound >= 0)
			ExplainPropertyInteger("Azure Row Bound", NULL, s->row_bound, es);
	}

	if (es->analyze)
	{
		ExplainPropertyInteger("Azure HTTP Requests", NULL, s->stats.requests, es);
		ExplainPropertyInteger("Azure Pages", NULL, s->pages, es);
		ExplainPropertyInteger("Azure Rows", NULL, s->rows, es);
		ExplainPropertyInteger("Azure Bytes", NULL, s->stats.bytes, es);
		ExplainPropertyInteger("Azure Retries", NULL, s->stats.retries, es);
		ExplainPropertyFloat("Azure Throttle Wait", "ms", s->stats.wait_ms, 0, es);
	}
	MemoryContextSwitchTo(old);
}
