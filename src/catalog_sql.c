/*-------------------------------------------------------------------------
 *
 * catalog_sql.c
 *	  The catalogues as SQL: azbilling_version(), azbilling_catalog(),
 *	  azbilling_routes(), azbilling_tables() and azbilling_operations(), the
 *	  source of the docs and of support questions.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"
#include "catalog_ops.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(azbilling_version);
PG_FUNCTION_INFO_V1(azbilling_catalog);
PG_FUNCTION_INFO_V1(azbilling_routes);
PG_FUNCTION_INFO_V1(azbilling_tables);
PG_FUNCTION_INFO_V1(azbilling_operations);

/* The extension's version and the libraries it runs on, for support. */
Datum
azbilling_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("azbilling_fdw %s; %s; cJSON %s",
											  AZB_VERSION_STRING,
											  azb_http_libcurl_version(),
											  azb_json_version())));
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
		case AZB_COL_REQUEST:
			return "request";
	}
	return "property";
}

/* A text Datum, or NULL for a missing string. */
static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* A text[] Datum of n strings. */
static Datum
text_array(const char *const *s, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(s[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* the widest row of these functions (azbilling_operations) */
#define AZB_SRF_MAXCOLS 13

typedef void (*AzbRowFill) (int i, Datum *values, bool *nulls);

/* A set-returning function's n rows: fill(i) sets row i's values; nulls start false. */
static Datum
numbered_rows(FunctionCallInfo fcinfo, int n, AzbRowFill fill)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		Datum		values[AZB_SRF_MAXCOLS];
		bool		nulls[AZB_SRF_MAXCOLS] = {0};

		fill(i, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

typedef void (*AzbVersionRows) (ReturnSetInfo *rsinfo, const AzbResourceDef *res, int vi,
								const AzbVersionDef *v);

/* Rows of a set-returning function for every resource at every api-version it has. */
static Datum
version_rows(FunctionCallInfo fcinfo, AzbVersionRows rows)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < azb_nresources; r++)
		for (int vi = 0; vi < AZB_NVERSIONS; vi++)
		{
			const AzbVersionDef *v = azb_catalog_version(&azb_resources[r], vi);

			if (v != NULL)
				rows(rsinfo, &azb_resources[r], vi, v);
		}
	return (Datum) 0;
}

static void
column_rows(ReturnSetInfo *rsinfo, const AzbResourceDef *res, int vi, const AzbVersionDef *v)
{
	for (int c = 0; c < v->ncolumns; c++)
	{
		Datum		values[8];
		bool		nulls[8] = {0};

		values[0] = CStringGetTextDatum(res->name);
		values[1] = CStringGetTextDatum(azb_api_versions[vi]);
		values[2] = Int32GetDatum(c + 1);
		values[3] = CStringGetTextDatum(v->columns[c].name);
		values[4] = CStringGetTextDatum(azb_catalog_type_name(v->columns[c].type));
		values[5] = CStringGetTextDatum(kind_name(v->columns[c].kind));
		values[6] = text_or_null(v->columns[c].key, &nulls[6]);
		values[7] = text_or_null(v->columns[c].doc, &nulls[7]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* Every column of every resource at every api-version: the docs' source. */
Datum
azbilling_catalog(PG_FUNCTION_ARGS)
{
	return version_rows(fcinfo, column_rows);
}

/* A route's capabilities, as words: "point single dates type filter". */
static char *
route_flags(const AzbRouteDef *route)
{
	StringInfoData flags;

	initStringInfo(&flags);
	if (route->flags & AZB_ROUTE_POINT)
		appendStringInfoString(&flags, "point ");
	if (route->flags & AZB_ROUTE_SINGLE)
		appendStringInfoString(&flags, "single ");
	if (route->flags & AZB_ROUTE_DATES_REQUIRED)
		appendStringInfoString(&flags, "dates-required ");
	else if (route->query.date_start != NULL)
		appendStringInfoString(&flags, "dates ");
	if (route->query.type != NULL)
		appendStringInfoString(&flags, "type ");
	if (route->query.filter != NULL)
		appendStringInfoString(&flags, "filter ");
	if (flags.len)
		flags.data[--flags.len] = '\0';
	return flags.data;
}

/* A route's agreement types: "all", or "MCA,MPA". */
static char *
route_agreements(const AzbRouteDef *route)
{
	StringInfoData agr;

	initStringInfo(&agr);
	if (route->agreements == AZB_AGR_ANY)
		appendStringInfoString(&agr, "all");
	for (unsigned b = 1; b <= AZB_AGR_MOSP; b <<= 1)
		if (route->agreements & b)
			appendStringInfo(&agr, "%s%s", agr.len ? "," : "",
							 b == AZB_AGR_MCA ? "MCA" : b == AZB_AGR_EA ? "EA" :
							 b == AZB_AGR_MPA ? "MPA" : "MOSP");
	return agr.data;
}

static void
route_rows(ReturnSetInfo *rsinfo, const AzbResourceDef *res, int vi, const AzbVersionDef *v)
{
	for (int i = 0; i < v->nroutes; i++)
	{
		const AzbRouteDef *route = &v->routes[i];
		Datum		values[8];
		bool		nulls[8] = {0};

		values[0] = CStringGetTextDatum(res->name);
		values[1] = CStringGetTextDatum(azb_api_versions[vi]);
		values[2] = Int32GetDatum(i + 1);
		values[3] = CStringGetTextDatum(route->operation_id);
		values[4] = CStringGetTextDatum(route->path);
		values[5] = text_array(route->params, route->nparams);
		values[6] = CStringGetTextDatum(route_flags(route));
		values[7] = CStringGetTextDatum(route_agreements(route));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* Every route: resource, api-version, operation, path, scopes, capabilities. */
Datum
azbilling_routes(PG_FUNCTION_ARGS)
{
	return version_rows(fcinfo, route_rows);
}

static void
table_row(int r, Datum *values, bool *nulls)
{
	const AzbResourceDef *res = &azb_resources[r];
	const char *versions[AZB_NVERSIONS];
	int			n = 0;

	for (int vi = 0; vi < AZB_NVERSIONS; vi++)
		if (azb_catalog_version(res, vi))
			versions[n++] = azb_api_versions[vi];
	values[0] = CStringGetTextDatum(res->name);
	values[1] = CStringGetTextDatum(res->group);
	values[2] = CStringGetTextDatum(res->doc);
	values[3] = text_array(versions, n);
	values[4] = text_or_null(res->date_column, &nulls[4]);
}

/* Every resource: its table name, operation group, description and versions. */
Datum
azbilling_tables(PG_FUNCTION_ARGS)
{
	return numbered_rows(fcinfo, azb_nresources, table_row);
}

static void
operation_row(int i, Datum *values, bool *nulls)
{
	const AzbOperationDef *op = &azb_operations[i];
	const char **q = palloc(sizeof(char *) * Max(op->nquery, 1));
	const char **rq = palloc(sizeof(char *) * Max(op->nquery, 1));
	int			nrq = 0;

	for (int k = 0; k < op->nquery; k++)
	{
		q[k] = op->query[k].name;
		if (op->query[k].required)
			rq[nrq++] = op->query[k].name;
	}
	values[0] = CStringGetTextDatum(op->operation_id);
	values[1] = CStringGetTextDatum(azb_api_versions[op->version]);
	values[2] = CStringGetTextDatum(op->method);
	values[3] = CStringGetTextDatum(op->path);
	values[4] = text_or_null(op->table, &nulls[4]);
	values[5] = BoolGetDatum(op->mutating);
	values[6] = BoolGetDatum(op->long_running);
	values[7] = text_or_null(azb_opcat_final_state_name(op->final_state), &nulls[7]);
	values[8] = text_array(op->path_params, op->npath);
	values[9] = text_array(q, op->nquery);
	values[10] = text_array(rq, nrq);
	values[11] = text_or_null(op->body_model, &nulls[11]);
	values[12] = BoolGetDatum(op->body_required);
	nulls[12] = (op->body_param == NULL);
}

/*
 * azbilling_operations() RETURNS TABLE (operation_id, api_version, method,
 *	 path, resource, mutating, long_running, final_state_via,
 *	 path_parameters, query_parameters, required_query_parameters,
 *	 body_model, body_required)
 */
Datum
azbilling_operations(PG_FUNCTION_ARGS)
{
	return numbered_rows(fcinfo, azb_noperations, operation_row);
}
