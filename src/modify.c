/*-------------------------------------------------------------------------
 *
 * modify.c
 *	  INSERT, UPDATE and DELETE on the foreign tables (DESIGN.md section 1,
 *	  "Writes"), in postgres_fdw's row-by-row model.
 *
 * Each row the executor hands over is one operation of the catalogue, sent
 * at once through operation.c (so the updatable, read-only and dry-run
 * checks, method-aware retries and long-running operations are the same
 * as azbilling_call's).  UPDATE and DELETE know the item by the scan's
 * whole row: its id where it has the shape of an item path, else its scope
 * columns and name.  RETURNING is Azure's final answer decoded like a
 * scanned row; DELETE returns the old row.
 *
 * Azure has no transactions: a 2xx is a commit.  So the writes applied in
 * a transaction are journalled, an abort after them raises a WARNING that
 * lists them, and PREPARE TRANSACTION after them is refused.
 *
 *-------------------------------------------------------------------------
 */
#include "modify.h"

#include "operation.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/appendinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* fdw_private of a ModifyTable: the command and the candidate operations */
enum
{
	AZB_MP_CMD = 0,				/* Integer: CmdType */
	AZB_MP_OPS					/* List of String: operation ids, most specific first */
};

typedef struct AzbModify
{
	AzbModRel	mr;
	CmdType		cmd;
	AzbOptions *opts;
	const AzbResourceDef *res;
	const AzbVersionDef *vdef;
	int			version;
	List	   *ops;			/* const AzbOperationDef * */
	AzbOpContext *ctx;
	AttrNumber	wholerow;		/* junk attribute of the old row */
	Bitmapset  *updated;		/* UPDATE: attribute indexes assigned */
	int64		nwrites;		/* requests this statement sent (or would) */
	List	   *retrieved;		/* every attnum, for decoding */
	MemoryContext rowcxt;
} AzbModify;

/* A write applied in the current transaction */
typedef struct AzbAppliedWrite
{
	char	   *method;
	char	   *path;
	char	   *request_id;
	int			level;			/* subtransaction nesting level */
	bool		reported;		/* a subtransaction abort warned about it */
} AzbAppliedWrite;

static List *applied_writes = NIL;	/* in TopTransactionContext */
static bool callbacks_registered = false;

#define MAX_LISTED_WRITES 5

/* ---------------------------------------------------------------- */
/* The journal of applied writes									*/
/* ---------------------------------------------------------------- */

static char *
describe_writes(List *writes, int *count)
{
	StringInfoData buf;
	ListCell   *lc;
	int			n = 0;

	initStringInfo(&buf);
	foreach(lc, writes)
	{
		AzbAppliedWrite *w = lfirst(lc);

		if (n < MAX_LISTED_WRITES)
			appendStringInfo(&buf, "%s%s %s (x-ms-request-id %s)", n ? "; " : "",
							 w->method, w->path, w->request_id[0] ? w->request_id : "none");
		n++;
	}
	if (n > MAX_LISTED_WRITES)
		appendStringInfo(&buf, "; and %d more", n - MAX_LISTED_WRITES);
	*count = n;
	return buf.data;
}

static void
warn_applied(List *writes, const char *what)
{
	int			n;
	char	   *list = describe_writes(writes, &n);

	if (n == 0)
		return;
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg("%s after %d write%s to Azure, which %s not undone", what, n,
					n == 1 ? "" : "s", n == 1 ? "is" : "are"),
			 errdetail("Applied: %s.", list),
			 errhint("Azure has no transactions: check the items with a SELECT and change them back if needed.")));
}

static void
azb_modify_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			if (applied_writes != NIL)
			{
				int			n;
				char	   *list = describe_writes(applied_writes, &n);

				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot prepare a transaction that wrote to Azure"),
						 errdetail("%d write%s already applied: %s.", n, n == 1 ? " was" : "s were", list),
						 errhint("Azure has no two-phase commit; run writes to Azure outside prepared transactions.")));
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			{
				List	   *unreported = NIL;
				ListCell   *lc;

				foreach(lc, applied_writes)
				{
					AzbAppliedWrite *w = lfirst(lc);

					if (!w->reported)
						unreported = lappend(unreported, w);
				}
				applied_writes = NIL;
				warn_applied(unreported, "transaction rolled back");
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			applied_writes = NIL;
			break;
		default:
			break;
	}
}

