"""Shared fixtures: paths to the small hand-written OSM files and the real shared extracts."""

from __future__ import annotations

from pathlib import Path

import pytest

# pg_cluster and store_url (SQLite and PostgreSQL+PostGIS) for the store tests
pytest_plugins = ["tests.pgserver"]

HERE = Path(__file__).parent
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
