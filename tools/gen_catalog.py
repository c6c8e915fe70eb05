#!/usr/bin/env python3
"""Generate src/catalog_data.c from Microsoft's OpenAPI files for Microsoft.Billing.

usage: tools/gen_catalog.py SPEC_DIR > src/catalog_data.c

SPEC_DIR is a copy of the Billing specs laid out as
    SPEC_DIR/2019-10-01-preview/billing.json
    SPEC_DIR/2024-04-01/*.json
    SPEC_DIR/common-types/resource-management/v5/types.json
(the layout of ../shared/azure-billing-spec).  The specs are read, never
copied: only facts (paths, parameters, property names and types, the agreement
types named in each operation's description) end up in the generated C.  The
build and the tests use the committed output and never need SPEC_DIR.

Rules (DESIGN.md section 1):
- one resource (table) per operation group, named in plural snake_case;
- every GET route of the group in each api-version, most specific first;
- path parameters bind scope columns by snake_case (billingSubscriptionName is
  subscription_id); the last parameter of a route ending in a parameter is the
  item's name (a point lookup); a path parameter whose spec allows a single
  value is written into the path (the route is a singleton);
- columns: id, name, type, the scope columns, one per property (Amount objects
  split into <name> and <name>_currency), billed_status where the route takes
  `type`, and raw.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spec_refs import SpecDocs  # noqa: E402

VERSIONS = ("2024-04-01", "2019-10-01-preview")

# the curation: facts the specs do not state (table names, docs, date columns, ...)
CURATION_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog_curation.json")
with open(CURATION_FILE) as _f:
    CURATION = json.load(_f)
GROUP_TABLE = CURATION["group_table"]
SKIP_OPS = set(CURATION["skip_operations"])
TABLE_DOC = CURATION["table_doc"]
DATE_COLUMN = CURATION["date_column"]
SCOPE_PARAM = CURATION["scope_param"]
REQUEST_COLUMN = CURATION["request_column"]
AGREEMENT_SOURCES = CURATION["agreement_sources"]
QUERY_KINDS = CURATION["query_kinds"]
FILTER_VERSIONS = set(CURATION["filter_versions"])
QUERY_FIELDS = ("date_start", "date_end", "type", "filter", "top", "orderby")
ENVELOPE = {"id", "name", "type", "raw"}

AGREEMENTS = tuple(tuple(a) for a in CURATION["agreements"])


def snake(s):
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", s)
    s = re.sub(r"(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1", s)
    return s.lower()


def param_column(p):
    return SCOPE_PARAM.get(p, snake(p))


class Specs(SpecDocs):
    """The swagger files of one api-version."""

    def __init__(self, root, version):
        super().__init__(root)
        self.folder = os.path.join(root, version)

    def files(self):
        return sorted(os.path.join(self.folder, f) for f in os.listdir(self.folder)
                      if f.endswith(".json") and f != "types.json")

    def merged_properties(self, node, where):
        """The properties of a schema, allOf parents included, in order."""
        node, where = self.resolve(node, where)
        out = []
        for parent in node.get("allOf", []):
            out.extend(self.merged_properties(parent, where))
        for k, v in node.get("properties", {}).items():
            out.append((k, v, where))
        return out


def is_amount(spec, node, where):
    node, where = spec.resolve(node, where)
    if len(node.get("allOf", [])) == 1 and not node.get("properties"):
        return is_amount(spec, node["allOf"][0], where)
    props = node.get("properties", {})
    return set(props) == {"currency", "value"}


def sql_type(spec, node, where):
    """DESIGN.md typing rules; 'amount' for an Amount object."""
    if is_amount(spec, node, where):
        return "amount"
    node, where = spec.resolve(node, where)
    if "type" not in node and len(node.get("allOf", [])) == 1 and not node.get("properties"):
        return sql_type(spec, node["allOf"][0], where)
    t = node.get("type")
    fmt = node.get("format")
    if t == "string":
        if fmt == "date-time":
            return "timestamptz"
        if fmt == "date":
            return "date"
        return "text"
    if t == "boolean":
        return "boolean"
    if t == "integer":
        return "bigint"
    if t == "number":
        return "numeric"
    return "jsonb"


def agreements_of(description):
    d = description or ""
    if "all billing account types" in d:
        return []
    found = [code for code, words in AGREEMENTS if words in d]
    if re.search(r"not supported for billing accounts with agreement type", d):
        found = [code for code, _ in AGREEMENTS if code not in found]
    return found


def first_sentence(text):
    text = " ".join((text or "").split())
    m = re.match(r"(.+?\.)(\s|$)", text)
    return (m.group(1) if m else text)[:200]


def fixed_path_values(spec, op, item, where, template):
    """The template with each path parameter whose spec allows one value only
    (policyName: enum ["default"]) written in: the route is then the
    singleton it is, chosen by its scope columns like its siblings."""
    for p in (item.get("parameters") or []) + op.get("parameters", []):
        p, _ = spec.resolve(p, where)
        if p.get("in") == "path" and len(p.get("enum") or []) == 1:
            template = template.replace("{%s}" % p["name"], str(p["enum"][0]))
    return template


def query_params(spec, op, where):
    out = {}
    for p in op.get("parameters", []):
        p, _ = spec.resolve(p, where)
        if p.get("in") == "query":
            out[p["name"]] = p
    return out


ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
                 r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$")
US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
                r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$")


def valid_datetime(v):
    """Whether timeparse.c would accept v (ISO 8601 or US M/D/YYYY)."""
    import datetime
    if not isinstance(v, str):
        return False
    m = ISO.match(v.strip())
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = US.match(v.strip())
        if not m:
            return False
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        datetime.date(y, mo, d)
    except ValueError:
        return False
    return True


def fits(value, typ):
    if value is None:
        return True
    if typ in ("timestamptz", "date"):
        return valid_datetime(value)
    if typ == "numeric":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == "bigint":
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == "boolean":
        return isinstance(value, bool)
    return True


def example_items(spec, op, path):
    """The items of an operation's example answers."""
    out = []
    for ref in op.get("x-ms-examples", {}).values():
        try:
            ex = spec.load(os.path.join(os.path.dirname(path), ref["$ref"]))
        except (OSError, ValueError):
            continue
        body = ex.get("responses", {}).get("200", {}).get("body")
        if isinstance(body, list):
            out.extend(i for i in body if isinstance(i, dict))
        elif isinstance(body, dict):
            if isinstance(body.get("value"), list):
                out.extend(i for i in body["value"] if isinstance(i, dict))
            else:
                out.append(body)
    return out