static void
azb_modify_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	List	   *aborted = NIL;
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	foreach(lc, applied_writes)
	{
		AzbAppliedWrite *w = lfirst(lc);

		if (w->level < level)
			continue;
		if (event == SUBXACT_EVENT_ABORT_SUB && !w->reported)
		{
			aborted = lappend(aborted, w);
			w->reported = true;
		}
		w->level = level - 1;
	}
	if (aborted)
		warn_applied(aborted, "subtransaction rolled back");
}

static void
journal_write(const char *method, const char *path, const char *request_id)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	AzbAppliedWrite *w = palloc0(sizeof(AzbAppliedWrite));

	w->method = pstrdup(method);
	w->path = pstrdup(path);
	w->request_id = pstrdup(request_id ? request_id : "");
	w->level = GetCurrentTransactionNestLevel();
	applied_writes = lappend(applied_writes, w);
	MemoryContextSwitchTo(old);
}

/* ---------------------------------------------------------------- */
/* Planning															*/
/* ---------------------------------------------------------------- */

static bool
op_for_cmd(const AzbOperationDef *op, CmdType cmd)
{
	switch (cmd)
	{
		case CMD_INSERT:
			return azb_modify_op_is_insert(op);
		case CMD_UPDATE:
			return azb_modify_op_is_update(op);
		case CMD_DELETE:
			return op->mutating && op->table && strcmp(op->method, "DELETE") == 0;
		default:
			return false;
	}
}

/* The operations of a table for a command, most path parameters first. */
static List *
ops_for(const AzbResourceDef *res, int version, CmdType cmd)
{
	List	   *ops = NIL;

	for (int n = AZB_MAX_PARAMS; n >= 0; n--)
		for (int i = 0; i < azb_noperations; i++)
		{
			const AzbOperationDef *op = &azb_operations[i];

			if (op->version == version && op->npath == n && op->table &&
				strcmp(op->table, res->name) == 0 && op_for_cmd(op, cmd))
				ops = lappend(ops, (void *) op);
		}
	return ops;
}

/*
 * Nothing unless updatable is true (server or table); then the verbs the
 * table's operations support at its api-version.
 */
int
azb_modify_updatable(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	AzbOptions *opts = azb_options_for_table(relid);
	const AzbResourceDef *res;
	int			version;
	int			mask = 0;

	if (!opts->updatable)
		return 0;
	res = azb_plan_resource_for(relid, opts, &version);
	if (ops_for(res, version, CMD_INSERT) != NIL)
		mask |= (1 << CMD_INSERT);
	if (ops_for(res, version, CMD_UPDATE) != NIL)
		mask |= (1 << CMD_UPDATE);
	if (ops_for(res, version, CMD_DELETE) != NIL)
		mask |= (1 << CMD_DELETE);
	return mask;
}

/*
 * The item is known by the whole old row: its id, scope columns and name
 * (and raw, the base of a PUT).  The same Var the core adds for UPDATE, so
 * the two are one junk column.
 */
void
azb_modify_add_targets(PlannerInfo *root, Index rtindex,
					   RangeTblEntry *target_rte, Relation target_relation)
{
	Var		   *var = makeVar(rtindex, InvalidAttrNumber, RECORDOID, -1, InvalidOid, 0);

	add_row_identity_var(root, var, rtindex, "wholerow");
}

/* The command and its candidate operations, as nodes. */
List *
azb_modify_plan(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				int subplan_index)
{
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	AzbOptions *opts = azb_options_for_table(rte->relid);
	const AzbResourceDef *res;
	int			version;
	List	   *ids = NIL;
	ListCell   *lc;

	if (plan->onConflictAction != ONCONFLICT_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("INSERT ... ON CONFLICT is not supported on Azure Billing tables"),
				 errdetail("An INSERT creates the item, and an existing one is an error (23505)."),
				 errhint("Use a plain INSERT, or UPDATE the existing item.")));
	res = azb_plan_resource_for(rte->relid, opts, &version);
	foreach(lc, ops_for(res, version, plan->operation))
		ids = lappend(ids, makeString(pstrdup(((const AzbOperationDef *) lfirst(lc))->operation_id)));
	return list_make2(makeInteger(plan->operation), ids);
}

/* ---------------------------------------------------------------- */
/* Execution														*/
/* ---------------------------------------------------------------- */

