"""The store: the model's tables in a SQL database through SQLAlchemy 2.

Two backends, one schema:

* **SQLite** (the embedded default): one file in WAL mode. Geometry is portable WKB in a binary
  column. Writers take the write lock up front (``BEGIN IMMEDIATE``) and wait for each other
  (busy timeout, then retries), so a tap never fails with "database is locked"; a large import
  is first staged in a temporary table and then copied in one short transaction.
* **PostgreSQL + PostGIS** (the server store, several app servers): spatial columns are PostGIS
  ``geometry(<type>, 4326)`` with GiST indexes, so QGIS and ``geopandas.read_postgis`` open the
  tables directly; ids come from identity columns. A plain ``postgresql://`` URL uses psycopg 3.

Ids always come from the database, never from the application. The schema is versioned with
Alembic (``geo/migrations``): opening a store upgrades it to the newest revision.

Reading a table into a (Geo)DataFrame and writing one back are single calls; every write is one
transaction, so a failed import changes nothing.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.engine import Connection, Engine

from geo._errors import BeatMapError, InputError, NotFoundError
from geo.model import TABLE_ORDER, TABLES, WGS84, Table, table

_SQL_TYPES = {
    "int": sa.Integer,
    "float": sa.Float,
    "str": sa.Text,
    "bool": sa.Boolean,
    "datetime": sa.DateTime,
    "date": sa.Date,
    "enum": sa.String(32),
}
#: PostGIS geometry type per model geometry kind (beats may be polygons or multipolygons)
POSTGIS_TYPES = {"point": "POINT", "polygon": "GEOMETRY"}
#: the client-made id of a visit write (a double tap or a retry writes one row)
REQUEST_ID_LENGTH = 64

metadata = sa.MetaData()


def geometry_type(kind: str) -> sa.types.TypeEngine:
    """WKB bytes on SQLite, ``geometry(<type>, 4326)`` on PostgreSQL."""
    pg = Geometry(geometry_type=POSTGIS_TYPES[kind], srid=4326, spatial_index=False)
    return sa.LargeBinary().with_variant(pg, "postgresql")


def _sql_table(tbl: Table) -> sa.Table:
    cols: list[sa.Column] = [sa.Column("id", sa.Integer, sa.Identity(), primary_key=True)]
    for f in tbl.fields:
        args = [sa.ForeignKey(f"{f.ref}.id")] if f.ref else []
        cols.append(
            sa.Column(f.name, _SQL_TYPES[f.kind], *args, nullable=not f.required, index=bool(f.ref))
        )
    if tbl.name == "visits":
        cols.append(sa.Column("request_id", sa.String(REQUEST_ID_LENGTH), nullable=True))
    if tbl.name == "households":  # its H3 cell (geo.hexes), computed by Store.write
        cols.append(sa.Column("h3", sa.BigInteger, nullable=True, index=True))
    if tbl.geometry:
        cols.append(sa.Column("geometry", geometry_type(tbl.geometry), nullable=False))
    return sa.Table(tbl.name, metadata, *cols)


SQL_TABLES: dict[str, sa.Table] = {name: _sql_table(TABLES[name]) for name in TABLE_ORDER}
META = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: each household's visit status over the whole campaign, kept up to date as visits are written
#: (households never called on have no row): the Coverage figures read this, not the visits
VISIT_STATUS = sa.Table(
    "visit_status",
    metadata,
    sa.Column("household_id", sa.Integer, sa.ForeignKey("households.id"), primary_key=True),
    sa.Column("beat_id", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("visited_by", sa.Integer, nullable=True),
    sa.Column("first_visited_at", sa.DateTime, nullable=True),
    sa.Column("last_attempt_at", sa.DateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Index("ix_visit_status_beat_status", "beat_id", "status", "visited_by"),
    sa.Index("ix_visit_status_first", "first_visited_at", "beat_id", "visited_by"),
    sa.Index("ix_visit_status_by", "visited_by", "first_visited_at"),
)
#: households per beat (beat_id NULL: households outside every beat), kept up to date by every
#: write of households, so the Coverage figures never count the households table
BEAT_HOUSEHOLDS = sa.Table(
    "beat_households",
    metadata,
    sa.Column("beat_id", sa.Integer, nullable=True, unique=True),
    sa.Column("households", sa.Integer, nullable=False),
)
#: households per H3 cell (geo.hexes.CELL_RESOLUTION), beat, rental or not, and status, kept up
#: to date with VISIT_STATUS, so the Coverage map counts its hexagons without reading households
CELL_STATUS = sa.Table(
    "cell_status",
    metadata,
    sa.Column("cell", sa.BigInteger, nullable=False),
    sa.Column("beat_id", sa.Integer, nullable=True),
    sa.Column("rental", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("households", sa.Integer, nullable=False),
    sa.Index("ix_cell_status_cell", "cell"),
    sa.Index("ix_cell_status_beat", "beat_id"),
)
#: visits per officer, day, beat, rental or not and outcome, with the first and last visit time
#: (seconds since 1970), kept up to date as visits are written: the Coverage page's visits per
#: evening, officer hours and campaign span read this, not the visits
VISIT_DAYS = sa.Table(
    "visit_days",
    metadata,
    sa.Column("officer_id", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("week", sa.Date, nullable=False),
    sa.Column("beat_id", sa.Integer, nullable=True),
    sa.Column("rental", sa.Boolean, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("visits", sa.Integer, nullable=False),
    sa.Column("first_s", sa.Float, nullable=False),
    sa.Column("last_s", sa.Float, nullable=False),
    # covering: officer hours per week and visits per day are read from the index alone
    sa.Index("ix_visit_days_officer", "officer_id", "week", "day", "visits", "first_s", "last_s"),
    sa.Index("ix_visit_days_day", "day", "outcome", "visits"),
    # the same for one beat or station (the page's beat filter, a chief's scope)
    sa.Index("ix_visit_days_beat_day", "beat_id", "day", "outcome", "visits"),
    sa.Index(
        "ix_visit_days_beat_officer",
        "beat_id",
        "officer_id",
        "week",
        "day",
        "visits",
        "first_s",
        "last_s",
    ),
)
#: meta key set while a large import's counts are being brought up to date (Store.refresh_stale)
STALE_KEY = "counts_stale"
#: from this many households touched, the status table is rebuilt whole
REFRESH_ALL_FROM = 2_000

MIGRATIONS = Path(__file__).parent / "migrations"

#: how long a SQLite writer waits for the write lock before a retry (milliseconds)
BUSY_TIMEOUT_MS = 10_000
#: page cache per SQLite connection, in MB (allocated as pages are read, up to this)
SQLITE_CACHE_MB = int(os.environ.get("BEATMAP_SQLITE_CACHE_MB", "64"))
#: attempts of one write when the database stays locked or the connection drops
WRITE_ATTEMPTS = 6
#: rows from which a SQLite import is staged in a temporary table before taking the lock
STAGE_ROWS = 20_000
#: may a Store create a missing SQLite file when not told (the command line turns this off)
CREATE_MISSING = True
#: PostgreSQL pool: Streamlit runs one thread per session; this many connections are kept
POOL_SIZE = int(os.environ.get("BEATMAP_DB_POOL", "10"))


class StoreError(BeatMapError, RuntimeError):
    """The database cannot be opened or reached (missing, corrupt, read-only, full, down)."""


def _sqlite_connect(dbapi_conn, _record) -> None:
    # the driver's own transaction handling is off: BEGIN comes from the "begin" event below
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # a page cache of SQLITE_CACHE_MB (default 2 MB): a large import updates the visits'
    # indexes in place instead of re-reading pages, which halves the time it holds the lock
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024}")
    try:
        if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cur.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:
        pass  # a read-only file keeps its journal; writes then fail with a clear message
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.info["beatmap_locked"] = False
    conn.exec_driver_sql("BEGIN")


def lock_for_write(conn: Connection) -> None:
    """Take SQLite's write lock now, so the transaction writes without a busy-snapshot error.

    Inside a transaction that has only read so far, the read is ended (its checks are repeated
    by the database's own constraints) and ``BEGIN IMMEDIATE`` waits for other writers. A no-op
    on PostgreSQL and when the lock is already held.
    """
    if conn.dialect.name != "sqlite" or conn.info.get("beatmap_locked"):
        return
    conn.exec_driver_sql("COMMIT")
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    conn.info["beatmap_locked"] = True


def _sqlite_path(url: sa.engine.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database)


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``.

    SQLite files get WAL mode, a busy timeout, foreign keys, writers that take the lock up
    front, and (with ``create``) their folder made. A plain ``postgresql://`` URL uses the
    psycopg 3 driver with a pool sized for the app's session threads.

    Raises
    ------
    InputError
        ``url`` is not a database URL, or names a folder.
    StoreError
        ``create`` is false and the SQLite file does not exist.
    """
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise InputError(
            f"database URL {url!r} is not a valid SQLAlchemy URL; give a SQLite file path, "
            "sqlite:///path/to/beatmap.sqlite or postgresql://user:password@host/database"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            if path.is_dir():
                raise InputError(
                    f"database path {path} is a folder; give a file such as {path / 'beatmap.sqlite'}"
                )
            if not path.exists():
                if not create:
                    raise StoreError(
                        f"database {path} does not exist; check the path (--db or "
                        "BEATMAP_DATABASE_URL), or create a database with 'beatmap demo'"
                    )
                path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=2 * POOL_SIZE,
            pool_timeout=30,
            pool_recycle=1800,
        )
    return sa.create_engine(parsed, pool_pre_ping=True)


_T = TypeVar("_T")

_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "server closed the connection",
    "connection is closed",
    "terminating connection",
    "consuming input failed",
    "could not receive data",
    "connection refused",
    "connection timeout",
    "deadlock detected",
    "could not serialize",
)


