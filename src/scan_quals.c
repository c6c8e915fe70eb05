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

int32
azb_scan_today(void)
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
bool
azb_scan_evaluate(AzbScan *s, ExprContext *econtext, bool only_consts)
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
		ExprState  *es = list_nth(s->expr_states, b->expr);
		Expr	   *expr = es->expr;
		bool		isnull;
		Datum		d;
		List	   *values = NIL;
		int			si = azb_scan_slot(s, b->column);
		bool		is_type = s->res->request_column &&
			strcmp(b->column, s->res->request_column) == 0;

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
		for (int i = 0; i < s->res->nrequest_values; i++)
			s->types = lappend(s->types, (char *) s->res->request_values[i]);

	list_free(exprs);
	MemoryContextSwitchTo(old);
	return !s->empty;
}

