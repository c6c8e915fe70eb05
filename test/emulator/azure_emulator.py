#!/usr/bin/env python3
"""Azure Resource Manager + Entra ID emulator for azbilling_fdw tests.

Serves the Microsoft.Billing REST API (api-versions 2019-10-01-preview and
2024-04-01) over HTTPS with a throw-away CA, an OAuth2 client-credentials
token endpoint, long-running download operations, scripted faults and a
request log.  Python 3 standard library only (plus the openssl CLI for the
certificates).  See README.md in this directory.

usage: azure_emulator.py --dir DIR [--page-size 50] [--bulk-transactions 0]
                         [--latency-ms 0] [--token-lifetime 3599]
"""

import argparse
import itertools
import collections
import copy
import datetime as _dt
import json
import os
import re
import select
import shlex
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emu_discovery                                             # noqa: E402
from emu_data import World                                       # noqa: E402
from emu_routes import Billing, Result, arm_error, blob_bytes    # noqa: E402
import emu_identity                                                # noqa: E402
from emu_writes import Writes    # noqa: E402

JSON_CT = "application/json; charset=utf-8"
STATIC_TOKEN = "emu-static-token"
GOOD_CLIENT = ("test-client", "test-secret")
TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/(v2\.0/)?token/?$")
LOG_MAX = 200000
CACHE_MAX_BYTES = 512 * 1024 * 1024

CONFIG_TYPES = {
    "page_size": (int, 1, 100000),
    "latency_ms": (int, 0, 600000),
    "bulk_transactions": (int, 0, 50000000),
    "token_lifetime": (int, 1, 10 ** 8),
    "token_expires_in_as_string": (bool, None, None),
    "lro_retry_after": (int, 0, 3600),
    "lro_polls": (int, 0, 1000),
    "lro_bare_string": (bool, None, None),
    "token_latency_ms": (int, 0, 600000),
    "read_bucket": (int, 1, 100000),
    "read_refill": (int, 1, 100000),
    "enforce_reads": (bool, None, None),
}

FAULTS = {"status", "hang", "slow", "reset", "truncated", "malformed", "html", "wrong_content_type",
          "huge", "foreign_nextlink", "relative_nextlink", "repeat_nextlink", "empty_nextlink",
          "null_nextlink", "empty_page", "bad_item", "bad_value", "expire_token", "token_error",
          "no_id", "extra_keys", "apply_then_500", "apply_then_reset"}
EMPTY_PAGE_SALT = itertools.count(1)
PRE_FAULTS = {"status", "hang", "reset", "html", "huge", "expire_token", "token_error"}

STATUS_CODES = {400: ("BadRequest", "The request is invalid."),
                401: ("AuthenticationFailed", "Authentication failed."),
                403: ("AuthorizationFailed", "The client does not have authorization to perform this action."),
                404: ("NotFound", "The requested resource was not found."),
                408: ("RequestTimeout", "The request timed out."),
                409: ("Conflict", "The request conflicts with the current state of the resource."),
                429: ("TooManyRequests", "The request was throttled; retry after the given interval."),
                500: ("InternalServerError", "An internal server error occurred."),
                502: ("BadGateway", "The gateway received an invalid response."),
                503: ("ServiceUnavailable", "The service is temporarily unavailable."),
                504: ("GatewayTimeout", "The gateway did not receive a response in time.")}


def now_iso():
    return _dt.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%SZ")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------------
# TLS material

OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = %s
"""


def _openssl(args, cwd):
    r = subprocess.run(["openssl"] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))


def make_tls(d):
    tls = os.path.join(d, "tls")
    os.makedirs(tls, exist_ok=True)
    os.chmod(tls, 0o755)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def cnf(name, san):
        path = os.path.join(tls, name + ".cnf")
        with open(path, "w") as f:
            f.write(OPENSSL_CNF % san)
        return path

    def ca(name, cn):
        c = cnf(name, "IP:127.0.0.1")
        _openssl(["req", "-x509", "-new"] + ec + ["-keyout", name + ".key", "-out", name + ".pem",
                                                  "-days", "3650", "-config", c, "-extensions", "v3_ca",
                                                  "-subj", "/O=azbilling_fdw tests/CN=" + cn], tls)

    def leaf(name, ca_name, san, cn, serial):
        c = cnf(name, san)
        _openssl(["req", "-new"] + ec + ["-keyout", name + ".key", "-out", name + ".csr", "-config", c,
                                         "-subj", "/O=azbilling_fdw tests/CN=" + cn], tls)
        _openssl(["x509", "-req", "-in", name + ".csr", "-CA", ca_name + ".pem", "-CAkey", ca_name + ".key",
                  "-set_serial", str(serial), "-out", name + ".pem", "-days", "825",
                  "-extfile", c, "-extensions", "v3_srv"], tls)

    ca("ca", "azbilling emulator test CA")
    ca("wrong-ca", "azbilling emulator UNRELATED CA")
    serial = int(time.time() * 1000) % 10 ** 12
    leaf("main", "ca", "IP:127.0.0.1,DNS:localhost", "127.0.0.1", serial + 1)
    leaf("other", "ca", "IP:127.0.0.2", "127.0.0.2", serial + 2)
    leaf("wrong", "wrong-ca", "IP:127.0.0.1,DNS:localhost", "127.0.0.1", serial + 3)
    for f in os.listdir(tls):
        os.chmod(os.path.join(tls, f), 0o600 if f.endswith(".key") else 0o644)
    for name in ("ca", "wrong-ca"):
        with open(os.path.join(tls, name + ".pem"), "rb") as src:
            data = src.read()
        dst = os.path.join(d, name + ".pem")
        with open(dst, "wb") as f:
            f.write(data)
        os.chmod(dst, 0o644)

    def ctx(name):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(os.path.join(tls, name + ".pem"), os.path.join(tls, name + ".key"))
        try:
            c.set_alpn_protocols(["http/1.1"])
        except NotImplementedError:
            pass
        return c

    return ctx("main"), ctx("other"), ctx("wrong")


# ---------------------------------------------------------------------------
# shared state

class State:
    def __init__(self, startup_cfg):
        self.lock = threading.Lock()
        self.startup = dict(startup_cfg)
        self.cfg = dict(startup_cfg)
        self.gen = 0
        self.log = []
        self.seq = 0
        self.faults = []
        self.tokens = {}
        self.token_counter = 0
        self.stats = {}
        self.bucket = 250.0
        self.bucket_ts = time.monotonic()
        self.cache = collections.OrderedDict()
        self.cache_bytes = 0
        self.cache_max = CACHE_MAX_BYTES
        self.cache_lock = threading.Lock()
        self.urls = {}
        self.stopping = threading.Event()

    # config
    def config(self):
        with self.lock:
            return dict(self.cfg), self.gen

    def set_config(self, patch):
        with self.lock:
            new = dict(self.cfg)
            for k, v in patch.items():
                if k not in CONFIG_TYPES:
                    raise ValueError("unknown config key '%s'" % k)
                typ, lo, hi = CONFIG_TYPES[k]
                if typ is bool:
                    if not isinstance(v, bool):
                        raise ValueError("config key '%s' must be a boolean" % k)
                else:
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v:
                        raise ValueError("config key '%s' must be an integer" % k)
                    v = int(v)
                    if v < lo or v > hi:
                        raise ValueError("config key '%s' must be between %d and %d" % (k, lo, hi))
                new[k] = v
            self.cfg = new
            self.gen += 1
        self.cache_clear()
        return dict(new)

    def reset(self):
        with self.lock:
            self.cfg = dict(self.startup)
            self.gen += 1
            self.log = []
            self.seq = 0
            self.faults = []
            self.stats = {}
            self.bucket = float(self.cfg.get("read_bucket", 250))
            self.bucket_ts = time.monotonic()
        self.cache_clear()

    # log
    def log_start(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)
            if len(self.log) > LOG_MAX:
                del self.log[: len(self.log) - LOG_MAX]
        return entry

    def log_snapshot(self, since=0):
        with self.lock:
            return [dict(e) for e in self.log if e["seq"] > since]

    def count(self, listener, nbytes, status):
        with self.lock:
            st = self.stats.setdefault(listener, {"requests": 0, "bytes_sent": 0, "statuses": {}})
            st["requests"] += 1
            st["bytes_sent"] += nbytes
            key = str(status)
            st["statuses"][key] = st["statuses"].get(key, 0) + 1

    # faults
    def add_faults(self, rules):
        checked = []
        for r in rules:
            if not isinstance(r, dict):
                raise ValueError("each fault must be an object")
            name = r.get("fault")
            if name not in FAULTS:
                raise ValueError("unknown fault '%s'; known: %s" % (name, ", ".join(sorted(FAULTS))))
            match = r.get("match", "")
            if not isinstance(match, str):
                raise ValueError("'match' must be a string")
            rule = dict(r)
            rule["match"] = match
            if match.startswith("^"):
                try:
                    rule["_re"] = re.compile(match)
                except re.error as e:
                    raise ValueError("bad regex %r: %s" % (match, e))
            for k, default in (("nth", 1), ("count", 1)):
                v = rule.get(k, default)
                if isinstance(v, bool) or not isinstance(v, int) or v < (1 if k == "nth" else 0):
                    raise ValueError("'%s' must be an integer >= %d" % (k, 1 if k == "nth" else 0))
                rule[k] = v
            if rule.get("method") is not None and not isinstance(rule["method"], str):
                raise ValueError("'method' must be a string")
            for k, lo, hi in (("status", 100, 599), ("seconds", 0, 86400), ("ms", 0, 3600000),
                              ("bytes", 2, 1 << 40), ("code", 0, 1 << 31), ("item", 0, 1 << 31)):
                if k in rule and not (k == "code" and name != "token_error"):
                    v = rule[k]
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                        raise ValueError("'%s' must be a number between %d and %d" % (k, lo, hi))
            if rule.get("body_shape") not in (None, "arm", "bare", "problem", "none", "html", "entra"):
                raise ValueError("'body_shape' must be arm, bare, problem, none, html or entra")
            for k in ("retry_after", "retry_after_ms", "x_ms_retry_after_ms"):
                if k in rule and not isinstance(rule[k], (int, float, str)):
                    raise ValueError("'%s' must be a number or a string" % k)
            if "headers" in rule and not isinstance(rule["headers"], dict):
                raise ValueError("'headers' must be an object")
            rule["seen"] = 0
            rule["fired"] = 0
            checked.append(rule)
        with self.lock:
            self.faults.extend(checked)
            self.gen += 1
        self.cache_clear()
        return len(checked)

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def match_fault(self, method, path, query, listener):
        hit = None
        with self.lock:
            for r in self.faults:
                m = r.get("method")
                if m and m.upper() != method:
                    continue
                lst = r.get("listener")
                if lst and lst != listener:
                    continue
                if "_re" in r:
                    if not r["_re"].search(path):
                        continue
                elif r["match"].lower() not in path.lower():
                    continue
                qm = r.get("query")
                if qm and qm.lower() not in query.lower():
                    continue
                r["seen"] += 1
                if hit is None and r["seen"] >= r["nth"] and (r["count"] == 0 or r["seen"] < r["nth"] + r["count"]):
                    r["fired"] += 1
                    hit = dict(r)
        return hit

    def faults_view(self):
        with self.lock:
            return [{k: v for k, v in r.items() if not k.startswith("_")} for r in self.faults]

    # tokens
    def issue_token(self, lifetime):
        with self.lock:
            self.token_counter += 1
            tok = "emu-at-%d-%s" % (self.token_counter, os.urandom(12).hex())
            self.tokens[tok] = {"issued": time.time(), "lifetime": lifetime, "valid": True}
            return tok

    def check_token(self, tok):
        """'ok', 'expired' or 'invalid'."""
        if tok == STATIC_TOKEN:
            return "ok", None
        with self.lock:
            t = self.tokens.get(tok)
            if t is None:
                return "invalid", None
            exp = t["issued"] + t["lifetime"]
            if not t["valid"] or time.time() >= exp:
                return "expired", exp
            return "ok", exp

    def expire_tokens(self):
        with self.lock:
            n = 0
            for t in self.tokens.values():
                if t["valid"]:
                    t["valid"] = False
                    n += 1
            return n

    # rate limit header (token bucket, 250, refill 25/s)
    def take_read(self):
        """ARM's per-principal token bucket: the reads left after this one,
        or -1 when it is empty (with enforce_reads, ARM answers 429 then)."""
        with self.lock:
            now = time.monotonic()
            cap = float(self.cfg.get("read_bucket", 250))
            refill = float(self.cfg.get("read_refill", 25))
            self.bucket = min(cap, self.bucket + (now - self.bucket_ts) * refill)
            self.bucket_ts = now
            if self.bucket < 1.0:
                return -1
            self.bucket -= 1.0
            return int(self.bucket)

    # page cache
    def cache_get(self, key):
        with self.cache_lock:
            v = self.cache.get(key)
            if v is not None:
                self.cache.move_to_end(key)
            return v

    def cache_put(self, key, val):
        size = len(val[1]) + 256
        if size > self.cache_max // 8:
            return
        with self.cache_lock:
            if key in self.cache:
                return
            self.cache[key] = val
            self.cache_bytes += size
            while self.cache_bytes > self.cache_max and self.cache:
                _, old = self.cache.popitem(last=False)
                self.cache_bytes -= len(old[1]) + 256

    def cache_clear(self):
        with self.cache_lock:
            self.cache.clear()
            self.cache_bytes = 0


# ---------------------------------------------------------------------------
# HTTP

class Req:
    __slots__ = ("method", "segs", "raw_path", "raw_query", "query", "body", "base_url", "other_base", "path")


class Abort(Exception):
    """The connection was dropped on purpose (fault); send nothing more."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "azure-billing-emulator/1.0"
    sys_version = ""
    common_headers = None

    def version_string(self):
        return self.server_version
    timeout = 300

    # quiet
    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            sys.stderr.write("[%s] %s\n" % (self.server.name, fmt % args))

    def send_error(self, code, message=None, explain=None):
        """Protocol-level errors (bad request line, unknown method...) as ARM JSON."""
        try:
            short = self.responses.get(code, ("Error", ""))[0]
        except Exception:
            short = "Error"
        self.close_connection = True
        body = dumps({"error": {"code": short.replace(" ", ""), "message": message or short,
                                "target": None, "details": []}})
        try:
            self.send_bytes(code, body)
        except Exception:
            pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError, Abort):
            self.close_connection = True
        except Exception as e:                      # never let a bug kill the server
            sys.stderr.write("emulator: internal error: %r\n" % (e,))
            self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except Exception:
            pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- plumbing -------------------------------------------------------------
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    break
                try:
                    n = int(line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    break
                if n == 0:
                    while True:
                        t = self.rfile.readline(65537)
                        if not t or t in (b"\r\n", b"\n"):
                            break
                    break
                data = self.rfile.read(n)
                self.rfile.readline(3)
                total += n
                if total <= 16 * 1024 * 1024:
                    chunks.append(data)
            return b"".join(chunks)
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = 0
        if n <= 0:
            return b""
        data = b""
        remaining = n
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
            if len(data) <= 16 * 1024 * 1024:
                data += chunk
        return data

    def send_bytes(self, status, body, ctype=JSON_CT, headers=None, request_id=None, head_only=False):
        self.send_response(status)
        rid = request_id or str(uuid.uuid4())
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-ms-request-id", rid)
        self.send_header("x-ms-correlation-request-id", rid)
        extra = dict(self.common_headers or {})
        extra.update(headers or {})
        for k, v in extra.items():
            self.send_header(k, str(v))
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")
        if not head_only and self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()
        return len(body)

    def drop(self, rst=True):
        try:
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True
        raise Abort()

    # -- main entry -----------------------------------------------------------
    def dispatch(self):
        app = self.server.app
        self.common_headers = None
        t0 = time.time()
        raw = self.path
        if raw.startswith("http://") or raw.startswith("https://"):
            sp = urllib.parse.urlsplit(raw)
            raw = sp.path + ("?" + sp.query if sp.query else "")
        raw_path, _, raw_query = raw.partition("?")
        raw_path = raw_path.split("#", 1)[0]
        try:
            path = urllib.parse.unquote(raw_path, errors="replace")
        except Exception:
            path = raw_path
        body = self.read_body()
        listener = self.server.name
        if raw_path.startswith("/_admin") and listener in ("main", "http"):
            try:
                app.admin(self, raw_path, raw_query, body)
            except Abort:
                raise
            except Exception as e:
                self.send_bytes(500, dumps({"error": "admin failure: %r" % (e,)}))
            return
        qpairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        query_log = {}
        query = {}
        for k, v in qpairs:
            query_log.setdefault(k, v)
            query.setdefault(k.lower(), v)
        hdrs = {}
        for k, v in self.headers.items():
            if k.lower() == "authorization" and listener != "other":
                v = "<redacted>"
            hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
        entry = {"seq": 0, "listener": listener, "host": self.server.server_address[0],
                 "method": self.command, "raw_path": raw_path, "path": path, "query": query_log,
                 "raw_query": raw_query, "status": None,
                 "authorization": self.headers.get("Authorization") is not None,
                 "headers": hdrs, "ts": t0, "duration_ms": None, "fault": None}
        app.state.log_start(entry)
        sent = 0
        try:
            status, sent = app.serve(self, entry, path, raw_path, raw_query, query, body)
            entry["status"] = status
        except Abort:
            entry["status"] = None
            raise
        finally:
            entry["duration_ms"] = round((time.time() - t0) * 1000.0, 3)
            app.state.count(listener, sent, entry["status"])


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, app, name, ssl_ctx=None):
        self.app = app
        self.name = name
        self.ssl_ctx = ssl_ctx
        self.scheme = "https" if ssl_ctx else "http"
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if self.ssl_ctx is None:
            self.RequestHandlerClass(request, client_address, self)
            return
        try:
            request.settimeout(15)
            conn = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError, ValueError):
            try:
                request.close()
            except OSError:
                pass
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass


