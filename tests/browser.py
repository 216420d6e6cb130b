"""Headless Chromium for page tests: Debian's chromium driven by Playwright, offline.

Every request to a host other than the app's is aborted and recorded, so a test can assert the
page needed nothing from outside. Under ``CI=true`` a missing browser fails the test instead of
skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.apprunner import HOST

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {HOST, "localhost"}
#: a mid-range Android phone as the officers carry (412 px wide, touch)
PHONE = {
    "viewport": {"width": 412, "height": 915},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2.625,
}
#: an office desktop
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it under CI where the browser must be there."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the browser test must run; see .ci/run)")
    pytest.skip(reason)


def launch_offline(playwright_api, user_dir: Path, *, viewport: dict[str, int], **options):
    """A fresh Chromium context (profile in ``user_dir``) whose outside requests are aborted.

    Keyword ``options`` go to Playwright's context (e.g. :data:`PHONE`'s ``is_mobile``).

    Returns
    -------
    (BrowserContext, list of str)
        The context and the list that collects every outside URL the page tried.
    """
    outside: list[str] = []
    context = playwright_api.chromium.launch_persistent_context(
        str(user_dir),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=viewport,
        locale="zh-CN",
        **options,
    )

    def guard(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return context, outside


def admin_city(folder: Path, osm: Path) -> Path:
    """``folder`` made and filled: the demo city over ``osm`` (seed 7) and an ``admin`` account.

    The store is ``folder/beatmap.sqlite``; pass ``folder`` to :func:`app_env`.
    """
    from geo.demo import build_demo, write_demo
    from geo.network import load_area
    from geo.store import Store
    from tests.conftest import make_account

    folder.mkdir()
    store = Store(f"sqlite:///{folder / 'beatmap.sqlite'}")
    write_demo(store, build_demo(load_area(osm), seed=7), source=str(osm))
    make_account(store, "admin", "admin")
    store.close()
    return folder


def app_env(folder: Path, osm: Path) -> dict[str, str]:
    """The app's environment over the store in ``folder``: offline, no tiles, in Chinese."""
    return {
        "BEATMAP_DATA_DIR": str(folder),
        "BEATMAP_DATABASE_URL": f"sqlite:///{folder / 'beatmap.sqlite'}",
        "BEATMAP_OSM_FILE": str(osm),
        "BEATMAP_TILES": "none",
        "BEATMAP_ONLINE": "no",
        "BEATMAP_LANGUAGE": "zh",
    }


def settle(
    page, timeout_ms: int, *, busy: str = "Running|运行", before_ms: int = 800, after_ms: int = 800
) -> None:
    """Wait until Streamlit is idle: its status widget is gone or no longer reads ``busy``."""
    page.wait_for_timeout(before_ms)
    page.wait_for_function(
        "(busy) => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !new RegExp(busy).test("
        "document.querySelector('[data-testid=\"stStatusWidget\"]').innerText)",
        arg=busy,
        timeout=timeout_ms,
    )
    page.wait_for_timeout(after_ms)
