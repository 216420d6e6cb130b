"""BeatMap's web server: ``streamlit run server.py`` (``beatmap serve`` runs it).

The app itself is ``streamlit_app.py``; this file serves it with Streamlit's ``st.App`` and adds
the two routes that set and clear the login cookie with ``HttpOnly`` and ``SameSite=Strict``
(``ui.auth.cookie_routes``), which a Streamlit script cannot do. ``streamlit run
streamlit_app.py`` still works; its login cookie is then set by a script (SameSite only).
"""

import streamlit as st

from ui.auth import cookie_routes

app = st.App("streamlit_app.py", routes=cookie_routes())
