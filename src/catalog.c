/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Lookups over the catalogue, the choice of routes for a query, and a
 *	  self-check of the catalogue's invariants.
 *
 * Backend-free: no palloc, no ereport.  The unit tests link this file alone.
 *
 *-------------------------------------------------------------------------
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * How many values a parent scope typically holds: the planner's estimate of
 * the fan-out when the FDW enumerates that scope itself.
 */
typedef struct AzbScopeInfo
{
	const char *column;
	double		fanout;
} AzbScopeInfo;

static const AzbScopeInfo scope_info[] = {
	{"billing_account_name", 3},
	{"billing_profile_name", 3},
	{"invoice_section_name", 3},
	{"customer_name", 10},
	{"department_name", 3},
	{"enrollment_account_name", 5},
	{"invoice_name", 40},
	{"subscription_id", 30},
};

/* default fan-out of a scope column that has no entry above */
#define AZB_DEFAULT_FANOUT 10

static const struct
{
	unsigned	bit;
	const char *name;
}			agreement_names[] = {
	{AZB_AGR_MCA, "MicrosoftCustomerAgreement"},
	{AZB_AGR_EA, "EnterpriseAgreement"},
	{AZB_AGR_MPA, "MicrosoftPartnerAgreement"},
	{AZB_AGR_MOSP, "MicrosoftOnlineServicesProgram"},
};

/*
 * Every lookup by name in the catalogues: the index of the first of n
 * entries (each size bytes, from entries on) whose name, the string at
 * name_offset in the entry, is name; -1 for none.  The catalogues are small
 * and a lookup runs a few times a query: a linear scan.
 */
int
azb_catalog_find(const void *entries, int n, size_t size, size_t name_offset, const char *name)
{
	for (int i = 0; i < n; i++)
	{
		const char *entry = (const char *) entries + (size_t) i * size;

		if (strcmp(*(const char *const *) (entry + name_offset), name) == 0)
			return i;
	}
	return -1;
}

int
azb_catalog_version_index(const char *api_version)
{
	return azb_catalog_find(azb_api_versions, AZB_NVERSIONS, sizeof(azb_api_versions[0]), 0,
							api_version);
}

const AzbResourceDef *
azb_catalog_resource(const char *name)
{
	int			i = azb_catalog_find(azb_resources, azb_nresources, sizeof(AzbResourceDef),
									 offsetof(AzbResourceDef, name), name);

	return i < 0 ? NULL : &azb_resources[i];
}

/* The resource's definition at one api-version, or NULL if it lacks one. */
const AzbVersionDef *
azb_catalog_version(const AzbResourceDef *res, int version)
{
	if (res == NULL || version < 0 || version >= AZB_NVERSIONS ||
		res->versions[version].routes == NULL)
		return NULL;
	return &res->versions[version];
}

int
azb_catalog_column_index(const AzbVersionDef *v, const char *column)
{
	return azb_catalog_find(v->columns, v->ncolumns, sizeof(AzbColumnDef),
							offsetof(AzbColumnDef, name), column);
}

/* Is this the name of a scope column of any route of any resource? */
bool
azb_catalog_is_scope_column(const char *column)
{
	for (int r = 0; r < azb_nresources; r++)
		for (int v = 0; v < AZB_NVERSIONS; v++)
		{
			const AzbVersionDef *vd = &azb_resources[r].versions[v];

			for (int i = 0; i < vd->nroutes; i++)
				for (int p = 0; p < vd->routes[i].nparams; p++)
					if (strcmp(vd->routes[i].params[p], column) == 0 &&
						strcmp(column, "name") != 0)
						return true;
		}
	return false;
}

/*
 * The resource whose items' names enumerate a scope column at an api-version
 * (billing_profiles for billing_profile_name), or NULL.
 */
const AzbResourceDef *
azb_catalog_enumerator(const char *scope_column, int version)
{
	for (int r = 0; r < azb_nresources; r++)
	{
		const AzbResourceDef *res = &azb_resources[r];

		if (res->key_column && strcmp(res->key_column, scope_column) == 0 &&
			azb_catalog_version(res, version) != NULL)
			return res;
	}
	return NULL;
}

