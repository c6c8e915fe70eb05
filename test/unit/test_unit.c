/*
 * test_unit.c
 *	  Plain C tests of the backend-free files: timeparse.c, request.c,
 *	  catalog.c with the generated catalogue, jwt.c (signatures checked
 *	  with the openssl command line).  Prints "N passed, N failed".
 *
 * Build and run: make -C test/unit
 */
#include "catalog.h"
#include "jwt.h"
#include "request.h"
#include "timeparse.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define Max2(a, b) ((a) > (b) ? (a) : (b))

static int passed = 0;
static int failed = 0;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			passed++; \
		else \
		{ \
			failed++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_DAY INT64_C(86400000000)

/* microseconds since 2000-01-01 for a UTC wall time */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s, int us)
{
	return (int64_t) azb_days_from_civil(y, mo, d) * USECS_PER_DAY +
		((int64_t) h * 3600 + mi * 60 + s) * USECS_PER_SEC + us;
}

/* s parses as the timestamp want */
static void
expect_timestamp(const char *s, int64_t want, const char *what)
{
	int64_t		t = 0;
	bool		ok = azb_parse_timestamp(s, &t);

	CHECK(ok && t == want, "%s: %s gave %s %lld, want %lld", what, s, ok ? "" : "no timestamp",
		  (long long) t, (long long) want);
}

static void
test_timeparse(void)
{
	int64_t		t;
	int32_t		d;
	char		buf[16];
	int			y,
				m,
				dd;

	CHECK(azb_days_from_civil(2000, 1, 1) == 0, "epoch is day 0");
	CHECK(azb_days_from_civil(1999, 12, 31) == -1, "day before epoch");
	azb_civil_from_days(azb_days_from_civil(2024, 2, 29), &y, &m, &dd);
	CHECK(y == 2024 && m == 2 && dd == 29, "civil round trip of a leap day");
	azb_format_date(azb_days_from_civil(2026, 1, 31), buf);
	CHECK(strcmp(buf, "2026-01-31") == 0, "format_date gave %s", buf);

	expect_timestamp("2023-02-16T17:32:28Z", utc(2023, 2, 16, 17, 32, 28, 0), "plain Z timestamp");
	expect_timestamp("2023-02-16T17:32:28", utc(2023, 2, 16, 17, 32, 28, 0), "no offset means UTC");
	expect_timestamp("2020-03-13T18:16:30.5739865Z", utc(2020, 3, 13, 18, 16, 30, 573986),
					 "7 digits truncate to microseconds");
	expect_timestamp("2020-03-31T23:59:59.9999999", utc(2020, 3, 31, 23, 59, 59, 999999),
					 "period end stays in its day");
	expect_timestamp("2020-05-01T00:00:00.5", utc(2020, 5, 1, 0, 0, 0, 500000), "1 fractional digit");
	expect_timestamp("2020-05-01T00:00:00-07:00", utc(2020, 5, 1, 7, 0, 0, 0), "negative offset");
	expect_timestamp("2020-05-01T00:00:00+0530", utc(2020, 4, 30, 18, 30, 0, 0), "offset without colon");
	expect_timestamp("2020-06-26T22:49:40.3201134-07:00", utc(2020, 6, 27, 5, 49, 40, 320113),
					 "fraction and offset");
	expect_timestamp("12/15/2019", utc(2019, 12, 15, 0, 0, 0, 0), "US month-first date");
	expect_timestamp("07/09/2020", utc(2020, 7, 9, 0, 0, 0, 0), "US form reads July 9th");
	expect_timestamp("2017-03-10", utc(2017, 3, 10, 0, 0, 0, 0), "a bare date is midnight UTC");
	CHECK(!azb_parse_timestamp("2018-02-30T17:32:28Z", &t), "February 30th is refused");
	CHECK(!azb_parse_timestamp("not-a-date", &t), "garbage is refused");
	CHECK(!azb_parse_timestamp("12,50", &t), "a number is refused");
	CHECK(!azb_parse_timestamp("", &t), "empty is refused");
	CHECK(!azb_parse_timestamp("2020-05-01T25:00:00Z", &t), "hour 25 is refused");
	CHECK(!azb_parse_timestamp("2020-05-01T10:00:00Zjunk", &t), "trailing junk is refused");
	CHECK(!azb_parse_timestamp("13/01/2020", &t), "month 13 is refused");

	CHECK(azb_parse_date("2023-02-01T23:30:00-08:00", &d) && d == azb_days_from_civil(2023, 2, 1),
		  "a date column takes the date as written");
	CHECK(azb_parse_date("10/16/2019", &d) && d == azb_days_from_civil(2019, 10, 16),
		  "US date into a date column");
	CHECK(!azb_parse_date("2019-02-29", &d), "2019 has no February 29th");
	CHECK(azb_parse_date("2024-02-29", &d), "2024 has a February 29th");
}

