"""The language switch: Simplified Chinese by default, English on request.

Pages call :func:`t` for a one-off pair and :func:`texts` for a catalogue key; both read the
session's language and go through the one helper in :mod:`geo.i18n`.
"""

from __future__ import annotations

import streamlit as st

from geo.i18n import DEFAULT_LANGUAGE, Catalogue, tr

LANG_KEY = "lang"


def current_language(default: str = DEFAULT_LANGUAGE) -> str:
    """The language chosen in this session, else ``default``."""
    return st.session_state.get(LANG_KEY, default)


def t(zh: str, en: str, **fmt: object) -> str:
    """Pick the Chinese or English text for the session's language."""
    return tr(zh, en, current_language(), **fmt)


def texts(catalogue: Catalogue, key: str, **fmt: object) -> str:
    """Text ``key`` of ``catalogue`` in the session's language."""
    return catalogue(key, current_language(), **fmt)
