#!/usr/bin/env python3
"""Generate src/catalog_ops.c, the operation (write) catalogue, from Microsoft's
OpenAPI files for Microsoft.Billing.

usage: tools/gen_ops_catalog.py SPEC_DIR > src/catalog_ops.c

SPEC_DIR has the layout of ../shared/azure-billing-spec (2024-04-01/*.json,
2019-10-01-preview/billing.json, common-types/).  Only facts reach the
generated C: operation ids, methods, path templates, parameter names, model
names and property names.  The build and the tests use the committed output.

Every operation of both api-versions is recorded (GETs too: azbilling_call
runs any operation by id), with:
- method, path template, path parameters in template order;
- query parameters as the spec declares them (never api-version), required
  or not, and their JSON type;
- the body parameter, its model, whether it is required, the body
  model's read-only properties at every depth by full dotted path (through
  $ref, allOf, nested objects and array items "key[]"; a model met again
  on its own path is not walked twice), its required properties (top level
  and under the `properties` envelope), its writable key tree (walk_model),
  and whether the model is the one the operation answers with (a PUT that
  sends the item back, not a request of its own);
- long-running or not, and x-ms-long-running-operation-options'
  final-state-via;
- whether it changes anything (MUTATING_RULE below);
- the table (catalogue resource) of its operation group, as gen_catalog.py
  names tables.

MUTATING_RULE: GET never changes anything; PUT, PATCH and DELETE always do.
A POST changes nothing when its action name (the part of the operation id
after "_") starts with Validate, Check, List, Resolve or Get, or contains
Download (a download only prepares a document), or when it is in
READ_ONLY_POSTS; every other POST changes something.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_catalog import GROUP_TABLE  # noqa: E402  (one naming of tables)
from spec_refs import SpecDocs  # noqa: E402

VERSIONS = ("2024-04-01", "2019-10-01-preview")
METHODS = ("get", "put", "patch", "post", "delete")
READ_ONLY_PREFIXES = ("Validate", "Check", "List", "Resolve", "Get")
# POSTs that read although their names do not say so
READ_ONLY_POSTS = {
    "BillingAccounts_ConfirmTransition",    # "Gets the transition details ..."
}
# groups that only writes touch, named as check.py / writes_lib.py do
EXTRA_GROUPS = {
    "RoleAssignments": "billing_role_assignments",
    "EnrollmentAccountRoleAssignments": "billing_role_assignments",
    "EnrollmentDepartmentRoleAssignments": "billing_role_assignments",
}


class Spec(SpecDocs):
    def model_name(self, node):
        if isinstance(node, dict) and "$ref" in node:
            return node["$ref"].rsplit("/", 1)[-1]
        if isinstance(node, dict) and node.get("type") == "array":
            return "[" + (self.model_name(node.get("items") or {}) or "") + "]"
        if isinstance(node, dict) and node.get("type"):
            return node["type"]
        return None

    def view(self, node, base, depth=0):
        """{type, props: {k: (node, base)}, required, readOnly, addl, items}
        with $ref followed and allOf merged."""
        v = {"type": None, "props": {}, "required": set(), "readOnly": False,
             "addl": None, "items": None, "refs": set()}
        self._merge(v, node, base, depth)
        return v

    def _merge(self, v, node, base, depth):
        if not isinstance(node, dict) or depth > 30:
            return
        if node.get("readOnly") is True:
            v["readOnly"] = True
        if "$ref" in node:
            target, tbase = self.resolve(node, base)
            v["refs"].add((id(target), tbase))
            self._merge(v, target, tbase, depth + 1)
        for sub in node.get("allOf") or []:
            self._merge(v, sub, base, depth + 1)
        if node.get("type"):
            v["type"] = node["type"]
        for k, p in (node.get("properties") or {}).items():
            v["props"][k] = (p, base)
        v["required"] |= set(node.get("required") or [])
        if "additionalProperties" in node:
            v["addl"] = node["additionalProperties"]
        if "items" in node:
            v["items"] = (node["items"], base)


MAX_DEPTH = 12


def walk_model(spec, node, base, prefix, ro, keys, seen=frozenset(), depth=0):
    """Every read-only property of a model by its full dotted path (an
    array's items as "path[]"), and the model's writable key tree: "path"
    for a value kept whole, "path." for an object whose keys the model
    knows (each listed under it), "path.*" where it also takes keys of its
    own choosing (additionalProperties).  The root's keys have no prefix.
    A model met again on its own path (a recursive model) is kept whole."""
    v = spec.view(node, base)
    if depth > MAX_DEPTH or (v["refs"] & seen):
        keys.append(prefix)
        return
    seen = seen | v["refs"]
    if v["props"] or (v["addl"] is not None and v["addl"] is not False and
                      (v["type"] in (None, "object"))):
        if v["props"]:
            keys.append(prefix + ".")
            for k, (pn, pb) in v["props"].items():
                path = prefix + "." + k if prefix else k
                if spec.view(pn, pb)["readOnly"]:
                    ro.append(path)
                else:
                    walk_model(spec, pn, pb, path, ro, keys, seen, depth + 1)
            if v["addl"] is not None and v["addl"] is not False:
                keys.append((prefix + "." if prefix else "") + "*")
        else:
            keys.append(prefix)     # a map of the user's keys: kept whole
        return
    if v["type"] == "array" and v["items"] is not None:
        inner_ro, inner_keys = [], []
        walk_model(spec, v["items"][0], v["items"][1], prefix + "[]", inner_ro, inner_keys,
                   seen, depth + 1)
        if inner_ro or any(k != prefix + "[]" for k in inner_keys):
            ro.extend(inner_ro)
            keys.extend(inner_keys)
            return
    keys.append(prefix)


def body_facts(spec, schema, base):
    """(kind, read-only paths, required paths, writable key tree) of a body schema."""
    v = spec.view(schema, base)
    t = v["type"] or ("object" if v["props"] else None)
    kind = {"object": "AZB_BODY_OBJECT", "array": "AZB_BODY_ARRAY",
            "string": "AZB_BODY_STRING"}.get(t, "AZB_BODY_OTHER")
    ro, req, keys = [], [], []
    if kind != "AZB_BODY_OBJECT":
        return kind, ro, req, keys
    walk_model(spec, schema, base, "", ro, keys)
    keys = [k for k in keys if k not in ("", ".")]
    pv = spec.view(*v["props"]["properties"]) if "properties" in v["props"] else None
    if pv and pv["props"] and not pv["readOnly"]:
        req = sorted("properties." + r for r in pv["required"])
    req = sorted(v["required"]) + req
    return kind, ro, req, keys


def response_model(spec, node):
    """The model name of a 200 or 201 answer, or None."""
    for status in ("200", "201"):
        r = (node.get("responses") or {}).get(status)
        if isinstance(r, dict) and r.get("schema"):
            return spec.model_name(r["schema"])
    return None


def mutating(method, op_id):
    if method == "GET":
        return False
    if method != "POST":
        return True
    action = op_id.split("_", 1)[1] if "_" in op_id else op_id
    if op_id in READ_ONLY_POSTS or action.startswith(READ_ONLY_PREFIXES) or "Download" in action:
        return False
    return True


def collect(root):
    spec = Spec(root)
    ops = []
    for vi, version in enumerate(VERSIONS):
        folder = os.path.join(spec.root, version)
        for fname in sorted(os.listdir(folder)):
            if not fname.endswith(".json"):
                continue
            path = os.path.join(folder, fname)
            doc = spec.load(path)
            for template, item in (doc.get("paths") or {}).items():
                for m in METHODS:
                    node = item.get(m)
                    if not isinstance(node, dict):
                        continue
                    ops.append(operation(spec, vi, version, path, template, m.upper(), node, item))
    ops.sort(key=lambda o: (o["version"], o["id"]))
    return ops


def operation(spec, vi, version, path, template, method, node, item):
    op_id = node["operationId"]
    group = op_id.split("_")[0]
    o = {"id": op_id, "version": vi, "method": method, "path": template,
         "table": GROUP_TABLE.get(group) or EXTRA_GROUPS.get(group),
         "path_params": re.findall(r"\{([^}]+)\}", template), "query": [],
         "body": None, "model": None, "body_required": False, "kind": "AZB_BODY_NONE",
         "readonly": [], "required": [], "keys": [],
         "answers_item": False,
         "lro": bool(node.get("x-ms-long-running-operation")),
         "fsv": (node.get("x-ms-long-running-operation-options") or {}).get("final-state-via") or "",
         "mutating": mutating(method, op_id)}
    for p in (item.get("parameters") or []) + (node.get("parameters") or []):
        pn, pb = spec.resolve(p, path)
        where, name = pn.get("in"), pn.get("name")
        if where == "query" and name != "api-version":
            o["query"].append((name, bool(pn.get("required")), pn.get("type") or "string"))
        elif where == "body":
            schema = pn.get("schema") or {}
            o["body"] = name
            o["body_required"] = bool(pn.get("required"))
            o["model"] = spec.model_name(schema)
            o["kind"], o["readonly"], o["required"], o["keys"] = body_facts(spec, schema, pb)
    o["answers_item"] = o["model"] is not None and o["model"] == response_model(spec, node)
    return o


FSV = {"": "AZB_FINAL_DEFAULT", "location": "AZB_FINAL_LOCATION",
       "azure-async-operation": "AZB_FINAL_ASYNC", "original-uri": "AZB_FINAL_ORIGINAL_URI"}
QTYPE = {"string": "AZB_PARAM_STRING", "boolean": "AZB_PARAM_BOOL", "integer": "AZB_PARAM_INT",
         "number": "AZB_PARAM_NUMBER", "array": "AZB_PARAM_ARRAY"}


def cstr(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def strlist(name, items):
    if not items:
        return None
    return "static const char *const %s[] = {%s};" % (name, ", ".join(cstr(x) for x in items))


def emit(ops):
    out = ["/*",
           " * catalog_ops.c",
           " *\t  The operation catalogue: every operation of both api-versions.",
           " *",
           " * GENERATED by tools/gen_ops_catalog.py from Microsoft's OpenAPI files for",
           " * Microsoft.Billing; do not edit by hand.  Sorted by api-version, then",
           " * operation id.",
           " */",
           '#include "catalog_ops.h"', ""]
    for i, o in enumerate(ops):
        for what, items in (("path", o["path_params"]), ("ro", o["readonly"]), ("req", o["required"]),
                            ("keys", o["keys"])):
            line = strlist("op%d_%s" % (i, what), items)
            if line:
                out.append(line)
        if o["query"]:
            out.append("static const AzbOpParamDef op%d_query[] = {%s};" % (i, ", ".join(
                "{%s, %s, %s}" % (cstr(n), "true" if r else "false", QTYPE.get(t, "AZB_PARAM_STRING"))
                for n, r, t in o["query"])))
    out.append("")
    out.append("const AzbOperationDef azb_operations[] = {")
    for i, o in enumerate(ops):
        def arr(what, items):
            return ("%d, op%d_%s" % (len(items), i, what)) if items else "0, NULL"
        out.append("\t{%s, %d, %s, %s, %s," % (cstr(o["id"]), o["version"], cstr(o["method"]),
                                              cstr(o["path"]), cstr(o["table"])))
        out.append("\t\t%s, %s," % (arr("path", o["path_params"]), arr("query", o["query"])))
        out.append("\t\t%s, %s, %s, %s," % (cstr(o["body"]), cstr(o["model"]), o["kind"],
                                           "true" if o["body_required"] else "false"))
        out.append("\t\t%s, %s, %s, %s," % (arr("ro", o["readonly"]), arr("req", o["required"]),
                                           arr("keys", o["keys"]), "true" if o["answers_item"] else "false"))
        out.append("\t%s, %s, %s}," % ("true" if o["lro"] else "false", FSV[o["fsv"]],
                                       "true" if o["mutating"] else "false"))
    out.append("};")
    out.append("")
    out.append("const int\tazb_noperations = lengthof(azb_operations);")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ops = collect(sys.argv[1])
    for version in range(len(VERSIONS)):
        mine = [o for o in ops if o["version"] == version]
        sys.stderr.write("%s: %d operations, %d non-GET, %d mutating, %d long-running\n" % (
            VERSIONS[version], len(mine), sum(o["method"] != "GET" for o in mine),
            sum(o["mutating"] for o in mine), sum(o["lro"] for o in mine)))
    sys.stdout.write(emit(ops))


if __name__ == "__main__":
    main()
