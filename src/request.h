/*-------------------------------------------------------------------------
 *
 * request.h
 *	  URL building for ARM requests: percent-encoding of path segments and
 *	  query values, OData quoting, and the nextLink host check.
 *
 * Backend-free.  Functions that build strings follow snprintf's contract:
 * they write at most 'size' bytes (NUL included) and return the length the
 * whole result needs, so a caller can size its buffer and call again.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_REQUEST_H
#define AZB_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

typedef enum AzbLinkCheck
{
	AZB_LINK_SAME_HOST,			/* absolute, on the endpoint's scheme, host and port */
	AZB_LINK_RELATIVE,			/* no scheme or host: resolves against the endpoint */
	AZB_LINK_TRUSTED_HOST,		/* on a host listed in trusted_hosts */
	AZB_LINK_FOREIGN_HOST,		/* on another host: never followed */
	AZB_LINK_BAD_SCHEME,		/* not https (http only on loopback endpoints) */
	AZB_LINK_INVALID			/* not a URL */
} AzbLinkCheck;

typedef enum AzbTailLink
{
	AZB_TAIL_UNKNOWN,			/* the tail does not say: parse the page */
	AZB_TAIL_NONE,				/* "nextLink": null (or ""): the last page */
	AZB_TAIL_LINK				/* a link, unescaped */
} AzbTailLink;

extern AzbTailLink azb_request_tail_next_link(const char *body, size_t len, char *out,
											  size_t size, size_t *outlen);
extern size_t azb_request_encode(char *out, size_t size, const char *value, bool query);
extern size_t azb_request_path(char *out, size_t size, const char *template_path,
							   const char *const *values, int nvalues);
extern size_t azb_request_path_shown(char *out, size_t size, const char *template_path,
									 const char *const *values, const char *const *shown,
									 int nvalues);
extern size_t azb_request_odata_quote(char *out, size_t size, const char *value);
extern AzbLinkCheck azb_request_check_link(const char *endpoint, const char *link,
										   const char *trusted_hosts,
										   char *host, size_t hostsize);
extern size_t azb_request_resolve(char *out, size_t size, const char *endpoint,
								  const char *link);
extern bool azb_request_split_url(const char *url, char *scheme, size_t schemesize,
								  char *host, size_t hostsize, int *port,
								  const char **path);
extern bool azb_request_is_loopback_host(const char *host);

/* What is wrong with an endpoint option's value (scheme and host are filled) */
typedef enum AzbEndpointCheck
{
	AZB_ENDPOINT_OK,
	AZB_ENDPOINT_NOT_URL,		/* not https://host[:port][/path] */
	AZB_ENDPOINT_SCHEME,		/* neither https nor http */
	AZB_ENDPOINT_CLEAR_TEXT		/* http to a host that is not loopback */
} AzbEndpointCheck;

extern AzbEndpointCheck azb_request_check_endpoint(const char *value, char *scheme, size_t schemesize,
												   char *host, size_t hostsize);
extern size_t azb_request_trim_slashes(char *s);
extern const char *azb_request_path_of(const char *url);
extern const char *azb_request_scope_in_id(const char *id, const char *column, size_t *len);

/* one collection/value pair of an ARM id: billingProfiles/{x} */
typedef struct AzbIdPair
{
	const char *name;
	size_t		nlen;
	const char *value;
	size_t		vlen;
} AzbIdPair;

extern int	azb_request_id_pairs(const char *id, AzbIdPair *pairs, int max);

#endif							/* AZB_REQUEST_H */
