#!/usr/bin/env python3
"""test/bench/bench.py: the measurements of test/bench/run.

Runs inside pg_virtualenv (PG* variables set) with the bundled emulator
started by test/bench/run (AZB_EMULATOR_* variables set).  Standard library
only.  Every figure is printed with the baseline it is compared with, both
measured in this run; a summary block comes last.  See README.md here.

Environment:
  AZB_BENCH_REPEAT    repetitions of each timed measurement (default 3; the median is used)
  AZB_BENCH_ONLY      e.g. "a,c": run only those figures (default: all)
  AZB_BENCH_WORK      scratch directory (default: a temporary one)
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import azbtest  # noqa: E402  (the test scripts' cluster helpers: conf.d, restart)
REPEAT = max(1, int(os.environ.get("AZB_BENCH_REPEAT", "3")))
ONLY = set(x.strip() for x in os.environ.get("AZB_BENCH_ONLY", "").split(",") if x.strip())

EMU = os.environ["AZB_EMULATOR_URL"]
EMU_HTTP = os.environ["AZB_EMULATOR_HTTP_URL"]
CA = os.environ["AZB_EMULATOR_CA"]

MCA1 = "11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31"
MCA2 = "22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15"
PROFILE = "BBBB-1111-BP1-PRF"
SCOPE = ("billing_account_name = '%s' AND billing_profile_name = '%s' AND billed_status = 'Billed' "
         "AND date >= '2025-01-01' AND date < '2026-01-01'" % (MCA2, PROFILE))

# figure (a)/(b) emulator settings (also given on the emulator's command line by run)
PAGE_SIZE = 1000
BULK = 200000
LATENCY_MS = 20

# figure (c)
FAN_PROFILES = 32
FAN_PAGES = 3
FAN_ITEMS = 50
FAN_DELAY_MS = 100
STUB_ACCOUNT = "99999999-9999-9999-9999-999999999999:99999999-9999-9999-9999-999999999999_2024-01-01"
FAN_WHERE = ("billing_account_name = '%s' AND billed_status = 'Billed' "
             "AND date >= '2025-01-01' AND date < '2026-01-01'" % STUB_ACCOUNT)

SUMMARY = []        # lines of the final block
ERRORS = []


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------
# helpers

def out(*a):
    print(*a, flush=True)


def median(xs):
    return statistics.median(xs)


def fmt_s(x):
    return "%.3f s" % x


def goal(ok):
    return "met" if ok else "NOT met"


def runs(xs, unit="s"):
    return "[" + ", ".join(("%.3f" % x) for x in xs) + "] " + unit


def psql(sql, vars=None, check=True):
    """Run SQL in a new psql (a new backend); returns stdout (unaligned, tuples only)."""
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
    for k, v in (vars or {}).items():
        cmd += ["-v", "%s=%s" % (k, v)]
    p = subprocess.run(cmd + ["-f", "-"], input=sql, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise BenchError("psql failed: %s\n--- SQL ---\n%s" % (p.stderr.strip(), sql[:2000]))
    return p.stdout


def timed4(sql, setup="", after="", vars=None):
    """Run setup (untimed), then sql with \\timing, then after, in one new backend.
    Returns (seconds, output lines of sql, of after, of setup)."""
    text = setup + "\n\\echo @@T0\n\\timing on\n" + sql + "\n\\timing off\n\\echo @@T1\n" + after + "\n"
    o = psql(text, vars)
    head, body = o.split("@@T0\n", 1)
    mid, tail = body.split("@@T1\n", 1)
    times = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", mid, re.M)]
    if not times:
        raise BenchError("no timing in psql output: %r" % mid[:500])
    lines = [l for l in mid.splitlines() if not l.startswith("Time: ")]
    return sum(times) / 1000.0, lines, tail.splitlines(), head.splitlines()


def timed(sql, setup="", after="", vars=None):
    return timed4(sql, setup, after, vars)[0:3]


STAT_SQL = "SELECT pg_read_file('/proc/self/stat');"


def cpu_seconds(stat_line):
    """user + system CPU seconds of a process from its /proc/PID/stat line."""
    f = stat_line.rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / float(os.sysconf("SC_CLK_TCK"))


def timed_cpu(sql, setup=""):
    """timed() plus the backend's own CPU seconds spent on sql."""
    t, lines, after, head = timed4(sql, setup=setup + "\n" + STAT_SQL, after=STAT_SQL)
    stat = lambda ls: [l for l in ls if ")" in l][-1]
    return t, lines, cpu_seconds(stat(after)) - cpu_seconds(stat(head))


def explain_counters(lines):
    c = {}
    for l in lines:
        m = re.match(r"^\s*Azure (HTTP Requests|Pages|Rows|Bytes|Retries): (\d+)", l)
        if m:
            c[m.group(1)] = c.get(m.group(1), 0) + int(m.group(2))
        m = re.match(r"^\s*->\s+Foreign Scan .*actual rows=(\d+)", l) or \
            re.match(r"^\s*Foreign Scan .*actual rows=(\d+)", l)
        if m:
            c["scan rows"] = int(m.group(1))
    return c


