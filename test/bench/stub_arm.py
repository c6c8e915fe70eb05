#!/usr/bin/env python3
"""test/bench/stub_arm.py: a tiny ARM + Entra ID stand-in for the fan-out
benchmark (figure (c) of test/bench/run).

The bundled emulator has a fixed data set with a handful of billing
profiles and cannot be configured to have more, so this stub serves one
MCA billing account with --profiles billing profiles, each holding
--pages pages of --items Billed transactions, and answers *every* request
(token endpoint included) --delay-ms after it arrived (pages are rendered
once, within that delay, and kept in memory).  It is a threading HTTP/1.1
keep-alive server over plain http on 127.0.0.1 (the FDW accepts http:// for
loopback hosts), standard library only.

Routes:
  POST /{tenant}/oauth2/v2.0/token                                 -> {"access_token", "expires_in", ...}
  GET  /providers/Microsoft.Billing/billingAccounts/{a}            -> the account (agreementType MCA)
  GET  /providers/Microsoft.Billing/billingAccounts/{a}/billingProfiles
  GET  /providers/Microsoft.Billing/billingAccounts/{a}/billingProfiles/{p}/transactions[?...&$skiptoken=n]
  GET  /_stats    request counts, peak requests in flight, first arrival / last end (no delay, not counted)
  POST /_reset    clears the stats

Usage: stub_arm.py --port-file FILE [--profiles 32] [--pages 3] [--items 50] [--delay-ms 100]
The port is written to FILE once the server listens.
"""
import argparse
import contextlib
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT = "99999999-9999-9999-9999-999999999999:99999999-9999-9999-9999-999999999999_2024-01-01"
BASE = "/providers/Microsoft.Billing/billingAccounts/"
TOKEN_RE = re.compile(r"^/[^/]+/oauth2/(v2\.0/)?token/?$")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.counts = {}
            self.inflight = 0
            self.max_inflight = 0
            self.first_arrival = None
            self.last_end = None
            self.connections = set()

    def begin(self, kind, conn):
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            now = time.time()
            if self.first_arrival is None:
                self.first_arrival = now
            self.connections.add(conn)

    def end(self):
        with self.lock:
            self.inflight -= 1
            self.last_end = time.time()

    def snapshot(self):
        with self.lock:
            span = None
            if self.first_arrival is not None and self.last_end is not None:
                span = self.last_end - self.first_arrival
            return {"requests": dict(self.counts), "requests_total": sum(self.counts.values()),
                    "max_inflight": self.max_inflight, "connections": len(self.connections),
                    "server_span_s": span}


def profile_name(i):
    return "PRF-%04d-BP" % (i + 1)


