/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Quals to bindings, date windows and parameterized paths; costs; the
 *	  ForeignScan's fdw_private.
 *
 * Pushdown is advisory: every qual stays in the plan's qual list and is
 * rechecked locally, so a binding only ever narrows what is fetched to a
 * superset of the answer.  What can be pushed:
 *	- scope column (and name) = value, IN (...), = ANY (array), from
 *	  constants, parameters, or (in a parameterized path) the outer side of
 *	  a join;
 *	- <, <=, =, >=, > on the table's date column, as the date window;
 *	- an OR of such equalities on one scope column, like IN (...);
 *	- the request column (transactions' billed_status) = / IN, as the
 *	  request's typed query parameter.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include "access/table.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "rewrite/rewriteManip.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"

/* planner's view of one request and one decoded row */
#define AZB_REQUEST_COST 500.0
#define AZB_ROW_COST (cpu_tuple_cost * 20)
#define AZB_PAGE_ROWS 100.0

typedef struct AzbRelInfo
{
	AzbOptions *opts;
	const AzbResourceDef *res;
	int			version;
	const AzbVersionDef *vdef;
	Oid			relid;
	List	   *bound;			/* String: columns bound by restrictions and pins */
	bool		typed;			/* billed_status is bound */
	double		base_rows;
	List	   *partition_quals;	/* a foreign partition's bound, as RestrictInfos */
} AzbRelInfo;

/* what a pushable clause says */
typedef enum AzbClauseKind
{
	CLAUSE_NONE,
	CLAUSE_BIND,				/* column = value / IN */
	CLAUSE_DATE,				/* date column compared with a value */
	CLAUSE_FILTER				/* text property = value, for OData $filter */
} AzbClauseKind;

typedef struct AzbClause
{
	AzbClauseKind kind;
	char	   *column;
	Expr	   *value;
	bool		is_array;
	int			strategy;		/* CLAUSE_DATE: BTLessStrategyNumber, ... */
	const char *key;			/* CLAUSE_FILTER: the property's JSON key */
} AzbClause;

/*
 * The resource and api-version of a foreign table, or an error with a hint.
 */
const AzbResourceDef *
azb_plan_resource_for(Oid foreigntableid, AzbOptions *opts, int *version)
{
	const AzbResourceDef *res = azb_catalog_resource(opts->resource);

	if (res == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
				 errmsg("foreign table \"%s\" maps to no Azure Billing resource",
						get_rel_name(foreigntableid)),
				 errdetail("\"%s\" is not a table of the catalogue.", opts->resource),
				 errhint("Name the table after a resource, or set its resource option (for example resource 'invoices').")));
	if (azb_catalog_version(res, opts->version) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
				 errmsg("resource \"%s\" does not exist in api-version %s",
						res->name, opts->api_version),
				 errdetail("The %s operation group is not part of that api-version.", res->group),
				 errhint("Set api_version on the table to one that has it.")));
	*version = opts->version;
	return res;
}

static AzbRelInfo *
rel_info(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	AzbRelInfo *ri = (AzbRelInfo *) baserel->fdw_private;

	if (ri)
		return ri;
	ri = palloc0(sizeof(AzbRelInfo));
	ri->opts = azb_options_for_table(foreigntableid);
	ri->res = azb_plan_resource_for(foreigntableid, ri->opts, &ri->version);
	ri->vdef = azb_catalog_version(ri->res, ri->version);
	ri->relid = foreigntableid;

	/*
	 * A foreign partition's bound (billing_account_name IN (...), say) binds
	 * scopes like a condition would: each partition asks for its own rows.
	 */
	{
		Relation	rel = table_open(foreigntableid, NoLock);

		if (rel->rd_rel->relispartition)
		{
			List	   *pq = copyObject(RelationGetPartitionQual(rel));
			ListCell   *lc;

			ChangeVarNodes((Node *) pq, 1, baserel->relid, 0);
			foreach(lc, pq)
				ri->partition_quals = lappend(ri->partition_quals,
											  make_simple_restrictinfo(root, lfirst(lc)));
		}
		table_close(rel, NoLock);
	}
	baserel->fdw_private = ri;
	return ri;
}

