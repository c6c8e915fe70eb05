"""The Billing handler: binds routes to the data set, pages lists, runs the download operations."""

import base64
import datetime as _dt
import hashlib
import json
import re
import threading
import urllib.parse
import uuid

import emu_data

from emu_data import AGREEMENT, BULK_ACCOUNT, BULK_PROFILE, BULK_SECTION, ym_add
from emu_render import RENDER
from emu_render_access import r_createsub, r_detach
from emu_render_base import V24, Ctx
from emu_render_money import r_tx, r_tx_summary
from emu_routes import CONTAINERS, CONTAINER_LABEL, DATES, EXACT_KINDS, PARAM_KEY, ROUTES, Result, SUPPORT, VERSIONS, arm_error
from emu_odata import ODataError, _as_dt, get_path, make_predicate, parse_filter, parse_iso_date, parse_orderby


# ---------------------------------------------------------------------------
# sequences (lazy for bulk transactions)

class Seq:
    """Concatenation of materialised lists and bulk index ranges."""

    def __init__(self, world, n_bulk):
        self.parts = []     # (start, length, list or (lo,))
        self.total = 0
        self.world = world
        self.n_bulk = n_bulk

    def add_list(self, items):
        if items:
            self.parts.append((self.total, len(items), items))
            self.total += len(items)

    def add_bulk(self, lo, hi):
        if hi > lo:
            self.parts.append((self.total, hi - lo, lo))
            self.total += hi - lo

    def __len__(self):
        return self.total

    def get(self, i):
        for start, length, src in self.parts:
            if start <= i < start + length:
                if isinstance(src, list):
                    return src[i - start]
                return self.world.bulk_tx(src + (i - start), self.n_bulk)
        raise IndexError(i)


# ---------------------------------------------------------------------------
# long-running operations

class LroStore:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = {}

    def create(self, prefix, blob, polls):
        op_id = "%s_%s" % (prefix, uuid.uuid4())
        with self.lock:
            self.ops[op_id.lower()] = {"remaining": polls, "blob": blob, "created": _dt.datetime.utcnow()}
            if len(self.ops) > 10000:
                for k in list(self.ops)[:1000]:
                    del self.ops[k]
        return op_id

    def poll(self, op_id):
        with self.lock:
            op = self.ops.get(op_id.lower())
            if op is None:
                return None
            if op["remaining"] > 0:
                op["remaining"] -= 1
                return ("running", op)
            return ("done", op)


# ---------------------------------------------------------------------------
# the billing application

def _qget(query, *names):
    for n in names:
        v = query.get(n.lower())
        if v is not None:
            return v
    return None


def encode_token(pos, emitted, salt=0):
    raw = ("%d:%d:%d" % (pos, emitted, salt)).encode()
    return base64.b64encode(b"az-emu1?" + raw).decode()


def decode_token(tok):
    try:
        tok = tok.replace(" ", "+")
        raw = base64.b64decode(tok + "=" * (-len(tok) % 4)).decode()
        if not raw.startswith("az-emu1?"):
            return None
        pos, emitted, _salt = raw[8:].split(":")
        return int(pos), int(emitted)
    except Exception:
        return None


