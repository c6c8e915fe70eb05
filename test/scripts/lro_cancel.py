#!/usr/bin/env python3
"""Cancelling a long-running operation while it is polled: pg_cancel_backend
and statement_timeout end azbilling_call within 1.5 s, during the wait
between polls and during a poll that hangs, with SQLSTATE 57014 whose
detail names the operation URL (the change goes on in Azure); the session
works afterwards."""
import json
import time

from azbtest import (MCA1, Timer, cancel_during, check, emu, emu_fault, emu_reset, finish, psql,
                     psql_script, setup)

DB = "azblrocancel"
LIMIT = 1.5
CALL = ("SELECT azbilling_call('emu', 'Transfers_Cancel', '%s')" % json.dumps({
    "billingAccountName": MCA1, "billingProfileName": "AAAA-1111-BP1-PRF",
    "invoiceSectionName": "AAAA-1111-IS1-SEC", "transferName": "aaaa7777000040008000000000000001"}))
AFTER = "SELECT 'alive', 1;"

CASES = {
    "a 30 s wait between polls": ({"retry_after": 30, "polls": 1000}, []),
    "a hanging poll": ({"retry_after": 0, "polls": 1000},
                       [{"match": "/operationResults/", "method": "GET", "fault": "hang", "seconds": 60,
                         "count": 0}]),
}


def arm(mode, faults):
    emu_reset()
    emu("POST", "/_admin/writes", dict({"operation": "Transfers_Cancel", "mode": "location"}, **mode))
    if faults:
        emu_fault(*faults)


def names_url(err):
    return "57014" in err and "/operationResults/" in err and "goes on" in err


def polling_began():
    """Wait (bounded) until the POST has been answered and polling began."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = emu("GET", "/_admin/writes/log")
        if log:
            break
        time.sleep(0.05)
    time.sleep(0.5)


def by_cancel(name, mode, faults):
    arm(mode, faults)
    script = "%s;\n%s\n" % (CALL, AFTER)
    (rc, out, err), (sout, e), latency = cancel_during(script, DB, polling_began,
                                                       "query LIKE '%azbilling_call%'")
    check("pg_cancel_backend ends '%s' within %.1f s (%.2f s)" % (name, LIMIT, latency),
          rc == 0 and "t" in out and latency < LIMIT, "cancel=%r %s err=%s" % (out, err, e[-300:]))
    check("the cancel of '%s' is 57014 naming the operation URL" % name, names_url(e), e[-500:])
    check("the session works after cancelling '%s'" % name, "alive|1" in sout, sout)


def by_timeout(name, mode, faults):
    arm(mode, faults)
    script = "SET statement_timeout = '1s';\n%s;\nRESET statement_timeout;\n%s\n" % (CALL, AFTER)
    with Timer() as t:
        rc, out, err = psql_script(script, db=DB, timeout=60)
    check("statement_timeout ends '%s' (%.2f s session)" % (name, t.elapsed),
          t.elapsed < LIMIT + 0.5 and "alive|1" in out, "rc=%d err=%s" % (rc, err[-300:]))
    check("the timeout of '%s' is 57014 naming the operation URL" % name, names_url(err), err[-500:])


def main():
    setup(DB)
    rc, _, err = psql("ALTER SERVER emu OPTIONS (ADD updatable 'true')", db=DB)
    check("the server is updatable", rc == 0, err)
    for name, (mode, faults) in CASES.items():
        by_cancel(name, mode, faults)
        by_timeout(name, mode, faults)
    emu_reset()
    finish()


if __name__ == "__main__":
    main()
