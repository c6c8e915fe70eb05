/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  The executor's side of a scan: begin, next row, rescan, end, and the
 *	  async Append callbacks.  The work happens in scan_tasks.c.
 *
 *-------------------------------------------------------------------------
 */
#include "scan_int.h"

#include "executor/execAsync.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/rel.h"


static void
add_slot(AzbScan *s, const char *name)
{
	if (name == NULL || azb_scan_slot(s, name) >= 0)
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

/* ---------------------------------------------------------------- */
/* Executor callbacks												*/
/* ---------------------------------------------------------------- */


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
		const AzbRouteDef *route = azb_scan_route(s, i);

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
	s->date_exprs = (List *) list_nth(private, AZB_FP_DATE_EXPRS);
	s->date_strategies = (List *) list_nth(private, AZB_FP_DATE_STRATEGIES);
	retrieved = (List *) list_nth(private, AZB_FP_RETRIEVED);
	s->row_bound = intVal(list_nth(private, AZB_FP_ROW_BOUND));
	s->filter_keys = (List *) list_nth(private, AZB_FP_FILTER_KEYS);
	s->filter_exprs = (List *) list_nth(private, AZB_FP_FILTER_EXPRS);
	s->expr_states = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	s->dec = azb_decoder_create(s->rel, s->vdef, retrieved, s->nslots, s->slot_names);

	s->wipe.func = wipe_token;
	s->wipe.arg = s;
	MemoryContextRegisterResetCallback(s->cxt, &s->wipe);
	s->xfers = azb_http_set_create(s->opts, &s->stats);

	if (s->explain_only)
	{
		/* only what EXPLAIN can show: values known before execution */
		azb_scan_evaluate(s, node->ss.ps.ps_ExprContext, true);
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

		azb_scan_evaluate(s, node->ss.ps.ps_ExprContext, false);
		azb_scan_start_run(s);
		MemoryContextSwitchTo(old);
	}

	for (;;)
	{
		if (s->current)
		{
			AzbReadyPage *rp = s->current;

			if (rp->page == NULL)
				azb_scan_parse_page(s, rp);
			if (rp->next_item < azb_page_nitems(rp->page))
			{
				MemoryContext old;
				int			i = rp->next_item++;

				if ((i & (AZB_PROGRESS_ROWS - 1)) == 0)
					azb_scan_progress(s);

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

		azb_scan_advance(s, nowait ? 0 : (s->pace_ms > 0 ? Min(s->pace_ms, 100) : 100));
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

		s->waiter = azb_waiter_create();
		MemoryContextSwitchTo(old);
		if (s->waiter == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("could not set up waiting for an asynchronous scan of %s",
							RelationGetRelationName(s->rel)),
					 errdetail("epoll or timerfd descriptors are not available."),
					 errhint("Set async_capable 'false' on the server or table.")));
	}
	fd = azb_waiter_arm(s->waiter, s->pace_ms > 0 ? Min(s->pace_ms, 100) : 20);
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

