"""Dates and the OData subset ARM list operations accept: $filter, $orderby."""

import datetime as _dt
import re


# ---------------------------------------------------------------------------
# dates, OData

DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_iso_date(s):
    m = DATE_RE.match(s.strip()) if isinstance(s, str) else None
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


class ODataError(Exception):
    pass


_TOKEN_RE = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<word>[A-Za-z_$@][\w/.$@-]*)|"
                       r"(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w-]))|(?P<date>\d{4}-\d{2}-\d{2}[\w:.+-]*)|(?P<other>\S))")
OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


def parse_filter(text):
    """'properties/a eq 'x' and properties/b gt 5' -> [(path, op, value)]."""
    toks = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("str") is not None:
            toks.append(("val", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("num") is not None:
            n = m.group("num")
            toks.append(("val", float(n) if any(c in n for c in ".eE") else int(n)))
        elif m.group("date") is not None:
            toks.append(("val", m.group("date")))
        elif m.group("word") is not None:
            w = m.group("word")
            lw = w.lower()
            if lw in ("true", "false"):
                toks.append(("val", lw == "true"))
            elif lw == "null":
                toks.append(("val", None))
            else:
                toks.append(("word", w))
        else:
            raise ODataError("unexpected character %r" % m.group("other"))
    conds = []
    i = 0
    while i < len(toks):
        if i + 2 >= len(toks) or toks[i][0] != "word" or toks[i + 1][0] != "word" or toks[i + 2][0] != "val":
            raise ODataError("expected '<property> <operator> <value>'")
        path, op, val = toks[i][1], toks[i + 1][1].lower(), toks[i + 2][1]
        if op not in OPS:
            raise ODataError("unsupported operator '%s'" % toks[i + 1][1])
        if path.lower() in OPS or path.lower() in ("and", "or", "not"):
            raise ODataError("unexpected keyword '%s'" % path)
        conds.append((path, op, val))
        i += 3
        if i < len(toks):
            if toks[i] != ("word", toks[i][1]) or toks[i][1].lower() != "and":
                raise ODataError("only 'and' may join conditions")
            i += 1
            if i >= len(toks):
                raise ODataError("dangling 'and'")
    if not conds:
        raise ODataError("empty filter")
    return conds


def get_path(item, path):
    cur = item
    for part in path.split("/"):
        if not isinstance(cur, dict):
            return None
        if part in cur:
            cur = cur[part]
        else:
            low = part.lower()
            for k in cur:
                if k.lower() == low:
                    cur = cur[k]
                    break
            else:
                return None
    if isinstance(cur, dict) and "value" in cur and "currency" in cur:
        return cur["value"]
    return cur


def _cmp_values(a, b):
    """Comparable pair (a, b) or None."""
    if a is None or b is None:
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (a, b)
    if isinstance(a, (int, float)) and isinstance(b, str):
        try:
            return (a, float(b))
        except ValueError:
            return None
    if isinstance(a, str) and isinstance(b, (int, float)):
        try:
            return (float(a), b)
        except ValueError:
            return None
    if isinstance(a, str) and isinstance(b, str):
        da, db = _as_dt(a), _as_dt(b)
        if da is not None and db is not None:
            return (da, db)
        return (a.lower(), b.lower())
    return None


def _as_dt(s):
    m = DATE_RE.match(s.strip())
    if not m:
        return None
    try:
        d = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                         int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0))
    except ValueError:
        return None
    tz = m.group(7)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        d = d - sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return d


def make_predicate(conds):
    def pred(item):
        for path, op, val in conds:
            got = get_path(item, path) if isinstance(item, dict) else None
            pair = _cmp_values(got, val)
            if pair is None:
                if op == "ne" and not (got is None and val is None):
                    continue
                if op == "eq" and got is None and val is None:
                    continue
                return False
            a, b = pair
            if op == "eq" and not a == b:
                return False
            if op == "ne" and not a != b:
                return False
            try:
                if op == "gt" and not a > b:
                    return False
                if op == "ge" and not a >= b:
                    return False
                if op == "lt" and not a < b:
                    return False
                if op == "le" and not a <= b:
                    return False
            except TypeError:
                return False
        return True
    return pred


def parse_orderby(text):
    keys = []
    for part in text.split(","):
        bits = part.strip().split()
        if not bits:
            raise ODataError("empty $orderby term")
        if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise ODataError("bad $orderby term '%s'" % part.strip())
        keys.append((bits[0], len(bits) == 2 and bits[1].lower() == "desc"))
    return keys


# ---------------------------------------------------------------------------
