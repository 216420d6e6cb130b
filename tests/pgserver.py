"""Throwaway PostgreSQL + PostGIS servers for tests.

:func:`postgres_server` runs ``initdb`` in a temporary folder, starts the server on a free
loopback port and yields the URL of a database owned by the non-superuser role ``beatmap``, in
which the superuser ``postgres`` has created the ``postgis`` extension (as an administrator
would). :class:`PgCluster` also makes more databases, and stops and restarts the server so tests
can take it away mid-session.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def pg_bindir() -> Path | None:
    """Folder with initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)
        cand = Path(out.stdout.strip())
        if (cand / "initdb").exists():
            return cand
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    return None


def postgis_available() -> bool:
    """True when the PostGIS extension files are installed for the server found."""
    bindir = pg_bindir()
    if bindir is None:
        return False
    version = bindir.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1."""

    def __init__(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="beatmap-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self._prefix = ["runuser", "-u", "postgres", "--"] if self._as_root else []
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._env = {**os.environ, "LC_ALL": "C.UTF-8"}
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self.psql("postgres", "CREATE ROLE beatmap LOGIN PASSWORD 'beatmap'")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self._prefix, str(self.bindir / tool), *args],
            check=check,
            capture_output=True,
            env=self._env,
            text=True,
        )

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        opts += " -c max_connections=200"
        # -w waits until the server accepts connections (pg_ctl's own readiness check)
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-w", "-l", str(self.root / "log"),
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def psql(self, database: str, sql: str) -> str:
        out = self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql,
        )  # fmt: skip
        return out.stdout.strip()

    def create_database(self, name: str | None = None, *, postgis: bool = True) -> str:
        """A new database owned by ``beatmap`` (with PostGIS); returns the app's URL."""
        name = name or f"beatmap{next(self._names)}"
        self.psql("postgres", f"CREATE DATABASE {name} OWNER beatmap")
        if postgis:
            self.psql(name, "CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def url(self, name: str = "beatmap", *, user: str = "beatmap") -> str:
        return f"postgresql://{user}:{user}@127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a PostgreSQL server on 127.0.0.1 and yield the URL of a PostGIS database."""
    cluster = PgCluster()
    try:
        yield cluster.create_database("beatmap", postgis=postgis_available())
    finally:
        cluster.close()


def need_postgis() -> None:
    """Skip the test when PostgreSQL or PostGIS is not installed."""
    if pg_bindir() is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if not postgis_available():
        pytest.skip("PostGIS not installed (apt-get install postgresql-15-postgis-3)")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL+PostGIS cluster per test session (each test makes its own database)."""
    need_postgis()
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    """A fresh, empty database URL: a SQLite file, then a PostgreSQL+PostGIS database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'beatmap.sqlite'}"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()
