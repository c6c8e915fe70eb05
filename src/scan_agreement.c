/*-------------------------------------------------------------------------
 *
 * scan_agreement.c
 *	  Agreement types: which billing accounts (and subscriptions) a scan's
 *	  chain can serve, and the error for one the query named whose type the
 *	  table lacks.
 *
 *-------------------------------------------------------------------------
 */
#include "scan_int.h"

#include "utils/memutils.h"
#include "utils/rel.h"

/* The supported agreement types of a route, for messages. */
static char *
agreement_list(unsigned bits)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (unsigned b = 1; b <= AZB_AGR_MOSP; b <<= 1)
		if (bits & b)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", azb_catalog_agreement_name(b));
	return buf.data;
}

/* Does the route take the scope column of an agreement source? */
bool
azb_scan_route_uses_source(const AzbRouteDef *route)
{
	for (int p = 0; p < route->nparams; p++)
		for (int i = 0; i < azb_nagreement_sources; i++)
			if (strcmp(route->params[p], azb_agreement_sources[i].column) == 0)
				return true;
	return false;
}

/*
 * The agreement types every route of the chain from 'step' on serves (the
 * routes that take a billing account or subscription and name their
 * types), as bits.
 */
unsigned
azb_scan_chain_agreements(AzbScan *s, int step)
{
	unsigned	bits = AZB_AGR_ALL;

	for (int i = step; i < s->chain.nsteps; i++)
	{
		const AzbRouteDef *route = azb_scan_route(s, i);

		if (route->agreements != AZB_AGR_ANY && azb_scan_route_uses_source(route))
			bits &= route->agreements;
	}
	return bits;
}

static void agreement_error(AzbScan *s, const AzbAgreementSource *src, const char *value,
							const char *agreement_name) pg_attribute_noreturn();

static void
agreement_error(AzbScan *s, const AzbAgreementSource *src, const char *value,
				const char *agreement_name)
{
	StringInfoData ops;
	unsigned	bits = azb_scan_chain_agreements(s, 0);

	initStringInfo(&ops);
	for (int i = 0; i < s->chain.nsteps; i++)
	{
		const AzbRouteDef *route = azb_scan_route(s, i);

		if (route->agreements != AZB_AGR_ANY && azb_scan_route_uses_source(route))
			appendStringInfo(&ops, "%s%s (%s)", ops.len ? ", " : "", route->operation_id,
							 agreement_list(route->agreements));
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("table \"%s\" is not supported for %s \"%s\" of agreement type %s",
					RelationGetRelationName(s->rel), src->noun, value,
					agreement_name ? agreement_name : "?"),
			 errdetail("Azure serves the table through %s.", ops.data),
			 bits ? errhint("Query %s for a %s of agreement type %s.",
							RelationGetRelationName(s->rel), src->noun, agreement_list(bits)) :
			 errhint("No agreement type serves every operation this query needs; give other scope conditions.")));
}

/*
 * The agreement type of a source's value, asked of Azure once per scan:
 * a GET of the source table's route that takes only that column.  0 (and
 * no name) when it cannot be known.
 */
static unsigned
lookup_agreement(AzbScan *s, const AzbAgreementSource *src, const char *value,
				 const char **agreement_name)
{
	const AzbResourceDef *table = azb_catalog_resource(src->table);
	const AzbVersionDef *av = azb_catalog_version(table, s->version);
	unsigned	bit = 0;
	ListCell   *lc;
	MemoryContext old;

	*agreement_name = NULL;
	foreach(lc, s->accounts)
	{
		List	   *known = lfirst(lc);

		if (strcmp(strVal(linitial(known)), src->column) == 0 &&
			strcmp(strVal(lsecond(known)), value) == 0)
		{
			*agreement_name = strVal(lfourth(known));
			return (unsigned) intVal(lthird(known));
		}
	}
	if (av == NULL)
		return 0;

	old = MemoryContextSwitchTo(s->runcxt);
	for (int r = 0; r < av->nroutes; r++)
	{
		const AzbRouteDef *route = &av->routes[r];
		AzbHttpSpec spec = {0};
		AzbHttpResult *res;
		char	   *path;

		/* its item by name (billingAccounts/{name}), or the value's singleton */
		if (route->nparams != 1 || !(route->flags & AZB_ROUTE_SINGLE) ||
			!(strcmp(route->params[0], src->column) == 0 ||
			  (strcmp(route->params[0], "name") == 0 && table->key_column &&
			   strcmp(table->key_column, src->column) == 0)))
			continue;
		path = azb_route_path(route->path, &value, NULL, 1);
		spec.method = "GET";
		spec.url = psprintf("%s%s?api-version=%s", s->opts->endpoint, path,
							s->opts->api_version);
		spec.bearer = s->token;
		spec.retry = true;
		azb_http_perform(s->xfers, &spec, &res);
		if (res->failure == AZB_XFER_OK && res->status == 200)
		{
			AzbPage    *page = azb_page_parse(res->body, res->body_len,
											  res->content_type, true, path);
			const char *at = azb_item_text(azb_page_item(page, 0), src->key);

			bit = azb_catalog_agreement_bit(at);
			*agreement_name = at ? pstrdup(at) : NULL;
		}
		break;
	}
	s->accounts = lappend(s->accounts,
						  list_make4(makeString(pstrdup(src->column)), makeString(pstrdup(value)),
									 makeInteger((int) bit),
									 makeString(*agreement_name ? (char *) *agreement_name : "")));
	MemoryContextSwitchTo(old);
	return bit;
}

/*
 * A request that named its billing account or subscription came back
 * empty or failed: if the chain does not serve the value's agreement type,
 * say so instead of returning "no rows" or Azure's vaguer error.  True when
 * the task simply has no rows (a value a join supplied).
 */
bool
azb_scan_check_account(AzbScan *s, AzbTask *task)
{
	unsigned	served = azb_scan_chain_agreements(s, 0);

	if (served == AZB_AGR_ALL)
		return false;
	for (int i = 0; i < azb_nagreement_sources; i++)
	{
		const AzbAgreementSource *src = &azb_agreement_sources[i];
		int			si = azb_scan_slot(s, src->column);
		const char *name;
		unsigned	bit;

		if (si < 0 || !s->slot_bound[si] || task->values[si] == NULL)
			continue;
		bit = lookup_agreement(s, src, task->values[si], &name);
		if (bit == 0 || (served & bit))
			continue;

		/*
		 * A value the query named is an error; one a join supplied is like
		 * an enumerated one: it has no rows here.
		 */
		if (s->slot_joined[si])
			return true;
		agreement_error(s, src, task->values[si], name);
	}
	return false;
}
