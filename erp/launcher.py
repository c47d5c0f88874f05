"""Start-up helpers behind `make run` and `make test`.

When ``DATABASE_URL`` is unset, an embedded PostgreSQL server (the ``pgserver``
wheel) is started with its data kept under ``var/pgdata``; it keeps running
between commands so a second ``make run`` finds its data again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
DATABASE_NAME = "erp"


SERVER_SETTINGS = {"max_connections": "200", "shared_buffers": "256MB"}


def _embedded_server():
    import logging
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    VAR_DIR.mkdir(exist_ok=True)
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    current = server.psql("SHOW max_connections;")
    if SERVER_SETTINGS["max_connections"] not in current:
        for name, value in SERVER_SETTINGS.items():
            server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "restart"], pgdata=PGDATA, user=server.system_user)
    return server


def _socket_dir(server) -> str:
    info = server.get_postmaster_info()
    return str(info.socket_dir)


def ensure_database_url() -> str:
    """Return DATABASE_URL, starting the embedded server first when it is unset."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    server = _embedded_server()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    url = f"postgres://postgres@{quote(_socket_dir(server), safe='')}/{DATABASE_NAME}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ERP_EMBEDDED_DB", "1")
    return url


def stop_embedded() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        print("The embedded PostgreSQL is not running.")
        return
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=user)
    print("Stopped the embedded PostgreSQL.")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR)


def run() -> None:
    """Migrate, load the demo tenant on first run, then serve web and worker until Ctrl+C."""
    ensure_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")
    port = os.environ.setdefault("PORT", "8000")
    _manage("erp_setup", "--demo")
    _manage("collectstatic", "--noinput", "--verbosity", "0")
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "erp.wsgi",
                "--bind",
                f"0.0.0.0:{port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "2"),
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            cwd=BASE_DIR,
        ),
        subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "run_huey", "--quiet"], cwd=BASE_DIR),
    ]
    time.sleep(1.5)
    _manage("erp_urls", "--port", port)

    def stop(*_args) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            process.wait(timeout=20)


def test(args: list[str]) -> int:
    ensure_database_url()
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=BASE_DIR)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "url"
    if command == "run":
        run()
        return 0
    if command == "test":
        return test(argv[1:])
    if command == "bench":
        ensure_database_url()
        return subprocess.call([sys.executable, "-m", "tests.benchmarks", *argv[1:]], cwd=BASE_DIR)
    if command == "stop":
        stop_embedded()
        return 0
    if command == "url":
        print(ensure_database_url())
        return 0
    print(f"unknown command {command!r}: use run, test, bench, stop or url", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
