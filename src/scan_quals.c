/*-------------------------------------------------------------------------
 *
 * scan_quals.c
 *	  The values a scan's query binds: scope values (constants, parameters,
 *	  join values, arrays), the date window and the OData filter, evaluated
 *	  once per execution.
 *
 *-------------------------------------------------------------------------
 */
#include "scan_int.h"

#include "access/stratnum.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"


static char *
datum_text(Datum d, Oid type)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(type, &out, &varlena);
	return OidOutputFunctionCall(out, d);
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

int32
azb_scan_today(void)
{
	return datum_days(TimestampTzGetDatum(GetCurrentTimestamp()), TIMESTAMPTZOID);
}

/* ---------------------------------------------------------------- */
/* Bindings: the values of the query's conditions					*/
/* ---------------------------------------------------------------- */

/*
 * The value of fdw_exprs entry 'expr' and its type.  False when it is not
 * evaluated (only_consts and not a constant) or is NULL; a NULL means that
 * the conditions cannot be true, and sets s->empty.
 */
static bool
value_of(AzbScan *s, ExprContext *econtext, int expr, bool only_consts, Datum *d, Oid *type)
{
	ExprState  *es = list_nth(s->expr_states, expr);
	bool		isnull;

	if (only_consts && !IsA(es->expr, Const))
		return false;
	*d = ExecEvalExpr(es, econtext, &isnull);
	*type = exprType((Node *) es->expr);
	if (isnull)
	{
		s->empty = true;
		return false;
	}
	return true;
}

/* An array's non-NULL elements as text, without duplicates or (for scopes) empty names. */
static List *
array_values(Datum d, bool scope)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	List	   *values = NIL;

	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *v;

		if (nulls[i])
			continue;
		v = datum_text(elems[i], ARR_ELEMTYPE(arr));
		if ((scope && v[0] == '\0') || list_member(values, makeString(v)))
			continue;
		values = lappend(values, makeString(v));
	}
	return values;
}

/* Scope values: table-option pins first, then the query's conditions. */
static void
bind_scopes(AzbScan *s, ExprContext *econtext, bool only_consts)
{
	ListCell   *lc;

	/* table options pin scopes first: the table is pinned whatever the query says */
	foreach(lc, s->opts->pins)
	{
		AzbPin	   *pin = lfirst(lc);
		int			si = azb_scan_slot(s, pin->column);

		if (si >= 0 && !s->slot_bound[si])
		{
			s->slot_values[si] = list_make1(pstrdup(pin->value));
			s->slot_bound[si] = true;
		}
	}

	foreach(lc, s->bindings)
	{
		AzbBinding *b = lfirst(lc);
		Datum		d;
		Oid			type;
		List	   *values = NIL;
		ListCell   *vc;
		int			si = azb_scan_slot(s, b->column);
		bool		is_type = s->res->request_column &&
			strcmp(b->column, s->res->request_column) == 0;

		if (!is_type && (si < 0 || s->slot_bound[si]))
			continue;			/* not used by the chain, or already bound */
		if (is_type && s->typed_by_query)
			continue;
		if (!value_of(s, econtext, b->expr, only_consts, &d, &type))
			continue;
		if (b->is_array)
		{
			/* as strings, not String nodes, for the tasks */
			foreach(vc, array_values(d, !is_type))
				values = lappend(values, strVal(lfirst(vc)));
			if (values == NIL)
				s->empty = true;
		}
		else
		{
			char	   *v = datum_text(d, type);

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
	if (s->types == NIL)
		for (int i = 0; i < s->res->nrequest_values; i++)
			s->types = lappend(s->types, (char *) s->res->request_values[i]);
}

/* The day a date condition's value bounds the window at. */
static int32
bound_day(Datum d, Oid type, int strategy)
{
	TimestampTz ts;

	if (strategy != BTLessStrategyNumber)
		return datum_days(d, type);
	/* "< x" ends the day before x when x is a day's first instant */
	if (type == DATEOID)
		return DatumGetDateADT(d) - 1;
	ts = type == TIMESTAMPOID ?
		DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, d)) :
		DatumGetTimestampTz(d);
	return TIMESTAMP_NOT_FINITE(ts) ? datum_days(d, type) :
		datum_days(TimestampTzGetDatum(ts - 1), TIMESTAMPTZOID);
}

/* The date window: the tightest bounds of all date conditions. */
static void
bind_window(AzbScan *s, ExprContext *econtext, bool only_consts)
{
	ListCell   *le,
			   *ls;

	forboth(le, s->date_exprs, ls, s->date_strategies)
	{
		int			strategy = lfirst_int(ls);
		Datum		d;
		Oid			type;
		int32		day;

		if (!value_of(s, econtext, lfirst_int(le), only_consts, &d, &type))
			continue;
		day = bound_day(d, type, strategy);
		if (azb_scan_bounds_lower(strategy))
		{
			if (!s->have_lower || day > s->lower)
				s->lower = day;
			s->have_lower = true;
		}
		if (azb_scan_bounds_upper(strategy))
		{
			if (!s->have_upper || day < s->upper)
				s->upper = day;
			s->have_upper = true;
		}
	}
	if (s->have_lower && s->have_upper && s->lower > s->upper)
		s->empty = true;
}

/* The OData filter from text property conditions, values quoted with ''. */
static void
bind_filter(AzbScan *s, ExprContext *econtext, bool only_consts)
{
	StringInfoData f;
	ListCell   *lk,
			   *le;

	initStringInfo(&f);
	forboth(lk, s->filter_keys, le, s->filter_exprs)
	{
		Datum		d;
		Oid			type;
		char	   *v;
		size_t		n;
		char	   *quoted;

		if (!value_of(s, econtext, lfirst_int(le), only_consts, &d, &type))
			continue;
		v = datum_text(d, type);
		n = azb_request_odata_quote(NULL, 0, v);
		quoted = palloc(n + 1);
		azb_request_odata_quote(quoted, n + 1, v);
		appendStringInfo(&f, "%sproperties/%s eq %s", f.len ? " and " : "", strVal(lfirst(lk)), quoted);
	}
	s->odata_filter = f.len > 0 ? f.data : NULL;
}

/*
 * Evaluate the bound values.  Returns false (and sets s->empty) when a
 * condition cannot be true, for example "= NULL".  With only_consts, values
 * that need parameters or functions are left unevaluated (EXPLAIN without
 * ANALYZE).
 */
bool
azb_scan_evaluate(AzbScan *s, ExprContext *econtext, bool only_consts)
{
	MemoryContext old = MemoryContextSwitchTo(s->runcxt);

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

	bind_scopes(s, econtext, only_consts);
	bind_window(s, econtext, only_consts);
	bind_filter(s, econtext, only_consts);

	MemoryContextSwitchTo(old);
	return !s->empty;
}
