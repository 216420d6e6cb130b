"""The language switch: Simplified Chinese by default, English on request."""

from __future__ import annotations

import streamlit as st

LANG_KEY = "lang"


def current_language(default: str = "zh") -> str:
    """The language chosen in this session, else ``default``."""
    return st.session_state.get(LANG_KEY, default)


def t(zh: str, en: str) -> str:
    """Pick the Chinese or English text for the session's language."""
    return en if current_language() == "en" else zh
