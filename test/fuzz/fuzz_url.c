/*
 * fuzz_url.c
 *	  libFuzzer target for src/request.c: percent-encoding, path templates,
 *	  OData quoting, URL splitting, the nextLink check, link resolution,
 *	  loopback detection and scope values in ARM ids.
 *
 * The input is split at '\n':
 *	  line 0	an endpoint (used when it passes the endpoint option's checks)
 *	  line 1	a nextLink
 *	  line 2	trusted_hosts
 *	  line 3	a path template
 *	  line 4	an ARM id
 *	  line 5..	values for the template's placeholders
 * and every line (and the whole input) also goes through each function on
 * its own: encoded, quoted, split, checked as a link against fixed
 * endpoints, searched for every scope column.
 *
 * Invariants (any failure aborts):
 *	- encode: the output has only unreserved characters and %XX triplets
 *	  (upper-case hex), an unreserved byte is escaped only for the path
 *	  segments "." and "..", the output is never a dot-segment, and
 *	  percent-decoding it gives back the input;
 *	- path: equals the template with each placeholder replaced by its
 *	  encoded value; has exactly as many '/' as the template outside its
 *	  placeholders (values never add or remove segments); for catalogue
 *	  templates every placeholder segment decodes back to its value;
 *	- odata_quote: starts and ends with a quote, every inner quote is
 *	  doubled, and undoubling gives back the input;
 *	- every builder (encode, path, odata_quote, resolve) keeps snprintf's
 *	  contract for buffers of size 0, 1, 2, 3, half, exact and larger;
 *	- split_url: scheme lower-case letters, host non-empty, lower-case and
 *	  free of / ? # @, the path pointer at the first / ? # after the
 *	  authority, and, when the strict reference reader accepts the URL, the
 *	  same scheme, host, port and path; small buffers never overflow;
 *	- check_link (common.c): a followed link (SAME_HOST, RELATIVE,
 *	  TRUSTED_HOST) resolves to a well-formed URL on the endpoint's origin
 *	  (scheme, host and port per the reference reader) or on a host that
 *	  trusted_hosts names, never with userinfo, and over http only from an
 *	  http endpoint to a loopback address;
 *	- is_loopback_host: true only for localhost, ::1 and numeric addresses
 *	  in 127.0.0.0/8 as the resolver reads them (inet_aton: a name such as
 *	  "127.0.0.1." or "127.0.0.08" goes to the DNS), and true for every
 *	  canonical 127.0.0.0/8 dotted quad;
 *	- scope_in_id: the value is a whole, non-empty segment of the id's path
 *	  (before any '?' or '#'), right after a collection segment that carries
 *	  the column (azb_catalog_segment_carries); for ids built from pairs it
 *	  is the first matching pair's value.
 */
#include "common.h"
#include "catalog.h"
#include "request.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PIECES 12
#define MAX_INPUT 2048

/* endpoints every link is checked against, as the endpoint option stores them */
static const char *const fixed_endpoints[] = {
	"https://management.azure.com",
	"https://127.0.0.1:8443",
	"http://127.0.0.1:8080/base",
	"https://[::1]:9443",
	"http://localhost",
	"https://MANAGEMENT.usgovcloudapi.net:443/arm",
};
static const char *const fixed_trusted =
	"billing-preview.windowsazure.com, Example.org:8443,[::1]:443, ::1 , localhost:9443";

/* ---------------------------------------------------------------- */

typedef struct EncArg
{
	const char *value;
	bool		query;
} EncArg;

static size_t
build_encode(char *out, size_t size, const void *arg)
{
	const EncArg *a = arg;

	return azb_request_encode(out, size, a->value, a->query);
}

static size_t
build_quote(char *out, size_t size, const void *arg)
{
	return azb_request_odata_quote(out, size, (const char *) arg);
}

