#!/usr/bin/env python3
"""Secrets: the client secret and the tokens appear in no error, NOTICE,
EXPLAIN output or server log line, even at log_min_messages = debug5."""
import os
import random

from azbtest import (MCA1, SECRET, check, emu, emu_fault, emu_reset, finish, psql,
                     psql_script, setup)

DB = "azbsecrets"
# pg_virtualenv -t keeps the cluster's log beside its configuration
if os.environ.get("PG_CLUSTER_CONF_ROOT"):
    LOG = os.path.join(os.path.dirname(os.environ["PG_CLUSTER_CONF_ROOT"]), "log",
                       "postgresql-%s-regress.log" % os.environ.get("PGVERSION", "15"))
else:
    LOG = "/var/log/postgresql/postgresql-%s-regress.log" % os.environ.get("PGVERSION", "15")


def main():
    setup(DB)
    emu_reset()
    marker = "azb-secrets-marker-%d" % random.randrange(1 << 30)
    token_static = "static-tok3n-%d" % random.randrange(1 << 30)
    script = """
SET log_min_messages = debug5;
SET log_min_error_statement = debug5;
SET log_error_verbosity = verbose;
DO $$ BEGIN RAISE LOG '%(marker)s'; END $$;
SELECT count(*) FROM billing.billing_accounts;
EXPLAIN (VERBOSE, ANALYZE) SELECT * FROM billing.invoices WHERE billing_account_name = '%(mca1)s'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-03-01';
SELECT count(*) FROM billing.invoices WHERE billing_account_name = 'no-such-account';
""" % {"marker": marker, "mca1": MCA1}
    rc, out, err = psql_script(script, db=DB)
    check("queries ran at debug5", "Azure Request" in out and "HV00R" in err, err[-300:])
    seen = out + err

    # a token endpoint failure, then an expired token mid-scan, in a new session
    emu_fault({"match": "/oauth2/v2.0/token", "fault": "token_error"})
    rc, o2, e2 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n", db=DB)
    check("token errors are reported", "28000" in e2 and "AADSTS" in e2, e2[-300:])
    emu_reset()
    emu_fault({"match": "/billingAccounts", "fault": "expire_token", "count": 2})
    rc, o3, e3 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n", db=DB)
    check("a second 401 is an error", "28000" in e3, e3[-300:])
    emu_reset()
    # a static token that Azure refuses
    psql_script("SET log_min_error_statement = panic;\n"
                "ALTER USER MAPPING FOR CURRENT_USER SERVER emu "
                "OPTIONS (DROP tenant_id, DROP client_id, DROP client_secret, ADD access_token '%s');"
                % token_static, db=DB)
    rc, o4, e4 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n", db=DB)
    check("a refused static token is an error", "28000" in e4, e4[-300:])
    seen += o2 + e2 + o3 + e3 + o4 + e4

    tokens = [e.get("headers", {}).get("Authorization", "") for e in emu("GET", "/_admin/log")]
    issued = emu("GET", "/_admin/stats").get("tokens_issued", 0)
    check("tokens were issued during the run", issued > 0, str(issued))

    for what in (SECRET, token_static, "emu-at-", "Bearer "):
        check("client output never shows %r" % what, what not in seen)
    try:
        log = open(LOG, errors="replace").read()
    except OSError as e:
        check("server log readable", False, str(e))
        finish()
    log = log[log.find(marker):] if marker in log else ""
    check("server log has the run (%d bytes)" % len(log), len(log) > 1000)
    check("debug5 messages were logged", "DEBUG" in log)
    for what in (SECRET, token_static, "emu-at-", "Bearer "):
        check("server log never shows %r" % what, what not in log,
              log[max(0, log.find(what) - 200):log.find(what) + 50] if what in log else "")
    finish()


if __name__ == "__main__":
    main()
