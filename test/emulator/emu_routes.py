"""ARM routes of Microsoft.Billing for both api-versions, as data.

The route table lists every GET operation of 2019-10-01-preview and
2024-04-01 (plus the download POSTs, address validation and the
create-subscription-permission list), with the agreement-type support table
and the Result an answer is built as.  The handler (emu_billing.py) is
generic: the path parameters of a route bind canonical scope keys, and a list
is the set of entities of the route's kind whose scope matches all bound keys.
"""

import os
import re

from emu_render_base import V19, V24

VERSIONS = (V19, V24)

A = "/providers/Microsoft.Billing/billingAccounts/{billingAccountName}"
P = A + "/billingProfiles/{billingProfileName}"
S = P + "/invoiceSections/{invoiceSectionName}"
C19 = A + "/customers/{customerName}"
C24 = P + "/customers/{customerName}"
D = A + "/departments/{departmentName}"
EN = A + "/enrollmentAccounts/{enrollmentAccountName}"
DEF = "/providers/Microsoft.Billing/billingAccounts/default"
B = "/providers/Microsoft.Billing"

DATES = ("periodStartDate", "periodEndDate")
TXREQ24 = ("periodStartDate", "periodEndDate", "type")

# (versions, method, template, operationId, kind, mode, required query parameters)
def _load_routes(path):
    """The route table, from routes.tsv (data, one route per line)."""
    prefixes = {"A": A, "P": P, "S": S, "C19": C19, "C24": C24, "D": D, "EN": EN, "DEF": DEF, "B": B}
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            ver, method, tmpl, op, kind, mode, req = line.rstrip("\n").split("\t")
            m = re.match(r"^\{(\w+)\}", tmpl)
            if m:
                tmpl = prefixes[m.group(1)] + tmpl[m.end():]
            rows.append((ver, method, tmpl, op, None if kind == "-" else kind, mode,
                         () if req == "-" else tuple(req.split(","))))
    return rows


ROUTES_RAW = _load_routes(os.path.join(os.path.dirname(os.path.abspath(__file__)), "routes.tsv"))


def _load_support(path):
    """Agreement types per operation and api-version, from support.tsv (data)."""
    table = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                ver, op, agreements, mode = line.rstrip("\n").split("\t")
                table.setdefault(ver, {})[op] = (agreements, mode)
    return table


SUPPORT = _load_support(os.path.join(os.path.dirname(os.path.abspath(__file__)), "support.tsv"))

# path parameter -> canonical scope key
PARAM_KEY = {
    "billingAccountName": "account", "billingProfileName": "profile", "invoiceSectionName": "section",
    "customerName": "customer", "departmentName": "department", "enrollmentAccountName": "enrollment",
    "invoiceName": "invoice", "billingSubscriptionName": "subscription", "subscriptionId": "subscription",
    "reservationOrderId": "resorder", "savingsPlanOrderId": "sporder",
}
CONTAINERS = ("account", "profile", "section", "customer", "department", "enrollment",
              "subscription", "invoice", "resorder", "sporder")
CONTAINER_LABEL = {"account": "Billing account", "profile": "Billing profile", "section": "Invoice section",
                   "customer": "Customer", "department": "Department", "enrollment": "Enrollment account",
                   "subscription": "Subscription", "invoice": "Invoice", "resorder": "Reservation order",
                   "sporder": "Savings plan order"}
# kinds whose entities exist at several scope levels: match the level exactly
EXACT_KINDS = {"permission", "roledef", "roleassign", "policy", "balance", "breq", "paymethod",
               "operation", "rtransfer"}


class Route:
    __slots__ = ("versions", "method", "template", "op", "kind", "mode", "required", "segs",
                 "params", "deepest", "nlit")

    def __init__(self, versions, method, template, op, kind, mode, required):
        self.versions = VERSIONS if versions == "*" else ((V19,) if versions == "19" else (V24,))
        self.method = method
        self.template = template
        self.op = op
        self.kind = kind
        self.mode = mode
        self.required = required
        self.segs = []
        self.params = []
        for s in template.strip("/").split("/"):
            if s.startswith("{"):
                self.segs.append((True, s[1:-1]))
                self.params.append(s[1:-1])
            else:
                self.segs.append((False, s.lower()))
        self.nlit = sum(1 for is_p, _ in self.segs if not is_p)
        keys = [PARAM_KEY.get(p, "name") for p in self.params]
        if mode in ("get",) and keys and keys[-1] != "name":
            keys = keys[:-1]        # the item's own key is not its container
        cont = [k for k in keys if k in CONTAINERS]
        self.deepest = cont[-1] if cont else "user"

    def match(self, segs):
        if len(segs) != len(self.segs):
            return None
        out = {}
        for (is_p, val), seg in zip(self.segs, segs):
            if is_p:
                if seg == "":
                    return None
                out[val] = seg
            elif seg.lower() != val:
                return None
        return out


ROUTES = [Route(*r) for r in ROUTES_RAW]
# literal 'default' routes before the parameterised ones of the same shape
ROUTES.sort(key=lambda r: -r.nlit)


# ---------------------------------------------------------------------------
# results

class Result:
    """A response before serialisation.  obj is the JSON value (None = empty
    body); page=True marks list pages (subject to paging faults)."""

    __slots__ = ("status", "obj", "headers", "page", "cacheable", "raw", "content_type", "next_state")

    def __init__(self, status, obj=None, headers=None, page=False, cacheable=False, raw=None,
                 content_type="application/json; charset=utf-8"):
        self.status = status
        self.obj = obj
        self.headers = headers or {}
        self.page = page
        self.cacheable = cacheable
        self.raw = raw
        self.content_type = content_type
        self.next_state = None


def arm_error(status, code, message, target=None):
    return Result(status, {"error": {"code": code, "message": message, "target": target, "details": []}})