static Var *
strip_var(Node *node)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return (node && IsA(node, Var)) ? (Var *) node : NULL;
}

/* Is this a built-in comparison operator, and which? (0 if not) */
static int
comparison_strategy(Oid opno)
{
	char	   *name;
	int			s = 0;

	if (opno >= FirstNormalObjectId)
		return 0;
	name = get_opname(opno);
	if (name == NULL)
		return 0;
	if (strcmp(name, "=") == 0)
		s = BTEqualStrategyNumber;
	else if (strcmp(name, "<") == 0)
		s = BTLessStrategyNumber;
	else if (strcmp(name, "<=") == 0)
		s = BTLessEqualStrategyNumber;
	else if (strcmp(name, ">=") == 0)
		s = BTGreaterEqualStrategyNumber;
	else if (strcmp(name, ">") == 0)
		s = BTGreaterStrategyNumber;
	return s;
}

static bool
is_text_type(Oid t)
{
	return t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID;
}

static bool
is_datetime_type(Oid t)
{
	return t == DATEOID || t == TIMESTAMPOID || t == TIMESTAMPTZOID;
}

static int
commute_strategy(int s)
{
	switch (s)
	{
		case BTLessStrategyNumber:
			return BTGreaterStrategyNumber;
		case BTLessEqualStrategyNumber:
			return BTGreaterEqualStrategyNumber;
		case BTGreaterEqualStrategyNumber:
			return BTLessEqualStrategyNumber;
		case BTGreaterStrategyNumber:
			return BTLessStrategyNumber;
	}
	return s;
}

/*
 * Can the value side be evaluated before the scan?  It must not reference
 * this relation and must be stable (constants, parameters, outer columns).
 */
static bool
value_ok(RelOptInfo *baserel, Node *value)
{
	Relids		varnos = pull_varnos(NULL, value);
	bool		ok = !bms_is_member(baserel->relid, varnos) &&
		!contain_volatile_functions(value);

	return ok;
}

/* What the column is to the catalogue: 'S'cope/name, 'T'ype, 'D'ate, or 0. */
static char
column_role(AzbRelInfo *ri, const char *column)
{
	int			ci = azb_catalog_column_index(ri->vdef, column);

	if (ci < 0)
		return 0;
	switch (ri->vdef->columns[ci].kind)
	{
		case AZB_COL_SCOPE:
		case AZB_COL_NAME:
			return 'S';
		case AZB_COL_REQUEST:
			return 'T';
		default:
			break;
	}
	if (ri->res->date_column && strcmp(ri->res->date_column, column) == 0)
		return 'D';
	if (ri->vdef->columns[ci].kind == AZB_COL_PROPERTY &&
		ri->vdef->columns[ci].type == AZB_TYPE_TEXT &&
		strncmp(ri->vdef->columns[ci].key, "properties.", 11) == 0 &&
		strchr(ri->vdef->columns[ci].key + 11, '.') == NULL)
		return 'F';
	return 0;
}

static bool classify(RelOptInfo *baserel, AzbRelInfo *ri, Expr *clause, AzbClause *out);

/*
 * "col = a OR col = b OR col IN (c, d)" on one scope column binds like
 * IN (a, b, c, d): the arms' values become one array, a constant when they
 * all are (so that EXPLAIN shows each request).  False when an arm is not
 * such a binding or the arms' columns or value types differ.
 */