void
azb_modify_begin(ModifyTableState *mtstate, ResultRelInfo *rinfo,
				 List *fdw_private, int subplan_index, int eflags)
{
	EState	   *estate = mtstate->ps.state;
	Relation	rel = rinfo->ri_RelationDesc;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Oid			userid = azb_compat_modify_user(rinfo, estate);
	AzbModify  *m;
	ListCell   *lc;
	ForeignTable *ft;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	m = palloc0(sizeof(AzbModify));
	m->cmd = intVal(list_nth(fdw_private, AZB_MP_CMD));
	m->mr.rel = rel;
	m->opts = azb_options_for_table(RelationGetRelid(rel));
	m->res = azb_plan_resource_for(RelationGetRelid(rel), m->opts, &m->version);
	m->vdef = azb_catalog_version(m->res, m->version);
	foreach(lc, (List *) list_nth(fdw_private, AZB_MP_OPS))
	{
		const AzbOperationDef *op = azb_opcat_find(m->version, strVal(lfirst(lc)));

		if (op)
			m->ops = lappend(m->ops, (void *) op);
	}
	ft = GetForeignTable(RelationGetRelid(rel));
	m->ctx = azb_op_context_for(GetForeignServer(ft->serverid), userid,
								psprintf("%s on %s",
										 m->cmd == CMD_INSERT ? "INSERT" :
										 m->cmd == CMD_UPDATE ? "UPDATE" : "DELETE",
										 RelationGetRelationName(rel)));
	/* the table's options (updatable, max_write_rows) with the caller's credentials */
	azb_options_add_user(m->opts, userid);
	m->ctx->opts = m->opts;
	m->mr.pins = m->opts->pins;

	m->mr.natts = tupdesc->natts;
	m->mr.cols = palloc0(sizeof(AzbModColumn) * Max(tupdesc->natts, 1));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		AzbModColumn *c = &m->mr.cols[i];
		const char *json_path;
		int			ci;

		c->typid = att->atttypid;
		if (att->attisdropped)
			continue;
		c->name = pstrdup(NameStr(att->attname));
		m->retrieved = lappend_int(m->retrieved, i + 1);
		ci = azb_catalog_column_index(m->vdef, c->name);
		json_path = azb_options_column_json_path(RelationGetRelid(rel), i + 1);
		if (ci >= 0)
		{
			c->known = true;
			c->kind = m->vdef->columns[ci].kind;
			c->key = m->vdef->columns[ci].key ? pstrdup(m->vdef->columns[ci].key) : NULL;
		}
		if (json_path && (ci < 0 || c->kind == AZB_COL_PROPERTY))
		{
			c->known = true;
			c->kind = AZB_COL_PROPERTY;
			c->key = pstrdup(json_path);
		}
	}

	if (m->cmd != CMD_INSERT)
	{
		Plan	   *subplan = outerPlanState(mtstate)->plan;

		m->wholerow = ExecFindJunkAttributeInTlist(subplan->targetlist, "wholerow");
		if (!AttributeNumberIsValid(m->wholerow))
			elog(ERROR, "could not find junk wholerow column");
	}
	if (m->cmd == CMD_UPDATE)
	{
		Bitmapset  *cols = ExecGetUpdatedCols(rinfo, estate);
		int			k = -1;

		while ((k = bms_next_member(cols, k)) >= 0)
		{
			AttrNumber	attno = k + FirstLowInvalidHeapAttributeNumber;

			if (attno > 0)
				m->updated = bms_add_member(m->updated, attno - 1);
		}
	}
	m->rowcxt = AllocSetContextCreate(estate->es_query_cxt, "azbilling_fdw modify row",
									  ALLOCSET_DEFAULT_SIZES);
	if (!callbacks_registered)
	{
		RegisterXactCallback(azb_modify_xact_callback, NULL);
		RegisterSubXactCallback(azb_modify_subxact_callback, NULL);
		callbacks_registered = true;
	}
	rinfo->ri_FdwState = m;
}

/* The attribute index of a column by name, or -1. */
static int
att_index(AzbModify *m, const char *name)
{
	for (int i = 0; i < m->mr.natts; i++)
		if (m->mr.cols[i].name && strcmp(m->mr.cols[i].name, name) == 0)
			return i;
	return -1;
}

/* A path value from the row's column, else the table's pinned scope. */
static char *
row_value(AzbModify *m, const char *column, Datum *values, bool *nulls)
{
	int			i = att_index(m, column);
	ListCell   *lc;

	if (i >= 0 && !nulls[i])
		return azb_modify_text(&m->mr, i, values[i]);
	foreach(lc, m->mr.pins)
	{
		AzbPin	   *p = lfirst(lc);

		if (strcmp(p->column, column) == 0)
			return p->value;
	}
	return NULL;
}

