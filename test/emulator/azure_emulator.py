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
import datetime as _dt
import json
import os
import re
import shlex
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emu_discovery                                             # noqa: E402
from emu_admin import AdminMixin                                 # noqa: E402
from emu_common import JSON_CT, PRE_FAULTS, TOKEN_PATH, Abort, dumps  # noqa: E402
from emu_data import World                                       # noqa: E402
from emu_faults import FaultsMixin                               # noqa: E402
import emu_identity                                              # noqa: E402
from emu_billing import Billing, blob_bytes                       # noqa: E402
from emu_routes import Result, arm_error                         # noqa: E402
from emu_state import State                                      # noqa: E402
from emu_tls import make_tls                                     # noqa: E402
from emu_tokens import TokenMixin                                # noqa: E402
from emu_writes import Writes                                    # noqa: E402

# ---------------------------------------------------------------------------
# HTTP

class Req:
    __slots__ = ("method", "segs", "raw_path", "raw_query", "query", "body", "base_url", "other_base", "path")


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

    def parse_request(self):
        # the request line has just been read: its arrival is where a
        # request's server time starts (the log's "ts"), before the headers
        # are parsed, so that a client's gap between requests is not inflated
        self.arrived = time.time()
        return super().parse_request()

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
        t0 = self.arrived
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

class App(FaultsMixin, TokenMixin, AdminMixin):
    """Routes each request: faults, tokens, discovery, blobs, admin, then ARM."""

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
        who = st.token_principal(m.group(1))
        denied = emu_identity.authorize(who, method, raw_path)
        if denied:
            return self.emit(h, Result(denied[0], denied[1], denied[2]), common, None)
        base = self.base_url(h)
        ckey = None
        if method == "GET" and not fault and who is None:
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
            res.obj = emu_identity.mark_listing(who, raw_path, res.obj)
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
           "bulk_transactions": max(0, args.bulk_transactions), "bulk_years": 1,
           "token_lifetime": max(1, args.token_lifetime),
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
