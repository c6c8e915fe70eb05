"""Version-specific item shapes (2019-10-01-preview and 2024-04-01).

Each renderer takes an entity (emu_data.E or emu_data.TxRec) and a request
context and returns the JSON item exactly as the emulator sends it.  Property
names, nesting and types follow the official models of each api-version;
the values are the emulator's own generated data.

A few deliberate untidy spots reproduce what recorded Azure traffic shows
(see README.md, "Untidiness").
"""

import datetime as _dt

from emu_data import (PFX, AGREEMENT, TX_AMOUNTS, ym_add,
                      month_last_day, money, guid, h)

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

def r_account(e, ctx):
    v = ctx.v
    a = e
    item = {"id": aid(a.name), "name": a.name, "type": "Microsoft.Billing/billingAccounts"}
    email = "billing@%s.example" % a.display.split()[0].lower()
    if v == V24:
        p = {"accountStatus": "Active", "accountType": a.account_type, "accountSubType": a.sub_type,
             "agreementType": AGREEMENT[a.agreement], "displayName": a.display, "hasReadAccess": True,
             "primaryBillingTenantId": a.tenant, "provisioningState": "Succeeded"}
        if a.agreement == "EA":
            p["enrollmentDetails"] = {
                "startDate": "2017-07-01T00:00:00Z", "endDate": "2027-06-30T00:00:00Z",
                "currency": a.currency, "channel": "EaDirect", "language": "en",
                "countryCode": "US", "billingCycle": "Monthly", "extendedTermOption": "Opted-Out",
                "supportLevel": "Standard", "cloud": "Azure Commercial", "poNumber": "PO-8608480",
                "markupStatus": "Disabled", "invoiceRecipient": "ap@woodgrove.example"}
        else:
            p["soldTo"] = _address(a.address, v, email)
            p["notificationEmailAddress"] = email
        if a.agreement == "MCA":
            p["hasNoBillingProfiles"] = False
            p["billingRelationshipTypes"] = ["Direct"]
            p["taxIds"] = [{"id": "TAX-%s" % a.pfx.upper(), "type": "VatId", "scope": "Account",
                            "country": a.address["country"], "status": "Valid"}]
        elif a.agreement == "MPA":
            p["billingRelationshipTypes"] = ["CSPPartner"]
            p["qualifications"] = ["CSP"]
        item["properties"] = p
        item["systemData"] = {"createdAt": a.created + "T08:00:00.0000000Z",
                              "lastModifiedAt": "2024-06-01T08:00:00.0000000Z"}
        return item
    # 2019-10-01-preview
    at = {"Business": "Enterprise"}.get(a.account_type, a.account_type)
    p = {"displayName": a.display, "agreementType": AGREEMENT[a.agreement], "accountType": at,
         "customerType": at}
    if a.agreement != "EA":
        p["address"] = _address(a.address, v)
    if a.agreement in ("MCA", "MPA"):
        # properties real 2019-10-01-preview traffic carries beyond the model
        p["accountId"] = a.name.split(":")[0]
        p["accountStatus"] = "Active"
        p["hasReadAccess"] = True
        p["organizationId"] = a.tenant
    if a.agreement == "EA":
        p["enrollmentDetails"] = {
            "startDate": "2017-07-01T00:00:00Z", "endDate": "2027-06-30T00:00:00Z",
            "currency": a.currency, "channel": "EaDirect",
            "policies": {"accountOwnerViewCharges": True, "departmentAdminViewCharges": True,
                         "marketplacesEnabled": True, "reservedInstancesEnabled": False},
            "language": "en", "countryCode": "US", "status": "Active", "billingCycle": "Monthly"}
    ex = ctx.expand
    if "billingprofiles" in ex and a.agreement in ("MCA", "MPA"):
        with_sections = "invoicesections" in ex
        p["billingProfiles"] = [r_profile(pe, ctx, expand_sections=with_sections)
                                for pe in ctx.world.all("profile") if pe.account == a.name]
    if a.agreement == "EA":
        if "departments" in ex:
            p["departments"] = [r_department(d, ctx, expand=False) for d in ctx.world.all("department")]
        if "enrollmentaccounts" in ex:
            p["enrollmentAccounts"] = [r_enrollment(x, ctx, expand=False) for x in ctx.world.all("enrollment")]
    item["properties"] = p
    return item


def r_profile(e, ctx, expand_sections=None):
    v = ctx.v
    a = _acct(ctx, e.account)
    item = {"id": pid(e.account, e.name), "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/billingProfiles"}
    email = "invoices@%s.example" % a.display.split()[0].lower()
    rel = "CSPPartner" if e.agreement == "MPA" else "Direct"
    if v == V24:
        p = {"billingRelationshipType": rel, "billTo": _address(a.address, v, email),
             "currency": e.currency, "displayName": e.display,
             "enabledAzurePlans": AZURE_PLANS_24 if e.agreement == "MCA" else AZURE_PLANS_24[:1],
             "hasReadAccess": True, "invoiceDay": e.invoice_day, "invoiceEmailOptIn": True,
             "invoiceRecipients": [email], "provisioningState": "Succeeded",
             "shipTo": _address(a.address, v, email), "soldTo": _address(a.address, v, email),
             "spendingLimit": "Off", "status": "Active", "systemId": e.name, "targetClouds": []}
        if e.po:
            p["poNumber"] = e.po
        item["properties"] = p
        item["systemData"] = {"createdAt": a.created + "T08:00:00.0000000Z",
                              "lastModifiedAt": "2024-06-01T08:00:00.0000000Z"}
        return item
    p = {"displayName": e.display, "address": _address(a.address, v),
         "billingRelationshipType": rel, "invoiceEmailOptIn": True, "invoiceDay": e.invoice_day,
         "currency": e.currency,
         "enabledAzurePlans": AZURE_PLANS_19 if e.agreement == "MCA" else AZURE_PLANS_19[:1],
         "status": "Active", "spendingLimit": "Off", "targetClouds": [], "hasReadAccess": True}
    if e.po:
        p["poNumber"] = e.po
    if expand_sections is None:
        expand_sections = "invoicesections" in ctx.expand
    if expand_sections:
        p["invoiceSections"] = [r_section(s, ctx) for s in ctx.world.all("section")
                                if s.account == e.account and s.profile == e.name]
    item["properties"] = p
    return item


def r_section(e, ctx):
    item = {"id": sid(e.account, e.profile, e.name), "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections"}
    if ctx.v == V24:
        item["properties"] = {"displayName": e.display, "state": "Active", "systemId": e.name,
                              "provisioningState": "Succeeded",
                              "tags": {"costCategory": e.display.split(" - ")[-1]}}
    else:
        item["properties"] = {"displayName": e.display, "state": "Active"}
    return item


