/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  The declarative catalogue of the Billing API: resources (tables), their
 *	  routes per api-version and their columns.
 *
 * A resource has ordered routes, most specific first.  Quals bind a route's
 * path parameters (scope columns, or "name" for a point lookup) and query
 * parameters (the date window, the transaction type); every route of a
 * resource yields the same columns.  Everything else in the extension is
 * generic over this data.
 *
 * This header is backend-free: it is used by the unit tests and the fuzzer
 * as well as by the extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_CATALOG_H
#define AZB_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef lengthof
#define lengthof(array) (sizeof (array) / sizeof ((array)[0]))
#endif

#define AZB_NVERSIONS 2			/* 2024-04-01, 2019-10-01-preview */
#define AZB_MAX_PARAMS 6		/* path parameters of one route */

/* SQL type of a column */
typedef enum AzbColType
{
	AZB_TYPE_TEXT,
	AZB_TYPE_TIMESTAMPTZ,
	AZB_TYPE_DATE,
	AZB_TYPE_BOOL,
	AZB_TYPE_INT8,
	AZB_TYPE_NUMERIC,
	AZB_TYPE_JSONB
} AzbColType;

/* Where a column's value comes from */
typedef enum AzbColKind
{
	AZB_COL_ID,					/* the ARM envelope's id */
	AZB_COL_NAME,				/* the ARM envelope's name */
	AZB_COL_TYPE,				/* the ARM envelope's type */
	AZB_COL_RAW,				/* the whole item */
	AZB_COL_SCOPE,				/* bound value, else property (key), else id */
	AZB_COL_PROPERTY,			/* the value at key (a dotted path) */
	AZB_COL_AMOUNT,				/* key.value of an Amount object */
	AZB_COL_CURRENCY,			/* key.currency of an Amount object */
	AZB_COL_REQUEST				/* the value of the request's typed query
								 * parameter (transactions' billed_status) */
} AzbColKind;

typedef struct AzbColumnDef
{
	const char *name;			/* SQL column name */
	AzbColKind	kind;
	AzbColType	type;
	const char *key;			/* dotted JSON path in the item, or NULL */
	const char *doc;			/* one sentence for the docs */
} AzbColumnDef;

/* route flags */
#define AZB_ROUTE_POINT				0x0001	/* last parameter is the item's name */
#define AZB_ROUTE_SINGLE			0x0002	/* answers one object, not a list */
#define AZB_ROUTE_DATES_REQUIRED	0x0008	/* requires the date window */

/* agreement types, as a bit set; AZB_AGR_ANY means "all" (no restriction) */
#define AZB_AGR_ANY		0x00
#define AZB_AGR_MCA		0x01
#define AZB_AGR_EA		0x02
#define AZB_AGR_MPA		0x04
#define AZB_AGR_MOSP	0x08
#define AZB_AGR_ALL		0x0F

/*
 * The query parameters a route takes, by kind, under the names its
 * operation declares (2024-04-01 says "filter", not "$filter"); NULL where
 * the route does not take one.
 */
typedef struct AzbRouteQuery
{
	const char *date_start;		/* periodStartDate */
	const char *date_end;		/* periodEndDate */
	const char *type;			/* the resource's request column (type) */
	const char *filter;			/* an OData filter */
	const char *top;
	const char *orderby;
} AzbRouteQuery;

typedef struct AzbRouteDef
{
	const char *operation_id;
	const char *path;			/* template; parameters as {placeholder} */
	int			nparams;
	const char *params[AZB_MAX_PARAMS]; /* column bound by each placeholder */
	unsigned	flags;
	unsigned	agreements;
	AzbRouteQuery query;
} AzbRouteDef;

typedef struct AzbVersionDef
{
	const AzbRouteDef *routes;	/* NULL when the version lacks the group */
	int			nroutes;
	const AzbColumnDef *columns;
	int			ncolumns;
} AzbVersionDef;

