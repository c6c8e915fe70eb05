#!/usr/bin/env python3
"""Tokens shared across backends (shared_preload_libraries).

32 new connections, started together, each scan billing accounts once:
without the library preloaded every backend asks Entra ID for its own token
(32 token requests); preloaded, the first asks and the others wait for it
and reuse it (1), and later connections reuse it too (0).  After the
emulator revokes every token, the 401s of 8 new connections lead to one
refresh; a changed user mapping never reuses the old token; a backend
waiting for another's fetch obeys statement_timeout; no token appears in
any output or in the server log.  The emulator answers token requests
after 300 ms so that the connections overlap the first fetch.  The cluster
is restarted without the library preloaded at the end.
"""
import os
import subprocess
import time

from azbtest import (SERVER_LOG as LOG, check, emu, emu_config, emu_reset, finish, psql, restarted_with,
                     setup)

DB = "azbtokens"
N = 32
SCAN = "SELECT count(*) FROM billing.billing_accounts"
seen = []       # every output, searched for tokens at the end


def token_requests():
    return sum(1 for e in emu("GET", "/_admin/log")
               if e["method"] == "POST" and e["path"].endswith("/oauth2/v2.0/token"))


def start(sql):
    return subprocess.Popen(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", DB, "-c", sql],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def burst(n, sql=SCAN):
    """n new connections at once, each running sql; their (rc, out, err)."""
    procs = [start(sql) for _ in range(n)]
    res = []
    for p in procs:
        o, e = p.communicate(timeout=180)
        res.append((p.returncode, o.strip(), e.strip()))
        seen.append(o + e)
    return res


def fresh_log():
    emu_reset()
    emu_config(token_latency_ms=300)


def all_ok(res):
    bad = [r for r in res if r[0] != 0 or r[1].splitlines()[-1:] != ["5"]]
    return not bad, (bad[0][2][-300:] if bad else "")


def main():
    setup(DB)
    # on its own, each backend fetches its own token
    fresh_log()
    res = burst(N)
    ok, err = all_ok(res)
    check("32 connections scan without preloading", ok, err)
    n = token_requests()
    check("without preloading, 32 connections make 32 token requests", n == N, "saw %d" % n)

    with restarted_with("azb_tokens.conf", "shared_preload_libraries = 'azbilling_fdw'\n") as up:
        if not up:
            return
        preloaded()
    text = "".join(seen)
    try:
        text += open(LOG, errors="replace").read()
    except OSError as e:
        check("the server log is readable", False, str(e))
    check("no token in any output or the server log", "emu-at-" not in text)
    psql("DROP DATABASE IF EXISTS %s" % DB)


def preloaded():
    """With the library preloaded, in the restarted cluster."""
    rc, out, _ = psql("SELECT count(*) FROM pg_shmem_allocations WHERE name = 'azbilling_fdw tokens'")
    check("preloaded, the token slots are in shared memory", out == "1", out)
    fresh_log()
    res = burst(N)
    ok, err = all_ok(res)
    check("32 connections scan with preloading", ok, err)
    n = token_requests()
    check("preloaded, 32 new connections make 1 token request", n == 1, "saw %d" % n)
    fresh_log()
    res = burst(4, "SET log_min_messages = debug5; " + SCAN)
    n = token_requests()
    check("later connections reuse the shared token", all_ok(res)[0] and n == 0, "saw %d" % n)
    rc, out, err = psql("SELECT sum(token_fetches), sum(token_hits) > 0, min(storage) FROM azbilling_stats "
                        "WHERE operation = '(token)'", db=DB)
    check("azbilling_stats counts the shared fetch and the hits", out == "1|t|shared", out + err)

    # every token revoked: each connection's 401 leads to a refresh, one for all
    fresh_log()
    emu("POST", "/_admin/expire_tokens", {})
    res = burst(8)
    ok, err = all_ok(res)
    n = token_requests()
    check("after a 401, 8 connections refresh the shared token once", ok and n == 1,
          "saw %d %s" % (n, err))

    # a changed user mapping never finds the old token
    fresh_log()
    psql("ALTER USER MAPPING FOR CURRENT_USER SERVER emu OPTIONS (SET tenant_id 'test-tenant-2')", db=DB)
    res = burst(1) + burst(1)
    n = token_requests()
    check("a changed user mapping fetches a new token, once", all_ok(res)[0] and n == 1, "saw %d" % n)

    # waiting for another backend's fetch obeys statement_timeout
    psql("ALTER USER MAPPING FOR CURRENT_USER SERVER emu OPTIONS (SET tenant_id 'test-tenant-3')", db=DB)
    emu_reset()
    emu_config(token_latency_ms=6000)
    first = start(SCAN)
    for _ in range(100):            # until the first backend's token request has arrived
        if token_requests() >= 1:
            break
        time.sleep(0.05)
    waiter = start("SET statement_timeout = '1s'; " + SCAN)
    o, e = waiter.communicate(timeout=60)
    seen.append(o + e)
    check("a backend waiting for another's token fetch is cancelled by statement_timeout",
          waiter.returncode != 0 and "statement timeout" in e, e[-300:])
    o, e = first.communicate(timeout=60)
    seen.append(o + e)
    check("the fetching backend gets its token", first.returncode == 0 and o.strip() == "5", e[-300:])
    n = token_requests()
    check("the cancelled waiter sent no token request of its own", n == 1, "saw %d" % n)


main()
finish()