def r_customer(e, ctx):
    v = ctx.v
    by_profile = v == V24 and "profile" in ctx.cap
    item = {"id": cid(e.account, e.name, e.profile if by_profile else None), "name": e.name,
            "type": ("Microsoft.Billing/billingAccounts/billingProfiles/customers" if by_profile
                     else "Microsoft.Billing/billingAccounts/customers")}
    resellers = []
    if e.name.startswith("c1"):
        resellers = [{"resellerId": "MPN1234567", "description": "Contoso Reseller"}]
    if v == V24:
        item["properties"] = {
            "billingProfileDisplayName": _prof_disp(ctx, e.account, e.profile),
            "billingProfileId": pid(e.account, e.profile), "displayName": e.display,
            "systemId": e.name.split("-")[0].upper(), "status": "Active",
            "enabledAzurePlans": AZURE_PLANS_24[:1], "resellers": resellers}
    else:
        item["properties"] = {"displayName": e.display, "enabledAzurePlans": AZURE_PLANS_19[:1],
                              "resellers": resellers}
    return item


def r_department(e, ctx, expand=None):
    item = {"id": did(e.account, e.name), "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/departments"}
    if ctx.v == V24:
        item["properties"] = {"costCenter": e.cost_center, "displayName": e.display, "status": "Active"}
    else:
        p = {"departmentName": e.display, "costCenter": e.cost_center, "status": "Active"}
        if expand is None:
            expand = "enrollmentaccounts" in ctx.expand
        if expand:
            p["enrollmentAccounts"] = [r_enrollment(x, ctx, expand=False) for x in ctx.world.all("enrollment")
                                       if x.department == e.name]
        item["properties"] = p
    return item


def r_enrollment(e, ctx, expand=None):
    by_dept = ctx.v == V24 and "department" in ctx.cap
    item = {"id": (did(e.account, e.department) + "/enrollmentAccounts/" + e.name if by_dept
                   else eid(e.account, e.name)),
            "name": e.name,
            "type": ("Microsoft.Billing/billingAccounts/departments/enrollmentAccounts" if by_dept
                     else "Microsoft.Billing/billingAccounts/enrollmentAccounts")}
    dept = ctx.world.find("department", department=e.department)
    if ctx.v == V24:
        item["properties"] = {"costCenter": e.cost_center, "displayName": e.display,
                              "departmentDisplayName": dept.display, "departmentId": e.department,
                              "isDevTestEnabled": e.name == "5678901", "accountOwner": e.owner,
                              "authType": "Organization", "status": "Active",
                              "startDate": "2017-07-01T00:00:00Z", "endDate": "2027-06-30T00:00:00Z"}
    else:
        p = {"accountName": e.display, "costCenter": e.cost_center, "accountOwner": e.owner,
             "status": "Active", "startDate": "2017-07-01T00:00:00Z", "endDate": "2027-06-30T00:00:00Z"}
        if expand is None:
            expand = "department" in ctx.expand
        if expand and dept:
            p["department"] = r_department(dept, ctx, expand=False)
        item["properties"] = p
    return item


# -- billing subscriptions -----------------------------------------------------

def r_subscription(e, ctx):
    v = ctx.v
    a = e.account
    name = e.name
    if v == V19 and ctx.op in ("BillingSubscriptions_Get",) and e.section:
        sub_id = sid(a, e.profile, e.section) + "/billingSubscriptions/" + name
    elif v == V19 and "customer" in ctx.cap and e.customer:
        sub_id = cid(a, e.customer) + "/billingSubscriptions/" + name
    else:
        # listed by billing profile or invoice section: account-level ids
        sub_id = aid(a) + "/billingSubscriptions/" + name
    item = {"id": sub_id, "name": name}
    cur = e.currency
    if v == V24:
        item["type"] = "Microsoft.Billing/billingAccounts/billingSubscriptions"
        p = {"autoRenew": "On", "billingFrequency": "P1M", "displayName": e.display,
             "subscriptionId": name, "status": "Active", "provisioningState": "Succeeded",
             "operationStatus": "None", "lastMonthCharges": amt(cur, e.last_month),
             "monthToDateCharges": amt(cur, e.mtd), "skuId": e.sku[0], "skuDescription": e.sku[1],
             "productCategory": "Usage", "productType": "Azure subscription",
             "productTypeId": "DZH318Z0BPS6", "quantity": 1,
             "purchaseDate": "%04d-%02d-01T00:00:00Z" % (2020 + e.n % 4, 1 + e.n % 12),
             "resourceUri": "/subscriptions/" + name, "consumptionCostCenter": "CC-%03d" % (100 + e.n)}
        if e.profile:
            p["billingProfileId"] = pid(a, e.profile)
            p["billingProfileDisplayName"] = _prof_disp(ctx, a, e.profile)
            p["billingProfileName"] = e.profile
        if e.section:
            p["invoiceSectionId"] = sid(a, e.profile, e.section)
            p["invoiceSectionDisplayName"] = _sec_disp(ctx, e.section)
            p["invoiceSectionName"] = e.section
        if e.customer:
            p["customerId"] = cid(a, e.customer, e.profile)
            p["customerDisplayName"] = _cust_disp(ctx, e.customer)
            p["customerName"] = e.customer
            p["reseller"] = {"resellerId": "MPN1234567", "description": "Contoso Reseller"}
        if e.enrollment:
            en = ctx.world.find("enrollment", enrollment=e.enrollment)
            p["enrollmentAccountId"] = eid(a, e.enrollment)
            p["enrollmentAccountDisplayName"] = en.display
            p["enrollmentAccountSubscriptionDetails"] = {
                "enrollmentAccountStartDate": "2017-07-01T00:00:00Z",
                "subscriptionEnrollmentAccountStatus": "Active"}
        item["properties"] = p
        return item
    item["type"] = "Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections/billingSubscriptions"
    p = {"displayName": e.display, "subscriptionId": name, "subscriptionBillingStatus": "Active",
         "lastMonthCharges": amt(cur, e.last_month), "monthToDateCharges": amt(cur, e.mtd),
         "skuId": e.sku[0], "skuDescription": e.sku[1]}
    if e.profile:
        p["billingProfileId"] = pid(a, e.profile)
        p["billingProfileDisplayName"] = _prof_disp(ctx, a, e.profile)
    if e.section:
        p["invoiceSectionId"] = sid(a, e.profile, e.section)
        p["invoiceSectionDisplayName"] = _sec_disp(ctx, e.section)
    if e.customer:
        p["customerId"] = cid(a, e.customer)
        p["customerDisplayName"] = _cust_disp(ctx, e.customer)
        p["reseller"] = {"resellerId": "MPN1234567", "description": "Contoso Reseller"}
    item["properties"] = p
    return item


# -- products ----------------------------------------------------------------

