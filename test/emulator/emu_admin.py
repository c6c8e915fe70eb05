"""The emulator's /_emulator admin API: config, faults, request log (App mixin)."""

import json
import os
import urllib.parse

from emu_common import dumps
import emu_identity


class AdminMixin:
    """The /_emulator admin endpoints."""

    # -- admin ---------------------------------------------------------------------------
    def admin(self, h, raw_path, raw_query, body):
        st = self.state
        path = raw_path.rstrip("/")
        q = dict(urllib.parse.parse_qsl(raw_query))
        m = h.command

        def ok(obj, status=200):
            h.send_bytes(status, dumps(obj))

        def parse_body():
            try:
                return json.loads(body.decode("utf-8")) if body.strip() else {}
            except (ValueError, UnicodeDecodeError) as e:
                raise ValueError("request body is not valid JSON: %s" % e)

        try:
            if path == "/_admin/log" and m == "GET":
                ok(st.log_snapshot(int(q.get("since", 0) or 0)))
            elif path == "/_admin/log.tsv" and m == "GET":
                rows = ["seq\tlistener\tmethod\tpath\traw_query\tstatus\tauthorization\tfault\traw_path"]
                for e in st.log_snapshot(int(q.get("since", 0) or 0)):
                    rows.append("\t".join([
                        str(e["seq"]), tsv(e["listener"]), tsv(e["method"]), tsv(e["path"]), tsv(e["raw_query"]),
                        "\\N" if e["status"] is None else str(e["status"]),
                        "true" if e["authorization"] else "false",
                        "\\N" if e["fault"] is None else tsv(e["fault"]), tsv(e["raw_path"])]))
                h.send_bytes(200, ("\n".join(rows) + "\n").encode("utf-8"), "text/tab-separated-values; charset=utf-8")
            elif path.startswith("/_admin/identity"):
                r = emu_identity.IDENTITY.admin(path, m, parse_body() if m == "POST" else None)
                r = r or (404, {"error": "unknown admin endpoint %s %s" % (m, raw_path)})
                ok(r[1], r[0])
            elif path == "/_admin/reset" and m == "POST":
                st.reset()
                emu_identity.IDENTITY.reset()
                self.writes.reset()
                ok({"ok": True})
            elif path == "/_admin/config" and m == "GET":
                ok(st.config()[0])
            elif path == "/_admin/config" and m in ("POST", "PUT", "PATCH"):
                patch = parse_body()
                if not isinstance(patch, dict):
                    raise ValueError("config must be a JSON object")
                ok(st.set_config(patch))
            elif path == "/_admin/faults" and m == "POST":
                data = parse_body()
                rules = data.get("faults") if isinstance(data, dict) else data
                if isinstance(data, dict) and rules is None and "fault" in data:
                    rules = [data]
                if not isinstance(rules, list):
                    raise ValueError("expected {\"faults\": [...]}")
                n = st.add_faults(rules)
                ok({"ok": True, "added": n, "faults": st.faults_view()})
            elif path == "/_admin/faults" and m == "GET":
                ok(st.faults_view())
            elif path == "/_admin/faults" and m == "DELETE":
                st.clear_faults()
                ok({"ok": True})
            elif path == "/_admin/expire_tokens" and m == "POST":
                ok({"ok": True, "expired": st.expire_tokens()})
            elif path == "/_admin/stats" and m == "GET":
                with st.lock:
                    per = json.loads(json.dumps(st.stats))
                    ntok = st.token_counter
                with st.cache_lock:
                    cache = {"entries": len(st.cache), "bytes": st.cache_bytes}
                ok({"listeners": per,
                    "requests_total": sum(v["requests"] for v in per.values()),
                    "bytes_sent_total": sum(v["bytes_sent"] for v in per.values()),
                    "tokens_issued": ntok, "cache": cache})
            elif path.startswith("/_admin/writes"):
                self.writes.admin(m, path, q, parse_body() if m == "POST" else None, ok)
            elif path in ("/_admin", "/_admin/info") and m == "GET":
                ok({"urls": st.urls, "pid": os.getpid(), "config": st.config()[0]})
            else:
                ok({"error": "unknown admin endpoint %s %s" % (m, raw_path)}, 404)
        except ValueError as e:
            ok({"ok": False, "error": str(e)}, 400)




def tsv(s):
    s = "" if s is None else str(s)
    return (s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))
