"""Entra ID's discovery documents, as Microsoft's identity libraries (MSAL)
fetch them before their first token request:

  GET /{tenant}/v2.0/.well-known/openid-configuration   (and the v1 form
      /{tenant}/.well-known/openid-configuration)
  GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...

Answered without authentication, as Entra ID does, with the emulator's own
base URL in every endpoint.  An unknown tenant ("bad-tenant") answers 400
with AADSTS90002, as the token endpoint does.
"""
import json
import re
import urllib.parse

OPENID_PATH = re.compile(r"^/([^/]+)(/v2\.0)?/\.well-known/openid-configuration/?$")
INSTANCE_PATH = "/common/discovery/instance"


def matches(path):
    return OPENID_PATH.match(path) is not None or path.rstrip("/") == INSTANCE_PATH


def openid_configuration(base, tenant, v2):
    """The tenant's OpenID Connect metadata, with Entra's keys and shapes."""
    t = urllib.parse.quote(tenant, safe="")
    suffix = "/v2.0" if v2 else ""
    doc = {
        "token_endpoint": "%s/%s/oauth2%s/token" % (base, t, suffix),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                  "client_secret_basic"],
        "jwks_uri": "%s/%s/discovery%s/keys" % (base, t, suffix),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": ("%s/%s/v2.0" % (base, t)) if v2 else ("%s/%s/" % (base, t)),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "%s/oidc/userinfo" % base,
        "authorization_endpoint": "%s/%s/oauth2%s/authorize" % (base, t, suffix),
        "device_authorization_endpoint": "%s/%s/oauth2%s/devicecode" % (base, t, suffix),
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": "%s/%s/oauth2%s/logout" % (base, t, suffix),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "ver"],
        "tenant_region_scope": "WW",
        "cloud_instance_name": urllib.parse.urlsplit(base).netloc,
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }
    if v2:
        doc["kerberos_endpoint"] = "%s/%s/kerberos" % (base, t)
    return doc


def instance_discovery(base, query):
    """The authority's aliases: this emulator is its own, single cloud."""
    host = urllib.parse.urlsplit(base).netloc
    auth = (query.get("authorization_endpoint") or [""])
    auth = auth[0] if isinstance(auth, list) else auth
    return {
        "tenant_discovery_endpoint": "%s/%s/v2.0/.well-known/openid-configuration" % (
            base, (urllib.parse.urlsplit(auth).path.strip("/").split("/") or ["common"])[0] or "common"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }


def answer(base, path, query):
    """(status, body dict) for a discovery request."""
    m = OPENID_PATH.match(path)
    if m:
        tenant = urllib.parse.unquote(m.group(1))
        if tenant.lower() == "bad-tenant":
            return 400, {"error": "invalid_tenant",
                         "error_description": "AADSTS90002: Tenant '%s' not found. Check to make sure you have "
                                              "the correct tenant ID and are signing into the correct cloud."
                                              % tenant,
                         "error_codes": [90002]}
        return 200, openid_configuration(base, tenant, m.group(2) is not None)
    return 200, instance_discovery(base, query)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()
