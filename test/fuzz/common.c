/*
 * common.c
 *	  Shared invariant checks of the fuzz targets; see common.h.
 *
 * The reference URL reading here is deliberately independent of
 * src/request.c: it follows RFC 3986 strictly (scheme, authority, IPv6
 * literals through inet_pton, ports of digits only), so that a disagreement
 * with azb_request_split_url/azb_request_check_link shows up as a broken
 * invariant instead of being checked against itself.
 */
#include "common.h"
#include "catalog.h"
#include "timeparse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- */
/* Failure reporting												*/
/* ---------------------------------------------------------------- */

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list		ap;

	fprintf(stderr, "\n==== INVARIANT BROKEN at %s:%d: %s\n     ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	abort();
}

bool
fuzz_allowed(const char *tag)
{
	const char *allow = getenv("AZB_FUZZ_ALLOW");
	size_t		n = strlen(tag);

	if (allow == NULL)
		return false;
	for (const char *p = allow; *p;)
	{
		size_t		len = strcspn(p, ",");

		if (len == n && strncmp(p, tag, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

const char *
fuzz_show(int slot, const char *s)
{
	static char bufs[4][1024];
	char	   *b = bufs[slot & 3];
	size_t		o = 0;

	if (s == NULL)
		return "(null)";
	b[o++] = '"';
	for (const unsigned char *p = (const unsigned char *) s; *p && o < 1000; p++)
	{
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			b[o++] = (char) *p;
		else
			o += snprintf(b + o, 1024 - o, "\\x%02x", *p);
	}
	if (o >= 1000)
		o += snprintf(b + o, 1024 - o, "...");
	b[o++] = '"';
	b[o] = '\0';
	return b;
}

/* ---------------------------------------------------------------- */
/* Input splitting													*/
/* ---------------------------------------------------------------- */

char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	   *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int
fuzz_split(const uint8_t *data, size_t size, char **pieces, int max)
{
	int			n = 0;
	size_t		start = 0;

	if (max <= 0)
		return 0;
	for (size_t i = 0; i <= size; i++)
	{
		if (i == size || data[i] == '\n')
		{
			if (n == max - 1)
				i = size;		/* the last piece takes the rest */
			pieces[n++] = fuzz_strndup(data + start, i - start);
			start = i + 1;
			if (n == max)
				break;
		}
	}
	return n;
}

void
fuzz_free_pieces(char **pieces, int n)
{
	for (int i = 0; i < n; i++)
		free(pieces[i]);
}

/* ---------------------------------------------------------------- */
/* Reference URL reading (RFC 3986, strict)							*/
/* ---------------------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
ref_percent_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char	   *o = malloc(len + 1);
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '%')
		{
			int			hi,
						lo;

			if (i + 2 >= len)
			{
				free(o);
				return false;
			}
			hi = hexval((unsigned char) s[i + 1]);
			lo = hi < 0 ? -1 : hexval((unsigned char) s[i + 2]);
			if (hi < 0 || lo < 0)
			{
				free(o);
				return false;
			}
			o[n++] = (char) (hi * 16 + lo);
			i += 2;
		}
		else
			o[n++] = s[i];
	}
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return true;
}

static bool
sub_delim(unsigned char c)
{
	return strchr("!$&'()*+,;=", c) != NULL && c != '\0';
}

/* A reg-name or IPv6 literal text (without brackets) in canonical form. */
bool
ref_normalize_host(const char *text, size_t len, char *out, size_t outsize)
{
	char		tmp[128];
	struct in6_addr a6;
	char	   *dec;
	size_t		declen;

	if (len > 0 && len < sizeof(tmp) && memchr(text, ':', len))
	{
		memcpy(tmp, text, len);
		tmp[len] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) == 1)
			return inet_ntop(AF_INET6, &a6, out, outsize) != NULL;
		return false;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (c == '%')
		{
			if (i + 2 >= len)
				return false;
			if (hexval((unsigned char) text[i + 1]) < 0 || hexval((unsigned char) text[i + 2]) < 0)
				return false;
			i += 2;
		}
		else if (!ref_unreserved(c) && !sub_delim(c))
			return false;
	}
	if (!ref_percent_decode(text, len, &dec, &declen))
		return false;
	if (declen == 0 || declen >= outsize || strlen(dec) != declen)
	{
		free(dec);
		return false;
	}
	for (size_t i = 0; i < declen; i++)
		out[i] = (char) tolower((unsigned char) dec[i]);
	out[declen] = '\0';
	free(dec);
	return true;
}

bool
ref_parse_url(const char *url, RefUrl *u)
{
	size_t		n = 0;
	const char *a,
			   *aend,
			   *h,
			   *hend;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	if (!isalpha((unsigned char) url[0]))
		return false;
	while (isalnum((unsigned char) url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	if (n >= sizeof(u->scheme) || strncmp(url + n, "://", 3) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		u->scheme[i] = (char) tolower((unsigned char) url[i]);
	u->scheme[n] = '\0';

	a = url + n + 3;
	aend = a + strcspn(a, "/?#");
	u->authority_end = (size_t) (aend - url);
	h = a;
	for (const char *c = a; c < aend; c++)
		if (*c == '@')
		{
			u->userinfo = true;
			h = c + 1;
		}
	if (h < aend && *h == '[')
	{
		const char *close = memchr(h, ']', aend - h);

		if (close == NULL || close - h - 1 <= 0 || !memchr(h + 1, ':', close - h - 1))
			return false;
		if (!ref_normalize_host(h + 1, close - h - 1, u->host, sizeof(u->host)))
			return false;
		u->ipv6 = true;
		hend = close + 1;
		if (hend < aend && *hend != ':')
			return false;
	}
	else
	{
		hend = memchr(h, ':', aend - h);
		if (hend == NULL)
			hend = aend;
		if (hend == h || memchr(h, ':', hend - h))
			return false;
		if (!ref_normalize_host(h, hend - h, u->host, sizeof(u->host)))
			return false;
	}
	if (hend < aend)
	{
		/* ":" port, digits only (an empty port means the default) */
		long		port = 0;
		const char *q = hend + 1;

		if (q < aend)
		{
			for (; q < aend; q++)
			{
				if (*q < '0' || *q > '9')
					return false;
				port = port * 10 + (*q - '0');
				if (port > 65535)
					return false;
			}
			u->port = (int) port;
		}
	}
	if (u->port < 0)
	{
		if (strcmp(u->scheme, "https") == 0)
			u->port = 443;
		else if (strcmp(u->scheme, "http") == 0)
			u->port = 80;
	}
	for (const char *c = aend; *c; c++)
		if ((unsigned char) *c <= ' ' || *c == 0x7f)
			return false;
	for (const char *c = a; c < aend; c++)
		if ((unsigned char) *c <= ' ' || (unsigned char) *c >= 0x7f)
			return false;
	return true;
}

bool
ref_same_origin(const RefUrl *a, const RefUrl *b)
{
	return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->host, b->host) == 0 &&
		a->port == b->port;
}

/*
 * Would a connection to host stay on this machine?  "localhost", ::1, or a
 * numeric IPv4 address in 127.0.0.0/8 as the C library's resolver reads one
 * (inet_aton, which getaddrinfo uses for numeric hosts: "127.00.0.1" is
 * 127.0.0.1).  Anything else is a name the DNS resolves.
 */
bool
ref_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
	for (const char *c = host; *c; c++)
		if (!(*c >= '0' && *c <= '9') && *c != '.' && *c != 'x' && *c != 'X' &&
			!(*c >= 'a' && *c <= 'f') && !(*c >= 'A' && *c <= 'F'))
			return false;
	if (inet_aton(host, &a4) == 1)
		return ((const unsigned char *) &a4)[0] == 127;
	return false;
}

/* A dotted quad in 127.0.0.0/8 as inet_pton reads it (no leading zeros). */
bool
ref_is_strict_loopback_quad(const char *host)
{
	struct in_addr a4;

	return inet_pton(AF_INET, host, &a4) == 1 && ((const unsigned char *) &a4)[0] == 127;
}

/*
 * libcurl's reading of a URL (the FDW hands nextLinks to libcurl as they
 * are): scheme, host and port (the scheme's default when absent).  False
 * when libcurl refuses the URL, in which case no request is made.
 */
bool
curl_reading(const char *url, char *scheme, size_t ss, char *host, size_t hs, int *port)
{
	CURLU	   *u = curl_url();
	char	   *s = NULL,
			   *h = NULL,
			   *p = NULL;
	bool		ok = false;

	if (u == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK)
	{
		size_t		hl = strlen(h);
		char		canon[INET6_ADDRSTRLEN];

		snprintf(scheme, ss, "%s", s);
		/* an IPv6 host comes back in brackets: canonical text without them */
		if (hl > 2 && h[0] == '[' && h[hl - 1] == ']' &&
			ref_normalize_host(h + 1, hl - 2, canon, sizeof(canon)))
			snprintf(host, hs, "%s", canon);
		else
			snprintf(host, hs, "%s", h);
		for (char *c = scheme; *c; c++)
			*c = (char) tolower((unsigned char) *c);
		for (char *c = host; *c; c++)
			*c = (char) tolower((unsigned char) *c);
		*port = atoi(p);
		ok = true;
	}
	curl_free(s);
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return ok;
}

/* ---------------------------------------------------------------- */
/* The snprintf contract											*/
/* ---------------------------------------------------------------- */

bool		fuzz_contract_light = false;

char *
fuzz_check_contract(const char *what, FuzzBuildFn fn, const void *arg)
{
	size_t		n = fn(NULL, 0, arg);
	char	   *full;
	size_t		n2;
	size_t		sizes[] = {0, n / 2, n, n + 2, 1, 2, 3, n + 9};
	size_t		nsizes = fuzz_contract_light ? 3 : sizeof(sizes) / sizeof(sizes[0]);

	FUZZ_CHECK(n < ((size_t) 1 << 28), "%s: length %zu", what, n);
	full = malloc(n + 1);
	memset(full, 0xAA, n + 1);
	n2 = fn(full, n + 1, arg);
	FUZZ_CHECK(n2 == n, "%s: %zu with no buffer, %zu with an exact one", what, n, n2);
	FUZZ_CHECK(full[n] == '\0' && strlen(full) == n,
			   "%s: result %s is not %zu bytes long", what, fuzz_show(0, full), n);

	for (size_t i = 0; i < nsizes; i++)
	{
		size_t		k = sizes[i];

		if (k == 0)
		{
			char		guard = 0x5A;
			size_t		r = fn(&guard, 0, arg);

			FUZZ_CHECK(r == n, "%s: size 0 returned %zu, want %zu", what, r, n);
			FUZZ_CHECK(guard == 0x5A, "%s: wrote into a buffer of size 0", what);
		}
		else
		{
			char	   *buf = malloc(k);
			size_t		r,
						m = n < k - 1 ? n : k - 1;

			memset(buf, 0xAA, k);
			r = fn(buf, k, arg);
			FUZZ_CHECK(r == n, "%s: size %zu returned %zu, want %zu", what, k, r, n);
			FUZZ_CHECK(buf[m] == '\0', "%s: size %zu: not terminated at %zu", what, k, m);
			FUZZ_CHECK(memcmp(buf, full, m) == 0,
					   "%s: size %zu: %s is not a prefix of %s", what, k,
					   fuzz_show(0, buf), fuzz_show(1, full));
			for (size_t j = m + 1; j < k; j++)
				FUZZ_CHECK((unsigned char) buf[j] == 0xAA,
						   "%s: size %zu: byte %zu past the terminator written", what, k, j);
			free(buf);
		}
	}
	return full;
}

/* ---------------------------------------------------------------- */
/* Paths from catalogue templates									*/
/* ---------------------------------------------------------------- */

size_t
fuzz_build_path(char *out, size_t size, const void *arg)
{
	const FuzzPathArg *a = arg;

	return azb_request_path(out, size, a->tmpl, a->values, a->nvalues);
}

/* A catalogue template: every placeholder is a whole segment. */
void
fuzz_check_route_path(const char *tmpl, const char *const *values, int nvalues)
{
	FuzzPathArg a = {tmpl, values, nvalues};
	char	   *out = fuzz_check_contract("route path", fuzz_build_path, &a);
	const char *t = tmpl,
			   *o = out;
	int			k = 0;

	/* walk segment by segment */
	while (*t || *o)
	{
		size_t		tl,
					ol;

		FUZZ_CHECK((*t == '/') == (*o == '/'), "path(%s) = %s: segments out of step",
				   tmpl, fuzz_show(0, out));
		if (*t == '/')
		{
			t++;
			o++;
		}
		tl = strcspn(t, "/");
		ol = strcspn(o, "/");
		if (tl > 0 && t[0] == '{' && t[tl - 1] == '}')
		{
			const char *v = (k < nvalues && values[k]) ? values[k] : "";
			char	   *dec;
			size_t		declen;

			FUZZ_CHECK(ref_percent_decode(o, ol, &dec, &declen) && declen == strlen(v) &&
					   memcmp(dec, v, declen) == 0,
					   "path(%s) = %s: placeholder %d is not %s", tmpl, fuzz_show(0, out), k,
					   fuzz_show(1, v));
			free(dec);
			FUZZ_CHECK(!(ol == 1 && o[0] == '.') && !(ol == 2 && o[0] == '.' && o[1] == '.'),
					   "path(%s) = %s: a value became a dot-segment", tmpl, fuzz_show(0, out));
			k++;
		}
		else
			FUZZ_CHECK(tl == ol && memcmp(t, o, tl) == 0, "path(%s) = %s: literal segment changed",
					   tmpl, fuzz_show(0, out));
		t += tl;
		o += ol;
		if (*t == '\0' && *o == '\0')
			break;
	}
	free(out);
}

/* ---------------------------------------------------------------- */
/* nextLink checks													*/
/* ---------------------------------------------------------------- */

typedef struct ResolveArg
{
	const char *endpoint;
	const char *link;
} ResolveArg;

static size_t
build_resolve(char *out, size_t size, const void *arg)
{
	const ResolveArg *a = arg;

	return azb_request_resolve(out, size, a->endpoint, a->link);
}

static const char *
link_name(AzbLinkCheck r)
{
	switch (r)
	{
		case AZB_LINK_SAME_HOST:
			return "SAME_HOST";
		case AZB_LINK_RELATIVE:
			return "RELATIVE";
		case AZB_LINK_TRUSTED_HOST:
			return "TRUSTED_HOST";
		case AZB_LINK_FOREIGN_HOST:
			return "FOREIGN_HOST";
		case AZB_LINK_BAD_SCHEME:
			return "BAD_SCHEME";
		case AZB_LINK_INVALID:
			return "INVALID";
	}
	return "?";
}

/* libcurl's reading of a host name alone (IPv4 shorthand normalised, etc.) */
static bool
curl_host(const char *text, size_t len, char *out, size_t outsize)
{
	char		url[600];
	char		scheme[32];
	int			port;
	bool		v6 = memchr(text, ':', len) != NULL;

	if (len == 0 || len > 500)
		return false;
	snprintf(url, sizeof(url), "https://%s%.*s%s/", v6 ? "[" : "", (int) len, text, v6 ? "]" : "");
	return curl_reading(url, scheme, sizeof(scheme), out, outsize, &port);
}

/*
 * Does trusted_hosts name this host (with any port)?  Lenient on purpose:
 * an entry matches when it reads as the same host, by the strict reader or
 * by libcurl.
 */
static bool
ref_listed(const char *trusted, const char *host)
{
	const char *p = trusted;

	if (p == NULL)
		return false;
	while (*p)
	{
		size_t		len = strcspn(p, ",");
		const char *a = p,
				   *b = p + len;
		char		norm[512];
		const char *colon;

		while (a < b && isspace((unsigned char) *a))
			a++;
		while (b > a && isspace((unsigned char) b[-1]))
			b--;
		colon = memchr(a, ':', b - a);
		if (colon && memchr(colon + 1, ':', b - colon - 1) == NULL)
			b = colon;			/* host:port */
		if ((ref_normalize_host(a, b - a, norm, sizeof(norm)) && strcmp(norm, host) == 0) ||
			(curl_host(a, b - a, norm, sizeof(norm)) && strcmp(norm, host) == 0))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

void
fuzz_check_link(const char *endpoint, const char *link, const char *trusted,
				size_t small_hostsize)
{
	char		host[256];
	AzbLinkCheck r;
	bool		ctl = false;
	bool		rel = link[0] == '/' && link[1] != '/';
	bool		schemerel = link[0] == '/' && link[1] == '/';
	char	   *resolved;
	ResolveArg	ra = {endpoint, link};
	RefUrl		ru,
				re;
	bool		okr,
				oke;

	for (const unsigned char *c = (const unsigned char *) link; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			ctl = true;

	memset(host, 0x5A, sizeof(host));
	r = azb_request_check_link(endpoint, link, trusted, host, sizeof(host));
	FUZZ_CHECK((int) r >= AZB_LINK_SAME_HOST && (int) r <= AZB_LINK_INVALID, "answer %d", (int) r);
	FUZZ_CHECK(memchr(host, '\0', sizeof(host)) != NULL, "host buffer not terminated");
	if (link[0] == '\0' || ctl)
		FUZZ_CHECK(r == AZB_LINK_INVALID, "%s: empty or with blanks/controls, but %s",
				   fuzz_show(0, link), link_name(r));
	else if (rel)
		FUZZ_CHECK(r == AZB_LINK_RELATIVE, "%s: an absolute path, but %s",
				   fuzz_show(0, link), link_name(r));
	else if (schemerel)
		FUZZ_CHECK(r == AZB_LINK_FOREIGN_HOST, "%s: scheme-relative, but %s",
				   fuzz_show(0, link), link_name(r));
	if (r == AZB_LINK_RELATIVE)
		FUZZ_CHECK(rel, "%s: RELATIVE but not an absolute path", fuzz_show(0, link));

	/* a small host buffer: never overflowed, and the answer only fails closed */
	{
		size_t		hs = small_hostsize;
		char	   *h = malloc(hs > 0 ? hs : 1);
		AzbLinkCheck r2;

		memset(h, 0x5A, hs > 0 ? hs : 1);
		r2 = azb_request_check_link(endpoint, link, trusted, h, hs);
		FUZZ_CHECK(r2 == r || r2 == AZB_LINK_INVALID,
				   "%s against %s: %s with 256 host bytes, %s with %zu",
				   fuzz_show(0, link), fuzz_show(1, endpoint), link_name(r), link_name(r2), hs);
		if (hs > 0)
			FUZZ_CHECK(memchr(h, '\0', hs) != NULL, "host buffer of %zu not terminated", hs);
		else
			FUZZ_CHECK(h[0] == 0x5A, "host buffer of size 0 written");
		free(h);
	}

	if (r != AZB_LINK_SAME_HOST && r != AZB_LINK_RELATIVE && r != AZB_LINK_TRUSTED_HOST)
		return;

	/* the link will be followed with the bearer token: where does it go? */
	resolved = fuzz_check_contract("resolve", build_resolve, &ra);

	/*
	 * 1. As libcurl reads it (the ground truth: the FDW hands the URL to
	 * libcurl): refused, or on the endpoint's origin, or on a trusted host;
	 * plain http only to a loopback address.
	 */
	{
		char		cs[32],
					ch[512],
					es[32],
					eh[512];
		int			cp,
					ep;

		if (curl_reading(resolved, cs, sizeof(cs), ch, sizeof(ch), &cp))
		{
			bool		eok = curl_reading(endpoint, es, sizeof(es), eh, sizeof(eh), &ep);

			if (r == AZB_LINK_SAME_HOST || r == AZB_LINK_RELATIVE)
				FUZZ_CHECK(eok && strcmp(cs, es) == 0 && strcmp(ch, eh) == 0 && cp == ep,
						   "check_link answered %s for link %s (endpoint %s), but libcurl fetches %s from %s://%s:%d, the endpoint being %s://%s:%d",
						   link_name(r), fuzz_show(0, link), fuzz_show(1, endpoint),
						   fuzz_show(2, resolved), cs, ch, cp, eok ? es : "?", eok ? eh : "?",
						   eok ? ep : -1);
			if (r == AZB_LINK_TRUSTED_HOST)
				FUZZ_CHECK(strcmp(cs, "https") == 0 && ref_listed(trusted, ch),
						   "check_link trusted %s, which libcurl fetches from %s://%s, not listed in %s",
						   fuzz_show(0, link), cs, ch, fuzz_show(1, trusted));
			if (strcmp(cs, "https") != 0)
				FUZZ_CHECK_KNOWN("loopback", strcmp(cs, "http") == 0 && ref_is_loopback(ch),
								 "check_link answered %s for %s, which libcurl fetches over %s from host %s, not a loopback address",
								 link_name(r), fuzz_show(0, resolved), cs, fuzz_show(1, ch));
		}
	}

	/*
	 * 2. As RFC 3986 reads it: a followed link is a well-formed URL on the
	 * endpoint's origin, without userinfo.  Stricter than libcurl (which
	 * refuses most malformed URLs by itself): a failure here is an URL that
	 * azb_request_split_url misreads.
	 */
	okr = ref_parse_url(resolved, &ru);
	oke = ref_parse_url(endpoint, &re) && !re.userinfo;
	FUZZ_CHECK_KNOWN("split-url", okr,
					 "check_link answered %s for link %s (endpoint %s), but the URL it resolves to, %s, is not a well-formed URL",
					 link_name(r), fuzz_show(0, link), fuzz_show(1, endpoint), fuzz_show(2, resolved));
	if (okr)
	{
		FUZZ_CHECK(!ru.userinfo, "%s: followed with credentials in the URL", fuzz_show(0, resolved));
		if (r == AZB_LINK_SAME_HOST || r == AZB_LINK_RELATIVE)
			FUZZ_CHECK_KNOWN("split-url", oke && ref_same_origin(&ru, &re),
							 "check_link answered %s for link %s, but it resolves to %s = %s://%s:%d, and the endpoint %s is %s",
							 link_name(r), fuzz_show(0, link), fuzz_show(1, resolved),
							 ru.scheme, ru.host, ru.port, fuzz_show(2, endpoint),
							 oke ? "another origin" : "not a well-formed URL");
		if (r == AZB_LINK_TRUSTED_HOST)
		{
			FUZZ_CHECK(strcmp(ru.scheme, "https") == 0, "trusted over %s", ru.scheme);
			FUZZ_CHECK(ref_listed(trusted, ru.host),
					   "check_link trusted %s (host %s) which trusted_hosts %s does not list",
					   fuzz_show(0, link), ru.host, fuzz_show(1, trusted));
		}
		if (strcmp(ru.scheme, "https") != 0)
		{
			FUZZ_CHECK(strcmp(ru.scheme, "http") == 0 && r != AZB_LINK_TRUSTED_HOST,
					   "followed %s over %s", fuzz_show(0, resolved), ru.scheme);
			FUZZ_CHECK(oke && strcmp(re.scheme, "http") == 0,
					   "followed http link %s from endpoint %s", fuzz_show(0, resolved),
					   fuzz_show(1, endpoint));
			FUZZ_CHECK_KNOWN("loopback", ref_is_loopback(ru.host),
							 "followed plain-http link %s to host %s, which is not a loopback address",
							 fuzz_show(0, resolved), fuzz_show(1, ru.host));
		}
	}
	if (r == AZB_LINK_SAME_HOST)
		FUZZ_CHECK(strcmp(resolved, link) == 0, "an absolute link resolved to %s",
				   fuzz_show(0, resolved));
	if (r == AZB_LINK_RELATIVE)
	{
		size_t		lr = strlen(resolved),
					ll = strlen(link);

		FUZZ_CHECK(lr >= ll && strcmp(resolved + lr - ll, link) == 0,
				   "relative %s resolved to %s", fuzz_show(0, link), fuzz_show(1, resolved));
	}
	free(resolved);
}

/* ---------------------------------------------------------------- */
/* Scope values in ARM ids											*/
/* ---------------------------------------------------------------- */

void
fuzz_check_scope(const char *id, const char *column)
{
	size_t		len = (size_t) -1;
	const char *v = azb_request_scope_in_id(id, column, &len);
	const char *end = id + strcspn(id, "?#");
	const char *t,
			   *s,
			   *col;

	if (v == NULL)
		return;
	FUZZ_CHECK(v > id && v < end && len > 0 && len <= (size_t) (end - v),
			   "scope_in_id(%s, %s) = offset %td, length %zu: not inside the id's path",
			   fuzz_show(0, id), column, v - id, len);
	FUZZ_CHECK(strcspn(v, "/?#") >= len, "scope_in_id(%s, %s) = %.*s contains / ? or #",
			   fuzz_show(0, id), column, (int) len, v);
	FUZZ_CHECK(v + len == end || v[len] == '/', "scope_in_id(%s, %s): not a whole segment",
			   fuzz_show(0, id), column);
	FUZZ_CHECK(v[-1] == '/', "scope_in_id(%s, %s): not after a '/'", fuzz_show(0, id), column);
	t = v - 1;
	s = t;
	while (s > id && s[-1] != '/')
		s--;
	col = azb_catalog_scope_for_segment(s, t - s);
	FUZZ_CHECK(col && azb_catalog_segment_carries(s, t - s, column),
			   "scope_in_id(%s, %s) = %.*s follows segment %.*s, which does not carry it (first column %s)",
			   fuzz_show(0, id), column, (int) len, v, (int) (t - s), s, col ? col : "none");
}

static void
add_column(const char **cols, int *ncols, const char *name)
{
	for (int i = 0; i < *ncols; i++)
		if (strcmp(cols[i], name) == 0)
			return;
	if (*ncols < 96)
		cols[(*ncols)++] = name;
}

int
fuzz_scope_columns(const char *const **columns)
{
	static const char *cols[96];
	static int	ncols = -1;

	if (ncols < 0)
	{
		ncols = 0;
		for (int r = 0; r < azb_nresources; r++)
			for (int v = 0; v < AZB_NVERSIONS; v++)
			{
				const AzbVersionDef *vd = azb_catalog_version(&azb_resources[r], v);

				for (int c = 0; vd && c < vd->ncolumns; c++)
					if (vd->columns[c].kind == AZB_COL_SCOPE)
						add_column(cols, &ncols, vd->columns[c].name);
			}
		/* and every column an id collection carries */
		for (int i = 0; i < azb_nscope_segments; i++)
			add_column(cols, &ncols, azb_scope_segments[i].column);
	}
	*columns = cols;
	return ncols;
}

/* ---------------------------------------------------------------- */
/* Dates and times													*/
/* ---------------------------------------------------------------- */

#define USECS_PER_SEC	INT64_C(1000000)
#define USECS_PER_DAY	INT64_C(86400000000)
#define MAX_OFFSET		((INT64_C(15) * 3600 + 59 * 60) * USECS_PER_SEC)

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
ref_days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* Days from 0001-01-01 counted year by year, shifted to 2000-01-01 (y >= 1). */
int64_t
ref_days(int y, int m, int d)
{
	static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t		yy = y - 1;
	int64_t		days = yy * 365 + yy / 4 - yy / 100 + yy / 400 + cum[m - 1] +
		(m > 2 && leap(y)) + d - 1;

	return days - 730119;
}

void
fuzz_check_time_string(const char *s)
{
	int64_t		t = 0,
				t2 = 0;
	int32_t		d = 0,
				d2 = 0;
	bool		ts = azb_parse_timestamp(s, &t);
	bool		ds = azb_parse_date(s, &d);
	int			y,
				m,
				dd;
	char		buf[16];
	const char *p;
	size_t		n;
	char	   *padded;

	FUZZ_CHECK(ts == ds, "%s: parse_timestamp says %d, parse_date says %d", fuzz_show(0, s), ts, ds);
	if (!ts)
		return;

	FUZZ_CHECK(d >= ref_days(1, 1, 1) && d <= ref_days(9999, 12, 31),
			   "%s: day %d outside years 1..9999", fuzz_show(0, s), d);
	FUZZ_CHECK(t >= (int64_t) d * USECS_PER_DAY - MAX_OFFSET &&
			   t <= (int64_t) d * USECS_PER_DAY + USECS_PER_DAY + MAX_OFFSET,
			   "%s: timestamp %lld is not within a day and an offset of day %d",
			   fuzz_show(0, s), (long long) t, d);

	azb_civil_from_days(d, &y, &m, &dd);
	FUZZ_CHECK(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1 && dd <= ref_days_in_month(y, m),
			   "civil_from_days(%d) = %d-%d-%d", d, y, m, dd);
	FUZZ_CHECK(ref_days(y, m, dd) == d && azb_days_from_civil(y, m, dd) == d,
			   "civil_from_days(%d) = %d-%d-%d, which is day %lld / %d", d, y, m, dd,
			   (long long) ref_days(y, m, dd), azb_days_from_civil(y, m, dd));

	memset(buf, 0x5A, sizeof(buf));
	azb_format_date(d, buf);
	FUZZ_CHECK(strlen(buf) == 10 && (unsigned char) buf[11] == 0x5A,
			   "format_date(%d) = %s", d, fuzz_show(0, buf));
	{
		char		want[32];

		snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, dd);
		FUZZ_CHECK(strcmp(buf, want) == 0, "format_date(%d) = %s, want %s", d, buf, want);
	}
	FUZZ_CHECK(azb_parse_date(buf, &d2) && d2 == d, "format_date(%d) = %s re-parses to %d", d, buf, d2);
	FUZZ_CHECK(azb_parse_timestamp(buf, &t2) && t2 == (int64_t) d * USECS_PER_DAY,
			   "format_date(%d) = %s re-parses to timestamp %lld", d, buf, (long long) t2);

	/* the date as written */
	p = s;
	while (*p == ' ')
		p++;
	if (strlen(p) >= 10 && p[4] == '-' && p[7] == '-')
		FUZZ_CHECK(strncmp(p, buf, 10) == 0, "%s: date %s", fuzz_show(0, s), buf);
	else
	{
		int			um = 0,
					ud = 0,
					uy = 0;
		const char *q = p;

		while (*q >= '0' && *q <= '9')
			um = um * 10 + (*q++ - '0');
		FUZZ_CHECK(*q == '/', "%s accepted as a US date", fuzz_show(0, s));
		q++;
		while (*q >= '0' && *q <= '9')
			ud = ud * 10 + (*q++ - '0');
		FUZZ_CHECK(*q == '/', "%s accepted as a US date", fuzz_show(0, s));
		q++;
		for (int i = 0; i < 4; i++)
			uy = uy * 10 + (*q++ - '0');
		FUZZ_CHECK(uy == y && um == m && ud == dd, "%s read as %s", fuzz_show(0, s), buf);
	}

	/* surrounding blanks change nothing */
	n = strlen(s);
	padded = malloc(n + 3);
	padded[0] = ' ';
	memcpy(padded + 1, s, n);
	padded[n + 1] = ' ';
	padded[n + 2] = '\0';
	FUZZ_CHECK(azb_parse_timestamp(padded, &t2) && t2 == t,
			   "%s accepted (%lld) but with blanks around %s", fuzz_show(0, s), (long long) t,
			   azb_parse_timestamp(padded, &t2) ? "another value" : "rejected");
	FUZZ_CHECK(azb_parse_date(padded, &d2) && d2 == d, "%s: date with blanks around", fuzz_show(0, s));
	free(padded);
}
