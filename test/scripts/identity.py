#!/usr/bin/env python3
"""Managed identity from the database server's environment, against the
emulator: IMDS moved by AZURE_POD_IDENTITY_AUTHORITY_HOST, App Service
(IDENTITY_ENDPOINT + IDENTITY_HEADER, expires_on), Azure Arc's challenge
(IDENTITY_ENDPOINT + IMDS_ENDPOINT, a key file under
/var/opt/azcmagent/tokens), and AZURE_AUTHORITY_HOST as the default
login_endpoint.

The server reads these variables from its own environment, so the script
restarts the pg_virtualenv cluster with them in the cluster's
`environment` file (pg_ctlcluster exports it) and checks, through a
program the backend starts (COPY FROM PROGRAM 'env'), that the backend
really has them.  The Arc part needs
root (it creates /var/opt/azcmagent/tokens); without root it fails.
"""
import os
import random
import shutil

from azbtest import (CA, EMU, PGVERSION, SECRET, check, cluster_conf_dir, emu, emu_config,
                     emu_reset, finish, psql_script, restart_cluster, setup)

DB = "azbidentity"
HTTP = os.environ.get("AZB_EMULATOR_HTTP_URL", "")
ARC_DIR = "/var/opt/azcmagent/tokens"
DEAD_PROXY = "http://127.0.0.1:9"      # nothing listens there: a request through it fails


def restart(env):
    """Restart the cluster with env in its environment; True when the backend has it."""
    d = cluster_conf_dir()
    with open(os.path.join(d, "environment"), "w") as f:
        f.write("# written by test/scripts/identity.py\n")
        for k, v in env.items():
            f.write("%s = '%s'\n" % (k, v.replace("'", "''")))
    if not restart_cluster():
        return False
    # the backend's own environment, as a program it starts inherits it
    # (/proc/self/environ is clobbered by PostgreSQL's process titles)
    rc, out, err = psql_script("CREATE TEMP TABLE env_lines (line text);\n"
                               "COPY env_lines FROM PROGRAM 'env' WITH (FORMAT text, DELIMITER E'\\x01');\n"
                               "SELECT line FROM env_lines;\n")
    out = out.split("\n")
    have = all(("%s=%s" % (k, v)) in out for k, v in env.items())
    clean = env or not [l for l in out if l.startswith(("IDENTITY_", "IMDS_", "AZURE_"))]
    check("the server inherits %s" % ", ".join(sorted(env)) if env else "the server's environment is clean",
          rc == 0 and have and clean, err[-200:])
    return have


def query(sql, db=DB):
    return psql_script("SET log_min_messages = debug5;\n" + sql, db=db)


def identity():
    return emu("GET", "/_admin/identity")


def log_since(seq):
    return [e for e in emu("GET", "/_admin/log") if e["seq"] > seq]


def last_seq():
    entries = emu("GET", "/_admin/log")
    return entries[-1]["seq"] if entries else 0


