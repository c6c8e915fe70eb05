#!/usr/bin/env python3
"""Self-test of the Azure Billing emulator (standard library only).

Starts the emulator in a temporary directory, exercises TLS, the token
endpoint, both api-versions, paging, date filtering, faults, the admin API and
the bulk start-up time, and prints "N passed, N failed" as its last line.
Exit status is non-zero when a check failed.

usage: selftest.py [-v]
"""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

import selftest_writes

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import checks  # noqa: E402  (test/checks.py)
from checks import check  # noqa: E402
EMULATOR = os.path.join(HERE, "azure_emulator.py")
VERBOSE = "-v" in sys.argv

MCA1 = "11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31"
MCA2 = "22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15"
EA = "8608480"
MPA = "33333333-3333-3333-3333-333333333333:33333333-3333-3333-3333-333333333333_2018-09-30"
V19, V24 = "2019-10-01-preview", "2024-04-01"
B = "/providers/Microsoft.Billing"
ACC = B + "/billingAccounts/"

checks.verbose = VERBOSE


def enc(name):
    return urllib.parse.quote(name, safe="")


class Emu:
    def __init__(self, args):
        self.dir = tempfile.mkdtemp(prefix="azemu-selftest-")
        self.t0 = time.time()
        self.proc = subprocess.Popen([sys.executable, "-B", EMULATOR, "--dir", self.dir] + args,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ready = os.path.join(self.dir, "ready")
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError("emulator exited: %s" % self.proc.stderr.read().decode(errors="replace"))
            if time.time() - self.t0 > 30:
                raise RuntimeError("emulator not ready after 30 s")
            time.sleep(0.02)
        self.startup = time.time() - self.t0
        self.env = {}
        with open(os.path.join(self.dir, "env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                self.env[k] = v
        self.ctx = ssl.create_default_context(cafile=self.env["AZB_EMULATOR_CA"])
        self.conns = {}

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def request(self, url, method="GET", headers=None, body=None, timeout=10, fresh=False):
        sp = urllib.parse.urlsplit(url)
        key = (sp.scheme, sp.netloc)
        conn = None if fresh else self.conns.pop(key, None)
        if conn is None:
            if sp.scheme == "https":
                conn = http.client.HTTPSConnection(sp.hostname, sp.port, context=self.ctx, timeout=timeout)
            else:
                conn = http.client.HTTPConnection(sp.hostname, sp.port, timeout=timeout)
        path = sp.path + ("?" + sp.query if sp.query else "")
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
        except Exception:
            conn.close()
            raise
        if not fresh and not resp.will_close:
            self.conns[key] = conn
        else:
            conn.close()
        return resp.status, resp.headers, data

    def arm(self, path, version=V24, token="emu-static-token", base=None, **query):
        q = {"api-version": version}
        q.update(query)
        url = (base or self.env["AZB_EMULATOR_URL"]) + path + "?" + urllib.parse.urlencode(q)
        hdrs = {"Authorization": "Bearer " + token} if token else {}
        st, h, data = self.request(url, headers=hdrs)
        try:
            obj = json.loads(data) if data else None
        except ValueError:
            obj = None
        return st, h, obj

    def list_all(self, path, version=V24, **query):
        """Follow nextLink to the end: (items, pages, last body)."""
        st, h, obj = self.arm(path, version, **query)
        if st != 200:
            return None, 0, obj
        items = list(obj["value"])
        pages = 1
        while obj.get("nextLink"):
            st, h, data = self.request(obj["nextLink"], headers={"Authorization": "Bearer emu-static-token"})
            if st != 200:
                return None, pages, data
            obj = json.loads(data)
            items += obj["value"]
            pages += 1
        return items, pages, obj

    def admin(self, path, method="GET", body=None):
        st, h, data = self.request(self.env["AZB_EMULATOR_HTTP_URL"] + path, method=method, body=body)
        ctype = h.get("Content-Type", "")
        return st, (json.loads(data) if "json" in ctype else data.decode())


def test_tls(e):
    st, h, obj = e.arm(B + "/operations")
    check("tls: main listener trusted via ca.pem", st == 200, st)
    check("headers: json content type", h.get("Content-Type") == "application/json; charset=utf-8")
    rid = h.get("x-ms-request-id", "")
    check("headers: x-ms-request-id is a GUID", len(rid) == 36 and rid.count("-") == 4, rid)
    check("headers: rate limit header", (h.get("x-ms-ratelimit-remaining-tenant-reads") or "").isdigit())
    st2, h2, _ = e.arm(B + "/operations")
    check("headers: fresh request id per request", h2.get("x-ms-request-id") != rid)
    try:
        e.request(e.env["AZB_EMULATOR_WRONGCA_URL"] + B + "/operations?api-version=" + V24, fresh=True)
        check("tls: wrong-CA listener refused", False, "handshake succeeded")
    except ssl.SSLCertVerificationError:
        check("tls: wrong-CA listener refused", True)
    except Exception as ex:
        check("tls: wrong-CA listener refused", False, repr(ex))
    st, _, _ = e.arm(B + "/operations", base=e.env["AZB_EMULATOR_OTHER_URL"])
    check("tls: other host (127.0.0.2) trusted via ca.pem", st == 200, st)
    st, _, _ = e.arm(B + "/operations", base=e.env["AZB_EMULATOR_HTTP_URL"])
    check("http: plain listener serves ARM", st == 200, st)
    for f in ("ca.pem", "wrong-ca.pem", "env", "ready"):
        mode = os.stat(os.path.join(e.dir, f)).st_mode & 0o777
        check("files: %s is 0644" % f, mode == 0o644, oct(mode))


def token(e, tenant="t1", secret="test-secret", client="test-client", scope="https://management.azure.com/.default"):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client,
                                   "client_secret": secret, "scope": scope}).encode()
    st, h, data = e.request("%s/%s/oauth2/v2.0/token" % (e.env["AZB_EMULATOR_URL"], tenant), "POST",
                            {"Content-Type": "application/x-www-form-urlencoded"}, form)
    return st, json.loads(data)


def test_discovery(e):
    """OpenID discovery as Entra ID serves it, so that MSAL-based clients can log in."""
    base = e.env["AZB_EMULATOR_URL"]
    st, h, data = e.request(base + "/t1/v2.0/.well-known/openid-configuration", "GET", {}, None)
    doc = json.loads(data) if st == 200 else {}
    check("discovery: v2.0 openid-configuration without a token", st == 200, st)
    check("discovery: token_endpoint is the emulator's v2.0 token URL",
          doc.get("token_endpoint") == base + "/t1/oauth2/v2.0/token", doc.get("token_endpoint"))
    check("discovery: v2.0 issuer", doc.get("issuer") == base + "/t1/v2.0", doc.get("issuer"))
    st, h, data = e.request(base + "/t1/.well-known/openid-configuration", "GET", {}, None)
    check("discovery: v1 form names the v1 token URL",
          st == 200 and json.loads(data).get("token_endpoint") == base + "/t1/oauth2/token", (st, data[:200]))
    st, h, data = e.request(base + "/bad-tenant/v2.0/.well-known/openid-configuration", "GET", {}, None)
    check("discovery: unknown tenant -> 400 AADSTS90002", st == 400 and b"AADSTS90002" in data, (st, data[:200]))
    q = urllib.parse.urlencode({"api-version": "1.1", "authorization_endpoint": base + "/t1/oauth2/v2.0/authorize"})
    st, h, data = e.request(base + "/common/discovery/instance?" + q, "GET", {}, None)
    inst = json.loads(data) if st == 200 else {}
    check("discovery: instance metadata names the emulator as its own alias",
          st == 200 and inst.get("tenant_discovery_endpoint", "").endswith("/t1/v2.0/.well-known/openid-configuration")
          and inst.get("metadata", [{}])[0].get("aliases"), (st, inst))
    # the token endpoint the document names is the one that works
    st, tok = token(e)
    check("discovery: the named token endpoint issues tokens", st == 200 and "access_token" in tok, st)


def test_tokens(e):
    st, tok = token(e)
    check("token: client credentials accepted", st == 200 and tok.get("token_type") == "Bearer", tok)
    check("token: expires_in is a number", isinstance(tok.get("expires_in"), int), tok)
    at = tok.get("access_token", "")
    check("token: emu-at- prefix", at.startswith("emu-at-"), at)
    st, _, obj = e.arm(B + "/billingAccounts", token=at)
    check("token: issued token works on ARM", st == 200, st)
    st, err = token(e, secret="Wr0ng-S3cret-Value")
    check("token: bad secret -> 401 invalid_client", st == 401 and err.get("error") == "invalid_client", err)
    check("token: AADSTS7000215", "AADSTS7000215" in err.get("error_description", "")
          and err.get("error_codes") == [7000215], err)
    check("token: secret never echoed", "Wr0ng-S3cret-Value" not in json.dumps(err))
    st, err = token(e, tenant="bad-tenant")
    check("token: bad-tenant fails", st in (400, 401) and "error" in err, (st, err))
    st, err = token(e, scope="https://management.azure.com/")
    check("token: scope without /.default refused", st == 400 and err.get("error") == "invalid_scope", err)
    e.admin("/_admin/config", "POST", {"token_expires_in_as_string": True})
    st, tok2 = token(e)
    check("token: expires_in as string", tok2.get("expires_in") == "3599", tok2)
    e.admin("/_admin/config", "POST", {"token_expires_in_as_string": False})
    st, h, obj = e.arm(B + "/billingAccounts", token=None)
    check("auth: missing token -> 401", st == 401 and "WWW-Authenticate" in h, st)
    st, h, obj = e.arm(B + "/billingAccounts", token="emu-at-999-nope")
    check("auth: unknown token -> InvalidAuthenticationToken",
          st == 401 and obj["error"]["code"] == "InvalidAuthenticationToken", obj)
    e.admin("/_admin/expire_tokens", "POST")
    st, h, obj = e.arm(B + "/billingAccounts", token=at)
    check("auth: expire_tokens -> ExpiredAuthenticationToken",
          st == 401 and obj["error"]["code"] == "ExpiredAuthenticationToken", obj)
    st, h, obj = e.arm(B + "/billingAccounts")
    check("auth: static token still valid", st == 200, st)
    st, h, obj = e.arm(B + "/billingAccounts", version=None)
    st, h, obj = e.arm(B + "/operations", version="2020-05-01")
    check("api-version: unsupported -> 400 InvalidApiVersionParameter",
          st == 400 and obj["error"]["code"] == "InvalidApiVersionParameter", obj)
    url = e.env["AZB_EMULATOR_URL"] + B + "/operations"
    st, h, data = e.request(url, headers={"Authorization": "Bearer emu-static-token"})
    check("api-version: missing -> 400 MissingApiVersionParameter",
          st == 400 and json.loads(data)["error"]["code"] == "MissingApiVersionParameter", data)


def b64url(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion(e, key, alg="PS256", aud=None, iss="test-client", sub="test-client", jti=None,
              nbf=None, exp=None, x5t=None, tenant="t1"):
    """A client assertion signed with the openssl CLI, as a client would send it."""
    import hashlib
    crt = e.env["AZB_EMULATOR_CLIENT_PEM"][:-4] + ".crt"
    der = subprocess.run(["openssl", "x509", "-in", crt, "-outform", "DER"], capture_output=True).stdout
    if x5t is None:
        x5t = b64url((hashlib.sha256 if alg == "PS256" else hashlib.sha1)(der).digest())
    now = int(time.time())
    head = {"alg": alg, "typ": "JWT", ("x5t#S256" if alg == "PS256" else "x5t"): x5t}
    claims = {"aud": aud or "%s/%s/oauth2/v2.0/token" % (e.env["AZB_EMULATOR_URL"], tenant),
              "iss": iss, "sub": sub, "jti": jti or os.urandom(16).hex(),
              "nbf": now if nbf is None else nbf, "iat": now if nbf is None else nbf,
              "exp": (now + 600) if exp is None else exp}
    inp = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    args = ["openssl", "dgst", "-sha256", "-sign", key]
    if alg == "PS256":
        args += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256"]
    sig = subprocess.run(args, input=inp.encode(), capture_output=True).stdout
    return inp + "." + b64url(sig), claims["jti"]


def assertion_token(e, jwt, tenant="t1", client="test-client", atype=None):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client,
                                   "client_assertion_type": atype or
                                   "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                                   "client_assertion": jwt,
                                   "scope": "https://management.azure.com/.default"}).encode()
    st, h, data = e.request("%s/%s/oauth2/v2.0/token" % (e.env["AZB_EMULATOR_URL"], tenant), "POST",
                            {"Content-Type": "application/x-www-form-urlencoded"}, form)
    obj = json.loads(data)
    return st, obj, (obj.get("error_codes") or [None])[0]


