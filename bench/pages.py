"""Response times of the big pages through gunicorn, for each measured role.

    python bench/pages.py [--seconds 20] [--requests 50] [--only incoming,kanban] [--roles office]

Run it on a database filled by ``bench/scale.py`` (DATABASE_URL). It starts gunicorn (2 workers,
DEBUG off) on a free port with the bench-only bare view routed (ARGO_BENCH_URLS), logs in as
``director``, ``office``, ``head`` and ``employee`` (password ``argo-bench``) through the login
form, and for every page prints: p50/p95 of sequential requests (--requests, at most
--budget seconds each), then req/s and p95 at 8 concurrent connections for --seconds (wrk when
installed, else a thread pool), and the ratio of the bare view's req/s to the page's. Pages a
role may not open (status other than 200) are listed with their status. Asserts nothing; the
last line is ``worst p95 ms: N`` (single requests, over every page and role).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("director", "office", "head", "employee")
PASSWORD = "argo-bench"
CONNECTIONS = 8
SUBJECT_WORD = "кровли"

# (key, label, path); {counterparty} is filled in from the database
PAGES = [
    ("incoming", "incoming register, first page", "/letters/incoming/"),
    ("incoming_p2000", "incoming register, page 2000", "/letters/incoming/?page=2000"),
    ("incoming_last", "incoming register, last page", "/letters/incoming/?page=last"),
    ("incoming_subject", "incoming search: subject word", f"/letters/incoming/?q={SUBJECT_WORD}"),
    ("incoming_counterparty", "incoming filter: counterparty", "{counterparty}"),
    ("incoming_counterparty_name", "incoming search: counterparty name", "{counterparty_name}"),
    ("outgoing", "outgoing register, first page", "/letters/outgoing/"),
    ("inbox", "«Мои задания»", "/tasks/"),
    ("inbox_team", "«Задания подчинённых»", "/tasks/?tab=team"),
    ("kanban", "contracts kanban", "/contracts/kanban/"),
    ("kpi", "contracts KPI", "/contracts/kpi/"),
    ("crm", "CRM company list", "/crm/"),
    ("crm_search", "CRM search", "/crm/?q=меридиан"),
    ("search", "/search/", f"/search/?q={SUBJECT_WORD}"),
    ("control", "/control/", "/control/"),
]
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP95 %d\\n", latency:percentile(50), latency:percentile(95)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int):
        self.port = port
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="argo_docs.settings.base",
            DJANGO_DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY", "bench-pages-not-a-secret"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            ARGO_HTTPS="false",
            ARGO_BENCH_URLS="true",
            # a page slower than this is reported as a timeout; its query must not live on
            PGOPTIONS="-c statement_timeout=60s",
        )
        # DEBUG off serves hashed static names: the manifest must exist
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "argo_docs.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            # refused pages (403 for a role) log tracebacks; keep them out of the table
            stderr=open(Path(tempfile.gettempdir()) / "bench-pages-gunicorn.log", "w"),  # noqa: SIM115
        )
        for _ in range(300):
            try:
                if request(port, "/healthz/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def request(port: int, path: str, cookie: str = "", method: str = "GET", body: str = ""):
    """One request on its own connection (gunicorn's sync workers close it after each)."""
    path = urllib.parse.quote(path, safe="/?=&%")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=75)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}/login/"
    connection.request(method, path, body=body.encode(), headers=headers)
    response = connection.getresponse()
    data = response.read()
    cookies = response.headers.get_all("Set-Cookie") or []
    connection.close()
    return response.status, data, cookies


def _cookie(cookies: list[str], name: str) -> str:
    for c in cookies:
        if c.startswith(name + "="):
            return c.split(";", 1)[0].split("=", 1)[1]
    return ""


