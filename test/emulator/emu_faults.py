"""Scripted faults: answers replaced, delayed, cut or spoiled (App mixin)."""

import copy
import re
import select
import socket
import ssl
import time
import uuid
import datetime as _dt

from emu_common import JSON_CT, EMPTY_PAGE_SALT, STATUS_CODES, Abort, now_iso, dumps
from emu_routes import Result, arm_error


class FaultsMixin:
    """Scripted faults: answers replaced, delayed, cut or spoiled (App mixin)."""

    # -- faults -------------------------------------------------------------------
    def pre_fault(self, h, f, path, is_token):
        name = f["fault"]
        if name == "slow":
            self.sleep(h, float(f.get("ms", 2000)) / 1000.0)
            return None
        if name == "reset":
            h.drop(rst=True)
        if name == "hang":
            self.hang(h, float(f.get("seconds", 3600)))
            h.drop(rst=False)
        if name == "html":
            page = (b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
                    b"<h1>Our services aren't available right now</h1><p>We're working to restore all "
                    b"services as soon as possible.</p></body></html>")
            return 200, h.send_bytes(int(f.get("status", 200)), page, "text/html; charset=utf-8")
        if name == "huge":
            return 200, self.huge(h, int(f.get("bytes", 100 * 1024 * 1024)))
        if name == "expire_token":
            res = arm_error(401, "ExpiredAuthenticationToken",
                            "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." %
                            ((_dt.datetime.utcnow() - _dt.timedelta(seconds=5)).strftime("%m/%d/%Y %I:%M:%S %p"),
                             _dt.datetime.utcnow().strftime("%m/%d/%Y %I:%M:%S %p")))
            res.headers["WWW-Authenticate"] = ('Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                               'error="invalid_token", error_description="The access token has '
                                               'expired."')
            return self.emit(h, res, {}, None)
        if name == "token_error":
            status = int(f.get("status", 401))
            err = f.get("error", "invalid_client" if status == 401 else "invalid_request")
            code = int(f.get("code", 7000215 if err == "invalid_client" else 900144))
            desc = f.get("description", "Invalid client secret provided. Ensure the secret being sent in the "
                                        "request is the client secret value, not the client secret ID")
            return self.entra_error(h, status, err, code, desc)
        if name == "status":
            return self.status_fault(h, f, path, is_token)
        return None

    def status_fault(self, h, f, path, is_token):
        status = int(f.get("status", 500))
        code, msg = STATUS_CODES.get(status, ("Error%d" % status, "The request failed."))
        code = f.get("code", code)
        msg = f.get("message", msg)
        headers = {}
        if f.get("retry_after") is not None:
            headers["Retry-After"] = f["retry_after"]
        if f.get("retry_after_ms") is not None:
            headers["retry-after-ms"] = f["retry_after_ms"]
        if f.get("x_ms_retry_after_ms") is not None:
            headers["x-ms-retry-after-ms"] = f["x_ms_retry_after_ms"]
        for k, v in (f.get("headers") or {}).items():
            headers[str(k)] = str(v)
        ctype = JSON_CT
        if "body" in f:
            b = f["body"]
            data = b.encode("utf-8") if isinstance(b, str) else dumps(b)
            ctype = f.get("content_type", JSON_CT)
        else:
            shape = f.get("body_shape")
            if shape is None and is_token:
                shape = "entra"
            shape = shape or "arm"
            if shape == "arm":
                data = dumps({"error": {"code": code, "message": msg, "target": path, "details": []}})
            elif shape == "bare":
                data = dumps({"code": code, "message": msg})
            elif shape == "problem":
                data = dumps({"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                              "title": "One or more validation errors occurred.", "status": status,
                              "traceId": "|%s." % uuid.uuid4().hex[:17], "errors": {"": [msg]}})
                ctype = "application/problem+json; charset=utf-8"
            elif shape == "none":
                data = b""
            elif shape == "html":
                data = ("<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center>"
                        "<hr><center>Microsoft-Azure-Application-Gateway/v2</center></body></html>"
                        % (status, code, status, code)).encode()
                ctype = "text/html"
            elif shape == "entra":
                tid, cid = str(uuid.uuid4()), str(uuid.uuid4())
                data = dumps({"error": "temporarily_unavailable",
                              "error_description": "AADSTS50196: The server terminated an operation because it "
                                                   "encountered a client request loop. Trace ID: %s Correlation "
                                                   "ID: %s Timestamp: %s" % (tid, cid, now_iso()),
                              "error_codes": [50196], "timestamp": now_iso(), "trace_id": tid,
                              "correlation_id": cid})
            else:
                data = dumps({"error": {"code": code, "message": msg}})
        return status, h.send_bytes(status, data, ctype, headers)

    def hang(self, h, seconds):
        sock = h.connection
        end = time.time() + seconds
        try:
            sock.settimeout(0.2)
        except OSError:
            return
        while time.time() < end and not self.state.stopping.is_set():
            try:
                if isinstance(sock, ssl.SSLSocket) and sock.pending():
                    data = sock.recv(1)
                else:
                    r, _, _ = select.select([sock], [], [], 0.2)
                    if not r:
                        continue
                    data = sock.recv(1)
                if not data:
                    return
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            except (OSError, ValueError):
                return

    def huge(self, h, n):
        prefix = b'{"value":[],"padding":"'
        suffix = b'"}'
        n = max(n, len(prefix) + len(suffix))
        h.send_response(200)
        rid = str(uuid.uuid4())
        h.send_header("Content-Type", JSON_CT)
        h.send_header("Content-Length", str(n))
        h.send_header("x-ms-request-id", rid)
        h.send_header("x-ms-correlation-request-id", rid)
        h.end_headers()
        fill = n - len(prefix) - len(suffix)
        chunk = b"x" * 65536
        try:
            h.wfile.write(prefix)
            while fill > 0:
                part = chunk if fill >= len(chunk) else chunk[:fill]
                h.wfile.write(part)
                fill -= len(part)
            h.wfile.write(suffix)
        except (OSError, ValueError):
            h.close_connection = True
            raise Abort()
        return n

    def post_fault(self, h, f, res, req, common):
        name = f["fault"]
        if name == "apply_then_500":        # the write landed (emu_writes.py); the answer is lost
            return self.status_fault(h, f, req.path, False)
        if name == "apply_then_reset":
            h.drop(rst=True)
        body = res.obj
        is_page = res.page and isinstance(body, dict) and isinstance(body.get("value"), list)
        if name in ("truncated", "malformed", "wrong_content_type"):
            data = dumps(body) if body is not None else b"{}"
            headers = dict(common)
            headers.update(res.headers)
            if name == "wrong_content_type":
                return res.status, h.send_bytes(res.status, data, "text/plain; charset=utf-8", headers)
            if name == "malformed":
                broken = data[:-1] + b"," if data.endswith(b"}") or data.endswith(b"]") else data + b"{"
                broken = broken[:len(data)] if len(broken) > len(data) and len(data) > 1 else broken
                return 200, h.send_bytes(200, broken, JSON_CT, headers)
            # truncated: the promised Content-Length, half the bytes, then close
            h.send_response(res.status)
            rid = str(uuid.uuid4())
            h.send_header("Content-Type", JSON_CT)
            h.send_header("Content-Length", str(len(data)))
            h.send_header("x-ms-request-id", rid)
            for k, v in headers.items():
                h.send_header(k, str(v))
            h.end_headers()
            try:
                h.wfile.write(data[: max(1, len(data) // 2)])
            except OSError:
                pass
            h.drop(rst=False)
        if is_page:
            body = dict(body)
            body["value"] = list(body["value"])
            nl = body.get("nextLink")
            cur_url = req.base_url + req.raw_path + ("?" + req.raw_query if req.raw_query else "")
            if name == "foreign_nextlink":
                tail = nl[len(req.base_url):] if nl else cur_url[len(req.base_url):]
                body["nextLink"] = self.state.urls.get("other", "https://127.0.0.2") + tail
            elif name == "relative_nextlink":
                body["nextLink"] = (nl or cur_url)[len(req.base_url):]
            elif name == "repeat_nextlink":
                body["nextLink"] = cur_url
            elif name == "empty_nextlink":
                if not nl:
                    body["nextLink"] = ""
            elif name == "null_nextlink":
                if not nl:
                    body["nextLink"] = None
            elif name == "empty_page":
                from emu_billing import encode_token, next_link
                pos, emitted = res.next_state or (0, 0)
                salt = next(EMPTY_PAGE_SALT)    # every empty page links somewhere new
                body["value"] = []
                body["nextLink"] = next_link(req, encode_token(pos, emitted, salt))
            elif name == "bad_item":
                if body["value"]:
                    i = int(f.get("item", len(body["value"]) // 2)) % len(body["value"])
                    body["value"][i] = f.get("as_value", "not an object" if f.get("as", "string") == "string" else 42)
                else:
                    body["value"] = [f.get("as_value", "not an object")]
            elif name == "bad_value":
                self.spoil_item(body, int(f.get("item", 0)))
            elif name == "no_id":
                body["value"] = [{k: v for k, v in x.items() if k != "id"} if isinstance(x, dict) else x
                                 for x in body["value"]]
            elif name == "extra_keys":
                extra = {"totalCount": len(body["value"]), "@odata.context": req.base_url + "/$metadata#value",
                         "hasMoreResults": bool(nl), "summary": {"note": "unexpected key"}}
                ordered = dict(extra)
                ordered.update(body)
                body = ordered
            res = Result(res.status, body, res.headers, page=True)
        elif name in ("no_id", "bad_value") and isinstance(body, dict):
            body = copy.deepcopy(body)
            if name == "no_id":
                body.pop("id", None)
            else:
                self.spoil_item({"value": [body]}, 0)
            res = Result(res.status, body, res.headers)
        return self.emit(h, res, common, None)

    @staticmethod
    def spoil_item(body, index):
        items = [x for x in body["value"] if isinstance(x, dict)]
        if not items:
            return
        item = copy.deepcopy(items[index % len(items)])
        pos = body["value"].index(items[index % len(items)])
        props = item.get("properties") if isinstance(item.get("properties"), dict) else item
        date_re = re.compile(r"^\d{4}-\d{2}-\d{2}T")
        done_date = done_amount = False

        def walk(d):
            nonlocal done_date, done_amount
            for k, v in list(d.items()):
                if not done_date and isinstance(v, str) and date_re.match(v):
                    d[k] = "not-a-date"
                    done_date = True
                elif not done_amount and isinstance(v, dict) and "currency" in v and "value" in v:
                    v["value"] = "12,50"
                    done_amount = True
        walk(props)
        body["value"][pos] = item