/*
 * The operation and path values for a row: the first candidate (most
 * specific first) whose path parameters all have values.  With use_id, an
 * id of the shape of a candidate's path wins.
 */
static const AzbOperationDef *
choose_op(AzbModify *m, Datum *values, bool *nulls, bool use_id, char ***path_values)
{
	ListCell   *lc;
	int			idi = att_index(m, "id");
	StringInfoData missing;

	if (use_id && idi >= 0 && !nulls[idi])
	{
		char	   *id = azb_modify_text(&m->mr, idi, values[idi]);

		foreach(lc, m->ops)
		{
			const AzbOperationDef *op = lfirst(lc);
			char	  **pv = palloc0(sizeof(char *) * Max(op->npath, 1));

			if (azb_modify_match_id(op, id, pv))
			{
				*path_values = pv;
				return op;
			}
		}
	}
	initStringInfo(&missing);
	foreach(lc, m->ops)
	{
		const AzbOperationDef *op = lfirst(lc);
		char	  **pv = palloc0(sizeof(char *) * Max(op->npath, 1));
		bool		ok = true;

		for (int i = 0; i < op->npath && ok; i++)
		{
			pv[i] = row_value(m, azb_modify_param_column(op, i), values, nulls);
			if (pv[i] == NULL || pv[i][0] == '\0')
			{
				ok = false;
				if (missing.len == 0 || strstr(missing.data, azb_modify_param_column(op, i)) == NULL)
					appendStringInfo(&missing, "%s%s", missing.len ? ", " : "",
									 azb_modify_param_column(op, i));
			}
		}
		if (ok)
		{
			*path_values = pv;
			return op;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_NOT_NULL_VIOLATION),
			 errmsg("the row does not say which %s to write", RelationGetRelationName(m->mr.rel)),
			 errdetail("Every route of the table needs values the row lacks (%s).", missing.data),
			 errhint("Give the scope columns and name of the item.")));
	return NULL;				/* keep the compiler quiet */
}

/* Fail before the write that would pass max_write_rows. */
static void
check_write_bound(AzbModify *m)
{
	if (m->nwrites >= m->opts->max_write_rows)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("statement would write more than max_write_rows (%lld) items of %s",
						(long long) m->opts->max_write_rows, RelationGetRelationName(m->mr.rel)),
				 errdetail("%lld writes were sent; the next one was not.", (long long) m->nwrites),
				 errhint("Narrow the statement with WHERE, or raise the server or table option max_write_rows.")));
	m->nwrites++;
}

/* Create-only: a PUT to a name whose item exists is a unique violation. */
static void
check_absent(AzbModify *m, const AzbOperationDef *op, char **pv)
{
	const AzbOperationDef *get = azb_modify_sibling(op, "GET");
	char	   *url;
	AzbHttpResult *res;

	if (get == NULL || strcmp(op->method, "PUT") != 0)
		return;
	url = azb_op_url(m->ctx, get, (const char *const *) pv, NULL);
	res = azb_op_send(m->ctx, "GET", url, NULL, true);
	if (res->failure == AZB_XFER_OK && res->status == 404)
		return;
	if (res->failure == AZB_XFER_OK && res->status >= 200 && res->status <= 299)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("%s \"%s\" already exists", RelationGetRelationName(m->mr.rel),
						pv[op->npath - 1]),
				 errdetail("GET %s answered %ld; an INSERT only creates.", azb_request_path_of(url), res->status),
				 errhint("Use UPDATE to change an existing item.")));
	azb_op_raise(m->ctx, "GET", url, res);
}

/* Decode Azure's answer (an item, or a list whose first item it is) into slot. */
static void
store_answer(AzbModify *m, const AzbOperationDef *op, char **pv, AzbOpOutcome *out,
			 TupleTableSlot *slot)
{
	AzbPage    *page;
	const char **names = palloc0(sizeof(char *) * Max(op->npath, 1));
	AzbDecoder *dec;

	page = azb_page_parse(out->body, out->body_len, out->content_type, true, op->path);
	if (azb_page_nitems(page) == 0)
		return;
	for (int i = 0; i < op->npath; i++)
		names[i] = azb_modify_param_column(op, i);
	dec = azb_decoder_create(m->mr.rel, m->vdef, m->retrieved, op->npath, names);
	ExecClearTuple(slot);
	azb_decoder_row(dec, azb_page_item(page, 0), (const char *const *) pv, NULL,
					slot->tts_values, slot->tts_isnull);
	ExecStoreVirtualTuple(slot);
}