def test_identity(e):
    good, wrong = e.env["AZB_EMULATOR_CLIENT_KEY"], e.env["AZB_EMULATOR_WRONG_KEY"]
    for f in ("AZB_EMULATOR_CLIENT_PEM", "AZB_EMULATOR_CLIENT_WRONG_PEM", "AZB_EMULATOR_CLIENT_EC_PEM",
              "AZB_EMULATOR_CLIENT_ENCRYPTED_PEM", "AZB_EMULATOR_FEDERATED_TOKEN_FILE"):
        check("identity: %s exists" % f, os.path.isfile(e.env.get(f, "")), e.env.get(f))
    jwt, jti = assertion(e, good)
    st, obj, code = assertion_token(e, jwt)
    check("identity: PS256 assertion accepted", st == 200 and obj.get("access_token"), obj)
    st, obj, code = assertion_token(e, jwt)
    check("identity: a replayed jti is refused", st == 401 and obj.get("error") == "invalid_client" and code == 50013, obj)
    st, obj, code = assertion_token(e, assertion(e, good, alg="RS256")[0])
    check("identity: RS256 assertion with x5t accepted", st == 200, obj)
    st, obj, code = assertion_token(e, assertion(e, wrong)[0])
    check("identity: a wrong key fails the signature (AADSTS700027)", st == 401 and code == 700027
          and "did not match" in obj.get("error_description", ""), obj)
    st, obj, code = assertion_token(e, assertion(e, good, x5t="AAAA")[0])
    check("identity: an unknown thumbprint (AADSTS700027)", st == 401 and code == 700027
          and "key was not found" in obj.get("error_description", ""), obj)
    # PSS with another salt length (64 bytes, named: OpenSSL's default differs
    # between versions and is 32 in newer ones) is not PS256
    inp = jwt.rsplit(".", 1)[0]
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", good, "-sigopt", "rsa_padding_mode:pss",
                          "-sigopt", "rsa_pss_saltlen:64", "-sigopt", "rsa_mgf1_md:sha256"],
                         input=inp.encode(), capture_output=True).stdout
    st, obj, code = assertion_token(e, inp.replace(jti, jti) + "." + b64url(sig))
    check("identity: a PSS salt other than 32 bytes is refused", st == 401 and code == 700027, obj)
    now = int(time.time())
    st, obj, code = assertion_token(e, assertion(e, good, nbf=now - 1800, exp=now - 1200)[0])
    check("identity: an expired assertion (AADSTS700024)", st == 401 and code == 700024, obj)
    st, obj, code = assertion_token(e, assertion(e, good, nbf=now + 1800, exp=now + 2400)[0])
    check("identity: a future nbf (AADSTS700024)", st == 401 and code == 700024, obj)
    st, obj, code = assertion_token(e, assertion(e, good, exp=now + 3600)[0])
    check("identity: a lifetime over 10 minutes (AADSTS700024)", st == 401 and code == 700024, obj)
    st, obj, code = assertion_token(e, assertion(e, good, aud="https://login.microsoftonline.com/t1/oauth2/v2.0/token")[0])
    check("identity: a wrong audience (AADSTS700023)", st == 401 and code == 700023, obj)
    st, obj, code = assertion_token(e, assertion(e, good, aud=e.env["AZB_EMULATOR_URL"] + "/t1/v2.0")[0])
    check("identity: the issuer as audience is accepted", st == 200, obj)
    st, obj, code = assertion_token(e, assertion(e, good, sub="someone-else")[0])
    check("identity: sub other than client_id (AADSTS700021)", st == 401 and code == 700021, obj)
    st, obj, code = assertion_token(e, "not.a.jwt")
    check("identity: a malformed assertion (AADSTS50027)", st == 400 and code == 50027, obj)
    st, obj, code = assertion_token(e, assertion(e, good)[0], atype="urn:other")
    check("identity: a wrong client_assertion_type", st == 400 and obj.get("error") == "invalid_request", obj)
    st, obj, code = assertion_token(e, assertion(e, good)[0], client="nobody")
    check("identity: an unknown client (AADSTS700016)", st == 400 and code == 700016, obj)
    # federated tokens: the file the emulator keeps, reused until it expires, rotated by the admin API
    fed = open(e.env["AZB_EMULATOR_FEDERATED_TOKEN_FILE"]).read().strip()
    st, obj, code = assertion_token(e, fed)
    check("identity: the federated token is accepted", st == 200, obj)
    st, obj, code = assertion_token(e, fed)
    check("identity: and accepted again (not single-use)", st == 200, obj)
    st, r = e.admin("/_admin/identity/federated_token", "POST", {"subject": "system:serviceaccount:x:y"})
    fed2 = open(e.env["AZB_EMULATOR_FEDERATED_TOKEN_FILE"]).read().strip()
    check("identity: rotation rewrites the file", st == 200 and fed2 != fed and r.get("jti"), r)
    st, obj, code = assertion_token(e, fed2)
    check("identity: an unknown subject (AADSTS70021)", st == 400 and code == 70021, obj)
    e.admin("/_admin/identity/federated_token", "POST", {"lifetime": -600})
    st, obj, code = assertion_token(e, open(e.env["AZB_EMULATOR_FEDERATED_TOKEN_FILE"]).read().strip())
    check("identity: an expired federated token (AADSTS700024)", st == 401 and code == 700024, obj)
    parts = fed.split(".")
    st, obj, code = assertion_token(e, parts[0] + "." + parts[1] + "." + b64url(b"x" * 256))
    check("identity: a forged federated signature (AADSTS700027)", st == 401 and code == 700027, obj)
    e.admin("/_admin/identity/federated_token", "POST", {})
    st, r = e.admin("/_admin/identity")
    check("identity: counters", st == 200 and r.get("assertions_accepted", 0) >= 4, r)
    # clock offset as an admin knob
    e.admin("/_admin/identity", "POST", {"clock_offset": 3600})
    st, obj, code = assertion_token(e, assertion(e, good)[0])
    check("identity: clock_offset makes a fresh assertion expired", st == 401 and code == 700024, obj)
    e.admin("/_admin/identity", "POST", {"clock_offset": 0})
    # App Service
    base = e.env["AZB_EMULATOR_HTTP_URL"]
    app = base + e.env["AZB_EMULATOR_APP_SERVICE_PATH"] + "?api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
    st, h, data = e.request(app, headers={"X-IDENTITY-HEADER": e.env["AZB_EMULATOR_IDENTITY_HEADER"]})
    obj = json.loads(data)
    check("identity: App Service token with expires_on", st == 200 and obj.get("access_token")
          and obj.get("expires_on", "").isdigit() and "expires_in" not in obj, obj)
    st, h, data = e.request(app, headers={"X-IDENTITY-HEADER": "wrong"})
    check("identity: App Service refuses a wrong header", st == 400, st)
    # Arc: the challenge names a realm; its file's contents answer it
    tmp = tempfile.mkdtemp(prefix="azemu-arc-")
    realm = os.path.join(tmp, "k.key")
    with open(realm, "w") as f:
        f.write("secret-in-file")
    e.admin("/_admin/identity", "POST", {"arc_realm": realm})
    arc = base + e.env["AZB_EMULATOR_ARC_PATH"] + "?api-version=2020-06-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
    st, h, data = e.request(arc, headers={"Metadata": "true"})
    check("identity: Arc challenges with Basic realm", st == 401 and h.get("WWW-Authenticate") == "Basic realm=" + realm,
          (st, h.get("WWW-Authenticate")))
    st, h, data = e.request(arc, headers={"Metadata": "true", "Authorization": "Basic nope"})
    check("identity: Arc refuses a wrong key", st == 401, st)
    st, h, data = e.request(arc, headers={"Metadata": "true", "Authorization": "Basic secret-in-file"})
    obj = json.loads(data)
    check("identity: Arc answers the realm file's contents with a token", st == 200 and obj.get("access_token")
          and obj.get("expires_in", "").isdigit(), obj)
    e.admin("/_admin/identity", "POST", {"arc_realm": None})
    shutil.rmtree(tmp, ignore_errors=True)
    st, h, data = e.request(arc)
    check("identity: Arc needs Metadata: true", st == 400, st)
    e.admin("/_admin/reset", "POST", {})
    st, r = e.admin("/_admin/identity")
    check("identity: reset clears the counters", r.get("assertions_accepted") == 0, r)


