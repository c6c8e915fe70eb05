"""Item shapes of the billing hierarchy: accounts, profiles, sections, customers, departments, enrollment accounts, subscriptions, products."""

import datetime as _dt

from emu_data import AGREEMENT
from emu_render_base import AZURE_PLANS_19, AZURE_PLANS_24, V19, V24, _acct, _address, _prof_disp, aid, amt, cid, did, dz, eid, pid, sid, us_date, with_props, prof_props, sec_props, cust_props


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
    return with_props(item, p)


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
    return with_props(item, p)


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
            prof_props(p, ctx, a, e.profile, names=True)
        if e.section:
            sec_props(p, ctx, a, e.profile, e.section, names=True)
        if e.customer:
            cust_props(p, ctx, a, e.customer, e.profile, names=True)
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
        prof_props(p, ctx, a, e.profile)
    if e.section:
        sec_props(p, ctx, a, e.profile, e.section)
    if e.customer:
        cust_props(p, ctx, a, e.customer)
        p["reseller"] = {"resellerId": "MPN1234567", "description": "Contoso Reseller"}
    return with_props(item, p)


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
        sec_props(p, ctx, a, e.profile, e.section)
    if e.customer:
        cust_props(p, ctx, a, e.customer, e.profile if v == V24 else None)
        p["reseller"] = {"resellerId": "MPN1234567", "description": "Contoso Reseller"}
    return with_props(item, p)


# -- invoices ---------------------------------------------------------------