/*
 * Send one row's operation.  Returns the outcome; journals a real write.
 * tolerated: a first status that is no error (DELETE: 404).
 */
static AzbOpOutcome *
send_write(AzbModify *m, const AzbOperationDef *op, char **pv, const char *body, long tolerated)
{
	AzbOpOutcome *out;
	char	   *url;

	azb_op_check_change(m->ctx, op);
	check_write_bound(m);
	out = azb_op_run_tolerating(m->ctx, op, (const char *const *) pv, NULL, body, tolerated);
	if (!out->dry_run && out->status != tolerated)
	{
		url = azb_op_url(m->ctx, op, (const char *const *) pv, NULL);
		journal_write(op->method, azb_request_path_of(url), out->request_id);
	}
	return out;
}

/*
 * The old row of UPDATE and DELETE, from the junk whole-row column, and
 * the operation and path values that write its item.
 */
static const AzbOperationDef *
old_row(AzbModify *m, TupleTableSlot *planSlot, Datum **values, bool **nulls,
		char ***path_values)
{
	bool		isnull;
	Datum		d = ExecGetJunkAttribute(planSlot, m->wholerow, &isnull);
	HeapTupleHeader td;
	HeapTupleData tup;

	*values = palloc0(sizeof(Datum) * Max(m->mr.natts, 1));
	*nulls = palloc(sizeof(bool) * Max(m->mr.natts, 1));
	memset(*nulls, true, sizeof(bool) * Max(m->mr.natts, 1));
	if (isnull)
		elog(ERROR, "wholerow is NULL");
	td = DatumGetHeapTupleHeader(d);
	tup.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tup.t_self);
	tup.t_tableOid = RelationGetRelid(m->mr.rel);
	tup.t_data = td;
	heap_deform_tuple(&tup, RelationGetDescr(m->mr.rel), *values, *nulls);
	return choose_op(m, *values, *nulls, true, path_values);
}

/* INSERT: a name column where Azure names the item is an error. */
static void
check_insert_name(AzbModify *m, const AzbOperationDef *op, TupleTableSlot *slot)
{
	int			ni = att_index(m, "name");

	if (ni >= 0 && !slot->tts_isnull[ni] &&
		(op->npath == 0 || strcmp(azb_modify_param_column(op, op->npath - 1), "name") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"name\" is read-only in Azure for %s", op->operation_id),
				 errdetail("Azure names the item that %s creates; RETURNING name gives it.", op->operation_id),
				 errhint("Leave name out of the INSERT.")));
}

/* Assigning the item's identity is an error; a move is an action. */
static void
check_identity_assignment(AzbModify *m)
{
	int			k = -1;

	while ((k = bms_next_member(m->updated, k)) >= 0)
	{
		AzbModColumn *c = &m->mr.cols[k];
		const char *action = NULL;

		if (c->kind != AZB_COL_SCOPE && c->kind != AZB_COL_NAME && c->kind != AZB_COL_ID &&
			!(c->name && strcmp(c->name, "name") == 0))
			continue;
		if (strcmp(m->res->name, "billing_subscriptions") == 0)
			action = "azbilling_billing_subscription_move(server, billing_account_name, subscription_id, destination_invoice_section_id)";
		else if (strcmp(m->res->name, "products") == 0)
			action = "azbilling_product_move(server, billing_account_name, product_name, destination_invoice_section_id)";
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot assign column \"%s\" of %s", c->name, RelationGetRelationName(m->mr.rel)),
				 errdetail("\"%s\" names the item or its scope; an UPDATE changes the item's properties only.", c->name),
				 action ? errhint("To move the item, call %s.", action) :
				 errhint("Azure has no move for this item: create a new one and delete the old one.")));
	}
}

/*
 * DELETE's result: the old row, copied out of the row's memory, when Azure
 * deleted the item (200, or 202 followed to its end); NULL when it was not
 * there (a direct 204 or 404), so that the row does not count.
 */
