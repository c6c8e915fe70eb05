#!/usr/bin/env python3
"""What a write leaves behind, read from the session's messages and the
emulator's request log (DESIGN.md section 1, "Writes"; section 2,
"Long-running operations").

- The rollback WARNING: after two writes were applied and a third failed
  (409) in the same transaction, the WARNING counts the applied writes,
  says they are not undone, lists each (method, path, x-ms-request-id) but not the failed one, and carries no secret.
- Downloads: the blob URL (on another host) is returned, never fetched; a
  download whose Location is on another host is an error naming the host,
  and nothing reaches that host, unless a superuser lists it in
  trusted_hosts: then only the poll goes there.
"""
import os
import re
import urllib.parse

from azbtest import MCA1, SECRET, check, emu, emu_fault, emu_reset, finish, psql, psql_script, setup

DB = "azbhazards"
OTHER = os.environ.get("AZB_EMULATOR_OTHER_URL", "")
PROFILE = "AAAA-1111-BP1-PRF"
SECTION = "AAAA-1111-IS1-SEC"


def other_requests(log):
    return [(e["method"], e["path"], e["authorization"]) for e in log if e["listener"] == "other"]


def rollback_warning():
    rc, sub, err = psql("SELECT min(name) FROM billing.billing_subscriptions "
                        "WHERE billing_account_name = '%s' AND invoice_section_name = '%s'" % (MCA1, SECTION), db=DB)
    if rc or not sub:
        check("a subscription to update", False, err)
        return
    emu_reset()
    emu_fault({"fault": "status", "status": 409, "method": "PUT", "match": "^.*/billingProfiles/%s$" % PROFILE})
    rc, out, err = psql_script("""
        BEGIN;
        UPDATE billing.billing_subscriptions SET display_name = 'Hazard one'
        WHERE billing_account_name = '%(a)s' AND name = '%(s)s';
        UPDATE billing.invoice_sections SET display_name = 'Hazard two'
        WHERE billing_account_name = '%(a)s' AND billing_profile_name = '%(p)s' AND name = '%(i)s';
        UPDATE billing.billing_profiles SET po_number = 'Hazard three'
        WHERE billing_account_name = '%(a)s' AND name = '%(p)s';
        ROLLBACK;
        """ % {"a": MCA1, "s": sub, "p": PROFILE, "i": SECTION}, db=DB)
    writes = emu("GET", "/_admin/writes/log")
    refused = [e for e in emu("GET", "/_admin/log") if e["method"] == "PUT" and e["status"] == 409]
    check("two writes were applied, the third refused (409)",
          [w["method"] for w in writes] == ["PATCH", "PUT"] and len(refused) == 1 and
          refused[0]["path"].endswith("/billingProfiles/" + PROFILE), (writes, refused))
    m = re.search(r"WARNING:  01000: (transaction rolled back after (\d+) writes? to Azure[^\n]*)\n"
                  r"DETAIL:  Applied: ([^\n]*)\nHINT:  ([^\n]*)", err)
    check("the failure in the transaction is reported", "409" in err or "Conflict" in err, err[-500:])
    check("a WARNING after the rollback", m is not None, err[-800:])
    if not m:
        return
    message, count, detail, hint = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    check("the WARNING counts the two applied writes", count == 2, message)
    check("the WARNING says they are not undone", "not undone" in message and "Azure has no transactions" in hint,
          (message, hint))
    listed = [(m_, urllib.parse.unquote(p.split("?")[0]), r) for m_, p, r in
              re.findall(r"(PATCH|PUT|DELETE|POST) (\S+) \(x-ms-request-id ([^)]*)\)", detail)]
    check("the detail lists each applied write, in order, and not the failed one",
          [x[0] for x in listed] == ["PATCH", "PUT"] and
          listed[0][1].endswith("/billingSubscriptions/%s" % sub) and
          listed[1][1].endswith("/invoiceSections/%s" % SECTION) and
          "Hazard three" not in detail and not any(x[1].endswith("/billingProfiles/" + PROFILE) for x in listed),
          detail)
    check("each listed write names a request id", all(len(x[2]) >= 8 and x[2] != "none" for x in listed), detail)
    check("the WARNING carries no secret, token or host",
          SECRET not in err and "Bearer" not in err and "eyJ" not in detail and "https://" not in detail, detail)
    rc, out, _ = psql("SELECT display_name FROM billing.billing_subscriptions "
                      "WHERE billing_account_name = '%s' AND name = '%s'" % (MCA1, sub), db=DB)
    check("the rolled-back change is still in Azure", out == "Hazard one", out)


def downloads():
    call = ("SELECT url FROM azbilling_invoice_download_url('emu', '%s', 'G000000001')" % MCA1)
    # the emulator's own download: a blob URL on the other host, returned and not fetched
    emu_reset()
    rc, url, err = psql(call, db=DB)
    log = emu("GET", "/_admin/log")
    check("a download returns the blob URL on the other host", rc == 0 and url.startswith(OTHER + "/blob/"),
          (rc, url, err[-300:]))
    check("the blob URL is not fetched: nothing reaches the other host", not other_requests(log),
          other_requests(log))
    # a Location on the other host: refused, naming it; nothing sent there
    emu_reset()
    emu("POST", "/_admin/writes", {"operation": "Invoices_DownloadByBillingAccount", "mode": "foreign"})
    rc, out, err = psql_script(call + ";", db=DB)
    host = urllib.parse.urlsplit(OTHER).netloc
    log = emu("GET", "/_admin/log")
    check("a Location on another host is an error naming the host",
          rc == 0 and "ERROR" in err and host.split(":")[0] in err, err[-400:])
    check("untrusted: no request, and so no Authorization, reached the other host", not other_requests(log),
          other_requests(log))
    # trusted: the poll goes there (with the token, as trusted_hosts says), the blob still not fetched
    rc, _, err = psql("ALTER SERVER emu OPTIONS (ADD trusted_hosts '%s')" % host, db=DB)
    check("trusted_hosts set", rc == 0, err)
    emu_reset()
    emu("POST", "/_admin/writes", {"operation": "Invoices_DownloadByBillingAccount", "mode": "foreign"})
    rc, url, err = psql(call, db=DB)
    log = emu("GET", "/_admin/log")
    sent = other_requests(log)
    check("trusted: the download ends with the blob URL", rc == 0 and "/blob/" in url, (rc, url, err[-300:]))
    check("trusted: only the polls went to the other host",
          sent and all(m == "GET" and "/operationResults/" in p for m, p, _ in sent), sent)
    check("trusted: the blob URL was never requested, with or without a token",
          not any("/blob/" in p for _, p, _ in sent), sent)
    psql("ALTER SERVER emu OPTIONS (DROP trusted_hosts)", db=DB)


def main():
    setup(DB)
    rc, _, err = psql("ALTER SERVER emu OPTIONS (ADD updatable 'true')", db=DB)
    if rc:
        raise SystemExit("cannot make the server updatable: " + err)
    try:
        rollback_warning()
        downloads()
    finally:
        emu_reset()
        psql("DROP DATABASE IF EXISTS %s" % DB)


if __name__ == "__main__":
    main()
    finish()
