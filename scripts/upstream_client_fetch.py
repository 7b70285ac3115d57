#!/usr/bin/env python3
"""Replays the previous service's Python client's fetch() against a Moniker server.

The client itself (open-moniker-client) is not available here, so this
script calls GET /fetch exactly as its documented HTTP contract says it
does (../shared/reference/upstream-crosscutting.md, section 8): the same
path, query parameters and headers, the same response field read
(``data``, returned as the rows of a DataFrame, unchanged) and the same
error mapping (404 NotFoundError, 403 AccessDeniedError carrying the
body's ``detail``, any other non-2xx an HTTP error, a 202 "loading" an
empty result). It then checks that the rows it got are the rows expected.

Standard library only. Usage:

    python3 scripts/upstream_client_fetch.py http://localhost:8050
        checks the embedded demo (go run ./cmd/monikerd)
    python3 scripts/upstream_client_fetch.py URL CHECKS.json
        runs the checks in the file: a list of objects with "moniker",
        optional "limit" and "params" (the keyword arguments of fetch()),
        and either "expect_rows" (and optional "expect_columns") or
        "expect_error" ("NotFoundError", "AccessDeniedError", "HTTPError")
        with optional "status" and "detail_contains"

Exit status: 0 when every check passes, 1 otherwise (one line per check).
Environment (the client's own): MONIKER_APP_ID, MONIKER_TEAM, MONIKER_JWT.
"""

import gzip
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class NotFoundError(Exception):
    """The client's error for a 404."""


class AccessDeniedError(Exception):
    """The client's error for a 403; its message is the body's detail."""

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


class HTTPError(Exception):
    """Any other non-2xx answer (the client raises its HTTP library's error)."""

    def __init__(self, status, body):
        super().__init__("HTTP %d: %s" % (status, body[:300]))
        self.status = status


class UpstreamClient:
    """The parts of the client's MonikerClient that fetch() uses (section 8.1-8.3)."""

    def __init__(self, service_url, app_id=None, team=None, jwt_token=None, timeout=30):
        self.service_url = service_url.rstrip("/")
        self.app_id, self.team, self.jwt_token, self.timeout = app_id, team, jwt_token, timeout

    def _headers(self):
        # X-App-ID / X-Team when configured; Bearer with auth_method jwt.
        # Accept and Accept-Encoding are what Python's HTTP clients (httpx,
        # requests) send by default; the reference does not name them.
        h = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate", "User-Agent": "open-moniker-client-replay"}
        if self.app_id:
            h["X-App-ID"] = self.app_id
        if self.team:
            h["X-Team"] = self.team
        if self.jwt_token:
            h["Authorization"] = "Bearer " + self.jwt_token
        return h

    def fetch(self, moniker, limit=None, **params):
        """GET /fetch/{path}: limit when given, and the keyword arguments as query parameters."""
        path = moniker[len("moniker://"):] if moniker.startswith("moniker://") else moniker
        path, _, query = path.partition("?")  # a query in the moniker travels as the URL query
        url = self.service_url + "/fetch/" + urllib.parse.quote(path, safe="/@:!$&'()*+,;=-._~")
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        if limit is not None:
            pairs.append(("limit", str(limit)))
        for k, v in params.items():
            pairs.append((k, "true" if v is True else "false" if v is False else str(v)))
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        req = urllib.request.Request(url, headers=self._headers())
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, body = resp.status, _read(resp)
        except urllib.error.HTTPError as e:
            status, body = e.code, _read(e)
        if status == 404:
            raise NotFoundError(body.decode("utf-8", "replace"))
        if status == 403:
            raise AccessDeniedError(json.loads(body)["detail"])
        if status < 200 or status > 299:
            raise HTTPError(status, body.decode("utf-8", "replace"))
        if status == 202:
            return []  # the cache is loading: an empty frame
        # The client builds a DataFrame from "data": the rows as sent.
        return json.loads(body)["data"]


def _read(resp):
    body = resp.read()
    if resp.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body


# The embedded demo's checks: the demo database is generated with a fixed
# seed, so these rows are the same on every machine.
DEMO_CHECKS = [
    {"moniker": "moniker://prices.equity/AAPL@20260115",
     "expect_columns": ["ticker", "trade_date", "open", "high", "low", "close", "adj_close", "volume", "dividend"],
     "expect_rows": [{"ticker": "AAPL", "trade_date": "2026-01-15", "open": "206.19", "high": "207.64", "low": "198.35",
                      "close": "199.21", "adj_close": "199.21", "volume": 43867635, "dividend": None}]},
    {"moniker": "reference.currencies/XAU",
     "expect_rows": [{"code": "XAU", "numeric_code": 959, "name": "Gold", "minor_units": None, "country": None}]},
    {"moniker": "rates.curves/USD@20260115", "limit": 2,
     "expect_rows": [
         {"currency": "USD", "curve_date": "2026-01-15", "tenor": "1M", "tenor_days": 30, "zero_rate": "0.041647", "discount_factor": 0.9965828108},
         {"currency": "USD", "curve_date": "2026-01-15", "tenor": "3M", "tenor_days": 91, "zero_rate": "0.041424", "discount_factor": 0.9897255194}]},
    {"moniker": "no.such/thing", "expect_error": "NotFoundError"},
    {"moniker": "risk.cvar/ALL/ALL/ALL", "expect_error": "AccessDeniedError", "detail_contains": "Refused"},
]


def run_check(client, c):
    """Runs one check; returns "" when it passes, else what went wrong."""
    try:
        rows = client.fetch(c["moniker"], limit=c.get("limit"), **c.get("params", {}))
    except (NotFoundError, AccessDeniedError, HTTPError) as e:
        want = c.get("expect_error")
        if type(e).__name__ != want:
            return "raised %s (%s), want %s" % (type(e).__name__, e, want or "rows")
        if "status" in c and getattr(e, "status", None) != c["status"]:
            return "status %s, want %s" % (getattr(e, "status", None), c["status"])
        if c.get("detail_contains") and c["detail_contains"] not in str(e):
            return "detail %r lacks %r" % (str(e), c["detail_contains"])
        return ""
    if "expect_error" in c:
        return "returned %d rows, want %s" % (len(rows), c["expect_error"])
    if rows != c["expect_rows"]:
        return "rows %s\n    want %s" % (json.dumps(rows), json.dumps(c["expect_rows"]))
    if "expect_columns" in c and rows and list(rows[0].keys()) != c["expect_columns"]:
        return "columns %s, want %s" % (list(rows[0].keys()), c["expect_columns"])
    return ""


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    checks = DEMO_CHECKS
    if len(argv) == 3:
        with open(argv[2], encoding="utf-8") as f:
            checks = json.load(f)
    client = UpstreamClient(argv[1], app_id=os.environ.get("MONIKER_APP_ID"), team=os.environ.get("MONIKER_TEAM"),
                            jwt_token=os.environ.get("MONIKER_JWT"))
    failed = 0
    for c in checks:
        msg = run_check(client, c)
        print(("ok    " if not msg else "FAIL  ") + c["moniker"] + ("" if not msg else ": " + msg))
        failed += bool(msg)
    print("%d of %d checks passed" % (len(checks) - failed, len(checks)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
