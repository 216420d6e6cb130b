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
    "clear_data",
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
    from geo.workspace import open_workspace

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
