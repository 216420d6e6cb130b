"""Every cached resource of the app, in one place.

Pages call these functions and never load data themselves. Resources (settings, the store,
the OSM area) live for the server's lifetime; data read from the store is cached per store and
per version of the tables it was read from, and :func:`clear_data` names the tables a write
changed, so only what depends on them is read again.
"""

from __future__ import annotations

import threading

import streamlit as st

from geo.model import TABLE_ORDER
from geo.settings import Settings, load_settings
from ui.i18n import current_language, t

__all__ = [
    "base_features_cached",
    "clear_data",
    "coverage_view",
    "current_language",
    "get_area",
    "get_settings",
    "get_store",
    "get_workspace",
    "read_table",
    "t",
    "visit_span",
    "wechat_reach",
]


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """Settings from ``beatmap.toml`` and ``BEATMAP_*`` environment variables."""
    return load_settings()


#: seconds after the workspace opens that the route solver is loaded (a route asked for sooner
#: loads it itself)
WARM_UP_AFTER_S = 20.0


@st.cache_resource(show_spinner="正在准备工作区 / preparing the workspace ...")
def _workspace(url: str, _built=None):
    """The open workspace of the store at ``url`` (``_built``: one the first start just made)."""
    from geo.routing import warm_up
    from geo.workspace import open_workspace

    # load the route solver's compiled kernels (built at install) once the first pages are
    # drawn: loading them competes for the CPU the first login and map need
    timer = threading.Timer(WARM_UP_AFTER_S, warm_up)
    timer.name, timer.daemon = "beatmap-warm-up", True
    timer.start()
    return _built if _built is not None else open_workspace(get_settings(), store=_store(url))


#: store URLs whose workspace this process has opened (the empty-store check is skipped)
_opened: set[str] = set()
_first_start_lock = threading.Lock()


def _first_start(settings: Settings) -> None:
    """On an empty store, build the demo city with its steps and an estimate in a status box."""
    from geo._errors import BeatMapError
    from geo.store import Store
    from geo.workspace import open_workspace
    from ui.progress import progress_box

    url = settings.database_url
    with _first_start_lock:
        if url in _opened:
            return
        try:
            store = Store(url)
            empty = store.is_empty()
            store.close()
        except BeatMapError:
            return  # the workspace itself says what is wrong with the database
        if empty:
            title = t("首次启动：正在生成演示城市", "First start: building the demo city")
            with progress_box(title, expanded=True) as progress:
                built = open_workspace(settings, store=_store(url), progress=progress)
            _workspace(url, _built=built)
        _opened.add(url)


@st.cache_resource(show_spinner=False)
def _store(url: str):
    from geo.store import Store

    return Store(url)


def get_store():
    """The workspace's store, without waiting for its OSM area (the login form and the figures
    counted in the database need no map); the first start builds the demo city first."""
    settings = get_settings()
    if settings.database_url not in _opened:
        _first_start(settings)
    return _store(settings.database_url)


def get_workspace():
    """The open workspace: store, OSM area and first-start note (demo built if needed)."""
    settings = get_settings()
    if settings.database_url not in _opened:
        _first_start(settings)
    return _workspace(settings.database_url)


def get_area():
    """The loaded OSM area (:class:`geo.network.Area`) of the workspace."""
    return get_workspace().area


@st.cache_resource(show_spinner=False)
def _setup_code(url: str) -> bool:
    from geo.auth.users import issue_setup_code

    code = issue_setup_code(get_store())
    if code:
        # stdout is the server's console and, under a service manager, its log
        print(f"BeatMap setup code / 首次设置码: {code}", flush=True)
    return code is not None


def announce_setup_code() -> None:
    """On a first start with no account, print a one-time setup code (once per server)."""
    _setup_code(get_store().url)
    _prune_audit(get_store().url)


@st.cache_resource(show_spinner=False)
def _prune_audit(url: str) -> int:
    """Remove audit rows past the retention setting, once per server start."""
    from geo.auth.audit import prune

    return prune(get_store(), retention_days=get_settings().audit_retention_days)