def collect(root, version):
    spec = Specs(root, version)
    tables = {}
    for path in spec.files():
        doc = spec.load(path)
        for template, ops in doc.get("paths", {}).items():
            op = ops.get("get")
            if not op or op["operationId"] in SKIP_OPS:
                continue
            group = op["operationId"].split("_")[0]
            table = GROUP_TABLE.get(group)
            if table is None:
                print("warning: no table for %s" % op["operationId"], file=sys.stderr)
                continue
            template = fixed_path_values(spec, op, ops, path, template)
            names = re.findall(r"\{([^}]+)\}", template)
            point = template.endswith("}")
            params = [("name" if point and i == len(names) - 1 else param_column(n))
                      for i, n in enumerate(names)]
            q = query_params(spec, op, path)
            resp, rwhere = spec.resolve(op["responses"]["200"]["schema"], path)
            props = dict((k, (v, w)) for k, v, w in spec.merged_properties(resp, rwhere))
            listed = "value" in props and \
                spec.resolve(props["value"][0], props["value"][1])[0].get("type") == "array"
            if listed:
                arr, awhere = spec.resolve(props["value"][0], props["value"][1])
                item, iwhere = arr["items"], awhere
            else:
                item, iwhere = resp, rwhere
            flags = []
            if point:
                flags.append("AZB_ROUTE_POINT")
            if not listed:
                flags.append("AZB_ROUTE_SINGLE")
            query = {}
            for qname in q:
                kind = QUERY_KINDS.get(qname)
                if kind == "filter" and version not in FILTER_VERSIONS:
                    continue        # 2019 $filter semantics vary per route: not pushed
                if kind:
                    query[kind] = qname
            if "date_start" in query and q[query["date_start"]].get("required"):
                flags.append("AZB_ROUTE_DATES_REQUIRED")
            req = REQUEST_COLUMN.get(GROUP_TABLE.get(group, ""))
            if req and req["param"] in q:
                query["type"] = req["param"]
                enum = q[req["param"]].get("enum")
                if enum and sorted(enum) != sorted(req["values"]):
                    sys.exit("%s: the spec's %s values %s differ from the curation's %s" % (
                        op["operationId"], req["param"], enum, req["values"]))
            route = {"op": op["operationId"], "path": template, "params": params,
                     "flags": flags, "query": query, "agreements": agreements_of(op.get("description")),
                     "listed": listed}
            t = tables.setdefault(table, {"group": group, "routes": [], "items": [],
                                          "doc": None})
            t["routes"].append(route)
            t["items"].append((item, iwhere))
            t.setdefault("examples", []).extend(example_items(spec, op, path))
            if t["doc"] is None and listed:
                t["doc"] = first_sentence(op.get("description"))
    for name, t in tables.items():
        t["doc"] = TABLE_DOC.get(name) or t["doc"] or \
            "The %s of the Billing API." % name.replace("_", " ")
        t["columns"] = columns_for(spec, name, t)
        # most specific first: point lookups, then more parameters, then spec order
        t["routes"].sort(key=lambda r: (0 if "AZB_ROUTE_POINT" in r["flags"] else 1,
                                        -len(r["params"])))
    return tables