static TupleTableSlot *
deleted_row(AzbModify *m, AzbOpOutcome *out, Datum *ov, bool *on, TupleTableSlot *slot)
{
	if (!out->dry_run && (out->status == 404 ||
						  (out->status == 204 && out->operation_url == NULL)))
		return NULL;
	ExecClearTuple(slot);
	for (int i = 0; i < m->mr.natts; i++)
	{
		slot->tts_isnull[i] = on[i];
		slot->tts_values[i] = on[i] ? (Datum) 0 :
			datumCopy(ov[i], TupleDescAttr(slot->tts_tupleDescriptor, i)->attbyval,
					  TupleDescAttr(slot->tts_tupleDescriptor, i)->attlen);
	}
	ExecStoreVirtualTuple(slot);
	return slot;
}

/*
 * One row of INSERT, UPDATE or DELETE: choose the operation (by the new
 * row's scope columns, or the old row's id, scope columns and name), build
 * the body, send it, and give the row back: Azure's answer for RETURNING,
 * the old row for DELETE.
 */
static TupleTableSlot *
modify_row(ResultRelInfo *rinfo, TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	AzbModify  *m = rinfo->ri_FdwState;
	MemoryContext old = MemoryContextSwitchTo(m->rowcxt);
	const AzbOperationDef *op;
	char	  **pv;
	Datum	   *ov = NULL;
	bool	   *on = NULL;
	char	   *body = NULL;
	AzbOpOutcome *out;

	if (m->cmd == CMD_UPDATE)
		check_identity_assignment(m);
	if (m->cmd != CMD_DELETE)
		slot_getallattrs(slot);
	if (m->cmd == CMD_INSERT)
	{
		op = choose_op(m, slot->tts_values, slot->tts_isnull, false, &pv);
		check_insert_name(m, op, slot);
		body = azb_modify_build_body(&m->mr, op, slot->tts_values, slot->tts_isnull,
									 NULL, false, NULL, NULL);
		check_absent(m, op, pv);
	}
	else
		op = old_row(m, planSlot, &ov, &on, &pv);
	if (m->cmd == CMD_UPDATE)
	{
		bool		patch = strcmp(op->method, "PATCH") == 0;

		/*
		 * A PUT whose model is the item's (the model it answers with)
		 * carries the item as read; one whose model is a request of its own
		 * (InitiateTransferRequest) has none of the item's other keys, so
		 * only the assignments go.
		 */
		bool		base = !patch && op->answers_item;

		body = azb_modify_build_body(&m->mr, op, slot->tts_values, slot->tts_isnull,
									 m->updated, patch, base ? ov : NULL, base ? on : NULL);
	}
	out = send_write(m, op, pv, body, m->cmd == CMD_DELETE ? 404 : 0);
	MemoryContextSwitchTo(old);
	if (m->cmd == CMD_DELETE)
		slot = deleted_row(m, out, ov, on, slot);
	else if (rinfo->ri_projectReturning && !out->dry_run && out->body)
		store_answer(m, op, pv, out, slot);
	MemoryContextReset(m->rowcxt);
	return slot;
}

TupleTableSlot *
azb_modify_insert(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				  TupleTableSlot *planSlot)
{
	return modify_row(rinfo, slot, planSlot);
}

TupleTableSlot *
azb_modify_update(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				  TupleTableSlot *planSlot)
{
	return modify_row(rinfo, slot, planSlot);
}

TupleTableSlot *
azb_modify_delete(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				  TupleTableSlot *planSlot)
{
	return modify_row(rinfo, slot, planSlot);
}

void
azb_modify_end(EState *estate, ResultRelInfo *rinfo)
{
	AzbModify  *m = rinfo->ri_FdwState;

	if (m == NULL)
		return;
	MemoryContextDelete(m->rowcxt);
	rinfo->ri_FdwState = NULL;
}

/* Azure Write: <METHOD> <path template> (operation id), for each candidate. */
void
azb_modify_explain(ModifyTableState *mtstate, ResultRelInfo *rinfo,
				   List *fdw_private, int subplan_index, ExplainState *es)
{
	Relation	rel = rinfo->ri_RelationDesc;
	AzbOptions *opts = azb_options_for_table(RelationGetRelid(rel));
	int			version;
	ListCell   *lc;

	(void) azb_plan_resource_for(RelationGetRelid(rel), opts, &version);
	foreach(lc, (List *) list_nth(fdw_private, AZB_MP_OPS))
	{
		const AzbOperationDef *op = azb_opcat_find(version, strVal(lfirst(lc)));

		if (op)
			ExplainPropertyText("Azure Write",
								psprintf("%s %s (%s)", op->method, op->path, op->operation_id), es);
	}
}
