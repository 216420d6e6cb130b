"""BeatMap's web server: ``streamlit run server.py`` (``beatmap serve`` runs it).

The app itself is ``streamlit_app.py``; this file serves it with Streamlit's ``st.App`` and adds
the two routes that set and clear the login cookie with ``HttpOnly`` and ``SameSite=Strict``
(``ui.auth.cookie_routes``), which a Streamlit script cannot do. ``streamlit run
streamlit_app.py`` still works; its login cookie is then set by a script (SameSite only).

When the server starts it opens the workspace (store and OSM area) and the base map's features
in the background, so the first visitor's login form and home map do not wait for them.
"""

import contextlib
import threading

import streamlit as st

from ui.auth import cookie_routes


def _warm_up() -> None:
    """Open the workspace and the base map's features into the app's caches (``ui.cache``).

    An empty store is left alone: its first start builds the demo city in the first session,
    where a progress box shows the steps. Any failure is left for that session to report.
    """
    with contextlib.suppress(Exception):
        import ui.cache
        from geo.store import Store

        settings = ui.cache.get_settings()
        store = Store(settings.database_url)
        try:
            if store.is_empty():
                return
        finally:
            store.close()
        ui.cache.get_store()
        ui.cache.get_workspace()
        if settings.tile_url is None:
            ui.cache.base_features_cached()


@contextlib.asynccontextmanager
async def _lifespan(_app):
    threading.Thread(target=_warm_up, name="beatmap-open-workspace", daemon=True).start()
    yield


app = st.App("streamlit_app.py", routes=cookie_routes(), lifespan=_lifespan)