def columns_for(spec, table, t):
    cols = [{"name": "id", "kind": "AZB_COL_ID", "type": "text", "key": None,
             "doc": "The ARM resource id."},
            {"name": "name", "kind": "AZB_COL_NAME", "type": "text", "key": None,
             "doc": "The item's name."},
            {"name": "type", "kind": "AZB_COL_TYPE", "type": "text", "key": None,
             "doc": "The ARM resource type."}]
    scopes = []
    for r in t["routes"]:
        for p in r["params"]:
            if p != "name" and p not in scopes:
                scopes.append(p)
    for s in scopes:
        cols.append({"name": s, "kind": "AZB_COL_SCOPE", "type": "text", "key": None,
                     "doc": "Scope: bound in the request, else parsed from the id."})
    byname = {c["name"]: c for c in cols}
    for item, where in t["items"]:
        top = dict((k, (v, w)) for k, v, w in spec.merged_properties(item, where))
        if "properties" in top:
            inner = spec.merged_properties(top["properties"][0], top["properties"][1])
            prefix = "properties."
        else:                   # items without the ARM envelope (permissions, operations)
            inner = [(k, v, w) for k, v, w in spec.merged_properties(item, where)
                     if k not in ("id", "name", "type")]
            prefix = ""
        for key, node, w in inner:
            col = snake(key)
            if col in ENVELOPE:
                col = "property_" + col
            typ = sql_type(spec, node, w)
            resolved, _ = spec.resolve(node, w)
            doc = first_sentence(node.get("description") or resolved.get("description"))
            if col in byname:
                c = byname[col]
                if c["kind"] == "AZB_COL_SCOPE":
                    c["key"] = prefix + key        # one column: scope and property
                elif c["key"] != prefix + key or c["type"] != typ:
                    if c["type"] != typ:
                        c["type"] = "jsonb" if "amount" not in (c["type"], typ) else c["type"]
                continue
            if typ == "amount":
                c = {"name": col, "kind": "AZB_COL_AMOUNT", "type": "numeric",
                     "key": prefix + key, "doc": doc}
                cur = {"name": col + "_currency", "kind": "AZB_COL_CURRENCY", "type": "text",
                       "key": prefix + key, "doc": "Currency of %s." % col}
                cols.append(c)
                byname[col] = c
                if cur["name"] in byname:
                    print("warning: %s.%s clashes" % (table, cur["name"]), file=sys.stderr)
                else:
                    cols.append(cur)
                    byname[cur["name"]] = cur
            else:
                c = {"name": col, "kind": "AZB_COL_PROPERTY", "type": typ,
                     "key": prefix + key, "doc": doc}
                cols.append(c)
                byname[col] = c
    # Microsoft's own examples are what the service is documented to send: a
    # property whose example values do not fit its declared type is widened
    # (to text for strings, jsonb otherwise) rather than failing every query
    for ex in t.get("examples", []):
        props = ex.get("properties") if isinstance(ex.get("properties"), dict) else ex
        for key, value in props.items():
            for c in cols:
                if c["key"] in ("properties." + key, key) and c["kind"] == "AZB_COL_PROPERTY" \
                        and not fits(value, c["type"]):
                    print("note: %s.%s widened from %s: example value %r" % (
                        table, c["name"], c["type"], value), file=sys.stderr)
                    c["type"] = "text" if isinstance(value, str) else "jsonb"
                    c["doc"] = (c["doc"] or "") + " (Text: Microsoft's examples carry values that are not %s.)" % (
                        "dates" if "date" in c["name"] else "of the declared type")
    req = REQUEST_COLUMN.get(table)
    if req and any("type" in r["query"] for r in t["routes"]):
        cols.append({"name": req["column"], "kind": "AZB_COL_REQUEST", "type": "text",
                     "key": None, "doc": req["doc"]})
    cols.append({"name": "raw", "kind": "AZB_COL_RAW", "type": "jsonb", "key": None,
                 "doc": "The whole item as returned."})
    return cols


