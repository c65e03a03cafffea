"""The embedded PostgreSQL launcher, run in a throw-away data folder."""

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from argo_docs.embedded_db import stop

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import uuid
from pathlib import Path
import psycopg
from argo_docs.embedded_db import database_settings, stop
data = Path(sys.argv[1])
settings = database_settings(data, name="argo_probe")
with psycopg.connect(host=settings["HOST"], user="postgres", dbname="argo_probe") as c:
    c.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
    c.execute("INSERT INTO kept VALUES (1)")
    print(c.execute("SELECT count(*) FROM kept").fetchone()[0])
    print(c.execute("SHOW server_version").fetchone()[0].split(".")[0])
if sys.argv[2:] == ["stop"]:
    stop(data)
"""


def _run(data_dir: Path, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture
def data_dir():
    # under var/ rather than /tmp: the server's system user must be able to reach the folder
    folder = ROOT / "var" / "test-embedded" / uuid.uuid4().hex
    folder.parent.mkdir(parents=True, exist_ok=True)
    yield folder
    stop(folder)
    shutil.rmtree(folder, ignore_errors=True)


def test_data_survives_a_restart_and_a_damaged_pid_file(data_dir):
    """GIVEN no DATABASE_URL WHEN the app starts, stops, and starts again
    THEN it runs on PostgreSQL 18 and finds the rows it wrote before; a pid file the library
    left empty (a killed process) does not stop the next start."""
    assert _run(data_dir, "stop") == ["1", "18"]
    (data_dir / ".handle_pids.json").write_text("")
    assert _run(data_dir) == ["2", "18"]  # started again, same data
    assert _run(data_dir, "stop") == ["3", "18"]  # reused the running server
