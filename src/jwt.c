/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  Client assertions signed with OpenSSL's libcrypto.
 *
 * Microsoft Entra ID accepts a certificate credential as a JWT whose header
 * names the certificate by its thumbprint (x5t#S256 for PS256, x5t for
 * RS256) and whose signature it checks with the certificate's public key.
 * PS256 is RFC 7518's: RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a
 * salt as long as the hash (32 bytes), which is not OpenSSL's default salt
 * length, so it is set explicitly.
 *
 * Backend-free.  The PEM text is read through a read-only memory BIO and
 * never copied; the private key lives in libcrypto, which clears its
 * private numbers when the key is freed.
 *
 *-------------------------------------------------------------------------
 */
#include "jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

size_t
azb_jwt_base64url(char *out, size_t size, const unsigned char *in, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t		n = 0;
	size_t		i;

	for (i = 0; i < len; i += 3)
	{
		unsigned long v = (unsigned long) in[i] << 16;
		int			chars = 2;

		if (i + 1 < len)
		{
			v |= (unsigned long) in[i + 1] << 8;
			chars++;
		}
		if (i + 2 < len)
		{
			v |= in[i + 2];
			chars++;
		}
		for (int k = 0; k < chars; k++)
		{
			if (n + 1 < size)
				out[n] = alphabet[(v >> (18 - 6 * k)) & 0x3f];
			n++;
		}
	}
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

/* malloc'd base64url of a buffer */
static char *
b64url_dup(const unsigned char *in, size_t len)
{
	size_t		n = azb_jwt_base64url(NULL, 0, in, len);
	char	   *out = malloc(n + 1);

	if (out)
		azb_jwt_base64url(out, n + 1, in, len);
	return out;
}

/* Append a JSON string literal (quoted, escaped); returns the new length. */
static size_t
json_string(char *out, size_t size, size_t n, const char *s)
{
#define PUT(c) do { if (n + 1 < size) out[n] = (c); n++; } while (0)
	PUT('"');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if (*p == '"' || *p == '\\')
		{
			PUT('\\');
			PUT(*p);
		}
		else if (*p < 0x20)
		{
			char		esc[8];

			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			for (char *e = esc; *e; e++)
				PUT(*e);
		}
		else
			PUT(*p);
	}
	PUT('"');
#undef PUT
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

/* strdup of a printf-like assembly of fixed text and JSON strings */
static char *
assemble(const char *const *parts, int nparts)
{
	size_t		need = 1;
	char	   *out;
	size_t		n = 0;

	/* even parts are literal text, odd parts JSON strings */
	for (int i = 0; i < nparts; i++)
		need += (i % 2) ? json_string(NULL, 0, 0, parts[i]) : strlen(parts[i]);
	out = malloc(need);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < nparts; i++)
	{
		if (i % 2)
			n = json_string(out, need, n, parts[i]);
		else
		{
			memcpy(out + n, parts[i], strlen(parts[i]) + 1);
			n += strlen(parts[i]);
		}
	}
	return out;
}

char *
azb_jwt_header_json(AzbJwtAlg alg, const char *thumbprint)
{
	const char *parts[] = {
		alg == AZB_JWT_PS256 ? "{\"alg\":\"PS256\",\"typ\":\"JWT\",\"x5t#S256\":" :
		"{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":",
		thumbprint, "}"
	};

	return assemble(parts, 3);
}

char *
azb_jwt_claims_json(const char *client_id, const char *audience, long long now,
					const char *jti)
{
	char		times[128];
	const char *parts[] = {
		"{\"aud\":", audience, ",\"iss\":", client_id, ",\"sub\":", client_id,
		",\"jti\":", jti, times
	};

	snprintf(times, sizeof(times), ",\"nbf\":%lld,\"iat\":%lld,\"exp\":%lld}",
			 now, now, now + AZB_JWT_LIFETIME_SECS);
	return assemble(parts, 9);
}