def test_partial(e):
    """The partial reader: every account listed, 403 AuthorizationFailed under the forbidden ones."""
    st, tok = token(e, client="partial-reader", secret="partial-secret")
    check("partial: the partial reader gets a token", st == 200 and tok.get("access_token"), tok)
    st, err = token(e, client="partial-reader", secret="test-secret")
    check("partial: its secret is its own", st == 401 and err.get("error") == "invalid_client", err)
    for t in (tok.get("access_token", ""), "emu-partial-token"):
        st, h, obj = e.arm(B + "/billingAccounts", token=t)
        items = obj.get("value", []) if st == 200 else []
        access = {x["name"]: x["properties"].get("hasReadAccess") for x in items}
        check("partial: billing accounts all listed", st == 200 and len(items) == 5, (st, len(items)))
        check("partial: hasReadAccess false on the forbidden accounts only",
              access.get(MCA2) is False and access.get(EA) is False and access.get(MCA1) is True
              and access.get(MPA) is True, access)
        st, h, obj = e.arm(ACC + enc(MCA1) + "/billingProfiles", token=t)
        check("partial: a readable account's profiles", st == 200 and len(obj["value"]) == 2, st)
        st, h, obj = e.arm(ACC + enc(MCA2) + "/billingProfiles", token=t)
        err = (obj or {}).get("error", {})
        check("partial: a forbidden account's profiles -> 403 AuthorizationFailed",
              st == 403 and err.get("code") == "AuthorizationFailed", (st, obj))
        check("partial: the message names the action and the scope",
              "Microsoft.Billing/billingAccounts/billingProfiles/read" in err.get("message", "")
              and "over scope '/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles'" % MCA2
              in err.get("message", ""), err.get("message"))
        check("partial: x-ms-failure-cause gateway", h.get("x-ms-failure-cause") == "gateway", dict(h))
        st, h, obj = e.arm(ACC + EA, token=t)
        check("partial: the forbidden account itself -> 403", st == 403, st)
        st, h, obj = e.arm(ACC + EA + "/invoices", token=t, periodStartDate="2024-01-01",
                           periodEndDate="2024-12-31")
        check("partial: a forbidden account's children -> 403", st == 403, st)
        st, h, obj = e.arm(ACC + enc(MCA2).lower() + "/billingProfiles", token=t)
        check("partial: account names match case-insensitively", st == 403, st)
    # the full identity still reads everything, and its cached pages are not the partial reader's
    st, h, obj = e.arm(ACC + enc(MCA2) + "/billingProfiles")
    check("partial: the full identity reads the forbidden account", st == 200, st)
    st, h, obj = e.arm(B + "/billingAccounts")
    check("partial: the full identity's list says hasReadAccess true everywhere",
          st == 200 and all(x["properties"].get("hasReadAccess") for x in obj["value"]), st)
    st, h, obj = e.arm(ACC + enc(MCA2) + "/billingProfiles", token="emu-partial-token")
    check("partial: no cached page answers the partial reader", st == 403, st)


