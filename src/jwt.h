/*-------------------------------------------------------------------------
 *
 * jwt.h
 *	  Client assertions: a JWT signed with the client certificate's private
 *	  key (RFC 7523 private_key_jwt, as Microsoft Entra ID verifies it).
 *
 * Backend-free (libcrypto and the C library only), so the unit tests can
 * drive it.  Every string it returns is malloc'd; the caller wipes what is
 * secret (the assertion) and frees it.  Nothing here ever copies PEM text
 * into a message: a failure is an AzbJwtStatus, which the caller words.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_JWT_H
#define AZB_JWT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum AzbJwtStatus
{
	AZB_JWT_OK,
	AZB_JWT_NO_CERT,			/* no parsable CERTIFICATE block */
	AZB_JWT_NO_KEY,				/* no parsable private key block */
	AZB_JWT_ENCRYPTED_KEY,		/* the key needs a passphrase */
	AZB_JWT_NOT_RSA,			/* an EC, Ed25519, ... key */
	AZB_JWT_KEY_MISMATCH,		/* the key is not the certificate's */
	AZB_JWT_SIGN_FAILED,
	AZB_JWT_NO_MEMORY
} AzbJwtStatus;

/* Which JWS algorithm: PS256 (Entra's default) or RS256 */
typedef enum AzbJwtAlg
{
	AZB_JWT_PS256,
	AZB_JWT_RS256
} AzbJwtAlg;

/* base64url without padding; snprintf contract (returns the length needed) */
extern size_t azb_jwt_base64url(char *out, size_t size, const unsigned char *in, size_t len);

/* JSON for the header and the claims (malloc'd, NULL when out of memory) */
extern char *azb_jwt_header_json(AzbJwtAlg alg, const char *thumbprint);
extern char *azb_jwt_claims_json(const char *client_id, const char *audience,
								 long long now, const char *jti);

/* Check a PEM bundle: a certificate and its unencrypted RSA private key */
extern AzbJwtStatus azb_jwt_check_pem(const char *pem, size_t len);

/*
 * Build and sign a client assertion: aud = audience (the token URL), iss =
 * sub = client_id, jti, nbf = iat = now, exp = now + 600.  *out receives the
 * compact JWS (malloc'd) on AZB_JWT_OK.
 */
extern AzbJwtStatus azb_jwt_client_assertion(const char *pem, size_t len, AzbJwtAlg alg,
											 const char *client_id, const char *audience,
											 long long now, const char *jti, char **out);

#define AZB_JWT_LIFETIME_SECS 600

#endif							/* AZB_JWT_H */
