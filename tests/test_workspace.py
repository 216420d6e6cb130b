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
def test_offline_falls_back_to_bundled_extract(tmp_path):
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