def test_core_routes(e):
    p = ACC + enc(MCA1)
    bp = p + "/billingProfiles/AAAA-1111-BP1-PRF"
    sec = bp + "/invoiceSections/AAAA-1111-IS1-SEC"
    for v in (V19, V24):
        items, _, _ = e.list_all(B + "/billingAccounts", v)
        check("%s: billing accounts" % v, items is not None and len(items) == 5, items and len(items))
        items, _, _ = e.list_all(p + "/billingProfiles", v)
        check("%s: billing profiles" % v, items is not None and
              sorted(x["name"] for x in items) == ["AAAA-1111-BP1-PRF", "AAAA-2222-BP2-PRF"], items)
        items, _, _ = e.list_all(bp + "/invoiceSections", v)
        check("%s: invoice sections" % v, items is not None and len(items) == 2, items)
        items, _, _ = e.list_all(bp + "/invoices", v, periodStartDate="2024-01-01", periodEndDate="2024-12-31")
        check("%s: invoices of 2024" % v, items is not None and len(items) == 12, items and len(items))
        q = {"periodStartDate": "2024-01-01", "periodEndDate": "2024-01-31"}
        if v == V24:
            q["type"] = "Billed"
        items, _, _ = e.list_all(bp + "/transactions", v, **q)
        check("%s: transactions of 2024-01" % v, items is not None and len(items) == 6, items and len(items))
        items, _, _ = e.list_all(sec + "/billingSubscriptions", v)
        check("%s: billing subscriptions" % v, items is not None and len(items) == 2, items)
        if items:
            check("%s: billing subscription ids are account-level" % v,
                  all("/invoiceSections/" not in x["id"] for x in items), items[0]["id"])
        items, _, _ = e.list_all(sec + "/products", v)
        check("%s: products" % v, items is not None and len(items) == 2, items)
        if items and v == V19:
            check("2019: product dates are MM/DD/YYYY", items[0]["properties"]["purchaseDate"][2] == "/", items[0])


