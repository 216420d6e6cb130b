"""Several app servers: two ``beatmap serve`` processes on one PostgreSQL database behind HAProxy.

The test builds the demo city over tests/data/alleys_estate.osm in a PostgreSQL+PostGIS
database, starts two app servers with ``beatmap serve`` (which execs Streamlit) and HAProxy
with ``deploy/haproxy.cfg`` rewritten to loopback free ports, then:

* HAProxy's affinity cookie pins a client to one server (every later request and the
  websocket upgrade go there); two new clients are spread over both servers;
* two phones (headless Chromium), one pinned to each server, log in on the field page and tap
  已走访: both visits are in the database, one written by each server;
* a SIGTERM to the ``beatmap serve`` process id stops the server (nothing is left running).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS
from tests.conftest import DATA
from tests.pgserver import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
OSM = DATA / "alleys_estate.osm"
PASSWORD = "Beat-Map-2026!"
TIMEOUT_MS = 180_000
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _haproxy_cfg(front: int, ports: list[int], stats_log: Path) -> str:
    """deploy/haproxy.cfg with loopback ports, no syslog, and a header naming the server."""
    text = (ROOT / "deploy" / "haproxy.cfg").read_text()
    text = re.sub(r"^\s*log .*$", "", text, flags=re.M)
    text = text.replace("    option httplog\n", "")
    text = re.sub(r"bind :80\b", f"bind 127.0.0.1:{front}", text)
    text = text.replace("127.0.0.1:8501", f"127.0.0.1:{ports[0]}")
    text = text.replace("127.0.0.1:8502", f"127.0.0.1:{ports[1]}")
    text = text.replace(
        "    balance roundrobin\n",
        "    balance roundrobin\n    http-response set-header X-BeatMap-Server %[srv_name]\n",
    )
    assert f"127.0.0.1:{ports[1]}" in text and "cookie BEATMAP_SERVER insert" in text
    return text


def _get(url: str, cookie: str | None = None) -> tuple[str, str, str]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with _OPENER.open(req, timeout=10) as resp:
        return (
            resp.read().decode(),
            resp.headers.get("X-BeatMap-Server", ""),
            next(
                (c for c in resp.headers.get_all("Set-Cookie") or [] if "BEATMAP_SERVER" in c), ""
            ),
        )


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if _get(url + "/_stcore/health")[0].strip() == "ok":
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"server not healthy: {log.read_text()[-3000:]}")


def _visit_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM visits")).scalar_one())
    finally:
        engine.dispose()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def city(pg_cluster, tmp_path_factory):
    """A PostgreSQL database with the demo city and two officers' accounts."""
    from geo.auth.users import create_user
    from geo.demo import build_demo, write_demo
    from geo.network import load_area
    from geo.store import Store

    url = pg_cluster.create_database()
    store = Store(url)
    city = build_demo(load_area(OSM), seed=7)
    write_demo(store, city, source=str(OSM))
    off = city.frames["officers"]
    cops = off[(off["role"] == "community_officer") & off["beat_id"].notna()]
    officer = cops.iloc[0]
    users = []
    for k in range(2):  # the officer's own phone and a second phone of the same beat
        name = f"officer{k + 1}"
        create_user(
            store,
            username=name,
            role="officer",
            password=PASSWORD,
            actor="os:test",
            officer_id=int(officer["id"]),
            must_change=False,
        )
        users.append((name, int(officer["id"])))
    store.close()
    return url, users, tmp_path_factory.mktemp("servers")


def test_two_servers_behind_haproxy(city, playwright_api):
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy not installed (apt-get install haproxy)")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    url, users, folder = city
    ports = [free_port(), free_port()]
    front = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "BEATMAP_DATABASE_URL": url,
        "BEATMAP_DATA_DIR": str(folder / "data"),
        "BEATMAP_OSM_FILE": str(OSM),
        "BEATMAP_TILES": "none",
        "BEATMAP_ONLINE": "no",
        "BEATMAP_LANGUAGE": "zh",
    }
    servers, logs = [], []
    haproxy = None
    try:
        for port in ports:
            log = folder / f"app{port}.log"
            logs.append(log)
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "geo.cli",
                        "serve",
                        "--address",
                        "127.0.0.1",
                        "--port",
                        str(port),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
        for port, proc, log in zip(ports, servers, logs, strict=True):
            _wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        cfg = folder / "haproxy.cfg"
        cfg.write_text(_haproxy_cfg(front, ports, folder / "haproxy.log"))
        check = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        haproxy = subprocess.Popen(
            ["haproxy", "-db", "-f", str(cfg)],
            stdout=(folder / "haproxy.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{front}"
        for _ in range(100):
            try:
                if _get(base + "/_stcore/health")[0].strip() == "ok":
                    break
            except OSError:
                time.sleep(0.2)
        # affinity: new clients are spread; a cookie pins every later request to its server
        first = _get(base + "/_stcore/health")
        second = _get(base + "/_stcore/health")
        assert {first[1], second[1]} == {"app1", "app2"}
        for served, cookie in ((first[1], first[2]), (second[1], second[2])):
            assert cookie.startswith(f"BEATMAP_SERVER={served}")
            pinned = {_get(base + "/_stcore/health", cookie.split(";")[0])[1] for _ in range(6)}
            assert pinned == {served}

        # an officer pinned to each server records a visit on the field page
        before = _visit_count(url)
        browser = playwright_api.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            for (user, _), server in zip(users, ("app1", "app2"), strict=True):
                device = dict(playwright_api.devices["Pixel 5"])
                device.pop("default_browser_type", None)
                context = browser.new_context(**device, locale="zh-CN")
                context.add_cookies([{"name": "BEATMAP_SERVER", "value": server, "url": base}])

                def guard(route) -> None:
                    host = urlsplit(route.request.url).hostname
                    if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
                        route.continue_()
                    else:
                        route.abort()

                context.route("**/*", guard)
                page = context.new_page()
                try:
                    page.goto(base + "/field", wait_until="domcontentloaded")
                    page.get_by_label("用户名").fill(user, timeout=TIMEOUT_MS)
                    page.get_by_label("密码").fill(PASSWORD)
                    page.get_by_role("button", name="登录").click()
                    button = page.locator("button", has_text="已走访").first
                    button.wait_for(timeout=TIMEOUT_MS)
                    button.tap()
                    page.get_by_text("已记录").first.wait_for(timeout=TIMEOUT_MS)
                    cookies = {c["name"]: c["value"] for c in context.cookies()}
                    assert cookies.get("BEATMAP_SERVER") == server
                except Exception:
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"haproxy_{server}_failed.png"))
                    print(*(log.read_text()[-3000:] for log in logs), sep="\n----\n")
                    raise
                finally:
                    context.close()
        finally:
            browser.close()
        assert _visit_count(url) == before + 2

        # a stop signal to `beatmap serve` reaches Streamlit (the same process after exec)
        servers[0].send_signal(signal.SIGTERM)
        servers[0].wait(timeout=30)
        for _ in range(50):
            if not _port_open(ports[0]):
                break
            time.sleep(0.2)
        assert not _port_open(ports[0])
        # HAProxy sends app1's clients to app2 once it sees app1 down
        for _ in range(60):
            try:
                body, served, _ = _get(base + "/_stcore/health", "BEATMAP_SERVER=app1")
                if served == "app2":
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert served == "app2" and body.strip() == "ok"
    finally:
        if haproxy is not None:
            haproxy.terminate()
            haproxy.wait(timeout=10)
        for proc in servers:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