def admin(path, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(EMU_HTTP + path, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


# The chains of (a) and (f1) read 200 pages at some 40 a second, one run after
# another: ARM's read bucket (250 reads, refilled at 25 a second, as the
# emulator keeps it) would be empty after a few runs, and the FDW then paces
# itself as it must against Azure, while curl and the peer never do.  They
# measure latency, not the quota: the emulator refills its bucket at once.
CHAIN_REFILL = 100000
DEFAULT_REFILL = 25


def emu_config(**kw):
    """Patch the emulator's config if it differs (a change empties its page cache).
    The read bucket refills at ARM's rate unless a figure says otherwise."""
    kw.setdefault("read_refill", DEFAULT_REFILL)
    cur = admin("/_admin/config")
    if any(cur.get(k) != v for k, v in kw.items()):
        admin("/_admin/config", kw)


_log_seq = [0]


def emu_log_new():
    """Log entries since the last call."""
    entries = admin("/_admin/log?since=%d" % _log_seq[0])
    if entries:
        _log_seq[0] = max(e["seq"] for e in entries)
    return entries


def chain_profile(entries):
    """How the GETs of a chain were spaced: server time and the client's gaps."""
    gets = sorted((e for e in entries if e["method"] == "GET"), key=lambda e: e["seq"])
    if not gets:
        return {"requests": 0}
    gaps = []
    overlaps = 0
    for a, b in zip(gets, gets[1:]):
        g = b["ts"] - (a["ts"] + (a["duration_ms"] or 0) / 1000.0)
        gaps.append(g)
        if g < 0:
            overlaps += 1
    return {"requests": len(gets),
            "server_s": sum((e["duration_ms"] or 0) for e in gets) / 1000.0,
            "gap_ms": 1000.0 * statistics.mean(gaps) if gaps else 0.0,
            "gap_median_ms": 1000.0 * statistics.median(gaps) if gaps else 0.0,
            "gap_total_s": sum(g for g in gaps if g > 0),
            "overlaps": overlaps,
            "span_s": gets[-1]["ts"] + (gets[-1]["duration_ms"] or 0) / 1000.0 - gets[0]["ts"]}


def curl(args, data=None):
    p = subprocess.run(["curl", "-sS", "--fail", "--compressed"] + args, capture_output=True, input=data)
    if p.returncode != 0:
        raise BenchError("curl %s failed: %s" % (args[-1], p.stderr.decode(errors="replace").strip()))
    return p.stdout


def next_link(body):
    i = body.rfind(b'"nextLink"')
    if i < 0:
        return None
    try:
        return json.loads(b"{" + body[i:]).get("nextLink") or None
    except ValueError:
        return json.loads(body).get("nextLink") or None


def curl_chain(first_url, save_dir=None):
    """Token, then every page of a nextLink chain, one curl process per request.
    Returns (seconds, pages, bytes)."""
    t0 = time.perf_counter()
    tok = json.loads(curl(["--cacert", CA, "-X", "POST", "--data-urlencode", "grant_type=client_credentials",
                           "--data-urlencode", "client_id=test-client", "--data-urlencode", "client_secret=test-secret",
                           "--data-urlencode", "scope=%s/.default" % EMU,
                           EMU + "/contoso.onmicrosoft.com/oauth2/v2.0/token"]))["access_token"]
    url, pages, nbytes = first_url, 0, 0
    while url:
        body = curl(["--cacert", CA, "-H", "Accept: application/json", "-H", "Authorization: Bearer " + tok, url])
        pages += 1
        nbytes += len(body)
        if save_dir:
            with open(os.path.join(save_dir, "page%05d.json" % pages), "wb") as f:
                f.write(body)
        url = next_link(body)
    return time.perf_counter() - t0, pages, nbytes


def vm_status_sql():
    return ("SELECT substring(s from 'VmHWM:\\s*(\\d+)') || ' ' || substring(s from 'VmRSS:\\s*(\\d+)') "
            "FROM pg_read_file('/proc/self/status') AS s;")


def section(key, title):
    out("")
    out("=" * 78)
    out("(%s) %s" % (key, title))
    out("=" * 78)


# ---------------------------------------------------------------------------
# setup

class Ctx:
    pass


def setup(ctx):
    psql("""
CREATE EXTENSION azbilling_fdw;
\\i :server_sql
-- no JIT anywhere: its compile time would be noise on every path alike
ALTER DATABASE :"db" SET jit = off;
""", {"server_sql": os.path.join(HERE, "..", "emulator_server.sql"), "server": "azure", "schema": "billing",
      "tenant": "contoso.onmicrosoft.com", "emu_url": EMU, "emu_ca": CA,
      "db": os.environ.get("PGDATABASE", "postgres")})
    rows = psql("SELECT column_name, kind, coalesce(json_key, ''), data_type FROM azbilling_catalog() "
                "WHERE resource = 'transactions' AND api_version = '2024-04-01' ORDER BY ordinal;")
    cols = []
    for l in rows.splitlines():
        name, kind, key, typ = l.split("|")
        if kind == "raw":
            continue
        cols.append({"name": name, "kind": kind, "key": key.split(".") if key else [], "type": typ})
    table_cols = psql("SELECT column_name FROM information_schema.columns WHERE table_schema = 'billing' "
                      "AND table_name = 'transactions' ORDER BY ordinal_position;").split()
    missing = [c["name"] for c in cols if c["name"] not in table_cols]
    if missing:
        raise BenchError("billing.transactions lacks catalogue columns %s" % missing)
    ctx.cols = cols
    ctx.collist = ", ".join('"%s"' % c["name"] for c in cols)
    ctx.coldefs = ", ".join('"%s" %s' % (c["name"], c["type"]) for c in cols)
    ctx.columns_file = os.path.join(ctx.work, "columns.json")
    with open(ctx.columns_file, "w") as f:
        json.dump(cols, f)
    ctx.fdw_query = ("SELECT count(*), sum(hashtext(t::text)) FROM (SELECT %s FROM billing.transactions WHERE %s) t"
                     % (ctx.collist, SCOPE))
    # the first request of the scan, exactly as the FDW sends it (the curl chain starts there)
    plan = psql("EXPLAIN (VERBOSE, COSTS OFF) SELECT %s FROM billing.transactions WHERE %s;" % (ctx.collist, SCOPE))
    m = re.search(r"Azure Request: GET (\S+)", plan)
    if not m:
        raise BenchError("no Azure Request line in EXPLAIN VERBOSE:\n" + plan)
    ctx.first_url = EMU + m.group(1)


def machine(ctx):
    section("0", "machine")
    model = "?"
    with open("/proc/cpuinfo") as f:
        for l in f:
            if l.startswith("model name"):
                model = l.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for l in f:
            if l.startswith("MemTotal"):
                mem = "%.1f GB" % (int(l.split()[1]) / 1024 / 1024)
    v = psql("SELECT version(); SELECT azbilling_version();").splitlines()
    lib = psql("SELECT azbilling_version(); SELECT string_agg(DISTINCT substring(l from '(/\S*azbilling_fdw\S*)'), ', ') "
               "FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), '\n') AS l "
               "WHERE l LIKE '%azbilling_fdw%';").splitlines()[-1]
    ctx.load_start = open("/proc/loadavg").read().split()[:3]
    out("nproc: %s" % os.cpu_count())
    out("CPU: %s" % model)
    out("memory: %s" % mem)
    out("load average at start: %s" % " ".join(ctx.load_start))
    out("PostgreSQL: %s" % v[0])
    out("extension: %s" % v[1])
    out("extension library loaded: %s" % lib)
    out("curl: %s" % subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.splitlines()[0])
    out("python: %s" % sys.version.split()[0])
    out("emulator: %s, start-up config %s" % (EMU, json.dumps(admin("/_admin/config"), sort_keys=True)))
    out("repetitions per timed figure: %d (median reported)" % REPEAT)
    SUMMARY.append("machine: %s x %s, PostgreSQL %s, %s" % (
        os.cpu_count(), model, v[0].split()[1], re.search(r"libcurl/\S+", v[1]).group(0)
        if re.search(r"libcurl/\S+", v[1]) else v[1]))


def fdw_scan(ctx, query=None):
    """The FDW scan of all typed columns in a new backend: (seconds, counters);
    counters["cpu"] is the backend's CPU time."""
    t, lines, cpu = timed_cpu("EXPLAIN (ANALYZE, TIMING OFF) %s;" % (query or ctx.fdw_query))
    c = explain_counters(lines)
    c["cpu"] = cpu
    return t, c


# ---------------------------------------------------------------------------
# (a) latency chain

def fig_a(ctx):
    section("a", "latency chain: 200 pages x 1,000 rows, 20 ms per request, one scope")
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=LATENCY_MS, read_refill=CHAIN_REFILL)
    out("query: %s" % ctx.fdw_query.replace(ctx.collist, "<%d typed columns>" % len(ctx.cols)))
    out("curl chain starts at: %s" % ctx.first_url.replace(EMU, ""))
    emu_log_new()
    t, c = fdw_scan(ctx)
    out("warm-up (fills the emulator's page cache): FDW %s, %s pages, %s rows, %.1f MB"
        % (fmt_s(t), c.get("Pages"), c.get("Rows"), c.get("Bytes", 0) / 1e6))
    ctx.a_rows = c.get("Rows")
    ctx.a_pages = c.get("Pages")
    fdw, cur, fdw_prof, curl_prof, fcpu = [], [], [], [], []
    for i in range(REPEAT):
        emu_log_new()
        t, c = fdw_scan(ctx)
        fdw.append(t)
        fcpu.append(c["cpu"])
        fdw_prof.append(chain_profile(emu_log_new()))
        if c.get("Rows") != ctx.a_rows or c.get("Pages") != ctx.a_pages:
            raise BenchError("FDW scan %d returned %s rows / %s pages, the warm-up %s / %s"
                             % (i + 1, c.get("Rows"), c.get("Pages"), ctx.a_rows, ctx.a_pages))
        t, pages, nbytes = curl_chain(ctx.first_url)
        cur.append(t)
        curl_prof.append(chain_profile(emu_log_new()))
        if pages != ctx.a_pages:
            raise BenchError("curl chain read %d pages, the FDW %s" % (pages, ctx.a_pages))
    f, b = median(fdw), median(cur)
    ratio = f / b
    fp = fdw_prof[fdw.index(sorted(fdw)[len(fdw) // 2])]
    cp = curl_prof[cur.index(sorted(cur)[len(cur) // 2])]
    out("FDW scan     (all typed columns, consumed with sum(hashtext(t::text))): median %s  runs %s"
        % (fmt_s(f), runs(fdw)))
    out("  the backend's own CPU time (user + system) during the scan: median %.2f s  runs %s"
        % (median(fcpu), runs(fcpu)))
    out("curl chain   (token + %d pages, one curl process per request):         median %s  runs %s"
        % (pages, fmt_s(b), runs(cur)))
    out("ratio FDW / curl chain: %.2f (goal <= 1.1: %s)" % (ratio, goal(ratio <= 1.1)))
    out("where the time goes (emulator log, median run; 'gap' = from the end of one answer to the next request):")
    for name, p in (("FDW", fp), ("curl", cp)):
        out("  %-4s %3d GETs, server time %.2f s (%.1f ms each, 20 ms of it latency), mean gap %.1f ms, "
            "gaps total %.2f s, requests overlapping the previous one: %d"
            % (name, p["requests"], p["server_s"], 1000 * p["server_s"] / max(1, p["requests"]),
               p["gap_ms"], p["gap_total_s"], p["overlaps"]))
    per_page_cpu = 1000 * median(fcpu) / max(1, fp["requests"])
    per_page_srv = 1000 * fp["server_s"] / max(1, fp["requests"])
    out("  FDW  median gap %.1f ms; the backend spends %.1f ms of CPU per page (parse, decode, the query's own"
        % (fp["gap_median_ms"], per_page_cpu))
    out("       hashtext(t::text)), the server %.1f ms: %s"
        % (per_page_srv, "the backend keeps up, so a gap is the FDW's own idle time" if per_page_cpu < per_page_srv
           else "the chain waits for the consumer (read-ahead is bounded to a few pages), which is the gap"))
    # the FDW's own gap: the same chain read by consumers that keep up
    chains = []
    for label, query in (
            ("every typed column decoded, rows only counted (NOT (t IS NULL))",
             "SELECT count(*) FROM (SELECT %s FROM billing.transactions WHERE %s) t WHERE NOT (t IS NULL)"
             % (ctx.collist, SCOPE)),
            ("count(*), no column decoded", "SELECT count(*) FROM billing.transactions WHERE %s" % SCOPE)):
        gaps = []
        for i in range(REPEAT):
            emu_log_new()
            lt, lc = fdw_scan(ctx, query)
            lp = chain_profile(emu_log_new())
            gaps.append((lp["gap_ms"], lp["gap_median_ms"], lt, 1000 * lc["cpu"] / max(1, lp["requests"])))
        gaps.sort()
        g = gaps[len(gaps) // 2]
        chains.append(g)
        out("  the same chain, %s: %s, backend CPU %.1f ms per page," % (label, fmt_s(g[2]), g[3]))
        out("       mean gap %.2f ms (median %.2f); runs' mean gaps %s ms"
            % (g[0], g[1], ", ".join("%.2f" % x[0] for x in gaps)))
    SUMMARY.append("(a) nextLink gap (median run): mean %.2f ms (median %.2f) with every column decoded, "
                   "%.2f ms (median %.2f) by count(*) (goal < 1 ms: %s); with the query's hashtext(t::text) "
                   "too, %.1f ms (median %.1f), the backend %.1f ms of CPU a page against the server's %.1f"
                   % (chains[0][0], chains[0][1], chains[1][0], chains[1][1],
                      goal(chains[0][0] < 1 and chains[1][0] < 1),
                      fp["gap_ms"], fp["gap_median_ms"], per_page_cpu, per_page_srv))
    out("note: curl cannot reuse a connection along a nextLink chain (each URL is known only after the previous")
    out("      page), so every curl request pays process start-up and a new TCP + TLS handshake; the FDW keeps")
    out("      one connection alive.")
    SUMMARY.append("(a) latency chain: FDW %.2f s, curl chain %.2f s, ratio %.2f (goal <= 1.1: %s)"
                   % (f, b, ratio, goal(ratio <= 1.1)))


# ---------------------------------------------------------------------------
# (f) peer baseline, chain part (runs right after (a): same emulator state)

def peer(ctx, mode, table, extra):
    psql("DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s);" % (table, table, ctx.coldefs))
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, os.path.join(HERE, "peer_pull.py"), "--mode", mode,
                        "--columns", ctx.columns_file, "--table", table] + extra,
                       capture_output=True, text=True)
    t = time.perf_counter() - t0
    if p.returncode != 0:
        raise BenchError("peer_pull.py failed: %s" % p.stderr.strip()[-2000:])
    st = json.loads(p.stdout.strip().splitlines()[-1])
    n = int(psql("SELECT count(*) FROM %s;" % table).strip())
    return t, st, n


def fdw_load(ctx, table, source, where):
    t, _, after = timed("INSERT INTO %s SELECT %s FROM %s WHERE %s;" % (table, ctx.collist, source, where),
                        setup="DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s);" % (table, table, ctx.coldefs),
                        after="SELECT count(*) FROM %s;" % table)
    return t, int(after[-1])


def fig_f_chain(ctx):
    section("f1", "peer baseline, chain: Python urllib + COPY vs FDW, the data of (a)")
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=LATENCY_MS, read_refill=CHAIN_REFILL)
    if getattr(ctx, "a_rows", None) is None:
        t, c = fdw_scan(ctx)
        out("warm-up (fills the emulator's page cache): FDW %s" % fmt_s(t))
        ctx.a_rows = c.get("Rows")
    extra = ["--url", ctx.first_url, "--endpoint", EMU, "--cacert", CA,
             "--token-url", EMU + "/contoso.onmicrosoft.com/oauth2/v2.0/token",
             "--account", MCA2, "--profile", PROFILE]
    pt, ft, pst = [], [], None
    for i in range(REPEAT):
        t, st, n = peer(ctx, "chain", "peer_a", extra)
        pt.append(t)
        pst = st
        if n != ctx.a_rows:
            raise BenchError("peer loaded %d rows, the FDW read %s" % (n, ctx.a_rows))
        t, n = fdw_load(ctx, "fdw_a", "billing.transactions", SCOPE)
        ft.append(t)
        if n != ctx.a_rows:
            raise BenchError("FDW loaded %d rows, expected %s" % (n, ctx.a_rows))
    p, f = median(pt), median(ft)
    out("peer script (token, %d pages via urllib, flatten, \\copy): median %s  runs %s"
        % (pst["pages"], fmt_s(p), runs(pt)))
    out("  last run inside the script: fetch+parse %.2f s, COPY %.2f s" % (pst["fetch_parse_s"], pst["copy_s"]))
    out("FDW INSERT INTO local table SELECT <typed columns> (new backend): median %s  runs %s" % (fmt_s(f), runs(ft)))
    out("ratio FDW / peer: %.2f" % (f / p))
    ctx.f_chain = (f, p)


# ---------------------------------------------------------------------------
# (b) decode cost

def jsonb_expr(c):
    """The jsonb path's expression for one typed column; e is the item, p its properties."""
    name, kind, typ = c["name"], c["kind"], c["type"]
    if kind == "envelope":
        return "e->>'%s'" % name
    if kind == "scope":
        if name == "billing_account_name":
            return "'%s'::text" % MCA2
        if name == "billing_profile_name":
            return "'%s'::text" % PROFILE
        parts = name[:-len("_name")].split("_")
        prop = parts[0] + "".join(x.title() for x in parts[1:]) + "Id"
        return "split_part(p->>'%s', '/', -1)" % prop
    if kind == "request":
        return "'Billed'::text"
    key = c["key"][1:]          # below "properties"
    assert c["key"][0] == "properties" and len(key) == 1, c
    k = key[0]
    if kind == "amount":
        return "(p->'%s'->>'value')::numeric" % k
    if kind == "currency":
        return "p->'%s'->>'currency'" % k
    if typ == "jsonb":
        return "p->'%s'" % k
    if typ == "text":
        return "p->>'%s'" % k
    return "(p->>'%s')::%s" % (k, typ)


def fig_b(ctx):
    section("b", "decode cost: the same 200 pages, no latency, served from the emulator's page cache")
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=0)
    pagedir = os.path.join(ctx.work, "pages")
    shutil.rmtree(pagedir, ignore_errors=True)
    os.makedirs(pagedir)
    t, pages, nbytes = curl_chain(ctx.first_url, save_dir=pagedir)
    st = admin("/_admin/stats")
    out("warm-up: curl chain rendered and saved %d pages (%.1f MB) in %s; emulator cache: %d entries, %.0f MB"
        % (pages, nbytes / 1e6, fmt_s(t), st["cache"]["entries"], st["cache"]["bytes"] / 1e6))
    if st["cache"]["entries"] < pages:
        out("WARNING: the emulator's page cache holds fewer entries than pages")
    ctx.b_bytes = nbytes

    # the page bodies as text in a local table (COPY text format)
    copyfile = os.path.join(ctx.work, "pages.copy")
    with open(copyfile, "wb") as f:
        for i, name in enumerate(sorted(os.listdir(pagedir))):
            body = open(os.path.join(pagedir, name), "rb").read()
            body = (body.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
                    .replace(b"\t", b"\\t"))
            f.write(b"%d\t" % (i + 1) + body + b"\n")
    shutil.rmtree(pagedir, ignore_errors=True)
    t0 = time.perf_counter()
    psql("""
DROP TABLE IF EXISTS bench_pages;
-- default storage (TOASTed, pglz-compressed): measured faster here than
-- STORAGE EXTERNAL, as the compressed pages fit in shared_buffers
CREATE TABLE bench_pages (seq int, body text);
\\copy bench_pages FROM '%s'
VACUUM ANALYZE bench_pages;
""" % copyfile)
    os.unlink(copyfile)
    out("loaded %s pages as text into bench_pages in %s (%s on disk)" % (
        psql("SELECT count(*) FROM bench_pages;").strip(), fmt_s(time.perf_counter() - t0),
        psql("SELECT pg_size_pretty(pg_total_relation_size('bench_pages'));").strip()))

    t, _, after = timed("CREATE TABLE heap_tx AS SELECT %s FROM billing.transactions WHERE %s;" % (ctx.collist, SCOPE),
                        setup="DROP TABLE IF EXISTS heap_tx;",
                        after="VACUUM ANALYZE heap_tx; SELECT count(*) FROM heap_tx; "
                              "SELECT pg_size_pretty(pg_total_relation_size('heap_tx'));")
    out("loaded the FDW's rows into heap_tx (CREATE TABLE AS) in %s: %s rows, %s" % (fmt_s(t), after[-2], after[-1]))
    nrows = int(after[-2])

    exprs = ",\n       ".join("%s AS \"%s\"" % (jsonb_expr(c), c["name"]) for c in ctx.cols)
    expansion = ("SELECT %s\n  FROM bench_pages g\n  CROSS JOIN LATERAL jsonb_array_elements(g.body::jsonb -> 'value') AS a(e)\n"
                 "  CROSS JOIN LATERAL (SELECT a.e -> 'properties' OFFSET 0) AS x(p)" % exprs)
    jsonb_query = ("SELECT count(*), sum(hashtext(t::text)) FROM (SELECT * FROM (%s) u WHERE %s) t"
                   % (expansion, SCOPE))
    heap_query = ("SELECT count(*), sum(hashtext(t::text)) FROM (SELECT %s FROM heap_tx WHERE %s) t"
                  % (ctx.collist, SCOPE))
    with open(os.path.join(ctx.work, "jsonb_query.sql"), "w") as f:
        f.write(jsonb_query + ";\n")
    # the jsonb path must yield exactly the FDW's rows (compared with = per column type)
    diff = psql("SELECT (SELECT count(*) FROM (SELECT %s FROM heap_tx EXCEPT ALL SELECT * FROM (%s) u) d1) || ' ' || "
                "(SELECT count(*) FROM (SELECT * FROM (%s) u EXCEPT ALL SELECT %s FROM heap_tx) d2);"
                % (ctx.collist, expansion, expansion, ctx.collist)).split()
    same = diff == ["0", "0"]
    out("jsonb path vs FDW rows: %s (rows only in FDW: %s, only in jsonb path: %s)"
        % ("identical" if same else "DIFFERENT", diff[0], diff[1]))
    if not same:
        ERRORS.append("(b) the jsonb expansion does not reproduce the FDW's rows")

    cur, fdw, jsb, heap = [], [], [], []
    cpu = {"fdw": [], "jsonb": [], "heap": []}
    cks = {}
    for i in range(REPEAT):
        t, p, nb = curl_chain(ctx.first_url)
        cur.append(t)
        t, c = fdw_scan(ctx)
        fdw.append(t)
        cpu["fdw"].append(c["cpu"])
        if c.get("Rows") != nrows:
            raise BenchError("FDW returned %s rows, heap_tx has %d" % (c.get("Rows"), nrows))
        ctx.b_fdw_bytes = c.get("Bytes")
        t, lines, tc = timed_cpu(jsonb_query + ";")
        jsb.append(t)
        cpu["jsonb"].append(tc)
        cks["jsonb"] = lines[-1]
        t, lines, tc = timed_cpu(heap_query + ";")
        heap.append(t)
        cpu["heap"].append(tc)
        cks["heap"] = lines[-1]
    c, f, j, h = median(cur), median(fdw), median(jsb), median(heap)
    mb = nbytes / 1e6
    out("bytes per pass: %.1f MB of JSON (FDW's Azure Bytes: %.1f MB), %d rows, %d typed columns"
        % (mb, (ctx.b_fdw_bytes or 0) / 1e6, nrows, len(ctx.cols)))
    out("curl chain (fetch only, 1 process/request): median %s = %6.1f MB/s  runs %s" % (fmt_s(c), mb / c, runs(cur)))
    out("FDW scan (fetch + parse + typed decode):    median %s = %6.1f MB/s  runs %s" % (fmt_s(f), mb / f, runs(fdw)))
    out("jsonb path (text -> jsonb -> ->> casts):    median %s = %6.1f MB/s  runs %s" % (fmt_s(j), mb / j, runs(jsb)))
    out("heap floor (same rows in a local table):    median %s = %6.1f MB/s  runs %s" % (fmt_s(h), mb / h, runs(heap)))
    out("backend CPU time (user + system), medians: FDW %.2f s, jsonb path %.2f s, heap %.2f s"
        % (median(cpu["fdw"]), median(cpu["jsonb"]), median(cpu["heap"])))
    out("(every path consumes the rows the same way: sum(hashtext(t::text)) over the same columns and WHERE;")
    out(" checksums jsonb %s, heap %s: they differ from each other only by numeric scale, e.g. 0.0 vs 0)"
        % (cks.get("jsonb"), cks.get("heap")))
    out("ratio FDW / jsonb path: %.2f (goal <= 0.6: %s)" % (f / j, goal(f / j <= 0.6)))
    out("ratio FDW / heap floor: %.2f" % (f / h))
    out("FDW time minus curl fetch time (a rough parse+decode estimate): %.2f s" % (f - c))
    SUMMARY.append("(b) decode cost: curl %.0f MB/s, FDW %.0f MB/s, jsonb path %.0f MB/s, heap %.0f MB/s; "
                   "FDW/jsonb %.2f (goal <= 0.6: %s), FDW/heap %.2f"
                   % (mb / c, mb / f, mb / j, mb / h, f / j, goal(f / j <= 0.6), f / h))


# ---------------------------------------------------------------------------
# (c) fan-out

def start_stub(ctx):
    if getattr(ctx, "stub_url", None):
        return
    portfile = os.path.join(ctx.work, "stub.port")
    ctx.stub = subprocess.Popen([sys.executable, os.path.join(HERE, "stub_arm.py"), "--port-file", portfile,
                                 "--profiles", str(FAN_PROFILES), "--pages", str(FAN_PAGES),
                                 "--items", str(FAN_ITEMS), "--delay-ms", str(FAN_DELAY_MS)],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(ctx.work, "stub.log"), "w"))
    for _ in range(100):
        if os.path.exists(portfile):
            break
        if ctx.stub.poll() is not None:
            raise BenchError("the stub server exited; see %s" % os.path.join(ctx.work, "stub.log"))
        time.sleep(0.05)
    ctx.stub_url = "http://127.0.0.1:%d" % int(open(portfile).read())
    psql("""
CREATE SERVER stub FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'u', login_endpoint :'u', max_concurrency '32');
CREATE USER MAPPING FOR CURRENT_USER SERVER stub
  OPTIONS (tenant_id 'bench', client_id 'bench-client', client_secret 'bench-secret');
CREATE SCHEMA fan;
IMPORT FOREIGN SCHEMA azure_billing FROM SERVER stub INTO fan;
""", {"u": ctx.stub_url})


def stub(ctx, path, post=False):
    req = urllib.request.Request(ctx.stub_url + path, data=b"" if post else None,
                                 method="POST" if post else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def fig_c(ctx):
    section("c", "fan-out: %d billing profiles x %d pages, %d ms per request, max_concurrency 32, cold token"
            % (FAN_PROFILES, FAN_PAGES, FAN_DELAY_MS))
    start_stub(ctx)
    query = "SELECT count(*) FROM fan.transactions WHERE %s" % FAN_WHERE
    out("stub: %s (test/bench/stub_arm.py; the emulator's data set has 4 billing profiles and no setting for more)"
        % ctx.stub_url)
    out("query (each run in a new backend, so the token is fetched too): %s" % query)
    expect = FAN_PROFILES * FAN_PAGES * FAN_ITEMS
    stub(ctx, "/_reset", True)
    t, lines, _ = timed("EXPLAIN (ANALYZE, TIMING OFF) %s;" % query)
    out("warm-up (renders the stub's pages once): %s" % fmt_s(t))
    times, stats = [], []
    for i in range(REPEAT):
        stub(ctx, "/_reset", True)
        t, lines, _ = timed("EXPLAIN (ANALYZE, TIMING OFF) %s;" % query)
        c = explain_counters(lines)
        st = stub(ctx, "/_stats")
        if c.get("scan rows") != expect:
            raise BenchError("fan-out returned %s rows, expected %d" % (c.get("scan rows"), expect))
        times.append(t)
        stats.append(st)
    f = median(times)
    st = stats[times.index(sorted(times)[len(times) // 2])]
    seq = (FAN_PROFILES * FAN_PAGES) * FAN_DELAY_MS / 1000.0
    crit = (1 + 1 + FAN_PAGES) * FAN_DELAY_MS / 1000.0
    out("FDW: median %s  runs %s; %d rows" % (fmt_s(f), runs(times), expect))
    out("  requests seen by the stub (median run): %s, peak in flight %d, TCP connections %d, "
        "first arrival to last answer %.3f s"
        % (json.dumps(st["requests"]), st["max_inflight"], st["connections"], st["server_span_s"] or 0))
    out("sequential baseline (%d pages x %d ms): %.1f s -> ratio FDW / sequential %.3f"
        % (FAN_PROFILES * FAN_PAGES, FAN_DELAY_MS, seq, f / seq))
    out("critical path (token, profile list, %d pages: %d x %d ms): %.1f s -> ratio FDW / critical path %.2f"
        % (FAN_PAGES, 2 + FAN_PAGES, FAN_DELAY_MS, crit, f / crit))
    out("goal: under 0.8 s: %s" % goal(f < 0.8))
    SUMMARY.append("(c) fan-out: FDW %.2f s (%d requests, peak %d in flight), sequential %.1f s (ratio %.3f), "
                   "critical path %.1f s (ratio %.2f) (goal < 0.8 s: %s)"
                   % (f, st["requests_total"], st["max_inflight"], seq, f / seq, crit, f / crit, goal(f < 0.8)))
    ctx.c_fdw = f


def fig_f_fanout(ctx):
    section("f2", "peer baseline, fan-out: Python urllib + COPY vs FDW, the data of (c)")
    start_stub(ctx)
    extra = ["--base", ctx.stub_url, "--endpoint", ctx.stub_url,
             "--token-url", ctx.stub_url + "/bench/oauth2/v2.0/token", "--account", STUB_ACCOUNT,
             "--query", "api-version=2024-04-01&periodStartDate=2025-01-01&periodEndDate=2025-12-31&type=Billed"]
    expect = FAN_PROFILES * FAN_PAGES * FAN_ITEMS
    pt, ft, pst = [], [], None
    for i in range(REPEAT):
        t, st, n = peer(ctx, "fanout", "peer_c", extra)
        pt.append(t)
        pst = st
        if n != expect:
            raise BenchError("peer loaded %d rows, expected %d" % (n, expect))
        t, n = fdw_load(ctx, "fdw_c", "fan.transactions", FAN_WHERE)
        ft.append(t)
        if n != expect:
            raise BenchError("FDW loaded %d rows, expected %d" % (n, expect))
    p, f = median(pt), median(ft)
    out("peer script (token, profile list, %d pages one after another via urllib, \\copy): median %s  runs %s"
        % (pst["pages"], fmt_s(p), runs(pt)))
    out("FDW INSERT INTO local table SELECT <typed columns> (new backend, cold token): median %s  runs %s"
        % (fmt_s(f), runs(ft)))
    out("ratio FDW / peer: %.3f" % (f / p))
    ctx.f_fan = (f, p)


# ---------------------------------------------------------------------------
# (d) memory

def fig_d(ctx):
    section("d", "memory: peak backend RSS (VmHWM) after SELECT * of N transactions, page size 1000")
    q = "SELECT count(*), sum(hashtext(t::text)) FROM (SELECT * FROM billing.transactions WHERE %s) t;" % SCOPE
    out("query (all columns, raw jsonb included; new backend each): %s" % q)
    base = psql("SELECT 1;" + vm_status_sql()).split()
    out("a fresh backend after SELECT 1: VmHWM %.1f MB" % (int(base[1]) / 1024))
    res = {}
    for n in (1000, 10000, 200000, 1000000):
        emu_config(page_size=PAGE_SIZE, bulk_transactions=n, latency_ms=0)
        t, lines, after = timed(q, after=vm_status_sql())
        rows = int(lines[-1].split("|")[0])
        hwm, rss = (int(x) for x in after[-1].split())
        res[n] = hwm / 1024.0
        out("bulk %8d: %8d rows in %7.2f s, VmHWM %7.1f MB (VmRSS after %6.1f MB)"
            % (n, rows, t, hwm / 1024.0, rss / 1024.0))
    g1 = res[1000000] - res[10000]
    g2 = res[200000] - res[1000]
    out("growth 10,000 -> 1,000,000 rows: %.1f MB (goal < 16 MB: %s)" % (g1, goal(g1 < 16)))
    out("difference 1,000 vs 200,000 rows: %.1f MB (Core goal < 20 MB: %s)" % (g2, goal(g2 < 20)))
    SUMMARY.append("(d) memory: VmHWM 10k rows %.1f MB, 1M rows %.1f MB, growth %.1f MB (goal < 16 MB: %s); "
                   "1k %.1f MB vs 200k %.1f MB, diff %.1f MB (goal < 20 MB: %s)"
                   % (res[10000], res[1000000], g1, goal(g1 < 16), res[1000], res[200000], g2, goal(g2 < 20)))
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=0)


# ---------------------------------------------------------------------------
# (e) request economy

EVERYDAY_4 = """
SELECT c.cost_centre, sum(t.transaction_amount)
FROM cost_centre c
JOIN billing.transactions t ON t.billing_profile_name = c.billing_profile_name
                           AND t.billing_account_name = :'account'
WHERE t.date >= '2026-06-01' AND t.billed_status = 'Billed'
GROUP BY 1;"""

README_QUERIES = [
    ("README first example: invoices of one account since 2026-01-01", 1, """
SELECT invoice_date, amount_due, amount_due_currency, status
FROM billing.invoices
WHERE billing_account_name = :'account' AND invoice_date >= '2026-01-01';"""),
    ("Everyday 1: invoices of one account this year", 1, """
SELECT name, invoice_date, status, total_amount, total_amount_currency
FROM billing.invoices
WHERE billing_account_name = :'account' AND invoice_date >= date_trunc('year', now());"""),
    ("Everyday 2: no scope, FDW lists the accounts and fans out", 6, """
SELECT billing_account_name, sum(total_amount) FROM billing.invoices
WHERE invoice_date >= '2026-01-01' GROUP BY 1;"""),
    ("Everyday 3: unbilled charges of a billing profile", 1, """
SELECT date, product_description, transaction_amount, transaction_amount_currency
FROM billing.transactions
WHERE billing_account_name = :'account' AND billing_profile_name = :'profile'
  AND billed_status = 'Unbilled';"""),
    ("Everyday 4: join with a local table of 2 billing profiles", 2, EVERYDAY_4),
    ("Everyday 4 again, after ANALYZE cost_centre", 2, "\nANALYZE cost_centre;" + EVERYDAY_4),
    ("Everyday 5: the materialized view", 6, """
CREATE MATERIALIZED VIEW monthly_spend AS
  SELECT billing_account_name, date_trunc('month', invoice_date) AS month, sum(total_amount) AS total
  FROM billing.invoices WHERE invoice_date >= '2024-01-01' GROUP BY 1, 2;
DROP MATERIALIZED VIEW monthly_spend;"""),
]


def count_requests(sql, vars=None):
    emu_log_new()
    psql(sql, vars)
    entries = emu_log_new()
    gets = [e for e in entries if e["method"] == "GET"]
    posts = [e for e in entries if e["method"] == "POST"]
    return gets, posts


def fig_e(ctx):
    section("e", "request economy: GETs in the emulator's log per query (token POSTs not counted)")
    emu_config(page_size=PAGE_SIZE, bulk_transactions=100000, latency_ms=0)
    psql("DROP TABLE IF EXISTS cost_centre; CREATE TABLE cost_centre (billing_profile_name text PRIMARY KEY, "
         "cost_centre text); INSERT INTO cost_centre VALUES ('AAAA-1111-BP1-PRF', 'CC-100 Operations'), "
         "('AAAA-2222-BP2-PRF', 'CC-200 Research');")
    vars = {"account": MCA1, "profile": "AAAA-1111-BP1-PRF"}
    out("psql variables: account = MCA1 (%s), profile = AAAA-1111-BP1-PRF; emulator page size %d"
        % (MCA1[:13] + "...", PAGE_SIZE))
    over = []
    counts = []
    for title, expect, sql in README_QUERIES:
        gets, posts = count_requests(sql, vars)
        counts.append(len(gets))
        ok = len(gets) <= expect
        if not ok:
            over.append(title)
        out("%-60s %2d GETs (fewest the API allows: %d) %s" % (title, len(gets), expect, "" if ok else "<-- more"))
        for g in gets[:8]:
            out("      GET %s?%s" % (g["raw_path"].replace(MCA1.replace(":", "%3A"), "MCA1")
                                   .replace("/providers/Microsoft.Billing", ""), g["raw_query"]))
        if len(gets) > 8:
            out("      ... %d more" % (len(gets) - 8))
    # LIMIT on a ~100-page result
    full = "SELECT count(*) FROM billing.transactions WHERE %s" % SCOPE
    t, lines, _ = timed("EXPLAIN (ANALYZE, TIMING OFF) %s;" % full)
    c = explain_counters(lines)
    out("full result of the scope (bulk 100,000): %s rows in %s pages" % (c.get("scan rows"), c.get("Pages")))
    limit_sql = [
        ("LIMIT 10, scope + billed_status + 2025 dates",
         "SELECT * FROM billing.transactions WHERE %s LIMIT 10;" % SCOPE),
        ("LIMIT 10, scope only (account + profile)",
         "SELECT * FROM billing.transactions WHERE billing_account_name = '%s' AND billing_profile_name = '%s' "
         "LIMIT 10;" % (MCA2, PROFILE)),
    ]
    lim = []
    for title, sql in limit_sql:
        gets, _ = count_requests(sql)
        lim.append(len(gets))
        out("%-60s %2d GETs (goal <= 2: %s)" % (title, len(gets), goal(len(gets) <= 2)))
        for g in gets:
            out("      GET ...%s?%s" % (g["raw_path"][-40:], g["raw_query"]))
    SUMMARY.append("(e) requests: README queries %s GETs (%s); LIMIT 10 on a %s-page result: %d GETs with "
                   "billed_status, %d with the scope only (goal <= 2: %s)"
                   % ("/".join(str(x) for x in counts),
                      "all at the minimum" if not over else "above the minimum: " + "; ".join(over),
                      c.get("Pages"), lim[0], lim[1], goal(max(lim) <= 2)))
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=0)


# ---------------------------------------------------------------------------
# (g) result cache: a repeated scan within cache_ttl

CACHE_WHERE = ("billing_account_name = '%s' AND billing_profile_name = '%s' AND billed_status = 'Billed' "
               "AND date >= '2025-03-01' AND date < '2025-04-01'" % (MCA2, PROFILE))


def fig_g(ctx):
    section("g", "result cache: the same scan twice in one backend, cache_ttl 600, 20 ms per request")
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=LATENCY_MS)
    psql("""
DROP SERVER IF EXISTS azcache CASCADE;
CREATE SERVER azcache FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu', login_endpoint :'emu', ca_file :'ca', cache_ttl '600', cache_max_bytes '134217728');
CREATE USER MAPPING FOR CURRENT_USER SERVER azcache
  OPTIONS (tenant_id 'contoso.onmicrosoft.com', client_id 'test-client', client_secret 'test-secret');
DROP SCHEMA IF EXISTS cached CASCADE;
CREATE SCHEMA cached;
IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (transactions) FROM SERVER azcache INTO cached;
""", {"emu": EMU, "ca": CA})
    query = ("SELECT count(*), sum(hashtext(t::text)) FROM (SELECT %s FROM cached.transactions WHERE %s) t"
             % (ctx.collist, CACHE_WHERE))
    out("query (both scans in one new backend each time; the cache is the backend's): %s"
        % query.replace(ctx.collist, "<%d typed columns>" % len(ctx.cols)))
    out("server option cache_ttl '600', cache_max_bytes '134217728' (128 MB)")
    explain = "EXPLAIN (ANALYZE, TIMING OFF) %s;" % query
    psql(explain)                       # warm-up: the emulator's page cache
    first, repeat, fc, rc = [], [], None, None
    for i in range(REPEAT):
        emu_log_new()
        o = psql("\\timing on\n%s\n\\echo @@SECOND\n%s\n" % (explain, explain))
        a, b = o.split("@@SECOND\n", 1)
        ta = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", a, re.M)]
        tb = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", b, re.M)]
        if not ta or not tb:
            raise BenchError("no timing in psql output: %r" % o[-500:])
        fc, rc = explain_counters(a.splitlines()), explain_counters(b.splitlines())
        gets = [e for e in emu_log_new() if e["method"] == "GET"]
        if fc.get("scan rows") != rc.get("scan rows") or not fc.get("scan rows"):
            raise BenchError("the cached scan returned %s rows, the first %s" % (rc.get("scan rows"), fc.get("scan rows")))
        if len(gets) != fc.get("HTTP Requests", -1) + rc.get("HTTP Requests", 0):
            raise BenchError("the emulator saw %d GETs, EXPLAIN says %s + %s"
                             % (len(gets), fc.get("HTTP Requests"), rc.get("HTTP Requests")))
        first.append(ta[-1] / 1000.0)
        repeat.append(tb[-1] / 1000.0)
    f, r = median(first), median(repeat)
    hits = re.findall(r"Azure Cache Hits: (\d+)", b)
    out("first scan:    %d requests, %d pages, %s rows, %.1f MB; median %s  runs %s"
        % (fc.get("HTTP Requests", 0), fc.get("Pages", 0), fc.get("scan rows"), fc.get("Bytes", 0) / 1e6,
           fmt_s(f), runs(first)))
    out("repeated scan: %d requests (emulator log agrees), %d pages from the cache (Azure Cache Hits %s); "
        "median %s  runs %s" % (rc.get("HTTP Requests", 0), rc.get("Pages", 0), hits[0] if hits else "?",
                                fmt_s(r), runs(repeat)))
    out("requests repeated / first: %d / %d (goal 0 requests: %s); time ratio repeated / first: %.3f"
        % (rc.get("HTTP Requests", 0), fc.get("HTTP Requests", 0), goal(rc.get("HTTP Requests", 0) == 0), r / f))
    SUMMARY.append("(g) result cache: repeated scan %d requests vs %d, %.2f s vs %.2f s, ratio %.3f "
                   "(goal 0 requests: %s)"
                   % (rc.get("HTTP Requests", 0), fc.get("HTTP Requests", 0), r, f, r / f,
                      goal(rc.get("HTTP Requests", 0) == 0)))
    psql("DROP SCHEMA cached CASCADE; DROP SERVER azcache CASCADE;")


# ---------------------------------------------------------------------------
# (h) tokens: 32 new connections, with and without shared_preload_libraries

TOKEN_CONNS = 32
TOKEN_LATENCY_MS = 200


def restart_cluster():
    if not azbtest.restart_cluster():
        raise BenchError("cannot restart the cluster (see the FAIL line above)")


def token_burst():
    """TOKEN_CONNS new connections at once, each scanning billing accounts: (token POSTs, seconds)."""
    emu_log_new()
    t0 = time.perf_counter()
    procs = [subprocess.Popen(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c",
                               "SELECT count(*) FROM billing.billing_accounts;"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(TOKEN_CONNS)]
    for p in procs:
        o, e = p.communicate(timeout=300)
        if p.returncode != 0:
            raise BenchError("a connection failed: %s" % e.strip()[-500:])
    t = time.perf_counter() - t0
    posts = [e for e in emu_log_new() if e["method"] == "POST" and e["path"].endswith("/oauth2/v2.0/token")]
    return len(posts), t


def fig_h(ctx):
    section("h", "tokens: %d new connections at once, each one scan; token answers after %d ms"
            % (TOKEN_CONNS, TOKEN_LATENCY_MS))
    emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, latency_ms=0, token_latency_ms=TOKEN_LATENCY_MS)
    lib = psql("SELECT 1 FROM billing.billing_accounts LIMIT 1; "
               "SELECT substring(l from '(/\\S*azbilling_fdw\\.so)') "
               "FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), '\n') AS l "
               "WHERE l LIKE '%azbilling_fdw.so%' LIMIT 1;").split()[-1]
    out("query in each connection: SELECT count(*) FROM billing.billing_accounts")
    alone, preloaded, ta, tp = [], [], [], []
    try:
        for i in range(REPEAT):
            n, t = token_burst()
            alone.append(n)
            ta.append(t)
        azbtest.set_conf("azb_bench_preload.conf", "shared_preload_libraries = '%s'\n" % lib)
        restart_cluster()
        out("preloaded: shared_preload_libraries = '%s'" % lib)
        for i in range(REPEAT):
            n, t = token_burst()
            preloaded.append(n)
            tp.append(t)
            restart_cluster()           # a cold shared cache for the next repetition
    finally:
        azbtest.set_conf("azb_bench_preload.conf", None)
        restart_cluster()
        emu_config(token_latency_ms=0)
    a, p = median(alone), median(preloaded)
    out("without preloading: token requests per burst %s, burst time median %s  runs %s"
        % (alone, fmt_s(median(ta)), runs(ta)))
    out("preloaded:          token requests per burst %s, burst time median %s  runs %s"
        % (preloaded, fmt_s(median(tp)), runs(tp)))
    out("ratio preloaded / alone: %d / %d = %.3f (goal: 1 request: %s)" % (p, a, p / a, goal(p == 1)))
    SUMMARY.append("(h) tokens, %d new connections: %d token requests preloaded vs %d alone, ratio %.3f; "
                   "burst %.2f s vs %.2f s (goal 1 request: %s)"
                   % (TOKEN_CONNS, p, a, p / a, median(tp), median(ta), goal(p == 1)))


# ---------------------------------------------------------------------------
# (s) daily incremental sync against a full REFRESH

SYNC_BULK = 100000      # five years of one billing profile's transactions, about 55 a day
SYNC_YEARS = 5
SYNC_PAGE = 50          # the emulator's default page size


def fig_s(ctx):
    import datetime as _dt
    section("s", "daily sync: incremental azbilling_sync against a full REFRESH MATERIALIZED VIEW")
    emu_config(page_size=SYNC_PAGE, bulk_transactions=SYNC_BULK, bulk_years=SYNC_YEARS, latency_ms=LATENCY_MS)
    try:
        _fig_s(ctx, _dt)
    finally:
        emu_config(page_size=PAGE_SIZE, bulk_transactions=BULK, bulk_years=1, latency_ms=0)


def _fig_s(ctx, _dt):
    start = (_dt.datetime.now(_dt.timezone.utc).date() - _dt.timedelta(days=365 * SYNC_YEARS)).isoformat()
    psql("""
DROP SCHEMA IF EXISTS sync_src CASCADE; DROP SCHEMA IF EXISTS sync_local CASCADE;
DROP SERVER IF EXISTS azsync CASCADE;
DELETE FROM azbilling_sync_state WHERE target = 'sync_local.transactions';
CREATE SERVER azsync FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu', login_endpoint :'emu', ca_file :'ca', history_start :'start');
CREATE USER MAPPING FOR CURRENT_USER SERVER azsync
  OPTIONS (tenant_id 'contoso.onmicrosoft.com', client_id 'test-client', client_secret 'test-secret');
CREATE SCHEMA sync_src; CREATE SCHEMA sync_local;
IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (transactions) FROM SERVER azsync INTO sync_src;
CREATE MATERIALIZED VIEW sync_local.transactions_mv AS SELECT * FROM sync_src.transactions WITH NO DATA;
""", {"emu": EMU, "ca": CA, "start": start})
    out("data: %d bulk transactions of profile %s over %d years (%s to yesterday) plus the regular ones of "
        "every profile; pages of %d, %d ms per request; server history_start '%s'"
        % (SYNC_BULK, PROFILE, SYNC_YEARS, start, SYNC_PAGE, LATENCY_MS, start))
    call = "CALL azbilling_sync('sync_src.transactions', 'sync_local.transactions');"
    emu_log_new()
    t_init, _, _ = timed(call)
    init_gets = len([e for e in emu_log_new() if e["method"] == "GET"])
    windows = psql("SELECT windows_done FROM azbilling_sync_state WHERE target = 'sync_local.transactions';").strip()
    out("initial full sync (untimed for the figure): %d GETs, %s windows of a month, %.1f s"
        % (init_gets, windows, t_init))
    # the next day's call: as if the initial sync had run yesterday
    yesterday = "UPDATE azbilling_sync_state SET high_water = high_water - interval '1 day' " \
                "WHERE target = 'sync_local.transactions';"
    inc_t, inc_g, full_t, full_g = [], [], [], []
    for i in range(REPEAT):
        psql(yesterday)
        admin("/_admin/config", {"latency_ms": LATENCY_MS})     # empties the page cache: every run renders
        emu_log_new()
        inc_t.append(timed(call)[0])
        inc_g.append(len([e for e in emu_log_new() if e["method"] == "GET"]))
        if i == 0:
            # one REFRESH only: it takes over a minute, and the ratio is far outside the noise
            admin("/_admin/config", {"latency_ms": LATENCY_MS})
            emu_log_new()
            full_t.append(timed("REFRESH MATERIALIZED VIEW sync_local.transactions_mv;")[0])
            full_g.append(len([e for e in emu_log_new() if e["method"] == "GET"]))
    rows = psql("SELECT (SELECT count(*) FROM sync_local.transactions), "
                "(SELECT count(*) FROM sync_local.transactions_mv), "
                "(SELECT count(*) FROM (SELECT id FROM sync_local.transactions EXCEPT "
                "SELECT id FROM sync_local.transactions_mv) x);").strip().split("|")
    out("next-day incremental azbilling_sync (default window 1 month, overlap 45 days): GETs %s, times %s"
        % (inc_g, runs(inc_t)))
    out("full REFRESH MATERIALIZED VIEW of the same data:                          GETs %s, times %s"
        % (full_g, runs(full_t)))
    out("rows: synced table %s, materialized view %s, ids missing from the view %s" % tuple(rows))
    if rows[0] != rows[1] or rows[2] != "0":
        raise BenchError("the synced table and the materialized view differ: %s" % rows)
    gi, gf = median(inc_g), median(full_g)
    ti, tf = median(inc_t), median(full_t)
    ok = gi * 20 <= gf
    out("requests: incremental / full = %d / %d = 1/%.1f (goal <= 1/20: %s); time: %.2f s / %.2f s = %.3f"
        % (gi, gf, gf / max(gi, 1), goal(ok), ti, tf, ti / tf))
    SUMMARY.append("(s) daily sync of %d years of transactions: incremental %d GETs in %.2f s, full REFRESH %d GETs "
                   "in %.2f s: requests 1/%.1f (goal <= 1/20: %s), time %.3f"
                   % (SYNC_YEARS, gi, ti, gf, tf, gf / max(gi, 1), goal(ok), ti / tf))


# ---------------------------------------------------------------------------

def main():
    ctx = Ctx()
    ctx.stub = None
    ctx.work = os.environ.get("AZB_BENCH_WORK") or tempfile.mkdtemp(prefix="azb-bench.")
    os.makedirs(ctx.work, exist_ok=True)
    os.chmod(ctx.work, 0o755)
    t0 = time.time()
    out("azbilling_fdw benchmark (test/bench/run); a benchmark, not a test: goals may be missed")
    try:
        setup(ctx)
        machine(ctx)
        figures = [("a", fig_a), ("f", fig_f_chain), ("b", fig_b), ("c", fig_c), ("f", fig_f_fanout),
                   ("d", fig_d), ("e", fig_e), ("g", fig_g), ("h", fig_h), ("s", fig_s)]
        for key, fn in figures:
            if ONLY and key not in ONLY:
                continue
            try:
                fn(ctx)
            except Exception as e:       # one figure failing must not hide the others
                ERRORS.append("(%s) %s" % (key, e))
                out("ERROR in (%s): %s" % (key, e))
                traceback.print_exc(file=sys.stdout)
    finally:
        if ctx.stub is not None:
            ctx.stub.terminate()
            try:
                ctx.stub.wait(10)
            except subprocess.TimeoutExpired:
                ctx.stub.kill()
    if getattr(ctx, "f_chain", None) or getattr(ctx, "f_fan", None):
        parts = []
        if getattr(ctx, "f_chain", None):
            f, p = ctx.f_chain
            parts.append("chain: FDW %.2f s, peer %.2f s, FDW/peer %.2f" % (f, p, f / p))
        if getattr(ctx, "f_fan", None):
            f, p = ctx.f_fan
            parts.append("fan-out: FDW %.2f s, peer %.2f s, FDW/peer %.3f" % (f, p, f / p))
        SUMMARY.append("(f) peer (Python urllib + COPY into a table): " + "; ".join(parts))
    load_end = open("/proc/loadavg").read().split()[:3]
    out("")
    out("=" * 78)
    out("SUMMARY (%.0f s in all; load average at start %s, at end %s)"
        % (time.time() - t0, " ".join(getattr(ctx, "load_start", ["?"])), " ".join(load_end)))
    out("=" * 78)
    for l in SUMMARY:
        out(l)
    for e in ERRORS:
        out("ERROR: %s" % e)
    return 1 if ERRORS else 0


if __name__ == "__main__":
    sys.exit(main())
