"""Roles, what each may do, and the scope of data a request may read and write.

One :class:`Scope` per request decides everything a page or command may see: every read of
households, visits, surveys, cameras, incidents, officers, beats and stations goes through
:meth:`Scope.read` (an SQL where-clause per table where the store can filter, plus a frame filter
for what only geometry decides), and every write is checked with :meth:`Scope.check_write`.
:attr:`Scope.show_personal` is the one decision on masking names and phone numbers.

The role x page x action rules live in :data:`PAGE_ACCESS` and :data:`ACTION_ACCESS`; pages and
the navigation ask :func:`may` and never test role names themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from geo._errors import BeatMapError, InputError
from geo.settings import show_personal as role_sees_personal_data

__all__ = [
    "ACTIONS",
    "ACTION_ACCESS",
    "PAGE_ACCESS",
    "ROLES",
    "AccessDenied",
    "Scope",
    "may",
]

#: account roles: code -> (Chinese, English)
ROLES: dict[str, tuple[str, str]] = {
    "officer": ("社区民警", "community officer"),
    "team": ("辅警/网格员/保安/志愿者", "team member"),
    "chief": ("所长/局领导", "chief"),
    "planner": ("规划人员", "planner"),
    "auditor": ("审计员", "auditor"),
    "admin": ("管理员", "administrator"),
}

#: pages (navigation url paths) each role may open
PAGE_ACCESS: dict[str, frozenset[str]] = {
    "officer": frozenset({"area", "coverage", "routes", "cameras", "field", "community"}),
    "team": frozenset({"routes", "field"}),
    "chief": frozenset({"area", "coverage", "routes", "cameras", "field", "community"}),
    "planner": frozenset({"area", "cameras"}),
    "auditor": frozenset({"audit"}),
    "admin": frozenset({"area", "coverage", "routes", "cameras", "data", "accounts", "community"}),
}
#: a page not listed above (a newer page) is open to these roles
DEFAULT_PAGE_ROLES = frozenset({"officer", "chief", "admin"})
KNOWN_PAGES = frozenset().union(*PAGE_ACCESS.values())

#: actions: code -> (Chinese, English)
ACTIONS: dict[str, tuple[str, str]] = {
    "read": ("查看", "read"),
    "record_visit": ("登记走访", "record a visit"),
    "print": ("打印走访单", "print a sheet"),
    "export": ("导出", "export"),
    "import": ("导入", "import"),
    "manage_accounts": ("管理账户", "manage accounts"),
    "reveal": ("显示个人信息", "show personal data"),
    "settings": ("修改设置", "change settings"),
    "read_audit": ("查看审计日志", "read the audit log"),
}
ACTION_ACCESS: dict[str, frozenset[str]] = {
    "officer": frozenset({"read", "record_visit", "print"}),
    "team": frozenset({"read", "record_visit", "print"}),
    "chief": frozenset({"read", "print", "export"}),
    "planner": frozenset({"read", "export"}),
    "auditor": frozenset({"read_audit"}),
    "admin": frozenset(
        {"read", "print", "export", "import", "manage_accounts", "reveal", "settings"}
    ),
}


class AccessDenied(BeatMapError, PermissionError):
    """The user's role or scope does not allow this."""


