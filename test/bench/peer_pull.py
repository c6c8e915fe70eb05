#!/usr/bin/env python3
"""test/bench/peer_pull.py: the peer baseline of test/bench/run (figure (f)).

What teams do today without the FDW: a plain Python script with urllib from
the standard library gets a token, pulls the list pages one after another
(following nextLink), flattens every item into the same typed columns as the
foreign table, and loads them with COPY through psql.  No threads, no
keep-alive (urllib opens a connection per request), no third-party modules.

  --mode chain   one nextLink chain starting at --url (figure (a)'s data)
  --mode fanout  list the billing profiles of --account under --base, then
                 each profile's transactions with --query, one after another
                 (figure (c)'s data)

Columns come from --columns (a JSON list written by bench.py from
azbilling_catalog(): name, kind, key, type).  The rows are loaded into
--table (which must exist) with psql's \\copy ... FROM STDIN (FORMAT csv).
Prints one JSON line: pages, rows, bytes and the seconds spent fetching and
parsing, and loading.
"""
import argparse
import csv
import io
import json
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def http(url, ctx, token=None, data=None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(req, context=ctx, timeout=120) as r:
        return r.read()


def get_token(token_url, endpoint, ctx):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "test-client",
                                   "client_secret": "test-secret", "scope": endpoint + "/.default"})
    return json.loads(http(token_url, ctx, data=form.encode()))["access_token"]


def last_segment(v):
    return v.rsplit("/", 1)[-1] if isinstance(v, str) else None


def flatten(item, columns, bound):
    """One item to the foreign table's typed columns, as CSV fields."""
    props = item.get("properties") or {}
    row = []
    for c in columns:
        kind, name = c["kind"], c["name"]
        if kind == "envelope":
            v = item.get(name)
        elif kind == "scope":
            v = bound.get(name)
            if v is None:      # e.g. invoice_section_name from properties.invoiceSectionId
                parts = name[:-len("_name")].split("_")
                v = last_segment(props.get(parts[0] + "".join(p.title() for p in parts[1:]) + "Id"))
        elif kind == "request":
            v = bound.get(name)
        else:
            v = item
            for k in c["key"]:
                v = v.get(k) if isinstance(v, dict) else None
            if kind == "amount":
                v = v.get("value") if isinstance(v, dict) else None
            elif kind == "currency":
                v = v.get("currency") if isinstance(v, dict) else None
            elif c["type"] == "jsonb" and v is not None:
                v = json.dumps(v)
        if isinstance(v, bool):
            v = "true" if v else "false"
        row.append(v)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("chain", "fanout"), required=True)
    ap.add_argument("--url", help="chain: the first page")
    ap.add_argument("--base", help="fanout: ARM endpoint")
    ap.add_argument("--endpoint", required=True, help="ARM endpoint (token scope)")
    ap.add_argument("--token-url", required=True)
    ap.add_argument("--cacert")
    ap.add_argument("--account", required=True)
    ap.add_argument("--profile", help="chain: the bound billing profile")
    ap.add_argument("--query", default="", help="fanout: query string of the transaction lists")
    ap.add_argument("--billed-status", default="Billed")
    ap.add_argument("--columns", required=True)
    ap.add_argument("--table", required=True)
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.cacert) if a.cacert else None
    columns = json.load(open(a.columns))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    stats = {"pages": 0, "rows": 0, "bytes": 0}

    def pull(url, token, bound):
        while url:
            body = http(url, ctx, token)
            stats["pages"] += 1
            stats["bytes"] += len(body)
            page = json.loads(body)
            for item in page.get("value", []):
                w.writerow(flatten(item, columns, bound))
                stats["rows"] += 1
            url = page.get("nextLink")

    t0 = time.perf_counter()
    token = get_token(a.token_url, a.endpoint, ctx)
    if a.mode == "chain":
        pull(a.url, token, {"billing_account_name": a.account, "billing_profile_name": a.profile,
                            "billed_status": a.billed_status})
    else:
        acct = urllib.parse.quote(a.account, safe="")
        prof_url = "%s/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles?api-version=2024-04-01" % (
            a.base, acct)
        profiles = json.loads(http(prof_url, ctx, token))["value"]
        for p in profiles:
            url = "%s/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles/%s/transactions?%s" % (
                a.base, acct, urllib.parse.quote(p["name"], safe=""), a.query)
            pull(url, token, {"billing_account_name": a.account, "billing_profile_name": p["name"],
                              "billed_status": a.billed_status})
    t1 = time.perf_counter()
    cp = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                         "\\copy %s FROM STDIN WITH (FORMAT csv)" % a.table],
                        input=out.getvalue(), text=True, capture_output=True)
    t2 = time.perf_counter()
    if cp.returncode != 0:
        sys.stderr.write(cp.stderr)
        return 1
    stats.update({"fetch_parse_s": round(t1 - t0, 3), "copy_s": round(t2 - t1, 3), "total_s": round(t2 - t0, 3)})
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
