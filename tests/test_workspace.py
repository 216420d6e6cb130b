"""First start: the fallback chain builds a demo city and starts offline without error."""

from __future__ import annotations

import pytest

from geo.settings import load_settings
from geo.workspace import BUNDLED, open_workspace


def _settings(tmp_path, **env):
    base = {"BEATMAP_DATA_DIR": str(tmp_path), "BEATMAP_ONLINE": "no"}
    base.update(env)
    return load_settings(base, config_file=None)


def test_configured_osm_file_first(tmp_path, alleys_osm):
    ws = open_workspace(_settings(tmp_path, BEATMAP_OSM_FILE=str(alleys_osm)))
    assert ws.store.count("households") > 0
    assert ws.store.get_meta("area_source") == str(alleys_osm)
    assert ws.notes == []
    # the second start reuses the store and does not rebuild
    visits = ws.store.count("visits")
    again = open_workspace(_settings(tmp_path, BEATMAP_OSM_FILE=str(alleys_osm)))
    assert again.store.count("visits") == visits


@pytest.mark.slow
def test_offline_picks_the_shipped_chinese_extract(tmp_path):
    from geo.workspace import SHIPPED, shipped_extract

    assert shipped_extract().is_file()
    assert shipped_extract().stat().st_size < 3_000_000
    ws = open_workspace(_settings(tmp_path))
    assert ws.store.get_meta("area_source") == SHIPPED
    assert ws.area.name == "北京海淀五道口"
    assert ws.store.count("households") > 0
    assert any("五道口" in zh and "ODbL" in zh for zh, _ in ws.notes)
    # the second start reloads the same city, named in Chinese
    again = open_workspace(_settings(tmp_path))
    assert again.area.name == "北京海淀五道口"
    assert any("Wudaokou" in en for _, en in again.notes)


def test_shipped_city_is_named_in_chinese_by_beatmap_info(tmp_path):
    import subprocess
    import sys

    from geo.store import Store
    from geo.workspace import SHIPPED, area_label

    assert area_label(SHIPPED) == "北京海淀五道口"
    assert area_label(SHIPPED, "en") == "Wudaokou, Haidian, Beijing"
    db = tmp_path / "i.sqlite"
    Store(f"sqlite:///{db}").set_meta({"area_source": SHIPPED})
    out = subprocess.run(
        [sys.executable, "-m", "geo.cli", "info", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "区域：北京海淀五道口" in out.stdout


@pytest.mark.slow
def test_offline_falls_back_to_bundled_extract(tmp_path, monkeypatch):
    # a trimmed install without the shipped extract still starts, over Helsinki
    monkeypatch.setattr("geo.workspace.SHIPPED_FILE", tmp_path / "missing.osm.bz2")
    ws = open_workspace(_settings(tmp_path))
    assert ws.store.get_meta("area_source") == BUNDLED
    assert ws.store.count("households") > 0
    assert any("Helsinki" in en for _, en in ws.notes)
    # the note survives a restart
    again = open_workspace(_settings(tmp_path))
    assert any("赫尔辛基" in zh for zh, _ in again.notes)


@pytest.mark.slow
def test_online_downloads_demo_area_and_caches_it(tmp_path, shared_osm, monkeypatch):
    import osmnx as ox

    from geo import settings as settings_mod
    from tests.osm_server import serve_extract

    extract = shared_osm / "beijing-haidian-xueyuanlu.osm"
    # the demo box is pointed at the extract the local server answers from
    monkeypatch.setattr(settings_mod, "DEMO_BBOX", (116.344, 39.998, 116.3597, 40.0089))
    monkeypatch.setattr("geo.workspace.DEMO_BBOX", (116.344, 39.998, 116.3597, 40.0089))
    with serve_extract(extract) as url:
        monkeypatch.setattr(ox.settings, "overpass_url", url)
        ws = open_workspace(_settings(tmp_path, BEATMAP_ONLINE="yes"))
    assert ws.store.get_meta("area_source").startswith("download:")
    assert ws.store.count("households") > 0
    assert any("Beixinqiao" in en for _, en in ws.notes)
    assert any(tmp_path.joinpath("cache").iterdir())
