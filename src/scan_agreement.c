/*-------------------------------------------------------------------------
 *
 * scan_agreement.c
 *	  Agreement types: which billing accounts a scan's chain can serve, and
 *	  the error for an account the query named whose type the table lacks.
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

bool
azb_scan_route_uses_account(const AzbRouteDef *route)
{
	for (int p = 0; p < route->nparams; p++)
		if (strcmp(route->params[p], "billing_account_name") == 0)
			return true;
	return false;
}

/*
 * The agreement types every route of the chain from 'step' on serves (the
 * routes that take the billing account and name their types), as bits.
 */
unsigned
azb_scan_chain_agreements(AzbScan *s, int step)
{
	unsigned	bits = AZB_AGR_ALL;

	for (int i = step; i < s->chain.nsteps; i++)
	{
		const AzbRouteDef *route = azb_scan_route(s, i);

		if (route->agreements != AZB_AGR_ANY && azb_scan_route_uses_account(route))
			bits &= route->agreements;
	}
	return bits;
}

static void agreement_error(AzbScan *s, const char *account, const char *agreement_name)
			pg_attribute_noreturn();

static void
agreement_error(AzbScan *s, const char *account, const char *agreement_name)
{
	StringInfoData ops;
	unsigned	bits = azb_scan_chain_agreements(s, 0);

	initStringInfo(&ops);
	for (int i = 0; i < s->chain.nsteps; i++)
	{
		const AzbRouteDef *route = azb_scan_route(s, i);

		if (route->agreements != AZB_AGR_ANY && azb_scan_route_uses_account(route))
			appendStringInfo(&ops, "%s%s (%s)", ops.len ? ", " : "", route->operation_id,
							 agreement_list(route->agreements));
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("table \"%s\" is not supported for billing account \"%s\" of agreement type %s",
					RelationGetRelationName(s->rel), account,
					agreement_name ? agreement_name : "?"),
			 errdetail("Azure serves the table through %s.", ops.data),
			 bits ? errhint("Query %s for a billing account of agreement type %s.",
							RelationGetRelationName(s->rel), agreement_list(bits)) :
			 errhint("No agreement type serves every operation this query needs; give other scope conditions.")));
}

/*
 * A request that named its billing account came back empty or failed: if
 * the route does not serve the account's agreement type, say so instead of
 * returning "no rows" or Azure's vaguer error.  The account's type is looked
 * up once per scan.
 */
bool
azb_scan_check_account(AzbScan *s, AzbTask *task)
{
	int			si = azb_scan_slot(s, "billing_account_name");
	const char *account;
	const AzbResourceDef *accounts;
	const AzbVersionDef *av;
	AzbHttpSpec spec = {0};
	AzbHttpResult *res;
	unsigned	bit = 0;
	char	   *agreement_name = NULL;
	ListCell   *lc;
	MemoryContext old;

	if (si < 0 || !s->slot_bound[si] || task->values[si] == NULL ||
		azb_scan_chain_agreements(s, 0) == AZB_AGR_ALL)
		return false;
	account = task->values[si];
	foreach(lc, s->accounts)
	{
		List	   *pair = lfirst(lc);

		if (strcmp(strVal(linitial(pair)), account) == 0)
		{
			bit = (unsigned) intVal(lsecond(pair));
			agreement_name = strVal(lthird(pair));
			goto known;
		}
	}

	accounts = azb_catalog_resource(azb_agreement_source.table);
	av = azb_catalog_version(accounts, s->version);
	if (av == NULL)
		return false;
	old = MemoryContextSwitchTo(s->runcxt);
	for (int r = 0; r < av->nroutes; r++)
	{
		if ((av->routes[r].flags & AZB_ROUTE_POINT) && av->routes[r].nparams == 1)
		{
			char	   *path = azb_route_path(av->routes[r].path, &account, NULL, 1);

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
				const char *at = azb_item_text(azb_page_item(page, 0),
											   azb_agreement_source.key);

				bit = azb_catalog_agreement_bit(at);
				agreement_name = at ? pstrdup(at) : "";
			}
			break;
		}
	}
	s->accounts = lappend(s->accounts, list_make3(makeString(pstrdup(account)),
												  makeInteger((int) bit),
												  makeString(agreement_name ? agreement_name : "")));
	MemoryContextSwitchTo(old);

known:
	if (bit != 0 && !(azb_scan_chain_agreements(s, 0) & bit))
	{
		/*
		 * An account the query named is an error; one a join supplied is
		 * like an enumerated one: it has no rows here.
		 */
		if (s->slot_joined[si])
			return true;
		agreement_error(s, account, agreement_name);
	}
	return false;
}

