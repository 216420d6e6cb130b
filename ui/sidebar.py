"""The one sidebar of filters every page shares: campaign dates, station, beat, officer, type.

``streamlit_app.py`` calls :func:`render_filters` once per run, before ``st.navigation(...)
.run()``; it draws the widgets in the sidebar and stores a :class:`geo.filters.Filters` in
``st.session_state``. Pages read it with :func:`current_filters` and never draw filters
themselves. Choices survive page switches: each widget's value is mirrored under a key of its
own, which Streamlit does not drop when a page without the widget runs.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo._errors import BeatMapError
from geo.filters import HOUSEHOLD_TYPES, Filters
from ui.cache import read_table, t, visit_span

FILTERS_KEY = "beatmap_filters"
#: widget keys (values mirrored under "_keep" + key)
DATES_KEY = "flt_dates"
STATIONS_KEY = "flt_stations"
BEATS_KEY = "flt_beats"
OFFICERS_KEY = "flt_officers"
TYPE_KEY = "flt_household_type"
_KEYS = (DATES_KEY, STATIONS_KEY, BEATS_KEY, OFFICERS_KEY, TYPE_KEY)
#: visit columns read for the campaign's dates (the Coverage page reads the same ones)


def _keep(key: str) -> str:
    return "_keep_" + key


def _restore() -> None:
    """Put back widget values Streamlit dropped while a page without the sidebar ran."""
    for key in _KEYS:
        if key not in st.session_state and _keep(key) in st.session_state:
            st.session_state[key] = st.session_state[_keep(key)]


def _remember(key: str) -> None:
    st.session_state[_keep(key)] = st.session_state.get(key)


def campaign_span() -> tuple[dt.date, dt.date]:
    """First and last day with visits in the session's scope (today when there are none)."""
    span = visit_span()
    if span is None:
        today = dt.date.today()
        return today, today
    return span[0].date(), span[1].date()


def render_filters() -> Filters:
    """Draw the shared filters in the sidebar and store the result for the pages.

    Returns
    -------
    geo.filters.Filters
        Also stored in ``st.session_state[FILTERS_KEY]``.
    """
    _restore()
    try:
        stations = read_table("stations", ["name"])
        beats = read_table("beats", ["name", "station_id"])
        officers = read_table("officers", ["name", "station_id", "beat_id", "role"])
        first, last = campaign_span()
    except BeatMapError:
        filters = Filters()
        st.session_state[FILTERS_KEY] = filters
        return filters
    with st.sidebar:
        st.subheader(t("筛选", "Filters"))
        if DATES_KEY not in st.session_state:
            st.session_state[DATES_KEY] = (first, last)
        dates = st.date_input(
            t("走访期间", "Campaign dates"),
            key=DATES_KEY,
            on_change=_remember,
            args=(DATES_KEY,),
            format="YYYY-MM-DD",
        )
        station_names = dict(zip(stations["id"], stations["name"], strict=True))
        picked_stations = st.multiselect(
            t("派出所", "Station"),
            options=list(station_names),
            format_func=lambda i: station_names.get(i, str(i)),
            key=STATIONS_KEY,
            on_change=_remember,
            args=(STATIONS_KEY,),
            placeholder=t("全部", "All"),
        )
        in_station = beats
        if picked_stations:
            in_station = beats[beats["station_id"].isin(picked_stations)]
        beat_names = dict(zip(in_station["id"], in_station["name"], strict=True))
        _prune(BEATS_KEY, beat_names)
        picked_beats = st.multiselect(
            t("警务区", "Beat"),
            options=list(beat_names),
            format_func=lambda i: beat_names.get(i, str(i)),
            key=BEATS_KEY,
            on_change=_remember,
            args=(BEATS_KEY,),
            placeholder=t("全部", "All"),
        )
        cops = officers[officers["role"] == "community_officer"]
        scope = set(picked_beats) if picked_beats else set(in_station["id"])
        cops = cops[cops["beat_id"].isin(scope).fillna(False).to_numpy(bool)]
        beat_label = dict(zip(beats["id"], beats["name"], strict=True))
        cop_names = {
            int(i): f"{n}（{beat_label.get(b, '')}）"
            for i, n, b in zip(cops["id"], cops["name"], cops["beat_id"], strict=True)
        }
        _prune(OFFICERS_KEY, cop_names)
        picked_officers = st.multiselect(
            t("社区民警", "Community officer"),
            options=list(cop_names),
            format_func=lambda i: cop_names.get(i, str(i)),
            key=OFFICERS_KEY,
            on_change=_remember,
            args=(OFFICERS_KEY,),
            placeholder=t("全部", "All"),
        )
        household_type = st.radio(
            t("住户类型", "Household type"),
            options=list(HOUSEHOLD_TYPES),
            format_func=lambda c: t(*HOUSEHOLD_TYPES[c]),
            key=TYPE_KEY,
            on_change=_remember,
            args=(TYPE_KEY,),
            horizontal=True,
        )
    start, end = _date_pair(dates, first, last)
    filters = Filters(
        start=pd.Timestamp(start),
        end=pd.Timestamp(end),
        stations=tuple(picked_stations),
        beats=tuple(picked_beats),
        officers=tuple(picked_officers),
        household_type=household_type or "all",
    )
    for key in _KEYS:
        _remember(key)
    st.session_state[FILTERS_KEY] = filters
    return filters


def _prune(key: str, options: dict) -> None:
    """Drop chosen values that are no longer offered (e.g. after changing the station)."""
    chosen = st.session_state.get(key)
    if chosen:
        kept = [v for v in chosen if v in options]
        if kept != list(chosen):
            st.session_state[key] = kept


def _date_pair(value: object, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The (start, end) of a date_input value: a half-picked range counts as one day."""
    if isinstance(value, tuple | list):
        if len(value) == 2:
            lo, hi = value
            return (lo, hi) if lo <= hi else (hi, lo)
        if len(value) == 1:
            return value[0], value[0]
        return first, last
    if isinstance(value, dt.date):
        return value, value
    return first, last


def current_filters() -> Filters:
    """The filters the sidebar stored in this session (all data when it has not run)."""
    value = st.session_state.get(FILTERS_KEY)
    return value if isinstance(value, Filters) else Filters()