class Billing:
    def __init__(self, world):
        self.world = world
        self.lro = LroStore()
        self._tx_memo = {}
        self._memo_lock = threading.Lock()

    # -- entry point --------------------------------------------------------
    def handle(self, req, cfg):
        """req: object with method, segs (decoded path segments), raw_path,
        raw_query, query (lower-cased key -> value), body, base_url,
        other_base.  Returns a Result."""
        q = req.query
        self.world.set_bulk_years(cfg.get("bulk_years"))
        ver = q.get("api-version")
        if ver is None or ver == "":
            return arm_error(400, "MissingApiVersionParameter",
                             "The api-version query parameter (?api-version=) is required for all requests.")
        if ver not in VERSIONS:
            return arm_error(400, "InvalidApiVersionParameter",
                             "The api-version '%s' is invalid. The supported versions are '%s'." %
                             (ver, ",".join(VERSIONS)))
        segs = req.segs
        # long-running operation results
        if (len(segs) >= 3 and segs[-2].lower() == "operationresults" and req.method == "GET"
                and "/".join(segs[:2]).lower() in ("providers/microsoft.billing",)):
            return self.lro_poll(req, cfg, ver, segs[-1])
        route = None
        params = None
        method_mismatch = False
        for r in ROUTES:
            if ver not in r.versions:
                continue
            m = r.match(segs)
            if m is None:
                continue
            if r.method != req.method:
                method_mismatch = True
                continue
            route, params = r, m
            break
        if route is None:
            if method_mismatch:
                return arm_error(405, "HttpMethodNotSupported",
                                 "The requested resource does not support http method '%s'." % req.method,
                                 req.raw_path)
            other = [r for r in ROUTES if ver not in r.versions and r.match(segs) is not None]
            if other:
                return arm_error(404, "InvalidResourceType",
                                 "The resource type could not be found in the namespace 'Microsoft.Billing' "
                                 "for api version '%s'." % ver, req.raw_path)
            return arm_error(404, "NotFound", "No HTTP resource was found that matches the request URI '%s'."
                             % req.raw_path, req.raw_path)
        try:
            return self.dispatch(route, params, ver, req, cfg)
        except ODataError as e:
            return arm_error(400, "BadRequest", "Invalid OData query option: %s." % e, req.raw_path)

    # -- scope checks ---------------------------------------------------------
    def bind(self, route, params):
        cap = {}
        for p, val in params.items():
            cap[PARAM_KEY.get(p, "name")] = val
        if cap.get("account", "").lower() == "default":
            del cap["account"]
        return cap

    def scope_match(self, e, cap, keys=None):
        sc = e.scope
        for k in (keys if keys is not None else cap):
            want = cap[k]
            have = sc.get(k)
            if have is None:
                return False
            if isinstance(have, frozenset):
                wl = want.lower()
                if not any(x.lower() == wl for x in have):
                    return False
            elif have.lower() != want.lower():
                return False
        return True

    def check_containers(self, route, cap):
        """404 for a bound container scope that does not exist."""
        w = self.world
        for key in CONTAINERS:
            if key not in cap:
                continue
            kind = "subscription" if key == "subscription" else key
            ents = w.all(kind)
            if not ents:
                return key
            sample_keys = set()
            for e in ents:
                sample_keys.update(e.scope.keys())
            keys = [k for k in cap if k in sample_keys and k != "name"]
            if not any(self.scope_match(e, cap, keys) for e in ents):
                return key
        return None

    def account_of(self, cap):
        w = self.world
        if "account" in cap:
            return w.account(cap["account"])
        if "subscription" in cap:
            for s in w.all("subscription"):
                if s.name.lower() == cap["subscription"].lower():
                    return w.account(s.account)
        return None

    # -- dispatch -------------------------------------------------------------
    def dispatch(self, route, params, ver, req, cfg):
        w = self.world
        q = req.query
        cap = self.bind(route, params)
        target = req.raw_path
        # billing account must exist
        if "account" in cap and w.account(cap["account"]) is None:
            return arm_error(404, "NotFound", "Billing account '%s' was not found." % cap["account"], target)
        # agreement type support
        acct = self.account_of(cap)
        sup = SUPPORT[ver].get(route.op)
        if sup and acct is not None:
            allowed, how = sup
            if acct.agreement not in allowed.split(","):
                msg = ("The operation is not supported for billing accounts with agreement type %s."
                       % AGREEMENT[acct.agreement])
                if how == "empty" and route.mode in ("list", "txlist", "createsub"):
                    return Result(200, {"value": []}, page=True, cacheable=True)
                if how == "type400":
                    return arm_error(400, "InvalidBillingAccountType", msg, target)
                return arm_error(400, "BadRequest", msg, target)
        missing = self.check_containers(route, cap)
        if missing:
            if missing == "subscription" and route.op in ("BillingProperty_Get", "Policies_GetBySubscription"):
                return arm_error(404, "SubscriptionNotFound",
                                 "The subscription '%s' could not be found." % cap["subscription"], target)
            return arm_error(404, "NotFound", "%s '%s' was not found." % (CONTAINER_LABEL[missing], cap[missing]),
                             target)
        # required query parameters
        for name in route.required:
            if not q.get(name.lower()):
                return arm_error(400, "BadRequest",
                                 "The query parameter '%s' is required for this request." % name, target)
        start = end = None
        for name in DATES:
            raw = q.get(name.lower())
            if raw:
                d = parse_iso_date(raw)
                if d is None:
                    return arm_error(400, "InvalidInput",
                                     "The value '%s' of query parameter '%s' is not a valid date; "
                                     "expected format YYYY-MM-DD." % (raw, name), target)
                if name == "periodStartDate":
                    start = d
                else:
                    end = d
        if start and end and start > end:
            return arm_error(400, "InvalidInput", "periodStartDate must not be later than periodEndDate.", target)
        ttype = None
        if route.kind == "tx" and "type" in route.required:
            ttype = q.get("type")
            norm = {"billed": "Billed", "unbilled": "Unbilled", "other": "Other"}.get(ttype.lower())
            if norm is None:
                return arm_error(400, "InvalidInput",
                                 "The value '%s' of query parameter 'type' is invalid; allowed values are "
                                 "Billed, Unbilled, Other." % ttype, target)
            ttype = norm
        ctx = Ctx(w, ver, route.op, cap, q)
        mode = route.mode
        if mode in ("list", "txlist"):
            return self.do_list(route, cap, ctx, req, cfg, start, end, ttype)
        if mode in ("get", "one"):
            ents = self.collect(route, cap, ctx, start, end)
            if not ents:
                name = params[route.params[-1]] if route.params else route.template.rsplit("/", 1)[-1]
                return arm_error(404, "NotFound",
                                 "The resource '%s' was not found or one of its dependencies could not be found."
                                 % name, target)
            return Result(200, RENDER[route.kind](ents[0], ctx), cacheable=True)
        if mode == "txget":
            name = cap.get("name", "").lower()
            for tx in w.tx_regular:
                if tx.name == name and self.tx_in_scope(tx, cap):
                    return Result(200, r_tx(tx, ctx), cacheable=True)
            n = int(cfg.get("bulk_transactions") or 0)
            if name.startswith("b0000000-0000-4000-8000-") and cap.get("profile", "").lower() == BULK_PROFILE.lower():
                try:
                    i = int(name.rsplit("-", 1)[1])
                except ValueError:
                    i = -1
                if 0 <= i < n:
                    return Result(200, r_tx(w.bulk_tx(i, n), ctx), cacheable=True)
            return arm_error(404, "NotFound", "Transaction '%s' was not found." % cap.get("name"), target)
        if mode == "txsummary":
            inv = self.collect(route, cap, ctx, None, None)
            if not inv:
                return arm_error(404, "NotFound", "Invoice '%s' was not found." % cap.get("invoice"), target)
            return Result(200, r_tx_summary(inv[0], ctx), cacheable=True)
        if mode == "detach":
            pe = [p for p in w.all("profile") if self.scope_match(p, cap)][0]
            return Result(200, r_detach(pe, ctx), cacheable=True)
        if mode == "createsub":
            secs = [s for s in w.all("section") if self.scope_match(s, cap)]
            seq = Seq(w, 0)
            seq.add_list(secs)
            return self.page_of(seq, lambda e: r_createsub(e, ctx), req, cfg, ver, q)
        if mode == "address":
            return self.validate_address(req, ver)
        if mode == "lro":
            return self.lro_start(route, cap, ctx, req, cfg, ver)
        return arm_error(500, "InternalServerError", "Unhandled route mode.", target)

    # -- collections ------------------------------------------------------------
    def collect(self, route, cap, ctx, start, end):
        w = self.world
        kind = route.kind
        out = []
        exact = kind in EXACT_KINDS
        for e in w.all(kind):
            if exact and e.level != route.deepest and not (kind == "breq" and route.deepest == "user"):
                continue
            if not self.scope_match(e, cap):
                continue
            out.append(e)
        if kind == "invoice" and (start or end):
            out = [e for e in out if (start is None or e.date >= start) and (end is None or e.date <= end)]
        if kind == "tenant" and ctx.v == V24 and route.mode == "list":
            if str(ctx.query.get("includerevoked", "")).lower() != "true":
                out = [e for e in out if e.state != "Revoked"]
        return out

    @staticmethod
    def tx_in_scope(tx, cap):
        for key, val in (("account", tx.account), ("profile", tx.profile), ("section", tx.section),
                         ("customer", tx.customer)):
            if key in cap and (val is None or val.lower() != cap[key].lower()):
                return False
        return True

    def collect_tx(self, cap, start, end, ttype, cfg):
        w = self.world
        n = int(cfg.get("bulk_transactions") or 0)

        def eq(a, b):
            return a is not None and b is not None and a.lower() == b.lower()

        inv = None
        if "invoice" in cap:
            inv = w.invoices_by_name.get(cap["invoice"].lower())
            if inv is None:
                return Seq(w, n)
        mkey = (tuple(sorted(cap.items())), start, end, ttype)
        regular = self._tx_memo.get(mkey)
        if regular is None:
            regular = self._regular_tx(cap, inv, start, end, ttype)
            with self._memo_lock:
                if len(self._tx_memo) > 4096:
                    self._tx_memo.clear()
                self._tx_memo[mkey] = regular
        seq = Seq(w, n)
        seq.add_list(regular)
        return self._add_bulk(seq, cap, inv, start, end, ttype, n)

    def _regular_tx(self, cap, inv, start, end, ttype):
        def eq(a, b):
            return a is not None and b is not None and a.lower() == b.lower()

        regular = []
        for tx in self.world.tx_regular:
            if "account" in cap and not eq(tx.account, cap["account"]):
                continue
            if "profile" in cap and not eq(tx.profile, cap["profile"]):
                continue
            if "section" in cap and not eq(tx.section, cap["section"]):
                continue
            if "customer" in cap and not eq(tx.customer, cap["customer"]):
                continue
            if inv is not None and tx.invoice != inv.name:
                continue
            d = tx.dt.date()
            if start and d < start or end and d > end:
                continue
            if ttype and tx.status != ttype:
                continue
            regular.append(tx)
        return regular

    def _add_bulk(self, seq, cap, inv, start, end, ttype, n):
        w = self.world

        def eq(a, b):
            return a is not None and b is not None and a.lower() == b.lower()

        if n > 0 and ttype in (None, "Billed") and "customer" not in cap:
            ok = (("account" not in cap or eq(cap["account"], BULK_ACCOUNT)) and
                  ("profile" not in cap or eq(cap["profile"], BULK_PROFILE)) and
                  ("section" not in cap or eq(cap["section"], BULK_SECTION)))
            if ok:
                s, e = start, end
                if inv is not None:
                    if inv.account != BULK_ACCOUNT or inv.profile != BULK_PROFILE:
                        ok = False
                    else:
                        py, pm = ym_add((inv.date.year, inv.date.month), -1)
                        ms = _dt.date(py, pm, 1)
                        me = _dt.date(py, pm, emu_data.month_last_day(py, pm))
                        s = ms if s is None or ms > s else s
                        e = me if e is None or me < e else e
                if ok and (s is None or e is None or s <= e):
                    lo, hi = w.bulk_range(n, s, e)
                    seq.add_bulk(lo, hi)
        return seq

    def do_list(self, route, cap, ctx, req, cfg, start, end, ttype):
        w = self.world
        if route.mode == "txlist":
            seq = self.collect_tx(cap, start, end, ttype, cfg)
            render = lambda tx: r_tx(tx, ctx)
        else:
            ents = self.collect(route, cap, ctx, start, end)
            seq = Seq(w, 0)
            seq.add_list(ents)
            fn = RENDER[route.kind]
            render = lambda e: fn(e, ctx)
        extras = {}
        if route.kind == "customer":
            extras["totalCount"] = len(seq)
        if route.kind == "subscription" and ctx.v == V24:
            extras["totalCount"] = len(seq)
        if route.kind == "reservation" and route.op != "Reservations_ListByReservationOrder":
            extras["summary"] = {"succeededCount": float(len(seq)), "failedCount": 0.0, "expiringCount": 0.0,
                                 "expiredCount": 0.0, "pendingCount": 0.0, "cancelledCount": 0.0,
                                 "processingCount": 0.0, "warningCount": 0.0, "noBenefitCount": 0.0}
        return self.page_of(seq, render, req, cfg, ctx.v, ctx.query, extras)

    def page_of(self, seq, render, req, cfg, ver, q, extras=None):
        page_size = max(1, int(cfg.get("page_size") or 50))
        filt = orderby = top = skip = None
        if ver == V24:
            ftxt = _qget(q, "$filter", "filter")
            if ftxt:
                filt = make_predicate(parse_filter(ftxt))
            otxt = _qget(q, "$orderby", "orderby")
            if otxt:
                orderby = parse_orderby(otxt)
            ttxt = _qget(q, "$top", "top")
            if ttxt is not None and ttxt != "":
                try:
                    top = int(ttxt)
                    if top < 0:
                        raise ValueError
                except ValueError:
                    raise ODataError("$top must be a non-negative integer")
            stxt = _qget(q, "$skip", "skip")
            if stxt:
                try:
                    skip = int(stxt)
                    if skip < 0:
                        raise ValueError
                except ValueError:
                    raise ODataError("$skip must be a non-negative integer")
        tok = q.get("$skiptoken")
        pos, emitted = 0, 0
        if tok:
            st = decode_token(tok)
            if st is None:
                return arm_error(400, "InvalidSkipToken", "The skip token is invalid or has expired.", req.raw_path)
            pos, emitted = st
        items = []
        limit = page_size if top is None else max(0, min(page_size, top - emitted))
        if orderby is not None and len(seq) <= 200000:
            allitems = [render(seq.get(i)) for i in range(len(seq))]
            if filt:
                allitems = [x for x in allitems if filt(x)]
            for path, desc in reversed(orderby):
                def key(x, path=path):
                    v = get_path(x, path) if isinstance(x, dict) else None
                    if isinstance(v, str):
                        d = _as_dt(v)
                        v = d if d is not None else v.lower()
                    return (v is None, (type(v).__name__, v) if v is not None else ("", 0))
                try:
                    allitems.sort(key=key, reverse=desc)
                except TypeError:
                    pass
            if skip and not tok:
                pos = min(skip, len(allitems))
            start_state = (pos, emitted)
            items = allitems[pos:pos + limit]
            npos = pos + len(items)
            more = npos < len(allitems)
        else:
            i = pos
            n = len(seq)
            if skip and not tok:
                skipped = 0
                while i < n and skipped < skip:
                    x = render(seq.get(i))
                    i += 1
                    if filt is None or filt(x):
                        skipped += 1
            start_state = (i, emitted)
            scanned = 0
            scan_cap = max(20000, page_size * 4)
            while i < n and len(items) < limit and scanned < scan_cap:
                x = render(seq.get(i))
                i += 1
                scanned += 1
                if filt is None or filt(x):
                    items.append(x)
            npos = i
            more = npos < n
        emitted_after = emitted + len(items)
        if top is not None and emitted_after >= top:
            more = False
        body = {"value": items}
        if extras:
            for k, v in extras.items():
                body[k] = v
        res = Result(200, body, page=True, cacheable=True)
        res.next_state = start_state
        if more:
            body["nextLink"] = next_link(req, encode_token(npos, emitted_after))
        return res

    # -- POST actions --------------------------------------------------------
    def validate_address(self, req, ver):
        try:
            body = json.loads(req.body.decode("utf-8") or "{}") if req.body else {}
        except (ValueError, UnicodeDecodeError):
            return arm_error(400, "InvalidRequestContent", "The request content was invalid and could not be "
                             "deserialized.", req.raw_path)
        if not isinstance(body, dict):
            return arm_error(400, "InvalidRequestContent", "The request body must be a JSON object.", req.raw_path)
        line1 = str(body.get("addressLine1", ""))
        if ver == V24 and (not line1 or not body.get("country")):
            return arm_error(400, "InvalidInput", "addressLine1 and country are required.", req.raw_path)
        if not line1 or "invalid" in line1.lower():
            sugg = dict((k, v) for k, v in body.items() if isinstance(v, str))
            sugg["addressLine1"] = re.sub(r"\s+", " ", re.sub("(?i)invalid", " ", line1)).strip() or "1 Main Street"
            if ver == V24:
                sugg["isValidAddress"] = True
            return Result(200, {"status": "Invalid", "suggestedAddresses": [sugg],
                                "validationMessage": "Invalid address: the street could not be found."})
        return Result(200, {"status": "Valid", "suggestedAddresses": [], "validationMessage": ""})

    def lro_start(self, route, cap, ctx, req, cfg, ver):
        w = self.world
        op = route.op
        inv = None
        if "invoice" in cap:
            ents = [e for e in w.all("invoice") if self.scope_match(e, cap)]
            if not ents:
                return arm_error(404, "NotFound", "Invoice '%s' was not found." % cap["invoice"], req.raw_path)
            inv = ents[0]
        if op in ("Invoices_DownloadDocumentsByBillingAccount", "Invoices_DownloadMultipleEAInvoices",
                  "Invoices_DownloadDocumentsByBillingSubscription",
                  "Invoices_DownloadMultipleBillingSubscriptionInvoices",
                  "Invoices_DownloadMultipleBillingProfileInvoices"):
            try:
                body = json.loads(req.body.decode("utf-8")) if req.body else None
            except (ValueError, UnicodeDecodeError):
                body = None
            if not isinstance(body, list) or not body:
                return arm_error(400, "InvalidRequestContent",
                                 "The request body must be a non-empty array of invoice documents.", req.raw_path)
            prefix, blob = "documentsDownload", "documents-%s.zip" % hashlib.sha1(
                json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
        elif op == "Invoices_DownloadSummaryByBillingAccount":
            prefix, blob = "summaryDownload", "%s-summary.pdf" % inv.name
        elif op == "Transactions_TransactionsDownloadByInvoice":
            prefix, blob = "transactionsDownload", "%s-transactions.csv" % inv.name
        elif op == "PriceSheet_Download":
            prefix, blob = "pricesheetDownload", "pricesheet-%s.csv" % inv.name
        elif op == "PriceSheet_DownloadByBillingProfile":
            prefix, blob = "pricesheetDownload", "pricesheet-%s.csv" % cap["profile"]
        else:
            doc = req.query.get("documentname")
            prefix, blob = "invoiceDownload", "%s%s.pdf" % (inv.name, "-" + doc if doc else "")
        op_id = self.lro.create(prefix, blob, int(cfg.get("lro_polls", 1)))
        # the Location is on the resource the action was invoked on
        raw_segs = req.raw_path.split("?")[0].rstrip("/").split("/")
        tail = {"download": 1, "downloadsummary": 1, "transactionsdownload": 1, "downloaddocuments": 1}
        if raw_segs[-1].lower() in tail:
            raw_segs = raw_segs[:-1]
        if len(raw_segs) >= 2 and raw_segs[-2].lower() == "pricesheet":
            raw_segs = raw_segs[:-2]
        base = urllib.parse.unquote("/".join(raw_segs))
        loc = "%s%s/operationResults/%s?api-version=%s" % (req.base_url, base, op_id, ver)
        headers = {"Location": loc, "Retry-After": str(int(cfg.get("lro_retry_after", 1)))}
        if op.startswith("PriceSheet"):
            headers["OData-EntityId"] = op_id
        return Result(202, None, headers)

    def lro_poll(self, req, cfg, ver, op_id):
        st = self.lro.poll(op_id)
        if st is None:
            return arm_error(404, "NotFound", "The operation '%s' was not found." % op_id, req.raw_path)
        state, op = st
        if state == "running":
            loc = "%s%s?api-version=%s" % (req.base_url, urllib.parse.unquote(req.raw_path.split("?")[0]), ver)
            return Result(202, None, {"Location": loc, "Retry-After": str(int(cfg.get("lro_retry_after", 1)))})
        expiry = (_dt.datetime.utcnow() + _dt.timedelta(hours=1)).replace(microsecond=0)
        exp_s = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
        sig = base64.b64encode(hashlib.sha256((op["blob"] + exp_s).encode()).digest()).decode()
        url = "%s/blob/%s?sv=2019-02-02&sr=b&sig=%s&se=%s&sp=r" % (
            req.other_base, urllib.parse.quote(op["blob"]), urllib.parse.quote(sig, safe=""),
            urllib.parse.quote(exp_s, safe=""))
        if cfg.get("lro_bare_string"):
            return Result(200, url)
        return Result(200, {"expiryTime": exp_s, "url": url})


def next_link(req, token):
    parts = []
    for part in req.raw_query.split("&") if req.raw_query else []:
        if not part:
            continue
        key = urllib.parse.unquote_plus(part.split("=", 1)[0])
        if key.lower() == "$skiptoken":
            continue
        parts.append(part)
    parts.append("$skiptoken=" + urllib.parse.quote(token, safe=""))
    return "%s%s?%s" % (req.base_url, req.raw_path.split("?")[0], "&".join(parts))


def blob_bytes(name):
    """Deterministic content for an emulated blob download."""
    low = name.lower()
    if low.endswith(".pdf"):
        body = ("%%PDF-1.4\n%% azbilling emulator document %s\n1 0 obj << /Type /Catalog >> endobj\n"
                "trailer << /Root 1 0 R >>\n%%%%EOF\n" % name).encode()
        return body, "application/pdf"
    if low.endswith(".csv"):
        lines = ["Date,Product,Quantity,Cost"]
        for i in range(20):
            lines.append("2026-10-%02d,Virtual Machines D2 v3,%d,%.2f" % (i + 1, i + 1, (i + 1) * 2.3))
        return ("\r\n".join(lines) + "\r\n").encode(), "text/csv"
    if low.endswith(".zip"):
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zi = zipfile.ZipInfo("invoice.pdf", date_time=(2026, 10, 1, 0, 0, 0))
            zf.writestr(zi, blob_bytes("invoice.pdf")[0])
        return buf.getvalue(), "application/zip"
    return ("emulated blob %s\n" % name).encode(), "application/octet-stream"