def login(port: int, username: str) -> str:
    _status, page, cookies = request(port, "/login/")
    csrf = _cookie(cookies, "csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    status, _data, cookies = request(port, "/login/", f"csrftoken={csrf}", "POST", body)
    session = _cookie(cookies, "sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"login as {username} failed ({status})")
    return f"csrftoken={csrf}; sessionid={session}"


def sequential(port: int, path: str, cookie: str, count: int, budget: float):
    timings, status = [], 200
    started = time.monotonic()
    for _ in range(count):
        t = time.perf_counter()
        try:
            status = request(port, path, cookie)[0]
        except OSError:  # gunicorn's timeout killed the worker, or ours expired
            return "timeout", timings
        timings.append((time.perf_counter() - t) * 1000)
        if status != 200 or time.monotonic() - started > budget:
            break
    return status, timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def concurrent(port: int, path: str, cookie: str, seconds: float) -> tuple[float, float]:
    """req/s and p95 ms at CONNECTIONS connections."""
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "60s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&%')}",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        os.unlink(script.name)
        for _ in range(2):  # wait for the requests wrk left in flight before measuring on
            request(port, "/bench/bare/")
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p95 = int(re.search(r"P95 (\d+)", out).group(1)) / 1000
        return rate, p95
    timings: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            t = time.perf_counter()
            request(port, path, cookie)
            with lock:
                timings.append((time.perf_counter() - t) * 1000)

    started = time.monotonic()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        for _ in range(CONNECTIONS):
            pool.submit(worker)
    return len(timings) / (time.monotonic() - started), percentile(timings, 95)


def counterparty_paths(port: int, cookie: str) -> dict[str, str]:
    """The register filtered by the counterparty with the most letters: by its id (the picker's
    filter) and by its name typed into the search box."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.name FROM crm_counterparty c JOIN correspondence_incomingletter l "
            "ON l.counterparty_id = c.id GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1"
        )
        pk, name = cursor.fetchone()
    word = name.split("«", 1)[-1].rstrip("»")
    by_name = "/letters/incoming/?q=" + urllib.parse.quote(word)
    page = request(port, "/letters/incoming/", cookie)[1]
    has_picker = b'name="counterparty_q"' in page or b'name="counterparty"' in page
    return {
        "{counterparty}": f"/letters/incoming/?counterparty={pk}" if has_picker else by_name,
        "{counterparty_name}": by_name,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--budget", type=float, default=30, help="seconds of sequential requests")
    parser.add_argument("--only", default="", help="page keys, comma-separated")
    parser.add_argument("--roles", default=",".join(ROLES))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argo_docs.settings.base")
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret")
    import django

    django.setup()
    only = {k for k in args.only.split(",") if k}
    pages = [p for p in PAGES if not only or p[0] in only]
    roles = [r for r in args.roles.split(",") if r]
    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[0]}", flush=True)
    server = Server(free_port())
    rows, worst = [], 0.0
    try:
        port = server.port
        cookies = {role: login(port, role) for role in roles}
        for _ in range(20):  # warm both workers
            request(port, "/bench/bare/")
        bare_status, bare_seq = sequential(port, "/bench/bare/", "", args.requests, args.budget)
        bare_rate, bare_p95c = concurrent(port, "/bench/bare/", "", args.seconds)
        rows.append(
            (
                "bare Django view",
                "-",
                statistics.median(bare_seq),
                percentile(bare_seq, 95),
                bare_rate,
                bare_p95c,
                1.0,
                len(bare_seq),
            )
        )
        print(f"bare view: {bare_rate:.0f} req/s", flush=True)
        for _key, label, path in pages:
            for role in roles:
                cookie = cookies[role]
                if path.startswith("{"):
                    path = counterparty_paths(port, cookie)[path]
                status, timings = sequential(port, path, cookie, args.requests, args.budget)
                if status != 200:  # 403/404: a page this role may not open
                    rows.append((label, role, None, None, None, None, None, status))
                    print(f"{label} / {role}: status {status}", flush=True)
                    continue
                rate, p95c = concurrent(port, path, cookie, args.seconds)
                p50, p95 = statistics.median(timings), percentile(timings, 95)
                worst = max(worst, p95)
                rows.append(
                    (
                        label,
                        role,
                        p50,
                        p95,
                        rate,
                        p95c,
                        bare_rate / rate if rate else 0,
                        len(timings),
                    )
                )
                print(
                    f"{label} / {role}: p50 {p50:.0f} p95 {p95:.0f} ms, {rate:.1f} req/s",
                    flush=True,
                )
    finally:
        server.stop()
    print()
    print("| page | role | p50 ms | p95 ms | n | req/s at 8 | p95 ms at 8 | bare/page |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, role, p50, p95, rate, p95c, ratio, n in rows:
        if p50 is None:
            print(f"| {label} | {role} | status {n} | | | | | |")
            continue
        print(
            f"| {label} | {role} | {p50:.1f} | {p95:.1f} | {n} | {rate:.1f} | {p95c:.1f} | "
            f"{ratio:.1f} |"
        )
    with open("/proc/loadavg") as f:
        print(f"load average after: {f.read().split()[0]}")
    print(f"worst p95 ms: {worst:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
