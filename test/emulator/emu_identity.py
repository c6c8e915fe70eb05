"""Identity side of the emulator: certificate and federated client
assertions verified as Entra ID verifies them, and the managed identity
endpoints of App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER) and Azure Arc
(the WWW-Authenticate: Basic challenge).

Python standard library plus the openssl command line (key generation,
signing the federated tokens it mints, verifying RS256/PS256 signatures).
azure_emulator.py calls into this module through a few small hooks:
setup() at start, check_assertion() from the token endpoint, serve() for
the identity paths, admin() for /_admin/identity*, reset() on /_admin/reset.

It also holds the partial reader: an identity whose billing roles cover some
billing accounts and not others (client PARTIAL_CLIENT, or the static token
PARTIAL_TOKEN).  ARM lists every billing account to it, with hasReadAccess
false on the forbidden ones, and answers 403 AuthorizationFailed to every
request under a forbidden account.  The hooks: principal() when a token is
issued or presented, authorize() before a route is served, and
mark_listing() on the answer.
"""
import base64
import hashlib
import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FEDERATED_AUDIENCE = "api://AzureADTokenExchange"
FEDERATED_SUBJECT = "system:serviceaccount:azb:fdw"
APP_SERVICE_PATH = "/msi/token"
ARC_PATH = "/arc/metadata/identity/oauth2/token"
ARC_DIR = "/var/opt/azcmagent/tokens"
CLOCK_SKEW = 300            # Entra tolerates five minutes of clock skew
MAX_LIFETIME = 600          # a client assertion lives ten minutes at most

IDENTITY = None             # the one Identity, made by setup()

# the partial reader: Billing account reader on some accounts only
PARTIAL_CLIENT = ("partial-reader", "partial-secret")
PARTIAL_TOKEN = "emu-partial-token"
PARTIAL_OBJECT_ID = "5ca1ab1e-0000-4000-8000-00000000a11d"
PARTIAL_FORBIDDEN = (       # MCA2 and the EA enrollment (emu_data.MCA2, emu_data.EA)
    "22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15",
    "8608480")
ACCOUNTS_PREFIX = "/providers/microsoft.billing/billingaccounts"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def openssl(args, cwd, data=None):
    r = subprocess.run(["openssl"] + args, cwd=cwd, input=data, capture_output=True)
    return r.returncode, r.stdout


def is_identity_path(path):
    return path.rstrip("/") in (APP_SERVICE_PATH, ARC_PATH)