# ---------------------------------------------------------------------------
# application

class App:
    def __init__(self, state, billing, verbose=False):
        self.state = state
        self.billing = billing
        self.verbose = verbose
        self.writes = Writes(state, billing)

    # -- request handling -------------------------------------------------------
    def base_url(self, h):
        host = h.headers.get("Host") or ""
        if not re.match(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$", host):
            a, p = h.server.server_address[:2]
            host = "%s:%d" % (a, p)
        return "%s://%s" % (h.server.scheme, host)

    def serve(self, h, entry, path, raw_path, raw_query, query, body):
        st = self.state
        cfg, gen = st.config()
        listener = h.server.name
        method = h.command
        decoded_query = urllib.parse.unquote_plus(raw_query)
        fault = st.match_fault(method, path, decoded_query, listener)
        if fault:
            entry["fault"] = fault["fault"]
        is_token = TOKEN_PATH.match(path) is not None
        is_discovery = emu_discovery.matches(path)
        is_arm = not (is_token or is_discovery or path.startswith("/blob/") or
                      path.startswith("/metadata/") or emu_identity.is_identity_path(path))
        if is_arm:
            left = st.take_read()
            h.common_headers = {"x-ms-ratelimit-remaining-tenant-reads": max(left, 0)}
            if left < 0 and st.cfg.get("enforce_reads") and method == "GET" and not fault:
                # an empty bucket: ARM throttles until it refills
                refill = float(st.cfg.get("read_refill", 25))
                entry["fault"] = "throttled"
                fault = {"fault": "status", "status": 429, "retry_after": 1,
                         "retry_after_ms": max(1, int(1000 / refill + 0.999))}
        # ---- faults that replace the answer
        if fault and fault["fault"] in PRE_FAULTS or fault and fault["fault"] == "slow":
            r = self.pre_fault(h, fault, path, is_token)
            if r is not None:
                return r
        if is_token:
            return self.token_endpoint(h, path, query, body, cfg, fault)
        if is_discovery:
            status, doc = emu_discovery.answer(self.base_url(h), path, query)
            return status, h.send_bytes(status, emu_discovery.dumps(doc), JSON_CT)
        if path.rstrip("/") == "/metadata/identity/oauth2/token":
            return self.imds_token(h, query, cfg)
        if emu_identity.is_identity_path(path):
            return emu_identity.IDENTITY.serve(
                h, path, query, self.state.issue_token, int(cfg.get("token_lifetime", 3599)),
                lambda status, obj, hdrs=None: (status, h.send_bytes(status, dumps(obj), JSON_CT, hdrs)))
        if path.startswith("/blob/"):
            data, ctype = blob_bytes(path[len("/blob/"):])
            if method not in ("GET", "HEAD"):
                return 405, h.send_bytes(405, b"", "text/plain")
            if "sig" not in query:
                b = (b'<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>'
                     b'<Message>Server failed to authenticate the request.</Message></Error>')
                return 403, h.send_bytes(403, b, "application/xml")
            return 200, h.send_bytes(200, data, ctype, {"x-ms-blob-type": "BlockBlob"},
                                     head_only=method == "HEAD")
        # ---- ARM
        if cfg.get("latency_ms"):
            self.sleep(h, cfg["latency_ms"] / 1000.0)
        common = {}
        cid = h.headers.get("x-ms-client-request-id")
        if cid and (h.headers.get("x-ms-return-client-request-id") or "").lower() == "true":
            common["x-ms-client-request-id"] = cid
        auth = h.headers.get("Authorization") or ""
        m = re.match(r"^\s*Bearer\s+(\S+)\s*$", auth, re.I)
        if not m:
            res = arm_error(401, "AuthenticationFailed",
                            "Authentication failed. The 'Authorization' header is missing." if not auth else
                            "Authentication failed. The 'Authorization' header is provided in an invalid format.")
            res.headers["WWW-Authenticate"] = ('Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                               'error="invalid_token", error_description="The authentication '
                                               'failed because of missing \'Authorization\' header."')
            return self.emit(h, res, common, None)
        verdict, exp = st.check_token(m.group(1))
        if verdict != "ok":
            if verdict == "expired":
                res = arm_error(401, "ExpiredAuthenticationToken",
                                "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." %
                                (_dt.datetime.utcfromtimestamp(exp or time.time()).strftime("%m/%d/%Y %I:%M:%S %p"),
                                 _dt.datetime.utcnow().strftime("%m/%d/%Y %I:%M:%S %p")))
                desc = "The access token has expired."
            else:
                res = arm_error(401, "InvalidAuthenticationToken", "The access token is invalid.")
                desc = "The access token is invalid."
            res.headers["WWW-Authenticate"] = ('Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                               'error="invalid_token", error_description="%s"' % desc)
            return self.emit(h, res, common, None)
        base = self.base_url(h)
        ckey = None
        if method == "GET" and not fault:
            ckey = (listener, base, raw_path, raw_query, gen)
            hit = st.cache_get(ckey)
            if hit is not None:
                status, data, ctype = hit
                return status, h.send_bytes(status, data, ctype, common)
        req = Req()
        req.method = method
        req.raw_path = raw_path
        req.raw_query = raw_query
        req.path = path
        req.segs = [urllib.parse.unquote(s, errors="replace") for s in raw_path.split("/")[1:]]
        req.query = query
        req.body = body
        req.base_url = base
        req.other_base = st.urls.get("other", base)
        try:
            res = self.writes.handle(req, cfg)      # writes and their polls (emu_writes.py)
            if res is None:
                res = self.writes.overlay(req, self.billing.handle(req, cfg))
        except Exception as e:                      # a bug must not crash anything
            sys.stderr.write("emulator: handler error for %s: %r\n" % (raw_path, e))
            import traceback
            traceback.print_exc()
            res = arm_error(500, "InternalServerError", "Emulator error: %r" % (e,), raw_path)
        if fault and fault["fault"] not in PRE_FAULTS and fault["fault"] != "slow":
            return self.post_fault(h, fault, res, req, common)
        return self.emit(h, res, common, ckey if res.cacheable and res.status == 200 else None)

    def emit(self, h, res, common, ckey):
        headers = dict(common)
        headers.update(res.headers)
        if res.raw is not None:
            data = res.raw
        elif res.obj is None:
            data = b""
        else:
            data = dumps(res.obj)
        if ckey is not None:
            self.state.cache_put(ckey, (res.status, data, res.content_type))
        return res.status, h.send_bytes(res.status, data, res.content_type, headers)

    def sleep(self, h, seconds):
        end = time.time() + seconds
        while not self.state.stopping.is_set():
            left = end - time.time()
            if left <= 0:
                return
            time.sleep(min(left, 0.1))

    # -- faults -------------------------------------------------------------------
    def pre_fault(self, h, f, path, is_token):
        name = f["fault"]
        if name == "slow":
            self.sleep(h, float(f.get("ms", 2000)) / 1000.0)
            return None
        if name == "reset":
            h.drop(rst=True)
        if name == "hang":
            self.hang(h, float(f.get("seconds", 3600)))
            h.drop(rst=False)
        if name == "html":
            page = (b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
                    b"<h1>Our services aren't available right now</h1><p>We're working to restore all "
                    b"services as soon as possible.</p></body></html>")
            return 200, h.send_bytes(int(f.get("status", 200)), page, "text/html; charset=utf-8")
        if name == "huge":
            return 200, self.huge(h, int(f.get("bytes", 100 * 1024 * 1024)))
        if name == "expire_token":
            res = arm_error(401, "ExpiredAuthenticationToken",
                            "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." %
                            ((_dt.datetime.utcnow() - _dt.timedelta(seconds=5)).strftime("%m/%d/%Y %I:%M:%S %p"),
                             _dt.datetime.utcnow().strftime("%m/%d/%Y %I:%M:%S %p")))
            res.headers["WWW-Authenticate"] = ('Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                               'error="invalid_token", error_description="The access token has '
                                               'expired."')
            return self.emit(h, res, {}, None)
        if name == "token_error":
            status = int(f.get("status", 401))
            err = f.get("error", "invalid_client" if status == 401 else "invalid_request")
            code = int(f.get("code", 7000215 if err == "invalid_client" else 900144))
            desc = f.get("description", "Invalid client secret provided. Ensure the secret being sent in the "
                                        "request is the client secret value, not the client secret ID")
            return self.entra_error(h, status, err, code, desc)
        if name == "status":
            return self.status_fault(h, f, path, is_token)
        return None

    def status_fault(self, h, f, path, is_token):
        status = int(f.get("status", 500))
        code, msg = STATUS_CODES.get(status, ("Error%d" % status, "The request failed."))
        code = f.get("code", code)
        msg = f.get("message", msg)
        headers = {}
        if f.get("retry_after") is not None:
            headers["Retry-After"] = f["retry_after"]
        if f.get("retry_after_ms") is not None:
            headers["retry-after-ms"] = f["retry_after_ms"]
        if f.get("x_ms_retry_after_ms") is not None:
            headers["x-ms-retry-after-ms"] = f["x_ms_retry_after_ms"]
        for k, v in (f.get("headers") or {}).items():
            headers[str(k)] = str(v)
        ctype = JSON_CT
        if "body" in f:
            b = f["body"]
            data = b.encode("utf-8") if isinstance(b, str) else dumps(b)
            ctype = f.get("content_type", JSON_CT)
        else:
            shape = f.get("body_shape")
            if shape is None and is_token:
                shape = "entra"
            shape = shape or "arm"
            if shape == "arm":
                data = dumps({"error": {"code": code, "message": msg, "target": path, "details": []}})
            elif shape == "bare":
                data = dumps({"code": code, "message": msg})
            elif shape == "problem":
                data = dumps({"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                              "title": "One or more validation errors occurred.", "status": status,
                              "traceId": "|%s." % uuid.uuid4().hex[:17], "errors": {"": [msg]}})
                ctype = "application/problem+json; charset=utf-8"
            elif shape == "none":
                data = b""
            elif shape == "html":
                data = ("<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center>"
                        "<hr><center>Microsoft-Azure-Application-Gateway/v2</center></body></html>"
                        % (status, code, status, code)).encode()
                ctype = "text/html"
            elif shape == "entra":
                tid, cid = str(uuid.uuid4()), str(uuid.uuid4())
                data = dumps({"error": "temporarily_unavailable",
                              "error_description": "AADSTS50196: The server terminated an operation because it "
                                                   "encountered a client request loop. Trace ID: %s Correlation "
                                                   "ID: %s Timestamp: %s" % (tid, cid, now_iso()),
                              "error_codes": [50196], "timestamp": now_iso(), "trace_id": tid,
                              "correlation_id": cid})
            else:
                data = dumps({"error": {"code": code, "message": msg}})
        return status, h.send_bytes(status, data, ctype, headers)

    def hang(self, h, seconds):
        sock = h.connection
        end = time.time() + seconds
        try:
            sock.settimeout(0.2)
        except OSError:
            return
        while time.time() < end and not self.state.stopping.is_set():
            try:
                if isinstance(sock, ssl.SSLSocket) and sock.pending():
                    data = sock.recv(1)
                else:
                    r, _, _ = select.select([sock], [], [], 0.2)
                    if not r:
                        continue
                    data = sock.recv(1)
                if not data:
                    return
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            except (OSError, ValueError):
                return

    def huge(self, h, n):
        prefix = b'{"value":[],"padding":"'
        suffix = b'"}'
        n = max(n, len(prefix) + len(suffix))
        h.send_response(200)
        rid = str(uuid.uuid4())
        h.send_header("Content-Type", JSON_CT)
        h.send_header("Content-Length", str(n))
        h.send_header("x-ms-request-id", rid)
        h.send_header("x-ms-correlation-request-id", rid)
        h.end_headers()
        fill = n - len(prefix) - len(suffix)
        chunk = b"x" * 65536
        try:
            h.wfile.write(prefix)
            while fill > 0:
                part = chunk if fill >= len(chunk) else chunk[:fill]
                h.wfile.write(part)
                fill -= len(part)
            h.wfile.write(suffix)
        except (OSError, ValueError):
            h.close_connection = True
            raise Abort()
        return n

    def post_fault(self, h, f, res, req, common):
        name = f["fault"]
        if name == "apply_then_500":        # the write landed (emu_writes.py); the answer is lost
            return self.status_fault(h, f, req.path, False)
        if name == "apply_then_reset":
            h.drop(rst=True)
        body = res.obj
        is_page = res.page and isinstance(body, dict) and isinstance(body.get("value"), list)
        if name in ("truncated", "malformed", "wrong_content_type"):
            data = dumps(body) if body is not None else b"{}"
            headers = dict(common)
            headers.update(res.headers)
            if name == "wrong_content_type":
                return res.status, h.send_bytes(res.status, data, "text/plain; charset=utf-8", headers)
            if name == "malformed":
                broken = data[:-1] + b"," if data.endswith(b"}") or data.endswith(b"]") else data + b"{"
                broken = broken[:len(data)] if len(broken) > len(data) and len(data) > 1 else broken
                return 200, h.send_bytes(200, broken, JSON_CT, headers)
            # truncated: the promised Content-Length, half the bytes, then close
            h.send_response(res.status)
            rid = str(uuid.uuid4())
            h.send_header("Content-Type", JSON_CT)
            h.send_header("Content-Length", str(len(data)))
            h.send_header("x-ms-request-id", rid)
            for k, v in headers.items():
                h.send_header(k, str(v))
            h.end_headers()
            try:
                h.wfile.write(data[: max(1, len(data) // 2)])
            except OSError:
                pass
            h.drop(rst=False)
        if is_page:
            body = dict(body)
            body["value"] = list(body["value"])
            nl = body.get("nextLink")
            cur_url = req.base_url + req.raw_path + ("?" + req.raw_query if req.raw_query else "")
            if name == "foreign_nextlink":
                tail = nl[len(req.base_url):] if nl else cur_url[len(req.base_url):]
                body["nextLink"] = self.state.urls.get("other", "https://127.0.0.2") + tail
            elif name == "relative_nextlink":
                body["nextLink"] = (nl or cur_url)[len(req.base_url):]
            elif name == "repeat_nextlink":
                body["nextLink"] = cur_url
            elif name == "empty_nextlink":
                if not nl:
                    body["nextLink"] = ""
            elif name == "null_nextlink":
                if not nl:
                    body["nextLink"] = None
            elif name == "empty_page":
                from emu_routes import encode_token, next_link
                pos, emitted = res.next_state or (0, 0)
                salt = next(EMPTY_PAGE_SALT)    # every empty page links somewhere new
                body["value"] = []
                body["nextLink"] = next_link(req, encode_token(pos, emitted, salt))
            elif name == "bad_item":
                if body["value"]:
                    i = int(f.get("item", len(body["value"]) // 2)) % len(body["value"])
                    body["value"][i] = f.get("as_value", "not an object" if f.get("as", "string") == "string" else 42)
                else:
                    body["value"] = [f.get("as_value", "not an object")]
            elif name == "bad_value":
                self.spoil_item(body, int(f.get("item", 0)))
            elif name == "no_id":
                body["value"] = [{k: v for k, v in x.items() if k != "id"} if isinstance(x, dict) else x
                                 for x in body["value"]]
            elif name == "extra_keys":
                extra = {"totalCount": len(body["value"]), "@odata.context": req.base_url + "/$metadata#value",
                         "hasMoreResults": bool(nl), "summary": {"note": "unexpected key"}}
                ordered = dict(extra)
                ordered.update(body)
                body = ordered
            res = Result(res.status, body, res.headers, page=True)
        elif name in ("no_id", "bad_value") and isinstance(body, dict):
            body = copy.deepcopy(body)
            if name == "no_id":
                body.pop("id", None)
            else:
                self.spoil_item({"value": [body]}, 0)
            res = Result(res.status, body, res.headers)
        return self.emit(h, res, common, None)

    @staticmethod
    def spoil_item(body, index):
        items = [x for x in body["value"] if isinstance(x, dict)]
        if not items:
            return
        item = copy.deepcopy(items[index % len(items)])
        pos = body["value"].index(items[index % len(items)])
        props = item.get("properties") if isinstance(item.get("properties"), dict) else item
        date_re = re.compile(r"^\d{4}-\d{2}-\d{2}T")
        done_date = done_amount = False

        def walk(d):
            nonlocal done_date, done_amount
            for k, v in list(d.items()):
                if not done_date and isinstance(v, str) and date_re.match(v):
                    d[k] = "not-a-date"
                    done_date = True
                elif not done_amount and isinstance(v, dict) and "currency" in v and "value" in v:
                    v["value"] = "12,50"
                    done_amount = True
        walk(props)
        body["value"][pos] = item

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
        if cid != GOOD_CLIENT[0]:
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
        elif form.get("client_secret") != GOOD_CLIENT[1]:
            return self.entra_error(h, 401, "invalid_client", 7000215,
                                    "Invalid client secret provided. Ensure the secret being sent in the request "
                                    "is the client secret value, not the client secret ID, for a secret added to "
                                    "app '%s'." % cid)
        life = int(cfg.get("token_lifetime", 3599))
        tok = self.state.issue_token(life)
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

    # -- admin ---------------------------------------------------------------------------
    def admin(self, h, raw_path, raw_query, body):
        st = self.state
        path = raw_path.rstrip("/")
        q = dict(urllib.parse.parse_qsl(raw_query))
        m = h.command

        def ok(obj, status=200):
            h.send_bytes(status, dumps(obj))

        def parse_body():
            try:
                return json.loads(body.decode("utf-8")) if body.strip() else {}
            except (ValueError, UnicodeDecodeError) as e:
                raise ValueError("request body is not valid JSON: %s" % e)

        try:
            if path == "/_admin/log" and m == "GET":
                ok(st.log_snapshot(int(q.get("since", 0) or 0)))
            elif path == "/_admin/log.tsv" and m == "GET":
                rows = ["seq\tlistener\tmethod\tpath\traw_query\tstatus\tauthorization\tfault\traw_path"]
                for e in st.log_snapshot(int(q.get("since", 0) or 0)):
                    rows.append("\t".join([
                        str(e["seq"]), tsv(e["listener"]), tsv(e["method"]), tsv(e["path"]), tsv(e["raw_query"]),
                        "\\N" if e["status"] is None else str(e["status"]),
                        "true" if e["authorization"] else "false",
                        "\\N" if e["fault"] is None else tsv(e["fault"]), tsv(e["raw_path"])]))
                h.send_bytes(200, ("\n".join(rows) + "\n").encode("utf-8"), "text/tab-separated-values; charset=utf-8")
            elif path.startswith("/_admin/identity"):
                r = emu_identity.IDENTITY.admin(path, m, parse_body() if m == "POST" else None)
                r = r or (404, {"error": "unknown admin endpoint %s %s" % (m, raw_path)})
                ok(r[1], r[0])
            elif path == "/_admin/reset" and m == "POST":
                st.reset()
                emu_identity.IDENTITY.reset()
                self.writes.reset()
                ok({"ok": True})
            elif path == "/_admin/config" and m == "GET":
                ok(st.config()[0])
            elif path == "/_admin/config" and m in ("POST", "PUT", "PATCH"):
                patch = parse_body()
                if not isinstance(patch, dict):
                    raise ValueError("config must be a JSON object")
                ok(st.set_config(patch))
            elif path == "/_admin/faults" and m == "POST":
                data = parse_body()
                rules = data.get("faults") if isinstance(data, dict) else data
                if isinstance(data, dict) and rules is None and "fault" in data:
                    rules = [data]
                if not isinstance(rules, list):
                    raise ValueError("expected {\"faults\": [...]}")
                n = st.add_faults(rules)
                ok({"ok": True, "added": n, "faults": st.faults_view()})
            elif path == "/_admin/faults" and m == "GET":
                ok(st.faults_view())
            elif path == "/_admin/faults" and m == "DELETE":
                st.clear_faults()
                ok({"ok": True})
            elif path == "/_admin/expire_tokens" and m == "POST":
                ok({"ok": True, "expired": st.expire_tokens()})
            elif path == "/_admin/stats" and m == "GET":
                with st.lock:
                    per = json.loads(json.dumps(st.stats))
                    ntok = st.token_counter
                with st.cache_lock:
                    cache = {"entries": len(st.cache), "bytes": st.cache_bytes}
                ok({"listeners": per,
                    "requests_total": sum(v["requests"] for v in per.values()),
                    "bytes_sent_total": sum(v["bytes_sent"] for v in per.values()),
                    "tokens_issued": ntok, "cache": cache})
            elif path.startswith("/_admin/writes"):
                self.writes.admin(m, path, q, parse_body() if m == "POST" else None, ok)
            elif path in ("/_admin", "/_admin/info") and m == "GET":
                ok({"urls": st.urls, "pid": os.getpid(), "config": st.config()[0]})
            else:
                ok({"error": "unknown admin endpoint %s %s" % (m, raw_path)}, 404)
        except ValueError as e:
            ok({"ok": False, "error": str(e)}, 400)


def tsv(s):
    s = "" if s is None else str(s)
    return (s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


# ---------------------------------------------------------------------------
# main

def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Azure Billing ARM emulator for azbilling_fdw tests")
    ap.add_argument("--dir", required=True, help="state directory (created)")
    ap.add_argument("--page-size", type=int, default=50)
    ap.add_argument("--bulk-transactions", type=int, default=0)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--token-lifetime", type=int, default=3599)
    ap.add_argument("--cache-mb", type=int, default=512, help="page cache size (default 512 MB)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)

    os.umask(0o022)
    d = os.path.abspath(args.dir)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    try:
        os.unlink(os.path.join(d, "ready"))
    except FileNotFoundError:
        pass

    cfg = {"page_size": max(1, args.page_size), "latency_ms": max(0, args.latency_ms),
           "bulk_transactions": max(0, args.bulk_transactions), "token_lifetime": max(1, args.token_lifetime),
           "token_expires_in_as_string": False, "lro_retry_after": 1, "lro_polls": 1,
           "lro_bare_string": False, "token_latency_ms": 0,
           "read_bucket": 250, "read_refill": 25, "enforce_reads": False}
    main_ctx, other_ctx, wrong_ctx = make_tls(d)
    identity = emu_identity.setup(d)
    state = State(cfg)
    state.cache_max = max(0, args.cache_mb) * 1024 * 1024
    world = World()
    app = App(state, Billing(world), verbose=args.verbose)

    servers = {
        "main": Server(("127.0.0.1", 0), app, "main", main_ctx),
        "http": Server(("127.0.0.1", 0), app, "http", None),
        "other": Server(("127.0.0.2", 0), app, "other", other_ctx),
        "wrongca": Server(("127.0.0.1", 0), app, "wrongca", wrong_ctx),
    }
    urls = {
        "main": "https://127.0.0.1:%d" % servers["main"].server_address[1],
        "http": "http://127.0.0.1:%d" % servers["http"].server_address[1],
        "other": "https://127.0.0.2:%d" % servers["other"].server_address[1],
        "wrongca": "https://127.0.0.1:%d" % servers["wrongca"].server_address[1],
    }
    state.urls = urls
    threads = []
    for name, srv in servers.items():
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             name="serve-" + name, daemon=True)
        t.start()
        threads.append(t)

    env = [("AZB_EMULATOR_URL", urls["main"]), ("AZB_EMULATOR_HTTP_URL", urls["http"]),
           ("AZB_EMULATOR_OTHER_URL", urls["other"]), ("AZB_EMULATOR_WRONGCA_URL", urls["wrongca"]),
           ("AZB_EMULATOR_CA", os.path.join(d, "ca.pem")),
           ("AZB_EMULATOR_WRONG_CA", os.path.join(d, "wrong-ca.pem")),
           ("AZB_EMULATOR_PID", str(os.getpid())), ("AZB_EMULATOR_DIR", d)] + identity.env()
    write_file(os.path.join(d, "env"), "".join("%s=%s\n" % (k, shlex.quote(v)) for k, v in env))
    write_file(os.path.join(d, "pid"), "%d\n" % os.getpid())

    stop = state.stopping

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # all listeners were bound and listening in their constructors; make sure
    # they answer before announcing readiness
    for name, srv in servers.items():
        for _ in range(50):
            try:
                with socket.create_connection(srv.server_address[:2], timeout=1):
                    break
            except OSError:
                time.sleep(0.02)
    write_file(os.path.join(d, "ready"), "%d\n" % os.getpid())
    if args.verbose:
        sys.stderr.write("emulator ready: %s\n" % json.dumps(urls))
    while not stop.wait(0.2):
        pass
    closers = [threading.Thread(target=srv.shutdown) for srv in servers.values()]
    for t in closers:
        t.start()
    for t in closers:
        t.join(5)
    for srv in servers.values():
        srv.server_close()
    try:
        os.unlink(os.path.join(d, "ready"))
    except FileNotFoundError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
