"""Shared fixtures: OSM files (hand-written and the real shared extracts), the app under test.

``app_env`` starts the app the real way over the hand-written OSM fixture in a temporary data
folder; :func:`app_test` is the entry script under Streamlit's AppTest and
:func:`login_app_test` logs it in (every page is behind the login).
"""

from __future__ import annotations

from pathlib import Path

import pytest

# pg_cluster and store_url (SQLite and PostgreSQL+PostGIS) for the store tests
pytest_plugins = ["tests.pgserver"]

HERE = Path(__file__).parent
ROOT = HERE.parent
APP = ROOT / "streamlit_app.py"
DATA = HERE / "data"
SHARED_OSM = (HERE.parent.parent / "shared" / "osm").resolve()
EXTRACTS = sorted(SHARED_OSM.glob("*.osm")) if SHARED_OSM.is_dir() else []
BEIJING_EXTRACTS = [p for p in EXTRACTS if p.name.startswith("beijing")]


def _need_shared() -> None:
    if not SHARED_OSM.is_dir():
        pytest.skip(f"real OSM extracts not found at {SHARED_OSM} (clone without ../shared)")


@pytest.fixture(scope="session")
def shared_osm() -> Path:
    """The folder of real OSM extracts; skips the test when it is absent."""
    _need_shared()
    return SHARED_OSM


@pytest.fixture(scope="session")
def xueyuanlu_osm() -> Path:
    """The Beijing Haidian Xueyuan Rd extract (walking network with estates)."""
    _need_shared()
    return SHARED_OSM / "beijing-haidian-xueyuanlu.osm"


@pytest.fixture(scope="session")
def alleys_osm() -> Path:
    """Small hand-written OSM file: named and unnamed alleys, a gated estate, a motorway."""
    return DATA / "alleys_estate.osm"


def missing_map_assets() -> list[str]:
    """The map's JavaScript and CSS files (from npm, under ``static/``) that are not installed."""
    from layers.assets import known_assets

    return [asset.path for asset in known_assets() if not asset.file.is_file()]


@pytest.fixture(scope="session")
def map_assets() -> None:
    """Skip the test when the map assets are not installed (a fresh checkout), saying how."""
    from layers.assets import INSTALL_COMMAND, STATIC_DIR

    missing = missing_map_assets()
    if missing:
        pytest.skip(
            f"map assets not installed under {STATIC_DIR} ({len(missing)} missing, e.g. "
            f"{missing[0]}): run ./install.sh or {INSTALL_COMMAND}"
        )


@pytest.fixture(scope="session")
def playwright_api():
    """Playwright's sync API on Debian's Chromium; skips (fails under CI) when missing."""
    from tests.browser import CHROMIUM, skip_or_fail

    if not CHROMIUM.is_file():
        skip_or_fail(f"{CHROMIUM} not found: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright Python package is not installed")
    with sync_playwright() as p:
        yield p


# -- accounts: every app run now needs a login ---------------------------------------------------

#: password of the accounts tests create (meets the password policy)
TEST_PASSWORD = "Test-Pass-2026"


def make_account(store_or_url, username: str = "admin", role: str = "admin", **account):
    """Create an account (password :data:`TEST_PASSWORD`, no forced change) unless it exists.

    ``store_or_url`` is a :class:`geo.store.Store` or a data folder / SQLAlchemy URL; keyword
    arguments go to :func:`geo.auth.users.create_user` (``officer_id``, ``station_id``, ...).
    """
    from geo._errors import NotFoundError
    from geo.auth import users
    from geo.store import Store

    store = store_or_url
    if not isinstance(store, Store):
        text = str(store_or_url)
        url = text if "://" in text else f"sqlite:///{Path(text) / 'beatmap.sqlite'}"
        store = Store(url)
    try:
        return users.get_user(store, username)
    except NotFoundError:
        pass
    account.setdefault("password", TEST_PASSWORD)
    account.setdefault("must_change", False)
    return users.create_user(store, username=username, role=role, actor="os:test", **account)


def login_app_test(at, *, username: str = "admin", role: str = "admin", **account):
    """Log a Streamlit ``AppTest`` in: an account in the workspace's store and a live session.

    Call it after ``ui.cache`` serves the test's workspace and before ``at.run()``.
    """
    import ui.cache
    from geo.auth import sessions
    from ui.auth import TOKEN_KEY

    store = ui.cache.get_workspace().store
    user = make_account(store, username, role, **account)
    at.session_state[TOKEN_KEY] = sessions.start_session(store, user, client="apptest")
    return at


def browser_login(page, url: str, username: str = "admin", password: str = TEST_PASSWORD) -> None:
    """Log a Playwright page in through the login form at ``url`` (a deep link works too)."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("用户名").or_(page.get_by_label("User name")).fill(username)
    page.get_by_label("密码", exact=True).or_(page.get_by_label("Password", exact=True)).fill(
        password
    )
    page.get_by_role("button", name="登录").or_(page.get_by_role("button", name="Log in")).click()
    page.get_by_text("退出登录").or_(page.get_by_text("Log out")).first.wait_for(timeout=90_000)


# -- the app under Streamlit's AppTest -----------------------------------------------------------


@pytest.fixture()
def app_env(tmp_path, monkeypatch):
    """The app's settings from the environment: a temporary data folder, the hand-written OSM
    fixture, no internet, Chinese; the first start builds the demo city there. Caches are
    cleared before and after, so no test sees another's workspace."""
    import ui.cache

    for key, value in {
        "BEATMAP_DATA_DIR": str(tmp_path),
        "BEATMAP_OSM_FILE": str(DATA / "alleys_estate.osm"),
        "BEATMAP_ONLINE": "no",
        "BEATMAP_TILES": "none",
        "BEATMAP_LANGUAGE": "zh",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("BEATMAP_ROLE", "BEATMAP_DATABASE_URL", "BEATMAP_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    ui.cache.st.cache_data.clear()
    ui.cache.st.cache_resource.clear()
    yield tmp_path
    ui.cache.st.cache_data.clear()
    ui.cache.st.cache_resource.clear()


def app_test(timeout: float = 120):
    """``streamlit_app.py`` under Streamlit's AppTest (log it in with :func:`login_app_test`)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=timeout)
