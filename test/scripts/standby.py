#!/usr/bin/env python3
"""A hot standby refuses writes (DESIGN.md section 1, "Writes").

Makes a streaming standby of the pg_virtualenv cluster (pg_basebackup -R,
its own data directory and socket, started with pg_ctl), waits (bounded)
until it replays the primary's updatable server, then checks on the
standby: an INSERT and an UPDATE through the FDW and a mutating
azbilling_call fail with SQLSTATE 25006 and PostgreSQL's message; reads and
a validation still work; and no mutating request reached the emulator.
The standby is stopped and removed at the end.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

from azbtest import MCA1, check, emu, emu_reset, finish, psql, psql_script, setup

DB = "azbstandby"
SECTION = {"billingAccountName": MCA1, "billingProfileName": "AAAA-1111-BP1-PRF",
           "invoiceSectionName": "AAAA-1111-IS1-SEC"}
BINDIR = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
AS_OWNER = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def owner_run(args, timeout=120):
    """Run a PostgreSQL program as the clusters' owner (postgres when we are root)."""
    env = ["env", "PGPASSWORD=%s" % os.environ.get("PGPASSWORD", "")]
    return subprocess.run(AS_OWNER + env + args, capture_output=True, text=True, timeout=timeout)


def standby_psql(sock, port, sql):
    """One statement on the standby; (rc, stdout, stderr) with SQLSTATEs shown."""
    args = ["psql", "-X", "-At", "-v", "VERBOSITY=verbose", "-h", sock, "-p", str(port), "-U",
            os.environ.get("PGUSER", "postgres"), "-d", DB, "-c", sql]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def poll(what, fn, seconds=60):
    """Call fn until it is true, at most `seconds`; whether it became true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.2)
    check(what, False, "not within %d s" % seconds)
    return False


def refused(name, result, pattern):
    rc, out, err = result
    check(name, rc != 0 and "25006" in err and re.search(pattern, err) is not None, (rc, out, err[-400:]))


def main():
    setup(DB)
    rc, _, err = psql("ALTER SERVER emu OPTIONS (ADD updatable 'true')", db=DB)
    if rc:
        raise SystemExit("cannot make the server updatable: " + err)
    tmp = tempfile.mkdtemp(prefix="azb-standby-")
    data, sock = os.path.join(tmp, "data"), os.path.join(tmp, "sock")
    os.makedirs(sock)
    if AS_OWNER:
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
    port = int(os.environ.get("PGPORT", "5432")) + 1
    started = False
    try:
        r = owner_run([os.path.join(BINDIR, "pg_basebackup"), "-h", os.environ.get("PGHOST", "localhost"),
                       "-p", os.environ.get("PGPORT", "5432"), "-U", os.environ.get("PGUSER", "postgres"),
                       "-D", data, "-R", "-X", "stream", "-c", "fast"])
        check("pg_basebackup -R made a standby", r.returncode == 0 and
              os.path.exists(os.path.join(data, "standby.signal")), r.stderr[-400:])
        if r.returncode:
            return
        # Debian keeps the configuration outside the data directory: the standby gets its own
        conf = ("port = %d\nlisten_addresses = ''\nunix_socket_directories = '%s'\nhot_standby = on\n"
                % (port, sock))
        for name, text in (("postgresql.conf", conf), ("pg_hba.conf", "local all all trust\n"),
                           ("pg_ident.conf", "")):
            path = os.path.join(data, name)
            with open(path, "w") as f:
                f.write(text)
            if AS_OWNER:
                shutil.chown(path, "postgres")
        r = owner_run([os.path.join(BINDIR, "pg_ctl"), "-D", data, "-l", os.path.join(tmp, "log"),
                       "-w", "-t", "60", "start"])
        started = r.returncode == 0
        if not started and os.path.exists(os.path.join(tmp, "log")):
            with open(os.path.join(tmp, "log")) as f:
                r.stderr += f.read()[-600:]
        check("the standby started", started, r.stdout[-300:] + r.stderr[-600:])
        if not started:
            return
        if not poll("the standby is in recovery",
                    lambda: standby_psql(sock, port, "SELECT pg_is_in_recovery()")[1] == "t"):
            return
        if not poll("the standby replayed the updatable server",
                    lambda: "updatable=true" in standby_psql(
                        sock, port, "SELECT array_to_string(srvoptions, ',') FROM pg_foreign_server "
                                    "WHERE srvname = 'emu'")[1]):
            return

        emu_reset()
        refused("standby: INSERT through the FDW is 25006",
                standby_psql(sock, port, "INSERT INTO billing.invoice_sections "
                                         "(billing_account_name, billing_profile_name, name, display_name) "
                                         "VALUES ('%s', 'AAAA-1111-BP1-PRF', 'STANDBY-1', 'x')" % MCA1),
                r"cannot execute INSERT in a read-only transaction")
        refused("standby: UPDATE through the FDW is 25006",
                standby_psql(sock, port, "UPDATE billing.billing_subscriptions SET display_name = 'x' "
                                         "WHERE billing_account_name = '%s'" % MCA1),
                r"cannot execute UPDATE in a read-only transaction")
        call = ("SELECT azbilling_call('emu', 'Transfers_Cancel', '{\"billingAccountName\": \"%s\", "
                "\"billingProfileName\": \"AAAA-1111-BP1-PRF\", \"invoiceSectionName\": \"AAAA-1111-IS1-SEC\", "
                "\"transferName\": \"aaaa7777000040008000000000000001\"}')" % MCA1)
        refused("standby: a mutating azbilling_call is 25006, during recovery",
                standby_psql(sock, port, call), r"cannot execute azbilling_call.*Transfers_Cancel.* during recovery")
        refused("standby: a dry run is refused the same way",
                standby_psql(sock, port, "SET azbilling.dry_run = on; " + call), r"during recovery")
        rc, out, err = standby_psql(sock, port, "SELECT count(*) > 0 FROM billing.invoice_sections "
                                                "WHERE billing_account_name = '%s'" % MCA1)
        check("standby: a SELECT still works", rc == 0 and out == "t", (rc, out, err[-300:]))
        rc, out, err = standby_psql(sock, port,
                                    "SELECT azbilling_call('emu', 'InvoiceSections_ValidateDeleteEligibility', "
                                    "'{\"billingAccountName\": \"%s\", \"billingProfileName\": \"AAAA-1111-BP1-PRF\", "
                                    "\"invoiceSectionName\": \"AAAA-1111-IS1-SEC\"}') ->> 'eligibilityStatus'" % MCA1)
        check("standby: a validation (changes nothing) still works", rc == 0 and out == "Allowed",
              (rc, out, err[-300:]))
        writes = emu("GET", "/_admin/writes/log")
        mutating = [w for w in writes if w["operation"] != "InvoiceSections_ValidateDeleteEligibility"]
        check("standby: no mutating request reached the emulator", writes and not mutating, writes)
        log = emu("GET", "/_admin/log")
        sent = [(e["method"], e["path"]) for e in log
                if e["method"] in ("PUT", "PATCH", "DELETE") or
                (e["method"] == "POST" and "/oauth2/" not in e["path"] and
                 not e["path"].endswith("/validateDeleteEligibility"))]
        check("standby: the request log has no PUT, PATCH, DELETE or action POST", not sent, sent)
    finally:
        if started:
            owner_run([os.path.join(BINDIR, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(tmp, ignore_errors=True)
        psql("DROP DATABASE IF EXISTS %s" % DB)


if __name__ == "__main__":
    main()
    finish()
