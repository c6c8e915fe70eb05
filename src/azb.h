/*-------------------------------------------------------------------------
 *
 * azb.h
 *	  The contract between the files of azbilling_fdw.
 *
 * No libcurl or cJSON type appears here: http.c and decode.c own them and
 * hand out opaque handles.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_H
#define AZB_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog.h"
#include "compat.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "utils/timestamp.h"

#define AZB_VERSION_STRING "1.0"
#define AZB_USER_AGENT "azbilling_fdw/" AZB_VERSION_STRING
#define AZB_CACHE_DEFAULT_MAX_BYTES INT64CONST(16777216)

/* ---------------------------------------------------------------- */
/* options.c														*/
/* ---------------------------------------------------------------- */

/* A scope pinned by a table option (billing_account_name 'x'). */
typedef struct AzbPin
{
	char	   *column;
	char	   *value;
} AzbPin;

/* Options merged from the server, the table and the user mapping. */
typedef struct AzbOptions
{
	/* server */
	char	   *endpoint;		/* no trailing slash */
	char	   *login_endpoint; /* no trailing slash */
	char	   *api_version;
	int			version;		/* index into azb_api_versions */
	char	   *ca_file;
	int			connect_timeout;	/* seconds */
	int			request_timeout;	/* seconds */
	int			max_retries;
	int			max_concurrency;
	int64		max_response_bytes;
	int64		max_pages;		/* per scan; more is an error, never a truncation */
	bool		async_capable;	/* scans may run concurrently under an Append */
	bool		filter_pushdown;	/* send OData $filter where the route takes one */
	int32		history_start;	/* days since 2000-01-01 */
	char	   *trusted_hosts;	/* comma-separated, or NULL */
	bool		updatable;		/* writes allowed (also a table option) */
	int64		max_write_rows; /* writes one statement may send */
	int			cache_ttl;		/* seconds a page stays in the result cache; 0: off
								 * (also a table option) */
	int64		cache_max_bytes;	/* bound of the server's result cache */
	bool		skip_forbidden; /* skip enumerated scopes Azure answers 403 for */

	/* table */
	char	   *resource;
	List	   *pins;			/* of AzbPin */

	/* user mapping (filled by azb_options_add_user) */
	Oid			serverid;
	Oid			userid;			/* whose credentials */
	Oid			umid;			/* the user mapping's oid */
	bool		um_public;		/* the mapping is the PUBLIC one */
	char	   *tenant_id;
	char	   *client_id;
	char	   *client_secret;	/* secret */
	char	   *access_token;	/* secret */
	bool		managed_identity;
	char	   *client_certificate; /* secret: PEM with certificate and key */
	char	   *client_certificate_file;	/* path of such a PEM */
	bool		certificate_rs256;	/* certificate_algorithm 'RS256' */
	char	   *federated_token_file;	/* workload identity: the assertion's file */
} AzbOptions;

extern void azb_options_validate(List *options, Oid catalog);
extern AzbOptions *azb_options_for_server(ForeignServer *server);
extern AzbOptions *azb_options_for_table(Oid foreigntableid);
extern void azb_options_add_user(AzbOptions *opts, Oid userid);
extern const char *azb_options_column_json_path(Oid relid, AttrNumber attnum);

/* ---------------------------------------------------------------- */
/* http.c															*/
/* ---------------------------------------------------------------- */

typedef struct AzbTransfer AzbTransfer;
typedef struct AzbTransferSet AzbTransferSet;

/* Why a transfer ended without a usable HTTP answer. */
typedef enum AzbTransportFailure
{
	AZB_XFER_OK,				/* an HTTP status arrived (any status) */
	AZB_XFER_CONNECT,			/* DNS, TCP or TLS failure */
	AZB_XFER_TIMEOUT,			/* connect_timeout or request_timeout passed */
	AZB_XFER_TOO_LARGE,			/* the body exceeded max_response_bytes */
	AZB_XFER_TRANSPORT,			/* connection reset, truncated transfer, ... */
	AZB_XFER_DEADLINE			/* waiting longer would pass statement_timeout */
} AzbTransportFailure;

typedef struct AzbHttpSpec
{
	const char *method;			/* "GET" or "POST" */
	const char *url;
	const char *bearer;			/* token for the Authorization header, or NULL */
	const char *body;			/* POST body, or NULL */
	const char *content_type;	/* of the POST body */
	bool		metadata_header;	/* send "Metadata: true" (IMDS) */
	bool		no_proxy;		/* a local identity endpoint: never through a proxy */
	const char *const *headers; /* more "Name: value" lines, NULL-terminated */
	bool		retry;			/* retry 408/429/5xx and transport errors */
	bool		unsafe;			/* POST/PATCH: with retry, retried only on 429 or
								 * when the request was never sent */
} AzbHttpSpec;

