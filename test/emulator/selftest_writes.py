"""Self-test cases for the emulator's writes (emu_writes.py), run by
selftest.py: the store that writes change, the long-running modes, the
write faults and the body log."""
import json
import urllib.parse

V24 = "2024-04-01"
B = "/providers/Microsoft.Billing"
MCA1 = "11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31"
SEC = B + "/billingAccounts/" + urllib.parse.quote(MCA1, safe="") + \
    "/billingProfiles/AAAA-1111-BP1-PRF/invoiceSections/AAAA-1111-IS1-SEC"
TOK = {"Authorization": "Bearer emu-static-token"}
T1 = "aaaa7777000040008000000000000001"


def run(e, check):
    base = e.env["AZB_EMULATOR_URL"]

    def call(method, path, body=None, url=None):
        u = url or base + path + ("&" if "?" in path else "?") + "api-version=" + V24
        st, h, data = e.request(u, method, TOK, body if body is not None else (b"" if method != "GET" else None))
        try:
            obj = json.loads(data) if data else None
        except ValueError:
            obj = None
        return st, h, obj

    def statuses():
        st, h, obj = call("GET", SEC + "/transfers")
        return {i["name"]: i["properties"].get("transferStatus") for i in obj["value"]} if st == 200 else {}

    e.admin("/_admin/reset", "POST")
    # a synchronous create and an action, seen by later GETs
    st, h, obj = call("PUT", SEC + "/transfers/newone", {"properties": {"recipientEmailId": "x@y.example"}})
    check("writes: PUT creates (201) with provisioningState", st == 201 and
          obj["properties"]["provisioningState"] == "Succeeded", (st, obj))
    check("writes: the created item is listed", statuses().get("newone") == "Pending", statuses())
    st, h, obj = call("GET", SEC + "/transfers/newone")
    check("writes: the created item is read", st == 200 and obj["name"] == "newone", (st, obj))
    st, h, obj = call("POST", SEC + "/transfers/%s/cancel" % T1)
    check("writes: cancel answers the item", st == 200 and obj["properties"]["transferStatus"] == "Canceled", obj)
    check("writes: the list shows the cancel", statuses().get(T1) == "Canceled", statuses())
    st, log = e.admin("/_admin/writes/log")
    check("writes: bodies logged", len(log) == 2 and log[0]["body"] == {"properties": {"recipientEmailId": "x@y.example"}}
          and log[1]["operation"] == "Transfers_Cancel", log)
    # a long-running move: 202 + Location, one 202 poll, then the item
    e.admin("/_admin/reset", "POST")
    e.admin("/_admin/writes", "POST", {"operation": "Transfers_Cancel", "mode": "location", "polls": 1})
    st, h, obj = call("POST", SEC + "/transfers/%s/cancel" % T1)
    loc = h.get("Location", "")
    check("writes: location mode answers 202 + Location", st == 202 and loc.startswith(base) and
          "/operationResults/w-" in loc, (st, dict(h)))
    st1, _, _ = call("GET", None, url=loc)
    st2, _, obj2 = call("GET", None, url=loc)
    check("writes: one 202 poll, then the final body", st1 == 202 and st2 == 200 and
          obj2["properties"]["transferStatus"] == "Canceled", (st1, st2, obj2))
    # async with a Failed end: nothing changes
    e.admin("/_admin/reset", "POST")
    e.admin("/_admin/writes", "POST", {"operation": "Transfers_Cancel", "mode": "async", "final": "Failed",
                                       "polls": 1})
    st, h, obj = call("POST", SEC + "/transfers/%s/cancel" % T1)
    ao = h.get("Azure-AsyncOperation", "")
    check("writes: async mode answers 202 + Azure-AsyncOperation", st == 202 and "/operationStatuses/" in ao,
          dict(h))
    _, _, s1 = call("GET", None, url=ao)
    _, _, s2 = call("GET", None, url=ao)
    check("writes: status InProgress, then Failed with an error", s1 == {"status": "InProgress"} and
          s2.get("status") == "Failed" and s2["error"]["code"] == "OperationFailed", (s1, s2))
    check("writes: a failed operation changes nothing", statuses().get(T1) == "Pending", statuses())
    # relative, other api-version, foreign host
    for mode, test in (("relative", lambda l: l.startswith(B)),
                       ("other_version", lambda l: "api-version=2020-12-15-privatepreview" in l),
                       ("foreign", lambda l: l.startswith(e.env["AZB_EMULATOR_OTHER_URL"]))):
        e.admin("/_admin/writes", "POST", {"operation": "Transfers_Cancel", "mode": mode})
        st, h, _ = call("POST", SEC + "/transfers/%s/cancel" % T1)
        check("writes: %s Location" % mode, st == 202 and test(h.get("Location", "")), dict(h))
    # provisioningState polled by GET of the item
    e.admin("/_admin/reset", "POST")
    e.admin("/_admin/writes", "POST", {"operation": "Transfers_Initiate", "mode": "provisioning", "polls": 1})
    st, h, obj = call("PUT", SEC + "/transfers/prov", {"properties": {}})
    g1 = call("GET", SEC + "/transfers/prov")[2]
    g2 = call("GET", SEC + "/transfers/prov")[2]
    check("writes: provisioning, then Succeeded", obj["properties"]["provisioningState"] == "Provisioning" and
          g1["properties"]["provisioningState"] == "Provisioning" and
          g2["properties"]["provisioningState"] == "Succeeded", (obj, g1, g2))
    # apply_then_500: the write lands, the answer is a 500
    e.admin("/_admin/reset", "POST")
    e.admin("/_admin/faults", "POST", {"faults": [{"fault": "apply_then_500", "method": "POST",
                                                   "match": "/cancel"}]})
    st, h, obj = call("POST", SEC + "/transfers/%s/cancel" % T1)
    check("writes: apply_then_500 answers 500 but applies", st == 500 and statuses().get(T1) == "Canceled",
          (st, statuses()))
    # apply_then_reset: the write lands, the connection is reset without an answer
    e.admin("/_admin/reset", "POST")
    e.admin("/_admin/faults", "POST", {"faults": [{"fault": "apply_then_reset", "method": "POST",
                                                   "match": "/cancel"}]})
    try:
        e.request(base + SEC + "/transfers/%s/cancel?api-version=%s" % (T1, V24), "POST", TOK, b"", fresh=True)
        answered = True
    except Exception:
        answered = False
    check("writes: apply_then_reset answers nothing but applies", not answered and
          statuses().get(T1) == "Canceled", (answered, statuses()))
    # DELETE, then the item is gone
    st, _, _ = call("DELETE", SEC + "/transfers/%s/cancel" % T1)
    check("writes: an unknown write route is 404", st == 404, st)
    e.admin("/_admin/reset", "POST")
    st, _, _ = call("PUT", SEC.rsplit("/invoiceSections", 1)[0] + "/invoiceSections/NEW-SEC",
                    {"properties": {"displayName": "New"}})
    st2, _, _ = call("DELETE", SEC.rsplit("/invoiceSections", 1)[0] + "/invoiceSections/NEW-SEC")
    st3, _, _ = call("GET", SEC.rsplit("/invoiceSections", 1)[0] + "/invoiceSections/NEW-SEC")
    check("writes: PUT, DELETE (200), then GET 404", (st, st2, st3) == (201, 200, 404), (st, st2, st3))
    # a seeded data set: listed with the collection, deletable, gone at reset
    e.admin("/_admin/reset", "POST")
    coll = SEC.rsplit("/", 1)[0]
    st, seeded = e.admin("/_admin/writes/seed", "POST", {"collection": coll, "count": 101, "prefix": "BULK"})
    listed = call("GET", coll)[2]
    bulk = [i["name"] for i in listed["value"] if i["name"].startswith("BULK-")]
    check("writes: seed lists 101 items", st == 200 and len(bulk) == 101 and bulk[0] == "BULK-001", (st, bulk[:3]))
    st2, _, _ = call("DELETE", coll + "/BULK-101")
    check("writes: a seeded item deletes (200)", st2 == 200, st2)
    e.admin("/_admin/reset", "POST")
    listed = call("GET", coll)[2]
    check("writes: reset drops the seeded items",
          not [i for i in listed["value"] if i["name"].startswith("BULK-")], listed)
    st, _ = e.admin("/_admin/writes/store")
    check("writes: reset empties the store", st == 200, st)
