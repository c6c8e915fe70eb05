"""Writes for the Azure emulator: a store that PUT, PATCH, DELETE and the
action POSTs change, so that later GETs (and so SELECTs) see the change, and
long-running-operation behaviour that tests choose per operation.

Hooked into azure_emulator.py: App.serve asks Writes.handle first (write
routes and their poll URLs), and passes every other GET answer through
Writes.overlay (stored, changed and deleted items; created items appended
to the first page of their collection).  Admin endpoints (main listener):

  POST   /_admin/writes {"operation": ID, "mode": M, ...}   how ID answers
  GET    /_admin/writes                                      the modes set
  DELETE /_admin/writes                                      modes, store, log, operations cleared
  GET    /_admin/writes/log[?since=N]                        write requests with their bodies
  GET    /_admin/writes/store                                the stored items
  POST   /_admin/writes/seed {"collection": PATH, "count": N, "prefix": P}
         N items P-001 ... stored under the collection PATH (an existing
         list route), as if created: a data set of its own for a test
         (max_write_rows' 101 deletable items), gone at the next reset

Modes ("mode"): sync (default), location (202 + Location), async (202 +
Azure-AsyncOperation; "location": true adds a Location), provisioning (PUT
or PATCH answer with provisioningState "Provisioning", polled by GET of
the item), relative (202 + a relative Location), other_version (202 +
Location carrying api-version 2020-12-15-privatepreview), foreign (202 +
Location on the other listener's host).  Options: "polls" (answers that
say running before the end, default 1), "final" (Succeeded, Failed or
Canceled; a Failed or Canceled operation changes nothing), "retry_after"
(seconds, default 0), "status" (the synchronous status, else the method's).
Faults on writes use /_admin/faults: "apply_then_500" and "apply_then_reset"
(the write lands, the answer is lost), and "status" for 409, a
problem-details 400 (body_shape problem) or 429 on the write or its polls.
"""
import copy
import itertools
import json
import re
import threading
import urllib.parse

from emu_routes import A, B, C24, P, S, Result, arm_error
from emu_render_base import V19, V24

OTHER_VERSION = "2020-12-15-privatepreview"
DELETED = object()
MODES = {"sync", "location", "async", "provisioning", "relative", "other_version", "foreign"}
FINALS = {"Succeeded", "Failed", "Canceled"}

