"""The emulator's shared state: config, request log, faults, tokens, read quota, page cache."""

import collections
import os
import re
import threading
import time

from emu_common import STATIC_TOKEN, LOG_MAX, CACHE_MAX_BYTES, CONFIG_TYPES, FAULTS
import emu_identity


# shared state

class State:
    def __init__(self, startup_cfg):
        self.lock = threading.Lock()
        self.startup = dict(startup_cfg)
        self.cfg = dict(startup_cfg)
        self.gen = 0
        self.log = []
        self.seq = 0
        self.faults = []
        self.tokens = {}
        self.token_counter = 0
        self.stats = {}
        self.bucket = 250.0
        self.bucket_ts = time.monotonic()
        self.cache = collections.OrderedDict()
        self.cache_bytes = 0
        self.cache_max = CACHE_MAX_BYTES
        self.cache_lock = threading.Lock()
        self.urls = {}
        self.stopping = threading.Event()

    # config
    def config(self):
        with self.lock:
            return dict(self.cfg), self.gen

    def set_config(self, patch):
        with self.lock:
            new = dict(self.cfg)
            for k, v in patch.items():
                if k not in CONFIG_TYPES:
                    raise ValueError("unknown config key '%s'" % k)
                typ, lo, hi = CONFIG_TYPES[k]
                if typ is bool:
                    if not isinstance(v, bool):
                        raise ValueError("config key '%s' must be a boolean" % k)
                else:
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v:
                        raise ValueError("config key '%s' must be an integer" % k)
                    v = int(v)
                    if v < lo or v > hi:
                        raise ValueError("config key '%s' must be between %d and %d" % (k, lo, hi))
                new[k] = v
            self.cfg = new
            self.gen += 1
        self.cache_clear()
        return dict(new)

    def reset(self):
        with self.lock:
            self.cfg = dict(self.startup)
            self.gen += 1
            self.log = []
            self.seq = 0
            self.faults = []
            self.stats = {}
            self.bucket = float(self.cfg.get("read_bucket", 250))
            self.bucket_ts = time.monotonic()
        self.cache_clear()

    # log
    def log_start(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)
            if len(self.log) > LOG_MAX:
                del self.log[: len(self.log) - LOG_MAX]
        return entry

    def log_snapshot(self, since=0):
        with self.lock:
            return [dict(e) for e in self.log if e["seq"] > since]

    def count(self, listener, nbytes, status):
        with self.lock:
            st = self.stats.setdefault(listener, {"requests": 0, "bytes_sent": 0, "statuses": {}})
            st["requests"] += 1
            st["bytes_sent"] += nbytes
            key = str(status)
            st["statuses"][key] = st["statuses"].get(key, 0) + 1

    # faults
    def add_faults(self, rules):
        checked = []
        for r in rules:
            if not isinstance(r, dict):
                raise ValueError("each fault must be an object")
            name = r.get("fault")
            if name not in FAULTS:
                raise ValueError("unknown fault '%s'; known: %s" % (name, ", ".join(sorted(FAULTS))))
            match = r.get("match", "")
            if not isinstance(match, str):
                raise ValueError("'match' must be a string")
            rule = dict(r)
            rule["match"] = match
            if match.startswith("^"):
                try:
                    rule["_re"] = re.compile(match)
                except re.error as e:
                    raise ValueError("bad regex %r: %s" % (match, e))
            for k, default in (("nth", 1), ("count", 1)):
                v = rule.get(k, default)
                if isinstance(v, bool) or not isinstance(v, int) or v < (1 if k == "nth" else 0):
                    raise ValueError("'%s' must be an integer >= %d" % (k, 1 if k == "nth" else 0))
                rule[k] = v
            if rule.get("method") is not None and not isinstance(rule["method"], str):
                raise ValueError("'method' must be a string")
            for k, lo, hi in (("status", 100, 599), ("seconds", 0, 86400), ("ms", 0, 3600000),
                              ("bytes", 2, 1 << 40), ("code", 0, 1 << 31), ("item", 0, 1 << 31)):
                if k in rule and not (k == "code" and name != "token_error"):
                    v = rule[k]
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                        raise ValueError("'%s' must be a number between %d and %d" % (k, lo, hi))
            if rule.get("body_shape") not in (None, "arm", "bare", "problem", "none", "html", "entra"):
                raise ValueError("'body_shape' must be arm, bare, problem, none, html or entra")
            for k in ("retry_after", "retry_after_ms", "x_ms_retry_after_ms"):
                if k in rule and not isinstance(rule[k], (int, float, str)):
                    raise ValueError("'%s' must be a number or a string" % k)
            if "headers" in rule and not isinstance(rule["headers"], dict):
                raise ValueError("'headers' must be an object")
            rule["seen"] = 0
            rule["fired"] = 0
            checked.append(rule)
        with self.lock:
            self.faults.extend(checked)
            self.gen += 1
        self.cache_clear()
        return len(checked)

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def match_fault(self, method, path, query, listener):
        hit = None
        with self.lock:
            for r in self.faults:
                m = r.get("method")
                if m and m.upper() != method:
                    continue
                lst = r.get("listener")
                if lst and lst != listener:
                    continue
                if "_re" in r:
                    if not r["_re"].search(path):
                        continue
                elif r["match"].lower() not in path.lower():
                    continue
                qm = r.get("query")
                if qm and qm.lower() not in query.lower():
                    continue
                r["seen"] += 1
                if hit is None and r["seen"] >= r["nth"] and (r["count"] == 0 or r["seen"] < r["nth"] + r["count"]):
                    r["fired"] += 1
                    hit = dict(r)
        return hit

    def faults_view(self):
        with self.lock:
            return [{k: v for k, v in r.items() if not k.startswith("_")} for r in self.faults]

    # tokens
    def issue_token(self, lifetime, who=None):
        with self.lock:
            self.token_counter += 1
            tok = "emu-at-%d-%s" % (self.token_counter, os.urandom(12).hex())
            self.tokens[tok] = {"issued": time.time(), "lifetime": lifetime, "valid": True, "who": who}
            return tok

    def token_principal(self, tok):
        """Whom a valid token stands for (emu_identity.principal); None: full access."""
        with self.lock:
            t = self.tokens.get(tok)
        return t.get("who") if t else emu_identity.principal(token=tok)

    def check_token(self, tok):
        """'ok', 'expired' or 'invalid'."""
        if tok in (STATIC_TOKEN, emu_identity.PARTIAL_TOKEN):
            return "ok", None
        with self.lock:
            t = self.tokens.get(tok)
            if t is None:
                return "invalid", None
            exp = t["issued"] + t["lifetime"]
            if not t["valid"] or time.time() >= exp:
                return "expired", exp
            return "ok", exp

    def expire_tokens(self):
        with self.lock:
            n = 0
            for t in self.tokens.values():
                if t["valid"]:
                    t["valid"] = False
                    n += 1
            return n

    # rate limit header (token bucket, 250, refill 25/s)
    def take_read(self):
        """ARM's per-principal token bucket: the reads left after this one,
        or -1 when it is empty (with enforce_reads, ARM answers 429 then)."""
        with self.lock:
            now = time.monotonic()
            cap = float(self.cfg.get("read_bucket", 250))
            refill = float(self.cfg.get("read_refill", 25))
            self.bucket = min(cap, self.bucket + (now - self.bucket_ts) * refill)
            self.bucket_ts = now
            if self.bucket < 1.0:
                return -1
            self.bucket -= 1.0
            return int(self.bucket)

    # page cache
    def cache_get(self, key):
        with self.cache_lock:
            v = self.cache.get(key)
            if v is not None:
                self.cache.move_to_end(key)
            return v

    def cache_put(self, key, val):
        size = len(val[1]) + 256
        if size > self.cache_max // 8:
            return
        with self.cache_lock:
            if key in self.cache:
                return
            self.cache[key] = val
            self.cache_bytes += size
            while self.cache_bytes > self.cache_max and self.cache:
                _, old = self.cache.popitem(last=False)
                self.cache_bytes -= len(old[1]) + 256

    def cache_clear(self):
        with self.cache_lock:
            self.cache.clear()
            self.cache_bytes = 0