TYPE_ENUM = {"text": "AZB_TYPE_TEXT", "timestamptz": "AZB_TYPE_TIMESTAMPTZ",
             "date": "AZB_TYPE_DATE", "boolean": "AZB_TYPE_BOOL", "bigint": "AZB_TYPE_INT8",
             "numeric": "AZB_TYPE_NUMERIC", "jsonb": "AZB_TYPE_JSONB"}


def cstr(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ident(s):
    return re.sub(r"\W", "_", s)


def emit(all_tables):
    out = []
    w = out.append
    w("/*-------------------------------------------------------------------------")
    w(" *")
    w(" * catalog_data.c")
    w(" *\t  The catalogue: every Billing operation group as a resource, with its")
    w(" *\t  routes and columns per api-version.")
    w(" *")
    w(" * GENERATED by tools/gen_catalog.py from Microsoft's OpenAPI files for")
    w(" * Microsoft.Billing (api-versions %s). Do not edit by hand:" % ", ".join(VERSIONS))
    w(" * change the generator and run it again.")
    w(" *")
    w(" *-------------------------------------------------------------------------")
    w(" */")
    w('#include "catalog.h"')
    w("")
    w("const char *const azb_api_versions[AZB_NVERSIONS] = {%s};"
      % ", ".join(cstr(v) for v in VERSIONS))
    w("")
    names = sorted(set(n for v in VERSIONS for n in all_tables[v]))
    for n in names:
        for vi, v in enumerate(VERSIONS):
            t = all_tables[v].get(n)
            if t is None:
                continue
            tag = "%s_%d" % (ident(n), vi)
            w("static const AzbRouteDef routes_%s[] = {" % tag)
            for r in t["routes"]:
                agr = " | ".join("AZB_AGR_" + a for a in r["agreements"]) or "AZB_AGR_ANY"
                flags = " | ".join(r["flags"]) or "0"
                params = ", ".join(cstr(p) for p in r["params"])
                query = ", ".join(cstr(r["query"].get(f)) for f in QUERY_FIELDS)
                w("\t{%s, %s, %d, {%s}, %s, %s, {%s}}," % (cstr(r["op"]), cstr(r["path"]),
                                                           len(r["params"]), params or "NULL",
                                                           flags, agr, query))
            w("};")
            w("static const AzbColumnDef columns_%s[] = {" % tag)
            for c in t["columns"]:
                w("\t{%s, %s, %s, %s, %s}," % (cstr(c["name"]), c["kind"], TYPE_ENUM[c["type"]],
                                              cstr(c["key"]), cstr(c["doc"])))
            w("};")
            w("")
    # the ARM id collection that carries each scope column, from the paths
    segments = {}
    for v in VERSIONS:
        for n in names:
            t = all_tables[v].get(n)
            for r in (t["routes"] if t else []):
                parts = r["path"].split("/")
                for i, part in enumerate(parts):
                    m = re.match(r"^\{(.+)\}$", part)
                    if not m or i == 0 or parts[i - 1].startswith("{"):
                        continue
                    col = param_column(m.group(1))
                    seg = parts[i - 1]
                    segments.setdefault((seg.lower(), col), (seg, col))
    w("const AzbScopeSegment azb_scope_segments[] = {")
    for seg, col in sorted(segments.values(), key=lambda x: (x[1], x[0])):
        w("\t{%s, %s}," % (cstr(seg), cstr(col)))
    w("};")
    w("const int azb_nscope_segments = lengthof(azb_scope_segments);")
    w("")
    w("const AzbResourceDef azb_resources[] = {")
    for n in names:
        first = next(all_tables[v][n] for v in VERSIONS if n in all_tables[v])
        key = None
        for v in VERSIONS:
            t = all_tables[v].get(n)
            for r in (t["routes"] if t else []):
                if "AZB_ROUTE_POINT" in r["flags"]:
                    names_ = re.findall(r"\{([^}]+)\}", r["path"])
                    key = key or param_column(names_[-1])
        parts = []
        for vi, v in enumerate(VERSIONS):
            t = all_tables[v].get(n)
            if t is None:
                parts.append("{NULL, 0, NULL, 0}")
            else:
                tag = "%s_%d" % (ident(n), vi)
                parts.append("{routes_%s, lengthof(routes_%s), columns_%s, lengthof(columns_%s)}"
                             % (tag, tag, tag, tag))
        req = REQUEST_COLUMN.get(n)
        reqs = "NULL, {NULL}, 0"
        if req:
            reqs = "%s, {%s}, %d" % (cstr(req["column"]), ", ".join(cstr(v) for v in req["values"]),
                                     len(req["values"]))
        w("\t{%s, %s, %s, %s, %s, %s, {%s}}," % (cstr(n), cstr(first["group"]), cstr(first["doc"]),
                                                 cstr(key), cstr(DATE_COLUMN.get(n)), reqs,
                                                 ", ".join(parts)))
    w("};")
    w("const int azb_nresources = lengthof(azb_resources);")
    w("")
    w("/* where the agreement type of a scope column's value is found */")
    w("const AzbAgreementSource azb_agreement_sources[] = {")
    for a in AGREEMENT_SOURCES:
        w("\t{%s, %s, %s, %s}," % (cstr(a["column"]), cstr(a["table"]), cstr(a["key"]), cstr(a["noun"])))
    w("};")
    w("const int azb_nagreement_sources = lengthof(azb_agreement_sources);")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    all_tables = {v: collect(root, v) for v in VERSIONS}
    sys.stdout.write(emit(all_tables))


if __name__ == "__main__":
    main()
