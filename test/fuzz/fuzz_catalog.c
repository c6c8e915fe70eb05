/*
 * fuzz_catalog.c
 *	  libFuzzer target for the route choice in src/catalog.c over the
 *	  generated catalogue (src/catalog_data.c).
 *
 * Each input gives a set of bound columns (scope columns, "name", and
 * columns no route takes) for every resource and api-version, plus one list
 * with repetitions for one resource; azb_catalog_choose plans each.
 *
 * Invariants of a chosen chain:
 *	- 1..AZB_MAX_STEPS steps; the last is a TARGET step of the resource asked
 *	  for, the others ENUMERATE steps whose resource is the catalogue's
 *	  enumerator of the slot they produce (key_column == produces);
 *	- every step's route exists at the version, its slots are exactly the
 *	  route's parameters, and each is bound by the query or produced by an
 *	  earlier step; an enumeration never takes "name", never produces a bound
 *	  or already produced slot, and what it produces is used by a later step;
 *	- speculative is set exactly when a bound parameter follows an enumerated
 *	  one; unused_bound counts the bound columns the target route ignores;
 *	  requests >= 1;
 *	- when some route of the resource takes only bound columns, a chain is
 *	  found, and it ignores no more bound columns than that route would;
 *	- the same query gives the same chain, whatever the order of the bound
 *	  columns; binding one more scope column never makes a plannable query
 *	  unplannable;
 *	- every step's path, built with awkward values, keeps its segments.
 * Also: the catalogue's self-check passes (and keeps snprintf's contract for
 * its message), and the name lookups (resource, version, segment, agreement)
 * read no byte past their input.
 */
#include "common.h"
#include "catalog.h"
#include "request.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BOUND 16

static const char *cands[64];
static int	ncands;

static void
init_candidates(void)
{
	const char *const *cols;
	int			n = fuzz_scope_columns(&cols);
	char		problem[256];

	if (ncands > 0)
		return;
	for (int i = 0; i < n && ncands < 56; i++)
		cands[ncands++] = cols[i];
	/* route parameters that are not SCOPE columns, if any */
	for (int r = 0; r < azb_nresources; r++)
		for (int v = 0; v < AZB_NVERSIONS; v++)
		{
			const AzbVersionDef *vd = azb_catalog_version(&azb_resources[r], v);

			for (int i = 0; vd && i < vd->nroutes; i++)
				for (int p = 0; p < vd->routes[i].nparams; p++)
				{
					bool		dup = false;

					for (int c = 0; c < ncands; c++)
						if (strcmp(cands[c], vd->routes[i].params[p]) == 0)
							dup = true;
					if (!dup && ncands < 60)
						cands[ncands++] = vd->routes[i].params[p];
				}
		}
	cands[ncands++] = "billed_status";
	cands[ncands++] = "not_a_column";
	FUZZ_CHECK(azb_catalog_check(problem, sizeof(problem)) == 0, "catalogue: %s", problem);
}

static bool
same_chain(const AzbChain *a, const AzbChain *b)
{
	if (a->nsteps != b->nsteps || a->unused_bound != b->unused_bound || a->requests != b->requests)
		return false;
	for (int s = 0; s < a->nsteps; s++)
	{
		const AzbStep *x = &a->steps[s],
				   *y = &b->steps[s];

		if (x->kind != y->kind || x->resource != y->resource || x->route != y->route ||
			x->speculative != y->speculative ||
			(x->produces == NULL) != (y->produces == NULL) ||
			(x->produces && strcmp(x->produces, y->produces) != 0))
			return false;
		for (int p = 0; p < AZB_MAX_PARAMS; p++)
			if ((x->slots[p] == NULL) != (y->slots[p] == NULL) ||
				(x->slots[p] && strcmp(x->slots[p], y->slots[p]) != 0))
				return false;
	}
	return true;
}