static void
expect_encode(const char *in, const char *want)
{
	char		buf[256];
	size_t		n = azb_request_encode(buf, sizeof(buf), in, false);

	CHECK(strcmp(buf, want) == 0 && n == strlen(want), "encode(%s) = %s, want %s", in, buf, want);
}

/* a nextLink, the endpoint it came from, and check_link's verdict */
typedef struct LinkCase
{
	const char *endpoint;
	const char *link;
	const char *trusted;		/* the trusted_hosts option, or NULL */
	AzbLinkCheck want;
	const char *want_host;		/* the host it names, when that is checked */
	const char *what;
} LinkCase;

static const LinkCase link_cases[] = {
	{"https://management.azure.com", "https://management.azure.com/providers/x?$skiptoken=1", NULL, AZB_LINK_SAME_HOST, NULL, "same host"},
	{"https://management.azure.com", "https://MANAGEMENT.azure.com:443/p", NULL, AZB_LINK_SAME_HOST, NULL, "host case and default port"},
	{"https://management.azure.com", "/subscriptions/x?a=1", NULL, AZB_LINK_RELATIVE, NULL, "relative"},
	{"https://management.azure.com", "https://billing-preview.windowsazure.com/s", NULL, AZB_LINK_FOREIGN_HOST, "billing-preview.windowsazure.com", "foreign host named"},
	{"https://management.azure.com", "https://billing-preview.windowsazure.com/s", "example.org, billing-preview.windowsazure.com", AZB_LINK_TRUSTED_HOST, NULL, "trusted host"},
	{"https://127.0.0.1:8443", "https://127.0.0.1:9443/p", NULL, AZB_LINK_FOREIGN_HOST, NULL, "another port is another host"},
	{"https://127.0.0.1:8443", "https://127.0.0.2:8443/p", NULL, AZB_LINK_FOREIGN_HOST, NULL, "another loopback address"},
	{"https://management.azure.com", "http://management.azure.com/p", NULL, AZB_LINK_BAD_SCHEME, NULL, "https to http is refused"},
	{"https://management.azure.com", "https://evil@management.azure.com/p", NULL, AZB_LINK_INVALID, NULL, "userinfo is refused"},
	{"https://management.azure.com", "//evil.example/p", NULL, AZB_LINK_FOREIGN_HOST, NULL, "scheme-relative is foreign"},
	{"https://management.azure.com", "", NULL, AZB_LINK_INVALID, NULL, "empty is invalid"},
	{"https://management.azure.com", "https://management.azure.com/a b", NULL, AZB_LINK_INVALID, NULL, "spaces are invalid"},
};

static void
expect_link(const LinkCase *c)
{
	char		host[256] = "";
	AzbLinkCheck got = azb_request_check_link(c->endpoint, c->link, c->trusted, host, sizeof(host));

	CHECK(got == c->want && (c->want_host == NULL || strcmp(host, c->want_host) == 0),
		  "%s: check_link(%s, %s) = %d naming \"%s\", want %d", c->what, c->endpoint, c->link, (int) got,
		  host, (int) c->want);
}