static bool
upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static char *
check_encode(const char *value, bool query)
{
	EncArg		a = {value, query};
	char	   *out = fuzz_check_contract(query ? "encode(query)" : "encode(path)", build_encode, &a);
	bool		dots = !query && (strcmp(value, ".") == 0 || strcmp(value, "..") == 0);
	char	   *dec;
	size_t		declen;

	for (const char *p = out; *p; p++)
	{
		if (*p == '%')
		{
			unsigned char b;

			FUZZ_CHECK(upper_hex(p[1]) && upper_hex(p[2]),
					   "encode(%s) = %s: bad triplet", fuzz_show(0, value), fuzz_show(1, out));
			b = (unsigned char) strtol((char[]) {p[1], p[2], '\0'}, NULL, 16);
			FUZZ_CHECK(!ref_unreserved(b) || dots,
					   "encode(%s) = %s escapes the unreserved %c", fuzz_show(0, value),
					   fuzz_show(1, out), b);
			p += 2;
		}
		else
			FUZZ_CHECK(ref_unreserved((unsigned char) *p),
					   "encode(%s) = %s passes byte 0x%02x through", fuzz_show(0, value),
					   fuzz_show(1, out), (unsigned char) *p);
	}
	FUZZ_CHECK(ref_percent_decode(out, strlen(out), &dec, &declen), "encode output undecodable");
	FUZZ_CHECK(declen == strlen(value) && memcmp(dec, value, declen) == 0,
			   "encode(%s) = %s decodes to %s", fuzz_show(0, value), fuzz_show(1, out),
			   fuzz_show(2, dec));
	free(dec);
	if (!query)
		FUZZ_CHECK(strcmp(out, ".") != 0 && strcmp(out, "..") != 0,
				   "encode(%s) is a dot-segment", fuzz_show(0, value));
	FUZZ_CHECK((value[0] == '\0') == (out[0] == '\0'), "encode(%s) = %s", fuzz_show(0, value),
			   fuzz_show(1, out));
	return out;
}

static void
check_quote(const char *value)
{
	char	   *out = fuzz_check_contract("odata_quote", build_quote, value);
	size_t		n = strlen(out);
	char	   *back = malloc(n + 1);
	size_t		b = 0;

	FUZZ_CHECK(n >= 2 && out[0] == '\'' && out[n - 1] == '\'',
			   "odata_quote(%s) = %s", fuzz_show(0, value), fuzz_show(1, out));
	for (size_t i = 1; i + 1 < n; i++)
	{
		if (out[i] == '\'')
		{
			FUZZ_CHECK(i + 2 < n && out[i + 1] == '\'',
					   "odata_quote(%s) = %s: a lone quote inside", fuzz_show(0, value),
					   fuzz_show(1, out));
			i++;
		}
		back[b++] = out[i];
	}
	back[b] = '\0';
	FUZZ_CHECK(strcmp(back, value) == 0, "odata_quote(%s) = %s undoubles to %s",
			   fuzz_show(0, value), fuzz_show(1, out), fuzz_show(2, back));
	free(back);
	free(out);
}

/* ---------------------------------------------------------------- */

/* Append to a growing string. */
typedef struct Buf
{
	char	   *data;
	size_t		len,
				cap;
} Buf;