typedef struct AzbResourceDef
{
	const char *name;			/* table name */
	const char *group;			/* operation group */
	const char *doc;
	const char *key_column;		/* scope column its items' names enumerate */
	const char *date_column;	/* column the date window filters, or NULL */
	const char *request_column; /* column holding the request's query.type
								 * value, or NULL */
	const char *request_values[4];	/* what query.type takes, fetched in this
									 * order when the query binds none */
	int			nrequest_values;
	AzbVersionDef versions[AZB_NVERSIONS];
} AzbResourceDef;

/*
 * Where the agreement type of a scope column's value is found: a property
 * of the items of another table, which has a route taking only that column.
 */
typedef struct AzbAgreementSource
{
	const char *column;			/* billing_account_name, subscription_id */
	const char *table;			/* the resource whose items carry the type */
	const char *key;			/* dotted path in its items */
	const char *noun;			/* what the column's value is, for messages */
} AzbAgreementSource;

/* the ARM id collection that carries a scope column (billingProfiles: billing_profile_name) */
typedef struct AzbScopeSegment
{
	const char *segment;
	const char *column;
} AzbScopeSegment;

extern const char *const azb_api_versions[AZB_NVERSIONS];
extern const AzbScopeSegment azb_scope_segments[];
extern const int azb_nscope_segments;
extern const AzbResourceDef azb_resources[];
extern const int azb_nresources;
extern const AzbAgreementSource azb_agreement_sources[];
extern const int azb_nagreement_sources;

/* catalog.c */
extern int	azb_catalog_find(const void *entries, int n, size_t size, size_t name_offset,
							 const char *name);
extern int	azb_catalog_version_index(const char *api_version);
extern const AzbResourceDef *azb_catalog_resource(const char *name);
extern const AzbVersionDef *azb_catalog_version(const AzbResourceDef *res, int version);
extern int	azb_catalog_column_index(const AzbVersionDef *v, const char *column);
extern bool azb_name_in(const char *const *set, int n, const char *s);
extern bool azb_catalog_is_scope_column(const char *column);
extern const AzbResourceDef *azb_catalog_enumerator(const char *scope_column, int version);
extern double azb_catalog_fanout(const char *scope_column);
extern const char *azb_catalog_scope_for_segment(const char *segment, size_t len);
extern bool azb_catalog_segment_carries(const char *segment, size_t len, const char *column);
extern unsigned azb_catalog_agreement_bit(const char *agreement_type);
extern const char *azb_catalog_agreement_name(unsigned bit);
extern const char *azb_catalog_type_name(AzbColType type);
extern int	azb_catalog_check(char *problem, size_t problemlen);

/*
 * Route choice.  A scan is a chain of steps: zero or more steps that produce
 * scope values (the enumeration of billing accounts, profiles, ...), then the
 * step that lists the table's own items.  Each step names its resource and route, and where each path
 * parameter's value comes from: a slot, that is a scope column bound by the
 * query or produced by an earlier step.
 */
#define AZB_MAX_STEPS 6

typedef enum AzbStepKind
{
	AZB_STEP_TARGET,			/* lists the table's items */
	AZB_STEP_ENUMERATE			/* lists parents; each item binds slot 'produces' */
} AzbStepKind;

typedef struct AzbStep
{
	AzbStepKind kind;
	const AzbResourceDef *resource;
	int			route;			/* index into the version's routes */
	const char *slots[AZB_MAX_PARAMS];	/* slot feeding each path parameter */
	const char *produces;		/* ENUMERATE: the slot its items bind */
	bool		speculative;	/* a bound value sits under an enumerated one */
} AzbStep;

typedef struct AzbChain
{
	int			nsteps;
	AzbStep		steps[AZB_MAX_STEPS];	/* the last one is the target */
	int			unused_bound;	/* bound columns the target route ignores */
	double		requests;		/* estimated requests per binding */
} AzbChain;

extern bool azb_catalog_choose(const AzbResourceDef *res, int version,
							   const char *const *bound, int nbound,
							   AzbChain *chain);

#endif							/* AZB_CATALOG_H */