static void
test_request(void)
{
	char		buf[512];
	const char *vals[3];
	size_t		n;

	expect_encode("../../subscriptions", "..%2F..%2Fsubscriptions");
	expect_encode("a?b#c%d", "a%3Fb%23c%25d");
	expect_encode("a b/c", "a%20b%2Fc");
	expect_encode("caf\xc3\xa9", "caf%C3%A9");
	expect_encode("..", "%2E%2E");
	expect_encode(".", "%2E");
	expect_encode("1111:2222_2019-05-31", "1111%3A2222_2019-05-31");
	expect_encode("AB12-cd~x.y", "AB12-cd~x.y");

	n = azb_request_encode(buf, 4, "abcdef", false);
	CHECK(n == 6 && strcmp(buf, "abc") == 0, "truncated encode reports the full length");

	vals[0] = "acct:1";
	vals[1] = "../x";
	n = azb_request_path(buf, sizeof(buf),
						 "/providers/Microsoft.Billing/billingAccounts/{a}/billingProfiles/{b}/invoices",
						 vals, 2);
	CHECK(strcmp(buf, "/providers/Microsoft.Billing/billingAccounts/acct%3A1/billingProfiles/..%2Fx/invoices") == 0,
		  "path: %s", buf);
	CHECK(n == strlen(buf), "path length");
	n = azb_request_path(NULL, 0, "/x/{a}", vals, 1);
	CHECK(n == strlen("/x/acct%3A1"), "path length query with no buffer");
	{
		const char *some[2] = {"a b", NULL};
		const char *shown[2] = {"billing_account_name", "name"};

		n = azb_request_path_shown(buf, sizeof(buf), "/x/{a}/y/{b}", some, shown, 2);
		CHECK(strcmp(buf, "/x/a%20b/y/{name}") == 0 && n == strlen(buf),
			  "path with a value shown as its placeholder: %s", buf);
		n = azb_request_path_shown(buf, sizeof(buf), "/x/{a}/y/{b}", some, NULL, 2);
		CHECK(strcmp(buf, "/x/a%20b/y/") == 0, "path without placeholders: %s", buf);
	}

	azb_request_odata_quote(buf, sizeof(buf), "O'Brien's");
	CHECK(strcmp(buf, "'O''Brien''s'") == 0, "odata quote: %s", buf);

	for (size_t i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++)
		expect_link(&link_cases[i]);

	azb_request_resolve(buf, sizeof(buf), "https://h:8443/base", "/p?q=1");
	CHECK(strcmp(buf, "https://h:8443/p?q=1") == 0, "resolve: %s", buf);
	azb_request_resolve(buf, sizeof(buf), "https://h", "https://h/x");
	CHECK(strcmp(buf, "https://h/x") == 0, "resolve absolute: %s", buf);

	CHECK(azb_request_is_loopback_host("127.0.0.1"), "127.0.0.1 is loopback");
	CHECK(azb_request_is_loopback_host("127.1.2.3"), "127/8 is loopback");
	CHECK(azb_request_is_loopback_host("localhost"), "localhost is loopback");
	CHECK(azb_request_is_loopback_host("::1"), "::1 is loopback");
	CHECK(!azb_request_is_loopback_host("127.0.0.1.evil.com"), "a name starting 127. is not");
	CHECK(!azb_request_is_loopback_host("10.0.0.1"), "10/8 is not loopback");
	CHECK(!azb_request_is_loopback_host("127.0.0.1."), "a trailing dot is a name");
	CHECK(!azb_request_is_loopback_host("127.0.0.08"), "a leading zero is not decimal");
	CHECK(!azb_request_is_loopback_host("127.-0.0.1"), "signs are not digits");
	CHECK(!azb_request_is_loopback_host("127.0.0.1 "), "spaces are not digits");
	CHECK(azb_request_is_loopback_host("0:0:0:0:0:0:0:1"), "::1 spelled out");
	{
		char		sc[16],
					h[64];
		int			port;
		const char *path;

		CHECK(!azb_request_split_url("https://[management.azure.com]/x", sc, sizeof(sc), h,
									 sizeof(h), &port, &path), "brackets hold an IPv6 address");
		CHECK(!azb_request_split_url("https://[::1]evil.example/x", sc, sizeof(sc), h,
									 sizeof(h), &port, &path), "nothing but a port after ]");
		CHECK(!azb_request_split_url("https://management.azure.com:+443/x", sc, sizeof(sc), h,
									 sizeof(h), &port, &path), "a port is digits only");
		CHECK(azb_request_split_url("https://[::1]:8443/x", sc, sizeof(sc), h, sizeof(h), &port,
									&path) && strcmp(h, "::1") == 0 && port == 8443 &&
			  strcmp(path, "/x") == 0, "IPv6 with a port");
	}
	CHECK(strcmp(azb_request_path_of("https://h:1/a/b?c=d"), "/a/b?c=d") == 0, "path_of");

	{
		const char *id = "/providers/Microsoft.Billing/BillingAccounts/a:b_2019/BillingProfiles/P1/invoices/G1";
		const char *v;
		size_t		len = 0;

		v = azb_request_scope_in_id(id, "billing_profile_name", &len);
		CHECK(v && len == 2 && strncmp(v, "P1", 2) == 0, "profile from id");
		v = azb_request_scope_in_id(id, "billing_account_name", &len);
		CHECK(v && len == 8 && strncmp(v, "a:b_2019", 8) == 0, "account from id, case-insensitive");
		v = azb_request_scope_in_id(id, "invoice_name", &len);
		CHECK(v && len == 2 && strncmp(v, "G1", 2) == 0, "invoice from id");
		CHECK(azb_request_scope_in_id(id, "customer_name", &len) == NULL, "absent scope");
		v = azb_request_scope_in_id("/providers/Microsoft.Billing/billingAccounts/A/availableBalance/default?balanceName=x",
									"billing_account_name", &len);
		CHECK(v && len == 1 && *v == 'A', "a query string in an id is ignored");
		v = azb_request_scope_in_id("/subscriptions/S1/providers/Microsoft.Billing/billingProperty/default",
									"subscription_id", &len);
		CHECK(v && len == 2 && strncmp(v, "S1", 2) == 0, "subscription from a subscription-scoped id");
		CHECK(azb_request_scope_in_id("/billingAccounts", "billing_account_name", &len) == NULL,
			  "collection without a value");
		CHECK(azb_request_scope_in_id("", "billing_account_name", &len) == NULL, "empty id");
		v = azb_request_scope_in_id("/providers/Microsoft.Billing/billingAccounts/A/reservationOrders/O1/reservations/R1",
									"reservation_order_id", &len);
		CHECK(v && len == 2 && strncmp(v, "O1", 2) == 0, "reservation order from id");
	}
}