def main():
    if not cluster_conf_dir() or not HTTP:
        check("runs under pg_virtualenv with the emulator (test/run)", False)
        finish()
    setup(DB, mapping="managed_identity 'true'")
    seen = ""

    # -- IMDS, moved by AZURE_POD_IDENTITY_AUTHORITY_HOST; the authority by AZURE_AUTHORITY_HOST
    if restart({"AZURE_POD_IDENTITY_AUTHORITY_HOST": HTTP, "AZURE_AUTHORITY_HOST": EMU}):
        emu_reset()
        seq = last_seq()
        rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
        check("IMDS via AZURE_POD_IDENTITY_AUTHORITY_HOST", rc == 0 and out.endswith("5"), err[-300:])
        imds = [e for e in log_since(seq) if e["path"] == "/metadata/identity/oauth2/token"]
        check("one IMDS request on the http listener", len(imds) == 1 and imds[0]["listener"] == "http",
              str(imds)[:300])
        check("IMDS request carries api-version and resource",
              imds and "api-version=2018-02-01" in imds[0]["raw_query"] and "resource=" in imds[0]["raw_query"])
        # a client-secret server without login_endpoint: the authority comes from the environment
        rc, out, err = psql_script("""
            SET log_min_error_statement = panic;
            CREATE SERVER emu_env FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint '%s', ca_file '%s');
            CREATE USER MAPPING FOR CURRENT_USER SERVER emu_env
              OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret '%s');
            CREATE FOREIGN TABLE env_accounts (name text) SERVER emu_env OPTIONS (resource 'billing_accounts');
            """ % (EMU, CA, SECRET), db=DB)
        seq = last_seq()
        rc, out, err = query("SELECT count(*) FROM env_accounts;")
        tok = [e for e in log_since(seq) if e["path"].endswith("/oauth2/v2.0/token")]
        check("AZURE_AUTHORITY_HOST is the default login_endpoint", rc == 0 and len(tok) == 1, err[-300:])

    # -- App Service: a wrong IDENTITY_HEADER, then the right one
    hdr = os.environ.get("AZB_EMULATOR_IDENTITY_HEADER", "")
    app = HTTP + os.environ.get("AZB_EMULATOR_APP_SERVICE_PATH", "/msi/token")
    wrong = "wrong-identity-header-%d" % random.randrange(1 << 30)
    if restart({"IDENTITY_ENDPOINT": app, "IDENTITY_HEADER": wrong}):
        emu_reset()
        rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
        check("a wrong IDENTITY_HEADER is an error", "ERROR:" in err and "28000" in err
              and "App Service managed identity endpoint" in err, err[-300:])
        seen += out + err
    # a proxy in the environment (a closed port): the local identity endpoint is asked directly
    if restart({"IDENTITY_ENDPOINT": app, "IDENTITY_HEADER": hdr, "http_proxy": DEAD_PROXY}):
        emu_reset()
        emu_config(token_lifetime=3)
        seq = last_seq()
        # one session, bounded: the token (expires_on = now + 3 s) is refreshed
        # at half its lifetime, before the emulator would refuse it
        rc, out, err = query("""
            DO $$ BEGIN
              FOR i IN 1..16 LOOP
                PERFORM count(*) FROM billing.billing_accounts;
                PERFORM pg_sleep(0.25);
              END LOOP;
            END $$;
            SELECT count(*) FROM billing.billing_accounts;""")
        entries = log_since(seq)
        app_req = [e for e in entries if e["path"] == "/msi/token"]
        arm401 = [e for e in entries if e["path"].startswith("/providers/") and e["status"] == 401]
        check("App Service token, never through http_proxy", rc == 0 and out.endswith("5"), err[-300:])
        check("App Service request has api-version 2019-08-01",
              app_req and "api-version=2019-08-01" in app_req[0]["raw_query"], str(app_req)[:300])
        check("expires_on is honoured: refreshed before expiry (%d token requests, %d 401s)"
              % (len(app_req), len(arm401)), len(app_req) >= 2 and not arm401)
        seen += out + err
        emu_config(token_lifetime=3599)

    # -- Azure Arc: the challenge and its key file
    is_root = os.geteuid() == 0
    check("running as root (the Arc test creates %s)" % ARC_DIR, is_root)
    made = []
    if is_root:
        d = ""
        for part in ARC_DIR.strip("/").split("/"):
            d += "/" + part
            if not os.path.isdir(d):
                os.mkdir(d, 0o755)
                made.append(d)
        os.chmod(ARC_DIR, 0o755)
    arc = HTTP + os.environ.get("AZB_EMULATOR_ARC_PATH", "/arc/metadata/identity/oauth2/token")
    big = os.path.join(ARC_DIR, "azb-test-big.key")
    marker = "azb-arc-key-contents-%d" % random.randrange(1 << 30)
    try:
        if is_root and restart({"IDENTITY_ENDPOINT": arc, "IMDS_ENDPOINT": HTTP, "http_proxy": DEAD_PROXY}):
            emu_reset()
            seq = last_seq()
            rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
            st = identity()
            check("Arc token through the challenge", rc == 0 and out.endswith("5"), err[-300:])
            check("one challenge, one answer", st["arc_challenges"] == 1 and st["arc_answers"] == 1, str(st)[:200])
            arc_req = [e for e in log_since(seq) if e["path"].startswith("/arc/")]
            check("the answer carried Basic credentials",
                  [e["status"] for e in arc_req] == [401, 200] and arc_req[1]["authorization"], str(arc_req)[:300])
            # a realm outside the token directory is never read
            emu("POST", "/_admin/identity", {"arc_realm": "/etc/passwd"})
            rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
            check("a key file outside %s is refused" % ARC_DIR,
                  "ERROR:" in err and "unexpected key file" in err and "root:" not in err, err[-300:])
            check("and not sent", identity()["arc_answers"] == 1)
            emu("POST", "/_admin/identity", {"arc_realm": os.path.join(ARC_DIR, "x.txt")})
            rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
            check("a key file without .key is refused", "ERROR:" in err and "unexpected key file" in err, err[-300:])
            with open(big, "w") as f:
                f.write(marker + "x" * 5000)
            os.chmod(big, 0o644)
            emu("POST", "/_admin/identity", {"arc_realm": big})
            rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
            check("a key file over 4096 bytes is refused", "ERROR:" in err and "larger than 4096" in err, err[-300:])
            seen += out + err
            emu("POST", "/_admin/identity", {"arc_realm": None})
            psql_script("ALTER USER MAPPING FOR CURRENT_USER SERVER emu OPTIONS (ADD client_id 'x');", db=DB)
            rc, out, err = query("SELECT count(*) FROM billing.billing_accounts;")
            check("Arc has no user-assigned identities", "ERROR:" in err and "0A000" in err, err[-300:])
            psql_script("ALTER USER MAPPING FOR CURRENT_USER SERVER emu OPTIONS (DROP client_id);", db=DB)
            check("the emulator removed its key file", not [n for n in os.listdir(ARC_DIR)
                                                          if n.endswith(".key") and n != os.path.basename(big)])
    finally:
        if os.path.exists(big):
            os.unlink(big)
        for d in reversed(made):
            shutil.rmtree(d, ignore_errors=True)
        emu_reset()
        restart({})

    for what in (hdr, wrong, marker):
        check("client output never shows a credential (%s...)" % what[:6], what not in seen)
    log = os.path.join(os.path.dirname(os.environ["PG_CLUSTER_CONF_ROOT"]), "log",
                       "postgresql-%s-regress.log" % PGVERSION)
    try:
        text = open(log, errors="replace").read()
    except OSError as e:
        text = ""
        check("server log readable", False, str(e))
    check("server log has the run", "azbidentity" in text or len(text) > 1000)
    for what in (hdr, wrong, marker):
        check("server log never shows a credential (%s...)" % what[:6], what not in text)
    finish()


if __name__ == "__main__":
    main()