static bool
classify_or(RelOptInfo *baserel, AzbRelInfo *ri, BoolExpr *or, AzbClause *out)
{
	List	   *scalars = NIL;
	List	   *arrays = NIL;
	char	   *column = NULL;
	Oid			elemtype = InvalidOid;
	bool		all_const = true;
	ListCell   *lc;

	foreach(lc, or->args)
	{
		AzbClause	arm;
		Oid			t;

		if (!classify(baserel, ri, lfirst(lc), &arm) || arm.kind != CLAUSE_BIND)
			return false;
		if (column && strcmp(column, arm.column) != 0)
			return false;
		column = arm.column;
		t = arm.is_array ? get_element_type(exprType((Node *) arm.value)) :
			exprType((Node *) arm.value);
		if (OidIsValid(elemtype) && t != elemtype)
			return false;
		elemtype = t;
		if (!IsA(arm.value, Const))
			all_const = false;
		if (arm.is_array)
			arrays = lappend(arrays, arm.value);
		else
			scalars = lappend(scalars, arm.value);
	}
	if (arrays != NIL && !all_const)
		return false;			/* an array parameter beside other arms: not worth it */

	memset(out, 0, sizeof(*out));
	out->kind = CLAUSE_BIND;
	out->column = column;
	out->is_array = true;
	if (all_const)
	{
		List	   *elems = NIL;
		Datum	   *datums;
		int			n = 0;
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
		foreach(lc, scalars)
			if (!((Const *) lfirst(lc))->constisnull)
				elems = lappend(elems, DatumGetPointer(((Const *) lfirst(lc))->constvalue));
		foreach(lc, arrays)
		{
			Const	   *c = lfirst(lc);
			Datum	   *values;
			bool	   *nulls;
			int			nvalues;

			if (c->constisnull)
				continue;
			deconstruct_array(DatumGetArrayTypeP(c->constvalue), elemtype, typlen, typbyval,
							  typalign, &values, &nulls, &nvalues);
			for (int i = 0; i < nvalues; i++)
				if (!nulls[i])
					elems = lappend(elems, DatumGetPointer(values[i]));
		}
		datums = palloc(sizeof(Datum) * Max(list_length(elems), 1));
		foreach(lc, elems)
			datums[n++] = PointerGetDatum(lfirst(lc));
		out->value = (Expr *) makeConst(get_array_type(elemtype), -1, InvalidOid, -1,
										PointerGetDatum(construct_array(datums, n, elemtype,
																		typlen, typbyval,
																		typalign)),
										false, false);
	}
	else
	{
		ArrayExpr  *arr = makeNode(ArrayExpr);

		arr->array_typeid = get_array_type(elemtype);
		arr->element_typeid = elemtype;
		arr->elements = scalars;
		arr->multidims = false;
		arr->location = -1;
		out->value = (Expr *) arr;
	}
	return OidIsValid(get_array_type(elemtype));
}

/* Classify one clause of the scan as pushable or not. */
static bool
classify(RelOptInfo *baserel, AzbRelInfo *ri, Expr *clause, AzbClause *out)
{
	Var		   *var = NULL;
	Node	   *value = NULL;
	int			strategy = 0;
	char	   *column;
	char		role;
	Oid			inputcollid = InvalidOid;

	memset(out, 0, sizeof(*out));
	if (IsA(clause, BoolExpr) && ((BoolExpr *) clause)->boolop == OR_EXPR)
		return classify_or(baserel, ri, (BoolExpr *) clause, out);
	if (IsA(clause, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *l,
				   *r;

		if (list_length(op->args) != 2)
			return false;
		l = linitial(op->args);
		r = lsecond(op->args);
		strategy = comparison_strategy(op->opno);
		if (strategy == 0)
			return false;
		if ((var = strip_var(l)) != NULL && var->varno == baserel->relid &&
			var->varlevelsup == 0)
			value = r;
		else if ((var = strip_var(r)) != NULL && var->varno == baserel->relid &&
				 var->varlevelsup == 0)
		{
			value = l;
			strategy = commute_strategy(strategy);
		}
		else
			return false;
		inputcollid = op->inputcollid;
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;

		if (!sa->useOr || list_length(sa->args) != 2 ||
			comparison_strategy(sa->opno) != BTEqualStrategyNumber)
			return false;
		var = strip_var(linitial(sa->args));
		if (var == NULL || var->varno != baserel->relid || var->varlevelsup != 0)
			return false;
		value = lsecond(sa->args);
		strategy = BTEqualStrategyNumber;
		out->is_array = true;
		inputcollid = sa->inputcollid;
	}
	else
		return false;

	if (var->varattno <= 0 || !value_ok(baserel, value))
		return false;
	column = get_attname(ri->relid, var->varattno, false);
	role = column_role(ri, column);
	if (role == 0)
		return false;
	if (azb_options_column_json_path(ri->relid, var->varattno) != NULL)
		return false;

	if (role == 'F')
	{
		/* OData filters: "=" with one text value, exact collation */
		if (strategy != BTEqualStrategyNumber || out->is_array ||
			!is_text_type(var->vartype) || !is_text_type(exprType(value)) ||
			!ri->opts->filter_pushdown ||
			(OidIsValid(inputcollid) && !get_collation_isdeterministic(inputcollid)))
			return false;
		out->kind = CLAUSE_FILTER;
		out->key = ri->vdef->columns[azb_catalog_column_index(ri->vdef, column)].key + 11;
	}
	else if (role == 'S' || role == 'T')
	{
		Oid			vtype = exprType(value);

		if (strategy != BTEqualStrategyNumber || !is_text_type(var->vartype))
			return false;
		if (out->is_array)
		{
			Oid			elem = get_element_type(vtype);

			if (!is_text_type(elem))
				return false;
		}
		else if (!is_text_type(vtype))
			return false;
		/* a case-insensitive collation's "=" is not Azure's exact match */
		if (OidIsValid(inputcollid) && !get_collation_isdeterministic(inputcollid))
			return false;
		out->kind = CLAUSE_BIND;
	}
	else
	{
		if (out->is_array || !is_datetime_type(var->vartype) ||
			!is_datetime_type(exprType(value)))
			return false;
		out->kind = CLAUSE_DATE;
		out->strategy = strategy;
	}
	out->column = column;
	out->value = (Expr *) value;
	return true;
}

static bool
list_has_string(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(strVal(lfirst(lc)), s) == 0)
			return true;
	return false;
}