/* what the tail of a whole page says about its nextLink; link when a link is wanted */
static void
expect_tail(const char *body, AzbTailLink want, const char *link, const char *what)
{
	char		buf[256];
	size_t		n = 0;
	AzbTailLink got = azb_request_tail_next_link(body, strlen(body), buf, sizeof(buf), &n);

	CHECK(got == want && (link == NULL || (strcmp(buf, link) == 0 && n == strlen(link))),
		  "tail, %s: got %d (%s), want %d (%s)", what, (int) got, got == AZB_TAIL_LINK ? buf : "",
		  (int) want, link ? link : "");
}

static void
test_tail(void)
{
	char		buf[256];
	size_t		n;
	const char *b;

	expect_tail("{\"value\":[{\"id\":\"x\"}],\"nextLink\":\"https://h/p?a=1&$skiptoken=x%3D\"}",
				AZB_TAIL_LINK, "https://h/p?a=1&$skiptoken=x%3D", "a link");
	expect_tail("{\"value\": [], \"nextLink\" : \"https:\\/\\/h\\/p\" }\n",
				AZB_TAIL_LINK, "https://h/p", "escaped slashes and spaces");
	expect_tail("{\"value\":[],\"nextLink\":null}", AZB_TAIL_NONE, NULL, "null link");
	expect_tail("{\"value\":[],\"nextLink\":\"\"}", AZB_TAIL_NONE, NULL, "empty link");
	expect_tail("{\"nextLink\":\"https://h/p\",\"value\":[]}", AZB_TAIL_UNKNOWN, NULL, "link first: parse");
	expect_tail("{\"value\":[{\"nextLink\":\"https://evil/p\"}]}", AZB_TAIL_UNKNOWN, NULL,
				"a nested nextLink is not the page's");
	expect_tail("{\"value\":[],\"x\":{\"nextLink\":\"https://evil/p\"}}", AZB_TAIL_UNKNOWN, NULL,
				"a member object's nextLink is not the page's");
	expect_tail("{\"value\":[],\"other\":\"x\",\"nextLinkX\":\"https://evil/p\"}", AZB_TAIL_UNKNOWN, NULL,
				"another key");
	expect_tail("{\"value\":[],\"nextLink\":\"https://h/\\u0041\"}", AZB_TAIL_UNKNOWN, NULL,
				"unicode escapes defer to the parser");
	b = "{\"a\":\"b\\\",\"nextLink\":\"https://evil/p\"}";
	CHECK(azb_request_tail_next_link(b, strlen(b), buf, sizeof(buf), &n) != AZB_TAIL_LINK ||
		  strcmp(buf, "https://evil/p") == 0, "escaped quotes are not string ends");
	expect_tail("", AZB_TAIL_UNKNOWN, NULL, "empty body");
	expect_tail("}", AZB_TAIL_UNKNOWN, NULL, "lone brace");
	b = "{\"value\":[],\"nextLink\":\"https://h/p\"}";
	CHECK(azb_request_tail_next_link(b, strlen(b), buf, 5, &n) == AZB_TAIL_LINK && n == 11 &&
		  strcmp(buf, "http") == 0, "truncated copy reports the length");
}