def r_product(e, ctx):
    v = ctx.v
    a = e.account
    cur = e.currency
    last_charge_date = _dt.date(2026, 10, 1 + e.k % 20)
    if v == V24:
        item = {"id": aid(a) + "/products/" + e.name, "name": e.name,
                "type": "Microsoft.Billing/billingAccounts/products"}
        p = {"autoRenew": "On" if e.status == "AutoRenew" else "Off", "availabilityId": "AV%08d" % e.k,
             "billingFrequency": e.freq, "billingProfileId": pid(a, e.profile),
             "billingProfileDisplayName": _prof_disp(ctx, a, e.profile),
             "displayName": "%s (%s)" % (e.ptype, e.name[:8]), "endDate": dz(e.end),
             "lastCharge": amt(cur, e.charge), "lastChargeDate": dz(last_charge_date),
             "productType": e.ptype, "productTypeId": e.ptid, "purchaseDate": dz(e.purchase),
             "quantity": e.qty, "skuId": "0001", "skuDescription": e.sku_desc,
             "status": "Active", "tenantId": _acct(ctx, a).tenant}
    else:
        if e.section:
            pid_ = sid(a, e.profile, e.section) + "/products/" + e.name
            typ = "Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections/products"
        else:
            pid_ = cid(a, e.customer) + "/products/" + e.name
            typ = "Microsoft.Billing/billingAccounts/customers/products"
        item = {"id": pid_, "name": e.name, "type": typ}
        # real 2019-10-01-preview traffic sends product dates as MM/DD/YYYY
        p = {"displayName": "%s (%s)" % (e.ptype, e.name[:8]), "purchaseDate": us_date(e.purchase),
             "productTypeId": e.ptid, "productType": e.ptype, "status": e.status,
             "endDate": us_date(e.end), "billingFrequency": e.freq, "lastCharge": amt(cur, e.charge),
             "lastChargeDate": dz(last_charge_date), "quantity": e.qty, "skuId": "0001",
             "skuDescription": e.sku_desc, "tenantId": _acct(ctx, a).tenant,
             "availabilityId": "AV%08d" % e.k, "billingProfileId": pid(a, e.profile),
             "billingProfileDisplayName": _prof_disp(ctx, a, e.profile)}
    if e.section:
        p["invoiceSectionId"] = sid(a, e.profile, e.section)
        p["invoiceSectionDisplayName"] = _sec_disp(ctx, e.section)
    if e.customer:
        p["customerId"] = cid(a, e.customer, e.profile if v == V24 else None)
        p["customerDisplayName"] = _cust_disp(ctx, e.customer)
        p["reseller"] = {"resellerId": "MPN1234567", "description": "Contoso Reseller"}
    item["properties"] = p
    return item


# -- invoices ---------------------------------------------------------------

def invoice_period(inv):
    py, pm = ym_add((inv.date.year, inv.date.month), -1)
    return _dt.date(py, pm, 1), _dt.date(py, pm, month_last_day(py, pm))


def r_invoice(e, ctx):
    v = ctx.v
    a = e.account
    cur = e.currency
    start, end = invoice_period(e)
    due = e.date + _dt.timedelta(days=30)
    cap = ctx.cap
    via_sub = ctx.op in ("Invoices_ListByBillingSubscription", "Invoices_GetByBillingSubscription",
                         "Invoices_GetById")
    if v == V24:
        if via_sub and "subscription" in cap and "account" not in cap:
            iid = "%s/billingAccounts/default/billingSubscriptions/%s/invoices/%s" % (PFX, cap["subscription"], e.name)
        else:
            iid = aid(a) + "/invoices/" + e.name
        item = {"id": iid, "name": e.name, "type": "Microsoft.Billing/billingAccounts/invoices"}
        p = {"amountDue": amt(cur, e.due), "azurePrepaymentApplied": amt(cur, 0.0),
             "billedAmount": amt(cur, e.billed), "creditAmount": amt(cur, 0.0),
             "documents": [{"kind": "Invoice", "name": "%s-INV" % e.name, "source": "DRS",
                            "documentNumbers": [e.name]}],
             "documentType": "Invoice", "dueDate": dz(due),
             "freeAzureCreditApplied": amt(cur, e.credit), "invoiceDate": dz(e.date),
             "invoicePeriodEndDate": dz(end), "invoicePeriodStartDate": dz(start),
             "invoiceType": "AzureServices", "isMonthlyInvoice": True, "status": e.status,
             "subTotal": amt(cur, e.sub_total), "taxAmount": amt(cur, e.tax),
             "totalAmount": amt(cur, e.total), "specialTaxationType": "InvoiceLevel"}
        if e.agreement == "EA":
            p["documents"].append({"kind": "Summary", "name": "%s-SUM" % e.name, "source": "DRS"})
        if e.profile:
            p["billingProfileId"] = pid(a, e.profile)
            p["billingProfileDisplayName"] = _prof_disp(ctx, a, e.profile)
            if e.profile == "AAAA-1111-BP1-PRF":
                p["purchaseOrderNumber"] = "PO-1111"
        if e.agreement == "MOSP" and e.subs:
            s = ctx.world.find("subscription", subscription=e.subs[0])
            p["subscriptionId"] = s.name
            p["subscriptionDisplayName"] = s.display
        if e.status == "Paid":
            p["payments"] = [{"amount": amt(cur, e.total), "date": dz(e.date + _dt.timedelta(days=12)),
                              "paymentMethodFamily": "CreditCard", "paymentMethodType": "visa",
                              "paymentType": "Paid", "paymentMethodId": guid("pm", a, 0)}]
        else:
            p["payments"] = []
        item["properties"] = p
        return item
    # 2019-10-01-preview
    if via_sub and "subscription" in cap:
        iid = "%s/billingSubscriptions/%s/invoices/%s" % (aid(a), cap["subscription"], e.name)
    elif e.profile and ctx.op == "Invoices_ListByBillingProfile":
        iid = aid(a) + "/invoices/" + e.name        # untidy: account-level id under a profile list
    elif e.profile:
        iid = pid(a, e.profile) + "/invoices/" + e.name
    else:
        iid = aid(a) + "/invoices/" + e.name
    typ = ("Microsoft.Billing/billingAccounts/billingProfiles/invoices" if e.profile
           else "Microsoft.Billing/billingAccounts/invoices")
    item = {"id": iid, "name": e.name, "type": typ}
    frac = "%07d" % (h("frac", e.name) % 10000000)
    # .NET-style timestamps: 7 fractional digits, period end without offset
    inv_date = dz(e.date) if e.mi % 2 == 0 else "%04d-%02d-01T00:00:00.0000000Z" % (e.date.year, e.date.month)
    p = {"dueDate": "%sT17:32:28.%sZ" % (due.isoformat(), frac), "invoiceDate": inv_date,
         "status": e.status, "amountDue": amt(cur, e.due), "azurePrepaymentApplied": amt(cur, 0.0),
         "billedAmount": amt(cur, e.billed), "creditAmount": amt(cur, 0.0),
         "freeAzureCreditApplied": amt(cur, e.credit), "subTotal": amt(cur, e.sub_total),
         "taxAmount": amt(cur, e.tax), "totalAmount": amt(cur, e.total),
         "invoicePeriodStartDate": "%sT00:00:00Z" % start.isoformat(),
         "invoicePeriodEndDate": "%sT23:59:59.9999999" % end.isoformat(),
         "invoiceType": "AzureService", "isMonthlyInvoice": True,
         "documents": [{"kind": "Invoice",
                        "url": "https://invoices.emulator.invalid/%s/%s.pdf" % (a.split(":")[0], e.name)}]}
    if e.profile:
        p["billingProfileId"] = pid(a, e.profile)
        p["billingProfileDisplayName"] = _prof_disp(ctx, a, e.profile)
        if e.profile == "AAAA-1111-BP1-PRF":
            p["purchaseOrderNumber"] = "PO-1111"
    if e.agreement == "MOSP" and e.subs:
        p["subscriptionId"] = e.subs[0]
    if e.status == "Paid":
        p["payments"] = [{"paymentType": "Paid", "amount": amt(cur, e.total),
                          "date": "%sT10:12:44.%sZ" % ((e.date + _dt.timedelta(days=12)).isoformat(), frac),
                          "paymentMethodFamily": "CreditCard", "paymentMethodType": "visa"}]
    else:
        p["payments"] = []
    item["properties"] = p
    return item