typedef struct AzbHttpResult
{
	AzbTransportFailure failure;
	long		status;
	char	   *body;			/* malloc'd, NUL-terminated, may be NULL */
	size_t		body_len;
	char		content_type[128];
	char		request_id[128];	/* x-ms-request-id */
	char		client_request_id[64];	/* the x-ms-client-request-id sent */
	char		location[2048];
	char		retry_after[64];
	char		www_authenticate[512];	/* a 401's challenge (Azure Arc) */
	char		async_operation[2048];	/* Azure-AsyncOperation */
	long		retry_after_ms; /* retry-after-ms / x-ms-retry-after-ms, or -1 */
	bool		sent;			/* the last attempt's request went out */
	char		errbuf[256];	/* libcurl's message for a transport failure */
	int			attempts;
	double		wait_ms;		/* time spent in retry waits */
} AzbHttpResult;

typedef struct AzbHttpStats
{
	int64		requests;		/* HTTP requests sent, retries included */
	int64		retries;
	int64		throttled;		/* 429 answers */
	double		wait_ms;		/* time spent waiting to retry */
	int64		bytes;			/* response bytes received */
} AzbHttpStats;

extern AzbTransferSet *azb_http_set_create(const AzbOptions *opts, AzbHttpStats *stats);
extern AzbTransfer *azb_http_start(AzbTransferSet *set, const AzbHttpSpec *spec, void *owner);
extern AzbTransfer *azb_http_start_answered(AzbTransferSet *set, const char *body, size_t body_len,
											const char *content_type, void *owner);
extern void azb_http_drive(AzbTransferSet *set, long max_wait_ms);
extern AzbTransfer *azb_http_next_done(AzbTransferSet *set);
extern void azb_http_wait_for(AzbTransferSet *set, AzbTransfer *t);
extern AzbHttpResult *azb_http_result(AzbTransfer *t);
extern void *azb_http_owner(AzbTransfer *t);
extern void azb_http_free(AzbTransfer *t);
extern void azb_http_cancel_all(AzbTransferSet *set);
#include <sys/select.h>
extern bool azb_http_sockets(fd_set *rd, fd_set *wr, fd_set *ex, int *maxfd, long *timeout_ms);
extern void azb_http_perform(AzbTransferSet *set, const AzbHttpSpec *spec, AzbHttpResult **result);
extern const char *azb_http_libcurl_version(void);
/* http_retry.c: the retry policy */
extern bool azb_http_retryable(const AzbHttpResult *res, bool unsafe);
extern double azb_http_retry_after_ms(const AzbHttpResult *res);
extern double azb_http_retry_delay_ms(const AzbHttpResult *res);
/* pace.c: Azure's read budget, mirrored */
extern long azb_pace_ms(void);
extern void azb_pace_take(void);
extern void azb_pace_report(long reads_left);

/* waiter.c: one descriptor for an async Append */
typedef struct AzbWaiter AzbWaiter;
extern AzbWaiter *azb_waiter_create(void);
extern int	azb_waiter_arm(AzbWaiter *w, long max_ms);

/* ---------------------------------------------------------------- */
/* auth.c															*/
/* ---------------------------------------------------------------- */

extern const char *azb_auth_token(const AzbOptions *opts, bool refresh);
extern char *azb_auth_fetch_token(const AzbOptions *opts, int *lifetime);
extern void azb_auth_init(void);
extern void azb_auth_check_pem(const char *pem, size_t len, const char *what);

/* ---------------------------------------------------------------- */
/* errors.c															*/
/* ---------------------------------------------------------------- */

extern void azb_error_http(const char *what, const char *method, const char *path,
						   AzbHttpResult *res) pg_attribute_noreturn();
extern char *azb_error_arm_summary(const char *body, size_t len);
extern char *azb_error_excerpt(const char *body, size_t len, size_t limit);
extern void azb_error_unknown_outcome(const char *what, const char *method, const char *path,
									  AzbHttpResult *res) pg_attribute_noreturn();

/* ---------------------------------------------------------------- */
/* json.c (pages and items) and decode.c (items to tuples)			*/
/* ---------------------------------------------------------------- */

typedef struct AzbPage AzbPage;
typedef struct AzbDecoder AzbDecoder;
typedef struct AzbItem AzbItem;		/* an item of a page (a cJSON node) */

extern void azb_json_init(void);
extern const char *azb_json_version(void);
extern AzbPage *azb_page_parse(const char *body, size_t len, const char *content_type,
							   bool single_object, const char *path);
extern int	azb_page_nitems(AzbPage *page);
extern AzbItem *azb_page_item(AzbPage *page, int i);
extern const char *azb_page_next_link(AzbPage *page, bool *present);
extern const char *azb_item_text(AzbItem *item, const char *path);
extern char *azb_item_scope(AzbItem *item, const AzbVersionDef *v, const char *column);
extern char *azb_json_field(const char *body, size_t len, const char *key, bool *is_number);
extern bool azb_json_error(const char *body, size_t len, char **code, char **message);
extern bool azb_json_string_body(const char *body, size_t len, char **value);

/* One retrieved attribute's source, chosen once per scan. */
extern AzbDecoder *azb_decoder_create(Relation rel, const AzbVersionDef *v,
									  List *retrieved_attrs,
									  int nslots, const char *const *slot_names);
