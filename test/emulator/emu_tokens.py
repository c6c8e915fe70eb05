"""Entra ID's token endpoint and IMDS managed identity (App mixin)."""

import time
import urllib.parse
import uuid

from emu_common import JSON_CT, GOOD_CLIENT, TOKEN_PATH, now_iso, dumps
import emu_identity


class TokenMixin:
    """Entra ID's token endpoint and IMDS managed identity (App mixin)."""

    # -- Entra ID token endpoint -----------------------------------------------------
    def entra_error(self, h, status, err, code, desc):
        tid, cid = str(uuid.uuid4()), str(uuid.uuid4())
        ts = now_iso()
        body = {"error": err,
                "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                                     % (code, desc, tid, cid, ts),
                "error_codes": [code], "timestamp": ts, "trace_id": tid, "correlation_id": cid,
                "error_uri": "https://login.microsoftonline.com/error?code=%d" % code}
        return status, h.send_bytes(status, dumps(body), JSON_CT,
                                    {"x-ms-ests-server": "2.1.emulator", "Cache-Control": "no-store"})

    def token_endpoint(self, h, path, query, body, cfg, fault):
        if cfg.get("token_latency_ms"):
            self.sleep(h, cfg["token_latency_ms"] / 1000.0)
        if h.command != "POST":
            return self.entra_error(h, 405, "invalid_request", 900561,
                                    "The endpoint only accepts POST requests. Received a %s request." % h.command)
        tenant = urllib.parse.unquote(TOKEN_PATH.match(path).group(1))
        v1 = TOKEN_PATH.match(path).group(2) is None
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return self.entra_error(h, 400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: 'grant_type'.")
        try:
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            form = {}
        basic = h.headers.get("Authorization") or ""
        if basic.lower().startswith("basic "):
            import base64
            try:
                u, _, p = base64.b64decode(basic[6:].strip()).decode().partition(":")
                form.setdefault("client_id", urllib.parse.unquote(u))
                form.setdefault("client_secret", urllib.parse.unquote(p))
            except Exception:
                pass
        if tenant.lower() == "bad-tenant":
            return self.entra_error(h, 400, "invalid_request", 90002,
                                    "Tenant '%s' not found. Check to make sure you have the correct tenant ID and "
                                    "are signing into the correct cloud." % tenant)
        gt = form.get("grant_type")
        if not gt:
            return self.entra_error(h, 400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: 'grant_type'.")
        if gt != "client_credentials":
            return self.entra_error(h, 400, "unsupported_grant_type", 70003,
                                    "The app requested an unsupported grant type '%s'." % gt[:64])
        cid = form.get("client_id")
        if not cid:
            return self.entra_error(h, 400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: 'client_id'.")
        if v1:
            scope = form.get("resource")
            if not scope:
                return self.entra_error(h, 400, "invalid_resource", 500011,
                                        "The resource principal was not found in the tenant.")
        else:
            scope = form.get("scope")
            if not scope:
                return self.entra_error(h, 400, "invalid_request", 900144,
                                        "The request body must contain the following parameter: 'scope'.")
            if not scope.strip().endswith("/.default"):
                return self.entra_error(h, 400, "invalid_scope", 1002012,
                                        "The provided value for scope %s is not valid. Client credential flows "
                                        "must have a scope value with /.default suffixed to the resource "
                                        "identifier (application ID URI)." % scope[:200])
        if cid != GOOD_CLIENT[0] and emu_identity.client_secret(cid) is None:
            return self.entra_error(h, 400, "unauthorized_client", 700016,
                                    "Application with identifier '%s' was not found in the directory '%s'. This "
                                    "can happen if the application has not been installed by the administrator "
                                    "of the tenant." % (cid[:100], tenant[:100]))
        if "client_secret" not in form and "client_assertion" not in form:
            return self.entra_error(h, 401, "invalid_client", 7000218,
                                    "The request body must contain the following parameter: 'client_assertion' "
                                    "or 'client_secret'.")
        if "client_assertion" in form or "client_assertion_type" in form:
            bad = emu_identity.IDENTITY.check_assertion(form, self.base_url(h) + path, tenant)
            if bad:
                return self.entra_error(h, *bad)
        elif form.get("client_secret") != (emu_identity.client_secret(cid) or GOOD_CLIENT[1]):
            return self.entra_error(h, 401, "invalid_client", 7000215,
                                    "Invalid client secret provided. Ensure the secret being sent in the request "
                                    "is the client secret value, not the client secret ID, for a secret added to "
                                    "app '%s'." % cid)
        life = int(cfg.get("token_lifetime", 3599))
        tok = self.state.issue_token(life, emu_identity.principal(client_id=cid))
        if v1:
            now = int(time.time())
            resp = {"token_type": "Bearer", "expires_in": str(life), "ext_expires_in": str(life),
                    "expires_on": str(now + life), "not_before": str(now), "resource": scope,
                    "access_token": tok}
        else:
            exp = str(life) if cfg.get("token_expires_in_as_string") else life
            resp = {"token_type": "Bearer", "expires_in": exp, "ext_expires_in": exp, "access_token": tok}
        return 200, h.send_bytes(200, dumps(resp), JSON_CT, {"Cache-Control": "no-store, no-cache",
                                                              "Pragma": "no-cache"})

    def imds_token(self, h, query, cfg):
        """Azure Instance Metadata Service style managed-identity token (GET, 'Metadata: true')."""
        if cfg.get("token_latency_ms"):
            self.sleep(h, cfg["token_latency_ms"] / 1000.0)
        if (h.headers.get("Metadata") or "").lower() != "true":
            return 400, h.send_bytes(400, dumps({"error": "invalid_request",
                                                 "error_description": "Required metadata header not specified"}))
        if h.command != "GET":
            return 405, h.send_bytes(405, dumps({"error": "invalid_request",
                                                 "error_description": "Only GET is supported."}))
        resource = query.get("resource")
        if not resource or not query.get("api-version"):
            return 400, h.send_bytes(400, dumps({"error": "invalid_request",
                                                 "error_description": "Required query variable 'resource' or "
                                                                      "'api-version' is missing"}))
        life = int(cfg.get("token_lifetime", 3599))
        tok = self.state.issue_token(life)
        now = int(time.time())
        return 200, h.send_bytes(200, dumps({
            "access_token": tok, "client_id": "00000000-0000-0000-0000-0000000000ff",
            "expires_in": str(life), "expires_on": str(now + life), "ext_expires_in": str(life),
            "not_before": str(now), "resource": resource, "token_type": "Bearer"}))
