"""A small, bounded load generator: threads + http.client against 127.0.0.1 only.

    python bench/load.py --port 8200 --username village_monitor --path /households/ \
        --concurrency 16 --requests 2000 --seconds 30

Logs in through the real login form (so the session cookie is a real one) and
then keeps ``concurrency`` connections busy until ``requests`` are done or
``seconds`` have passed, whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import re
import threading
import time
import urllib.parse

from common import percentiles

HOST = "127.0.0.1"  # never anything else: this is not a tool for other people's servers


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf = _cookies(response)["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    conn.request(
        "POST",
        "/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    response = conn.getresponse()
    response.read()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        raise SystemExit(f"login as {username} failed: HTTP {response.status}")
    conn.close()
    return f"sessionid={session}; csrftoken={csrf}"


def hammer(
    *, port: int, path: str, cookie: str, concurrency: int, requests: int, seconds: float
) -> dict:
    lock = threading.Lock()
    issued = 0
    samples: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal issued
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while True:
            with lock:
                if issued >= requests or time.monotonic() > deadline:
                    break
                issued += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                status = repr(error)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    samples.append(elapsed)
                else:
                    errors.append(str(status))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    p50, p95 = percentiles(samples) if len(samples) > 1 else (0.0, 0.0)
    return {
        "path": path,
        "ok": len(samples),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "seconds": round(wall, 1),
        "rps": round(len(samples) / wall, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--username", default="village_monitor")
    parser.add_argument("--password", default="Suixi@2021")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    cookie = login(args.port, args.username, args.password)
    print(
        hammer(
            port=args.port,
            path=args.path,
            cookie=cookie,
            concurrency=min(args.concurrency, 64),
            requests=args.requests,
            seconds=min(args.seconds, 300),
        )
    )


if __name__ == "__main__":
    main()