# (api-versions, method, template, operation id, effect)
#   put / patch / delete: the item at the path; move: the item the action is
#   on gets a new invoice section; status:X: the item's transferStatus
#   becomes X; validate, echo: nothing changes; download: answers a blob URL
#   on the other listener, and is this module's only while a mode is set
WRITE_ROUTES_RAW = [
    ("24", "PATCH", A, "BillingAccounts_Update", "patch"),
    ("24", "PUT", P, "BillingProfiles_CreateOrUpdate", "put"),
    ("24", "DELETE", P, "BillingProfiles_Delete", "delete"),
    ("24", "PUT", S, "InvoiceSections_CreateOrUpdate", "put"),
    ("24", "DELETE", S, "InvoiceSections_Delete", "delete"),
    ("24", "PATCH", A + "/billingSubscriptions/{billingSubscriptionName}", "BillingSubscriptions_Update",
     "patch"),
    ("24", "DELETE", A + "/billingSubscriptions/{billingSubscriptionName}", "BillingSubscriptions_Delete",
     "delete"),
    ("24", "POST", A + "/billingSubscriptions/{billingSubscriptionName}/move", "BillingSubscriptions_Move",
     "move"),
    ("24", "POST", A + "/billingSubscriptions/{billingSubscriptionName}/validateMoveEligibility",
     "BillingSubscriptions_ValidateMoveEligibility", "validate"),
    ("24", "POST", A + "/products/{productName}/move", "Products_Move", "move"),
    ("24", "POST", A + "/products/{productName}/validateMoveEligibility", "Products_ValidateMoveEligibility",
     "validate"),
    ("24", "PATCH", A + "/products/{productName}", "Products_Update", "patch"),
    ("24", "PUT", P + "/policies/default", "Policies_CreateOrUpdateByBillingProfile", "put"),
    ("24", "PUT", C24 + "/policies/default", "Policies_CreateOrUpdateByCustomer", "put"),
    ("24", "PUT", S + "/transfers/{transferName}", "Transfers_Initiate", "put"),
    ("24", "POST", S + "/transfers/{transferName}/cancel", "Transfers_Cancel", "status:Canceled"),
    ("24", "PUT", C24 + "/transfers/{transferName}", "PartnerTransfers_Initiate", "put"),
    ("24", "POST", C24 + "/transfers/{transferName}/cancel", "PartnerTransfers_Cancel", "status:Canceled"),
    ("24", "POST", B + "/transfers/{transferName}/accept", "RecipientTransfers_Accept", "status:Completed"),
    ("24", "POST", B + "/transfers/{transferName}/decline", "RecipientTransfers_Decline", "status:Declined"),
    ("24", "POST", B + "/transfers/{transferName}/validate", "RecipientTransfers_Validate", "validate"),
    ("24", "PUT", A + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_CreateOrUpdateByBillingAccount", "put"),
    ("24", "DELETE", A + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_DeleteByBillingAccount", "delete"),
    ("24", "POST", S + "/createBillingRoleAssignment", "BillingRoleAssignments_CreateByInvoiceSection",
     "create:billingRoleAssignments"),
    ("24", "DELETE", S + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_DeleteByInvoiceSection", "delete"),
    ("24", "POST", P + "/validateDeleteEligibility", "BillingProfiles_ValidateDeleteEligibility", "validate"),
    ("24", "POST", S + "/validateDeleteEligibility", "InvoiceSections_ValidateDeleteEligibility", "validate"),
    ("19", "DELETE", S + "/transfers/{transferName}", "Transfers_Cancel", "status:Canceled"),
    ("19", "DELETE", C24 + "/transfers/{transferName}", "PartnerTransfers_Cancel", "status:Canceled"),
    ("19", "POST", B + "/transfers/{transferName}/acceptTransfer", "RecipientTransfers_Accept",
     "status:Completed"),
    ("19", "POST", B + "/transfers/{transferName}/declineTransfer", "RecipientTransfers_Decline",
     "status:Declined"),
    ("19", "POST", B + "/transfers/{transferName}/validateTransfer", "RecipientTransfers_Validate", "validate"),
    # taken over from emu_routes.py only while a mode is set for it (foreign: the poll on the other host)
    ("24", "POST", A + "/invoices/{invoiceName}/download", "Invoices_DownloadByBillingAccount", "download"),
]

# what the validations answer
VALIDATIONS = {
    "BillingSubscriptions_ValidateMoveEligibility": {"isMoveEligible": True},
    "Products_ValidateMoveEligibility": {"isMoveEligible": True},
    "RecipientTransfers_Validate": {"value": [{"properties": {"status": "Valid", "results": []}}]},
    "BillingProfiles_ValidateDeleteEligibility": {"eligibilityStatus": "Allowed", "eligibilityDetails": []},
    "InvoiceSections_ValidateDeleteEligibility": {"eligibilityStatus": "Allowed", "eligibilityDetails": []},
}
# properties a created item starts with, besides the body's
CREATE_DEFAULTS = {
    "Transfers_Initiate": {"transferStatus": "Pending"},
    "PartnerTransfers_Initiate": {"transferStatus": "Pending"},
}
TYPES = {"billingAccounts": "Microsoft.Billing/billingAccounts",
         "billingProfiles": "Microsoft.Billing/billingAccounts/billingProfiles",
         "invoiceSections": "Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections",
         "transfers": "Microsoft.Billing/transfers",
         "policies": "Microsoft.Billing/billingAccounts/billingProfiles/policies",
         "billingRoleAssignments": "Microsoft.Billing/billingAccounts/billingRoleAssignments"}


class Route:
    def __init__(self, versions, method, template, op, effect):
        self.versions = (V24,) if versions == "24" else (V19,)
        self.method, self.template, self.op, self.effect = method, template, op, effect
        self.segs = [(s.startswith("{"), s.lower()) for s in template.strip("/").split("/")]

    def match(self, segs):
        if len(segs) != len(self.segs):
            return False
        return all(is_p and seg != "" or (not is_p and seg.lower() == lit)
                   for (is_p, lit), seg in zip(self.segs, segs))


WRITE_ROUTES = [Route(*r) for r in WRITE_ROUTES_RAW]


def merge_patch(target, patch):
    """RFC 7396."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


class Writes:
    def __init__(self, state, billing):
        self.state = state
        self.billing = billing
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.reset()

    def reset(self):
        with self.lock:
            self.store = {}         # lower-cased item path -> item | DELETED
            self.modes = {}         # operation id -> mode dict
            self.ops = {}           # poll id -> long-running operation
            self.log = []
            self.seq = 0
            self.ids = itertools.count(1)

    def changed(self):
        """Stored answers changed: cached GETs are stale."""
        with self.state.lock:
            self.state.gen += 1
        self.state.cache_clear()

    # -- admin -------------------------------------------------------------------------
    def admin(self, method, path, query, data, ok):
        if path == "/_admin/writes" and method == "POST":
            rules = data if isinstance(data, list) else [data]
            for r in rules:
                if not isinstance(r, dict) or not isinstance(r.get("operation"), str):
                    raise ValueError("each write mode needs an \"operation\"")
                mode = r.get("mode", "sync")
                if mode not in MODES:
                    raise ValueError("unknown mode %r; known: %s" % (mode, ", ".join(sorted(MODES))))
                if r.get("final", "Succeeded") not in FINALS:
                    raise ValueError("final must be one of %s" % ", ".join(sorted(FINALS)))
                for k in ("polls", "retry_after", "status"):
                    if k in r and (isinstance(r[k], bool) or not isinstance(r[k], int) or r[k] < 0):
                        raise ValueError("%r must be a non-negative integer" % k)
            with self.lock:
                for r in rules:
                    self.modes[r["operation"]] = dict(r)
            return ok({"ok": True, "modes": self.modes})
        if path == "/_admin/writes" and method == "GET":
            return ok(self.modes)
        if path == "/_admin/writes/seed" and method == "POST":
            return ok({"ok": True, "seeded": self.seed(data)})
        if path == "/_admin/writes" and method == "DELETE":
            self.reset()
            self.changed()
            return ok({"ok": True})
        if path == "/_admin/writes/log" and method == "GET":
            since = int(query.get("since", 0) or 0)
            with self.lock:
                return ok([e for e in self.log if e["seq"] > since])
        if path == "/_admin/writes/store" and method == "GET":
            with self.lock:
                return ok({k: ("DELETED" if v is DELETED else v) for k, v in self.store.items()})
        return ok({"error": "unknown admin endpoint %s %s" % (method, path)}, 404)

    def seed(self, data):
        """Store count items under a collection path; their names."""
        if not isinstance(data, dict) or not isinstance(data.get("collection"), str) or \
                not data["collection"].startswith("/"):
            raise ValueError("seed needs a \"collection\" path")
        count = data.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= 1000:
            raise ValueError("\"count\" must be an integer from 1 to 1000")
        coll = urllib.parse.unquote(data["collection"].rstrip("/"))
        kind = coll.rsplit("/", 1)[-1]
        prefix = str(data.get("prefix") or "SEED")
        names = []
        with self.lock:
            for i in range(1, count + 1):
                name = "%s-%03d" % (prefix, i)
                path = "%s/%s" % (coll, name)
                self.store[path.lower()] = {
                    "id": path, "name": name, "type": TYPES.get(kind, "Microsoft.Billing/" + kind),
                    "properties": {"displayName": "%s item %d" % (prefix, i),
                                   "provisioningState": "Succeeded"}}
                names.append(name)
        self.changed()
        return names

    # -- items -------------------------------------------------------------------------------
    def current(self, req, path):
        """The item at path as a GET answers it now (store first, then the world), or None."""
        key = path.lower()
        with self.lock:
            if key in self.store:
                item = self.store[key]
                return None if item is DELETED else copy.deepcopy(item)
        ver = req.query.get("api-version")
        segs = path.strip("/").split("/")
        sub = SimpleReq(req, "GET", path, segs, ver)
        res = self.billing.handle(sub, {})
        if res.status == 200 and isinstance(res.obj, dict) and not isinstance(res.obj.get("value"), list):
            item = copy.deepcopy(res.obj)
            item["id"] = item.get("id") or path
            return item
        return None

    def put_item(self, path, item):
        with self.lock:
            self.store[path.lower()] = item
        self.changed()

    def apply(self, route, req, path, body):
        """Make the change; (status, answer body)."""
        effect = route.effect
        segs = path.strip("/").split("/")
        if effect == "put":
            old = self.current(req, path)
            item = copy.deepcopy(body) if isinstance(body, dict) else {}
            props = dict(CREATE_DEFAULTS.get(route.op, {}))
            props.update(item.get("properties") or {})
            props["provisioningState"] = "Succeeded"
            item["properties"] = props
            item["id"] = path
            item["name"] = segs[-1]
            item.setdefault("type", TYPES.get(segs[-2], "Microsoft.Billing/" + segs[-2]))
            self.put_item(path, item)
            return (200 if old else 201), item
        if effect.startswith("create:"):
            # Azure names the item: <role definition>_<principal>, under the scope's collection
            b = body if isinstance(body, dict) else {}
            role = str(b.get("roleDefinitionId") or "role").rstrip("/").split("/")[-1]
            name = "%s_%s" % (role, b.get("principalId") or "principal")
            coll = effect.split(":", 1)[1]
            ipath = "/" + "/".join(segs[:-1]) + "/" + coll + "/" + name
            props = copy.deepcopy(b)
            props["provisioningState"] = "Succeeded"
            item = {"id": ipath, "name": name, "type": TYPES.get(coll, "Microsoft.Billing/" + coll),
                    "properties": props}
            self.put_item(ipath, item)
            return 200, item
        if effect == "patch":
            old = self.current(req, path)
            if old is None:
                return 404, None
            item = merge_patch(old, body if isinstance(body, dict) else {})
            self.put_item(path, item)
            return 200, item
        if effect == "delete":
            old = self.current(req, path)
            with self.lock:
                self.store[path.lower()] = DELETED
            self.changed()
            return (200 if old else 204), None
        if effect == "move" or effect.startswith("status:"):
            target = "/" + "/".join(segs[:-1])
            old = self.current(req, target)
            if old is None:
                return 404, None
            props = dict(old.get("properties") or {})
            if effect == "move":
                dest = (body or {}).get("destinationInvoiceSectionId") if isinstance(body, dict) else None
                if dest:
                    props["invoiceSectionId"] = dest
                    m = re.search(r"/invoiceSections/([^/]+)$", dest)
                    if m:
                        props["invoiceSectionName"] = m.group(1)
            else:
                props["transferStatus"] = effect.split(":", 1)[1]
            old["properties"] = props
            self.put_item(target, old)
            return 200, old
        if effect == "validate":
            return 200, copy.deepcopy(VALIDATIONS.get(route.op, {}))
        if effect == "download":
            # a signed blob URL on another host: fetched without a token, if at all
            return 200, {"url": "%s/blob/%s.pdf?sv=2019-02-02&sr=b&sig=c2lnbmVk&sp=r" % (
                req.other_base, urllib.parse.quote(segs[-2])), "expiryTime": "2030-01-01T00:00:00Z"}
        return 200, body

    # -- requests ---------------------------------------------------------------------------
    def handle(self, req, cfg):
        """A Result for a write route or one of its poll URLs, else None."""
        segs = req.segs
        if req.method == "GET":
            if len(segs) >= 2 and segs[-1].lower().startswith("w-") and \
                    segs[-2].lower() in ("operationresults", "operationstatuses"):
                return self.poll(req, segs[-2].lower(), segs[-1].lower())
            return None
        ver = req.query.get("api-version")
        route = next((r for r in WRITE_ROUTES if r.method == req.method and ver in r.versions
                      and r.match(segs)), None)
        if route is None:
            return None
        if route.effect == "download":
            with self.lock:
                if route.op not in self.modes:
                    return None
        body = None
        if req.body and req.body.strip():
            try:
                body = json.loads(req.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return arm_error(400, "InvalidRequestContent",
                                 "The request content was invalid and could not be deserialized.", req.raw_path)
        path = "/" + "/".join(segs)
        with self.lock:
            self.seq += 1
            self.log.append({"seq": self.seq, "method": req.method, "path": path, "operation": route.op,
                             "query": dict(req.query), "body": body})
            mode = dict(self.modes.get(route.op) or {"mode": "sync"})
        final = mode.get("final", "Succeeded")
        if final == "Succeeded":
            status, obj = self.apply(route, req, path, body)
            if status == 404:
                return arm_error(404, "NotFound", "The resource '%s' was not found." % segs[-1], req.raw_path)
        else:
            status, obj = (200, None)
        kind = mode.get("mode", "sync")
        ra = str(int(mode.get("retry_after", 0)))
        if kind == "sync":
            if final != "Succeeded":
                return arm_error(400, "Operation" + final, "The operation ended %s." % final, req.raw_path)
            return Result(mode.get("status", status), obj)
        if kind == "provisioning" and route.method in ("PUT", "PATCH"):
            item = copy.deepcopy(obj) if isinstance(obj, dict) else self.current(req, path) or {"id": path}
            item.setdefault("properties", {})
            with self.lock:
                stored = self.store.get(path.lower())
                if not isinstance(stored, dict):
                    stored = copy.deepcopy(item)
                    self.store[path.lower()] = stored
                stored["_prov"] = {"remaining": int(mode.get("polls", 1)), "final": final}
            self.changed()
            item["properties"]["provisioningState"] = "Provisioning"
            return Result(mode.get("status", 201 if status == 201 else 200), item)
        op_id = "w-%d" % next(self.ids)
        op = {"remaining": int(mode.get("polls", 1)), "final": final, "status": status, "obj": obj,
              "retry_after": ra, "op": route.op, "ao": kind == "async"}
        with self.lock:
            self.ops[op_id] = op
        base = {"relative": "", "foreign": req.other_base}.get(kind, req.base_url)
        ver_l = OTHER_VERSION if kind == "other_version" else ver
        loc = "%s%s/operationResults/%s?api-version=%s" % (base, path, op_id, ver_l)
        headers = {"Retry-After": ra}
        if kind == "async":
            headers["Azure-AsyncOperation"] = "%s%s/operationStatuses/%s?api-version=%s" % (
                req.base_url, B, op_id, ver)
            if mode.get("location"):
                headers["Location"] = loc
        else:
            headers["Location"] = loc
        op["location"] = headers.get("Location")
        return Result(mode.get("status", 202), None, headers)

    def poll(self, req, kind, op_id):
        with self.lock:
            op = self.ops.get(op_id)
            if op is None:
                return arm_error(404, "NotFound", "The operation '%s' was not found." % op_id, req.raw_path)
            # an async operation waits on its status resource; its Location is then final
            running = op["remaining"] > 0 and (kind == "operationstatuses" or not op["ao"])
            if running:
                op["remaining"] -= 1
        if kind == "operationstatuses":
            if running:
                return Result(200, {"status": "InProgress"})
            ans = {"status": op["final"]}
            if op["final"] != "Succeeded":
                ans["error"] = {"code": "Operation" + op["final"],
                                "message": "The operation ended %s." % op["final"]}
            return Result(200, ans)
        if running:
            return Result(202, None, {"Location": op["location"] or req.base_url + req.raw_path,
                                      "Retry-After": op["retry_after"]})
        if op["final"] != "Succeeded":
            return arm_error(400 if op["final"] == "Failed" else 409, "Operation" + op["final"],
                             "The operation ended %s." % op["final"], req.raw_path)
        if op["obj"] is None:
            return Result(204, None)
        return Result(200, op["obj"])

    # -- GETs ---------------------------------------------------------------------------------
    def present(self, key, item):
        """A stored item as a GET shows it; a provisioning one advances one poll."""
        with self.lock:
            prov = item.get("_prov")
            shown = copy.deepcopy({k: v for k, v in item.items() if k != "_prov"})
            if prov:
                if prov["remaining"] > 0:
                    prov["remaining"] -= 1
                    state = "Provisioning"
                else:
                    state = prov["final"]
                shown.setdefault("properties", {})["provisioningState"] = state
        return shown

    def overlay(self, req, res):
        if req.method != "GET":
            return res
        with self.lock:
            if not self.store:
                return res
            store = dict(self.store)
        key = "/" + "/".join(s.lower() for s in req.segs)
        if key in store:
            item = store[key]
            if item is DELETED:
                return arm_error(404, "NotFound", "The resource '%s' was not found." % req.segs[-1], req.raw_path)
            return Result(200, self.present(key, item))
        body = res.obj
        if not (res.status == 200 and isinstance(body, dict) and isinstance(body.get("value"), list)):
            return res
        value, seen, changed = [], set(), False
        for it in body["value"]:
            iid = (it.get("id") or "").split("?")[0].lower() if isinstance(it, dict) else ""
            if iid in store:
                changed = True
                seen.add(iid)
                if store[iid] is not DELETED:
                    value.append(self.present(iid, store[iid]))
            else:
                value.append(it)
        if "$skiptoken" not in req.query:
            for k, item in store.items():
                if item is not DELETED and k not in seen and k.rsplit("/", 1)[0] == key:
                    value.append(self.present(k, item))
                    changed = True
        if not changed:
            return res
        out = dict(body)
        out["value"] = value
        return Result(200, out, res.headers, page=True)


class SimpleReq:
    """A GET of an item on behalf of a write (to read what it changes)."""
    __slots__ = ("method", "segs", "raw_path", "raw_query", "query", "body", "base_url", "other_base", "path")

    def __init__(self, req, method, path, segs, ver):
        self.method = method
        self.segs = segs
        self.raw_path = "/" + "/".join(urllib.parse.quote(s, safe="") for s in segs)
        self.raw_query = "api-version=" + (ver or "")
        self.query = {"api-version": ver}
        self.body = b""
        self.base_url = req.base_url
        self.other_base = req.other_base
        self.path = path