static void
check_choice(const AzbResourceDef *res, int version, const char *const *bound, int nbound,
			 const char *value, bool full)
{
	AzbChain	chain,
				again;
	bool		found = azb_catalog_choose(res, version, bound, nbound, &chain);
	const AzbVersionDef *tv = azb_catalog_version(res, version);
	const char *have[AZB_MAX_STEPS * AZB_MAX_PARAMS + MAX_BOUND];
	int			nhave = 0;
	int			direct_unused = -1;

	/* a route that takes only bound columns can always be served */
	for (int i = 0; tv && i < tv->nroutes; i++)
	{
		const AzbRouteDef *route = &tv->routes[i];
		bool		all = true;
		int			unused = 0;

		for (int p = 0; p < route->nparams; p++)
			all &= azb_name_in(bound, nbound, route->params[p]);
		for (int b = 0; b < nbound; b++)
			unused += !azb_name_in(route->params, route->nparams, bound[b]);
		if (all && (direct_unused < 0 || unused < direct_unused))
			direct_unused = unused;
	}
	if (tv == NULL)
		FUZZ_CHECK(!found, "%s has no version %d but a chain", res->name, version);
	if (direct_unused >= 0)
		FUZZ_CHECK(found, "%s@%d: a route takes only bound columns, but no chain", res->name, version);
	if (!found)
		return;

	FUZZ_CHECK(chain.nsteps >= 1 && chain.nsteps <= AZB_MAX_STEPS, "%d steps", chain.nsteps);
	FUZZ_CHECK(chain.requests >= 1 && isfinite(chain.requests), "requests %g", chain.requests);
	if (direct_unused >= 0)
		FUZZ_CHECK(chain.unused_bound <= direct_unused,
				   "%s@%d: the chain ignores %d bound columns, a direct route %d",
				   res->name, version, chain.unused_bound, direct_unused);

	for (int i = 0; i < nbound; i++)
		have[nhave++] = bound[i];
	for (int s = 0; s < chain.nsteps; s++)
	{
		const AzbStep *st = &chain.steps[s];
		const AzbVersionDef *vd = azb_catalog_version(st->resource, version);
		const AzbRouteDef *route;
		bool		last = s == chain.nsteps - 1;
		bool		seen_unbound = false,
					speculative = false;
		const char *vals[AZB_MAX_PARAMS];

		FUZZ_CHECK(vd != NULL, "step %d: resource without version %d", s, version);
		FUZZ_CHECK(st->route >= 0 && st->route < vd->nroutes, "step %d: route %d", s, st->route);
		route = &vd->routes[st->route];
		if (last)
			FUZZ_CHECK(st->kind == AZB_STEP_TARGET && st->resource == res && st->produces == NULL,
					   "%s@%d: the last step is not the target", res->name, version);
		else
		{
			bool		used = false;

			FUZZ_CHECK(st->kind == AZB_STEP_ENUMERATE && st->produces != NULL,
					   "%s@%d: step %d is not an enumeration", res->name, version, s);
			FUZZ_CHECK(st->resource->key_column && strcmp(st->resource->key_column, st->produces) == 0 &&
					   azb_catalog_enumerator(st->produces, version) == st->resource,
					   "%s@%d: step %d (%s) does not enumerate %s", res->name, version, s,
					   st->resource->name, st->produces);
			FUZZ_CHECK(!azb_name_in(have, nhave, st->produces),
					   "%s@%d: step %d produces %s, already bound or produced", res->name, version, s,
					   st->produces);
			FUZZ_CHECK(!azb_name_in(route->params, route->nparams, "name"),
					   "%s@%d: enumeration step %d takes a name", res->name, version, s);
			for (int t = s + 1; t < chain.nsteps; t++)
			{
				const AzbStep *later = &chain.steps[t];

				for (int p = 0; p < AZB_MAX_PARAMS; p++)
					if (later->slots[p] && strcmp(later->slots[p], st->produces) == 0)
						used = true;
			}
			FUZZ_CHECK(used, "%s@%d: step %d produces %s, which no later step uses", res->name,
					   version, s, st->produces);
		}
		for (int p = 0; p < AZB_MAX_PARAMS; p++)
		{
			if (p >= route->nparams)
			{
				FUZZ_CHECK(st->slots[p] == NULL, "step %d: slot %d past the parameters", s, p);
				continue;
			}
			FUZZ_CHECK(st->slots[p] && strcmp(st->slots[p], route->params[p]) == 0,
					   "%s@%d: step %d slot %d is %s, the route's parameter %s", res->name, version,
					   s, p, st->slots[p] ? st->slots[p] : "NULL", route->params[p]);
			FUZZ_CHECK(azb_name_in(have, nhave, st->slots[p]),
					   "%s@%d: step %d (%s) takes %s, which nothing binds before it",
					   res->name, version, s, route->operation_id, st->slots[p]);
			if (!azb_name_in(bound, nbound, st->slots[p]))
				seen_unbound = true;
			else if (seen_unbound)
				speculative = true;
			vals[p] = value;
		}
		FUZZ_CHECK(st->speculative == speculative, "%s@%d: step %d speculative %d, want %d",
				   res->name, version, s, st->speculative, speculative);
		if (st->produces)
			have[nhave++] = st->produces;
		if (full)
			fuzz_check_route_path(route->path, vals, route->nparams);

		if (last)
		{
			int			unused = 0;

			for (int b = 0; b < nbound; b++)
				unused += !azb_name_in(route->params, route->nparams, bound[b]);
			FUZZ_CHECK(chain.unused_bound == unused, "%s@%d: unused_bound %d, want %d",
					   res->name, version, chain.unused_bound, unused);
		}
	}

	if (!full)
		return;

	/* the same answer again, and for the bound columns in reverse order */
	FUZZ_CHECK(azb_catalog_choose(res, version, bound, nbound, &again) && same_chain(&chain, &again),
			   "%s@%d: a second choice differs", res->name, version);
	{
		const char *rev[MAX_BOUND];

		for (int i = 0; i < nbound; i++)
			rev[i] = bound[nbound - 1 - i];
		FUZZ_CHECK(azb_catalog_choose(res, version, rev, nbound, &again) && same_chain(&chain, &again),
				   "%s@%d: the order of the bound columns changes the chain", res->name, version);
	}

	/* one more bound scope column never makes the query unplannable */
	if (nbound < MAX_BOUND)
	{
		const char *more[MAX_BOUND];

		memcpy(more, bound, sizeof(const char *) * nbound);
		for (int c = 0; c < ncands; c++)
		{
			if (azb_name_in(bound, nbound, cands[c]))
				continue;
			more[nbound] = cands[c];
			FUZZ_CHECK_KNOWN("monotone", azb_catalog_choose(res, version, more, nbound + 1, &again),
							 "%s@%d: plannable, but not once %s is bound too", res->name, version,
							 cands[c]);
		}
	}
}