# --------------------------------------------------------------------------------------------
# Data read from the store. Every cache key holds the store's URL and the write version of each
# table the entry was computed from, so two stores never share an entry and a write forgets only
# what it changed: recording a visit bumps ``visits`` and leaves camera plans in place.


class _Versions:
    """Write counter per (store URL, table), shared by every session of the server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}

    def of(self, url: str, tables: tuple[str, ...]) -> tuple[int, ...]:
        with self._lock:
            return tuple(self._counts.get((url, name), 0) for name in tables)

    def bump(self, url: str, tables: tuple[str, ...]) -> None:
        with self._lock:
            for name in tables:
                self._counts[(url, name)] = self._counts.get((url, name), 0) + 1


@st.cache_resource(show_spinner=False)
def _versions() -> _Versions:
    return _Versions()


#: the function that gives the session's scope; ui.auth registers it (ui.auth imports this
#: module, so this module does not import ui.auth: no import cycle)
_scope_of_session = None


def use_scope(provider) -> None:
    """Read the store through ``provider()``, the session's :class:`geo.auth.Scope`."""
    global _scope_of_session
    _scope_of_session = provider


def _scope():
    """The session's :class:`geo.auth.Scope` (every read of the store goes through it)."""
    if _scope_of_session is None:
        raise RuntimeError("no scope provider: ui.auth registers it with ui.cache.use_scope")
    return _scope_of_session()


def _data_key(tables: tuple[str, ...]) -> tuple[str, tuple[int, ...], str]:
    """``(store URL, versions of tables, scope key)``: what a data cache entry was read from.

    The scope's key is part of it, so two users with different scopes never share an entry.
    """
    url = get_store().url
    return url, _versions().of(url, tables), _scope().key


def clear_data(*tables: str) -> None:
    """Forget cached reads of ``tables`` after a write to the store (all tables when none named).

    Parameters
    ----------
    *tables : str
        Names of the tables the write changed, e.g. ``clear_data("visits")`` after a visit.
    """
    unknown = sorted(set(tables) - set(TABLE_ORDER))
    if unknown:
        raise ValueError(f"unknown tables {unknown}; known: {list(TABLE_ORDER)}")
    _versions().bump(get_store().url, tables or TABLE_ORDER)


@st.cache_data(show_spinner=False, max_entries=64)
def _read_table(name: str, columns: tuple[str, ...] | None, key: tuple):
    # key[2] is the scope's key: the entry holds only the rows of that scope
    return _scope().read(get_store(), name, columns=list(columns) if columns else None)


def read_table(name: str, columns: list[str] | None = None):
    """A table of the store narrowed to the session's scope, cached until :func:`clear_data`.

    Callers must not modify the returned frame in place (copy it first).
    """
    return _read_table(name, tuple(columns) if columns else None, _data_key((name,)))


# --------------------------------------------------------------------------------------------
# Coverage page: the page's computation, cached per set of filters and per version of the tables.


@st.cache_resource(show_spinner=False, max_entries=8)
def _coverage_inputs(key: tuple) -> dict:
    # the small tables (a visit changes none of them), shared read-only by every view
    from geo.coverage_store import coverage_inputs

    return coverage_inputs(get_store(), scope=_scope())


#: seconds a Coverage view is reused at most: visits recorded through another app server (which
#: this server's write counters do not see) show up within this time
COVERAGE_TTL_S = 30


#: options of the Coverage view that only its fixed parts depend on
_FIXED_OPTIONS = (
    "incident_categories",
    "incident_hours",
    "effect_window_days",
    "effect_min_installs",
)


@st.cache_data(show_spinner=False, max_entries=64)
def _coverage_fixed(filters, options: tuple, as_of, resolution, bounds, inputs_key: tuple):
    # what no visit changes (surveys, cameras, incidents, before/after): kept while visits come in
    from geo.coverage_store import fixed_parts

    return fixed_parts(
        get_store(),
        filters,
        inputs=_coverage_inputs(inputs_key),
        scope=_scope(),
        as_of=as_of,
        resolution=resolution,
        bounds=bounds,
        **dict(options),
    )