def check_role(role: str) -> str:
    """Return ``role`` when known, else raise :class:`InputError` listing the roles."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    return role


def may(role: str, page: str | None = None, action: str | None = None) -> bool:
    """Whether ``role`` may open ``page`` and do ``action`` there.

    ``may(role, page)`` asks whether the page opens at all (the navigation offers only those);
    ``may(role, action=...)`` whether the action is allowed anywhere; both together, both.

    Parameters
    ----------
    role : str
        One of :data:`ROLES`.
    page : str, optional
        A navigation url path (``coverage``, ``field``, ...). A page not in :data:`PAGE_ACCESS`
        is open to :data:`DEFAULT_PAGE_ROLES`.
    action : str, optional
        One of :data:`ACTIONS`; "read" when ``page`` is not given either.
    """
    if role not in ROLES:
        return False
    if action is None and page is None:
        action = "read"
    if action is not None and action not in ACTIONS:
        raise InputError(f"action must be one of {', '.join(ACTIONS)}; got {action!r}")
    if page is not None:
        if page in KNOWN_PAGES:
            if page not in PAGE_ACCESS[role]:
                return False
        elif role not in DEFAULT_PAGE_ROLES:
            return False
    return action is None or action in ACTION_ACCESS[role]


#: tables narrowed by location (their points inside the scope's beats)
_SPATIAL = ("cameras", "incidents")


def _beat_key(name: str) -> str | None:
    """The column that says which beat a row of table ``name`` belongs to, if any.

    ``beats`` by its id; any other table of the model with a ``beat_id`` field by that field
    (households, mediations, ...). Officers and stations have rules of their own.
    """
    from geo.model import TABLES

    if name == "beats":
        return "id"
    if name in ("officers", "stations"):
        return None
    tbl = TABLES.get(name)
    return "beat_id" if tbl is not None and "beat_id" in tbl.columns else None


def _by_household(name: str) -> bool:
    """Whether rows of table ``name`` belong to a beat through their household."""
    from geo.model import TABLES

    tbl = TABLES.get(name)
    return (
        name not in _SPATIAL
        and tbl is not None
        and "household_id" in tbl.columns
        and _beat_key(name) is None
    )


@dataclass(frozen=True)
class Scope:
    """What one user may read and write.

    Parameters
    ----------
    username : str
        Who acts (an account name, or ``os:<name>`` for the command line).
    role : str
        One of :data:`ROLES`.
    beat_ids : tuple of int or None
        The beats in scope; None for the whole city.
    station_ids : tuple of int or None
        The stations in scope; None for the whole city.
    officer_id : int or None
        The linked officer record (officers and team members).
    reveal : bool
        An administrator chose "show personal data" (with a reason, audited).

    Build one with :meth:`for_user` (or :meth:`city` for the command line).
    """

    username: str
    role: str
    beat_ids: tuple[int, ...] | None = None
    station_ids: tuple[int, ...] | None = None
    officer_id: int | None = None
    reveal: bool = False

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def city(cls, username: str, *, role: str = "admin", reveal: bool = False) -> Scope:
        """The whole city (command line, auditor, city-wide chief or planner)."""
        return cls(username=username, role=check_role(role), reveal=reveal)

    @classmethod
    def for_user(cls, user: Any, store: Any, *, reveal: bool = False) -> Scope:
        """The scope of an account, resolved against the store's beats and officers.

        Officers and team members get the beats of their linked officer record (or the beats
        set on the account); a chief or planner with a station gets that station's beats; every
        other account gets the city. A beat-bound account whose beats cannot be found gets no
        beat at all (an empty scope), never the city.
        """
        role = check_role(user.role)
        beats = store.read("beats", columns=["station_id"])
        station_of = dict(
            zip(beats["id"].astype(int), beats["station_id"].astype(int), strict=True)
        )
        if role in ("officer", "team"):
            ids = set(int(b) for b in (user.beat_ids or ()))
            if user.officer_id is not None:
                offs = store.read(
                    "officers",
                    columns=["beat_id"],
                    where=_sql("officers").c.id == int(user.officer_id),
                )
                ids |= {int(b) for b in offs["beat_id"].dropna()}
            ids &= set(station_of)
            stations = tuple(sorted({station_of[b] for b in ids}))
            return cls(
                username=user.username,
                role=role,
                beat_ids=tuple(sorted(ids)),
                station_ids=stations,
                officer_id=user.officer_id,
            )
        if role in ("chief", "planner") and user.station_id is not None:
            sid = int(user.station_id)
            ids = tuple(sorted(b for b, s in station_of.items() if s == sid))
            return cls(username=user.username, role=role, beat_ids=ids, station_ids=(sid,))
        return cls(
            username=user.username,
            role=role,
            officer_id=user.officer_id,
            reveal=bool(reveal and may(role, action="reveal")),
        )

    # -- decisions -----------------------------------------------------------------------------

    @property
    def is_city(self) -> bool:
        """True when the scope is the whole city."""
        return self.beat_ids is None

    @property
    def show_personal(self) -> bool:
        """Whether names and phone numbers show unmasked: the role rule of
        :func:`geo.settings.show_personal` (the command line's too), and only after the
        administrator's audited reveal on a page."""
        return self.reveal and role_sees_personal_data(self.role)

    @property
    def key(self) -> str:
        """A stable text naming this scope, for cache keys."""
        beats = "*" if self.beat_ids is None else ",".join(map(str, self.beat_ids))
        return f"{self.role}|{beats}|{int(self.show_personal)}"

    def __hash__(self) -> int:  # caches hash arguments; equal keys read equal data
        return hash(self.key)

    def may(self, page: str | None = None, action: str | None = None) -> bool:
        """:func:`may` for this scope's role."""
        return may(self.role, page, action)

    def require(self, action: str, page: str | None = None) -> None:
        """Raise :class:`AccessDenied` unless this scope may do ``action``."""
        if not self.may(page, action):
            label = ACTIONS.get(action, (action, action))
            raise AccessDenied(
                f"role {self.role!r} may not {label[1]}"
                + (f" on page {page!r}" if page else "")
                + f"; roles that may: {', '.join(r for r in ROLES if may(r, page, action))}"
            )

    # -- reading -------------------------------------------------------------------------------

    def where(self, name: str) -> sa.ColumnElement | None:
        """SQL filter of table ``name`` for :meth:`geo.store.Store.read` (None: no filter).

        Cameras and incidents are narrowed by geometry in :meth:`filter` as well.
        """
        if self.is_city:
            return None
        beats = list(self.beat_ids or ())
        key = _beat_key(name)
        if key is not None:
            return _sql(name).c[key].in_(beats)
        if _by_household(name):
            hh = _sql("households")
            inner = sa.select(hh.c.id).where(hh.c.beat_id.in_(beats))
            return _sql(name).c.household_id.in_(inner)
        if name == "stations":
            return _sql(name).c.id.in_(list(self.station_ids or ()))
        if name == "officers":
            off = _sql(name).c
            if self.role in ("officer", "team"):
                return off.beat_id.in_(beats)
            return sa.or_(off.beat_id.in_(beats), off.station_id.in_(list(self.station_ids or ())))
        if name in _SPATIAL:
            return None
        return sa.false()

    def filter(self, name: str, df: pd.DataFrame, *, beats: gpd.GeoDataFrame | None = None):
        """Keep only the rows of frame ``df`` (table ``name``) inside the scope.

        Cameras and incidents keep the rows whose ``beat_id`` (when the frame has one) or whose
        point (inside ``beats``' polygons) is in scope; other tables use their keys.
        """
        if self.is_city:
            return df
        ids = set(self.beat_ids or ())
        key = _beat_key(name)
        if key is not None:
            return df[df[key].isin(ids).fillna(False).to_numpy(bool)]
        if name == "stations":
            return df[df["id"].isin(set(self.station_ids or ()))]
        if name == "officers":
            keep = df["beat_id"].isin(ids).fillna(False).to_numpy(bool)
            if self.role not in ("officer", "team"):
                keep |= df["station_id"].isin(set(self.station_ids or ())).to_numpy(bool)
            return df[keep]
        if name in _SPATIAL:
            if "beat_id" in df.columns:
                return df[df["beat_id"].isin(ids).fillna(False).to_numpy(bool)]
            if beats is None:
                raise InputError(f"narrowing {name} needs the beats' polygons (beats=...)")
            mine = beats[beats["id"].isin(ids)]
            if mine.empty or df.empty:
                return df.iloc[0:0]
            hit = gpd.sjoin(
                df[["geometry"]], mine[["geometry"]], how="inner", predicate="intersects"
            )
            return df[df.index.isin(hit.index)]
        if _by_household(name):
            raise InputError(
                f"narrow {name} with Scope.read or Scope.where (they hang on households)"
            )
        return df.iloc[0:0]

    def read(self, store: Any, name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
        """Read table ``name`` from ``store``, narrowed to the scope.

        The store filters by SQL where it can; cameras and incidents are then kept by location
        inside the scope's beats.
        """
        if name in _SPATIAL and not self.is_city:
            df = store.read(name, columns=columns)
            return self.filter(name, df, beats=self.beat_shapes(store))
        return store.read(name, columns=columns, where=self.where(name))

    def beat_shapes(self, store: Any) -> gpd.GeoDataFrame:
        """The polygons of the beats in scope."""
        return store.read("beats", columns=["station_id"], where=self.where("beats"))

    def check_household(self, store: Any, household_id: int) -> None:
        """Raise :class:`AccessDenied` unless the household is inside the scope."""
        if self.is_city:
            return
        hh = store.read(
            "households",
            columns=["beat_id"],
            where=_sql("households").c.id == int(household_id),
        )
        if hh.empty or not hh["beat_id"].isin(set(self.beat_ids or ())).any():
            raise AccessDenied(f"household {household_id} is outside the beats of {self.username}")

    def check_write(self, store: Any, action: str, *, household_ids: Iterable[int] = ()) -> None:
        """Raise :class:`AccessDenied` unless ``action`` on these households is allowed."""
        self.require(action)
        for hid in household_ids:
            self.check_household(store, hid)


def _sql(name: str) -> sa.Table:
    from geo.store import SQL_TABLES

    return SQL_TABLES[name]