/* A passphrase callback that only records it was asked: never decrypt. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	*(bool *) arg = true;
	return -1;
}

/* Read the certificate and key of a PEM bundle (either order). */
static AzbJwtStatus
load_pem(const char *pem, size_t len, X509 **cert, EVP_PKEY **key)
{
	BIO		   *bio;
	bool		asked = false;

	*cert = NULL;
	*key = NULL;
	if (len > 1024 * 1024)
		return AZB_JWT_NO_CERT;
	bio = BIO_new_mem_buf(pem, (int) len);
	if (bio == NULL)
		return AZB_JWT_NO_MEMORY;
	*cert = PEM_read_bio_X509(bio, NULL, no_passphrase, &asked);
	BIO_free(bio);
	if (*cert == NULL)
	{
		ERR_clear_error();
		return AZB_JWT_NO_CERT;
	}

	bio = BIO_new_mem_buf(pem, (int) len);
	if (bio == NULL)
		return AZB_JWT_NO_MEMORY;
	*key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &asked);
	BIO_free(bio);
	ERR_clear_error();
	if (*key == NULL)
		return asked ? AZB_JWT_ENCRYPTED_KEY : AZB_JWT_NO_KEY;
	if (EVP_PKEY_get_base_id(*key) != EVP_PKEY_RSA)
		return AZB_JWT_NOT_RSA;
	if (X509_check_private_key(*cert, *key) != 1)
	{
		ERR_clear_error();
		return AZB_JWT_KEY_MISMATCH;
	}
	return AZB_JWT_OK;
}

AzbJwtStatus
azb_jwt_check_pem(const char *pem, size_t len)
{
	X509	   *cert;
	EVP_PKEY   *key;
	AzbJwtStatus st = load_pem(pem, len, &cert, &key);

	X509_free(cert);
	EVP_PKEY_free(key);
	return st;
}

/* Sign input with key: PS256 (PSS, MGF1-SHA256, 32-byte salt) or RS256. */
static AzbJwtStatus
sign(EVP_PKEY *key, AzbJwtAlg alg, const char *input, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	AzbJwtStatus st = AZB_JWT_SIGN_FAILED;

	*sig = NULL;
	if (ctx == NULL)
		return AZB_JWT_NO_MEMORY;
	if (EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, key) != 1)
		goto done;
	if (alg == AZB_JWT_PS256 &&
		(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
		 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
		goto done;
	if (EVP_DigestSign(ctx, NULL, siglen, (const unsigned char *) input, strlen(input)) != 1)
		goto done;
	*sig = malloc(*siglen);
	if (*sig == NULL)
	{
		st = AZB_JWT_NO_MEMORY;
		goto done;
	}
	if (EVP_DigestSign(ctx, *sig, siglen, (const unsigned char *) input, strlen(input)) != 1)
	{
		free(*sig);
		*sig = NULL;
		goto done;
	}
	st = AZB_JWT_OK;
done:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return st;
}

AzbJwtStatus
azb_jwt_client_assertion(const char *pem, size_t len, AzbJwtAlg alg,
						 const char *client_id, const char *audience,
						 long long now, const char *jti, char **out)
{
	X509	   *cert;
	EVP_PKEY   *key;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char	   *thumb = NULL,
			   *header = NULL,
			   *claims = NULL,
			   *h64 = NULL,
			   *c64 = NULL,
			   *s64 = NULL,
			   *input = NULL;
	unsigned char *sig = NULL;
	size_t		siglen = 0;
	AzbJwtStatus st;

	*out = NULL;
	st = load_pem(pem, len, &cert, &key);
	if (st != AZB_JWT_OK)
		goto done;

	st = AZB_JWT_NO_MEMORY;
	if (X509_digest(cert, alg == AZB_JWT_PS256 ? EVP_sha256() : EVP_sha1(), md, &mdlen) != 1)
		goto done;
	if ((thumb = b64url_dup(md, mdlen)) == NULL ||
		(header = azb_jwt_header_json(alg, thumb)) == NULL ||
		(claims = azb_jwt_claims_json(client_id, audience, now, jti)) == NULL ||
		(h64 = b64url_dup((unsigned char *) header, strlen(header))) == NULL ||
		(c64 = b64url_dup((unsigned char *) claims, strlen(claims))) == NULL)
		goto done;
	input = malloc(strlen(h64) + strlen(c64) + 2);
	if (input == NULL)
		goto done;
	sprintf(input, "%s.%s", h64, c64);

	st = sign(key, alg, input, &sig, &siglen);
	if (st != AZB_JWT_OK)
		goto done;
	st = AZB_JWT_NO_MEMORY;
	if ((s64 = b64url_dup(sig, siglen)) == NULL)
		goto done;
	*out = malloc(strlen(input) + strlen(s64) + 2);
	if (*out == NULL)
		goto done;
	sprintf(*out, "%s.%s", input, s64);
	st = AZB_JWT_OK;
done:
	ERR_clear_error();
	X509_free(cert);
	EVP_PKEY_free(key);
	free(thumb);
	free(header);
	free(claims);
	free(h64);
	free(c64);
	free(sig);
	free(s64);
	if (input)
	{
		OPENSSL_cleanse(input, strlen(input));
		free(input);
	}
	return st;
}