extern void azb_decoder_row(AzbDecoder *dec, AzbItem *item, const char *const *slot_values,
							const char *request_value, Datum *values, bool *nulls);
extern char *azb_decoder_snake_case(const char *key);
extern void azb_decoder_set_context(AzbDecoder *dec, const char *path, int page, int item);

/* ---------------------------------------------------------------- */
/* timeparse.c (backend-free)										*/
/* ---------------------------------------------------------------- */
#include "timeparse.h"

/* ---------------------------------------------------------------- */
/* request.c (backend-free)											*/
/* ---------------------------------------------------------------- */
#include "request.h"

/* ---------------------------------------------------------------- */
/* jwt.c (backend-free): client assertions							*/
/* ---------------------------------------------------------------- */
#include "jwt.h"

/* azb_request_encode into a palloc'd string: a path segment, or a query value */
static inline char *
azb_encoded(const char *value, bool query)
{
	size_t		n = azb_request_encode(NULL, 0, value, query);
	char	   *out = palloc(n + 1);

	azb_request_encode(out, n + 1, value, query);
	return out;
}

/*
 * A route's path with its values, percent-encoded, palloc'd; a missing value
 * shows as {shown[i]} when shown is given.
 */
static inline char *
azb_route_path(const char *template_path, const char *const *values,
			   const char *const *shown, int nvalues)
{
	size_t		n = azb_request_path_shown(NULL, 0, template_path, values, shown, nvalues);
	char	   *out = palloc(n + 1);

	azb_request_path_shown(out, n + 1, template_path, values, shown, nvalues);
	return out;
}

/* ---------------------------------------------------------------- */
/* plan.c															*/
/* ---------------------------------------------------------------- */

/*
 * The slots of a ForeignScan's fdw_private list.  Only nodes: strings,
 * integers and lists of them; never pointers.
 */
typedef enum AzbFdwPrivateSlot
{
	AZB_FP_RESOURCE = 0,		/* String: resource name */
	AZB_FP_VERSION,				/* Integer: api-version index */
	AZB_FP_BOUND,				/* List of String: bound scope columns (and name) */
	AZB_FP_BINDINGS,			/* List of List(String column, Integer expr, Integer is_array,
								 * Integer from_join) */
	AZB_FP_DATE_EXPRS,			/* IntList: date conditions' exprs ... */
	AZB_FP_DATE_STRATEGIES,		/* IntList: ... and their btree strategies */
	AZB_FP_RETRIEVED,			/* List of Integer attnums */
	AZB_FP_FILTER_KEYS,			/* List of String: JSON keys ... */
	AZB_FP_FILTER_EXPRS,		/* IntList: ... and their exprs, for $filter's
								 * "properties/<key> eq '<value>'" */
	AZB_FP_ROW_BOUND,			/* Integer: the LIMIT (plus OFFSET) the scan's
								 * rows feed directly, or -1 */
	AZB_FP_COUNT
} AzbFdwPrivateSlot;

/* A scope value source: an fdw_exprs entry, evaluated at execution. */
typedef struct AzbBindingSpec
{
	char	   *column;			/* scope column, "name" or "billed_status" */
	int			expr;			/* index into fdw_exprs */
	bool		is_array;		/* = ANY (array) / IN (...) */
} AzbBindingSpec;

extern void azb_plan_rel_size(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid);
extern void azb_plan_paths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid);
extern ForeignScan *azb_plan_scan(PlannerInfo *root, RelOptInfo *baserel,
								  Oid foreigntableid, ForeignPath *best_path,
								  List *tlist, List *scan_clauses, Plan *outer_plan);
extern bool azb_plan_async_capable(RelOptInfo *rel);
extern const AzbResourceDef *azb_plan_resource_for(Oid foreigntableid, AzbOptions *opts,
												   int *version);

/* ---------------------------------------------------------------- */
/* scan.c															*/
/* ---------------------------------------------------------------- */

typedef struct AzbScan AzbScan;
struct ExplainState;

extern void azb_scan_begin(ForeignScanState *node, int eflags);
extern TupleTableSlot *azb_scan_next(ForeignScanState *node);
extern void azb_scan_rescan(ForeignScanState *node);
extern void azb_scan_end(ForeignScanState *node);

/* async Append (PostgreSQL's ForeignAsync* API) */
extern bool azb_scan_async_capable(ForeignPath *path);
extern void azb_scan_async_request(AsyncRequest *areq);
extern void azb_scan_async_configure_wait(AsyncRequest *areq);
extern void azb_scan_async_notify(AsyncRequest *areq);

/* ---------------------------------------------------------------- */
/* explain.c, import.c												*/
/* ---------------------------------------------------------------- */

extern void azb_explain_scan(ForeignScanState *node, struct ExplainState *es);
extern List *azb_import_schema(ImportForeignSchemaStmt *stmt, Oid serverOid);

/* operation.c (the rest of its interface is in operation.h) */
extern void azb_op_init(void);

/* cache.c (the rest of its interface is in cache.h): a write drops its server's pages */
extern int	azb_cache_clear_server(Oid serverid);

#endif							/* AZB_H */