def is_transient(exc: BaseException) -> bool:
    """True for errors a retry can cure: a locked SQLite file, a dropped server connection."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) and any(
        t in text for t in _TRANSIENT
    )


def retrying(fn: Callable[[], _T], *, attempts: int = WRITE_ATTEMPTS) -> _T:
    """Run ``fn`` (one whole transaction) again while it fails with a transient error."""
    delay = 0.05
    for attempt in range(attempts):
        try:
            return fn()
        except sa.exc.DBAPIError as exc:
            if attempt == attempts - 1 or not is_transient(exc):
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")  # pragma: no cover


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database schema to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (the newest when several heads), or None."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    if not heads:
        return None
    return max(heads)


class Store:
    """The BeatMap database.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``sqlite:///data/beatmap.sqlite`` or
        ``postgresql://user:pw@host/beatmap``.
    migrate : bool
        Create or upgrade the schema on open (default).
    create : bool, optional
        May a SQLite file that does not exist be created? Default :data:`CREATE_MISSING`: true
        in the app (its first start makes the database), false in the command line except
        ``beatmap demo``, so a mistyped path is refused instead of becoming an empty database.

    Raises
    ------
    StoreError
        The database is missing, corrupt, read-only, on a full disk, or its server is down; the
        message says which and what to do.
    """

    def __init__(self, url: str, *, migrate: bool = True, create: bool | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, create=CREATE_MISSING if create is None else create)
        if migrate:
            try:
                retrying(lambda: upgrade(self.engine))
            except Exception as exc:
                friendly = store_error(exc, self.engine.url)
                self.engine.dispose()
                if friendly is None:
                    raise
                raise friendly from exc
            self.refresh_stale()  # finish a recount an interrupted import left

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: everything written inside commits together or not at all.

        On SQLite the write lock is taken at the first write (:func:`lock_for_write`), so reads
        and checks inside do not hold other writers off.
        """
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def faults(self) -> Iterator[None]:
        """Turn a database fault (corrupt, read-only, full, server down) into a StoreError."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            friendly = store_error(exc, self.engine.url)
            if friendly is None:
                raise
            raise friendly from exc

    def write_transaction(self, fn: Callable[[Connection], _T], *, lock_first: bool = True) -> _T:
        """Run ``fn(conn)`` in one write transaction, again while the database is busy.

        The transaction holds the write lock from its start (SQLite) and is retried whole on a
        locked file or a dropped server connection, so a writer waits rather than fails.
        ``lock_first=False``: ``fn`` takes the lock itself (:func:`lock_for_write`) once it has
        prepared its rows, so the lock is held only while they are written.
        """

        def once() -> _T:
            with self.engine.begin() as conn:
                if lock_first:
                    lock_for_write(conn)
                return fn(conn)

        try:
            return retrying(once)
        except sa.exc.DBAPIError as exc:
            friendly = store_error(exc, self.engine.url)
            if friendly is None:
                raise
            raise friendly from exc

    # -- reading -----------------------------------------------------------------------------

    def read(
        self,
        name: str,
        *,
        columns: list[str] | None = None,
        where: sa.ColumnElement | None = None,
        conn: Connection | None = None,
        station_ids: Sequence[int] | None = None,
        beat_ids: Sequence[int] | None = None,
        start: object = None,
        end: object = None,
        within: shapely.Geometry | None = None,
        scope: object = None,
    ) -> pd.DataFrame:
        """Read table ``name`` into a DataFrame (a GeoDataFrame in WGS-84 for spatial tables).

        Every filter runs in the database: only the rows asked for are read.

        Parameters
        ----------
        name : str
            Table name.
        columns : list of str, optional
            Read only these fields (``id`` and, for spatial tables, ``geometry`` always come).
        where : SQLAlchemy expression, optional
            Filter, e.g. ``SQL_TABLES["households"].c.beat_id == 3``.
        station_ids, beat_ids : sequence of int, optional
            Keep the rows of these stations / beats (through the household or beat a row
            belongs to).
        start, end : datetime-like, optional
            Keep rows dated on or after ``start`` and before ``end`` (visits, surveys,
            incidents, camera installs, mediations).
        within : shapely geometry, optional
            Keep rows whose geometry intersects this WGS-84 shape (a PostGIS predicate on
            PostgreSQL; on SQLite the shape's bounding box in SQL is not available, so the
            rows are read and kept with shapely).
        scope : geo.auth.Scope, optional
            Keep what this user may see (``scope.where(name)``).
        """
        tbl = table(name)
        sql = SQL_TABLES[name]
        if columns is not None:
            unknown = sorted(set(columns) - set(tbl.columns))
            if unknown:
                raise InputError(f"table {name!r} has no columns {unknown}; allowed: {tbl.columns}")
            tbl = _subset(tbl, columns)
        stmt = sa.select(*[sql.c[c] for c in tbl.columns]).order_by(sql.c.id)
        conditions = [where] if where is not None else []
        conditions += filters(
            name, station_ids=station_ids, beat_ids=beat_ids, start=start, end=end
        )
        if scope is not None:
            clause = scope.where(name)
            if clause is not None:
                conditions.append(clause)
        spatial_in_python = False
        if within is not None:
            if not table(name).geometry:
                raise InputError(f"table {name!r} has no geometry to filter by 'within'")
            if self.backend == "postgresql":
                shape = sa.func.ST_GeomFromText(sa.literal(shapely.to_wkt(within)), 4326)
                conditions.append(sa.func.ST_Intersects(sql.c.geometry, shape))
            else:
                spatial_in_python = True
        for clause in conditions:
            stmt = stmt.where(clause)
        # driver-level rows: no per-value processing; _typed converts whole columns
        compiled = stmt.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True})
        if conn is None:
            with self.faults(), self.engine.connect() as c:
                rows = c.exec_driver_sql(str(compiled)).fetchall()
        else:
            rows = conn.exec_driver_sql(str(compiled)).fetchall()
        keys = tbl.columns
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(keys)
        df = pd.DataFrame({k: pd.Series(c, dtype=object) for k, c in zip(keys, cols, strict=True)})
        out = _typed(tbl, df)
        if spatial_in_python and len(out):
            out = out[out.geometry.intersects(within)].reset_index(drop=True)
        return out

    def count(self, name: str) -> int:
        """Number of rows of table ``name``."""
        sql = SQL_TABLES[table(name).name]
        with self.faults(), self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(sql)).scalar_one())

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: self.count(name) for name in TABLE_ORDER}

    def is_empty(self) -> bool:
        """True when no table has a row."""
        return not any(self.counts().values())

    def max_id(self, name: str, conn: Connection | None = None) -> int:
        sql = SQL_TABLES[name]
        stmt = sa.select(sa.func.max(sql.c.id))
        if conn is None:
            with self.engine.connect() as c:
                value = c.execute(stmt).scalar_one()
        else:
            value = conn.execute(stmt).scalar_one()
        return int(value or 0)

    def ids(self, name: str, conn: Connection | None = None) -> np.ndarray:
        sql = SQL_TABLES[name]
        stmt = sa.select(sql.c.id)
        if conn is None:
            with self.engine.connect() as c:
                return np.array(c.execute(stmt).scalars().all(), dtype=np.int64)
        return np.array(conn.execute(stmt).scalars().all(), dtype=np.int64)

    # -- writing -----------------------------------------------------------------------------

    def write(
        self,
        name: str,
        df: pd.DataFrame,
        *,
        mode: str = "append",
        conn: Connection | None = None,
        _deferred: list | None = None,
    ) -> np.ndarray:
        """Write a validated frame to table ``name`` in one transaction.

        Parameters
        ----------
        name : str
            Table name.
        df : DataFrame or GeoDataFrame
            Columns as :func:`geo.model.validate` returns them. Rows without an ``id`` get ids
            from the database (its sequence on PostgreSQL; the next rowids under the write lock
            on SQLite), so concurrent writers never collide.
        mode : {"append", "replace"}
            ``replace`` deletes the table's rows first (and fails if other tables refer to them).
        conn : Connection, optional
            Write inside this open transaction instead of a new one.

        Returns
        -------
        numpy.ndarray
            The ids of the written rows, in order.
        """
        if mode not in ("append", "replace"):
            raise InputError(f"mode must be 'append' or 'replace', got {mode!r}")
        if conn is None:
            deferred: list = []
            # write() converts and stages the rows before it takes the lock
            ids = self.write_transaction(
                lambda c: self.write(name, df, mode=mode, conn=c, _deferred=deferred),
                lock_first=False,
            )
            if deferred:
                self.refresh_stale(deferred[-1])
            return ids
        tbl = table(name)
        sql = SQL_TABLES[name]
        sqlite = conn.dialect.name == "sqlite"
        df = df.reset_index(drop=True)
        n = len(df)
        given = pd.array(df["id"] if "id" in df.columns else [pd.NA] * n, dtype="Int64")
        missing = np.asarray(given.isna(), dtype=bool)
        columns: dict[str, list] = {}
        for f in tbl.fields:
            columns[f.name] = (
                _to_python(df[f.name], f.kind, sqlite=sqlite)
                if f.name in df.columns
                else [None] * n
            )
        for c in sql.columns:  # store-only columns such as visits.request_id
            if c.name not in tbl.columns and c.name != "id" and c.name in df.columns:
                columns[c.name] = _to_python(df[c.name], "str")
        if tbl.geometry and n:
            geom = df.geometry.values if isinstance(df, gpd.GeoDataFrame) else df["geometry"]
            columns["geometry"] = shapely.to_wkb(np.asarray(geom), hex=False).tolist()
            if name == "households":
                columns["h3"] = household_cells(np.asarray(geom))
        keys = ["id", *columns]
        stage = None
        if sqlite and n >= STAGE_ROWS:
            # copy the rows into a temporary table first: that takes no lock on the database,
            # so the write below is one INSERT ... SELECT under the lock (the temporary table
            # outlives the read transaction lock_for_write ends)
            stage = f"beatmap_stage_{name}"
            position = np.full(n, None, dtype=object)
            position[missing] = np.arange(int(missing.sum()))
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{stage}")
            conn.exec_driver_sql(f"CREATE TEMP TABLE {stage} (_m, {', '.join(keys)})")
            id_given = [None if m else int(v) for m, v in zip(missing, given, strict=True)]
            conn.exec_driver_sql(
                f"INSERT INTO temp.{stage} VALUES ({', '.join('?' * (len(keys) + 1))})",
                list(zip(position.tolist(), id_given, *columns.values(), strict=True)),
            )
        lock_for_write(conn)
        if mode == "replace":
            if name in ("households", "visits"):
                conn.execute(VISIT_STATUS.delete())
                conn.execute(CELL_STATUS.delete())
                conn.execute(VISIT_DAYS.delete())
            conn.execute(sql.delete())
        ids = np.zeros(n, dtype=np.int64)
        ids[~missing] = np.asarray(given[~missing], dtype=np.int64)
        m = int(missing.sum())
        start = 0
        if m and sqlite:
            top = int(ids[~missing].max()) if (~missing).any() else 0
            start = max(self.max_id(name, conn), top) + 1
            ids[missing] = np.arange(start, start + m)
        elif m:
            seq = conn.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": name, "n": m},
            ).scalars()
            ids[missing] = np.fromiter(seq, dtype=np.int64, count=m)
        if stage is not None:
            cols = ", ".join(keys[1:])
            conn.exec_driver_sql(
                f"INSERT INTO main.{name} (id, {cols}) "
                f"SELECT COALESCE(id, ? + _m), {cols} FROM temp.{stage} ORDER BY rowid",
                (start,),
            )
            conn.exec_driver_sql(f"DROP TABLE temp.{stage}")
        elif n and sqlite:
            rows = list(zip(ids.tolist(), *columns.values(), strict=True))
            # the driver binds the values as converted above; this skips SQLAlchemy's
            # per-value processing, which dominates large imports
            marks = ", ".join("?" * len(keys))
            conn.exec_driver_sql(f"INSERT INTO {name} ({', '.join(keys)}) VALUES ({marks})", rows)
        elif n:
            values = {k: sa.bindparam(k) for k in keys if k != "geometry"}
            if "geometry" in keys:
                wkb = sa.bindparam("geometry", type_=sa.LargeBinary)
                values["geometry"] = sa.func.ST_GeomFromWKB(wkb, 4326)
            stmt = sa.insert(sql).values(values)
            rows = list(zip(ids.tolist(), *columns.values(), strict=True))
            conn.execute(stmt, [dict(zip(keys, r, strict=True)) for r in rows])
            if (~missing).any():
                # explicit ids: move the sequence past them
                conn.execute(
                    sa.text(
                        "SELECT setval(pg_get_serial_sequence(:t, 'id'), GREATEST("
                        f"(SELECT max(id) FROM {name}), "
                        "(SELECT last_value FROM pg_sequences WHERE schemaname = current_schema() "
                        f"AND sequencename = '{name}_id_seq')))"
                    ),
                    {"t": name},
                )
        if name == "visits" and n:
            touched = None if mode == "replace" else columns["household_id"]
            many = touched is not None and len(set(touched)) >= REFRESH_ALL_FROM
            if many and _deferred is not None:
                # a large import: its counts are brought up to date right after the commit,
                # in short transactions (refresh_stale), so ticks do not wait for a recount;
                # the mark makes a store left half-recounted finish on its next open
                self.set_meta({STALE_KEY: "1"}, conn=conn)
                _deferred.append(
                    (
                        sorted({int(h) for h in touched}),
                        sorted({str(t)[:10] for t in columns["visited_at"]}),
                    )
                )
            else:
                refresh_status(conn, touched)
        elif name == "households":
            if mode == "replace" and n:
                refresh_status(conn, None)
            elif n:
                refresh_cells(conn, ids.tolist())
            refresh_beat_households(conn)
        return ids

    def write_many(
        self,
        frames: Mapping[str, pd.DataFrame],
        *,
        mode: str = "append",
        meta: Mapping[str, str] | None = None,
    ) -> None:
        """Write several tables (and workspace metadata) in one transaction, parents first.

        With ``mode="replace"`` every table and the metadata are emptied first, so the store
        holds exactly ``frames`` afterwards, or is unchanged if anything fails.
        """

        def run(conn: Connection) -> None:
            if mode == "replace":
                conn.execute(VISIT_STATUS.delete())
                conn.execute(CELL_STATUS.delete())
                conn.execute(VISIT_DAYS.delete())
                conn.execute(BEAT_HOUSEHOLDS.delete())
                conn.execute(VISIT_DAYS.delete())
                for name in reversed(TABLE_ORDER):
                    conn.execute(SQL_TABLES[name].delete())
                conn.execute(META.delete())
            if meta:
                self.set_meta(meta, conn=conn)
            for name in TABLE_ORDER:
                if name in frames:
                    self.write(name, frames[name], mode="append", conn=conn)

        self.write_transaction(run)

    def refresh_stale(self, pending: tuple | None = None, *, chunk: int = 1_000) -> None:
        """Bring the count tables up to date after a large import, in short transactions.

        ``pending``: the imported visits' households and days; None recounts every household
        and day (a store whose recount was interrupted). Each transaction recounts ``chunk``
        households (their status and cells) or one day of visits, so ticks recorded meanwhile
        wait milliseconds, not the whole recount; each one's own write keeps its household
        right, and the recount of a household is the same whenever it runs.
        """
        if pending is None:
            if self.get_meta(STALE_KEY) != "1":
                return
            households = self.ids("households").tolist()
            v = SQL_TABLES["visits"]
            with self.faults(), self.engine.connect() as conn:
                days = [
                    str(d)[:10]
                    for d in conn.execute(
                        sa.select(sa.func.date(v.c.visited_at)).distinct()
                    ).scalars()
                ]
        else:
            households, days = pending
        for k in range(0, len(households), chunk):
            part = households[k : k + chunk]
            self.write_transaction(lambda c, part=part: refresh_status(c, part, days=False))
        for day in days:
            self.write_transaction(lambda c, day=day: refresh_days(c, days=[day]))
        self.write_transaction(lambda c: c.execute(META.delete().where(META.c.key == STALE_KEY)))

    def update(
        self,
        name: str,
        ids: np.ndarray,
        values: Mapping[str, object],
        *,
        conn: Connection | None = None,
    ) -> None:
        """Set the same ``values`` on the rows with ``ids`` (e.g. beat assignment)."""
        sql = SQL_TABLES[table(name).name]
        stmt = sql.update().where(sql.c.id.in_([int(i) for i in ids])).values(**values)
        if conn is None:
            self.write_transaction(lambda c: self.update(name, ids, values, conn=c))
            return
        lock_for_write(conn)
        conn.execute(stmt)
        if name == "households" and "beat_id" in values:
            refresh_status(conn, ids)
            refresh_beat_households(conn)
        elif name == "households" and "rental" in values:
            refresh_cells(conn, ids)
            refresh_days(conn, ids)

    def set_column(
        self,
        name: str,
        column: str,
        ids: np.ndarray,
        values: np.ndarray,
        *,
        conn: Connection | None = None,
    ) -> None:
        """Set ``column`` to a value per row (one statement, executemany)."""
        sql = SQL_TABLES[table(name).name]
        stmt = (
            sql.update().where(sql.c.id == sa.bindparam("_id")).values({column: sa.bindparam("_v")})
        )
        vals = pd.Series(values)
        kind = table(name).field(column).kind
        params = [
            {"_id": int(i), "_v": v} for i, v in zip(ids, _to_python(vals, kind), strict=True)
        ]
        if not params:
            return
        if conn is None:
            self.write_transaction(lambda c: self.set_column(name, column, ids, values, conn=c))
            return
        lock_for_write(conn)
        conn.execute(stmt, params)
        if name == "households" and column == "beat_id":
            refresh_status(conn, ids)
            refresh_beat_households(conn)
        elif name == "households" and column == "rental":
            refresh_cells(conn, ids)
            refresh_days(conn, ids)

    def clear(self) -> None:
        """Delete every row of every table (children first), in one transaction."""

        def run(conn: Connection) -> None:
            conn.execute(VISIT_STATUS.delete())
            conn.execute(CELL_STATUS.delete())
            conn.execute(BEAT_HOUSEHOLDS.delete())
            conn.execute(VISIT_DAYS.delete())
            for name in reversed(TABLE_ORDER):
                conn.execute(SQL_TABLES[name].delete())
            conn.execute(META.delete())

        self.write_transaction(run)

    # -- workspace metadata ------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(META.c.value).where(META.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, values: Mapping[str, str], *, conn: Connection | None = None) -> None:
        if conn is None:
            self.write_transaction(lambda c: self.set_meta(values, conn=c))
            return
        lock_for_write(conn)
        for key, value in values.items():
            conn.execute(META.delete().where(META.c.key == key))
            conn.execute(META.insert().values(key=key, value=str(value)))

    # -- backup ------------------------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """Copy a SQLite store to ``target`` consistently while the app runs.

        Uses SQLite's online backup API (one snapshot, safe while others write), checks the
        copy with ``PRAGMA integrity_check`` and only then moves it into place. For PostgreSQL
        use ``pg_dump``; this method refuses other backends with a clear message.
        """
        url = self.engine.url
        path = _sqlite_path(url)
        if path is None:
            raise InputError("backup() copies SQLite stores only; for PostgreSQL use pg_dump")
        if not path.is_file():
            raise StoreError(f"database {path} does not exist; nothing to back up")
        target = Path(target)
        if target.is_dir():
            target = target / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        try:
            src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
                check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
                src.close()
        except sqlite3.DatabaseError as exc:
            tmp.unlink(missing_ok=True)
            raise store_error(exc, url) or StoreError(f"backup of {path} failed: {exc}") from exc
        if check != "ok":
            tmp.unlink(missing_ok=True)
            raise StoreError(f"backup of {path} failed its integrity check: {check}")
        shutil.move(tmp, target)
        return target


def status_rows(
    *,
    household_ids: Sequence[int] | None = None,
    household_where: Sequence[sa.ColumnElement] = (),
    start: object = None,
    end: object = None,
    officer_ids: Sequence[int] | None = None,
) -> sa.Select:
    """The status rule in SQL: one row per household with a visit in the window.

    ``officer_ids``: count only the visits these officers made (the sidebar's officer filter).

    Columns ``household_id``, ``beat_id``, ``status`` (``visited`` once any visit found the
    family at home, else the last attempt's outcome), ``visited_by`` and ``first_visited_at``
    (the first successful visit), ``last_attempt_at``, ``attempts``. Households nobody called
    on have no row (their status is ``unvisited``).
    """
    hh = SQL_TABLES["households"]
    v = SQL_TABLES["visits"]

    def narrowed(t: sa.Table) -> list[sa.ColumnElement]:
        out = filters("visits", start=start, end=end)
        if t is not v:  # the same conditions on an alias of the visits
            out = [c for c in _on_alias(out, v, t)]
        if household_ids is not None:
            out.append(t.c.household_id.in_([int(i) for i in household_ids]))
        if household_where:
            out.append(t.c.household_id.in_(sa.select(hh.c.id).where(*household_where)))
        if officer_ids is not None:
            out.append(t.c.officer_id.in_([int(i) for i in officer_ids]))
        return out

    # one grouped pass over the visits, then two index seeks per household (its last attempt,
    # its first successful visit): window functions over every visit cost ten times more
    per = (
        sa.select(
            v.c.household_id,
            sa.func.max(v.c.visited_at).label("last_attempt_at"),
            sa.func.count().label("attempts"),
            sa.func.min(sa.case((v.c.outcome == "visited", v.c.visited_at))).label(
                "first_visited_at"
            ),
        )
        .where(*narrowed(v))
        .group_by(v.c.household_id)
        .subquery("per_household")
    )
    last, first = v.alias("last_visit"), v.alias("first_visit")
    last_outcome = (
        sa.select(last.c.outcome)
        .where(last.c.household_id == per.c.household_id, *narrowed(last))
        .order_by(last.c.visited_at.desc(), last.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    visited_by = (
        sa.select(first.c.officer_id)
        .where(
            first.c.household_id == per.c.household_id,
            first.c.outcome == "visited",
            *narrowed(first),
        )
        .order_by(first.c.visited_at, first.c.id)
        .limit(1)
        .scalar_subquery()
    )
    ok = per.c.first_visited_at.is_not(None)
    return sa.select(
        per.c.household_id,
        hh.c.beat_id,
        sa.case((ok, "visited"), else_=last_outcome).label("status"),
        sa.case((ok, visited_by)).label("visited_by"),
        per.c.first_visited_at,
        per.c.last_attempt_at,
        per.c.attempts,
    ).select_from(per.join(hh, hh.c.id == per.c.household_id))


def _on_alias(
    conditions: list[sa.ColumnElement], table: sa.Table, alias: sa.FromClause
) -> list[sa.ColumnElement]:
    """``conditions`` on ``table``'s columns, rewritten onto ``alias``."""
    from sqlalchemy.sql.util import ClauseAdapter

    adapter = ClauseAdapter(alias, equivalents=None)
    return [adapter.traverse(c) for c in conditions]


def refresh_status(
    conn: Connection, household_ids: object = None, *, cells: bool = True, days: bool = True
) -> None:
    """Recompute :data:`VISIT_STATUS` for these households (all when None), in ``conn``.

    ``cells``: also recount their cells in :data:`CELL_STATUS` and their officer-days in
    :data:`VISIT_DAYS` (off only for the migration that predates those tables); ``days``: the
    latter (off when whole days are recounted apart, :meth:`Store.refresh_stale`).

    Called by every write of visits (and of a household's beat) in the same transaction, so
    the Coverage figures never disagree with the visits. The status rule itself lives in
    :func:`status_rows`.
    """
    ids = _touched(household_ids)
    if ids == []:
        return
    vs = VISIT_STATUS
    if conn.dialect.name == "postgresql":
        # writers of the same household take turns (SQLite's write lock already serialises);
        # NO KEY UPDATE does not conflict with the key-share locks of the visits' foreign keys
        if ids is None:
            conn.exec_driver_sql("LOCK TABLE visit_status IN SHARE ROW EXCLUSIVE MODE")
        else:
            _lock_cells(conn, ids)
    if ids is None:
        conn.execute(vs.delete())
    else:
        conn.execute(vs.delete().where(vs.c.household_id.in_(ids)))
    rows = status_rows(household_ids=ids)
    conn.execute(vs.insert().from_select([c.name for c in rows.selected_columns], rows))
    if cells:
        refresh_cells(conn, ids, locked=True)
        if days:
            refresh_days(conn, ids)


def _touched(household_ids: object) -> list[int] | None:
    """The distinct household ids a refresh is for; None (all) for None or from
    :data:`REFRESH_ALL_FROM` on, and an empty list when there is nothing to do."""
    if household_ids is None:
        return None
    ids = sorted({int(i) for i in household_ids if i is not None})
    return None if len(ids) >= REFRESH_ALL_FROM else ids


def _on_days(column: sa.ColumnElement, days: Sequence[object]) -> sa.ColumnElement:
    """``column`` (a timestamp) falls on one of ``days``."""
    return sa.or_(
        *[
            sa.and_(
                column >= pd.Timestamp(d).to_pydatetime(),
                column < (pd.Timestamp(d) + pd.Timedelta(days=1)).to_pydatetime(),
            )
            for d in days
        ]
    )


def household_cells(points: np.ndarray) -> list[int | None]:
    """The stored H3 cell (:data:`geo.hexes.CELL_RESOLUTION`) of each point; None if empty."""
    from geo.hexes import CELL_RESOLUTION, h3_cells

    lon, lat = shapely.get_x(points), shapely.get_y(points)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out: list[int | None] = [None] * len(points)
    cells = h3_cells(lon[ok], lat[ok], CELL_RESOLUTION).astype(np.int64).tolist()
    for i, c in zip(np.flatnonzero(ok).tolist(), cells, strict=True):
        out[i] = c
    return out


def _lock_cells(conn: Connection, ids: list[int]) -> list[int]:
    """PostgreSQL: lock the households of the cells of ``ids`` (one ordered statement, so two
    writers in one cell take turns and never deadlock); return those cells."""
    hh = SQL_TABLES["households"]
    cells = sa.select(hh.c.h3).where(hh.c.id.in_(ids), hh.c.h3.is_not(None)).distinct()
    found = [int(c) for c in conn.execute(cells).scalars()]
    lock = sa.select(hh.c.id).where(sa.or_(hh.c.id.in_(ids), hh.c.h3.in_(found)))
    conn.execute(lock.order_by(hh.c.id).with_for_update(key_share=True))
    return found


def refresh_cells(conn: Connection, household_ids: object = None, *, locked: bool = False) -> None:
    """Recount :data:`CELL_STATUS` for the cells of these households (all when None).

    Called with :func:`refresh_status` and by writes of households, in their transaction.
    """
    hh, vs, cs = SQL_TABLES["households"], VISIT_STATUS, CELL_STATUS
    pg = conn.dialect.name == "postgresql"
    ids = _touched(household_ids)
    if ids == []:
        return
    if ids is None:
        if pg:
            conn.exec_driver_sql("LOCK TABLE cell_status IN SHARE ROW EXCLUSIVE MODE")
        conn.execute(cs.delete())
        where = [hh.c.h3.is_not(None)]
    else:
        if pg and not locked:
            cells = _lock_cells(conn, ids)
        else:
            sel = sa.select(hh.c.h3).where(hh.c.id.in_(ids), hh.c.h3.is_not(None)).distinct()
            cells = [int(c) for c in conn.execute(sel).scalars()]
        if not cells:
            return
        conn.execute(cs.delete().where(cs.c.cell.in_(cells)))
        where = [hh.c.h3.in_(cells)]
    rental = sa.func.coalesce(hh.c.rental, sa.false()).label("rental")
    status = sa.func.coalesce(vs.c.status, "unvisited").label("status")
    rows = (
        sa.select(hh.c.h3, hh.c.beat_id, rental, status, sa.func.count().label("households"))
        .select_from(hh.outerjoin(vs, vs.c.household_id == hh.c.id))
        .where(*where)
        .group_by(hh.c.h3, hh.c.beat_id, rental, status)
    )
    cols = ["cell", "beat_id", "rental", "status", "households"]
    conn.execute(cs.insert().from_select(cols, rows))


def _epoch(conn: Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """Seconds since 1970 of a naive timestamp column, in SQL."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.extract("epoch", column), sa.Float)
    return (sa.func.julianday(column) - 2440587.5) * 86400.0


def _monday(conn: Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """The Monday of a timestamp's ISO week, as a date, in SQL."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc(sa.literal_column("'week'"), column), sa.Date)
    return sa.func.date(column, sa.literal_column("'weekday 0'"), sa.literal_column("'-6 days'"))


def refresh_days(
    conn: Connection,
    household_ids: object = None,
    *,
    pairs: Sequence[tuple] = (),
    days: Sequence[object] = (),
) -> None:
    """Recount :data:`VISIT_DAYS` for the officer-days of these households' visits (all when
    None), of ``pairs`` (``(officer_id, timestamp)``, e.g. a visit just deleted) or of whole
    ``days`` (after a large import)."""
    v, hh, vd = SQL_TABLES["visits"], SQL_TABLES["households"], VISIT_DAYS
    pg = conn.dialect.name == "postgresql"
    ids: list[int] = []
    if household_ids is not None:
        ids = sorted({int(i) for i in household_ids if i is not None})
    everything = (household_ids is None and not pairs and not days) or len(ids) >= REFRESH_ALL_FROM
    day = sa.func.date(v.c.visited_at)
    if everything or days:
        if pg:
            conn.exec_driver_sql("LOCK TABLE visit_days IN SHARE ROW EXCLUSIVE MODE")
        where: list[sa.ColumnElement] = []
        if everything:
            conn.execute(vd.delete())
        else:
            whole = sorted({pd.Timestamp(d).normalize() for d in days})
            conn.execute(vd.delete().where(vd.c.day.in_([d.date() for d in whole])))
            where = [_on_days(v.c.visited_at, whole)]
    else:
        found = set()
        if ids:
            sel = sa.select(v.c.officer_id, day).where(v.c.household_id.in_(ids)).distinct()
            found = {(int(o), pd.Timestamp(d).date()) for o, d in conn.execute(sel).all()}
        found |= {(int(o), pd.Timestamp(t).date()) for o, t in pairs}
        if not found:
            return
        officers = sorted({o for o, _ in found})
        if pg:  # writers of one officer's evening take turns
            off = SQL_TABLES["officers"]
            lock = sa.select(off.c.id).where(off.c.id.in_(officers)).order_by(off.c.id)
            conn.execute(lock.with_for_update(key_share=True))
        keys = [sa.and_(vd.c.officer_id == o, vd.c.day == d) for o, d in sorted(found)]
        conn.execute(vd.delete().where(sa.or_(*keys)))
        where = [
            sa.or_(
                *[
                    sa.and_(v.c.officer_id == o, _on_days(v.c.visited_at, [d]))
                    for o, d in sorted(found)
                ]
            )
        ]
    rental = sa.func.coalesce(hh.c.rental, sa.false())
    rows = (
        sa.select(
            v.c.officer_id,
            day,
            _monday(conn, v.c.visited_at),
            hh.c.beat_id,
            rental,
            v.c.outcome,
            sa.func.count(),
            sa.func.min(_epoch(conn, v.c.visited_at)),
            sa.func.max(_epoch(conn, v.c.visited_at)),
        )
        .select_from(v.join(hh, hh.c.id == v.c.household_id))
        .where(*where)
        .group_by(
            v.c.officer_id, day, _monday(conn, v.c.visited_at), hh.c.beat_id, rental, v.c.outcome
        )
    )
    cols = [
        "officer_id",
        "day",
        "week",
        "beat_id",
        "rental",
        "outcome",
        "visits",
        "first_s",
        "last_s",
    ]
    conn.execute(vd.insert().from_select(cols, rows))


def refresh_beat_households(conn: Connection) -> None:
    """Recount :data:`BEAT_HOUSEHOLDS` from the households table, in ``conn``."""
    hh = SQL_TABLES["households"]
    if conn.dialect.name == "postgresql":  # two imports at once recount one after the other
        conn.exec_driver_sql("LOCK TABLE beat_households IN SHARE ROW EXCLUSIVE MODE")
    conn.execute(BEAT_HOUSEHOLDS.delete())
    counts = sa.select(hh.c.beat_id, sa.func.count()).group_by(hh.c.beat_id)
    conn.execute(BEAT_HOUSEHOLDS.insert().from_select(["beat_id", "households"], counts))


def filters(
    name: str,
    *,
    station_ids: Sequence[int] | None = None,
    beat_ids: Sequence[int] | None = None,
    start: object = None,
    end: object = None,
) -> list[sa.ColumnElement]:
    """SQL conditions keeping the rows of table ``name`` in these stations, beats and dates.

    A row belongs to a beat through its own ``beat_id`` or its household's; to a station
    through its beat. One rule for every reader (:meth:`Store.read`, :mod:`geo.tallies`).
    """
    sql = SQL_TABLES[table(name).name]
    out: list[sa.ColumnElement] = []
    hh, beats = SQL_TABLES["households"], SQL_TABLES["beats"]
    if beat_ids is not None:
        beat_list = [int(b) for b in beat_ids]
        if name == "beats":
            out.append(sql.c.id.in_(beat_list))
        elif "beat_id" in sql.c:
            out.append(sql.c.beat_id.in_(beat_list))
        elif "household_id" in sql.c:
            out.append(
                sql.c.household_id.in_(sa.select(hh.c.id).where(hh.c.beat_id.in_(beat_list)))
            )
        elif name == "stations":
            out.append(sql.c.id.in_(sa.select(beats.c.station_id).where(beats.c.id.in_(beat_list))))
    if station_ids is not None:
        st_list = [int(s) for s in station_ids]
        in_station = sa.select(beats.c.id).where(beats.c.station_id.in_(st_list))
        if name == "stations":
            out.append(sql.c.id.in_(st_list))
        elif "station_id" in sql.c:
            out.append(sql.c.station_id.in_(st_list))
        elif "beat_id" in sql.c:
            out.append(sql.c.beat_id.in_(in_station))
        elif "household_id" in sql.c:
            out.append(
                sql.c.household_id.in_(sa.select(hh.c.id).where(hh.c.beat_id.in_(in_station)))
            )
    if start is not None or end is not None:
        dated = [f for f in table(name).fields if f.kind in ("datetime", "date") and f.required]
        dated = dated or [f for f in table(name).fields if f.kind in ("datetime", "date")]
        if not dated:
            raise InputError(f"table {name!r} has no date to filter by start/end")
        col = sql.c[dated[0].name]
        as_date = dated[0].kind == "date"
        if start is not None:
            ts = pd.Timestamp(start)
            out.append(col >= (ts.date() if as_date else ts.to_pydatetime()))
        if end is not None:
            ts = pd.Timestamp(end)
            out.append(col < (ts.date() if as_date else ts.to_pydatetime()))
    return out


_SQLITE_FAULTS = (
    (
        "file is not a database",
        "is not a BeatMap database or is damaged (corrupt); restore it "
        "from a backup (beatmap backup) or check the path",
    ),
    ("database disk image is malformed", "is damaged (corrupt); restore it from a backup"),
    (
        "readonly database",
        "is read-only for this user; give the service account write access "
        "to the file and its folder",
    ),
    (
        "unable to open database file",
        "cannot be opened: the folder is missing or not accessible to this user",
    ),
    (
        "database or disk is full",
        "cannot be written: the disk is full; free space and try again (nothing was half written)",
    ),
    ("disk i/o error", "cannot be written: disk I/O error (full or failing disk)"),
    ("database is locked", "is busy with another long write; try again in a moment"),
)


def store_error(exc: BaseException, url: sa.engine.URL | str | None = None) -> StoreError | None:
    """A clear :class:`StoreError` for a database fault, or None when ``exc`` is not one.

    Covers a SQLite file that is corrupt, read-only, unreachable or on a full disk, and a
    PostgreSQL server that is down, refuses the login, lacks PostGIS or went away.
    """
    if isinstance(exc, StoreError):
        return exc
    if isinstance(url, str):
        try:
            url = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            url = None
    where = "the database"
    if isinstance(url, sa.engine.URL):
        path = _sqlite_path(url)
        where = (
            f"database {path}"
            if path
            else (
                f"PostgreSQL database {url.database!r} on {url.host or 'localhost'}:{url.port or 5432}"
            )
        )
    text = str(getattr(exc, "orig", None) or exc).lower()
    if not isinstance(exc, sa.exc.DBAPIError | sqlite3.Error | OSError):
        return None
    if isinstance(exc, sa.exc.IntegrityError | sqlite3.IntegrityError):
        return None
    for needle, what in _SQLITE_FAULTS:
        if needle in text:
            return StoreError(f"{where} {what}")
    if "postgis" in text or 'type "geometry" does not exist' in text:
        return StoreError(
            f"{where} has no PostGIS extension; an administrator creates it once: "
            "CREATE EXTENSION postgis;"
        )
    if "password authentication failed" in text or "role" in text and "does not exist" in text:
        return StoreError(f"{where}: the login was refused; check the user and password in the URL")
    if "database" in text and "does not exist" in text:
        return StoreError(f"{where} does not exist; create it (createdb) or check the URL")
    if is_transient(exc) or "connection" in text or "could not connect" in text:
        return StoreError(
            f"{where} cannot be reached (server down or connection lost); BeatMap retries on "
            "the next action, no restart needed"
        )
    return None


def _to_python(s: pd.Series, kind: str, *, sqlite: bool = False) -> list:
    """Column values as Python objects a DB-API driver binds (None for missing).

    With ``sqlite`` the values are already in the form SQLAlchemy's SQLite types store
    (ISO text for dates and times, 0/1 for booleans).
    """
    if kind in ("datetime", "date"):
        vals = pd.to_datetime(s)
        mask = vals.isna().to_numpy()
        if sqlite:
            fmt = "%Y-%m-%d %H:%M:%S.%f" if kind == "datetime" else "%Y-%m-%d"
            out = vals.dt.strftime(fmt).tolist()
        else:
            out = list(vals.dt.to_pydatetime() if kind == "datetime" else vals.dt.date)
        for i in np.flatnonzero(mask):
            out[i] = None
        return out
    if kind == "int":
        arr = pd.array(s, dtype="Int64")
        return [None if v is pd.NA else int(v) for v in arr]
    if kind == "float":
        arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        return [None if np.isnan(v) else float(v) for v in arr]
    if kind == "bool":
        arr = pd.array(s, dtype="boolean")
        if sqlite:
            return [None if v is pd.NA else int(v) for v in arr]
        return [None if v is pd.NA else bool(v) for v in arr]
    return [
        None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else str(v)
        for v in s.tolist()
    ]


def _subset(tbl: Table, columns: list[str]) -> Table:
    from dataclasses import replace

    keep = tuple(f for f in tbl.fields if f.name in columns)
    return replace(tbl, fields=keep)


def _typed(tbl: Table, df: pd.DataFrame) -> pd.DataFrame:
    """Give a frame read from SQL the model's dtypes (and geometry)."""
    out = pd.DataFrame(index=df.index)
    out["id"] = df["id"].astype("int64") if len(df) else pd.Series([], dtype="int64")
    for f in tbl.fields:
        col = df[f.name]
        if f.kind == "int":
            out[f.name] = pd.array(col, dtype="Int64")
        elif f.kind == "float":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif f.kind == "bool":
            out[f.name] = pd.array(col, dtype="boolean")
        elif f.kind in ("datetime", "date"):
            out[f.name] = pd.to_datetime(col, format="ISO8601").astype("datetime64[ns]")
        else:
            out[f.name] = col.astype(object).where(col.notna(), None)
    if tbl.geometry:
        wkb = df["geometry"].to_numpy(dtype=object)
        if len(wkb) and not isinstance(wkb[0], bytes):  # memoryview from psycopg2
            wkb = np.array([bytes(b) for b in wkb], dtype=object)
        geom = shapely.from_wkb(wkb) if len(df) else []
        return gpd.GeoDataFrame(
            out, geometry=gpd.GeoSeries(geom, index=out.index, crs=WGS84), crs=WGS84
        )
    return out


def open_store(url: str) -> Store:
    """Open (and create or upgrade) the store at ``url``."""
    return Store(url)


def require_rows(store: Store, name: str) -> None:
    """Raise :class:`NotFoundError` when table ``name`` is empty."""
    if store.count(name) == 0:
        raise NotFoundError(
            f"table {name!r} is empty; import it first (beatmap import {name} FILE)"
        )
