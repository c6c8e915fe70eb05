"""Item shapes of policies, transfers, operations, tenants, billing requests, reservations, savings plans and subscription aliases."""

import datetime as _dt

from emu_data import PFX, guid
from emu_render_base import AZURE_PLANS_19, AZURE_PLANS_24, V19, V24, _acct, _prof_disp, _sec_disp, aid, cid, dz, pid, scope_id_type, sid, z, prof_props, sec_props, cust_props


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
        prof_props(p, ctx, acct, sc["profile"], names=True)
    if "section" in sc:
        sec_props(p, ctx, acct, sc["profile"], sc["section"], names=True)
    if "customer" in sc:
        cust_props(p, ctx, acct, sc["customer"], sc.get("profile"), names=True)
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
