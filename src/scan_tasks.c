/*-------------------------------------------------------------------------
 *
 * scan_tasks.c
 *	  The scan's task engine: requests built from the catalogue, tasks
 *	  spawned over the chain's scopes, transfers started while there is
 *	  room, nextLinks followed, and each answer's outcome.
 *
 * Up to max_concurrency requests are in flight at once; the next page of a
 * task is requested as soon as the current one arrives (prefetch), and
 * nothing new starts while max_concurrency pages wait to be consumed, so
 * memory stays bounded by a few pages whatever the result size.
 *
 *-------------------------------------------------------------------------
 */
#include "scan_int.h"
#include "cache.h"
#include "stats.h"

#include <math.h>

#include "utils/memutils.h"
#include "utils/rel.h"

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
/* ---------------------------------------------------------------- */
/* Requests															*/
/* ---------------------------------------------------------------- */

/*
 * The path and query of a step's request with the given slot values;
 * placeholders for values not known (EXPLAIN).
 */
char *
azb_scan_request(AzbScan *s, int step, char **values, const char *type, bool for_explain,
			  bool with_filter)
{
	const AzbStep *st = &s->chain.steps[step];
	const AzbRouteDef *route = azb_scan_route(s, step);
	const char *pv[AZB_MAX_PARAMS];
	StringInfoData buf;
	char	   *path;
	bool		target = st->kind == AZB_STEP_TARGET;

	for (int p = 0; p < route->nparams; p++)
	{
		int			si = azb_scan_slot(s, st->slots[p]);

		pv[p] = (si >= 0 && values) ? values[si] : NULL;
	}
	/* EXPLAIN: a value not known before execution shows as {column} */
	path = azb_route_path(route->path, pv, for_explain ? st->slots : NULL, route->nparams);

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s?api-version=%s", path, s->opts->api_version);
	if (route->query.date_start != NULL)
	{
		bool		required = (route->flags & AZB_ROUTE_DATES_REQUIRED) != 0;
		bool		have = target && (s->have_lower || s->have_upper ||
									  (for_explain && (s->lower_shown || s->upper_shown)));

		if (required || have)
		{
			char		lo[12],
						hi[12];
			int32		lower = (target && s->have_lower) ? s->lower : s->opts->history_start;
			int32		upper = (target && s->have_upper) ? s->upper : Max(azb_scan_today(), lower);

			lower = Max(lower, azb_days_from_civil(1, 1, 1));
			upper = Min(upper, azb_days_from_civil(9999, 12, 31));
			azb_format_date(lower, lo);
			azb_format_date(upper, hi);
			if (for_explain && target && s->lower_shown)
				appendStringInfo(&buf, "&%s={%s}", route->query.date_start, s->lower_shown);
			else
				appendStringInfo(&buf, "&%s=%s", route->query.date_start, lo);
			if (for_explain && target && s->upper_shown)
				appendStringInfo(&buf, "&%s={%s}", route->query.date_end, s->upper_shown);
			else
				appendStringInfo(&buf, "&%s=%s", route->query.date_end, hi);
		}
	}
	if (route->query.type != NULL && type)
		appendStringInfo(&buf, "&%s=%s", route->query.type, azb_encoded(type, true));
	if (with_filter && target && route->query.filter != NULL && s->odata_filter &&
		!s->filter_refused)
		appendStringInfo(&buf, "&%s=%s", route->query.filter,
						 azb_encoded(s->odata_filter, true));
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

/* Put the current combination (idx) of the expanded slots' values in values. */
void
azb_scan_combination(AzbScan *s, char **values, const int *expand, int nexpand, const int *idx)
{
	for (int e = 0; e < nexpand; e++)
		values[expand[e]] = list_nth(s->slot_values[expand[e]], idx[e]);
}

/* Step idx to the next combination of the expanded slots' values; false after the last. */
bool
azb_scan_next_combination(AzbScan *s, const int *expand, int nexpand, int *idx)
{
	for (int e = nexpand - 1; e >= 0; e--)
	{
		if (++idx[e] < list_length(s->slot_values[expand[e]]))
			return true;
		idx[e] = 0;
	}
	return false;
}

/*
 * Create the tasks of a step from a parent's values: the cross product of
 * the values the query binds for slots this step uses first, and of the
 * transaction types for a target that takes one.  A step whose route does
 * not serve an enumerated billing account's agreement type is skipped.
 */
static void
spawn(AzbScan *s, int step, char **base, unsigned agreement, const char *agreement_name)
{
	const AzbStep *st = &s->chain.steps[step];
	const AzbRouteDef *route = azb_scan_route(s, step);
	int			expand[AZB_MAX_PARAMS];
	int			nexpand = 0;
	int			idx[AZB_MAX_PARAMS] = {0};
	bool		target = st->kind == AZB_STEP_TARGET;
	dlist_head	batch;
	MemoryContext old = MemoryContextSwitchTo(s->runcxt);

	dlist_init(&batch);

	for (int p = 0; p < route->nparams; p++)
	{
		int			si = azb_scan_slot(s, st->slots[p]);

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
	if (agreement != 0 && !(azb_scan_chain_agreements(s, step) & agreement))
	{
		MemoryContextSwitchTo(old);
		return;
	}

	for (;;)
	{
		char	  **values = palloc0(sizeof(char *) * AZB_MAX_SLOTS);
		int			ntypes = (target && (route->query.type != NULL)) ? list_length(s->types) : 1;

		if (base)
			memcpy(values, base, sizeof(char *) * AZB_MAX_SLOTS);
		azb_scan_combination(s, values, expand, nexpand, idx);

		for (int ti = 0; ti < ntypes; ti++)
		{
			AzbTask    *task = palloc0(sizeof(AzbTask));
			char	   *req;

			task->step = step;
			task->pageno = 1;
			task->values = values;
			task->agreement = agreement;
			task->agreement_name = agreement_name;
			task->type = (target && (route->query.type != NULL)) ? list_nth(s->types, ti) : NULL;
			req = azb_scan_request(s, step, values, task->type, false, true);
			task->filtered = target && route->query.filter != NULL && s->odata_filter &&
				!s->filter_refused;
			task->path = req;
			task->url = psprintf("%s%s", s->opts->endpoint, req);
			if (target)
				dlist_push_tail(&batch, &task->node);
			else
				enqueue(s, task, false);
			s->tasks++;
		}
		if (!azb_scan_next_combination(s, expand, nexpand, idx))
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

/*
 * The scan's copy of the user mapping's bearer token, fetched again when
 * the cache has a newer one or refresh asks for a new one (after a 401).
 * The copy is wiped when it changes and when the scan ends.
 */
static void
scan_token(AzbScan *s, bool refresh)
{
	const char *tok = azb_auth_token(s->opts, refresh);

	if (s->token != NULL && strcmp(s->token, tok) == 0)
		return;
	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
	s->token = MemoryContextStrdup(s->cxt, tok);
}

/*
 * The first pending task's page, if the result cache has it: handed over
 * as an answer at once, with no request, token or read budget spent.
 */
static bool
serve_cached(AzbScan *s)
{
	AzbTask    *task = dlist_container(AzbTask, node, dlist_head_node(&s->pending));
	AzbCachedPage page;

	if (!azb_cache_lookup(s->opts, task->url, &page))
		return false;
	dlist_pop_head_node(&s->pending);
	s->npending--;
	azb_http_start_answered(s->xfers, page.body, page.body_len, page.content_type, task);
	s->nactive++;
	s->cache_hits++;
	return true;
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
		long		pace;

		if (s->opts->cache_ttl > 0 && serve_cached(s))
			continue;
		pace = azb_pace_ms();
		if (pace > 0)
		{
			/* slow down before Azure answers 429 */
			s->pace_ms = pace;
			s->stats.wait_ms += Min(pace, 100);
			break;
		}
		azb_pace_take();
		task = dlist_container(AzbTask, node, dlist_pop_head_node(&s->pending));

		s->npending--;
		if (s->opts->cache_ttl > 0)
			s->cache_misses++;
		scan_token(s, false);
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

static void link_error(AzbTask *task, int sqlstate, const char *message, const char *detail,
					   const char *hint) pg_attribute_noreturn();

/* The error for a nextLink that cannot be followed: texts come translated. */
static void
link_error(AzbTask *task, int sqlstate, const char *message, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", message),
			 errdetail("%s", detail),
			 errhint("%s", hint),
			 errcontext("page %d of GET %s", task->pageno, task->path)));
	pg_unreachable();
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
			link_error(task, ERRCODE_FDW_ERROR,
					   psprintf(_("Azure's nextLink points at another host, \"%s\""), host),
					   psprintf(_("The next page of %s would be fetched from a host other than the endpoint; the bearer token is never sent there."),
								RelationGetRelationName(s->rel)),
					   _("If the host is genuinely Azure's, a superuser can list it in the server's trusted_hosts option."));
		case AZB_LINK_BAD_SCHEME:
			link_error(task, ERRCODE_FDW_ERROR, _("Azure's nextLink does not use https"),
					   psprintf(_("The next page of %s would be fetched over an insecure scheme from host \"%s\"."),
								RelationGetRelationName(s->rel), host),
					   _("This is a service or proxy defect; the token is never sent without TLS."));
		case AZB_LINK_INVALID:
			link_error(task, ERRCODE_FDW_INVALID_STRING_FORMAT, _("Azure's nextLink is not a valid URL"),
					   _("The list page's nextLink cannot be followed."),
					   _("This is a service defect; report it with the request id."));
	}

	old = MemoryContextSwitchTo(s->runcxt);
	need = azb_request_resolve(NULL, 0, s->opts->endpoint, link);
	url = palloc(need + 1);
	azb_request_resolve(url, need + 1, s->opts->endpoint, link);
	if (link_seen(task, url) || task->nseen > AZB_MAX_LINKS_PER_TASK)
		link_error(task, ERRCODE_FDW_ERROR, _("Azure's nextLink repeats an earlier page"),
				   psprintf(_("Page %d of %s links back to a page already read; following it would loop forever."),
							task->pageno, RelationGetRelationName(s->rel)),
				   _("This is a service defect; retry the query later."));
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
	int			si = azb_scan_slot(s, st->produces);
	const char *agreement_key = NULL;

	/* enumerated billing accounts carry their agreement type */
	for (int i = 0; i < azb_nagreement_sources; i++)
		if (strcmp(st->resource->name, azb_agreement_sources[i].table) == 0 &&
			strcmp(st->produces, azb_agreement_sources[i].column) == 0)
			agreement_key = azb_agreement_sources[i].key;

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
		if (agreement_key)
		{
			const char *at = azb_item_text(item, agreement_key);

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
void
azb_scan_parse_page(AzbScan *s, AzbReadyPage *rp)
{
	MemoryContext old = MemoryContextSwitchTo(rp->cxt);
	const char *link;
	bool		has_link;

	rp->page = azb_page_parse(rp->body, rp->body_len, rp->content_type, false, rp->path);
	MemoryContextSwitchTo(old);
	link = azb_page_next_link(rp->page, &has_link);
	if (rp->cache_url && has_link && strcmp(link, rp->followed) == 0)
		azb_cache_store(s->opts, rp->cache_url, rp->body, rp->body_len, rp->content_type);
	free(rp->body);
	rp->body = NULL;
	rp->task->unparsed--;
	rp->task->nitems += azb_page_nitems(rp->page);
	azb_stats_count_rows(s->opts->serverid, azb_scan_route(s, rp->task->step)->operation_id,
						 azb_page_nitems(rp->page));
	s->run_items += azb_page_nitems(rp->page);
	s->run_item_pages++;
	if (!has_link || strcmp(link, rp->followed) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure's page has an ambiguous nextLink"),
				 errdetail("The page's text ends with one nextLink, its parsed JSON holds %s.",
						   has_link ? "another" : "none"),
				 errhint("This is a service defect; report it with the request id."),
				 errcontext("page %d of GET %s", rp->pageno, rp->path)));
}

/* What an answer means for its task. */
typedef enum AzbOutcome
{
	AZB_OUTCOME_PAGE,			/* a 2xx page: route it */
	AZB_OUTCOME_REFRESH,		/* 401: the token expired mid-scan */
	AZB_OUTCOME_ABSENT,			/* 404 of a named item or of a scope under an
								 * enumerated parent: no rows */
	AZB_OUTCOME_UNFILTERED,		/* 400 to a first page carrying the OData filter */
	AZB_OUTCOME_FORBIDDEN,		/* 403 to a first page of a scope the scan
								 * enumerated, under skip_forbidden: skipped */
	AZB_OUTCOME_FAILED			/* anything else */
} AzbOutcome;

/*
 * The scope of a task's request as "column 'value', ...", when at least one
 * of its values came from the scan's own enumeration (or from a join), not
 * from the query's conditions or the table's pinned scope; else NULL.  Only
 * such a scope may be skipped: one the query named must never silently
 * have no rows.
 */
static char *
enumerated_scope(AzbScan *s, AzbTask *task)
{
	const AzbStep *st = &s->chain.steps[task->step];
	const AzbRouteDef *route = azb_scan_route(s, task->step);
	StringInfoData buf;
	bool		enumerated = false;

	initStringInfo(&buf);
	for (int p = 0; p < route->nparams; p++)
	{
		int			si = azb_scan_slot(s, st->slots[p]);

		if (si < 0 || task->values[si] == NULL)
			continue;
		if (!s->slot_bound[si] || s->slot_joined[si])
			enumerated = true;
		appendStringInfo(&buf, "%s%s '%s'", buf.len ? ", " : "", s->slot_names[si],
						 task->values[si]);
	}
	return enumerated ? buf.data : NULL;
}

/*
 * Skip a scope Azure refused (skip_forbidden): a NOTICE naming it, once per
 * scope and scan, so that a partial result is never silent; counted for
 * EXPLAIN ANALYZE and azbilling_stats.
 */
static void
skip_scope(AzbScan *s, AzbTask *task, const AzbHttpResult *res)
{
	const AzbRouteDef *route = azb_scan_route(s, task->step);
	char	   *scope = enumerated_scope(s, task);
	char	   *arm = azb_error_arm_summary(res->body, res->body_len);
	size_t		n = strlen(arm);
	ListCell   *lc;
	MemoryContext old;

	foreach(lc, s->skipped_scopes)
		if (strcmp(strVal(lfirst(lc)), scope) == 0)
			return;
	old = MemoryContextSwitchTo(s->cxt);
	s->skipped_scopes = lappend(s->skipped_scopes, makeString(pstrdup(scope)));
	MemoryContextSwitchTo(old);
	azb_stats_count_skipped(s->opts->serverid, route->operation_id);
	ereport(NOTICE,
			(errmsg("skipping %s of table \"%s\": Azure denied access",
					scope, RelationGetRelationName(s->rel)),
			 errdetail("%s answered HTTP 403, %s%s", route->operation_id, arm,
					   (n > 0 && arm[n - 1] == '.') ? "" : "."),
			 errhint("The result lacks that scope's rows, since skip_forbidden is on; grant the identity a billing reader role there, or set skip_forbidden to false to make this an error.")));
}

static AzbOutcome
classify(AzbScan *s, AzbTask *task, const AzbHttpResult *res)
{
	const AzbStep *st = &s->chain.steps[task->step];
	const AzbRouteDef *route = azb_scan_route(s, task->step);

	if (res->failure != AZB_XFER_OK)
		return AZB_OUTCOME_FAILED;
	if (res->status >= 200 && res->status <= 299)
		return AZB_OUTCOME_PAGE;
	if (res->status == 401 && !task->auth_retried && s->opts->access_token == NULL)
		return AZB_OUTCOME_REFRESH;
	if (res->status == 404 && ((route->flags & AZB_ROUTE_POINT) || st->speculative))
		return AZB_OUTCOME_ABSENT;
	if (res->status == 400 && task->filtered && task->pageno == 1)
		return AZB_OUTCOME_UNFILTERED;
	if (res->status == 403 && s->opts->skip_forbidden && task->pageno == 1 &&
		enumerated_scope(s, task) != NULL)
		return AZB_OUTCOME_FORBIDDEN;
	return AZB_OUTCOME_FAILED;
}

/*
 * Count an answer in azbilling_stats under its operation: its attempts, its
 * bytes, and the scan's retry and throttle figures since the last answer.
 */
static void
count_answer(AzbScan *s, const AzbRouteDef *route, const AzbHttpResult *res)
{
	AzbStatsDelta d = {0};

	if (res->attempts == 0)
	{
		/* a page from the result cache: no request was sent */
		azb_stats_count_cache_hit(s->opts->serverid, route->operation_id);
		return;
	}
	d.requests = Max(res->attempts, 1);
	d.retries = Max(res->attempts - 1, 0);
	d.pages = (res->failure == AZB_XFER_OK && res->status >= 200 && res->status <= 299) ? 1 : 0;
	d.bytes = res->body ? (int64) res->body_len : 0;
	d.throttled = s->stats.throttled - s->stats_counted.throttled;
	d.wait_ms = s->stats.wait_ms - s->stats_counted.wait_ms;
	s->stats_counted = s->stats;
	azb_stats_count_request(s->opts->serverid, route->operation_id, &d);
}

/* A request finished: classify its answer, then act on it. */
static void
handle_done(AzbScan *s, AzbTransfer *t)
{
	AzbTask    *task = (AzbTask *) azb_http_owner(t);
	AzbHttpResult *res = azb_http_result(t);
	const AzbStep *st = &s->chain.steps[task->step];
	const AzbRouteDef *route = azb_scan_route(s, task->step);
	MemoryContext pagecxt;
	MemoryContext old;
	AzbPage    *page;
	const char *link;
	bool		has_link;
	char	   *page_path;
	int			pageno;

	s->nactive--;
	count_answer(s, route, res);

	switch (classify(s, task, res))
	{
		case AZB_OUTCOME_PAGE:
			break;
		case AZB_OUTCOME_REFRESH:
			/* refresh the token once and resume this page */
			azb_http_free(t);
			task->auth_retried = true;
			scan_token(s, true);
			enqueue(s, task, true);
			return;
		case AZB_OUTCOME_ABSENT:
			azb_http_free(t);
			return;
		case AZB_OUTCOME_UNFILTERED:

			/*
			 * Ask again without the filter.  Every condition is rechecked
			 * locally, so the filter only ever saved transfer; the rest of
			 * the scan sends none.
			 */
			azb_http_free(t);
			s->filter_refused = true;
			old = MemoryContextSwitchTo(s->runcxt);
			task->filtered = false;
			task->path = azb_scan_request(s, task->step, task->values, task->type, false, false);
			task->url = psprintf("%s%s", s->opts->endpoint, task->path);
			MemoryContextSwitchTo(old);
			enqueue(s, task, true);
			return;
		case AZB_OUTCOME_FORBIDDEN:
			skip_scope(s, task, res);
			azb_http_free(t);
			return;
		case AZB_OUTCOME_FAILED:
			/* Azure's refusal may mean the account's agreement type lacks the route */
			if (res->failure == AZB_XFER_OK && res->status >= 400 && res->status < 500 &&
				azb_scan_check_account(s, task))
			{
				azb_http_free(t);
				return;
			}
			azb_stats_count_error(s->opts->serverid, route->operation_id,
								  res->failure != AZB_XFER_OK ? "HV" :
								  res->status == 401 ? "28" : res->status == 403 ? "42" : "HV");
			azb_error_http(RelationGetRelationName(s->rel), "GET", pstrdup(task->path), res);
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
			if (s->opts->cache_ttl > 0 && res->attempts > 0 && res->status == 200)
				rp->cache_url = MemoryContextStrdup(pagecxt, task->url);
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
	if (s->opts->cache_ttl > 0 && res->attempts > 0 && res->status == 200)
		azb_cache_store(s->opts, task->url, res->body, res->body_len, res->content_type);
	azb_http_free(t);			/* the body is parsed: free it now */

	task->nitems += azb_page_nitems(page);
	azb_stats_count_rows(s->opts->serverid, route->operation_id, azb_page_nitems(page));
	link = azb_page_next_link(page, &has_link);
	if (has_link)
		follow_link(s, task, link);
	else if (task->nitems == 0 && task->unparsed == 0)
		(void) azb_scan_check_account(s, task); /* never "no rows" for an unsupported type */

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
void
azb_scan_advance(AzbScan *s, long wait_ms)
{
	AzbTransfer *t;

	bool		finished = false;

	pump(s);
	azb_http_drive(s->xfers, wait_ms);
	while ((t = azb_http_next_done(s->xfers)) != NULL)
	{
		handle_done(s, t);
		finished = true;
	}

	/*
	 * An answer routed just now may have queued its next page (a nextLink)
	 * or the next step's tasks: send them at once, not when the executor
	 * next needs rows, so that a nextLink chain has no idle gap.
	 */
	if (finished && s->npending > 0)
	{
		pump(s);
		azb_http_drive(s->xfers, 0);
	}
}

/*
 * Keep the transfers moving while the executor consumes rows, without
 * blocking.  Called when a page is taken and every few rows, so that the
 * next page downloads while this one is decoded.
 */
void
azb_scan_progress(AzbScan *s)
{
	if (s->npending > 0 || s->nactive > 0)
		azb_scan_advance(s, 0);
}


void
azb_scan_start_run(AzbScan *s)
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