def test_paging_dates(e):
    e.admin("/_admin/config", "POST", {"page_size": 7})
    p = ACC + enc(MCA1)
    items, pages, last = e.list_all(p + "/invoices", V24)
    check("paging: all 92 MCA1 invoices", items is not None and len(items) == 92, items and len(items))
    check("paging: 14 pages of 7", pages == 14, pages)
    check("paging: unique items", items is not None and len({x["name"] for x in items}) == 92)
    check("paging: last page has no nextLink key", "nextLink" not in last, last.keys())
    st, h, obj = e.arm(p + "/invoices", V24)
    nl = obj.get("nextLink", "")
    check("paging: nextLink absolute on the same host", nl.startswith(e.env["AZB_EMULATOR_URL"] + "/"), nl)
    check("paging: nextLink keeps api-version and adds $skiptoken",
          "api-version=2024-04-01" in nl and "$skiptoken=" in nl, nl)
    st, h, obj = e.arm(p + "/invoices", V24, base=e.env["AZB_EMULATOR_HTTP_URL"])
    check("paging: http listener links to http", obj["nextLink"].startswith(e.env["AZB_EMULATOR_HTTP_URL"]))
    e.admin("/_admin/config", "POST", {"page_size": 50})
    bp = p + "/billingProfiles/AAAA-1111-BP1-PRF"
    for v in (V19, V24):
        items, _, _ = e.list_all(bp + "/invoices", v, periodStartDate="2024-01-01", periodEndDate="2024-03-31")
        dates = sorted(x["properties"]["invoiceDate"][:10] for x in items or [])
        check("%s: invoice date window" % v, dates == ["2024-01-01", "2024-02-01", "2024-03-01"], dates)
    items, _, _ = e.list_all(bp + "/invoices", V24)
    check("2024: invoices without dates -> all 46", items is not None and len(items) == 46, items and len(items))
    st, _, obj = e.arm(bp + "/invoices", V19)
    check("2019: invoices require dates", st == 400, st)
    st, _, obj = e.arm(bp + "/invoices", V19, periodStartDate="01-01-2024", periodEndDate="2024-12-31")
    check("dates: non-ISO date -> 400", st == 400 and obj["error"]["code"] in ("InvalidInput", "BadRequest"), obj)
    sec = bp + "/invoiceSections/AAAA-1111-IS1-SEC/transactions"
    st, _, obj = e.arm(sec, V24, periodStartDate="2024-01-01", periodEndDate="2024-12-31")
    check("2024: transactions require type", st == 400, st)
    st, _, obj = e.arm(sec, V24, periodStartDate="2024-01-01", type="Billed")
    check("2024: transactions require periodEndDate", st == 400, st)
    st, _, obj = e.arm(sec, V24, periodStartDate="2024-01-01", periodEndDate="2024-12-31", type="Bogus")
    check("2024: bad type -> 400", st == 400, st)
    all_win = {"periodStartDate": "2022-01-01", "periodEndDate": "2026-12-31"}
    counts = {}
    for t in ("Billed", "Unbilled", "Other"):
        items, _, _ = e.list_all(sec, V24, type=t, **all_win)
        counts[t] = len(items or [])
        if t == "Unbilled" and items:
            check("2024: unbilled rows are Pending without invoiceId",
                  all(x["properties"]["invoice"] == "Pending" and "invoiceId" not in x["properties"]
                      for x in items))
    check("2024: type split 131/6/7", counts == {"Billed": 131, "Unbilled": 6, "Other": 7}, counts)
    items, _, _ = e.list_all(sec, V19, **all_win)
    check("2019: all 144 section transactions", items is not None and len(items) == 144, items and len(items))