static const char *
target_op(const AzbChain *c, int version)
{
	const AzbStep *st = &c->steps[c->nsteps - 1];

	return azb_catalog_version(st->resource, version)->routes[st->route].operation_id;
}

/*
 * The chain chosen for res with these columns bound: nsteps steps (0: any
 * number) ending in operation op.  True when a chain was chosen at all.
 */
static bool
expect_chain(const AzbResourceDef *res, int version, const char *const *bound, int nbound, int nsteps,
			 const char *op, AzbChain *c, const char *what)
{
	bool		ok = azb_catalog_choose(res, version, bound, nbound, c);
	const char *got = ok ? target_op(c, version) : "no chain";

	CHECK(ok && (nsteps == 0 || c->nsteps == nsteps) && strcmp(got, op) == 0,
		  "%s: got %d steps to %s, want %d to %s", what, ok ? c->nsteps : 0, got, nsteps, op);
	return ok;
}

static void
test_catalog(void)
{
	char		problem[256];
	AzbChain	c;
	int			v24 = azb_catalog_version_index("2024-04-01");
	int			v19 = azb_catalog_version_index("2019-10-01-preview");
	const AzbResourceDef *inv = azb_catalog_resource("invoices");
	const AzbResourceDef *tx = azb_catalog_resource("transactions");
	const char *acct[] = {"billing_account_name"};
	const char *acct_name[] = {"billing_account_name", "name"};
	const char *name[] = {"name"};
	const char *acct_inv[] = {"billing_account_name", "invoice_name"};
	const char *profile[] = {"billing_profile_name"};
	const char *core[] = {"billing_accounts", "billing_profiles", "invoice_sections", "invoices",
	"transactions", "billing_subscriptions", "products"};

	CHECK(azb_catalog_check(problem, sizeof(problem)) == 0, "catalogue self-check: %s", problem);
	CHECK(v24 == 0 && v19 == 1, "version indexes");
	CHECK(azb_catalog_version_index("2020-05-01") < 0, "unknown version");
	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
	{
		const AzbResourceDef *r = azb_catalog_resource(core[i]);

		CHECK(r && azb_catalog_version(r, v24) && azb_catalog_version(r, v19),
			  "%s exists in both versions", core[i]);
	}
	CHECK(azb_catalog_version(azb_catalog_resource("instructions"), v24) == NULL &&
		  azb_catalog_version(azb_catalog_resource("instructions"), v19) != NULL,
		  "instructions only in 2019-10-01-preview");

	expect_chain(inv, v24, acct, 1, 1, "Invoices_ListByBillingAccount", &c, "invoices by account: one request");
	expect_chain(inv, v24, acct_name, 2, 1, "Invoices_GetByBillingAccount", &c,
				 "invoice by account and name: point lookup");
	expect_chain(inv, v24, name, 1, 1, "Invoices_Get", &c, "invoice by name alone: Invoices_Get");
	if (expect_chain(inv, v24, NULL, 0, 2, "Invoices_ListByBillingAccount", &c,
					 "invoices without scope enumerate accounts"))
		CHECK(strcmp(c.steps[0].resource->name, "billing_accounts") == 0,
			  "invoices without scope enumerate accounts first (got %s)", c.steps[0].resource->name);
	if (expect_chain(inv, v24, profile, 1, 0, "Invoices_ListByBillingProfile", &c,
					 "invoices of a bound profile under enumerated accounts"))
		CHECK(c.steps[c.nsteps - 1].speculative, "a bound profile under enumerated accounts is speculative");
	expect_chain(tx, v24, NULL, 0, 3, "Transactions_ListByBillingProfile", &c,
				 "transactions enumerate accounts then profiles");
	expect_chain(tx, v24, acct_inv, 2, 1, "Transactions_ListByInvoice", &c, "transactions of one invoice");
	expect_chain(tx, v19, acct, 1, 1, "Transactions_ListByBillingAccount", &c, "2019 transactions by account");
	{
		const AzbResourceDef *pt = azb_catalog_resource("partner_transfers");

		expect_chain(pt, v24, NULL, 0, 4, "PartnerTransfers_List", &c,
					 "partner transfers enumerate accounts, profiles and customers by profile");
		CHECK(azb_catalog_choose(pt, v24, acct, 1, &c) && c.nsteps == 3,
			  "partner transfers of one account");
	}
	CHECK(azb_catalog_enumerator("billing_profile_name", v24) == azb_catalog_resource("billing_profiles"),
		  "profiles enumerate billing_profile_name");
	CHECK(azb_catalog_segment_carries("BillingProfiles", 15, "billing_profile_name"),
		  "segments match case-insensitively");
	CHECK(azb_catalog_segment_carries("reservationOrders", 17, "reservation_order_id"),
		  "segments come from every route's path");
	CHECK(!azb_catalog_segment_carries("invoices", 8, "billing_profile_name"), "a segment carries its own column");
	CHECK(azb_catalog_agreement_bit("EnterpriseAgreement") == AZB_AGR_EA, "agreement bit");
	CHECK(azb_catalog_is_scope_column("invoice_section_name") && !azb_catalog_is_scope_column("name"),
		  "scope columns");
}

