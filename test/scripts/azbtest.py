"""Shared helpers for the scripted checks in test/scripts/.

They run under pg_virtualenv (PG* variables set) with the emulator started by
test/run (AZB_EMULATOR_* variables set).  Each check prints FAIL lines for
what went wrong and ends with "N passed, N failed".
"""
import contextlib
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, finish  # noqa: E402,F401  (test/checks.py; the scripts import them from here)

EMU = os.environ.get("AZB_EMULATOR_URL")
CA = os.environ.get("AZB_EMULATOR_CA")
MCA1 = "11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31"
MCA2 = "22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15"
SECRET = "test-secret"
PGVERSION = os.environ.get("PGVERSION", "15")

# pg_virtualenv -t keeps the cluster's log beside its configuration
if os.environ.get("PG_CLUSTER_CONF_ROOT"):
    SERVER_LOG = os.path.join(os.path.dirname(os.environ["PG_CLUSTER_CONF_ROOT"]), "log",
                              "postgresql-%s-regress.log" % PGVERSION)
else:
    SERVER_LOG = "/var/log/postgresql/postgresql-%s-regress.log" % PGVERSION

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


def cancel_during(script, db, ready, which):
    """Run script in a session of its own; once ready() has returned (it waits,
    bounded, until the script is where it should be), pg_cancel_backend the
    backends of db that match the SQL condition which.  Returns (rc, out, err)
    of the cancelling psql, (out, err) of the script, and the seconds from the
    cancel to the script's end."""
    proc = subprocess.Popen(["psql", "-X", "-At", "-v", "VERBOSITY=verbose", "-d", db, "-f", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    result = {}

    def run():
        result["out"], result["err"] = proc.communicate(script, timeout=60)
        result["end"] = time.monotonic()

    th = threading.Thread(target=run)
    th.start()
    ready()
    t0 = time.monotonic()
    cancel = psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = '%s' "
                  "AND pid <> pg_backend_pid() AND %s" % (db, which))
    th.join(60)
    latency = result.get("end", time.monotonic()) - t0
    return cancel, (result.get("out", ""), result.get("err", "")), latency


def cluster_conf_dir():
    """The pg_virtualenv cluster's configuration directory; None outside pg_virtualenv."""
    root = os.environ.get("PG_CLUSTER_CONF_ROOT")
    if not root:
        return None
    d = os.path.join(root, PGVERSION)
    names = os.listdir(d) if os.path.isdir(d) else []
    return os.path.join(d, "regress" if "regress" in names else (names[0] if names else "regress"))


def restart_cluster():
    """Restart the pg_virtualenv cluster; True once it answers again (a bounded
    poll), else a failed check and False."""
    d = cluster_conf_dir()
    deadline = time.monotonic() + 60
    while True:
        r = subprocess.run(["pg_ctlcluster", PGVERSION, os.path.basename(d), "restart"],
                           capture_output=True, text=True, timeout=120)
        # "already running": the postmaster no longer answers but has not
        # exited yet (a shutdown waiting for its last processes, such as a
        # background worker finishing a job); its restart is asked again
        # until it has gone, within a bound
        if r.returncode == 0 or "already running" not in r.stdout + r.stderr or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if r.returncode:
        check("cluster restarted", False, (r.stdout + r.stderr)[-300:])
        return False
    for _ in range(100):                # pg_ctlcluster waits; this bounds a slow socket
        if psql("SELECT 1")[0] == 0:
            return True
        time.sleep(0.1)
    check("cluster answers after its restart", False, "no answer within 10 s")
    return False


def set_conf(name, text):
    """Write (text) or remove (None) the cluster's conf.d/<name>; the caller restarts."""
    d = os.path.join(cluster_conf_dir(), "conf.d")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    if text is None:
        if os.path.exists(path):
            os.unlink(path)
    else:
        with open(path, "w") as f:
            f.write(text)


@contextlib.contextmanager
def restarted_with(name, text):
    """The cluster restarted with conf.d/<name> holding text, for the body of
    a with block (as: whether that restart worked); on leaving it, the file
    removed and the cluster restarted without it."""
    set_conf(name, text)
    try:
        yield restart_cluster()
    finally:
        set_conf(name, None)
        restart_cluster()


class Timer:
    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *a):
        self.elapsed = time.monotonic() - self.t0