def transaction(acct, prof, pi, page, k):
    """One item shaped like a 2024-04-01 MCA transaction (about 1.5 KB)."""
    n = (pi * 1000 + page) * 1000 + k
    day = 1 + (n % 28)
    month = 1 + (n // 28) % 12
    guid = "5ab0%04x-0000-4000-8000-%012d" % (pi, n)
    amount = round(10 + (n % 997) * 0.37, 2)
    acct_id = BASE + acct
    prof_id = acct_id + "/billingProfiles/" + prof
    amt = lambda v, c="EUR": {"currency": c, "value": v}
    return {
        "id": prof_id + "/transactions/" + guid,
        "name": guid,
        "type": "Microsoft.Billing/billingAccounts/billingProfiles/transactions",
        "properties": {
            "azureCreditApplied": amt(0.0),
            "azurePlan": "Microsoft Azure Plan",
            "billingCurrency": "EUR",
            "billingProfileDisplayName": "Stub profile %d" % (pi + 1),
            "billingProfileId": prof_id,
            "consumptionCommitmentDecremented": amt(0.0),
            "date": "2025-%02d-%02dT08:15:30Z" % (month, day),
            "discount": 0.0,
            "effectivePrice": amt(0.096, "USD"),
            "exchangeRate": 0.92,
            "invoice": "G%09d" % (month + 100),
            "isThirdParty": False,
            "kind": "All",
            "marketPrice": amt(0.096, "USD"),
            "partNumber": "AAA-%05d" % (n % 100000),
            "pricingCurrency": "USD",
            "productDescription": "Virtual Machines Dv3 Series - D2 v3 - US West 2",
            "productFamily": "Compute",
            "productTypeId": "DZH318Z0BQ4S",
            "productType": "Virtual Machines",
            "quantity": 1,
            "servicePeriodStartDate": "2025-%02d-01T00:00:00Z" % month,
            "servicePeriodEndDate": "2025-%02d-28T00:00:00Z" % month,
            "subTotal": amt(amount),
            "tax": amt(round(amount * 0.08, 2)),
            "transactionAmount": amt(round(amount * 1.08, 2)),
            "transactionType": "Usage Charge",
            "units": 499.18,
            "unitOfMeasure": "1 Hour",
            "unitType": "1 Hour",
            "invoiceId": acct_id + "/invoices/G%09d" % (month + 100),
            "invoiceSectionId": prof_id + "/invoiceSections/" + prof.replace("-BP", "-IS"),
            "invoiceSectionDisplayName": "Stub section %d" % (pi + 1),
        },
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "azb-bench-stub/1.0"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj):
        self.send_bytes(status, json.dumps(obj, separators=(",", ":")).encode())

    def send_bytes(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", "stub-%d" % time.monotonic_ns())
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    @contextlib.contextmanager
    def delayed(self, kind):
        """Count the request, hold it for the delay, then let the caller answer."""
        st = self.server.stats
        st.begin(kind, self.client_address)
        try:
            left = self.t_arrival + self.server.delay - time.monotonic()
            if left > 0:
                time.sleep(left)
            yield
        finally:
            st.end()

    def do_POST(self):
        self.t_arrival = time.monotonic()
        path = urllib.parse.urlsplit(self.path).path
        self.read_body()
        if path == "/_reset":
            self.server.stats.reset()
            return self.send_json(200, {"ok": True})
        if TOKEN_RE.match(path):
            with self.delayed("token"):
                self.send_json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                     "access_token": "stub-token-%d" % time.monotonic_ns()})
            return
        self.send_json(405, {"error": {"code": "HttpMethodNotSupported", "message": "POST " + path}})

    def do_GET(self):
        self.t_arrival = time.monotonic()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path == "/_stats":
            return self.send_json(200, self.server.stats.snapshot())
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            return self.send_json(401, {"error": {"code": "AuthenticationFailed", "message": "no token"}})
        segs = path.split("/")[1:]
        # providers, Microsoft.Billing, billingAccounts, {a}, ...
        if len(segs) < 4 or [s.lower() for s in segs[:3]] != ["providers", "microsoft.billing", "billingaccounts"] \
                or segs[3] != self.server.account:
            return self.send_json(404, {"error": {"code": "NotFound", "message": "no such resource: " + path}})
        acct = segs[3]
        rest = [s.lower() for s in segs[4:]]
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if rest == []:
            with self.delayed("account"):
                self.send_json(200, {"id": BASE + acct, "name": acct,
                                     "type": "Microsoft.Billing/billingAccounts",
                                     "properties": {"agreementType": "MicrosoftCustomerAgreement",
                                                    "displayName": "Bench stub account"}})
            return
        if rest == ["billingprofiles"]:
            with self.delayed("profiles"):
                items = [{"id": BASE + acct + "/billingProfiles/" + profile_name(i), "name": profile_name(i),
                          "type": "Microsoft.Billing/billingAccounts/billingProfiles",
                          "properties": {"displayName": "Stub profile %d" % (i + 1), "currency": "EUR"}}
                         for i in range(self.server.profiles)]
                self.send_json(200, {"value": items})
            return
        if len(rest) == 3 and rest[0] == "billingprofiles" and rest[2] == "transactions":
            prof = segs[5]
            names = [profile_name(i) for i in range(self.server.profiles)]
            if prof not in names:
                return self.send_json(404, {"error": {"code": "NotFound", "message": "no profile " + prof}})
            pi = names.index(prof)
            page = int((q.get("$skiptoken") or ["0"])[0] or 0)
            host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
            key = (host, self.path)
            data = self.server.cache.get(key)
            if data is None:
                # rendered within the delay, and once only: the stub's own CPU
                # time must not be what the benchmark measures
                items = [transaction(acct, prof, pi, page, k) for k in range(self.server.items)]
                body = {"value": items}
                if page + 1 < self.server.pages:
                    keep = [(k, v) for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True)
                            if k != "$skiptoken"]
                    keep.append(("$skiptoken", str(page + 1)))
                    body["nextLink"] = "http://%s%s?%s" % (host, url.path, urllib.parse.urlencode(keep))
                data = json.dumps(body, separators=(",", ":")).encode()
                self.server.cache[key] = data
            with self.delayed("transactions"):
                self.send_bytes(200, data)
            return
        self.send_json(404, {"error": {"code": "NotFound", "message": "no route for " + path}})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512        # 32+ simultaneous connects must not overflow the backlog

    def finish_request(self, request, client_address):
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--profiles", type=int, default=32)
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--delay-ms", type=int, default=100)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.account = ACCOUNT
    srv.profiles, srv.pages, srv.items = a.profiles, a.pages, a.items
    srv.delay = a.delay_ms / 1000.0
    srv.stats = Stats()
    srv.cache = {}
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
