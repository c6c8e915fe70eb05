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

#include "access/reloptions.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "foreign/fdwapi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include <cjson/cJSON.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(azbilling_fdw_handler);
PG_FUNCTION_INFO_V1(azbilling_fdw_validator);
PG_FUNCTION_INFO_V1(azbilling_version);
PG_FUNCTION_INFO_V1(azbilling_catalog);
PG_FUNCTION_INFO_V1(azbilling_routes);
PG_FUNCTION_INFO_V1(azbilling_tables);

void		_PG_init(void);

void
_PG_init(void)
{
	char		problem[256];

	azb_decode_init();
	azb_auth_init();
	azb_op_init();
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

/* The extension's version and the libraries it runs on, for support. */
Datum
azbilling_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("azbilling_fdw %s; %s; cJSON %s",
											  AZB_VERSION_STRING,
											  azb_http_libcurl_version(),
											  cJSON_Version())));
}

static const char *
kind_name(AzbColKind kind)
{
	switch (kind)
	{
		case AZB_COL_ID:
		case AZB_COL_NAME:
		case AZB_COL_TYPE:
			return "envelope";
		case AZB_COL_RAW:
			return "raw";
		case AZB_COL_SCOPE:
			return "scope";
		case AZB_COL_PROPERTY:
			return "property";
		case AZB_COL_AMOUNT:
			return "amount";
		case AZB_COL_CURRENCY:
			return "currency";
		case AZB_COL_BILLED_STATUS:
			return "request";
	}
	return "property";
}

/* Every column of every resource at every api-version: the docs' source. */
Datum
azbilling_catalog(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < azb_nresources; r++)
		for (int vi = 0; vi < AZB_NVERSIONS; vi++)
		{
			const AzbVersionDef *v = azb_catalog_version(&azb_resources[r], vi);

			if (v == NULL)
				continue;
			for (int c = 0; c < v->ncolumns; c++)
			{
				Datum		values[8];
				bool		nulls[8] = {0};

				values[0] = CStringGetTextDatum(azb_resources[r].name);
				values[1] = CStringGetTextDatum(azb_api_versions[vi]);
				values[2] = Int32GetDatum(c + 1);
				values[3] = CStringGetTextDatum(v->columns[c].name);
				values[4] = CStringGetTextDatum(azb_catalog_type_name(v->columns[c].type));
				values[5] = CStringGetTextDatum(kind_name(v->columns[c].kind));
				if (v->columns[c].key)
					values[6] = CStringGetTextDatum(v->columns[c].key);
				else
					nulls[6] = true;
				if (v->columns[c].doc)
					values[7] = CStringGetTextDatum(v->columns[c].doc);
				else
					nulls[7] = true;
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
		}
	return (Datum) 0;
}

/* Every route: resource, api-version, operation, path, scopes, capabilities. */
Datum
azbilling_routes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < azb_nresources; r++)
		for (int vi = 0; vi < AZB_NVERSIONS; vi++)
		{
			const AzbVersionDef *v = azb_catalog_version(&azb_resources[r], vi);

			if (v == NULL)
				continue;
			for (int i = 0; i < v->nroutes; i++)
			{
				const AzbRouteDef *route = &v->routes[i];
				Datum		values[8];
				bool		nulls[8] = {0};
				Datum		params[AZB_MAX_PARAMS];
				StringInfoData flags;
				StringInfoData agr;

				for (int p = 0; p < route->nparams; p++)
					params[p] = CStringGetTextDatum(route->params[p]);
				initStringInfo(&flags);
				if (route->flags & AZB_ROUTE_POINT)
					appendStringInfoString(&flags, "point ");
				if (route->flags & AZB_ROUTE_SINGLE)
					appendStringInfoString(&flags, "single ");
				if (route->flags & AZB_ROUTE_DATES_REQUIRED)
					appendStringInfoString(&flags, "dates-required ");
				else if (route->flags & AZB_ROUTE_DATES)
					appendStringInfoString(&flags, "dates ");
				if (route->flags & AZB_ROUTE_TYPE)
					appendStringInfoString(&flags, "type ");
				if (route->flags & AZB_ROUTE_FILTER)
					appendStringInfoString(&flags, "filter ");
				if (flags.len)
					flags.data[--flags.len] = '\0';
				initStringInfo(&agr);
				if (route->agreements == AZB_AGR_ANY)
					appendStringInfoString(&agr, "all");
				for (unsigned b = 1; b <= AZB_AGR_MOSP; b <<= 1)
					if (route->agreements & b)
						appendStringInfo(&agr, "%s%s", agr.len ? "," : "",
										 b == AZB_AGR_MCA ? "MCA" : b == AZB_AGR_EA ? "EA" :
										 b == AZB_AGR_MPA ? "MPA" : "MOSP");

				values[0] = CStringGetTextDatum(azb_resources[r].name);
				values[1] = CStringGetTextDatum(azb_api_versions[vi]);
				values[2] = Int32GetDatum(i + 1);
				values[3] = CStringGetTextDatum(route->operation_id);
				values[4] = CStringGetTextDatum(route->path);
				values[5] = PointerGetDatum(construct_array(params, route->nparams, TEXTOID,
															-1, false, TYPALIGN_INT));
				values[6] = CStringGetTextDatum(flags.data);
				values[7] = CStringGetTextDatum(agr.data);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
		}
	return (Datum) 0;
}

/* Every resource: its table name, operation group, description and versions. */
Datum
azbilling_tables(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < azb_nresources; r++)
	{
		const AzbResourceDef *res = &azb_resources[r];
		Datum		values[5];
		bool		nulls[5] = {0};
		Datum		versions[AZB_NVERSIONS];
		int			n = 0;

		for (int vi = 0; vi < AZB_NVERSIONS; vi++)
			if (azb_catalog_version(res, vi))
				versions[n++] = CStringGetTextDatum(azb_api_versions[vi]);
		values[0] = CStringGetTextDatum(res->name);
		values[1] = CStringGetTextDatum(res->group);
		values[2] = CStringGetTextDatum(res->doc);
		values[3] = PointerGetDatum(construct_array(versions, n, TEXTOID, -1, false, TYPALIGN_INT));
		if (res->date_column)
			values[4] = CStringGetTextDatum(res->date_column);
		else
			nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