static size_t
build_problem(char *out, size_t size, const void *arg)
{
	(void) arg;
	(void) azb_catalog_check(out, size);
	return out && size > 0 ? strlen(out) : 0;
}

static void
check_lookups(const uint8_t *data, size_t size)
{
	char	   *exact = malloc(size > 0 ? size : 1);
	char	   *str;

	/* a segment that is not NUL-terminated: read only its len bytes */
	memcpy(exact, data, size);
	(void) azb_catalog_scope_for_segment(exact, size);
	for (int i = 0; i < ncands; i++)
		(void) azb_catalog_segment_carries(exact, size, cands[i]);
	free(exact);

	str = fuzz_strndup(data, size);
	{
		const AzbResourceDef *r = azb_catalog_resource(str);
		int			v = azb_catalog_version_index(str);
		unsigned	bit = azb_catalog_agreement_bit(str);

		FUZZ_CHECK(r == NULL || strcmp(r->name, str) == 0, "resource(%s) = %s", fuzz_show(0, str), r->name);
		FUZZ_CHECK(v < 0 || strcmp(azb_api_versions[v], str) == 0, "version_index(%s) = %d",
				   fuzz_show(0, str), v);
		FUZZ_CHECK(bit == 0 || (azb_catalog_agreement_name(bit) &&
								strcasecmp(azb_catalog_agreement_name(bit), str) == 0),
				   "agreement_bit(%s) = %u", fuzz_show(0, str), bit);
		const char *col = azb_catalog_scope_for_segment(str, strlen(str));
		bool		carries = false;

		for (int i = 0; i < ncands; i++)
			carries |= azb_catalog_segment_carries(str, strlen(str), cands[i]);
		FUZZ_CHECK((col != NULL) == carries &&
				   (col == NULL || azb_catalog_segment_carries(str, strlen(str), col)),
				   "segment %s: scope_for_segment says %s, segment_carries %s", fuzz_show(0, str),
				   col ? col : "none", carries ? "some column" : "none");
	}
	free(str);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	mask = 0;
	const char *bound[MAX_BOUND];
	int			nbound;
	char		value[64];
	size_t		vlen;
	static bool checked;

	if (size > 256)
		return 0;
	init_candidates();
	fuzz_contract_light = true;
	if (!checked)
	{
		free(fuzz_check_contract("catalog_check", build_problem, NULL));
		checked = true;
	}

	/* an awkward value for the paths: from the input's tail */
	vlen = size < 12 ? size : 12;
	memcpy(value, data + size - vlen, vlen);
	value[vlen] = '\0';
	if (strlen(value) == 0)
		strcpy(value, "../x/y");

	for (size_t i = 0; i < 8 && i < size; i++)
		mask |= (uint64_t) data[i] << (8 * i);

	/*
	 * Every resource and version, with a subset of the candidates: the
	 * chain's structure.  The costlier checks (paths, repeatability, order,
	 * one more bound column) for one of them, chosen by the input.
	 */
	for (int r = 0; r < azb_nresources; r++)
		for (int v = 0; v < AZB_NVERSIONS; v++)
		{
			uint64_t	m = mask ^ ((uint64_t) (r * 2 + v) * UINT64_C(0x9E3779B97F4A7C15));

			/* sparse subsets are the interesting ones: thin the mask out */
			m &= mask >> 7 | (uint64_t) r << 3;
			nbound = 0;
			for (int c = 0; c < ncands && nbound < MAX_BOUND; c++)
				if (m >> (c % 64) & 1)
					bound[nbound++] = cands[c];
			check_choice(&azb_resources[r], v, bound, nbound, value,
						 r * 2 + v == (int) (mask % (uint64_t) (azb_nresources * 2)));
		}

	/* one resource with an explicit list (repetitions allowed) */
	if (size > 8)
	{
		const AzbResourceDef *res = &azb_resources[data[8] % azb_nresources];
		int			version = data[8] / azb_nresources % (AZB_NVERSIONS + 1);

		nbound = 0;
		for (size_t i = 9; i < size && nbound < MAX_BOUND; i++)
		{
			if (data[i] == 0xFF)
				break;
			bound[nbound++] = cands[data[i] % ncands];
		}
		check_choice(res, version, bound, nbound, value, true);
	}

	check_lookups(data, size);
	return 0;
}
