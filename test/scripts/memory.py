#!/usr/bin/env python3
"""Memory: 1,000 successful and 1,000 failing scans in one backend grow its
resident memory by less than 10 MB (no leaks on success or error paths)."""
from azbtest import MCA1, check, emu_fault, emu_reset, finish, psql_script, setup

DB = "azbmemory"
LIMIT_KB = 10 * 1024


def main():
    setup(DB)
    emu_reset()
    # failing scans: every request to the point route of one invoice answers 400
    emu_fault({"match": "/invoices/G400", "fault": "status", "status": 400, "count": 0})
    script = r"""
CREATE FUNCTION rss_kb() RETURNS int LANGUAGE sql AS $$
  SELECT substring(pg_read_file('/proc/self/status') FROM 'VmRSS:\s+(\d+)')::int $$;
CREATE FUNCTION scans(n int, failing boolean) RETURNS int LANGUAGE plpgsql AS $$
DECLARE errors int := 0; c int;
BEGIN
  FOR i IN 1..n LOOP
    BEGIN
      IF failing THEN
        SELECT count(*) INTO c FROM billing.invoices
         WHERE billing_account_name = '%(mca1)s' AND name = 'G400';
      ELSE
        SELECT count(*) INTO c FROM billing.invoices
         WHERE billing_account_name = '%(mca1)s'
           AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
      END IF;
    EXCEPTION WHEN OTHERS THEN errors := errors + 1;
    END;
  END LOOP;
  RETURN errors;
END $$;
SELECT 'warmup', scans(100, false), scans(100, true);
SELECT 'before', rss_kb();
SELECT 'ok_errors', scans(1000, false);
SELECT 'fail_errors', scans(1000, true);
SELECT 'after', rss_kb();
""" % {"mca1": MCA1}
    rc, out, err = psql_script(script, db=DB, timeout=600)
    vals = dict(line.split("|", 1) for line in out.splitlines() if "|" in line)
    check("scans ran", rc == 0 and "before" in vals and "after" in vals, err[-300:])
    if rc == 0:
        check("1,000 scans succeeded", vals.get("ok_errors") == "0", vals.get("ok_errors"))
        check("1,000 scans failed with an error", vals.get("fail_errors") == "1000",
              vals.get("fail_errors"))
        growth = int(vals["after"]) - int(vals["before"])
        print("RSS before %s kB, after %s kB, growth %d kB" % (vals["before"], vals["after"], growth))
        check("RSS growth %d kB < %d kB" % (growth, LIMIT_KB), growth < LIMIT_KB)
    emu_reset()
    finish()


if __name__ == "__main__":
    main()