class Identity:
    def __init__(self, d):
        self.dir = os.path.join(d, "identity")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.lock = threading.Lock()
        self.used_jtis = set()
        self.issuer = "https://oidc.emulator.invalid/" + uuid.uuid4().hex[:12]
        self.identity_header = uuid.uuid4().hex
        self.certs = {}         # thumbprint (x5t#S256 and x5t) -> public key PEM path
        self._make_keys()
        self.reset()
        self.write_federated_token(3600, FEDERATED_SUBJECT)

    # -- keys ---------------------------------------------------------------------
    def _cert(self, name, keyargs):
        p = os.path.join(self.dir, name)
        openssl(["req", "-x509", "-new", "-nodes", "-days", "2", "-subj", "/CN=azb-emulator-" + name,
                 "-keyout", p + ".key", "-out", p + ".crt"] + keyargs, self.dir)
        with open(p + ".crt") as c, open(p + ".key") as k:
            pem = c.read() + k.read()
        with open(p + ".pem", "w") as f:
            f.write(pem)
        for q in (p + ".key", p + ".pem"):
            os.chmod(q, 0o644)      # test material: the database server must read it
        return p

    def _make_keys(self):
        rsa = ["-newkey", "rsa:2048"]
        client = self._cert("client", rsa)
        self._cert("wrong", rsa)
        self._cert("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
        # the registered certificate's key, encrypted
        openssl(["pkey", "-in", client + ".key", "-aes256", "-passout", "pass:emulator",
                 "-out", os.path.join(self.dir, "encrypted.key")], self.dir)
        with open(client + ".crt") as c, open(os.path.join(self.dir, "encrypted.key")) as k:
            with open(os.path.join(self.dir, "encrypted.pem"), "w") as f:
                f.write(c.read() + k.read())
        os.chmod(os.path.join(self.dir, "encrypted.pem"), 0o644)
        # the registered certificate: thumbprints of its DER
        _, der = openssl(["x509", "-in", client + ".crt", "-outform", "DER"], self.dir)
        openssl(["x509", "-in", client + ".crt", "-pubkey", "-noout", "-out", "client.pub"], self.dir)
        pub = os.path.join(self.dir, "client.pub")
        self.certs[b64url(hashlib.sha256(der).digest())] = pub
        self.certs[b64url(hashlib.sha1(der).digest())] = pub
        self.x5t_s256 = b64url(hashlib.sha256(der).digest())
        # the federated issuer (the "Kubernetes" OIDC issuer) signs RS256
        openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                 "-out", "issuer.key"], self.dir)
        openssl(["pkey", "-in", "issuer.key", "-pubout", "-out", "issuer.pub"], self.dir)

    def env(self):
        p = lambda n: os.path.join(self.dir, n)   # noqa: E731
        return [("AZB_EMULATOR_CLIENT_PEM", p("client.pem")),
                ("AZB_EMULATOR_CLIENT_WRONG_PEM", p("wrong.pem")),
                ("AZB_EMULATOR_CLIENT_EC_PEM", p("ec.pem")),
                ("AZB_EMULATOR_CLIENT_ENCRYPTED_PEM", p("encrypted.pem")),
                ("AZB_EMULATOR_CLIENT_KEY", p("client.key")),
                ("AZB_EMULATOR_WRONG_KEY", p("wrong.key")),
                ("AZB_EMULATOR_FEDERATED_TOKEN_FILE", p("federated-token")),
                ("AZB_EMULATOR_IDENTITY_HEADER", self.identity_header),
                ("AZB_EMULATOR_APP_SERVICE_PATH", APP_SERVICE_PATH),
                ("AZB_EMULATOR_ARC_PATH", ARC_PATH)]

    def reset(self):
        with self.lock:
            self.cfg = {"clock_offset": 0, "arc_realm": None, "audience": None}
            self.stats = {"assertions_accepted": 0, "certificate_jtis": [], "federated_jtis": [],
                          "app_service_requests": 0, "arc_challenges": 0, "arc_answers": 0}
            self.arc_pending = {}

    def now(self):
        return int(time.time()) + int(self.cfg.get("clock_offset") or 0)

    # -- federated tokens ---------------------------------------------------------
    def sign_rs256(self, data):
        rc, sig = openssl(["dgst", "-sha256", "-sign", "issuer.key"], self.dir, data)
        return sig

    def mint_federated(self, lifetime, subject):
        now = int(time.time())
        jti = str(uuid.uuid4())
        head = b64url(json.dumps({"alg": "RS256", "kid": "emu", "typ": "JWT"}).encode())
        body = b64url(json.dumps({"aud": [FEDERATED_AUDIENCE], "iss": self.issuer, "sub": subject,
                                  "iat": now, "nbf": now, "exp": now + lifetime, "jti": jti}).encode())
        inp = (head + "." + body).encode()
        return inp.decode() + "." + b64url(self.sign_rs256(inp)), jti

    def write_federated_token(self, lifetime, subject, path=None):
        tok, jti = self.mint_federated(lifetime, subject)
        path = path or os.path.join(self.dir, "federated-token")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(tok + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)       # as kubelet does: a new file, atomically
        return {"path": path, "jti": jti}

    # -- verification -------------------------------------------------------------
    def verify(self, pubkey, alg, data, sig):
        with tempfile.NamedTemporaryFile(dir=self.dir, delete=False) as f:
            f.write(sig)
            sigfile = f.name
        try:
            args = ["dgst", "-sha256", "-verify", pubkey, "-signature", sigfile]
            if alg == "PS256":
                # RFC 7518: MGF1 with SHA-256 and a 32-byte salt, checked exactly
                args += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                         "-sigopt", "rsa_mgf1_md:sha256"]
            rc, _ = openssl(args, self.dir, data)
            return rc == 0
        finally:
            os.unlink(sigfile)

    def check_assertion(self, form, token_url, tenant):
        """None when the assertion is good, else (status, error, AADSTS code, description)
        as Entra ID answers."""
        cid = form.get("client_id", "")
        if form.get("client_assertion_type") != JWT_BEARER:
            return (400, "invalid_request", 7000216,
                    "'client_assertion', 'client_secret' or 'request' is required for the "
                    "'client_credentials' grant type; client_assertion_type must be '%s'." % JWT_BEARER)
        parts = (form.get("client_assertion") or "").split(".")
        try:
            if len(parts) != 3:
                raise ValueError
            header = json.loads(unb64url(parts[0]))
            claims = json.loads(unb64url(parts[1]))
            sig = unb64url(parts[2])
            if not isinstance(header, dict) or not isinstance(claims, dict):
                raise ValueError
        except (ValueError, TypeError):
            return (400, "invalid_request", 50027,
                    "JWT token is invalid or malformed.")
        data = (parts[0] + "." + parts[1]).encode()
        alg = header.get("alg")
        if claims.get("iss") == cid:
            bad = self.check_certificate(header, claims, alg, data, sig, cid, token_url, tenant)
            kind = "certificate_jtis"
        else:
            bad = self.check_federated(header, claims, alg, data, sig)
            kind = "federated_jtis"
        if bad:
            return bad
        bad = self.check_times(claims, kind == "certificate_jtis")
        if bad:
            return bad
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            return (400, "invalid_request", 50027, "JWT token is invalid or malformed: no 'jti' claim.")
        with self.lock:
            # a client's own assertion is single-use; a federated token is reused until it expires
            if kind == "certificate_jtis" and jti in self.used_jtis:
                return (401, "invalid_client", 50013,
                        "Assertion failed signature validation. [Reason - The provided assertion "
                        "'jti' %s was already used; a client assertion may be presented once.]" % jti)
            self.used_jtis.add(jti)
            self.stats["assertions_accepted"] += 1
            self.stats[kind] = (self.stats[kind] + [jti])[-20:]
        return None

    def check_certificate(self, header, claims, alg, data, sig, cid, token_url, tenant):
        if alg not in ("PS256", "RS256"):
            return (401, "invalid_client", 5002738,
                    "Invalid JWT token. '%s' is not a supported signature algorithm. Supported "
                    "signing algorithms are: 'RS256, PS256'." % str(alg)[:20])
        thumb = header.get("x5t#S256") if alg == "PS256" else header.get("x5t")
        pub = self.certs.get(thumb) if isinstance(thumb, str) else None
        if pub is None:
            return (401, "invalid_client", 700027,
                    "Client assertion failed signature validation. [Reason - The key was not found., "
                    "Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph "
                    "Explorer or directly use MS Graph to see configured keys for app Id '%s'.]"
                    % (str(thumb)[:64], cid))
        if not self.verify(pub, alg, data, sig):
            return (401, "invalid_client", 700027,
                    "Client assertion contains an invalid signature. [Reason - The provided "
                    "signature value did not match the expected signature value., Thumbprint of key "
                    "used by client: '%s']" % thumb)
        if claims.get("sub") != cid:
            return (401, "invalid_client", 700021,
                    "Client assertion application identifier doesn't match 'client_id' parameter.")
        expected = self.cfg.get("audience") or token_url
        issuer_aud = token_url.rsplit("/oauth2/", 1)[0] + "/v2.0"
        aud = claims.get("aud")
        if aud not in (expected, issuer_aud) or self.cfg.get("audience") and aud != expected:
            return (401, "invalid_client", 700023,
                    "Client assertion audience claim does not match Realm issuer. Review the "
                    "documentation at https://learn.microsoft.com/entra/identity-platform/"
                    "certificate-credentials.")
        return None

    def check_federated(self, header, claims, alg, data, sig):
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if (claims.get("iss") != self.issuer or claims.get("sub") != FEDERATED_SUBJECT
                or FEDERATED_AUDIENCE not in auds):
            return (400, "invalid_request", 70021,
                    "No matching federated identity record found for presented assertion. "
                    "Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'."
                    % (str(claims.get("iss"))[:100], str(claims.get("sub"))[:100], str(aud)[:100]))
        if alg != "RS256" or not self.verify(os.path.join(self.dir, "issuer.pub"), "RS256", data, sig):
            return (401, "invalid_client", 700027,
                    "Client assertion contains an invalid signature. [Reason - The key was not found.]")
        return None

    def check_times(self, claims, own):
        now = self.now()
        exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
        if not isinstance(exp, int) or not isinstance(nbf, int):
            return (400, "invalid_request", 50027, "JWT token is invalid or malformed: no 'exp' or 'nbf'.")

        def iso(t):
            return time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(t))
        if now > exp + CLOCK_SKEW or now + CLOCK_SKEW < nbf or (own and exp - nbf > MAX_LIFETIME):
            return (401, "invalid_client", 700024,
                    "Client assertion is not within its valid time range. Current time: %s, "
                    "assertion valid from %s, expiry time of assertion %s. Review the documentation "
                    "at https://learn.microsoft.com/entra/identity-platform/certificate-credentials."
                    % (iso(now), iso(nbf), iso(exp)))
        return None

    # -- managed identity endpoints -----------------------------------------------
    def serve(self, h, path, query, issue_token, lifetime, send):
        """App Service and Arc endpoints; send(status, obj, headers) answers."""
        resource = query.get("resource")
        if path.rstrip("/") == APP_SERVICE_PATH:
            with self.lock:
                self.stats["app_service_requests"] += 1
            if h.headers.get("X-IDENTITY-HEADER") != self.identity_header:
                return send(400, {"statusCode": 400, "message": "Unable to load the proper Managed "
                                  "Identity: the X-IDENTITY-HEADER header is missing or wrong."})
            if query.get("api-version") != "2019-08-01" or not resource:
                return send(400, {"statusCode": 400, "message": "api-version 2019-08-01 and resource "
                                  "are required."})
            tok = issue_token(lifetime)
            return send(200, {"access_token": tok, "expires_on": str(int(time.time()) + lifetime),
                              "resource": resource, "token_type": "Bearer",
                              "client_id": query.get("client_id") or "00000000-0000-0000-0000-0000000000aa"})
        # Azure Arc
        if (h.headers.get("Metadata") or "").lower() != "true":
            return send(400, {"error": "invalid_request", "error_description": "Required metadata header not specified"})
        if not query.get("api-version") or not resource:
            return send(400, {"error": "invalid_request",
                              "error_description": "Required query variable 'resource' or 'api-version' is missing"})
        auth = h.headers.get("Authorization") or ""
        if not auth.lower().startswith("basic "):
            with self.lock:
                self.stats["arc_challenges"] += 1
                realm = self.cfg.get("arc_realm")
            if not realm:
                secret = uuid.uuid4().hex + uuid.uuid4().hex
                realm = os.path.join(ARC_DIR, uuid.uuid4().hex + ".key")
                try:
                    with open(realm, "w") as f:
                        f.write(secret)
                    os.chmod(realm, 0o644)
                except OSError as e:
                    return send(500, {"error": "server_error",
                                      "error_description": "the emulator could not write %s: %s (create %s, "
                                      "writable by the emulator)" % (realm, e, ARC_DIR)})
                with self.lock:
                    self.arc_pending[secret] = realm
            else:
                # a realm set by the admin API: its file's contents (if any) answer it
                try:
                    with open(realm) as f:
                        with self.lock:
                            self.arc_pending[f.read(65536)] = None
                except OSError:
                    pass
            return send(401, {"error": "unauthorized_client", "error_description": "Use the key in the realm file."},
                        {"WWW-Authenticate": "Basic realm=%s" % realm})
        secret = auth[6:].strip()
        with self.lock:
            known = secret in self.arc_pending
            realm = self.arc_pending.pop(secret, None)
            self.stats["arc_answers"] += 1
        if not known:
            return send(401, {"error": "unauthorized_client", "error_description": "The key is not valid."})
        if realm:
            try:
                os.unlink(realm)    # the emulator's own key file, used once
            except OSError:
                pass
        tok = issue_token(lifetime)
        now = int(time.time())
        return send(200, {"access_token": tok, "expires_in": str(lifetime), "expires_on": str(now + lifetime),
                          "not_before": str(now), "resource": resource, "token_type": "Bearer"})

    # -- admin --------------------------------------------------------------------
    def admin(self, path, method, body):
        """(status, obj) for /_admin/identity*; None when not ours."""
        if path == "/_admin/identity" and method == "GET":
            with self.lock:
                return 200, dict(self.stats, config=dict(self.cfg), issuer=self.issuer,
                                 subject=FEDERATED_SUBJECT)
        if path == "/_admin/identity" and method == "POST":
            if not isinstance(body, dict):
                raise ValueError("identity config must be a JSON object")
            with self.lock:
                for k, v in body.items():
                    if k == "clock_offset" and isinstance(v, int) and not isinstance(v, bool):
                        self.cfg[k] = v
                    elif k in ("arc_realm", "audience") and (v is None or isinstance(v, str)):
                        self.cfg[k] = v
                    else:
                        raise ValueError("bad identity config key or value: %r" % k)
                return 200, dict(self.cfg)
        if path == "/_admin/identity/federated_token" and method == "POST":
            body = body if isinstance(body, dict) else {}
            lifetime = body.get("lifetime", 3600)
            subject = body.get("subject", FEDERATED_SUBJECT)
            if not isinstance(lifetime, int) or not isinstance(subject, str):
                raise ValueError("lifetime must be an integer and subject a string")
            return 200, self.write_federated_token(lifetime, subject)
        return None