double
azb_catalog_fanout(const char *scope_column)
{
	int			i = azb_catalog_find(scope_info, lengthof(scope_info), sizeof(AzbScopeInfo),
									 offsetof(AzbScopeInfo, column), scope_column);

	return i < 0 ? AZB_DEFAULT_FANOUT : scope_info[i].fanout;
}

/* The first scope column an ARM id collection carries, or NULL. */
const char *
azb_catalog_scope_for_segment(const char *segment, size_t len)
{
	for (int i = 0; i < azb_nscope_segments; i++)
		if (strlen(azb_scope_segments[i].segment) == len &&
			strncasecmp(azb_scope_segments[i].segment, segment, len) == 0)
			return azb_scope_segments[i].column;
	return NULL;
}

/* Does this ARM id collection (matched case-insensitively) carry the column? */
bool
azb_catalog_segment_carries(const char *segment, size_t len, const char *column)
{
	static size_t lengths[256];
	static bool measured = false;

	/* called per row and column: compare lengths before letters */
	if (!measured)
	{
		for (int i = 0; i < azb_nscope_segments && i < (int) lengthof(lengths); i++)
			lengths[i] = strlen(azb_scope_segments[i].segment);
		measured = true;
	}
	for (int i = 0; i < azb_nscope_segments; i++)
	{
		size_t		n = i < (int) lengthof(lengths) ? lengths[i] :
			strlen(azb_scope_segments[i].segment);

		if (n == len &&
			(azb_scope_segments[i].segment[0] | 0x20) == (segment[0] | 0x20) &&
			strncasecmp(azb_scope_segments[i].segment, segment, len) == 0 &&
			strcmp(azb_scope_segments[i].column, column) == 0)
			return true;
	}
	return false;
}

unsigned
azb_catalog_agreement_bit(const char *agreement_type)
{
	if (agreement_type == NULL)
		return 0;
	for (size_t i = 0; i < lengthof(agreement_names); i++)
		if (strcasecmp(agreement_names[i].name, agreement_type) == 0)
			return agreement_names[i].bit;
	return 0;
}

const char *
azb_catalog_agreement_name(unsigned bit)
{
	for (size_t i = 0; i < lengthof(agreement_names); i++)
		if (agreement_names[i].bit == bit)
			return agreement_names[i].name;
	return NULL;
}

const char *
azb_catalog_type_name(AzbColType type)
{
	switch (type)
	{
		case AZB_TYPE_TEXT:
			return "text";
		case AZB_TYPE_TIMESTAMPTZ:
			return "timestamp with time zone";
		case AZB_TYPE_DATE:
			return "date";
		case AZB_TYPE_BOOL:
			return "boolean";
		case AZB_TYPE_INT8:
			return "bigint";
		case AZB_TYPE_NUMERIC:
			return "numeric";
		case AZB_TYPE_JSONB:
			return "jsonb";
	}
	return "text";
}

/* ---------------------------------------------------------------- */
/* Route choice														*/
/* ---------------------------------------------------------------- */

/* Is s one of the n names of set? */
bool
azb_name_in(const char *const *set, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(set[i], s) == 0)
			return true;
	return false;
}

/*
 * Build the cheapest chain that lists 'res' (as the target, or as the
 * enumerator of slot 'produces') given the slots in 'known'.  Returns false
 * when no route can be served.  depth bounds the recursion.
 */
