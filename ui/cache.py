"""Every cached resource of the app, in one place.

Pages call these functions and never load data themselves. Resources (settings, the store,
the OSM area) live for the server's lifetime; data read from the store is cached per table and
cleared with :func:`clear_data` after anything writes to the store.
"""

from __future__ import annotations

import streamlit as st

from geo.settings import Settings, load_settings
from ui.i18n import current_language, t

__all__ = [
    "base_features_cached",
    "clear_data",
    "coverage_view",
    "current_language",
    "get_area",
    "get_settings",
    "get_workspace",
    "read_table",
    "t",
]


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """Settings from ``beatmap.toml`` and ``BEATMAP_*`` environment variables."""
    return load_settings()


@st.cache_resource(show_spinner="正在准备工作区 / preparing the workspace ...")
def get_workspace():
    """The open workspace: store, OSM area and first-start note (demo built if needed)."""
    import threading

    from geo.routing import warm_up
    from geo.workspace import open_workspace

    # compile (or load from cache) the route solver while the first page draws
    threading.Thread(target=warm_up, name="beatmap-warm-up", daemon=True).start()
    return open_workspace(get_settings())


def get_area():
    """The loaded OSM area (:class:`geo.network.Area`) of the workspace."""
    return get_workspace().area


@st.cache_data(show_spinner=False, max_entries=64)
def _read_table(name: str, columns: tuple[str, ...] | None, _url: str):
    return get_workspace().store.read(name, columns=list(columns) if columns else None)


def read_table(name: str, columns: list[str] | None = None):
    """A table of the store as a (Geo)DataFrame, cached until :func:`clear_data`.

    Callers must not modify the returned frame in place (copy it first).
    """
    ws = get_workspace()
    return _read_table(name, tuple(columns) if columns else None, ws.store.url)


def clear_data() -> None:
    """Forget cached table reads after a write to the store."""
    st.cache_data.clear()


# --------------------------------------------------------------------------------------------
# Coverage page (issue "The chief's view"): the page's computation, cached per set of filters.
# Cleared with every other table read by clear_data(), so a write to the store shows at once.


@st.cache_data(show_spinner=False, max_entries=4)
def _coverage_frames(_url: str) -> dict:
    from geo.filters import with_beat
    from geo.model import TABLE_ORDER

    frames = {name: read_table(name) for name in TABLE_ORDER}
    for name in ("incidents", "cameras"):
        frames[name] = with_beat(frames[name], frames["beats"])
    return frames


@st.cache_data(show_spinner="正在计算覆盖率 / computing coverage ...", max_entries=16)
def _coverage_view(filters, options: tuple, _url: str):
    from geo.coverage import coverage_view as compute

    return compute(_coverage_frames(_url), filters, **dict(options))


def coverage_view(filters, **options):
    """:func:`geo.coverage.coverage_view` over the workspace's tables, cached.

    Parameters
    ----------
    filters : geo.filters.Filters
    **options
        Keyword arguments of :func:`geo.coverage.coverage_view` (hashable values).
    """
    return _coverage_view(filters, tuple(sorted(options.items())), get_workspace().store.url)


@st.cache_resource(show_spinner=False, max_entries=2)
def _base_features(_area, name: str):
    from layers import base_features

    return base_features(_area)


def base_features_cached():
    """:func:`layers.base_features` of the workspace's area, computed once per server."""
    area = get_area()
    return _base_features(area, f"{area.name}:{id(area)}")


# --------------------------------------------------------------------------------------------
# Cameras page (issue "The planner's map"): the walking-network index per area, the tables the
# planner reads, the plan per set of choices and the before/after effect. Cleared with every
# other table read by clear_data() (the index lives as long as the area).


@st.cache_resource(show_spinner=False, max_entries=2)
def _network_index(_area, key: str):
    from geo.netdist import NetworkIndex

    return NetworkIndex.from_graph(_area.graph)


def network_index():
    """:class:`geo.netdist.NetworkIndex` of the workspace area's walking network, built once."""
    area = get_area()
    return _network_index(area, f"{area.name}:{id(area)}")


@st.cache_data(show_spinner=False, max_entries=4)
def _planning_tables(_url: str) -> dict:
    names = ("beats", "officers", "households", "cameras", "incidents")
    return {name: read_table(name) for name in names}


@st.cache_data(show_spinner="正在计算摄像头点位 / planning camera sites ...", max_entries=16)
def _camera_plan(filters, options: tuple, _url: str, area_key: str):
    from geo.planning import plan_cameras, planning_frames

    frames = planning_frames(_planning_tables(_url), filters)
    as_of = frames.pop("as_of")
    return plan_cameras(get_area(), frames, index=network_index(), as_of=as_of, **dict(options))


def camera_plan(filters, **options):
    """:func:`geo.planning.plan_cameras` over the workspace's tables narrowed by ``filters``.

    Parameters
    ----------
    filters : geo.filters.Filters
    **options
        Keyword arguments of :func:`geo.planning.plan_cameras` (hashable values: give
        ``radii`` and weight mappings as tuples of pairs or frozen dataclasses).
    """
    area = get_area()
    return _camera_plan(
        filters,
        tuple(sorted(options.items())),
        get_workspace().store.url,
        f"{area.name}:{id(area)}",
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _camera_effect(filters, options: tuple, _url: str):
    from geo.planning import plan_effect

    return plan_effect(_planning_tables(_url), filters, **dict(options))


def camera_effect(filters, **options):
    """:func:`geo.planning.plan_effect` (installs vs incidents, difference in differences)."""
    return _camera_effect(filters, tuple(sorted(options.items())), get_workspace().store.url)
