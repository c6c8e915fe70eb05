/*-------------------------------------------------------------------------
 *
 * compat_curl.h
 *	  The only place for LIBCURL_VERSION_NUM guards; only http.c (the one
 *	  file that uses libcurl) includes it, after <curl/curl.h>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_COMPAT_CURL_H
#define AZB_COMPAT_CURL_H

#include <curl/curl.h>

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
