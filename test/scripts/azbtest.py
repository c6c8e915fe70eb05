"""Shared helpers for the scripted checks in test/scripts/.

They run under pg_virtualenv (PG* variables set) with the emulator started by
test/run (AZB_EMULATOR_* variables set).  Each check prints FAIL lines for
what went wrong and ends with "N passed, N failed".
"""
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

EMU = os.environ.get("AZB_EMULATOR_URL")
CA = os.environ.get("AZB_EMULATOR_CA")
MCA1 = "11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31"
MCA2 = "22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15"
SECRET = "test-secret"

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def psql(sql, db=None, timeout=120):
    """Run sql in a fresh session; returns (rc, stdout, stderr)."""
    args = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]
    if db:
        args += ["-d", db]
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def psql_script(script, db=None, timeout=300):
    """Run a multi-statement script (one session) from stdin, verbose errors."""
    args = ["psql", "-X", "-At", "-v", "VERBOSITY=verbose", "-f", "-"]
    if db:
        args += ["-d", db]
    r = subprocess.run(args, input=script, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def emu(method, path, body=None):
    ctx = ssl.create_default_context(cafile=CA)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(EMU + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        raw = r.read()
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode()


def emu_reset():
    emu("POST", "/_admin/reset", {})


def emu_fault(*faults):
    emu("POST", "/_admin/faults", {"faults": list(faults)})


def emu_config(**cfg):
    emu("POST", "/_admin/config", cfg)


def setup(db="azbtest", mapping=None):
    """A database with the extension, server emu and its tables in schema billing."""
    psql("DROP DATABASE IF EXISTS %s" % db)
    rc, _, err = psql("CREATE DATABASE %s" % db)
    if rc:
        raise SystemExit("cannot create database: " + err)
    mapping = mapping or "tenant_id 'test-tenant', client_id 'test-client', client_secret '%s'" % SECRET
    rc, out, err = psql_script("""
        SET log_min_error_statement = panic;
        CREATE EXTENSION azbilling_fdw;
        CREATE SERVER emu FOREIGN DATA WRAPPER azbilling_fdw
          OPTIONS (endpoint '%s', login_endpoint '%s', ca_file '%s');
        CREATE USER MAPPING FOR CURRENT_USER SERVER emu OPTIONS (%s);
        CREATE SCHEMA billing;
        IMPORT FOREIGN SCHEMA azure_billing FROM SERVER emu INTO billing;
        """ % (EMU, EMU, CA, mapping), db=db)
    if rc:
        raise SystemExit("setup failed: " + err)


class Timer:
    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *a):
        self.elapsed = time.monotonic() - self.t0