def test_points_odata_agreements(e):
    p = ACC + enc(MCA1)
    st, _, obj = e.arm(p + "/invoices/G000000001", V24)
    check("get: invoice G000000001", st == 200 and obj["name"] == "G000000001", obj)
    st, _, obj = e.arm(p + "/invoices/G999999999", V24)
    check("get: unknown invoice -> 404 NotFound", st == 404 and obj["error"]["code"] in ("NotFound", "ResourceNotFound"),
          obj)
    st, _, obj = e.arm(ACC + "nope-account/billingProfiles", V24)
    check("get: unknown account -> 404", st == 404, st)
    raw = e.env["AZB_EMULATOR_URL"] + ACC + MCA1 + "/billingProfiles/AAAA-1111-BP1-PRF?api-version=" + V24
    st, _, data = e.request(raw, headers={"Authorization": "Bearer emu-static-token"})
    check("get: raw ':' in account name accepted", st == 200, st)
    raw = e.env["AZB_EMULATOR_URL"] + ACC + enc(MCA1) + "/BILLINGPROFILES/AAAA-1111-BP1-PRF?api-version=" + V24
    st, _, data = e.request(raw, headers={"Authorization": "Bearer emu-static-token"})
    check("get: collection names case-insensitive", st == 200, st)
    st, _, obj = e.arm(p + "/billingProfiles/AAAA-1111-BP1-PRF/availableBalance/default", V24)
    check("single: available balance is one object", st == 200 and obj["name"] == "default" and "value" not in obj)
    items, _, _ = e.list_all(p + "/invoices", V24, **{"$filter": "properties/status eq 'Due'"})
    check("odata: $filter eq", items is not None and len(items) == 2, items and len(items))
    items, _, _ = e.list_all(p + "/invoices", V24, filter="properties/invoiceDate ge '2026-01-01' and "
                                                          "properties/billingProfileId ne 'x''y'")
    check("odata: filter ge + and + quote escape", items is not None and len(items) == 20, items and len(items))
    st, _, obj = e.arm(p + "/invoices", V24, **{"$top": "3"})
    check("odata: $top", st == 200 and len(obj["value"]) == 3 and "nextLink" not in obj, obj and obj.keys())
    st, _, obj = e.arm(p + "/invoices", V24, **{"$filter": "contains(name, 'G')"})
    check("odata: unknown syntax -> 400", st == 400, st)
    st, _, obj = e.arm(p + "/departments", V24)
    check("agreement: MCA departments -> 400 InvalidBillingAccountType",
          st == 400 and obj["error"]["code"] == "InvalidBillingAccountType", obj)
    st, _, obj = e.arm(ACC + EA + "/products", V24)
    check("agreement: EA products -> 200 []", st == 200 and obj == {"value": []}, obj)
    st, _, obj = e.arm(ACC + EA + "/departments", V24)
    check("EA: two departments", st == 200 and len(obj["value"]) == 2, obj)
    st, _, obj = e.arm(ACC + enc(MPA) + "/customers", V24)
    check("MPA: customers with totalCount", st == 200 and obj.get("totalCount") == 2, obj)


def test_faults_log(e):
    e.admin("/_admin/reset", "POST")
    p = ACC + enc(MCA1)
    st, r = e.admin("/_admin/faults", "POST", {"faults": [
        {"match": "/billingProfiles", "fault": "status", "status": 429, "retry_after": 2}]})
    check("faults: added", st == 200 and r.get("ok"), r)
    st, h, obj = e.arm(p + "/billingProfiles", V24)
    check("fault 429: status", st == 429, st)
    check("fault 429: Retry-After", h.get("Retry-After") == "2", dict(h))
    check("fault 429: ARM error body", obj and obj["error"]["code"] == "TooManyRequests", obj)
    st, h, obj = e.arm(p + "/billingProfiles", V24)
    check("fault 429: only once (count 1)", st == 200, st)
    e.admin("/_admin/faults", "POST", {"faults": [
        {"match": "/invoices", "fault": "foreign_nextlink"},
        {"match": "^/providers/Microsoft.Billing/operations$", "fault": "empty_page"},
        {"match": "/agreements", "fault": "truncated"},
        {"match": "/billingPermissions", "fault": "malformed"},
        {"match": "/customers", "fault": "reset"},
        {"match": "/departments", "fault": "hang", "seconds": 1},
        {"match": "/paymentMethods", "method": "GET", "fault": "status", "status": 503, "body_shape": "html"}]})
    e.admin("/_admin/config", "POST", {"page_size": 10})
    st, h, obj = e.arm(p + "/invoices", V24)
    check("fault foreign_nextlink", obj["nextLink"].startswith(e.env["AZB_EMULATOR_OTHER_URL"] + "/"),
          obj.get("nextLink"))
    st, h, obj = e.arm(B + "/operations", V24)
    check("fault empty_page: [] with nextLink", st == 200 and obj["value"] == [] and obj.get("nextLink"), obj)
    st, h, data = e.request(obj["nextLink"], headers={"Authorization": "Bearer emu-static-token"})
    nxt = json.loads(data)
    check("fault empty_page: next page is the first page", len(nxt["value"]) == 10 and
          nxt["value"][0]["name"] == "Microsoft.Billing/billingAccounts/read", nxt["value"][:1])
    try:
        e.arm(p + "/agreements", V24)
        check("fault truncated: client sees short body", False)
    except http.client.IncompleteRead:
        check("fault truncated: client sees short body", True)
    except Exception as ex:
        check("fault truncated: client sees short body", False, repr(ex))
    st, h, obj = e.arm(p + "/billingPermissions", V24)
    check("fault malformed: 200 with broken JSON", st == 200 and obj is None, st)
    try:
        e.arm(ACC + enc(MPA) + "/customers", V24)
        check("fault reset: connection dropped", False)
    except (ConnectionError, http.client.RemoteDisconnected, ssl.SSLError, OSError):
        check("fault reset: connection dropped", True)
    t0 = time.time()
    try:
        e.arm(ACC + EA + "/departments", V24)
        check("fault hang: no answer", False)
    except (ConnectionError, http.client.RemoteDisconnected, ssl.SSLError, OSError, socket.timeout):
        check("fault hang: no answer, closed after 1 s", 0.8 < time.time() - t0 < 5, time.time() - t0)
    st, h, data = e.request(e.env["AZB_EMULATOR_URL"] + p + "/paymentMethods?api-version=" + V24,
                            headers={"Authorization": "Bearer emu-static-token"})
    check("fault 503 html", st == 503 and h.get("Content-Type", "").startswith("text/html"), (st, dict(h)))
    # log and log.tsv
    st, log = e.admin("/_admin/log")
    check("log: JSON array", st == 200 and isinstance(log, list) and len(log) >= 9, len(log))
    first = log[0] if log else {}
    check("log: fields", all(k in first for k in ("seq", "listener", "host", "method", "raw_path", "path", "query",
                                                  "raw_query", "status", "authorization", "headers", "ts",
                                                  "duration_ms", "fault")), first.keys())
    check("log: 429 recorded with fault", first.get("status") == 429 and first.get("fault") == "status", first)
    check("log: raw_path keeps %3A, path decodes it", "%3A" in first.get("raw_path", "") and
          MCA1 in first.get("path", ""), first.get("raw_path"))
    check("log: main listener redacts Authorization", first.get("headers", {}).get("Authorization") == "<redacted>")
    check("log: query decoded", first.get("query", {}).get("api-version") == V24)
    check("log: seq increasing", [x["seq"] for x in log] == sorted(x["seq"] for x in log))
    st, tsv = e.admin("/_admin/log.tsv")
    lines = tsv.rstrip("\n").split("\n")
    check("log.tsv: header", lines[0] == "seq\tlistener\tmethod\tpath\traw_query\tstatus\tauthorization\tfault\traw_path",
          lines[0])
    check("log.tsv: one line per request", len(lines) == len(log) + 1, (len(lines), len(log)))
    check("log.tsv: fields", lines[1].split("\t")[5:8] == ["429", "true", "status"]
          and "%3A" in lines[1].split("\t")[8], lines[1])
    # reset
    st, r = e.admin("/_admin/reset", "POST")
    check("reset: ok", r == {"ok": True}, r)
    st, log = e.admin("/_admin/log")
    check("reset: log cleared", log == [], log[:2])
    st, cfg = e.admin("/_admin/config")
    check("reset: config back to startup", cfg.get("page_size") == 50, cfg)
    st, faults = e.admin("/_admin/faults")
    check("reset: faults cleared", faults == [], faults)


