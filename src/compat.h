/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The only place for PG_VERSION_NUM and LIBCURL_VERSION_NUM guards.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_COMPAT_H
#define AZB_COMPAT_H

#if PG_VERSION_NUM < 140000
#error "azbilling_fdw needs PostgreSQL 14 or later"
#endif

/* String nodes: makeString/strVal exist everywhere; PG15 added the String type */
#if PG_VERSION_NUM >= 150000
#define AZB_HAVE_STRING_NODE 1
#endif

#endif							/* AZB_COMPAT_H */

/*
 * libcurl guards: evaluated when a file includes this header again after
 * <curl/curl.h> (only http.c does).
 */
#if defined(LIBCURL_VERSION_NUM) && !defined(AZB_COMPAT_CURL_H)
#define AZB_COMPAT_CURL_H

#if LIBCURL_VERSION_NUM < 0x074200
#error "azbilling_fdw needs libcurl 7.66 or later (curl_multi_poll)"
#endif

/* CURLOPT_PROTOCOLS_STR replaced the bit mask in 7.85 */
#if LIBCURL_VERSION_NUM >= 0x075500
#define AZB_SET_PROTOCOLS(easy) \
	curl_easy_setopt((easy), CURLOPT_PROTOCOLS_STR, "https,http")
#else
#define AZB_SET_PROTOCOLS(easy) \
	curl_easy_setopt((easy), CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTPS | CURLPROTO_HTTP))
#endif

#endif							/* AZB_COMPAT_CURL_H */