/* The columns bound by a list of clauses (RestrictInfos or bare), plus pins. */
static List *
bound_columns(PlannerInfo *root, RelOptInfo *baserel, AzbRelInfo *ri, List *clauses,
			  bool *typed)
{
	List	   *bound = NIL;
	ListCell   *lc;

	*typed = false;
	foreach(lc, ri->opts->pins)
	{
		AzbPin	   *pin = lfirst(lc);

		if (!list_has_string(bound, pin->column))
			bound = lappend(bound, makeString(pin->column));
	}
	foreach(lc, clauses)
	{
		Node	   *n = lfirst(lc);
		Expr	   *clause = IsA(n, RestrictInfo) ? ((RestrictInfo *) n)->clause : (Expr *) n;
		AzbClause	c;

		if (!classify(baserel, ri, clause, &c) || c.kind != CLAUSE_BIND)
			continue;
		if (ri->res->request_column && strcmp(c.column, ri->res->request_column) == 0)
		{
			*typed = true;
			continue;
		}
		if (!list_has_string(bound, c.column))
			bound = lappend(bound, makeString(c.column));
	}
	return bound;
}

/*
 * Estimate the requests of a scan with these columns bound, and the rows
 * Azure sends back (before local filtering): each scope the target route
 * binds narrows what is fetched by that scope's fan-out.
 */
static double
estimate_requests(AzbRelInfo *ri, List *bound, bool typed, double *fetched)
{
	const char *names[64];
	int			n = 0;
	ListCell   *lc;
	AzbChain	chain;
	double		requests;
	const AzbRouteDef *route;
	double		rows = ri->base_rows;

	foreach(lc, bound)
		if (n < lengthof(names))
			names[n++] = strVal(lfirst(lc));
	if (!azb_catalog_choose(ri->res, ri->version, names, n, &chain))
		return -1;
	requests = chain.nsteps + chain.requests;
	route = &ri->vdef->routes[chain.steps[chain.nsteps - 1].route];
	for (int p = 0; p < route->nparams; p++)
		if (list_has_string(bound, route->params[p]))
			rows /= (strcmp(route->params[p], "name") == 0) ? rows :
				azb_catalog_fanout(route->params[p]);
	if ((route->query.type != NULL) && !typed)
		requests *= 3;
	if (!(route->flags & AZB_ROUTE_SINGLE))
		requests += rows / AZB_PAGE_ROWS;
	*fetched = Max(rows, 1);
	return requests;
}