static void
buf_add(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
check_path(const char *tmpl, const char *const *values, int nvalues)
{
	FuzzPathArg a = {tmpl, values, nvalues};
	char	   *out = fuzz_check_contract("path", fuzz_build_path, &a);
	Buf			want = {NULL, 0, 0};
	int			k = 0;
	size_t		slashes_t = 0,
				slashes_o = 0;

	buf_add(&want, "", 0);
	for (const char *p = tmpl; *p; p++)
	{
		if (*p == '{')
		{
			const char *close = strchr(p, '}');
			const char *v = (k < nvalues && values[k]) ? values[k] : "";
			char	   *enc;

			if (close == NULL)
				break;
			enc = check_encode(v, false);
			buf_add(&want, enc, strlen(enc));
			free(enc);
			k++;
			p = close;
			continue;
		}
		if (*p == '/')
			slashes_t++;
		buf_add(&want, p, 1);
	}
	for (const char *p = out; *p; p++)
		slashes_o += *p == '/';
	FUZZ_CHECK(slashes_o == slashes_t, "path(%s) = %s: %zu '/', the template has %zu",
			   fuzz_show(0, tmpl), fuzz_show(1, out), slashes_o, slashes_t);
	FUZZ_CHECK(strcmp(out, want.data) == 0, "path(%s) = %s, want %s", fuzz_show(0, tmpl),
			   fuzz_show(1, out), fuzz_show(2, want.data));
	free(want.data);
	free(out);
}

/* ---------------------------------------------------------------- */

static void
check_split(const char *url, size_t small)
{
	char		scheme[16],
				host[256];
	int			port = -7;
	const char *path = NULL;
	bool		ok = azb_request_split_url(url, scheme, sizeof(scheme), host, sizeof(host),
										   &port, &path);
	RefUrl		r;
	bool		rok = ref_parse_url(url, &r);
	const char *po = azb_request_path_of(url);

	if (!ok)
	{
		FUZZ_CHECK(po == url, "path_of(%s) is not the URL itself", fuzz_show(0, url));
		return;
	}
	FUZZ_CHECK(po == path, "path_of(%s) disagrees with split_url", fuzz_show(0, url));
	FUZZ_CHECK(scheme[0] != '\0', "empty scheme");
	for (const char *c = scheme; *c; c++)
		FUZZ_CHECK(*c >= 'a' && *c <= 'z', "split_url(%s): scheme %s", fuzz_show(0, url), scheme);
	FUZZ_CHECK(host[0] != '\0' && strpbrk(host, "/?#@") == NULL,
			   "split_url(%s): host %s", fuzz_show(0, url), fuzz_show(1, host));
	for (const char *c = host; *c; c++)
		FUZZ_CHECK(!(*c >= 'A' && *c <= 'Z'), "split_url(%s): host %s not lower-cased",
				   fuzz_show(0, url), host);
	FUZZ_CHECK(port >= 0 && port <= 65535, "split_url(%s): port %d", fuzz_show(0, url), port);
	FUZZ_CHECK(path >= url && path <= url + strlen(url) && (*path == '\0' || strchr("/?#", *path)),
			   "split_url(%s): path at offset %td", fuzz_show(0, url), path - url);
	FUZZ_CHECK(memchr(url, '@', path - url) == NULL, "split_url(%s) accepted userinfo",
			   fuzz_show(0, url));
	if (strcmp(scheme, "https") == 0 && port != 443)
		FUZZ_CHECK(strchr(url + strlen(scheme) + 3, ':') != NULL,
				   "split_url(%s): port %d without one written", fuzz_show(0, url), port);

	if (rok && !r.userinfo)
	{
		char		norm[512];

		FUZZ_CHECK(strcmp(scheme, r.scheme) == 0, "split_url(%s): scheme %s, reference %s",
				   fuzz_show(0, url), scheme, r.scheme);
		if (ref_normalize_host(host, strlen(host), norm, sizeof(norm)))
			FUZZ_CHECK(strcmp(norm, r.host) == 0, "split_url(%s): host %s, reference %s",
					   fuzz_show(0, url), fuzz_show(1, host), fuzz_show(2, r.host));
		if (r.port >= 0)
			FUZZ_CHECK(port == r.port, "split_url(%s): port %d, reference %d", fuzz_show(0, url),
					   port, r.port);
		FUZZ_CHECK(path == url + r.authority_end, "split_url(%s): path at %td, reference %zu",
				   fuzz_show(0, url), path - url, r.authority_end);
	}

	/* small buffers: never overflowed; a result only if it fits */
	{
		size_t		ss = small % 8 + 1,
					hs = small + 1;
		char	   *s2 = malloc(ss),
				   *h2 = malloc(hs);
		int			p2;
		const char *path2;

		if (azb_request_split_url(url, s2, ss, h2, hs, &p2, &path2))
			FUZZ_CHECK(strcmp(s2, scheme) == 0 && strcmp(h2, host) == 0 && p2 == port && path2 == path,
					   "split_url(%s) differs with small buffers", fuzz_show(0, url));
		else
			FUZZ_CHECK(strlen(scheme) >= ss || strlen(host) >= hs,
					   "split_url(%s) fails with buffers that fit", fuzz_show(0, url));
		free(s2);
		free(h2);
	}
}

static void
check_loopback(const char *host)
{
	bool		r = azb_request_is_loopback_host(host);

	if (r)
		FUZZ_CHECK_KNOWN("loopback", ref_is_loopback(host),
						 "is_loopback_host(%s) is true, but it is not localhost, ::1 or a 127.0.0.0/8 address",
						 fuzz_show(0, host));
	else
		FUZZ_CHECK(!ref_is_strict_loopback_quad(host) && strcasecmp(host, "localhost") != 0 &&
				   strcmp(host, "::1") != 0,
				   "is_loopback_host(%s) is false", fuzz_show(0, host));
}

/* The endpoint option's checks (src/options.c's, in request.c), plus a well-formed URL. */
static char *
usable_endpoint(const char *value)
{
	char		scheme[16],
				host[256];
	char	   *copy;
	RefUrl		r;

	if (azb_request_check_endpoint(value, scheme, sizeof(scheme), host, sizeof(host)) != AZB_ENDPOINT_OK)
		return NULL;
	if (!ref_parse_url(value, &r) || r.userinfo)
		return NULL;
	copy = strdup(value);
	azb_request_trim_slashes(copy);
	return copy;
}

/* ---------------------------------------------------------------- */

/*
 * An id built from pairs "/k0/v0/k1/v1..." of slash-free, non-empty pieces:
 * the scope value is the first pair whose collection names the column.
 */
static void
check_scope_pairs(char **pieces, int n, const char *tail)
{
	const char *const *cols;
	int			ncols = fuzz_scope_columns(&cols);
	const char *segs[MAX_PIECES];
	int			nsegs = 0;
	Buf			id = {NULL, 0, 0};

	for (int i = 0; i < n; i++)
	{
		char	   *s = pieces[i];

		if (s[0] == '\0' || strpbrk(s, "/?#") != NULL)
			continue;
		segs[nsegs++] = s;
		buf_add(&id, "/", 1);
		buf_add(&id, s, strlen(s));
	}
	if (nsegs == 0)
		return;
	if (tail && (tail[0] == '?' || tail[0] == '#'))
		buf_add(&id, tail, strlen(tail));
	for (int c = 0; c < ncols; c++)
	{
		const char *want = NULL;
		size_t		len = 0;
		const char *got;

		for (int i = 0; i + 1 < nsegs; i += 2)
		{
			if (azb_catalog_segment_carries(segs[i], strlen(segs[i]), cols[c]))
			{
				want = segs[i + 1];
				break;
			}
		}
		got = azb_request_scope_in_id(id.data, cols[c], &len);
		FUZZ_CHECK((got == NULL) == (want == NULL) &&
				   (want == NULL || (len == strlen(want) && memcmp(got, want, len) == 0)),
				   "scope_in_id(%s, %s) = %.*s, want %s", fuzz_show(0, id.data), cols[c],
				   got ? (int) len : 6, got ? got : "(none)", want ? want : "(none)");
		fuzz_check_scope(id.data, cols[c]);
	}
	free(id.data);
}

static void
check_one_string(const char *s, size_t small)
{
	const char *const *cols;
	int			ncols = fuzz_scope_columns(&cols);
	size_t		len;

	free(check_encode(s, false));
	free(check_encode(s, true));
	check_quote(s);
	check_split(s, small);
	check_loopback(s);
	for (int c = 0; c < ncols; c++)
		fuzz_check_scope(s, cols[c]);
	FUZZ_CHECK(azb_request_scope_in_id(s, "name", &len) == NULL, "name is not a scope column");
	/* as a link against three of the fixed endpoints (line 1 meets them all) */
	for (size_t e = 0; e < 3; e++)
		fuzz_check_link(fixed_endpoints[(small + e * 2) % (sizeof(fixed_endpoints) / sizeof(fixed_endpoints[0]))],
						s, fixed_trusted, small);
}

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * AZB_FUZZ_LOCALE=name runs everything under that LC_CTYPE, as a backend
 * does under its database's (PostgreSQL calls setlocale(LC_CTYPE, datctype)):
 * the URL functions must not depend on it.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *loc = getenv("AZB_FUZZ_LOCALE");

	(void) argc;
	(void) argv;
	if (loc && *loc && setlocale(LC_CTYPE, loc) == NULL)
	{
		fprintf(stderr, "AZB_FUZZ_LOCALE: no locale %s (see README.md)\n", loc);
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *pieces[MAX_PIECES];
	int			n;
	char	   *whole;
	const char *link,
			   *trusted,
			   *tmpl,
			   *id;
	const char *values[MAX_PIECES];
	int			nvalues = 0;
	size_t		small = size % 19;
	char	   *endpoint;

	if (size > MAX_INPUT)
		return 0;
	n = fuzz_split(data, size, pieces, MAX_PIECES);
	whole = fuzz_strndup(data, size);
	link = n > 1 ? pieces[1] : "";
	trusted = n > 2 ? pieces[2] : NULL;
	tmpl = n > 3 ? pieces[3] : "/providers/Microsoft.Billing/billingAccounts/{a}/invoices";
	id = n > 4 ? pieces[4] : "";
	for (int i = 5; i < n; i++)
		values[nvalues++] = pieces[i];

	check_one_string(whole, small);
	for (int i = 0; i < n; i++)
		check_one_string(pieces[i], small);

	/* the fuzzed endpoint, when the endpoint option would take it */
	endpoint = n > 0 ? usable_endpoint(pieces[0]) : NULL;
	if (endpoint)
	{
		for (int i = 0; i < n; i++)
			fuzz_check_link(endpoint, pieces[i], trusted, small);
		fuzz_check_link(endpoint, link, fixed_trusted, small);
		free(endpoint);
	}
	for (size_t e = 0; e < sizeof(fixed_endpoints) / sizeof(fixed_endpoints[0]); e++)
		fuzz_check_link(fixed_endpoints[e], link, trusted, small);

	/* templates: the fuzzed one, with all, fewer and missing values */
	check_path(tmpl, values, nvalues);
	if (nvalues > 0)
	{
		check_path(tmpl, values, nvalues - 1);
		values[0] = NULL;
		check_path(tmpl, values, nvalues);
		values[0] = pieces[5];
	}
	/* and a catalogue template chosen by the input */
	{
		int			total = 0,
					pick;

		for (int r = 0; r < azb_nresources; r++)
			for (int v = 0; v < AZB_NVERSIONS; v++)
				total += azb_resources[r].versions[v].routes ? azb_resources[r].versions[v].nroutes : 0;
		pick = total ? (int) (size * 31 + (size ? data[0] : 0)) % total : 0;
		for (int r = 0; r < azb_nresources; r++)
			for (int v = 0; v < AZB_NVERSIONS; v++)
			{
				const AzbVersionDef *vd = &azb_resources[r].versions[v];

				if (vd->routes == NULL)
					continue;
				if (pick >= 0 && pick < vd->nroutes)
				{
					const char *rv[AZB_MAX_PARAMS];

					for (int p = 0; p < AZB_MAX_PARAMS; p++)
						rv[p] = nvalues > 0 ? values[p % nvalues] : id;
					fuzz_check_route_path(vd->routes[pick].path, rv, vd->routes[pick].nparams);
				}
				pick -= vd->nroutes;
			}
	}

	/* ids */
	check_scope_pairs(pieces + 5, n > 5 ? n - 5 : 0, id);
	check_scope_pairs(pieces, n, NULL);

	fuzz_free_pieces(pieces, n);
	free(whole);
	return 0;
}