def test_more_faults(e):
    e.admin("/_admin/reset", "POST")
    e.admin("/_admin/config", "POST", {"page_size": 5})
    p = ACC + enc(MCA1)
    inv = p + "/invoices"

    def fault(rule):
        e.admin("/_admin/faults", "DELETE")
        st, r = e.admin("/_admin/faults", "POST", {"faults": [rule]})
        return st

    fault({"match": "/invoices", "fault": "relative_nextlink"})
    st, h, obj = e.arm(inv, V24)
    check("fault relative_nextlink", obj["nextLink"].startswith("/providers/") and "$skiptoken=" in obj["nextLink"],
          obj.get("nextLink"))
    fault({"match": "/invoices", "fault": "repeat_nextlink"})
    st, h, obj = e.arm(inv, V24)
    check("fault repeat_nextlink", obj["nextLink"] == e.env["AZB_EMULATOR_URL"] + inv + "?api-version=" + V24,
          obj.get("nextLink"))
    bp = p + "/billingProfiles"
    fault({"match": "/billingProfiles", "fault": "empty_nextlink"})
    st, h, obj = e.arm(bp, V24)
    check("fault empty_nextlink", obj.get("nextLink") == "" and len(obj["value"]) == 2, obj.get("nextLink"))
    fault({"match": "/billingProfiles", "fault": "null_nextlink"})
    st, h, obj = e.arm(bp, V24)
    check("fault null_nextlink", "nextLink" in obj and obj["nextLink"] is None, obj.keys())
    fault({"match": "/billingProfiles", "fault": "bad_item"})
    st, h, obj = e.arm(bp, V24)
    check("fault bad_item", any(not isinstance(x, dict) for x in obj["value"]), obj["value"][:1])
    fault({"match": "/invoices", "fault": "bad_value"})
    st, h, obj = e.arm(inv, V24)
    pr = obj["value"][0]["properties"]
    check("fault bad_value", "not-a-date" in pr.values() and
          any(isinstance(v, dict) and v.get("value") == "12,50" for v in pr.values()), pr)
    fault({"match": "/billingProfiles", "fault": "no_id"})
    st, h, obj = e.arm(bp, V24)
    check("fault no_id", all("id" not in x for x in obj["value"]), obj["value"][:1])
    fault({"match": "/billingProfiles", "fault": "extra_keys"})
    st, h, obj = e.arm(bp, V24)
    check("fault extra_keys", obj.get("totalCount") == 2 and "value" in obj, obj.keys())
    fault({"match": "/billingProfiles", "fault": "wrong_content_type"})
    st, h, obj = e.arm(bp, V24)
    check("fault wrong_content_type", st == 200 and h.get("Content-Type", "").startswith("text/plain") and obj,
          dict(h))
    fault({"match": "/billingProfiles", "fault": "html"})
    st, h, obj = e.arm(bp, V24)
    check("fault html", st == 200 and h.get("Content-Type", "").startswith("text/html") and obj is None, dict(h))
    fault({"match": "/billingProfiles", "fault": "huge", "bytes": 3000000})
    st, h, obj = e.arm(bp, V24)
    check("fault huge: exact size, valid JSON", st == 200 and h.get("Content-Length") == "3000000" and
          obj and obj["value"] == [], h.get("Content-Length"))
    fault({"match": "/billingProfiles", "fault": "slow", "ms": 300})
    t0 = time.time()
    st, h, obj = e.arm(bp, V24)
    check("fault slow", st == 200 and time.time() - t0 >= 0.28, time.time() - t0)
    fault({"match": "/billingProfiles", "fault": "expire_token"})
    st, h, obj = e.arm(bp, V24)
    check("fault expire_token", st == 401 and obj["error"]["code"] == "ExpiredAuthenticationToken" and
          "WWW-Authenticate" in h, obj)
    st, h, obj = e.arm(bp, V24)
    check("fault expire_token: once", st == 200, st)
    fault({"match": "/oauth2/", "fault": "token_error", "status": 400, "error": "invalid_request"})
    st, err = token(e)
    check("fault token_error", st == 400 and err.get("error") == "invalid_request" and "error_codes" in err, err)
    fault({"match": "/billingProfiles", "fault": "status", "status": 503, "body_shape": "bare",
           "retry_after_ms": 250, "x_ms_retry_after_ms": 300, "nth": 2, "count": 0})
    st1, _, _ = e.arm(bp, V24)
    st2, h2, obj2 = e.arm(bp, V24)
    st3, _, _ = e.arm(bp, V24)
    check("fault nth/count 0", (st1, st2, st3) == (200, 503, 503), (st1, st2, st3))
    check("fault retry-after-ms headers", h2.get("retry-after-ms") == "250" and
          h2.get("x-ms-retry-after-ms") == "300", dict(h2))
    check("fault bare body", obj2 == {"code": "ServiceUnavailable", "message": obj2.get("message")}, obj2)
    st, r = e.admin("/_admin/faults", "POST", {"faults": [{"match": "x", "fault": "no-such-fault"}]})
    check("faults: unknown fault name rejected", st == 400, (st, r))
    e.admin("/_admin/reset", "POST")


