"""Version-specific item shapes (2019-10-01-preview and 2024-04-01): the helpers.

Each renderer takes an entity (emu_data.E or emu_data.TxRec) and a request
context and returns the JSON item exactly as the emulator sends it.  Property
names, nesting and types follow the official models of each api-version;
the values are the emulator's own generated data.

A few deliberate untidy spots reproduce what recorded Azure traffic shows
(see README.md, "Untidiness").
"""

from emu_data import PFX, money


V19 = "2019-10-01-preview"
V24 = "2024-04-01"


def amt(cur, v):
    return {"currency": cur, "value": money(v)}


def price(cur, v):
    return {"currency": cur, "value": round(v + 0.0, 4)}


def z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def dz(d):
    """Date -> midnight UTC timestamp."""
    return "%04d-%02d-%02dT00:00:00Z" % (d.year, d.month, d.day)


def z7(dt, frac="0000000"):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z"


def us_date(d):
    return "%02d/%02d/%04d" % (d.month, d.day, d.year)


# -- ids --------------------------------------------------------------------

def aid(a):
    return "%s/billingAccounts/%s" % (PFX, a)


def pid(a, p):
    return "%s/billingProfiles/%s" % (aid(a), p)


def sid(a, p, s):
    return "%s/invoiceSections/%s" % (pid(a, p), s)


def did(a, d):
    return "%s/departments/%s" % (aid(a), d)


def eid(a, e):
    return "%s/enrollmentAccounts/%s" % (aid(a), e)


def cid(a, c, p=None):
    if p:
        return "%s/customers/%s" % (pid(a, p), c)
    return "%s/customers/%s" % (aid(a), c)


def scope_id_type(scope, level, v):
    """ARM id and type of a billing scope entity (for role assignments etc.)."""
    a = scope.get("account")
    if level == "account":
        return aid(a), "Microsoft.Billing/billingAccounts"
    if level == "profile":
        return pid(a, scope["profile"]), "Microsoft.Billing/billingAccounts/billingProfiles"
    if level == "section":
        return (sid(a, scope["profile"], scope["section"]),
                "Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections")
    if level == "customer":
        if v == V24:
            return (cid(a, scope["customer"], scope.get("profile")),
                    "Microsoft.Billing/billingAccounts/billingProfiles/customers")
        return cid(a, scope["customer"]), "Microsoft.Billing/billingAccounts/customers"
    if level == "department":
        return did(a, scope["department"]), "Microsoft.Billing/billingAccounts/departments"
    if level == "enrollment":
        return eid(a, scope["enrollment"]), "Microsoft.Billing/billingAccounts/enrollmentAccounts"
    return PFX, "Microsoft.Billing"


class Ctx:
    """What a renderer may know about the request."""

    def __init__(self, world, v, op, cap, query, scheme_host=""):
        self.world = world
        self.v = v
        self.op = op
        self.cap = cap          # canonical captured scope params
        self.query = query      # lower-cased keys -> value
        self.scheme_host = scheme_host

    @property
    def expand(self):
        return (self.query.get("$expand") or self.query.get("expand") or "").lower()


def _w(ctx):
    return ctx.world


def _acct(ctx, name):
    return ctx.world.account(name)


def _prof_disp(ctx, a, p):
    pe = ctx.world.profile(a, p)
    return pe.display if pe else p


def _sec_disp(ctx, s):
    e = ctx.world.find("section", section=s)
    return e.display if e else s


def _cust_disp(ctx, c):
    e = ctx.world.find("customer", customer=c)
    return e.display if e else c


def _address(addr, v, email=None):
    out = dict(addr)
    if not out.get("region"):
        out.pop("region", None)
    if v == V24 and email:
        out["email"] = email
    return out


AZURE_PLANS_19 = [{"skuId": "0001", "skuDescription": "Microsoft Azure Plan"},
                  {"skuId": "0002", "skuDescription": "Microsoft Azure Plan for DevTest"}]
AZURE_PLANS_24 = [{"productId": "DZH318Z0BPS6", "skuId": "0001", "skuDescription": "Microsoft Azure Plan"},
                  {"productId": "DZH318Z0BPS6", "skuId": "0002",
                   "skuDescription": "Microsoft Azure Plan for DevTest"}]


# -- billing accounts ------------------------------------------------------


def with_props(item, p):
    """The item with its properties object: every renderer ends so."""
    item["properties"] = p
    return item


def prof_props(p, ctx, a, prof, names=False):
    """The billing profile's id and display name (and name) on an item's properties."""
    p["billingProfileId"] = pid(a, prof)
    if names:
        p["billingProfileName"] = prof
    p["billingProfileDisplayName"] = _prof_disp(ctx, a, prof)


def sec_props(p, ctx, a, prof, sec, names=False):
    """The invoice section's id and display name (and name) on an item's properties."""
    p["invoiceSectionId"] = sid(a, prof, sec)
    if names:
        p["invoiceSectionName"] = sec
    p["invoiceSectionDisplayName"] = _sec_disp(ctx, sec)


def cust_props(p, ctx, a, cust, prof=None, names=False):
    """The customer's id and display name (and name) on an item's properties."""
    p["customerId"] = cid(a, cust, prof)
    if names:
        p["customerName"] = cust
    p["customerDisplayName"] = _cust_disp(ctx, cust)
