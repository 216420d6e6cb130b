"""Long work on a page: ``st.status`` with the steps and a ``st.progress`` bar with an estimate.

A page passes the callback this module yields as the ``progress=`` argument of a long ``geo``
function (:mod:`geo.progress`)::

    with progress_box(t("正在导入", "Importing")) as progress:
        report = import_file(..., progress=progress)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from geo.progress import ProgressCallback, Update
from ui.i18n import current_language, t


@contextmanager
def progress_box(label: str, *, expanded: bool = False) -> Iterator[ProgressCallback]:
    """A status box titled ``label`` holding a bar; yields the callback that moves them.

    The box lists each step as it begins, the bar shows the share done and the time left;
    the box closes as complete when the work ends, or shows an error state when it fails
    (the page still says what went wrong in its own words).
    """
    lang = current_language()
    with st.status(label, expanded=expanded) as box:
        bar = st.progress(0.0, text=t("准备中 ...", "starting ..."))
        seen: set[int] = set()

        def render(u: Update) -> None:
            if u.index not in seen:
                seen.add(u.index)
                st.write(f"{u.index}/{u.steps} · {u.label[1 if lang == 'en' else 0]}")
            bar.progress(min(1.0, max(0.0, u.fraction)), text=u.text(lang))
            box.update(label=f"{label} · {u.text(lang)}")

        try:
            yield render
        except BaseException:
            box.update(label=label, state="error")
            raise
        box.update(label=label, state="complete")
