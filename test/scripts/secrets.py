#!/usr/bin/env python3
"""Secrets: the client secret, the tokens, the client certificate's PEM and
private key, the signed assertions and the federated token file's contents
appear in no error, NOTICE, EXPLAIN output or server log line, even at
log_min_messages = debug5."""
import os
import random

from azbtest import (MCA1, SECRET, SERVER_LOG as LOG, check, emu, emu_fault, emu_reset,
                     finish, psql, psql_script, setup)

DB = "azbsecrets"


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

    # client certificates: the PEM as text, a refused one, EXPLAIN; then a federated token file
    pem = open(os.environ["AZB_EMULATOR_CLIENT_PEM"]).read()
    wrong = open(os.environ["AZB_EMULATOR_CLIENT_WRONG_PEM"]).read()
    key_lines = [l for l in open(os.environ["AZB_EMULATOR_CLIENT_KEY"]).read().splitlines()
                 if l and not l.startswith("-----")]
    fed_file = os.environ["AZB_EMULATOR_FEDERATED_TOKEN_FILE"]

    def remap(options):
        q = options.replace("'", "''")
        return psql_script("SET log_min_error_statement = panic;\n"
                           "DO $$ BEGIN EXECUTE 'DROP USER MAPPING FOR CURRENT_USER SERVER emu'; "
                           "EXECUTE 'CREATE USER MAPPING FOR CURRENT_USER SERVER emu OPTIONS (%s)'; END $$;\n" % q,
                           db=DB)

    def lit(v):
        return "'" + v.replace("'", "''") + "'"
    rc, o5, e5 = remap("tenant_id 'test-tenant', client_id 'test-client', client_certificate " + lit(pem))
    check("certificate mapping created", "ERROR" not in e5, e5[-300:])
    rc, o6, e6 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n"
                             "EXPLAIN (VERBOSE, ANALYZE) SELECT * FROM billing.billing_accounts;\n", db=DB)
    check("a certificate query ran", "Azure Request" in o6, e6[-300:])
    remap("tenant_id 'test-tenant', client_id 'test-client', client_certificate " + lit(wrong))
    rc, o7, e7 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n", db=DB)
    check("a refused certificate is an error", "AADSTS700027" in e7, e7[-300:])
    remap("tenant_id 'test-tenant', client_id 'test-client', federated_token_file " + lit(fed_file))
    rc, o8, e8 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n", db=DB)
    check("a federated query ran", o8.strip().endswith("5"), e8[-300:])
    fed_good = open(fed_file).read().strip()
    emu("POST", "/_admin/identity/federated_token", {"subject": "system:serviceaccount:other:x"})
    fed_bad = open(fed_file).read().strip()
    emu("POST", "/_admin/expire_tokens")
    rc, o9, e9 = psql_script("SET log_min_messages = debug5;\n"
                             "SELECT count(*) FROM billing.billing_accounts;\n", db=DB)
    check("a refused federated token is an error", "AADSTS70021" in e9, e9[-300:])
    emu("POST", "/_admin/identity/federated_token", {})
    seen += o5 + e5 + o6 + e6 + o7 + e7 + o8 + e8 + o9 + e9
    identity_secrets = [("the PEM's key lines", key_lines), ("the wrong PEM", [wrong.splitlines()[-2]]),
                        ("the federated token", [fed_good, fed_bad]), ("an assertion (a JWT)", ["eyJ"]),
                        ("a private key marker", ["PRIVATE KEY-----"])]

    tokens = [e.get("headers", {}).get("Authorization", "") for e in emu("GET", "/_admin/log")]
    issued = emu("GET", "/_admin/stats").get("tokens_issued", 0)
    check("tokens were issued during the run", issued > 0, str(issued))

    for what in (SECRET, token_static, "emu-at-", "Bearer "):
        check("client output never shows %r" % what, what not in seen)
    for name, values in identity_secrets:
        check("client output never shows %s" % name, not any(v in seen for v in values))
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
    for name, values in identity_secrets:
        hit = [v for v in values if v in log]
        check("server log never shows %s" % name, not hit,
              log[max(0, log.find(hit[0]) - 200):log.find(hit[0]) + 50] if hit else "")
    finish()


if __name__ == "__main__":
    main()
