/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  EXPLAIN output: the resource, api-version and operation ids always;
 *	  the planned requests under VERBOSE; requests, pages, rows, bytes,
 *	  retries and throttle waits under ANALYZE, and the scopes skipped
 *	  under skip_forbidden.
 *
 * No secret is ever part of a request line: tokens travel in headers,
 * which are not shown.
 *
 *-------------------------------------------------------------------------
 */
#include "scan_int.h"

#include "commands/explain.h"
#include "utils/ruleutils.h"

/*
 * A date bound known only at run time (now() - interval '30 days', a
 * parameter), as SQL: with a constant bound of the same side too, the
 * tighter of the two is what the scan will send.
 */
static char *
shown_bound(AzbScan *s, ForeignScanState *node, ExplainState *es, bool lower)
{
	List	   *context = set_deparse_context_plan(es->deparse_cxt, node->ss.ps.plan, NIL);
	StringInfoData buf;
	int			n = 0;
	ListCell   *le,
			   *ls;

	initStringInfo(&buf);
	forboth(le, s->date_exprs, ls, s->date_strategies)
	{
		int			strategy = lfirst_int(ls);
		Expr	   *expr = ((ExprState *) list_nth(s->expr_states, lfirst_int(le)))->expr;
		bool		side = lower ? azb_scan_bounds_lower(strategy) :
			azb_scan_bounds_upper(strategy);

		if (!side || IsA(expr, Const))
			continue;
		appendStringInfo(&buf, "%s%s%s", n++ ? ", " : "",
						 strategy == BTLessStrategyNumber ? "the day before " : "",
						 deparse_expression((Node *) expr, context, false, false));
	}
	if (n == 0)
		return NULL;
	if ((lower && s->have_lower) || (!lower && s->have_upper))
	{
		char		day[12];

		azb_format_date(lower ? s->lower : s->upper, day);
		return psprintf("%s(%s, %s)", lower ? "latest" : "earliest", day, buf.data);
	}
	return n > 1 ? psprintf("%s(%s)", lower ? "latest" : "earliest", buf.data) : buf.data;
}

/*
 * Under skip_forbidden: how many scopes Azure refused and the scan skipped,
 * and under VERBOSE which, while the list stays short.
 */
static void
explain_skipped(AzbScan *s, ExplainState *es)
{
	ExplainPropertyInteger("Azure Skipped Scopes", NULL, list_length(s->skipped_scopes), es);
	if (es->verbose && s->skipped_scopes != NIL)
	{
		StringInfoData buf;
		ListCell   *lc;
		int			n = 0;

		initStringInfo(&buf);
		foreach(lc, s->skipped_scopes)
		{
			if (n > 0 && buf.len + strlen(strVal(lfirst(lc))) > 200)
				break;
			appendStringInfo(&buf, "%s%s", n++ ? "; " : "", strVal(lfirst(lc)));
		}
		if (n < list_length(s->skipped_scopes))
			appendStringInfo(&buf, "; and %d more", list_length(s->skipped_scopes) - n);
		ExplainPropertyText("Azure Skipped", buf.data, es);
	}
}

void
azb_explain_scan(ForeignScanState *node, ExplainState *es)
{
	AzbScan    *s = (AzbScan *) node->fdw_state;
	StringInfoData ops;
	MemoryContext old;

	if (s == NULL)
		return;
	old = MemoryContextSwitchTo(s->runcxt);
	initStringInfo(&ops);
	for (int i = 0; i < s->chain.nsteps; i++)
		appendStringInfo(&ops, "%s%s", i ? ", " : "", azb_scan_route(s, i)->operation_id);

	ExplainPropertyText("Azure Resource", s->res->name, es);
	ExplainPropertyText("Azure API Version", s->opts->api_version, es);
	ExplainPropertyText("Azure Operations", ops.data, es);

	if (es->verbose)
	{
		List	   *requests = NIL;

		if (s->explain_only)
		{
			s->lower_shown = shown_bound(s, node, es, true);
			s->upper_shown = shown_bound(s, node, es, false);
		}

		for (int i = 0; i < s->chain.nsteps; i++)
		{
			const AzbStep *st = &s->chain.steps[i];
			const AzbRouteDef *route = azb_scan_route(s, i);
			bool		target = st->kind == AZB_STEP_TARGET;
			int			expand[AZB_MAX_PARAMS];
			int			nexpand = 0;
			int			idx[AZB_MAX_PARAMS] = {0};
			int			shown = 0;
			int			ntypes = (target && (route->query.type != NULL)) ?
				list_length(s->types) : 1;

			/* one line per combination of known values */
			for (int p = 0; p < route->nparams; p++)
			{
				int			si = azb_scan_slot(s, st->slots[p]);

				if (si >= 0 && s->slot_bound[si] && s->slot_values[si] != NIL)
					expand[nexpand++] = si;
			}
			for (;;)
			{
				char	  **values = palloc0(sizeof(char *) * AZB_MAX_SLOTS);

				azb_scan_combination(s, values, expand, nexpand, idx);
				for (int ti = 0; ti < ntypes; ti++)
				{
					const char *type = (target && (route->query.type != NULL)) ?
					list_nth(s->types, ti) : NULL;

					if (shown < 20)
						requests = lappend(requests,
										   psprintf("GET %s", azb_scan_request(s, i, values, type, true,
																			true)));
					shown++;
				}
				if (!azb_scan_next_combination(s, expand, nexpand, idx))
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
		if (s->opts->cache_ttl > 0)
		{
			ExplainPropertyInteger("Azure Cache Hits", NULL, s->cache_hits, es);
			ExplainPropertyInteger("Azure Cache Misses", NULL, s->cache_misses, es);
		}
		if (s->opts->skip_forbidden)
			explain_skipped(s, es);
	}
	MemoryContextSwitchTo(old);
}