void
azb_plan_rel_size(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	AzbRelInfo *ri = rel_info(root, baserel, foreigntableid);
	double		sel;

	ri->bound = bound_columns(root, baserel, ri,
							  list_concat_copy(baserel->baserestrictinfo, ri->partition_quals),
							  &ri->typed);
	/* billing data is small per scope, but dated tables run long */
	ri->base_rows = ri->res->date_column ? 1000.0 : 50.0;
	if (list_has_string(ri->bound, "name"))
		ri->base_rows = 1;
	sel = clauselist_selectivity(root, baserel->baserestrictinfo, 0, JOIN_INNER, NULL);
	baserel->rows = clamp_row_est(ri->base_rows * sel);
	baserel->tuples = ri->base_rows;
}

static void
add_scan_path(PlannerInfo *root, RelOptInfo *baserel, AzbRelInfo *ri, List *bound,
		 bool typed, double rows, Relids required_outer)
{
	double		fetched;
	double		requests = estimate_requests(ri, bound, typed, &fetched);
	Cost		startup,
				total;

	/*
	 * No route can serve it: keep the path, priced out of reach, so that a
	 * parameterized path wins if there is one and GetForeignPlan otherwise
	 * explains what condition is missing.
	 */
	if (requests < 0)
	{
		requests = 1.0e7;
		fetched = ri->base_rows;
	}
	startup = AZB_REQUEST_COST;
	total = startup + requests * AZB_REQUEST_COST + fetched * AZB_ROW_COST;
	add_path(baserel, (Path *)
			 azb_compat_foreignscan_path(root, baserel, NULL, rows, startup, total,
										 NIL, required_outer, NULL, NIL));
}

/* state for ec_member_matches_scope */
typedef struct EcArg
{
	AzbRelInfo *ri;
	RelOptInfo *rel;
	Expr	   *current;
	List	   *already_used;
} EcArg;

/* An equivalence member that is one of our scope columns. */
static bool
ec_member_matches_scope(PlannerInfo *root, RelOptInfo *rel,
						EquivalenceClass *ec pg_attribute_unused(),
						EquivalenceMember *em, void *arg)
{
	EcArg	   *state = (EcArg *) arg;
	Var		   *var = strip_var((Node *) em->em_expr);

	if (state->current != NULL)
		return equal(em->em_expr, state->current);
	if (var == NULL || var->varno != rel->relid || var->varattno <= 0)
		return false;
	if (column_role(state->ri, get_attname(state->ri->relid, var->varattno, false)) != 'S')
		return false;
	if (list_member(state->already_used, em->em_expr))
		return false;
	state->current = em->em_expr;
	return true;
}

/*
 * The parameterization under which a join clause would bind one of our
 * scope columns, added to ppi_list; the list unchanged when the clause
 * binds none.
 */
static List *
add_binding_param(PlannerInfo *root, RelOptInfo *baserel, AzbRelInfo *ri,
				  RestrictInfo *rinfo, List *ppi_list)
{
	Relids		required_outer;
	AzbClause	c;

	if (!join_clause_is_movable_to(rinfo, baserel))
		return ppi_list;
	if (!classify(baserel, ri, rinfo->clause, &c) || c.kind != CLAUSE_BIND)
		return ppi_list;
	required_outer = bms_union(rinfo->clause_relids, baserel->lateral_relids);
	required_outer = bms_del_member(required_outer, baserel->relid);
	if (bms_is_empty(required_outer))
		return ppi_list;
	return list_append_unique_ptr(ppi_list,
								  get_baserel_parampathinfo(root, baserel, required_outer));
}

/*
 * Paths: one unparameterized, and one per set of outer relations whose
 * join clauses would bind scope columns (so that a join drives scoped
 * requests from a nested loop).
 */
