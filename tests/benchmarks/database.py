"""The benchmark's own database on the server ``DATABASE_URL`` points to, and Django set up on it."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = BASE_DIR / "var" / "bench"
RUNTIME_DIR = BENCH_DIR / "runtime"


@contextmanager
def exclusive_run() -> Iterator[None]:
    """One benchmark run at a time: runs share the database and var/bench/runtime/ (a second run
    would drop the first one's database and secret key) and would skew each other's timings."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    with (BENCH_DIR / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another benchmark run is in progress: waiting for it to finish …", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def url_for_database(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def _maintenance_connection(url: str) -> psycopg.Connection:
    config = environ.Env.db_url_config(url)
    return psycopg.connect(
        host=unquote(config.get("HOST") or "") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def database_recreate(*, url: str, name: str) -> str:
    """Drop ``name`` if a crashed run left it behind, create it empty; return its URL."""
    if name == environ.Env.db_url_config(url)["NAME"]:
        raise SystemExit(f"refusing to benchmark in {name!r}: that is the database DATABASE_URL points to")
    with _maintenance_connection(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url_for_database(url, name)


def database_drop(*, url: str, name: str) -> None:
    with _maintenance_connection(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_version(url: str) -> str:
    with _maintenance_connection(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def environment(bench_url: str) -> dict[str, str]:
    """Environment of this process and of the gunicorn it starts: production settings on the bench database."""
    return {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "erp.settings",
        "DEBUG": "0",
        "ERP_VAR_DIR": str(RUNTIME_DIR),
        "LOG_LEVEL": "ERROR",
    }


def django_setup(bench_url: str) -> None:
    """Point this process at the bench database and start Django."""
    shutil.rmtree(RUNTIME_DIR, ignore_errors=True)
    RUNTIME_DIR.mkdir(parents=True)
    os.environ.update(environment(bench_url))
    import django

    django.setup()


def runtime_remove() -> None:
    shutil.rmtree(RUNTIME_DIR, ignore_errors=True)