@st.cache_data(show_spinner=False, max_entries=64, ttl=COVERAGE_TTL_S)
def _coverage_view(filters, options: tuple, key: tuple, inputs_key: tuple):
    from geo.coverage_store import coverage_view as compute

    fixed_options = tuple((k, v) for k, v in options if k in _FIXED_OPTIONS)

    def fixed(*, as_of, resolution, bounds):
        return _coverage_fixed(filters, fixed_options, as_of, resolution, bounds, inputs_key)

    return compute(
        get_store(),
        filters,
        inputs=_coverage_inputs(inputs_key),
        scope=_scope(),
        fixed=fixed,
        **dict(options),
    )


def coverage_view(filters, **options):
    """:func:`geo.coverage_store.coverage_view` of the workspace's store, cached.

    The figures are counted in the database; the small tables behind them are read once per
    change of those tables. A view is cached per set of filters and options, per version of the
    tables and per scope, for at most :data:`COVERAGE_TTL_S` seconds.

    Parameters
    ----------
    filters : geo.filters.Filters
    **options
        Keyword arguments of :func:`geo.coverage.coverage_view` (hashable values).
    """
    from geo.coverage_store import INPUT_TABLES

    with st.spinner(t("正在计算覆盖率 ...", "computing coverage ...")):
        return _coverage_view(
            filters,
            tuple(sorted(options.items())),
            _data_key(TABLE_ORDER),
            _data_key(INPUT_TABLES),
        )


@st.cache_data(show_spinner=False, max_entries=16, ttl=COVERAGE_TTL_S)
def _visit_span(key: tuple):
    from geo.tallies import visit_span as span

    return span(get_store(), scope=_scope())


def visit_span():
    """First and last visit time in the session's scope (None without visits), cached."""
    return _visit_span(_data_key(("visits",)))


@st.cache_data(show_spinner=False, max_entries=8)
def _wechat_reach(key: tuple):
    from geo.wechat import reach_by_beat

    columns = ["address", "beat_id", "wechat_member", "building", "building_id", "estate"]
    return reach_by_beat(read_table("households", columns))


def wechat_reach():
    """:func:`geo.wechat.reach_by_beat` of the households in scope (one row per beat), cached
    per version of the households: the page never holds the households table itself."""
    return _wechat_reach(_data_key(("households",)))


@st.cache_resource(show_spinner=False, max_entries=2)
def _base_features(_area, name: str):
    from layers import base_features

    return base_features(_area)


def base_features_cached():
    """:func:`layers.base_features` of the workspace's area, computed once per server."""
    area = get_area()
    return _base_features(area, f"{area.name}:{id(area)}")


# --------------------------------------------------------------------------------------------
# Cameras page: the walking-network index per area (it lives as long as the area), the tables the
# planner reads, the plan per set of choices and the before/after effect, cached per version of
# those tables (a recorded visit changes none of them).


@st.cache_resource(show_spinner=False, max_entries=2)
def _network_index(_area, key: str):
    from geo.netdist import NetworkIndex
    from geo.network import walkable_edge

    return NetworkIndex.from_graph(_area.graph, edge_filter=walkable_edge)


def network_index():
    """:class:`geo.netdist.NetworkIndex` of the workspace area's walking network, built once."""
    area = get_area()
    return _network_index(area, f"{area.name}:{id(area)}")


#: tables the camera plan and the before/after effect read
PLANNING_TABLES = ("beats", "officers", "households", "cameras", "incidents")


@st.cache_data(show_spinner=False, max_entries=4)
def _planning_tables(key: tuple) -> dict:
    return {name: read_table(name) for name in PLANNING_TABLES}


