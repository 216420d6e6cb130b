"""The store: the model's tables in a SQL database through SQLAlchemy 2.

The default is one SQLite file (WAL mode) under the data folder; PostgreSQL (with or without
PostGIS) is the same code behind another URL, because geometries are stored as portable WKB
in a binary column and every statement is SQLAlchemy Core.

The schema is versioned with Alembic (``geo/migrations``): opening a store upgrades it to the
newest revision, so a later release upgrades an existing file in place.

Reading a table into a (Geo)DataFrame and writing one back are single calls; every write is one
transaction, so a failed import changes nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo._errors import InputError, NotFoundError
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

metadata = sa.MetaData()


def _sql_table(tbl: Table) -> sa.Table:
    cols: list[sa.Column] = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)]
    for f in tbl.fields:
        args = [sa.ForeignKey(f"{f.ref}.id")] if f.ref else []
        cols.append(
            sa.Column(f.name, _SQL_TYPES[f.kind], *args, nullable=not f.required, index=bool(f.ref))
        )
    if tbl.geometry:
        cols.append(sa.Column("geometry", sa.LargeBinary, nullable=False))
    return sa.Table(tbl.name, metadata, *cols)


SQL_TABLES: dict[str, sa.Table] = {name: _sql_table(TABLES[name]) for name in TABLE_ORDER}
META = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, foreign keys and their folder made."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise InputError(f"database URL {url!r} is not a valid SQLAlchemy URL") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


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
    """The Alembic revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class Store:
    """The BeatMap database.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``sqlite:///data/beatmap.sqlite`` or
        ``postgresql+psycopg2://user:pw@host/beatmap``.
    migrate : bool
        Create or upgrade the schema on open (default).
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: everything written inside commits together or not at all."""
        with self.engine.begin() as conn:
            yield conn

    # -- reading -----------------------------------------------------------------------------

    def read(
        self,
        name: str,
        *,
        columns: list[str] | None = None,
        where: sa.ColumnElement | None = None,
        conn: Connection | None = None,
    ) -> pd.DataFrame:
        """Read table ``name`` into a DataFrame (a GeoDataFrame in WGS-84 for spatial tables).

        Parameters
        ----------
        name : str
            Table name.
        columns : list of str, optional
            Read only these fields (``id`` and, for spatial tables, ``geometry`` always come).
        where : SQLAlchemy expression, optional
            Filter, e.g. ``SQL_TABLES["households"].c.beat_id == 3``.
        """
        tbl = table(name)
        sql = SQL_TABLES[name]
        if columns is not None:
            unknown = sorted(set(columns) - set(tbl.columns))
            if unknown:
                raise InputError(f"table {name!r} has no columns {unknown}; allowed: {tbl.columns}")
            tbl = _subset(tbl, columns)
        stmt = sa.select(*[sql.c[c] for c in tbl.columns]).order_by(sql.c.id)
        if where is not None:
            stmt = stmt.where(where)
        # driver-level rows: no per-value processing; _typed converts whole columns
        compiled = stmt.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True})
        if conn is None:
            with self.engine.connect() as c:
                rows = c.exec_driver_sql(str(compiled)).fetchall()
        else:
            rows = conn.exec_driver_sql(str(compiled)).fetchall()
        keys = tbl.columns
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(keys)
        df = pd.DataFrame({k: pd.Series(c, dtype=object) for k, c in zip(keys, cols, strict=True)})
        return _typed(tbl, df)

    def count(self, name: str) -> int:
        """Number of rows of table ``name``."""
        sql = SQL_TABLES[table(name).name]
        with self.engine.connect() as conn:
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
        self, name: str, df: pd.DataFrame, *, mode: str = "append", conn: Connection | None = None
    ) -> np.ndarray:
        """Write a validated frame to table ``name`` in one transaction.

        Parameters
        ----------
        name : str
            Table name.
        df : DataFrame or GeoDataFrame
            Columns as :func:`geo.model.validate` returns them. Rows without an ``id`` get the
            next free ids.
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
            with self.transaction() as c:
                return self.write(name, df, mode=mode, conn=c)
        tbl = table(name)
        sql = SQL_TABLES[name]
        if mode == "replace":
            conn.execute(sql.delete())
        df = df.reset_index(drop=True)
        ids = pd.array(df["id"] if "id" in df.columns else [pd.NA] * len(df), dtype="Int64")
        missing = ids.isna()
        if missing.any():
            start = self.max_id(name, conn) + 1
            ids = ids.copy()
            ids[missing] = np.arange(start, start + int(missing.sum()))
        out_ids = np.asarray(ids, dtype=np.int64)
        if len(df):
            sqlite = conn.dialect.name == "sqlite"
            columns = {"id": out_ids.tolist()}
            for f in tbl.fields:
                columns[f.name] = (
                    _to_python(df[f.name], f.kind, sqlite=sqlite)
                    if f.name in df.columns
                    else [None] * len(df)
                )
            if tbl.geometry:
                geom = df.geometry.values if isinstance(df, gpd.GeoDataFrame) else df["geometry"]
                columns["geometry"] = shapely.to_wkb(np.asarray(geom), hex=False).tolist()
            keys = list(columns)
            rows = list(zip(*columns.values(), strict=True))
            if sqlite:
                # the driver binds the values as converted above; this skips SQLAlchemy's
                # per-value processing, which dominates large imports
                marks = ", ".join("?" * len(keys))
                conn.exec_driver_sql(
                    f"INSERT INTO {name} ({', '.join(keys)}) VALUES ({marks})", rows
                )
            else:
                conn.execute(sql.insert(), [dict(zip(keys, r, strict=True)) for r in rows])
        return out_ids

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
        with self.transaction() as conn:
            if mode == "replace":
                for name in reversed(TABLE_ORDER):
                    conn.execute(SQL_TABLES[name].delete())
                conn.execute(META.delete())
            if meta:
                self.set_meta(meta, conn=conn)
            for name in TABLE_ORDER:
                if name in frames:
                    self.write(name, frames[name], mode="append", conn=conn)

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
            with self.transaction() as c:
                c.execute(stmt)
        else:
            conn.execute(stmt)

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
            with self.transaction() as c:
                c.execute(stmt, params)
        else:
            conn.execute(stmt, params)

    def clear(self) -> None:
        """Delete every row of every table (children first), in one transaction."""
        with self.transaction() as conn:
            for name in reversed(TABLE_ORDER):
                conn.execute(SQL_TABLES[name].delete())
            conn.execute(META.delete())

    # -- workspace metadata ------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(META.c.value).where(META.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, values: Mapping[str, str], *, conn: Connection | None = None) -> None:
        if conn is None:
            with self.transaction() as c:
                self.set_meta(values, conn=c)
            return
        for key, value in values.items():
            conn.execute(META.delete().where(META.c.key == key))
            conn.execute(META.insert().values(key=key, value=str(value)))

    # -- backup ------------------------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """Copy a SQLite store to ``target`` consistently while the app runs.

        Uses SQLite's online backup API, so it is safe while others write. For PostgreSQL use
        ``pg_dump``; this method refuses other backends with a clear message.
        """
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or not url.database:
            raise InputError("backup() copies SQLite stores only; for PostgreSQL use pg_dump")
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        src = sqlite3.connect(url.database)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        shutil.move(tmp, target)
        return target


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
