/*-------------------------------------------------------------------------
 *
 * request.c
 *	  URL building for ARM requests: percent-encoding of path segments and
 *	  query values, OData quoting, and the nextLink host check.
 *
 * Backend-free, so the unit tests and the fuzzer can drive it directly.
 * Values taken from queries end up in URLs only through these functions:
 * a billing account named "../../subscriptions" must stay one segment.
 *
 *-------------------------------------------------------------------------
 */
#include "request.h"
#include "catalog.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * ASCII character classes: a backend runs under its database's LC_CTYPE,
 * and <ctype.h> would then call bytes like 0xE9 letters.
 */
static inline bool
ascii_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline unsigned char
ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Append one byte to a bounded buffer, counting what would be written. */
#define PUT(c) \
	do { \
		if (len + 1 < size) \
			out[len] = (c); \
		len++; \
	} while (0)

static void
terminate(char *out, size_t size, size_t len)
{
	if (size > 0)
		out[len < size ? len : size - 1] = '\0';
}

/*
 * Percent-encode a value for a path segment (query = false) or a query
 * value (query = true).  Only RFC 3986 unreserved characters pass through;
 * everything else, '/', '?', '#', '%', ':', spaces and non-ASCII bytes
 * included, becomes %XX.
 */
size_t
azb_request_encode(char *out, size_t size, const char *value, bool query)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		len = 0;

	(void) query;				/* the same set is safe in both places */
	for (const unsigned char *p = (const unsigned char *) value; *p; p++)
	{
		if (ascii_alpha(*p) || ascii_digit(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
		{
			/* "." and ".." alone would be dot-segments: encode them */
			if (*p == '.' && !query &&
				(strcmp(value, ".") == 0 || strcmp(value, "..") == 0))
			{
				PUT('%');
				PUT('2');
				PUT('E');
				continue;
			}
			PUT(*p);
		}
		else
		{
			PUT('%');
			PUT(hex[*p >> 4]);
			PUT(hex[*p & 15]);
		}
	}
	terminate(out, size, len);
	return len;
}

/*
 * Substitute the values, percent-encoded, for the {placeholders} of a path
 * template, in order.
 */
size_t
azb_request_path(char *out, size_t size, const char *template_path,
				 const char *const *values, int nvalues)
{
	return azb_request_path_shown(out, size, template_path, values, NULL, nvalues);
}

/*
 * The same, except that a missing value shows as {shown[i]} when shown is
 * given (EXPLAIN: a value known only at run time).
 */
size_t
azb_request_path_shown(char *out, size_t size, const char *template_path,
					   const char *const *values, const char *const *shown, int nvalues)
{
	size_t		len = 0;
	int			n = 0;

	for (const char *p = template_path; *p; p++)
	{
		if (*p == '{')
		{
			const char *close = strchr(p, '}');
			const char *value = (n < nvalues && values[n]) ? values[n] : "";
			size_t		need;

			if (close == NULL)
				break;
			if (shown && n < nvalues && values[n] == NULL && shown[n])
			{
				PUT('{');
				for (const char *q = shown[n]; *q; q++)
					PUT(*q);
				PUT('}');
				n++;
				p = close;
				continue;
			}
			need = azb_request_encode(len < size ? out + len : NULL,
									  len < size ? size - len : 0, value, false);
			len += need;
			n++;
			p = close;
			continue;
		}
		PUT(*p);
	}
	terminate(out, size, len);
	return len;
}

/* An OData string literal: single quotes, with '' for a quote inside. */
size_t
azb_request_odata_quote(char *out, size_t size, const char *value)
{
	size_t		len = 0;

	PUT('\'');
	for (const char *p = value; *p; p++)
	{
		if (*p == '\'')
			PUT('\'');
		PUT(*p);
	}
	PUT('\'');
	terminate(out, size, len);
	return len;
}

/*
 * Split an absolute URL into scheme, host (lower-cased, without brackets for
 * IPv6) and port (the scheme's default when absent); *path points at the
 * rest ("/..." or "" or "?...").
 */
bool
azb_request_split_url(const char *url, char *scheme, size_t schemesize,
					  char *host, size_t hostsize, int *port, const char **path)
{
	const char *sep = strstr(url, "://");
	const char *h,
			   *hend,
			   *p;
	size_t		n;

	if (sep == NULL || sep == url || (size_t) (sep - url) >= schemesize)
		return false;
	for (const char *c = url; c < sep; c++)
		if (!ascii_alpha((unsigned char) *c))
			return false;
	n = sep - url;
	for (size_t i = 0; i < n; i++)
		scheme[i] = ascii_lower((unsigned char) url[i]);
	scheme[n] = '\0';

	h = sep + 3;
	p = h + strcspn(h, "/?#");
	/* no credentials in URLs */
	for (const char *c = h; c < p; c++)
		if (*c == '@')
			return false;
	if (*h == '[')
	{
		char		literal[64];
		unsigned char addr[16];

		/* an IPv6 literal, then only a port or the path */
		hend = memchr(h, ']', p - h);
		if (hend == NULL)
			return false;
		h++;
		n = hend - h;
		if (n == 0 || n >= sizeof(literal))
			return false;
		memcpy(literal, h, n);
		literal[n] = '\0';
		if (inet_pton(AF_INET6, literal, addr) != 1)
			return false;
		hend++;
		if (hend < p && *hend != ':')
			return false;
	}
	else
	{
		hend = memchr(h, ':', p - h);
		if (hend == NULL)
			hend = p;
		n = hend - h;
	}
	if (n == 0 || n >= hostsize)
		return false;
	for (size_t i = 0; i < n; i++)
		host[i] = ascii_lower((unsigned char) h[i]);
	host[n] = '\0';

	if (hend < p && *hend == ':')
	{
		long		v = 0;
		const char *d = hend + 1;

		/* 1 to 5 ASCII digits, nothing else */
		if (d == p || p - d > 5)
			return false;
		for (; d < p; d++)
		{
			if (!ascii_digit((unsigned char) *d))
				return false;
			v = v * 10 + (*d - '0');
		}
		if (v <= 0 || v > 65535)
			return false;
		*port = (int) v;
	}
	else if (strcmp(scheme, "https") == 0)
		*port = 443;
	else if (strcmp(scheme, "http") == 0)
		*port = 80;
	else
		*port = 0;
	if (path)
		*path = p;
	return true;
}

/* The path-and-query part of an absolute URL, or the URL itself. */
const char *
azb_request_path_of(const char *url)
{
	char		scheme[16],
				host[256];
	int			port;
	const char *path;

	if (azb_request_split_url(url, scheme, sizeof(scheme), host, sizeof(host),
							  &port, &path))
		return path;
	return url;
}

bool
azb_request_is_loopback_host(const char *host)
{
	unsigned char addr[16];

	if (strcasecmp(host, "localhost") == 0)
		return true;
	/* numeric addresses as the resolver reads them, nothing looser */
	if (inet_pton(AF_INET, host, addr) == 1)
		return addr[0] == 127;
	if (inet_pton(AF_INET6, host, addr) == 1)
	{
		static const unsigned char loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

		return memcmp(addr, loop6, 16) == 0;
	}
	return false;
}

/*
 * The endpoint and login_endpoint options' rule: an absolute URL without
 * query, fragment or blanks, over https, or over http to a loopback host
 * only (credentials never travel in clear text).
 */
AzbEndpointCheck
azb_request_check_endpoint(const char *value, char *scheme, size_t schemesize,
						   char *host, size_t hostsize)
{
	int			port;
	const char *path;

	scheme[0] = host[0] = '\0';
	if (!azb_request_split_url(value, scheme, schemesize, host, hostsize, &port, &path) ||
		strpbrk(path, "?#") != NULL || strpbrk(value, " \t\r\n") != NULL)
		return AZB_ENDPOINT_NOT_URL;
	if (strcmp(scheme, "https") == 0)
		return AZB_ENDPOINT_OK;
	if (strcmp(scheme, "http") != 0)
		return AZB_ENDPOINT_SCHEME;
	return azb_request_is_loopback_host(host) ? AZB_ENDPOINT_OK : AZB_ENDPOINT_CLEAR_TEXT;
}

/* Drop a URL's trailing slashes in place; the new length. */
size_t
azb_request_trim_slashes(char *s)
{
	size_t		len = strlen(s);

	while (len > 0 && s[len - 1] == '/')
		s[--len] = '\0';
	return len;
}

/* Is host (with its port) listed in the comma-separated trusted_hosts? */
static bool
trusted(const char *trusted_hosts, const char *host, int port)
{
	const char *p = trusted_hosts;

	if (p == NULL)
		return false;
	while (*p)
	{
		const char *end = p + strcspn(p, ",");
		const char *a = p,
				   *b = end;
		char		entry[300];
		size_t		n;
		char	   *colon;

		while (a < b && ascii_space((unsigned char) *a))
			a++;
		while (b > a && ascii_space((unsigned char) b[-1]))
			b--;
		n = b - a;
		if (n > 0 && n < sizeof(entry))
		{
			memcpy(entry, a, n);
			entry[n] = '\0';
			colon = strrchr(entry, ':');
			if (colon && strchr(entry, ':') == colon)
			{
				*colon = '\0';
				if (strcasecmp(entry, host) == 0 && atoi(colon + 1) == port)
					return true;
			}
			else if (strcasecmp(entry, host) == 0)
				return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

/*
 * Decide whether a nextLink may be followed with the bearer token.  host
 * receives the link's host for error messages.
 */
AzbLinkCheck
azb_request_check_link(const char *endpoint, const char *link,
					   const char *trusted_hosts, char *host, size_t hostsize)
{
	char		escheme[16],
				ehost[256],
				lscheme[16];
	int			eport,
				lport;
	const char *rest;

	if (hostsize > 0)
		host[0] = '\0';
	if (link == NULL || link[0] == '\0')
		return AZB_LINK_INVALID;
	for (const char *c = link; *c; c++)
		if ((unsigned char) *c <= ' ' || *c == 0x7f)
			return AZB_LINK_INVALID;
	if (link[0] == '/')
	{
		if (link[1] == '/')		/* scheme-relative: treat as another host */
		{
			snprintf(host, hostsize, "%.*s", (int) strcspn(link + 2, "/?#"), link + 2);
			return AZB_LINK_FOREIGN_HOST;
		}
		return AZB_LINK_RELATIVE;
	}
	if (!azb_request_split_url(endpoint, escheme, sizeof(escheme), ehost,
							   sizeof(ehost), &eport, &rest))
		return AZB_LINK_INVALID;
	if (!azb_request_split_url(link, lscheme, sizeof(lscheme), host, hostsize,
							   &lport, &rest))
		return AZB_LINK_INVALID;
	if (strcmp(lscheme, "https") != 0 &&
		!(strcmp(lscheme, "http") == 0 && azb_request_is_loopback_host(host) &&
		  strcmp(escheme, "http") == 0))
		return AZB_LINK_BAD_SCHEME;
	if (strcmp(lscheme, escheme) == 0 && strcmp(host, ehost) == 0 && lport == eport)
		return AZB_LINK_SAME_HOST;
	if (strcmp(lscheme, "https") == 0 && trusted(trusted_hosts, host, lport))
		return AZB_LINK_TRUSTED_HOST;
	return AZB_LINK_FOREIGN_HOST;
}

/* The absolute URL of a link: relative links resolve against the endpoint. */
size_t
azb_request_resolve(char *out, size_t size, const char *endpoint, const char *link)
{
	if (link[0] == '/' && link[1] != '/')
	{
		/* an absolute-path reference replaces the endpoint's path (RFC 3986) */
		const char *sep = strstr(endpoint, "://");
		size_t		elen = strlen(endpoint);

		if (sep)
			elen = (sep + 3 - endpoint) + strcspn(sep + 3, "/?#");
		return (size_t) snprintf(out, size, "%.*s%s", (int) elen, endpoint, link);
	}
	return (size_t) snprintf(out, size, "%s", link);
}

/* The segment of an id at *s (up to '/', '?', '#' or end); *s moves past it. */
static const char *
id_segment(const char **s, const char *end, size_t *len)
{
	const char *start = *s;

	*len = strcspn(start, "/?#");
	if (start + *len > end)
		*len = end - start;
	*s = start + *len;
	return start;
}

/*
 * The next collection/value pair of an id from *s, before end: false at the
 * end.  Ids are walked pairwise from the start; a query string or fragment
 * ends the id (end is where it does).
 */
static bool
id_next_pair(const char **s, const char *end, AzbIdPair *pair)
{
	while (*s < end && **s == '/')
		(*s)++;
	if (*s >= end)
		return false;
	pair->name = id_segment(s, end, &pair->nlen);
	if (*s >= end)
		return false;
	(*s)++;
	pair->value = id_segment(s, end, &pair->vlen);
	return true;
}

/*
 * Where an ARM id names a scope column's value: the segment after the
 * collection that carries it (billingProfiles/{x} for billing_profile_name),
 * collections matched case-insensitively.  Returns a pointer into id and the
 * value's length, or NULL.
 */
const char *
azb_request_scope_in_id(const char *id, const char *column, size_t *len)
{
	const char *s = id;
	const char *end = id + strcspn(id, "?#");
	AzbIdPair	pair;

	while (id_next_pair(&s, end, &pair))
	{
		if (pair.vlen > 0 && azb_catalog_segment_carries(pair.name, pair.nlen, column))
		{
			*len = pair.vlen;
			return pair.value;
		}
	}
	return NULL;
}

/*
 * The pairs of an id, for a caller that looks several columns up in one id:
 * how many there are, up to max (max + 1 when there are more).
 */
int
azb_request_id_pairs(const char *id, AzbIdPair *pairs, int max)
{
	const char *s = id;
	const char *end = id + strcspn(id, "?#");
	int			n = 0;
	AzbIdPair	pair;

	while (id_next_pair(&s, end, &pair))
	{
		if (n == max)
			return max + 1;
		pairs[n++] = pair;
	}
	return n;
}

/*
 * The nextLink of a list page, read from the page's tail without parsing the
 * page: ARM ends list bodies with ..."nextLink":"<url>"} (or :null}).  This
 * lets the next page be requested before the current one is parsed.
 *
 * Returns AZB_TAIL_LINK with the unescaped link in out (needed length in
 * *outlen, snprintf-style), AZB_TAIL_NONE when the body ends with a null
 * nextLink, or AZB_TAIL_UNKNOWN when the tail has another shape (the
 * caller parses the page first).  A page whose tail matches but which is not
 * valid JSON is caught by the parse that always follows.
 */
/* p moved back over the white space before it (never before body). */
static const char *
tail_skip_space(const char *body, const char *p)
{
	while (p > body && ascii_space((unsigned char) p[-1]))
		p--;
	return p;
}

/* The position of character c just before p (white space between), or NULL. */
static const char *
tail_char(const char *body, const char *p, char c)
{
	p = tail_skip_space(body, p);
	return (p > body && p[-1] == c) ? p - 1 : NULL;
}

/* Before p, "nextLink" : (white space between): where the key starts, or NULL. */
static const char *
tail_key(const char *body, const char *p)
{
	static const char key[] = "\"nextLink\"";
	const size_t keylen = sizeof(key) - 1;

	p = tail_char(body, p, ':');
	if (p == NULL)
		return NULL;
	p = tail_skip_space(body, p);
	if ((size_t) (p - body) < keylen || memcmp(p - keylen, key, keylen) != 0)
		return NULL;
	return p - keylen;
}

AzbTailLink
azb_request_tail_next_link(const char *body, size_t len, char *out, size_t size,
						   size_t *outlen)
{
	const char *p;
	const char *end_quote;
	const char *start;
	size_t		n = 0;

	*outlen = 0;
	p = tail_char(body, body + len, '}');
	if (p == NULL)
		return AZB_TAIL_UNKNOWN;
	p = tail_skip_space(body, p);
	if (p - body >= 4 && strncmp(p - 4, "null", 4) == 0)
		return tail_key(body, p - 4) ? AZB_TAIL_NONE : AZB_TAIL_UNKNOWN;
	if (p == body || p[-1] != '"')
		return AZB_TAIL_UNKNOWN;
	end_quote = p - 1;
	/* the opening quote: the nearest '"' before it not escaped by a backslash */
	start = end_quote;
	for (;;)
	{
		int			backslashes = 0;

		if (start == body)
			return AZB_TAIL_UNKNOWN;
		start--;
		if (*start != '"')
			continue;
		for (const char *b = start; b > body && b[-1] == '\\'; b--)
			backslashes++;
		if (backslashes % 2 == 0)
			break;
	}
	p = tail_key(body, start);
	if (p == NULL || (tail_char(body, p, ',') == NULL && tail_char(body, p, '{') == NULL))
		return AZB_TAIL_UNKNOWN;

	/* unescape the string; anything but simple escapes defers to the parser */
	for (const char *c = start + 1; c < end_quote; c++)
	{
		char		ch = *c;

		if ((unsigned char) ch < 0x20)
			return AZB_TAIL_UNKNOWN;
		if (ch == '\\')
		{
			c++;
			switch (*c)
			{
				case '"':
				case '\\':
				case '/':
					ch = *c;
					break;
				default:
					return AZB_TAIL_UNKNOWN;
			}
		}
		if (n + 1 < size)
			out[n] = ch;
		n++;
	}
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	*outlen = n;
	return n > 0 ? AZB_TAIL_LINK : AZB_TAIL_NONE;
}
