/*-------------------------------------------------------------------------
 *
 * cache.h
 *	  The backend's result cache of list pages (cache_ttl, cache_max_bytes).
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_CACHE_H
#define AZB_CACHE_H

#include "azb.h"

/* a cached page: the body as Azure sent it (its nextLink inside), and its type */
typedef struct AzbCachedPage
{
	const char *body;			/* valid until the next cache call */
	size_t		body_len;
	const char *content_type;
} AzbCachedPage;

extern bool azb_cache_lookup(const AzbOptions *opts, const char *url, AzbCachedPage *page);
extern void azb_cache_store(const AzbOptions *opts, const char *url, const char *body,
							size_t body_len, const char *content_type);
/* azb_cache_clear_server is in azb.h: writes call it */

#endif							/* AZB_CACHE_H */
