/*-------------------------------------------------------------------------
 *
 * operation.h
 *	  Running one operation of the catalogue: the one request path for
 *	  azbilling_call, the named action functions and (later) DML.
 *
 * operation.c builds the URL from the catalogue, checks that a change is
 * allowed (updatable, read-only transactions, hot standby, dry run), sends
 * the request through http.c with the caller's token (refreshed once on
 * 401), and reports failures through errors.c; lro.c follows long-running
 * operations to their final answer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_OPERATION_H
#define AZB_OPERATION_H

#include "azb.h"
#include "catalog_ops.h"

/* A server's options, the caller's credentials and a transfer set. */
typedef struct AzbOpContext
{
	AzbOptions *opts;
	char	   *server_name;
	AzbTransferSet *xfers;
	AzbHttpStats stats;
	const char *what;			/* names the call in messages */
	const char *operation_id;	/* azbilling_stats' operation of the requests */
} AzbOpContext;

/* The end of an operation. */
typedef struct AzbOpOutcome
{
	long		status;			/* of the answer the body is from; 0 in a dry run */
	char	   *body;			/* palloc'd, NUL-terminated; NULL when there is none */
	size_t		body_len;
	char	   *content_type;
	bool		dry_run;		/* azbilling.dry_run: nothing was sent */
	char	   *operation_url;	/* the long-running operation's URL, or NULL */
	char	   *request_id;		/* x-ms-request-id of the final answer, or "" */
} AzbOpOutcome;

/* operation.c */
extern bool azb_op_dry_run;
extern void azb_op_init(void);
extern AzbOpContext *azb_op_context(const char *server_name, const char *what);
extern AzbOpContext *azb_op_context_for(ForeignServer *server, Oid userid, const char *what);
extern char *azb_op_url(AzbOpContext *ctx, const AzbOperationDef *op,
						const char *const *path_values, const char *const *query_values);
extern void azb_op_check_change(AzbOpContext *ctx, const AzbOperationDef *op);
extern AzbOpOutcome *azb_op_run(AzbOpContext *ctx, const AzbOperationDef *op,
								const char *const *path_values,
								const char *const *query_values, const char *body);
extern AzbOpOutcome *azb_op_run_tolerating(AzbOpContext *ctx, const AzbOperationDef *op,
										   const char *const *path_values,
										   const char *const *query_values,
										   const char *body, long tolerated);
extern AzbHttpResult *azb_op_send(AzbOpContext *ctx, const char *method, const char *url,
								  const char *body, bool bearer);
extern void azb_op_raise(AzbOpContext *ctx, const char *method, const char *url,
						 AzbHttpResult *res) pg_attribute_noreturn();

/* lro.c */
extern AzbHttpResult *azb_lro_follow(AzbOpContext *ctx, const AzbOperationDef *op,
									 const char *url, AzbHttpResult *first,
									 char **operation_url);

#endif							/* AZB_OPERATION_H */
