/*-------------------------------------------------------------------------
 *
 * http_retry.c
 *	  The retry policy of http.c: which outcomes are retried, by method, and
 *	  how long to wait before the next attempt (the server's Retry-After,
 *	  else exponential backoff with jitter).
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include <curl/curl.h>
#include <math.h>
#include <time.h>

#include "common/pg_prng.h"

#define AZB_BACKOFF_BASE_MS 800.0
#define AZB_BACKOFF_CAP_MS 60000.0

/*
 * Should this outcome be retried (408, 429, 5xx gateway answers, transport)?
 * Asked only for requests whose spec allows retries.
 *
 * A POST or PATCH (unsafe) is not idempotent: once it reached Azure, a lost
 * or failed answer says nothing about whether it took effect, and sending it
 * again could do it twice.  It is retried only on 429 (ARM throttles before
 * the resource provider sees the request) or when the request never went
 * out (DNS, connect, TLS).  The caller reports any other failure of a sent
 * unsafe request as an unknown outcome.
 */
bool
azb_http_retryable(const AzbHttpResult *res, bool unsafe)
{
	if (unsafe)
	{
		if (res->failure == AZB_XFER_OK)
			return res->status == 429;
		return !res->sent && (res->failure == AZB_XFER_CONNECT ||
							  res->failure == AZB_XFER_TIMEOUT ||
							  res->failure == AZB_XFER_TRANSPORT);
	}
	switch (res->failure)
	{
		case AZB_XFER_CONNECT:
		case AZB_XFER_TIMEOUT:
		case AZB_XFER_TRANSPORT:
			return true;
		case AZB_XFER_OK:
			switch (res->status)
			{
				case 408:
				case 429:
				case 500:
				case 502:
				case 503:
				case 504:
					return true;
				default:
					return false;
			}
		default:
			return false;
	}
}

/*
 * The server's word on when to come back: retry-after-ms or
 * x-ms-retry-after-ms, else Retry-After in seconds or as an HTTP date; -1
 * when the answer says nothing.  The one parser of these headers: retries
 * and long-running operation polls both use it.
 */
double
azb_http_retry_after_ms(const AzbHttpResult *res)
{
	if (res->retry_after_ms >= 0)
		return (double) res->retry_after_ms;
	if (res->retry_after[0])
	{
		const char *v = res->retry_after;

		if (v[0] >= '0' && v[0] <= '9')
		{
			char	   *end;
			double		secs = strtod(v, &end);

			if (*end == '\0' && secs >= 0)
				return secs * 1000.0;
		}
		else
		{
			time_t		when = curl_getdate(v, NULL);

			if (when > 0)
			{
				double		delta = ((double) when - (double) time(NULL)) * 1000.0;

				return delta > 0 ? delta : 0;
			}
		}
	}
	return -1;
}

/*
 * The wait before the next attempt: the server's word, else exponential
 * backoff with jitter, capped.
 */
double
azb_http_retry_delay_ms(const AzbHttpResult *res)
{
	double		ms = azb_http_retry_after_ms(res);

	if (ms >= 0)
		return ms;
	ms = AZB_BACKOFF_BASE_MS * pow(2.0, res->attempts - 1);
	ms *= 0.8 + 0.5 * pg_prng_double(&pg_global_prng_state);
	return Min(ms, AZB_BACKOFF_CAP_MS);
}
