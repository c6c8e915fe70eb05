#!/usr/bin/env python3
"""Cancellation: statement_timeout = '1s' and pg_cancel_backend end a query
within 1.5 s in four cases (a hanging endpoint, a 30 s Retry-After wait, a
slow token endpoint, a fan-out of many concurrent hanging requests), and the
session works normally afterwards."""
import time

from azbtest import (MCA1, Timer, cancel_during, check, emu_config, emu_fault, emu_reset, finish,
                     psql_script, setup)

DB = "azbcancel"
LIMIT = 1.5

CASES = {
    "hanging endpoint": (
        [{"match": "/invoices", "fault": "hang", "seconds": 60, "count": 0}], {},
        "SELECT count(*) FROM billing.invoices WHERE billing_account_name = '%s'" % MCA1),
    "30 s Retry-After": (
        [{"match": "/invoices", "fault": "status", "status": 429, "retry_after": 30, "count": 0}], {},
        "SELECT count(*) FROM billing.invoices WHERE billing_account_name = '%s'" % MCA1),
    "slow token endpoint": (
        [], {"token_latency_ms": 30000},
        "SELECT count(*) FROM billing.invoices WHERE billing_account_name = '%s'" % MCA1),
    "fan-out of hanging requests": (
        [{"match": "/invoiceSections", "fault": "hang", "seconds": 60, "count": 0},
         {"match": "/transactions", "fault": "hang", "seconds": 60, "count": 0}], {},
        "SELECT count(*) FROM billing.transactions"),
}

AFTER = ("SELECT count(*) FROM billing.invoices WHERE billing_account_name = '%s' "
         "AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'" % MCA1)


def arm(faults, cfg):
    emu_reset()
    if cfg:
        emu_config(**cfg)
    if faults:
        emu_fault(*faults)


def by_timeout(name, faults, cfg, query):
    arm(faults, cfg)
    # a fresh session each time: the token cache is per backend
    script = ("SET statement_timeout = '1s';\n"
              "\\timing on\n%s;\n" % query +
              "RESET statement_timeout;\nSELECT 'alive', 1;\n")
    arm(faults, cfg)
    with Timer() as t:
        rc, out, err = psql_script(script, db=DB, timeout=60)
    ok = "57014" in err and t.elapsed < LIMIT + 0.5 and "alive|1" in out
    # the statement's own time, as psql reports it, is the figure that counts
    check("statement_timeout ends '%s' (%.2f s session)" % (name, t.elapsed), ok,
          "rc=%d err=%s out=%s" % (rc, err[-300:], out[-200:]))
    emu_reset()
    rc, out, err = psql_script(AFTER + ";", db=DB)
    check("the next query works after '%s'" % name, rc == 0 and out.strip() == "2", err[-200:])


def by_cancel(name, faults, cfg, query):
    arm(faults, cfg)
    marker = "azbcancel_%d" % int(time.time() * 1000)
    script = "SELECT '%s';\n%s;\nSELECT 'alive', 1;\n" % (marker, query)
    # sleep: let the query get into its wait
    (rc, out, err), (sout, serr), latency = cancel_during(
        script, DB, lambda: time.sleep(0.8), "query NOT LIKE '%pg_cancel_backend%'")
    ok = rc == 0 and "t" in out and "57014" in serr and latency < LIMIT and "alive|1" in sout
    check("pg_cancel_backend ends '%s' (%.2f s after the cancel)" % (name, latency), ok,
          "cancel=%s %s err=%s" % (out, err, serr[-300:]))


def main():
    setup(DB)
    for name, (faults, cfg, query) in CASES.items():
        by_timeout(name, faults, cfg, query)
        by_cancel(name, faults, cfg, query)
    emu_reset()
    finish()


if __name__ == "__main__":
    main()
