/*-------------------------------------------------------------------------
 *
 * azbilling_fdw.c
 *	  Foreign data wrapper for the Azure Billing REST API: module magic,
 *	  initialization, the handler and validator, and the FdwRoutine
 *	  callbacks as thin glue over src/.
 *
 *-------------------------------------------------------------------------
 */
#include "src/azb.h"
#include "src/modify.h"
#include "src/stats.h"

#include "access/reloptions.h"
#include "commands/explain.h"
#include "foreign/fdwapi.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(azbilling_fdw_handler);
PG_FUNCTION_INFO_V1(azbilling_fdw_validator);

void		_PG_init(void);

void
_PG_init(void)
{
	char		problem[256];

	azb_json_init();
	azb_auth_init();
	azb_op_init();
	azb_stats_init();
	if (azb_catalog_check(problem, sizeof(problem)) != 0)
		elog(WARNING, "azbilling_fdw: catalogue self-check failed: %s", problem);
}

static void
azbGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	azb_plan_rel_size(root, baserel, foreigntableid);
}

static void
azbGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	azb_plan_paths(root, baserel, foreigntableid);
}

static ForeignScan *
azbGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				  ForeignPath *best_path, List *tlist, List *scan_clauses,
				  Plan *outer_plan)
{
	return azb_plan_scan(root, baserel, foreigntableid, best_path, tlist,
						 scan_clauses, outer_plan);
}

static void
azbBeginForeignScan(ForeignScanState *node, int eflags)
{
	azb_scan_begin(node, eflags);
}

static TupleTableSlot *
azbIterateForeignScan(ForeignScanState *node)
{
	return azb_scan_next(node);
}

static void
azbReScanForeignScan(ForeignScanState *node)
{
	azb_scan_rescan(node);
}

static void
azbEndForeignScan(ForeignScanState *node)
{
	azb_scan_end(node);
}

static void
azbExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	azb_explain_scan(node, es);
}

static bool
azbIsForeignPathAsyncCapable(ForeignPath *path)
{
	return azb_scan_async_capable(path);
}

static void
azbForeignAsyncRequest(AsyncRequest *areq)
{
	azb_scan_async_request(areq);
}

static void
azbForeignAsyncConfigureWait(AsyncRequest *areq)
{
	azb_scan_async_configure_wait(areq);
}

static void
azbForeignAsyncNotify(AsyncRequest *areq)
{
	azb_scan_async_notify(areq);
}

static List *
azbImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	return azb_import_schema(stmt, serverOid);
}

static int
azbIsForeignRelUpdatable(Relation rel)
{
	return azb_modify_updatable(rel);
}

static void
azbAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
						   RangeTblEntry *target_rte, Relation target_relation)
{
	azb_modify_add_targets(root, rtindex, target_rte, target_relation);
}

static List *
azbPlanForeignModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
					 int subplan_index)
{
	return azb_modify_plan(root, plan, resultRelation, subplan_index);
}

static void
azbBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
					  List *fdw_private, int subplan_index, int eflags)
{
	azb_modify_begin(mtstate, rinfo, fdw_private, subplan_index, eflags);
}

static TupleTableSlot *
azbExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
					 TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	return azb_modify_insert(estate, rinfo, slot, planSlot);
}

static TupleTableSlot *
azbExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
					 TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	return azb_modify_update(estate, rinfo, slot, planSlot);
}

static TupleTableSlot *
azbExecForeignDelete(EState *estate, ResultRelInfo *rinfo,
					 TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	return azb_modify_delete(estate, rinfo, slot, planSlot);
}

static void
azbEndForeignModify(EState *estate, ResultRelInfo *rinfo)
{
	azb_modify_end(estate, rinfo);
}

static void
azbExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						List *fdw_private, int subplan_index, ExplainState *es)
{
	azb_modify_explain(mtstate, rinfo, fdw_private, subplan_index, es);
}

Datum
azbilling_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = azbGetForeignRelSize;
	routine->GetForeignPaths = azbGetForeignPaths;
	routine->GetForeignPlan = azbGetForeignPlan;
	routine->BeginForeignScan = azbBeginForeignScan;
	routine->IterateForeignScan = azbIterateForeignScan;
	routine->ReScanForeignScan = azbReScanForeignScan;
	routine->EndForeignScan = azbEndForeignScan;
	routine->ExplainForeignScan = azbExplainForeignScan;
	routine->ImportForeignSchema = azbImportForeignSchema;
	routine->IsForeignPathAsyncCapable = azbIsForeignPathAsyncCapable;
	routine->ForeignAsyncRequest = azbForeignAsyncRequest;
	routine->ForeignAsyncConfigureWait = azbForeignAsyncConfigureWait;
	routine->ForeignAsyncNotify = azbForeignAsyncNotify;
	routine->IsForeignRelUpdatable = azbIsForeignRelUpdatable;
	routine->AddForeignUpdateTargets = azbAddForeignUpdateTargets;
	routine->PlanForeignModify = azbPlanForeignModify;
	routine->BeginForeignModify = azbBeginForeignModify;
	routine->ExecForeignInsert = azbExecForeignInsert;
	routine->ExecForeignUpdate = azbExecForeignUpdate;
	routine->ExecForeignDelete = azbExecForeignDelete;
	routine->EndForeignModify = azbEndForeignModify;
	routine->ExplainForeignModify = azbExplainForeignModify;
	PG_RETURN_POINTER(routine);
}

Datum
azbilling_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);

	azb_options_validate(options, catalog);
	PG_RETURN_VOID();
}