def test_other_host_lro(e):
    e.admin("/_admin/reset", "POST")
    other = e.env["AZB_EMULATOR_OTHER_URL"]
    e.request(other + B + "/operations?api-version=" + V24, headers={"Authorization": "Bearer emu-static-token"})
    st, log = e.admin("/_admin/log")
    rec = log[-1] if log else {}
    check("other host: recorded with host 127.0.0.2", rec.get("listener") == "other" and rec.get("host") == "127.0.0.2",
          rec)
    check("other host: Authorization recorded verbatim",
          rec.get("headers", {}).get("Authorization") == "Bearer emu-static-token", rec.get("headers"))
    p = ACC + enc(MCA1)
    url = e.env["AZB_EMULATOR_URL"] + p + "/invoices/G000000001/download?api-version=" + V24
    st, h, data = e.request(url, "POST", {"Authorization": "Bearer emu-static-token"}, b"")
    loc = h.get("Location", "")
    check("lro: 202 with Location and Retry-After", st == 202 and "/operationResults/" in loc and
          h.get("Retry-After") == "1", (st, dict(h)))
    check("lro: Location on the same host, account colon raw", loc.startswith(e.env["AZB_EMULATOR_URL"]) and
          MCA1 in loc, loc)
    st1, h1, _ = e.request(loc, headers={"Authorization": "Bearer emu-static-token"})
    st2, h2, data2 = e.request(loc, headers={"Authorization": "Bearer emu-static-token"})
    res = json.loads(data2) if st2 == 200 else {}
    check("lro: one 202 poll then 200", st1 == 202 and st2 == 200, (st1, st2))
    blob = res.get("url", "")
    check("lro: url on other host with SAS", blob.startswith(other + "/blob/") and "sig=" in blob and "se=" in blob,
          res)
    check("lro: expiryTime", "expiryTime" in res, res)
    st, h, data = e.request(blob)
    check("blob: served without Authorization", st == 200 and data.startswith(b"%PDF"), (st, data[:20]))
    st, log = e.admin("/_admin/log")
    check("blob: log shows no Authorization sent", log and log[-1]["listener"] == "other" and
          log[-1]["authorization"] is False, log[-1:])
    e.admin("/_admin/config", "POST", {"lro_bare_string": True, "lro_polls": 0})
    st, h, data = e.request(url, "POST", {"Authorization": "Bearer emu-static-token"}, b"")
    st, h, data = e.request(h.get("Location"), headers={"Authorization": "Bearer emu-static-token"})
    check("lro: bare string result", st == 200 and isinstance(json.loads(data), str), data[:80])
    e.admin("/_admin/reset", "POST")


def test_bulk():
    e = Emu(["--bulk-transactions", "1000000"])
    try:
        check("bulk: 1,000,000 transactions start in < 5 s", e.startup < 5.0, "%.2f s" % e.startup)
        e.admin("/_admin/config", "POST", {"page_size": 1000})
        bp = ACC + enc(MCA2) + "/billingProfiles/BBBB-1111-BP1-PRF/transactions"
        t0 = time.time()
        items, pages, _ = e.list_all(bp, V24, periodStartDate="2025-06-15", periodEndDate="2025-06-15", type="Billed")
        year = 365 * 86400
        day0 = (165 * 86400)               # 2025-06-15 is day 165 of 2025
        lo = -(-(day0 * 1000000) // year)
        hi = -(-((day0 + 86400) * 1000000) // year)
        check("bulk: one day of bulk transactions", items is not None and len(items) == hi - lo,
              (items and len(items), hi - lo))
        check("bulk: paged by 1000", pages == -(-(hi - lo) // 1000), pages)
        check("bulk: about 2 KB per transaction", items and 1000 < len(json.dumps(items[0], separators=(",", ":"))) < 2500,
              items and len(json.dumps(items[0])))
        check("bulk: fast enough", time.time() - t0 < 5, time.time() - t0)
        st, _, obj = e.arm(bp, V24, periodStartDate="2025-01-01", periodEndDate="2025-12-31", type="Unbilled")
        check("bulk: bulk rows are all Billed", st == 200 and len(obj["value"]) == 0, obj and len(obj.get("value", [])))
        # bulk_years 5: the same transactions over five years ending today
        import datetime as _dt
        e.admin("/_admin/config", "POST", {"bulk_transactions": 1825, "bulk_years": 5})
        today = _dt.datetime.now(_dt.timezone.utc).date()
        first = today - _dt.timedelta(days=5 * 365)
        items, _, _ = e.list_all(bp, V24, periodStartDate=first.isoformat(), periodEndDate=today.isoformat(),
                                 type="Billed")
        bulk = [x for x in items or [] if x["name"].startswith("b0000000-")]
        dates = sorted(x["properties"]["date"][:10] for x in bulk)
        check("bulk_years: five years of bulk transactions", len(bulk) == 1825, len(bulk))
        check("bulk_years: from five years ago to yesterday", dates and dates[0] == first.isoformat()
              and dates[-1] == (today - _dt.timedelta(days=1)).isoformat(), dates and (dates[0], dates[-1]))
        items, _, _ = e.list_all(bp, V24, periodStartDate=(today - _dt.timedelta(days=10)).isoformat(),
                                 periodEndDate=today.isoformat(), type="Billed")
        check("bulk_years: one a day", len([x for x in items or [] if x["name"].startswith("b0000000-")]) == 10,
              items and len(items))
        e.admin("/_admin/config", "POST", {"bulk_years": 1})
        items, _, _ = e.list_all(bp, V24, periodStartDate="2025-06-15", periodEndDate="2025-06-15", type="Billed")
        check("bulk_years: 1 is 2025 again", len([x for x in items or [] if x["name"].startswith("b0000000-")])
              == 5, items and len(items))
    finally:
        e.stop()


def main():
    t0 = time.time()
    e = Emu([])
    try:
        for t in (test_tls, test_discovery, test_tokens, test_identity, test_partial, test_core_routes,
                  test_paging_dates, test_points_odata_agreements,
                  test_faults_log, test_more_faults, test_other_host_lro,
                  lambda e: selftest_writes.run(e, check)):
            try:
                t(e)
            except Exception as ex:
                import traceback
                traceback.print_exc()
                check(getattr(t, "__name__", "test") + " raised", False, repr(ex))
    finally:
        e.stop()
    try:
        test_bulk()
    except Exception as ex:
        check("test_bulk raised", False, repr(ex))
    if VERBOSE:
        print("selftest took %.1f s" % (time.time() - t0))
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