/* base64url decode for the tests (no padding, '-' and '_') */
static size_t
unb64url(const char *in, size_t len, unsigned char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned long v = 0;
	int			bits = 0;
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		const char *p = strchr(alphabet, in[i]);

		if (p == NULL || in[i] == '\0')
			return (size_t) -1;
		v = (v << 6) | (unsigned long) (p - alphabet);
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[n++] = (unsigned char) ((v >> bits) & 0xff);
		}
	}
	return n;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

/* write len bytes to path */
static void
spit(const char *path, const void *data, size_t len)
{
	FILE	   *f = fopen(path, "wb");

	if (f)
	{
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* verify a compact JWS with the certificate's public key, via the openssl CLI */
static int
openssl_verifies(const char *dir, const char *jwt, bool pss)
{
	const char *dot = strrchr(jwt, '.');
	unsigned char sig[1024];
	size_t		siglen = unb64url(dot + 1, strlen(dot + 1), sig);
	char		path[512],
				cmd[2048];

	snprintf(path, sizeof(path), "%s/input", dir);
	spit(path, jwt, dot - jwt);
	snprintf(path, sizeof(path), "%s/sig", dir);
	spit(path, sig, siglen);
	snprintf(cmd, sizeof(cmd),
			 "cd %s && openssl x509 -in c.pem -pubkey -noout > pub.pem && "
			 "openssl dgst -sha256 -verify pub.pem -signature sig %s input >/dev/null 2>&1",
			 dir, pss ? "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256" : "");
	return system(cmd) == 0;
}

static void
test_jwt(void)
{
	char		buf[64];
	char	   *s;
	char		dir[] = "/tmp/azb-unit-jwt-XXXXXX";
	char		cmd[1024],
				path[512];
	char	   *pem;
	size_t		len;
	char	   *jwt = NULL;
	unsigned char dec[4096];
	size_t		n;

	/* RFC 4648 vectors, url alphabet, no padding */
	CHECK(azb_jwt_base64url(buf, sizeof(buf), (const unsigned char *) "", 0) == 0 && buf[0] == '\0', "b64url empty");
	azb_jwt_base64url(buf, sizeof(buf), (const unsigned char *) "f", 1);
	CHECK(strcmp(buf, "Zg") == 0, "b64url f: %s", buf);
	azb_jwt_base64url(buf, sizeof(buf), (const unsigned char *) "foob", 4);
	CHECK(strcmp(buf, "Zm9vYg") == 0, "b64url foob: %s", buf);
	azb_jwt_base64url(buf, sizeof(buf), (const unsigned char *) "foobar", 6);
	CHECK(strcmp(buf, "Zm9vYmFy") == 0, "b64url foobar: %s", buf);
	azb_jwt_base64url(buf, sizeof(buf), (const unsigned char *) "\xfb\xff\xbf", 3);
	CHECK(strcmp(buf, "-_-_") == 0, "b64url uses - and _: %s", buf);
	CHECK(azb_jwt_base64url(buf, 3, (const unsigned char *) "foobar", 6) == 8 && strcmp(buf, "Zm") == 0,
		  "b64url truncates like snprintf");

	s = azb_jwt_header_json(AZB_JWT_PS256, "abc");
	CHECK(strcmp(s, "{\"alg\":\"PS256\",\"typ\":\"JWT\",\"x5t#S256\":\"abc\"}") == 0, "PS256 header: %s", s);
	free(s);
	s = azb_jwt_header_json(AZB_JWT_RS256, "abc");
	CHECK(strcmp(s, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"abc\"}") == 0, "RS256 header: %s", s);
	free(s);
	s = azb_jwt_claims_json("c\"1\\", "https://l/t/oauth2/v2.0/token", 1000, "j\n");
	CHECK(strcmp(s, "{\"aud\":\"https://l/t/oauth2/v2.0/token\",\"iss\":\"c\\\"1\\\\\",\"sub\":\"c\\\"1\\\\\","
				 "\"jti\":\"j\\u000a\",\"nbf\":1000,\"iat\":1000,\"exp\":1600}") == 0, "claims: %s", s);
	free(s);

	/* a throw-away certificate, then sign and verify both algorithms */
	if (mkdtemp(dir) == NULL)
	{
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(cmd, sizeof(cmd),
			 "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=unit "
			 "-keyout k.pem -out c.pem >/dev/null 2>&1 && cat c.pem k.pem > both.pem && "
			 "cat k.pem c.pem > keyfirst.pem && "
			 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other "
			 "-keyout k2.pem -out c2.pem >/dev/null 2>&1 && cat c.pem k2.pem > mismatch.pem && "
			 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
			 "-subj /CN=ec -keyout ke.pem -out ce.pem >/dev/null 2>&1 && cat ce.pem ke.pem > ec.pem && "
			 "openssl pkey -in k.pem -aes256 -passout pass:x -out kenc.pem && cat c.pem kenc.pem > enc.pem",
			 dir);
	CHECK(system(cmd) == 0, "openssl made test certificates");
	snprintf(path, sizeof(path), "%s/both.pem", dir);
	pem = slurp(path, &len);
	CHECK(pem && azb_jwt_check_pem(pem, len) == AZB_JWT_OK, "a certificate with its key is accepted");
	CHECK(pem && azb_jwt_client_assertion(pem, len, AZB_JWT_PS256, "cid", "https://aud", 1700000000,
										  "jti-1", &jwt) == AZB_JWT_OK, "PS256 assertion signed");
	if (jwt)
	{
		const char *dot1 = strchr(jwt, '.');

		CHECK(openssl_verifies(dir, jwt, true), "openssl verifies PS256 with a 32-byte salt");
		n = unb64url(dot1 + 1, strchr(dot1 + 1, '.') - dot1 - 1, dec);
		dec[n] = '\0';
		CHECK(strstr((char *) dec, "\"exp\":1700000600") != NULL && strstr((char *) dec, "\"iss\":\"cid\""),
			  "claims in the assertion: %s", dec);
		n = unb64url(jwt, dot1 - jwt, dec);
		dec[n] = '\0';
		CHECK(strstr((char *) dec, "\"x5t#S256\":\"") != NULL, "x5t#S256 in the header: %s", dec);
		free(jwt);
		jwt = NULL;
	}
	CHECK(pem && azb_jwt_client_assertion(pem, len, AZB_JWT_RS256, "cid", "https://aud", 1700000000,
										  "jti-2", &jwt) == AZB_JWT_OK, "RS256 assertion signed");
	if (jwt)
	{
		CHECK(openssl_verifies(dir, jwt, false), "openssl verifies RS256");
		CHECK(!openssl_verifies(dir, jwt, true), "an RS256 signature is not a PSS one");
		free(jwt);
		jwt = NULL;
	}
	free(pem);

#define PEM_STATUS(file, expect, what) \
	do { \
		snprintf(path, sizeof(path), "%s/%s", dir, file); \
		pem = slurp(path, &len); \
		CHECK(pem && azb_jwt_check_pem(pem, len) == (expect), what); \
		free(pem); \
	} while (0)
	PEM_STATUS("keyfirst.pem", AZB_JWT_OK, "the key may come before the certificate");
	PEM_STATUS("k.pem", AZB_JWT_NO_CERT, "a key alone has no certificate");
	PEM_STATUS("c.pem", AZB_JWT_NO_KEY, "a certificate alone has no key");
	PEM_STATUS("mismatch.pem", AZB_JWT_KEY_MISMATCH, "another certificate's key is refused");
	PEM_STATUS("ec.pem", AZB_JWT_NOT_RSA, "an EC key is refused");
	PEM_STATUS("enc.pem", AZB_JWT_ENCRYPTED_KEY, "an encrypted key is refused");
	CHECK(azb_jwt_check_pem("garbage", 7) == AZB_JWT_NO_CERT, "garbage has no certificate");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
}

/* d printed in plain decimal notation from its shortest round-trip form (%.*e) */
static void
shortest_plain(double d, char *out, size_t outlen)
{
	char		sci[64];
	char		digits[32];
	char		plain[400];		/* at most a sign, 324 places and 17 digits */
	int			nd = 0,
				e,
				point;
	const char *p;
	char	   *o = plain;

	for (int prec = 0; prec < 17; prec++)
	{
		snprintf(sci, sizeof(sci), "%.*e", prec, d);
		if (strtod(sci, NULL) == d)
			break;
	}
	p = sci;
	if (*p == '-')
		*o++ = *p++;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	e = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	point = e + 1;				/* digits before the decimal point */
	if (point <= 0)
	{
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -point; i++)
			*o++ = '0';
		for (int i = 0; i < nd; i++)
			*o++ = digits[i];
	}
	else
	{
		for (int i = 0; i < Max2(point, nd); i++)
		{
			if (i == point)
				*o++ = '.';
			*o++ = i < nd ? digits[i] : '0';
		}
	}
	*o = '\0';
	snprintf(out, outlen, "%s", plain);
}

/* n / 10^scale in plain decimal notation */
static void
scaled_plain(int64_t n, int scale, char *out, size_t outlen)
{
	char		buf[32];
	int			len;
	uint64_t	u = n < 0 ? (uint64_t) (-n) : (uint64_t) n;

	len = snprintf(buf, sizeof(buf), "%0*llu", scale + 1, (unsigned long long) u);
	if (scale == 0)
		snprintf(out, outlen, "%s%s", n < 0 ? "-" : "", buf);
	else
		snprintf(out, outlen, "%s%.*s.%s", n < 0 ? "-" : "", len - scale, buf, buf + len - scale);
}

static uint64_t
xorshift(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* azb_short_decimal agrees with the shortest round-trip form, digit for digit */
static void
test_short_decimal(void)
{
	uint64_t	st = 88172645463325252ULL;
	const char *kinds[] = {"cents", "decimals", "any bits"};

	for (int kind = 0; kind < 3; kind++)
	{
		int			fast = 0,
					bad = 0,
					n = 200000;
		char		first[200] = "";

		for (int i = 0; i < n; i++)
		{
			char		text[64],
						want[400],
						got[64];
			double		d;
			int64_t		v;
			int			scale;
			uint64_t	r = xorshift(&st);

			if (kind == 0)
			{
				long long	c = (long long) (r % 20000000000000ULL) - 10000000000000LL;

				snprintf(text, sizeof(text), "%s%lld.%02lld", c < 0 ? "-" : "", llabs(c) / 100, llabs(c) % 100);
				d = strtod(text, NULL);
			}
			else if (kind == 1)
			{
				int			k = (int) (r % 12);
				long long	m = (long long) ((r >> 8) % 1000000000000000ULL);

				snprintf(text, sizeof(text), "%llde-%d", m, k);
				d = strtod(text, NULL);
			}
			else
			{
				memcpy(&d, &r, sizeof(d));
				if (!isfinite(d))
					continue;
			}
			if (!azb_short_decimal(d, &v, &scale))
				continue;
			fast++;
			shortest_plain(d, want, sizeof(want));
			scaled_plain(v, scale, got, sizeof(got));
			/* -0 reads back as 0 */
			if (strcmp(want, got) != 0 && !(d == 0 && strcmp(got, "0") == 0))
			{
				if (bad++ == 0)
					snprintf(first, sizeof(first), "%.17g: %.60s, shortest %.60s", d, got, want);
			}
		}
		CHECK(bad == 0, "short decimals (%s): %d of %d differ, first %s", kinds[kind], bad, fast, first);
		if (kind == 0)
			CHECK(fast == n, "every cents amount has a short decimal (%d of %d)", fast, n);
	}
	{
		int64_t		v;
		int			scale;

		CHECK(azb_short_decimal(12.5, &v, &scale) && v == 125 && scale == 1, "12.5 is 125 / 10");
		CHECK(azb_short_decimal(1e-7, &v, &scale) && v == 1 && scale == 7, "1e-7 is 1 / 10^7");
		CHECK(!azb_short_decimal(1.0000000000000002, &v, &scale), "17 digits are not short");
		CHECK(!azb_short_decimal(1e-12, &v, &scale), "12 decimals are not short");
		CHECK(!azb_short_decimal(NAN, &v, &scale) && !azb_short_decimal(INFINITY, &v, &scale),
			  "NaN and infinity are not decimals");
	}
}

#include "test_ops.c"

int
main(void)
{
	test_timeparse();
	test_short_decimal();
	test_request();
	test_tail();
	test_catalog();
	test_jwt();
	test_ops();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