static bool
choose_chain(const AzbResourceDef *res, int version, const char *produces,
			 const char *const *known, int nknown, const char *const *bound,
			 int nbound, const char *const *required, int nrequired,
			 int depth, AzbChain *best)
{
	const AzbVersionDef *v = azb_catalog_version(res, version);
	bool		found = false;

	if (v == NULL || depth >= AZB_MAX_STEPS)
		return false;

	for (int r = 0; r < v->nroutes; r++)
	{
		const AzbRouteDef *route = &v->routes[r];
		AzbChain	cand;
		AzbStep		step;
		const char *have[AZB_MAX_STEPS * AZB_MAX_PARAMS + 16];
		int			nhave = 0;
		const char *missing = NULL;
		int			missing_pos = -1;
		bool		ok = true;
		bool		seen_enum = false;

		memset(&step, 0, sizeof(step));
		step.kind = produces ? AZB_STEP_ENUMERATE : AZB_STEP_TARGET;
		step.resource = res;
		step.route = r;
		step.produces = produces;

		for (int p = 0; p < route->nparams; p++)
		{
			const char *slot = route->params[p];

			if (strcmp(slot, "name") == 0)
			{
				/*
				 * A point route: as the target it needs a name qual; as an
				 * enumerator it would need the very value it produces.
				 */
				if (produces)
				{
					ok = false;
					break;
				}
			}
			step.slots[p] = slot;
		}
		if (!ok)
			continue;

		for (int i = 0; i < nknown; i++)
			have[nhave++] = known[i];

		/* the deepest parameter that nothing binds yet */
		for (int p = route->nparams - 1; p >= 0; p--)
			if (!azb_name_in(have, nhave, step.slots[p]))
			{
				missing = step.slots[p];
				missing_pos = p;
				break;
			}

		memset(&cand, 0, sizeof(cand));
		cand.requests = 1;
		if (missing != NULL)
		{
			const AzbResourceDef *parent;

			if (strcmp(missing, "name") == 0)
				continue;
			parent = azb_catalog_enumerator(missing, version);
			if (parent == NULL || parent == res)
				continue;
			{
				/* the parents must bind this route's other unknown scopes too */
				const char *need[AZB_MAX_PARAMS];
				int			nneed = 0;

				for (int p = 0; p < route->nparams; p++)
					if (!azb_name_in(have, nhave, step.slots[p]) &&
						strcmp(step.slots[p], missing) != 0 &&
						!azb_name_in(need, nneed, step.slots[p]))
						need[nneed++] = step.slots[p];
				if (!choose_chain(parent, version, missing, known, nknown, bound,
								  nbound, need, nneed, depth + 1, &cand))
					continue;
			}
			/* what the sub-chain binds */
			for (int s = 0; s < cand.nsteps; s++)
			{
				const AzbStep *st = &cand.steps[s];

				if (st->produces && !azb_name_in(have, nhave, st->produces))
					have[nhave++] = st->produces;
			}
			cand.requests *= azb_catalog_fanout(missing);
			(void) missing_pos;
		}
		for (int p = 0; p < route->nparams; p++)
			if (!azb_name_in(have, nhave, step.slots[p]))
				ok = false;
		for (int q = 0; q < nrequired; q++)
			if (!azb_name_in(have, nhave, required[q]))
				ok = false;
		if (!ok || cand.nsteps + 1 > AZB_MAX_STEPS)
			continue;

		/* a bound value under an enumerated one may not exist there */
		for (int p = 0; p < route->nparams; p++)
		{
			bool		is_bound = azb_name_in(bound, nbound, step.slots[p]);

			if (!is_bound)
				seen_enum = true;
			else if (seen_enum)
				step.speculative = true;
		}

		cand.steps[cand.nsteps++] = step;

		/* the target should use every bound scope column and the name */
		cand.unused_bound = 0;
		if (!produces)
		{
			for (int b = 0; b < nbound; b++)
			{
				bool		used = false;

				for (int p = 0; p < route->nparams; p++)
					if (strcmp(step.slots[p], bound[b]) == 0)
						used = true;
				if (!used)
					cand.unused_bound++;
			}
		}

		if (!found ||
			cand.unused_bound < best->unused_bound ||
			(cand.unused_bound == best->unused_bound &&
			 cand.requests < best->requests))
		{
			*best = cand;
			found = true;
		}
	}
	return found;
}

/*
 * Choose the chain of steps for a scan of 'res' given the columns the query
 * binds (scope columns and "name").
 */
