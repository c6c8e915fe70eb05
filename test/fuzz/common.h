/*
 * common.h
 *	  Shared pieces of the libFuzzer targets in test/fuzz: failure reporting,
 *	  input splitting, a strict reference URL parser (independent of
 *	  src/request.c), and the invariant checks that more than one target runs
 *	  (the snprintf-style length contract, check_link, scope_in_id and the
 *	  time parsers).
 *
 * Everything here is plain C: the same files build with clang's
 * -fsanitize=fuzzer and, with replay_main.c, as an ordinary program.
 */
#ifndef AZB_FUZZ_COMMON_H
#define AZB_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"

/*
 * Report a broken invariant and abort (libFuzzer records the input).  A
 * check tagged with a known-issue name is skipped when that name is listed in
 * the environment variable AZB_FUZZ_ALLOW (comma-separated), so a long run
 * can go on past a finding that is already reported; test/scripts/fuzz.sh
 * sets it to the tags listed in test/fuzz/known-issues.
 */
extern void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
			__attribute__((noreturn, format(printf, 4, 5)));
extern bool fuzz_allowed(const char *tag);

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

#define FUZZ_CHECK_KNOWN(tag, cond, ...) \
	do { \
		if (!(cond) && !fuzz_allowed(tag)) \
			fuzz_fail(__FILE__, __LINE__, "[" tag "] " #cond, __VA_ARGS__); \
	} while (0)

/* a printable, escaped copy of s for messages (static buffer, one at a time per slot) */
extern const char *fuzz_show(int slot, const char *s);

/* Split data at '\n' into at most max NUL-terminated, exactly sized copies. */
extern int	fuzz_split(const uint8_t *data, size_t size, char **pieces, int max);
extern char *fuzz_strndup(const uint8_t *data, size_t size);
extern void fuzz_free_pieces(char **pieces, int n);

/* A strict RFC 3986 reading of an absolute URL's scheme and authority. */
typedef struct RefUrl
{
	char		scheme[32];		/* lower-cased */
	char		host[512];		/* reg-name percent-decoded and lower-cased, or
								 * the canonical text of an IPv6 literal */
	int			port;			/* explicit, else the scheme's default, else -1 */
	bool		userinfo;		/* the authority has a userinfo@ part */
	bool		ipv6;
	size_t		authority_end;	/* offset of the end of the authority in the URL */
} RefUrl;

extern bool ref_parse_url(const char *url, RefUrl *u);
extern bool ref_same_origin(const RefUrl *a, const RefUrl *b);
extern bool ref_is_loopback(const char *host);	/* localhost, ::1, numeric 127/8 */
extern bool ref_is_strict_loopback_quad(const char *host);
extern bool curl_reading(const char *url, char *scheme, size_t ss, char *host, size_t hs,
						 int *port);
extern bool ref_normalize_host(const char *text, size_t len, char *out, size_t outsize);

/* RFC 3986 unreserved */
static inline bool
ref_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-decode s into a malloc'd string; false on a malformed %XX. */
extern bool ref_percent_decode(const char *s, size_t len, char **out, size_t *outlen);

/*
 * The snprintf contract of a string builder: fn(NULL, 0) gives the length;
 * buffers of every interesting size (0, 1, 2, 3, half, n, n + 1, larger)
 * receive a NUL-terminated prefix of the full result and nothing past their
 * end (each is malloc'd to exactly its size, so ASan sees an overflow).
 * Returns the full result, malloc'd.
 */
typedef size_t (*FuzzBuildFn) (char *out, size_t size, const void *arg);
extern bool fuzz_contract_light;	/* only sizes 0, half and exact (cheaper) */
extern char *fuzz_check_contract(const char *what, FuzzBuildFn fn, const void *arg);

/* azb_request_path's arguments, built by fuzz_build_path (a FuzzBuildFn) */
typedef struct FuzzPathArg
{
	const char *tmpl;
	const char *const *values;
	int			nvalues;
} FuzzPathArg;
extern size_t fuzz_build_path(char *out, size_t size, const void *arg);

/*
 * A path from a catalogue template (every placeholder a whole segment): the
 * literal segments unchanged, each placeholder's segment decoding back to
 * its value and never a dot-segment, the contract kept.
 */
extern void fuzz_check_route_path(const char *tmpl, const char *const *values, int nvalues);

/* Invariants of one nextLink against one endpoint (see common.c). */
extern void fuzz_check_link(const char *endpoint, const char *link, const char *trusted,
							size_t small_hostsize);

/* Invariants of azb_request_scope_in_id(id, column). */
extern void fuzz_check_scope(const char *id, const char *column);

/* Every scope column of the catalogue (route parameters and SCOPE columns). */
extern int	fuzz_scope_columns(const char *const **columns);

/* Invariants of azb_parse_timestamp and azb_parse_date on one string. */
extern void fuzz_check_time_string(const char *s);

/* Days from 2000-01-01, computed independently of src/timeparse.c. */
extern int64_t ref_days(int y, int m, int d);
extern int	ref_days_in_month(int y, int m);

#endif							/* AZB_FUZZ_COMMON_H */
