"""Load one endpoint of a running app with wrk and report req/s, p50 and p99.

    python -m benchmarks.load BASE_URL TOKEN ENDPOINT [--duration 15] [--connections 32]
        [--ids LOW:HIGH] [--max-requests N] [--login EMAIL:PASSWORD] [--cursor CURSOR]

ENDPOINT is one of list, filter, search, search-common, deep (the page after `--cursor`, a cursor
the app gave out), get, create, update, delete, login. A run is bounded in time
(`--duration`) and in count (`--max-requests` per wrk thread, after which the thread stops).
`get` and `update` pick random ids in `--ids`; `delete` walks that range once, so it must hold
rows enough for the run (ids past the range come back 404 and are counted as errors).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

THREADS = 2
# A request slower than this counts as an error (wrk's default, 2 s, would hide slow logins).
TIMEOUT = 10
PREFIX = "/api/v1/notes"
BODY = json.dumps({"title": "Benchmark note", "body": "Written under load.", "priority": 3, "done": False})
# An update's title names its run, its wrk thread and its count there: no update sends the
# values a row already holds (a run after run on the same rows included), which an app that sets
# attributes and lets the ORM skip unchanged ones (the textbook baseline) would answer without
# writing.
UPDATE_BODY = BODY.replace("Benchmark note", "Updated %d-%d-%d")

_LUA_HEAD = """
local max_requests = {max_requests}
local run_id = {run_id}
local low, high = {low}, {high}
local threads_count = {threads}
local done = 0
local counter = 0
local created = 0
-- Set in each thread by setup() below (a global: a local here would hide it).
thread_index = 0

setup = function(thread)
  thread:set("thread_index", created)
  created = created + 1
end

-- LuaJIT seeds math.random alike in every thread and run: each walks rows of its own.
init = function(args)
  math.randomseed(run_id + thread_index)
end

response = function(status, headers, body)
  done = done + 1
  if done >= max_requests then
    wrk.thread:stop()
  end
end
"""

_LUA_REQUEST = {
    "list": 'request = function() return wrk.format("GET", "{prefix}?limit=20", headers) end',
    "filter": 'request = function() return wrk.format("GET", "{prefix}?done=true&limit=20", headers) end',
    # Digits few titles hold (`Note 4242`, `Note 14242`, ...: 1 in 10,000, 299 in 1,000,000), as a word of real text.
    "search": 'request = function() return wrk.format("GET", "{prefix}?q=4242&limit=20", headers) end',
    # The worst case of a trigram index: every seeded title holds the trigrams of `note`, so the
    # index returns every row for them before the rest of the term narrows it down.
    "search-common": 'request = function() return wrk.format("GET", "{prefix}?q=note%204242&limit=20", headers) end',
    # A page halfway through the user's rows: the one after the middle id, whose cursor (one the
    # app under load signed) the caller gives.
    "deep": 'request = function() return wrk.format("GET", "{prefix}?cursor={cursor}&limit=20", headers) end',
    "get": 'request = function() return wrk.format("GET", "{prefix}/" .. math.random(low, high), headers) end',
    "create": 'request = function() return wrk.format("POST", "{prefix}", headers, body) end',
    "update": """request = function()
  counter = counter + 1
  local sent = string.format(update_body, run_id, thread_index, counter)
  return wrk.format("PUT", "{prefix}/" .. math.random(low, high), headers, sent)
end""",
    "delete": """request = function()
  local id = low + thread_index + counter * threads_count
  counter = counter + 1
  return wrk.format("DELETE", "{prefix}/" .. id, headers)
end""",
    "login": 'request = function() return wrk.format("POST", "/api/v1/auth/login", form_headers, form) end',
}


@dataclass(frozen=True)
class Result:
    endpoint: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _script(
    endpoint: str, token: str, ids: tuple[int, int], max_requests: int, login: str | None, cursor: str | None
) -> str:
    run_id = secrets.randbelow(2**30)
    head = _LUA_HEAD.format(max_requests=max_requests, run_id=run_id, low=ids[0], high=ids[1], threads=THREADS)
    headers = f'headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}\n'
    body = f"body = {json.dumps(BODY)}\nupdate_body = {json.dumps(UPDATE_BODY)}\n"
    form = ""
    if login:
        email, _, password = login.partition(":")
        form = (
            'form_headers = {["Content-Type"] = "application/x-www-form-urlencoded"}\n'
            f'form = "username={email}&password={password}"\n'
        )
    if endpoint == "deep" and cursor is None:
        raise ValueError("the deep page needs the cursor of its app's middle row")
    return head + headers + body + form + _LUA_REQUEST[endpoint].format(prefix=PREFIX, cursor=cursor) + "\n"


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(endpoint: str, output: str) -> Result:
    """Read wrk's `--latency` report."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"\n\s+50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"\n\s+99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    return Result(endpoint, requests, rps, p50, p99, errors)


def run(
    base_url: str,
    token: str,
    endpoint: str,
    *,
    duration: int = 15,
    connections: int = 32,
    ids: tuple[int, int] = (1, 1),
    max_requests: int = 1_000_000,
    login: str | None = None,
    cursor: str | None = None,
) -> Result:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / f"{endpoint}.lua"
        script.write_text(_script(endpoint, token, ids, max_requests, login, cursor))
        command = [wrk, f"-t{THREADS}", f"-c{connections}", f"-d{duration}s", f"--timeout={TIMEOUT}s"]
        command += ["--latency", "-s", str(script), base_url]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    return parse(endpoint, output)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("endpoint", choices=sorted(_LUA_REQUEST))
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--ids", default="1:1", help="LOW:HIGH")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per wrk thread")
    parser.add_argument("--login", help="EMAIL:PASSWORD, for the login endpoint")
    parser.add_argument("--cursor", help="for the deep endpoint: a `next` cursor the app gave out")
    args = parser.parse_args()
    low, _, high = args.ids.partition(":")
    result = run(
        args.base_url,
        args.token,
        args.endpoint,
        duration=args.duration,
        connections=args.connections,
        ids=(int(low), int(high)),
        max_requests=args.max_requests,
        login=args.login,
        cursor=args.cursor,
    )
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