def setup(d):
    global IDENTITY
    IDENTITY = Identity(d)
    return IDENTITY


# -- the partial reader ---------------------------------------------------------

def client_secret(client_id):
    """The secret of a client id this module registers, or None."""
    return PARTIAL_CLIENT[1] if client_id == PARTIAL_CLIENT[0] else None


def principal(client_id=None, token=None):
    """The principal a client id (at token issue) or a static token stands for:
    "partial" for the partial reader, else None (full access)."""
    if client_id == PARTIAL_CLIENT[0] or token == PARTIAL_TOKEN:
        return "partial"
    return None


def _forbidden_account(raw_path):
    """The forbidden billing account a path lies under, or None."""
    segs = [urllib.parse.unquote(x) for x in raw_path.split("/")]
    # "", "providers", "Microsoft.Billing", "billingAccounts", <name>, ...
    if len(segs) < 5 or "/".join(segs[:4]).lower() != ACCOUNTS_PREFIX:
        return None
    for name in PARTIAL_FORBIDDEN:
        if segs[4].lower() == name.lower():
            return name
    return None


def authorize(who, method, raw_path):
    """None when the principal may make the request, else (status, body, headers)
    as ARM answers a caller without a role assignment on the scope."""
    if who != "partial" or _forbidden_account(raw_path) is None:
        return None
    segs = [urllib.parse.unquote(x) for x in raw_path.split("/") if x]
    types = [segs[i] for i in range(2, len(segs), 2)]     # billingAccounts, invoices, ...
    verb = {"GET": "read", "HEAD": "read", "DELETE": "delete", "POST": "action"}.get(method, "write")
    action = "Microsoft.Billing/%s/%s" % ("/".join(types), verb)
    scope = urllib.parse.unquote(raw_path)
    body = {"error": {"code": "AuthorizationFailed",
                      "message": "The client '%s' with object id '%s' does not have authorization to "
                                 "perform action '%s' over scope '%s' or the scope is invalid. If access "
                                 "was recently granted, please refresh your credentials."
                                 % (PARTIAL_OBJECT_ID, PARTIAL_OBJECT_ID, action, scope)}}
    return 403, body, {"x-ms-failure-cause": "gateway"}


def mark_listing(who, raw_path, obj):
    """The billing-accounts list as the partial reader sees it: every account, and
    hasReadAccess false on the forbidden ones (ARM lists the accounts where the
    caller has any role).  Returns obj, or a changed copy."""
    if who != "partial" or urllib.parse.unquote(raw_path).rstrip("/").lower() != ACCOUNTS_PREFIX:
        return obj
    if not isinstance(obj, dict) or not isinstance(obj.get("value"), list):
        return obj
    obj = json.loads(json.dumps(obj))
    for item in obj["value"]:
        props = item.get("properties") if isinstance(item, dict) else None
        if isinstance(props, dict) and str(item.get("name", "")).lower() in \
                [n.lower() for n in PARTIAL_FORBIDDEN]:
            props["hasReadAccess"] = False
    return obj