def _compute_camera_plan(filters, options: tuple, key: tuple, progress=None):
    from geo.planning import plan_cameras, planning_frames

    inputs = planning_frames(_planning_tables(key), filters)
    return plan_cameras(
        get_area(),
        inputs.tables,
        index=network_index(),
        as_of=inputs.as_of,
        progress=progress,
        **dict(options),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _camera_plan(filters, options: tuple, key: tuple, area_key: str, _built=None):
    """The cached plan (``_built``: one just computed with its steps shown, to keep)."""
    return _built if _built is not None else _compute_camera_plan(filters, options, key)


#: camera plans this process has computed: a new one shows its steps, a known one is read
_planned: set[str] = set()


def camera_plan(filters, **options):
    """:func:`geo.planning.plan_cameras` over the workspace's tables narrowed by ``filters``.

    Parameters
    ----------
    filters : geo.filters.Filters
    **options
        Keyword arguments of :func:`geo.planning.plan_cameras` (hashable values: give
        ``radii`` and weight mappings as tuples of pairs or frozen dataclasses).
    """
    from ui.progress import progress_box

    area = get_area()
    args = (
        filters,
        tuple(sorted(options.items())),
        _data_key(PLANNING_TABLES),
        f"{area.name}:{id(area)}",
    )
    marker = repr(args)
    if marker not in _planned:
        with progress_box(t("正在计算摄像头点位", "Planning camera sites")) as progress:
            plan = _compute_camera_plan(*args[:3], progress=progress)
        _planned.add(marker)
        return _camera_plan(*args, _built=plan)
    with st.spinner(t("正在计算摄像头点位 ...", "planning camera sites ...")):
        return _camera_plan(*args)


@st.cache_data(show_spinner=False, max_entries=16)
def _camera_effect(filters, options: tuple, key: tuple):
    from geo.planning import plan_effect

    return plan_effect(_planning_tables(key), filters, **dict(options))


def camera_effect(filters, **options):
    """:func:`geo.planning.plan_effect` (installs vs incidents, difference in differences)."""
    return _camera_effect(filters, tuple(sorted(options.items())), _data_key(PLANNING_TABLES))


# --------------------------------------------------------------------------------------------
# Community page: beat proposals, officer hours and night noise, cached per version of the tables
# they read (and per area for what depends on the walking network).


@st.cache_data(show_spinner=False, max_entries=8)
def _beat_proposal(station_id: int, count: int, weights, seed: int, key: tuple, area_key: str):
    from geo.partition import propose_beats

    return propose_beats(
        get_area(),
        read_table("households"),
        read_table("beats"),
        station_id=station_id,
        count=count,
        incidents=read_table("incidents"),
        weights=weights,
        seed=seed,
        index=network_index(),
    )


def beat_proposal(station_id: int, count: int, weights, seed: int = 0):
    """:func:`geo.partition.propose_beats` for a station of the workspace, cached."""
    area = get_area()
    key = _data_key(("households", "beats", "incidents"))
    with st.spinner(t("正在划分警务区 ...", "dividing beats ...")):
        return _beat_proposal(station_id, count, weights, seed, key, f"{area.name}:{id(area)}")


@st.cache_data(show_spinner=False, max_entries=4)
def _officer_weekly(key: tuple, area_key: str):
    from geo import workload

    area = get_area()
    per = workload.evenings(
        read_table("visits"),
        read_table("households"),
        beats=read_table("beats"),
        officers=read_table("officers"),
        crs=area.crs,
        index=network_index(),
    )
    meet = workload.meetings(read_table("mediations"), read_table("officers"))
    return workload.weekly_hours(per, meet)


def officer_weekly():
    """Hours per officer per week (:func:`geo.workload.weekly_hours`), cached."""
    area = get_area()
    key = _data_key(("visits", "households", "beats", "officers", "mediations"))
    with st.spinner(t("正在统计社区时长 ...", "adding up hours ...")):
        return _officer_weekly(key, f"{area.name}:{id(area)}")


@st.cache_data(show_spinner=False, max_entries=4)
def _noise(key: tuple, area_key: str, lang: str):
    from geo import noise

    segs = noise.segments(get_area().edges())
    assigned = noise.assign(read_table("incidents"), segs, lang=lang)
    segs = segs.assign(label=noise.segment_labels(segs, lang))
    return segs, assigned


def noise_incidents(lang: str = "zh"):
    """Street segments and the noise/dispute incidents on them (:func:`geo.noise.assign`)."""
    area = get_area()
    return _noise(_data_key(("incidents",)), f"{area.name}:{id(area)}", lang)