void
azb_plan_paths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	AzbRelInfo *ri = rel_info(root, baserel, foreigntableid);
	List	   *ppi_list = NIL;
	ListCell   *lc;
	add_scan_path(root, baserel, ri, ri->bound, ri->typed, baserel->rows, NULL);

	foreach(lc, baserel->joininfo)
		ppi_list = add_binding_param(root, baserel, ri, lfirst(lc), ppi_list);

	if (baserel->has_eclass_joins)
	{
		EcArg		arg;

		arg.ri = ri;
		arg.rel = baserel;
		arg.already_used = NIL;
		for (;;)
		{
			List	   *clauses;
			ListCell   *lc2;

			arg.current = NULL;
			clauses = generate_implied_equalities_for_column(root, baserel,
															 ec_member_matches_scope,
															 (void *) &arg,
															 baserel->lateral_referencers);
			if (arg.current == NULL)
				break;
			foreach(lc2, clauses)
				ppi_list = add_binding_param(root, baserel, ri, lfirst(lc2), ppi_list);
			arg.already_used = lappend(arg.already_used, arg.current);
		}
	}

	foreach(lc, ppi_list)
	{
		ParamPathInfo *ppi = lfirst(lc);
		List	   *clauses = list_concat(list_concat_copy(baserel->baserestrictinfo,
															   ppi->ppi_clauses),
											  ri->partition_quals);
		bool		typed;
		List	   *bound = bound_columns(root, baserel, ri, clauses, &typed);
		double		rows = ppi->ppi_rows;

		add_scan_path(root, baserel, ri, bound, typed, Max(rows, 1), ppi->ppi_req_outer);
	}
}

/* Add an expression to fdw_exprs, returning its index. */
static int
add_expr(List **exprs, Expr *e)
{
	*exprs = lappend(*exprs, e);
	return list_length(*exprs) - 1;
}

/*
 * How many rows the query can use from this scan, when a LIMIT (plus
 * OFFSET) applies to its rows directly: the scan is the query's only
 * relation (or a partition or UNION ALL branch of it) and nothing between them (sorting, grouping, aggregates,
 * DISTINCT, window functions; the planner clears limit_tuples for the
 * latter) needs every row.  The scan then starts requests only while rows
 * are still needed.  It never stops early on its own: a local qual that
 * rejects rows makes the executor ask again, and the scan goes on.
 * -1 when there is no such bound.
 */
static int
row_bound(PlannerInfo *root)
{
	if (root->limit_tuples < 0 || root->parse->sortClause != NIL ||
		bms_membership(root->all_baserels) != BMS_SINGLETON)
		return -1;
	return (int) Min(root->limit_tuples, (double) PG_INT32_MAX);
}

/*
 * The planner hands a scan whose parent needs few columns (count(*), say)
 * the relation's physical target list, every column, to save a projection.
 * Only the columns in the path's target are ever decoded; the others are
 * NULL.  Give the plan that target instead, so that EXPLAIN's Output lists
 * what the scan really produces.  Kept as given when the target holds
 * anything but this relation's plain columns.
 */
static List *
scan_tlist(RelOptInfo *baserel, ForeignPath *best_path, List *tlist)
{
	ListCell   *lc;
	int			resno = 1;

	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst(lc);
		Var		   *var = (Var *) tle->expr;

		if (!IsA(var, Var) || var->varno != baserel->relid || var->varattno != resno++)
			return tlist;		/* not a physical target list */
	}
	foreach(lc, best_path->path.pathtarget->exprs)
	{
		Var		   *var = lfirst(lc);

		if (!IsA(var, Var) || var->varno != baserel->relid || var->varlevelsup != 0)
			return tlist;
	}
	return make_tlist_from_pathtarget(best_path->path.pathtarget);
}

