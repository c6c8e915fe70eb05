"""Constants and small helpers shared by the emulator's modules."""

import itertools
import json
import re
import datetime as _dt

JSON_CT = "application/json; charset=utf-8"
STATIC_TOKEN = "emu-static-token"
GOOD_CLIENT = ("test-client", "test-secret")
TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/(v2\.0/)?token/?$")
LOG_MAX = 200000
CACHE_MAX_BYTES = 512 * 1024 * 1024

CONFIG_TYPES = {
    "page_size": (int, 1, 100000),
    "latency_ms": (int, 0, 600000),
    "bulk_transactions": (int, 0, 50000000),
    "bulk_years": (int, 1, 20),
    "token_lifetime": (int, 1, 10 ** 8),
    "token_expires_in_as_string": (bool, None, None),
    "lro_retry_after": (int, 0, 3600),
    "lro_polls": (int, 0, 1000),
    "lro_bare_string": (bool, None, None),
    "token_latency_ms": (int, 0, 600000),
    "read_bucket": (int, 1, 100000),
    "read_refill": (int, 1, 100000),
    "enforce_reads": (bool, None, None),
}

FAULTS = {"status", "hang", "slow", "reset", "truncated", "malformed", "html", "wrong_content_type",
          "huge", "foreign_nextlink", "relative_nextlink", "repeat_nextlink", "empty_nextlink",
          "null_nextlink", "empty_page", "bad_item", "bad_value", "expire_token", "token_error",
          "no_id", "extra_keys", "apply_then_500", "apply_then_reset"}
EMPTY_PAGE_SALT = itertools.count(1)
PRE_FAULTS = {"status", "hang", "reset", "html", "huge", "expire_token", "token_error"}

STATUS_CODES = {400: ("BadRequest", "The request is invalid."),
                401: ("AuthenticationFailed", "Authentication failed."),
                403: ("AuthorizationFailed", "The client does not have authorization to perform this action."),
                404: ("NotFound", "The requested resource was not found."),
                408: ("RequestTimeout", "The request timed out."),
                409: ("Conflict", "The request conflicts with the current state of the resource."),
                429: ("TooManyRequests", "The request was throttled; retry after the given interval."),
                500: ("InternalServerError", "An internal server error occurred."),
                502: ("BadGateway", "The gateway received an invalid response."),
                503: ("ServiceUnavailable", "The service is temporarily unavailable."),
                504: ("GatewayTimeout", "The gateway did not receive a response in time.")}


def now_iso():
    return _dt.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%SZ")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Abort(Exception):
    """The connection was dropped on purpose (fault); send nothing more."""