# -- transactions -------------------------------------------------------------

def _svc_period(tx):
    if tx.kind == "Reservation":
        s = tx.dt.date()
        return s, _dt.date(s.year + 1, s.month, s.day) - _dt.timedelta(days=1)
    y, m = tx.dt.year, tx.dt.month
    return _dt.date(y, m, 1), _dt.date(y, m, month_last_day(y, m))


def r_tx(tx, ctx):
    v = ctx.v
    w = ctx.world
    a = tx.account
    cur = tx.currency
    sub, tax, total, eff, market = TX_AMOUNTS(tx)
    fam, ptype, desc, uom, utype, ptid, part, _price = tx.item
    sp_start, sp_end = _svc_period(tx)
    prof_disp = _prof_disp(ctx, a, tx.profile)
    if v == V24:
        item = {"id": "%s/transactions/%s" % (pid(a, tx.profile), tx.name), "name": tx.name,
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/transactions"}
        p = {"azureCreditApplied": amt(cur, tx.credit), "azurePlan": "Microsoft Azure Plan",
             "billingCurrency": cur, "billingProfileDisplayName": prof_disp,
             "billingProfileId": pid(a, tx.profile),
             "consumptionCommitmentDecremented": amt(cur, 0.0), "date": z(tx.dt),
             "discount": tx.discount, "effectivePrice": price("USD", eff),
             "exchangeRate": 1.0 if cur == "USD" else {"EUR": 0.92, "GBP": 0.79}.get(cur, 1.0),
             "invoice": tx.invoice if tx.invoice else "Pending", "isThirdParty": False,
             "kind": tx.kind, "marketPrice": price("USD", market), "partNumber": part,
             "pricingCurrency": "USD", "productDescription": desc, "productFamily": fam,
             "productTypeId": ptid, "productType": ptype, "quantity": tx.qty,
             "servicePeriodStartDate": dz(sp_start), "servicePeriodEndDate": dz(sp_end),
             "subTotal": amt(cur, sub), "tax": amt(cur, tax), "transactionAmount": amt(cur, total),
             "transactionType": ("Credit" if tx.status == "Other" else
                                 "Purchase" if tx.kind == "Reservation" else "Usage Charge"),
             "units": tx.units, "unitOfMeasure": uom, "unitType": utype}
        if tx.invoice:
            p["invoiceId"] = aid(a) + "/invoices/" + tx.invoice
        if tx.status == "Other":
            p["creditType"] = "ServiceInterruption"
            p["reasonCode"] = "SI-001"
        if tx.section:
            p["invoiceSectionId"] = sid(a, tx.profile, tx.section)
            p["invoiceSectionDisplayName"] = _sec_disp(ctx, tx.section)
        if tx.customer:
            p["customerId"] = cid(a, tx.customer, tx.profile)
            p["customerDisplayName"] = _cust_disp(ctx, tx.customer)
        item["properties"] = p
        return item
    # 2019-10-01-preview; every fourth id spells BillingAccounts (as recorded)
    ba = "BillingAccounts" if tx.seq % 4 == 1 else "billingAccounts"
    item = {"id": "%s/%s/%s/billingProfiles/%s/transactions/%s" % (PFX, ba, a, tx.profile, tx.name),
            "name": tx.name, "type": "Microsoft.Billing/billingAccounts/billingProfiles/transactions"}
    frac = "%07d" % ((tx.seq * 2791103 + 1) % 10000000)
    if tx.seq % 3 == 0:
        local = tx.dt - _dt.timedelta(hours=7)
        date_s = local.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "-07:00"
    else:
        date_s = z7(tx.dt, frac)
    p = {"kind": "reservation" if tx.kind == "Reservation" else "all", "date": date_s,
         "invoice": tx.invoice if tx.invoice else "pending",
         "productFamily": fam, "productTypeId": ptid, "productType": ptype,
         "productDescription": desc,
         "transactionType": "Purchase" if tx.kind == "Reservation" else "Usage Charge",
         "transactionAmount": amt(cur, total), "quantity": tx.qty,
         "billingProfileId": pid(a, tx.profile), "billingProfileDisplayName": prof_disp,
         "azureCreditApplied": amt(cur, tx.credit), "billingCurrency": cur, "discount": tx.discount,
         "effectivePrice": price("USD", eff),
         "exchangeRate": 1.0 if cur == "USD" else {"EUR": 0.92, "GBP": 0.79}.get(cur, 1.0),
         "marketPrice": price("USD", market), "pricingCurrency": "USD",
         "servicePeriodStartDate": "%sT00:00:00Z" % sp_start.isoformat(),
         "servicePeriodEndDate": "%sT23:59:59.9999999" % sp_end.isoformat(),
         "subTotal": amt(cur, sub), "tax": amt(cur, tax), "unitOfMeasure": uom, "units": tx.units,
         "unitType": utype}
    if tx.invoice:
        p["invoiceId"] = pid(a, tx.profile) + "/invoices/" + tx.invoice
    if tx.kind == "Reservation":
        p["orderId"] = guid("order", tx.name)
        p["orderName"] = "VM RI %s" % tx.dt.strftime("%Y-%m")
    if tx.section:
        p["invoiceSectionId"] = sid(a, tx.profile, tx.section)
        p["invoiceSectionDisplayName"] = _sec_disp(ctx, tx.section)
    if tx.customer:
        p["customerId"] = cid(a, tx.customer)
        p["customerDisplayName"] = _cust_disp(ctx, tx.customer)
    if tx.sub:
        s = w.find("subscription", subscription=tx.sub)
        p["subscriptionId"] = tx.sub
        p["subscriptionName"] = s.display if s else tx.sub
    item["properties"] = p
    return item


def r_tx_summary(inv, ctx):
    txs = ctx.world.tx_by_invoice.get(inv.name, [])
    sub = tax = credit = 0.0
    for tx in txs:
        s_, t_, _, _, _ = TX_AMOUNTS(tx)
        sub += s_
        tax += t_
        credit += tx.credit
    return {"azureCreditApplied": money(credit), "billingCurrency": inv.currency,
            "consumptionCommitmentDecremented": 0.0, "subTotal": money(sub), "tax": money(tax),
            "total": money(sub + tax)}


# -- other groups -------------------------------------------------------------

def r_agreement(e, ctx):
    item = {"id": aid(e.account) + "/agreements/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/agreements"}
    eff = e.effective
    p = {"acceptanceMode": e.mode, "agreementLink": "https://agreements.emulator.invalid/%s.pdf" % e.name,
         "category": e.category, "effectiveDate": dz(eff),
         "expirationDate": dz(_dt.date(eff.year + 10, eff.month, eff.day)),
         "participants": [{"email": "signer@%s.example" % _acct(ctx, e.account).display.split()[0].lower(),
                           "status": "Accepted", "statusDate": dz(eff)}],
         "status": "Active"}
    if ctx.v == V24:
        p["displayName"] = e.display
        p["billingProfileInfo"] = [{"billingAccountId": aid(e.account), "billingProfileId": pid(e.account, pe.name),
                                    "billingProfileDisplayName": pe.display, "billingProfileSystemId": pe.name}
                                   for pe in ctx.world.all("profile") if pe.account == e.account]
    item["properties"] = p
    return item


def r_balance(e, ctx):
    v = ctx.v
    a = e.acct
    cur = a.currency
    if e.level == "profile":
        bid = pid(a.name, e.prof.name) + "/availableBalance/default"
        typ = "Microsoft.Billing/billingAccounts/billingProfiles/availableBalance"
    else:
        bid = aid(a.name) + "/availableBalance/default"
        typ = "Microsoft.Billing/billingAccounts/availableBalance"
    if v == V19:
        if e.level == "profile" and e.prof.name == "AAAA-1111-BP1-PRF":
            bid += "?balanceName=" + guid("balance", e.prof.name)   # recorded: a query string in an id
        return {"id": bid, "name": "default", "type": typ, "properties": {"amount": amt(cur, e.amount)}}
    if a.agreement == "MOSP":
        # recorded: a balance without id and with empty properties
        return {"name": "default", "type": typ, "properties": {}}
    pays = []
    if e.level == "account":
        for pe in ctx.world.all("profile"):
            if pe.account == a.name:
                inv = ctx.world.invoice_month_lookup.get((a.name, pe.name, (2026, 10)))
                pays.append({"amount": amt(cur, 50.0), "billingProfileId": pid(a.name, pe.name),
                             "billingProfileDisplayName": pe.display,
                             "invoiceId": aid(a.name) + "/invoices/" + inv.name, "invoiceName": inv.name,
                             "date": "2026-10-15T00:00:00.0000000Z", "paymentMethodType": "CheckWire"})
    return {"id": bid, "name": "default", "type": typ,
            "properties": {"amount": amt(cur, e.amount), "paymentsOnAccount": pays,
                           "totalPaymentsOnAccount": amt(cur, 50.0 * len(pays))}}


def r_permission(e, ctx):
    return {"actions": list(e.actions), "notActions": list(e.not_actions)}


def r_property(e, ctx):
    s = e.ent
    a = _acct(ctx, s.account)
    p = {"billingTenantId": a.tenant, "billingAccountId": aid(a.name),
         "billingAccountDisplayName": a.display}
    if s.profile:
        pe = ctx.world.profile(s.account, s.profile)
        p.update({"billingProfileId": pid(a.name, s.profile), "billingProfileDisplayName": pe.display,
                  "billingProfileStatus": "Active", "billingProfileSpendingLimit": "Off"})
    if s.section:
        p.update({"invoiceSectionId": sid(a.name, s.profile, s.section),
                  "invoiceSectionDisplayName": _sec_disp(ctx, s.section)})
    p.update({"costCenter": "CC-%03d" % (100 + s.n), "skuId": s.sku[0], "skuDescription": s.sku[1],
              "productId": "DZH318Z0BPS6", "productName": s.sku[1]})
    if ctx.v == V24:
        p.update({"billingAccountAgreementType": AGREEMENT[a.agreement], "billingAccountStatus": "Active",
                  "billingAccountType": a.account_type, "billingAccountSubType": a.sub_type,
                  "billingAccountSoldToCountry": a.address["country"], "billingCurrency": a.currency,
                  "isAccountAdmin": True, "isTransitionedBillingAccount": False,
                  "subscriptionBillingStatus": "Active", "subscriptionBillingType": "Paid",
                  "subscriptionWorkloadType": "DevTest" if s.sku[0] in ("0002", "MS-AZR-0148P") else "Production",
                  "accountAdminNotificationEmailAddress": "admin@%s.example" % a.display.split()[0].lower()})
        if s.profile:
            p["billingProfilePaymentMethodFamily"] = "CreditCard"
            p["billingProfilePaymentMethodType"] = "visa"
        if s.section:
            p["invoiceSectionStatus"] = "Active"
        if s.customer:
            p.update({"customerId": cid(a.name, s.customer, s.profile),
                      "customerDisplayName": _cust_disp(ctx, s.customer), "customerStatus": "Active"})
        if s.enrollment:
            en = ctx.world.find("enrollment", enrollment=s.enrollment)
            dept = ctx.world.find("department", department=s.department)
            p["enrollmentDetails"] = {"departmentDisplayName": dept.display, "departmentId": s.department,
                                      "enrollmentAccountStatus": "Active",
                                      "enrollmentAccountDisplayName": en.display,
                                      "enrollmentAccountId": s.enrollment}
    else:
        # properties real 2019-10-01-preview traffic carries beyond the model
        p["spendingLimitDetails"] = {"type": "None", "startDate": "2019-10-16T00:00:00Z", "status": "None"}
        p["subscriptionBillingStatus"] = "Active"
    return {"id": "/subscriptions/%s/providers/Microsoft.Billing/billingProperty/default" % s.name,
            "name": "default", "type": "Microsoft.Billing/billingProperty", "properties": p}


ROLE_DESC = {"Owner": "The Owner role gives the user all permissions including access management rights.",
             "Contributor": "The Contributor role gives the user all permissions except access management rights.",
             "Reader": "The Reader role gives the user read-only access."}


def r_roledef(e, ctx):
    sc_id, sc_type = scope_id_type(e.scope, e.level, ctx.v)
    acts = {"Owner": ["Microsoft.Billing/*"],
            "Contributor": ["Microsoft.Billing/*/read", "Microsoft.Billing/*/write"],
            "Reader": ["Microsoft.Billing/*/read"]}[e.role]
    return {"id": sc_id + "/billingRoleDefinitions/" + e.name, "name": e.name,
            "type": sc_type + "/billingRoleDefinitions",
            "properties": {"description": ROLE_DESC[e.role],
                           "permissions": [{"actions": acts, "notActions": []}],
                           "roleName": "%s %s" % (
                               {"account": "Billing account", "profile": "Billing profile",
                                "section": "Invoice section", "customer": "Customer",
                                "department": "Department", "enrollment": "Enrollment account"}[e.level],
                               e.role.lower())}}


def r_roleassign(e, ctx):
    sc_id, sc_type = scope_id_type(e.scope, e.level, ctx.v)
    acct = e.scope["account"]
    a = _acct(ctx, acct)
    created = _dt.datetime(2021, 3, 1 + e.i, 10, 20, 30, tzinfo=_dt.timezone.utc)
    p = {"createdByPrincipalTenantId": a.tenant, "createdByPrincipalId": guid("creator", acct),
         "createdByUserEmailAddress": "owner@%s.example" % a.display.split()[0].lower(),
         "principalId": e.principal, "principalTenantId": a.tenant,
         "roleDefinitionId": sc_id + "/billingRoleDefinitions/" + e.role_id, "scope": sc_id,
         "userEmailAddress": e.email, "userAuthenticationType": "Organization"}
    if ctx.v == V24:
        p.update({"createdOn": z(created), "modifiedOn": z(created), "provisioningState": "Succeeded",
                  "principalType": "User", "principalDisplayName": e.email.split("@")[0],
                  "principalTenantName": a.display, "billingAccountId": aid(acct),
                  "billingAccountDisplayName": a.display})
        if "profile" in e.scope:
            p["billingProfileId"] = pid(acct, e.scope["profile"])
            p["billingProfileDisplayName"] = _prof_disp(ctx, acct, e.scope["profile"])
        if "section" in e.scope:
            p["invoiceSectionId"] = sid(acct, e.scope["profile"], e.scope["section"])
            p["invoiceSectionDisplayName"] = _sec_disp(ctx, e.scope["section"])
        if "customer" in e.scope:
            p["customerId"] = cid(acct, e.scope["customer"], e.scope.get("profile"))
            p["customerDisplayName"] = _cust_disp(ctx, e.scope["customer"])
    else:
        p["createdOn"] = created.strftime("%Y-%m-%dT%H:%M:%S.") + "5739865Z"
        p["name"] = e.name
    return {"id": sc_id + "/billingRoleAssignments/" + e.name, "name": e.name,
            "type": sc_type + "/billingRoleAssignments", "properties": p}


def r_paymethod(e, ctx):
    """Account- or user-level payment method (2024 PaymentMethod, 2019 PaymentMethod)."""
    v = ctx.v
    if v == V19:
        # recorded: payment methods listed by billing account carry profile-level ids
        prof = e.prof
        typ = "Credits" if e.family == "Credits" else "ChequeWire"
        return {"id": pid(prof.account, prof.name) + "/paymentMethods/" + e.name, "name": e.name,
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethods",
                "properties": {"paymentMethodType": typ, "details": e.disp,
                               "expiration": e.exp or "12/2099", "currency": prof.currency,
                               "billingProfileId": pid(prof.account, prof.name),
                               "billingProfileDisplayName": prof.display}}
    if e.level == "user":
        pm_id = PFX + "/paymentMethods/" + e.name
        typ = "Microsoft.Billing/paymentMethods"
    else:
        pm_id = aid(e.acct.name) + "/paymentMethods/" + e.name
        typ = "Microsoft.Billing/billingAccounts/paymentMethods"
    p = {"id": pm_id, "accountHolderName": "Alex Doe", "displayName": e.disp, "family": e.family,
         "logos": [{"mimeType": "image/png",
                    "url": "https://logos.emulator.invalid/%s.png" % e.ptype}],
         "paymentMethodType": e.ptype, "status": "active"}
    if e.last4:
        p["lastFourDigits"] = e.last4
    if e.exp:
        p["expiration"] = e.exp
    return {"id": pm_id, "name": e.name, "type": typ, "properties": p}


def r_paylink(e, ctx):
    prof = e.prof
    if ctx.v == V19:
        return {"id": pid(prof.account, prof.name) + "/paymentMethods/" + e.name, "name": e.name,
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethods",
                "properties": {"paymentMethodType": "Credits", "details": "Visa ending 4242",
                               "expiration": "12/2027", "currency": prof.currency}}
    pm_id = aid(prof.account) + "/paymentMethods/" + e.pm
    logo = [{"mimeType": "image/png", "url": "https://logos.emulator.invalid/visa.png"}]
    return {"id": pid(prof.account, prof.name) + "/paymentMethodLinks/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethodLinks",
            "properties": {"accountHolderName": "Alex Doe", "displayName": "Visa", "expiration": "12/2027",
                           "family": "CreditCard", "lastFourDigits": "4242", "logos": logo,
                           "paymentMethod": {"id": pm_id, "accountHolderName": "Alex Doe", "displayName": "Visa",
                                             "expiration": "12/2027", "family": "CreditCard",
                                             "lastFourDigits": "4242", "logos": logo,
                                             "paymentMethodType": "visa", "status": "active"},
                           "paymentMethodId": pm_id, "paymentMethodType": "visa", "status": "active"}}


def r_policy(e, ctx):
    v = ctx.v
    ent = e.ent
    if e.level == "profile":
        p = {"marketplacePurchases": "AllAllowed", "reservationPurchases": "Allowed",
             "viewCharges": "NotAllowed" if ent.name.startswith("AAAA-2222") else "Allowed"}
        if v == V24:
            p.update({"provisioningState": "Succeeded", "invoiceSectionLabelManagement": "Allowed",
                      "savingsPlanPurchases": "Allowed",
                      "policies": [{"name": "ViewCharges", "value": p["viewCharges"],
                                    "policyType": "UserControlled", "scope": pid(ent.account, ent.name)}]})
        return {"id": pid(ent.account, ent.name) + "/policies/default", "name": "default",
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/policies", "properties": p}
    if e.level == "customer":
        p = {"viewCharges": "Allowed" if ent.name.startswith("c1") else "NotAllowed"}
        if v == V24:
            p["provisioningState"] = "Succeeded"
            p["policies"] = [{"name": "ViewCharges", "value": p["viewCharges"], "policyType": "UserControlled",
                              "scope": cid(ent.account, ent.name, ent.profile)}]
            by_prof = "profile" in ctx.cap
            return {"id": cid(ent.account, ent.name, ent.profile if by_prof else None) + "/policies/default",
                    "name": "default",
                    "type": ("Microsoft.Billing/billingAccounts/billingProfiles/customers/policies" if by_prof
                             else "Microsoft.Billing/billingAccounts/customers/policies"),
                    "properties": p}
        return {"id": cid(ent.account, ent.name) + "/policies/default", "name": "default",
                "type": "Microsoft.Billing/billingAccounts/customers/policies", "properties": p}
    if e.level == "account":
        p = {"provisioningState": "Succeeded",
             "enterpriseAgreementPolicies": {"authenticationType": "OrganizationalAccountOnly",
                                             "accountOwnerViewCharges": "Allowed",
                                             "departmentAdminViewCharges": "Allowed"},
             "marketplacePurchases": "AllAllowed", "reservationPurchases": "Allowed",
             "savingsPlanPurchases": "NotAllowed",
             "policies": [{"name": "MarketplacePurchases", "value": "AllAllowed",
                           "policyType": "UserControlled", "scope": aid(ent.name)}]}
        return {"id": aid(ent.name) + "/policies/default", "name": "default",
                "type": "Microsoft.Billing/billingAccounts/policies", "properties": p}
    # subscription
    return {"id": "/subscriptions/%s/providers/Microsoft.Billing/policies/default" % ent.name,
            "name": "default", "type": "Microsoft.Billing/policies",
            "properties": {"provisioningState": "Succeeded",
                           "policies": [{"name": "ViewCharges", "value": "Allowed",
                                         "policyType": "SystemControlled",
                                         "scope": "/subscriptions/" + ent.name}]}}


def _detail_status(e, v):
    subs = [s for s in e.d.get("subs", [])] or []
    st = {"Pending": "NotStarted", "Completed": "Completed", "InProgress": "InProgress",
          "Declined": "NotStarted"}.get(e.status, "NotStarted")
    sub_id = guid("transfer-product", e.name)
    d = {"productType": "AzureSubscription", "productId": sub_id, "transferStatus": st}
    if v == V24:
        d["productName"] = "Transferred subscription"
        d["skuDescription"] = "Microsoft Azure Plan"
    return [d]


def r_transfer(e, ctx, partner=False):
    v = ctx.v
    sc = e.scope
    exp = e.created + _dt.timedelta(days=30)
    p = {"expirationTime": z(exp), "transferStatus": e.status, "recipientEmailId": e.recipient,
         "initiatorEmailId": e.initiator, "detailedTransferStatus": _detail_status(e, v)}
    if e.status == "Declined":
        p["canceledBy"] = e.recipient
    if partner:
        tid = cid(sc["account"], sc["customer"], sc["profile"]) + "/transfers/" + e.name
        typ = "Microsoft.Billing/billingAccounts/billingProfiles/customers/transfers"
        p["initiatorCustomerType"] = "Partner"
        p["resellerId"] = "MPN1234567"
        p["resellerName"] = "Contoso Reseller"
    else:
        tid = sid(sc["account"], sc["profile"], sc["section"]) + "/transfers/" + e.name
        typ = "Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections/transfers"
    if v == V19:
        p["creationTime"] = z(e.created)
        p["lastModifiedTime"] = z(e.created + _dt.timedelta(hours=2))
        p["billingAccountId"] = aid(sc["account"])
        p["billingProfileId"] = pid(sc["account"], sc["profile"])
        if not partner:
            p["invoiceSectionId"] = sid(sc["account"], sc["profile"], sc["section"])
        return {"properties": p}          # 2019 TransferDetails carry no id/name/type
    return {"id": tid, "name": e.name, "type": typ, "properties": p}


def r_ptransfer(e, ctx):
    return r_transfer(e, ctx, partner=True)


def r_rtransfer(e, ctx):
    v = ctx.v
    exp = e.created + _dt.timedelta(days=30)
    p = {"expirationTime": z(exp), "allowedProductType": ["AzureSubscription", "AzureReservation"],
         "transferStatus": e.status, "recipientEmailId": e.recipient, "initiatorEmailId": e.initiator,
         "initiatorCustomerType": "EA" if v == V24 else "Enterprise",
         "detailedTransferStatus": _detail_status(e, v)}
    if e.status == "Declined":
        p["canceledBy"] = e.recipient
    if v == V19:
        p["creationTime"] = z(e.created)
        p["lastModifiedTime"] = z(e.created + _dt.timedelta(hours=1))
        return {"properties": p}
    p["customerTenantId"] = guid("recipient-tenant", e.name)
    p["supportedAccounts"] = ["Enterprise", "Individual"]
    return {"id": PFX + "/transfers/" + e.name, "name": e.name, "type": "Microsoft.Billing/transfers",
            "properties": p}


def r_operation(e, ctx):
    d = {"provider": "Microsoft Billing", "resource": e.res, "operation": e.op}
    if ctx.v == V24:
        d["description"] = e.op + "."
    return {"name": e.opname, "isDataAction": False, "display": d}


def r_instruction(e, ctx):
    sc = e.scope
    return {"id": pid(sc["account"], sc["profile"]) + "/instructions/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/billingProfiles/instructions",
            "properties": {"amount": e.amount, "startDate": dz(e.start), "endDate": dz(e.end),
                           "creationDate": dz(e.created)}}


def r_tenant(e, ctx):
    a = e.scope["account"]
    return {"id": aid(a) + "/associatedTenants/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/associatedTenants",
            "properties": {"provisioningState": "Succeeded", "displayName": e.display, "tenantId": e.name,
                           "billingManagementState": e.state,
                           "provisioningManagementState": "NotRequested"}}


def r_breq(e, ctx):
    sc = e.scope
    acct = sc["account"]
    a = _acct(ctx, acct)
    sc_id, _ = scope_id_type(sc, e.level, V24)
    created = _dt.datetime(2026, 9, 1, 12, 0, 0, tzinfo=_dt.timezone.utc) + _dt.timedelta(days=len(e.name) % 7)
    p = {"provisioningState": "Succeeded", "type": "RoleAssignment", "status": e.status,
         "createdBy": {"tenantId": a.tenant, "objectId": guid("req-by", e.name),
                       "upn": "requester@%s.example" % a.display.split()[0].lower()},
         "creationDate": z(created), "expirationDate": z(created + _dt.timedelta(days=60)),
         "justification": "Need access to invoices", "billingAccountId": aid(acct),
         "billingAccountName": acct, "billingAccountDisplayName": a.display,
         "billingAccountPrimaryBillingTenantId": a.tenant,
         "recipients": [{"tenantId": a.tenant, "objectId": guid("approver", acct),
                         "upn": "approver@%s.example" % a.display.split()[0].lower()}],
         "requestScope": sc_id, "billingScope": sc_id, "additionalInformation": {"RoleId": "Reader"}}
    if "profile" in sc:
        p["billingProfileId"] = pid(acct, sc["profile"])
        p["billingProfileName"] = sc["profile"]
        p["billingProfileDisplayName"] = _prof_disp(ctx, acct, sc["profile"])
    if "section" in sc:
        p["invoiceSectionId"] = sid(acct, sc["profile"], sc["section"])
        p["invoiceSectionName"] = sc["section"]
        p["invoiceSectionDisplayName"] = _sec_disp(ctx, sc["section"])
    if "customer" in sc:
        p["customerId"] = cid(acct, sc["customer"], sc.get("profile"))
        p["customerName"] = sc["customer"]
        p["customerDisplayName"] = _cust_disp(ctx, sc["customer"])
    if e.status == "Approved":
        p["reviewedBy"] = p["recipients"][0]
        p["reviewalDate"] = z(created + _dt.timedelta(days=2))
        p["lastUpdatedBy"] = p["recipients"][0]
        p["lastUpdatedDate"] = z(created + _dt.timedelta(days=2))
    return {"id": PFX + "/billingRequests/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingRequests", "properties": p}


def _res_scope(a, prof):
    return pid(a.name, prof) if prof else aid(a.name)


def r_reservation(e, ctx):
    a = e.acct
    start = e.start
    end = start.replace(year=start.year + 1)
    o = e.order
    p = {"reservedResourceType": "VirtualMachines", "instanceFlexibility": "On",
         "displayName": "VM_RI_%s_%d" % (start.strftime("%m-%d-%Y"), e.ri + 1), "appliedScopeType": "Shared",
         "archived": False, "quantity": e.qty, "provisioningState": "Succeeded",
         "effectiveDateTime": z(start), "benefitStartTime": z(start), "lastUpdatedDateTime": z(start),
         "expiryDate": end.date().isoformat(), "expiryDateTime": z(end),
         "skuDescription": "Reserved VM Instance, Standard_D2s_v3, US West 2, 1 Year", "billingPlan": "Monthly",
         "displayProvisioningState": "Succeeded", "purchaseDate": start.date().isoformat(),
         "purchaseDateTime": z(start), "billingScopeId": "/subscriptions/" + guid("ri-sub", a.name),
         "renew": e.ri == 0, "term": "P1Y", "userFriendlyAppliedScopeType": "Shared",
         "userFriendlyRenewState": "On" if e.ri == 0 else "Off", "productCode": "20000000-0000-0000-0000-000000000005",
         "utilization": {"trend": "SAME", "aggregates": [{"grain": 7.0, "grainUnit": "days", "value": 93.5,
                                                           "valueUnit": "percentage"}]}}
    return {"id": "%s/reservationOrders/%s/reservations/%s" % (aid(a.name), o.name, e.name), "name": e.name,
            "type": "Microsoft.Capacity/reservationOrders/reservations", "location": "westus2", "etag": 3,
            "sku": {"name": "Standard_D2s_v3"}, "properties": p}


def r_resorder(e, ctx):
    a = e.acct
    start = e.start
    end = start.replace(year=start.year + 1)
    p = {"displayName": "VM_RI_order_%d" % e.n, "billingAccountId": aid(a.name),
         "requestDateTime": z(start), "createdDateTime": z(start), "expiryDate": end.date().isoformat(),
         "expiryDateTime": z(end), "benefitStartTime": z(start), "originalQuantity": e.n, "term": "P1Y",
         "provisioningState": "Succeeded", "billingPlan": "Monthly", "productCode": "20000000-0000-0000-0000-000000000005",
         "reservations": [{"id": "%s/reservationOrders/%s/reservations/%s" % (aid(a.name), e.name, r.name)}
                          for r in ctx.world.all("reservation") if r.order is e]}
    if e.prof:
        p["billingProfileId"] = pid(a.name, e.prof)
    if a.agreement == "EA":
        p["enrollmentId"] = a.name
    return {"id": "%s/reservationOrders/%s" % (aid(a.name), e.name), "name": e.name,
            "type": "Microsoft.Capacity/reservationOrders", "etag": 2, "properties": p}


def r_splan(e, ctx):
    a = e.acct
    start = e.start
    end = start.replace(year=start.year + 3)
    p = {"displayName": "Compute_SavingsPlan_%s" % start.strftime("%m-%d-%Y"), "provisioningState": "Succeeded",
         "displayProvisioningState": "Succeeded", "userFriendlyAppliedScopeType": "Shared",
         "billingScopeId": "/subscriptions/" + guid("sp-sub", a.name), "billingAccountId": aid(a.name),
         "term": "P3Y", "renew": False, "billingPlan": "P1M", "appliedScopeType": "Shared",
         "commitment": {"currencyCode": "USD", "amount": 1.5, "grain": "Hourly"},
         "effectiveDateTime": z(start), "benefitStartTime": z(start), "expiryDateTime": z(end),
         "purchaseDateTime": z(start), "productCode": "20000000-0000-0000-0000-000000000010",
         "utilization": {"trend": "UP", "aggregates": [{"grain": 30.0, "grainUnit": "days", "value": 88.0,
                                                         "valueUnit": "percentage"}]}}
    return {"id": "%s/savingsPlanOrders/%s/savingsPlans/%s" % (aid(a.name), e.order.name, e.name), "name": e.name,
            "type": "Microsoft.BillingBenefits/savingsPlanOrders/savingsPlans", "sku": {"name": "Compute_Savings_Plan"},
            "properties": p}


def r_sporder(e, ctx):
    a = e.acct
    start = e.start
    end = start.replace(year=start.year + 3)
    p = {"displayName": "Compute_SavingsPlan_order", "provisioningState": "Succeeded",
         "billingScopeId": "/subscriptions/" + guid("sp-sub", a.name), "billingAccountId": aid(a.name),
         "term": "P3Y", "billingPlan": "P1M", "benefitStartTime": z(start), "expiryDateTime": z(end),
         "productCode": "20000000-0000-0000-0000-000000000010",
         "savingsPlans": ["%s/savingsPlanOrders/%s/savingsPlans/%s" % (aid(a.name), e.name, s.name)
                          for s in ctx.world.all("splan") if s.order is e]}
    return {"id": "%s/savingsPlanOrders/%s" % (aid(a.name), e.name), "name": e.name,
            "type": "Microsoft.BillingBenefits/savingsPlanOrders", "sku": {"name": "Compute_Savings_Plan"},
            "properties": p}


def r_alias(e, ctx):
    s = e.sub
    a = s.account
    return {"id": aid(a) + "/billingSubscriptionAliases/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/billingSubscriptionAliases",
            "properties": {"billingSubscriptionId": aid(a) + "/billingSubscriptions/" + s.name,
                           "displayName": s.display, "subscriptionId": s.name, "status": "Active",
                           "autoRenew": "On", "billingFrequency": "P1M", "provisioningState": "Succeeded",
                           "billingProfileId": pid(a, s.profile), "billingProfileName": s.profile,
                           "billingProfileDisplayName": _prof_disp(ctx, a, s.profile),
                           "invoiceSectionId": sid(a, s.profile, s.section), "invoiceSectionName": s.section,
                           "invoiceSectionDisplayName": _sec_disp(ctx, s.section),
                           "skuId": s.sku[0], "skuDescription": s.sku[1], "quantity": 1,
                           "productCategory": "SeatBased", "productType": "Seat-Based Product",
                           "productTypeId": "DZH318Z0BPVW", "termDuration": "P1M",
                           "resourceUri": "/subscriptions/" + s.name}}


def r_detach(pe, ctx):
    if pe.name == "AAAA-1111-BP1-PRF":
        return {"isEligible": False,
                "errorDetails": [{"code": "AzureSubscriptions",
                                  "message": "There are active Azure subscriptions billed to this profile."},
                                 {"code": "OutstandingCharges",
                                  "message": "There are outstanding charges on this billing profile."}]}
    return {"isEligible": True, "errorDetails": []}


def r_createsub(se, ctx):
    pe = ctx.world.profile(se.account, se.profile)
    item = {"invoiceSectionId": sid(se.account, se.profile, se.name), "invoiceSectionDisplayName": se.display,
            "billingProfileId": pid(se.account, se.profile), "billingProfileDisplayName": pe.display,
            "billingProfileStatus": "Active", "billingProfileSpendingLimit": "Off",
            "enabledAzurePlans": AZURE_PLANS_24 if ctx.v == V24 else AZURE_PLANS_19}
    if ctx.v == V24:
        item["invoiceSectionSystemId"] = se.name
        item["billingProfileSystemId"] = pe.name
    return item


RENDER = {
    "account": r_account, "profile": r_profile, "section": r_section, "customer": r_customer,
    "department": r_department, "enrollment": r_enrollment, "subscription": r_subscription,
    "product": r_product, "invoice": r_invoice, "tx": r_tx, "agreement": r_agreement,
    "balance": r_balance, "permission": r_permission, "property": r_property, "roledef": r_roledef,
    "roleassign": r_roleassign, "paymethod": r_paymethod, "paylink": r_paylink, "policy": r_policy,
    "transfer": r_transfer, "ptransfer": r_ptransfer, "rtransfer": r_rtransfer, "operation": r_operation,
    "instruction": r_instruction, "tenant": r_tenant, "breq": r_breq, "reservation": r_reservation,
    "resorder": r_resorder, "splan": r_splan, "sporder": r_sporder, "alias": r_alias,
}