bool
azb_catalog_choose(const AzbResourceDef *res, int version,
				   const char *const *bound, int nbound, AzbChain *chain)
{
	memset(chain, 0, sizeof(*chain));
	return choose_chain(res, version, NULL, bound, nbound, bound, nbound, NULL, 0, 0, chain);
}

/* ---------------------------------------------------------------- */
/* Self-check														*/
/* ---------------------------------------------------------------- */

/*
 * Check the catalogue's invariants; on failure write the first problem into
 * 'problem' and return the number of problems found.
 */
int
azb_catalog_check(char *problem, size_t problemlen)
{
	int			nproblems = 0;

#define PROBLEM(...) \
	do { \
		if (nproblems++ == 0) \
			snprintf(problem, problemlen, __VA_ARGS__); \
	} while (0)

	if (problemlen > 0)
		problem[0] = '\0';
	for (int r = 0; r < azb_nresources; r++)
	{
		const AzbResourceDef *res = &azb_resources[r];
		bool		any = false;

		for (int r2 = 0; r2 < r; r2++)
			if (strcmp(azb_resources[r2].name, res->name) == 0)
				PROBLEM("resource %s appears twice", res->name);

		for (int vi = 0; vi < AZB_NVERSIONS; vi++)
		{
			const AzbVersionDef *v = azb_catalog_version(res, vi);

			if (v == NULL)
				continue;
			any = true;
			if (v->nroutes <= 0)
				PROBLEM("%s has no routes at %s", res->name, azb_api_versions[vi]);
			for (int c = 0; c < v->ncolumns; c++)
			{
				for (int c2 = 0; c2 < c; c2++)
					if (strcmp(v->columns[c].name, v->columns[c2].name) == 0)
						PROBLEM("%s.%s appears twice", res->name, v->columns[c].name);
				if ((v->columns[c].kind == AZB_COL_PROPERTY ||
					 v->columns[c].kind == AZB_COL_AMOUNT ||
					 v->columns[c].kind == AZB_COL_CURRENCY) &&
					v->columns[c].key == NULL)
					PROBLEM("%s.%s has no key", res->name, v->columns[c].name);
			}
			for (int i = 0; i < v->nroutes; i++)
			{
				const AzbRouteDef *route = &v->routes[i];
				int			placeholders = 0;

				for (const char *s = route->path; *s; s++)
					if (*s == '{')
						placeholders++;
				if (placeholders != route->nparams)
					PROBLEM("%s: %d placeholders, %d parameters",
							route->operation_id, placeholders, route->nparams);
				if (route->path[0] != '/')
					PROBLEM("%s: path is not absolute", route->operation_id);
				for (int p = 0; p < route->nparams; p++)
				{
					const char *slot = route->params[p];

					if (strcmp(slot, "name") == 0)
					{
						if (!(route->flags & AZB_ROUTE_POINT) || p != route->nparams - 1)
							PROBLEM("%s: name is not the last parameter of a point route",
									route->operation_id);
					}
					else if (azb_catalog_column_index(v, slot) < 0)
						PROBLEM("%s: no column %s", route->operation_id, slot);
				}
				if (route->query.type != NULL &&
					(res->request_column == NULL || res->nrequest_values == 0 ||
					 azb_catalog_column_index(v, res->request_column) < 0))
					PROBLEM("%s takes %s but %s has no request column",
							route->operation_id, route->query.type, res->name);
				if ((route->query.date_start != NULL) && res->date_column == NULL)
					PROBLEM("%s takes dates but %s has no date column",
							route->operation_id, res->name);
			}
			if (res->date_column && azb_catalog_column_index(v, res->date_column) < 0)
				PROBLEM("%s has no date column %s", res->name, res->date_column);
			for (const char *need[] = {"id", "name", "type", "raw", NULL}, **n = need; *n; n++)
				if (azb_catalog_column_index(v, *n) < 0)
					PROBLEM("%s has no column %s", res->name, *n);
		}
		if (!any)
			PROBLEM("%s has no api-version", res->name);
	}
#undef PROBLEM
	return nproblems;
}
