#!/usr/bin/env python3
"""The README's scheduled refresh under a real pg_cron.

Restarts the pg_virtualenv cluster with shared_preload_libraries = pg_cron,
azbilling_fdw (so azbilling_stats is in shared memory)
and cron.database_name (a file in the cluster's conf.d), makes a role
`billing_sync` with its own user mapping (pg_cron runs a job as the role
that scheduled it), schedules the recipe with a schedule that fires every
minute, and polls cron.job_run_details (up to 75 s per job) until each job
has succeeded; then checks the local tables and the summary.  The cluster
is restarted without pg_cron at the end.
"""
import time

from azbtest import (CA, EMU, SECRET, check, cluster_conf_dir, emu_reset, finish, psql, psql_script,
                     restarted_with)

DB = "azbcron"


def main():
    if cluster_conf_dir() is None:
        check("running under pg_virtualenv (PG_CLUSTER_CONF_ROOT set)", False)
        return
    psql("DROP DATABASE IF EXISTS %s" % DB)
    psql("CREATE DATABASE %s" % DB)
    try:
        with restarted_with("azb_cron.conf",
                            "shared_preload_libraries = 'pg_cron, azbilling_fdw'\n"
                            "cron.database_name = '%s'\n"
                            # jobs run in background workers: no password for a TCP login
                            "cron.use_background_workers = on\n"
                            "max_worker_processes = 16\n" % DB) as up:
            if up:
                scheduled_refresh()
    finally:
        psql("DROP DATABASE IF EXISTS %s" % DB)
        psql("DROP ROLE IF EXISTS billing_sync")


def scheduled_refresh():
    """The recipe under pg_cron, in the restarted cluster."""
    rc, out, _ = psql("SHOW shared_preload_libraries")
    check("pg_cron and azbilling_fdw are preloaded", out == "pg_cron, azbilling_fdw", out)
    emu_reset()
    # as the superuser: the extensions, the server, the foreign tables and
    # a role that syncs with its own user mapping
    rc, out, err = psql_script("""
        \\set ON_ERROR_STOP 1
        SET log_min_error_statement = panic;
        CREATE EXTENSION pg_cron;
        CREATE EXTENSION azbilling_fdw;
        CREATE SERVER azure FOREIGN DATA WRAPPER azbilling_fdw
          OPTIONS (endpoint '%s', login_endpoint '%s', ca_file '%s');
        CREATE ROLE billing_sync LOGIN;
        GRANT USAGE ON FOREIGN SERVER azure TO billing_sync;
        CREATE USER MAPPING FOR billing_sync SERVER azure
          OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret '%s');
        CREATE SCHEMA billing;
        CREATE SCHEMA local AUTHORIZATION billing_sync;
        IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (invoices, transactions)
          FROM SERVER azure INTO billing;
        GRANT USAGE ON SCHEMA billing TO billing_sync;
        GRANT SELECT ON ALL TABLES IN SCHEMA billing TO billing_sync;
        GRANT USAGE ON SCHEMA cron TO billing_sync;
        """ % (EMU, EMU, CA, SECRET), db=DB)
    check("superuser setup", rc == 0, err[-400:])
    # as the syncing role: a first sync by hand, the summary, the schedule
    rc, out, err = psql_script("""
        \\set ON_ERROR_STOP 1
        SET ROLE billing_sync;
        CALL azbilling_sync('billing.invoices', 'local.invoices', since => '2026-01-01');
        CREATE MATERIALIZED VIEW local.monthly_spend AS
          SELECT billing_account_name, date_trunc('month', invoice_date) AS month,
                 sum(total_amount) AS total, count(*) AS invoices
          FROM local.invoices GROUP BY 1, 2;
        CREATE UNIQUE INDEX ON local.monthly_spend (billing_account_name, month);
        DELETE FROM local.invoices WHERE invoice_date >= '2026-06-01';
        SELECT cron.schedule('sync-invoices', '* * * * *',
          $$CALL azbilling_sync('billing.invoices', 'local.invoices', overlap => '200 days')$$);
        SELECT cron.schedule('sync-transactions', '* * * * *',
          $$CALL azbilling_sync('billing.transactions', 'local.transactions', since => '2026-10-01')$$);
        SELECT cron.schedule('refresh-spend', '* * * * *',
          $$REFRESH MATERIALIZED VIEW CONCURRENTLY local.monthly_spend$$);
        """, db=DB)
    check("billing_sync schedules the recipe", rc == 0, err[-400:])
    # poll: every job has a succeeded run
    want = {"sync-invoices", "sync-transactions", "refresh-spend"}
    done = {}
    deadline = time.monotonic() + 75
    while time.monotonic() < deadline and set(done) != want:
        rc, out, err = psql(
            "SELECT j.jobname, d.status, coalesce(d.return_message, '') FROM cron.job_run_details d "
            "JOIN cron.job j USING (jobid) WHERE d.status IN ('succeeded', 'failed') "
            "ORDER BY d.end_time", db=DB)
        for line in out.splitlines():
            name, status, msg = (line.split("|", 2) + ["", ""])[:3]
            done.setdefault(name, (status, msg))
        time.sleep(1)
    for name in sorted(want):
        status, msg = done.get(name, ("not run", ""))
        check("the job %s ran and succeeded" % name, status == "succeeded", "%s %s" % (status, msg))
    rc, out, err = psql("SELECT j.username FROM cron.job j ORDER BY jobid LIMIT 1", db=DB)
    check("the jobs run as the scheduling role", out == "billing_sync", out)
    # jobs ran in any order: wait for one more round of the refresh after the syncs
    rc, out, err = psql("SELECT (SELECT count(*) FROM local.invoices WHERE invoice_date >= '2026-06-01'), "
                        "(SELECT count(*) FROM local.transactions) > 0, "
                        "(SELECT high_water IS NOT NULL FROM azbilling_sync_state WHERE target = 'local.invoices')",
                        db=DB)
    check("the cron sync brought back the deleted invoices and the transactions",
          out.startswith("30|t|t"), out + err)
    # preloaded, the stats are in shared memory: this session sees the jobs' requests
    rc, out, err = psql("SELECT storage, sum(requests) > 0, sum(rows) > 0, sum(token_fetches) > 0 "
                        "FROM azbilling_stats WHERE server = 'azure' GROUP BY 1", db=DB)
    check("azbilling_stats in shared memory counts the jobs' requests", out == "shared|t|t|t", out + err)
    psql_script("SELECT cron.unschedule(jobname) FROM cron.job;", db=DB)
    # a job started before the unschedule finishes before the cluster restarts
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rc, out, _ = psql("SELECT count(*) FROM cron.job_run_details "
                          "WHERE status NOT IN ('succeeded', 'failed')", db=DB)
        if rc != 0 or out == "0":
            break
        time.sleep(0.5)


main()
finish()