ForeignScan *
azb_plan_scan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
			  ForeignPath *best_path, List *tlist, List *scan_clauses, Plan *outer_plan)
{
	AzbRelInfo *ri = rel_info(root, baserel, foreigntableid);
	List	   *fdw_exprs = NIL;
	List	   *bindings = NIL;
	List	   *date_exprs = NIL;
	List	   *date_strategies = NIL;
	List	   *filter_keys = NIL;
	List	   *filter_exprs = NIL;
	List	   *bound = NIL;
	List	   *retrieved = NIL;
	List	   *private;
	Bitmapset  *attrs_used = NULL;
	ListCell   *lc;
	bool		typed;
	const char *names[64];
	int			n = 0;
	AzbChain	chain;
	RestrictInfo *name_clause = NULL;
	List	   *local_clauses = scan_clauses;

	/* bindings from every clause the scan evaluates (join clauses included) */
	foreach(lc, list_concat_copy(scan_clauses, ri->partition_quals))
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		AzbClause	c;

		if (rinfo->pseudoconstant)
			continue;
		if (!classify(baserel, ri, rinfo->clause, &c))
			continue;
		if (c.kind == CLAUSE_BIND && strcmp(c.column, "name") == 0 && name_clause == NULL)
			name_clause = rinfo;
		if (c.kind == CLAUSE_BIND)
			bindings = lappend(bindings,
							   list_make4(makeString(c.column),
										  makeInteger(add_expr(&fdw_exprs, c.value)),
										  makeInteger(c.is_array ? 1 : 0),
										  makeInteger(best_path->path.param_info &&
													  list_member_ptr(best_path->path.param_info->ppi_clauses,
																	  rinfo) ? 1 : 0)));
		else if (c.kind == CLAUSE_FILTER)
		{
			filter_keys = lappend(filter_keys, makeString(pstrdup(c.key)));
			filter_exprs = lappend_int(filter_exprs, add_expr(&fdw_exprs, c.value));
		}
		else
		{
			date_exprs = lappend_int(date_exprs, add_expr(&fdw_exprs, c.value));
			date_strategies = lappend_int(date_strategies, c.strategy);
		}
	}
	bound = bound_columns(root, baserel, ri, list_concat_copy(scan_clauses, ri->partition_quals),
						  &typed);

	/* the route must exist now, so that planning, not execution, complains */
	foreach(lc, bound)
		if (n < lengthof(names))
			names[n++] = strVal(lfirst(lc));
	if (!azb_catalog_choose(ri->res, ri->version, names, n, &chain))
	{
		StringInfoData needs;
		const AzbVersionDef *v = ri->vdef;

		initStringInfo(&needs);
		for (int r = 0; r < v->nroutes; r++)
		{
			appendStringInfo(&needs, "%s(", r ? "; " : "");
			for (int p = 0; p < v->routes[r].nparams; p++)
				appendStringInfo(&needs, "%s%s", p ? ", " : "", v->routes[r].params[p]);
			appendStringInfoChar(&needs, ')');
		}
		ereport(ERROR,
				(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
				 errmsg("foreign table \"%s\" needs a scope condition",
						get_rel_name(foreigntableid)),
				 errdetail("No route of %s at api-version %s can be served from the query's conditions, and the missing scopes cannot be listed.",
						   ri->res->name, ri->opts->api_version),
				 errhint("Add WHERE conditions (=, IN) on the columns of one route: %s.",
						 needs.data)));
	}

	/*
	 * A point lookup's answer is the item Azure has under that name, even
	 * when its body names it otherwise (aliases such as billingAccounts/
	 * default): the name condition it consumed is not rechecked.
	 */
	if (name_clause != NULL &&
		(ri->vdef->routes[chain.steps[chain.nsteps - 1].route].flags & AZB_ROUTE_POINT))
		local_clauses = list_delete_ptr(list_copy(scan_clauses), name_clause);

	/* retrieved columns: the target list and the local quals */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs_used);
	foreach(lc, local_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) rinfo->clause, baserel->relid, &attrs_used);
	}
	{
		Relation	rel = table_open(foreigntableid, NoLock);
		TupleDesc	tupdesc = RelationGetDescr(rel);
		bool		whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used);

		for (int i = 1; i <= tupdesc->natts; i++)
		{
			if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
				continue;
			if (whole_row ||
				bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs_used))
				retrieved = lappend_int(retrieved, i);
		}
		table_close(rel, NoLock);
	}

	private = list_make5(makeString(pstrdup(ri->res->name)),
						 makeInteger(ri->version),
						 bound,
						 bindings,
						 date_exprs);
	private = lappend(private, date_strategies);
	private = lappend(private, retrieved);
	private = lappend(private, filter_keys);
	private = lappend(private, filter_exprs);
	private = lappend(private, makeInteger(row_bound(root)));
	Assert(list_length(private) == AZB_FP_COUNT);

	return make_foreignscan(scan_tlist(baserel, best_path, tlist),
							extract_actual_clauses(local_clauses, false),
							baserel->relid,
							fdw_exprs,
							private,
							NIL,
							NIL,
							outer_plan);
}

/* May this relation's scan run asynchronously under an Append? */
bool
azb_plan_async_capable(RelOptInfo *rel)
{
	AzbRelInfo *ri = (AzbRelInfo *) rel->fdw_private;

	return ri != NULL && ri->opts->async_capable;
}
