"""`scripts/run.sh` stops within seconds: the web server, the background worker with all its
processes, and the embedded PostgreSQL, whether it gets Ctrl+C or a TERM sent to its process
group (what a terminal, a job control or a service manager sends).

django-q2's cluster used to hang here for minutes (see the comment in scripts/run.sh)."""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from argo_docs.embedded_db import stop as stop_embedded

pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)
STOP_WITHIN = 15.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def var_dir():
    # under the project's var/: the embedded server's system user must reach the folder
    folder = ROOT / "var" / "test-run" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    yield folder
    stop_embedded(folder / "pgdata")
    shutil.rmtree(folder, ignore_errors=True)


def _like_a_terminal():
    # a shell started from a terminal has the default Ctrl+C action, whatever ours inherited
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _start(var_dir: Path, port: int) -> subprocess.Popen:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PORT=str(port), ARGO_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    log = open(var_dir / f"run-{port}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as in a terminal
        preexec_fn=_like_a_terminal,
    )


def _wait_for_first_page(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 300  # first start: initdb, migrations, demo data
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                if page.status == 200 and "Арго Документы" in page.read().decode():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("the app did not answer:\n" + log.read_text())


def _everything(process: subprocess.Popen, pgdata: Path) -> list[psutil.Process]:
    root = psutil.Process(process.pid)
    found = [root, *root.children(recursive=True)]
    pid_file = pgdata / "postmaster.pid"
    assert pid_file.exists(), "the embedded PostgreSQL is not running"
    postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
    found += [postmaster, *postmaster.children(recursive=True)]
    return found


def _alive(processes: list[psutil.Process]) -> list[str]:
    alive = []
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{proc.pid} {' '.join(proc.cmdline()[:4])}")
        except psutil.NoSuchProcess:
            continue
    return alive


@pytest.mark.parametrize(
    "signum",
    [signal.SIGTERM, signal.SIGINT],
    ids=["TERM to the process group", "Ctrl+C"],
)
def test_run_script_stops_everything_within_15_seconds(var_dir, signum):
    """GIVEN `scripts/run.sh` without DATABASE_URL (embedded PostgreSQL in a fresh folder) on a
    free port WHEN the first page has answered and the script's process group gets TERM, or
    Ctrl+C THEN the server, every process of the worker and PostgreSQL are gone within 15 s,
    and the worker logged a clean stop."""
    port = _free_port()
    log = var_dir / f"run-{port}.log"
    process = _start(var_dir, port)
    try:
        _wait_for_first_page(process, port, log)
        time.sleep(3)  # the worker is up and polling
        processes = _everything(process, var_dir / "pgdata")
        names = " ".join(" ".join(p.cmdline()) for p in processes)
        assert "qcluster" in names and "runserver" in names and "postgres" in names
        started = time.monotonic()
        os.killpg(process.pid, signum)
        while _alive(processes) and time.monotonic() - started < STOP_WITHIN:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        assert not _alive(processes), f"still running after {elapsed:.1f} s: {_alive(processes)}"
        print(f"run.sh stopped in {elapsed:.1f} s after {signal.Signals(signum).name}")
        output = log.read_text()
        assert "did not stop in 10 s" not in output
        worker_log = (var_dir / "log" / "worker.log").read_text()
        assert worker_log.rstrip().endswith("остановлен."), worker_log[-500:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for proc in psutil.process_iter(["cmdline"]):
            if str(var_dir) in " ".join(proc.info["cmdline"] or []):
                proc.kill()
