"""Settings from defaults, a TOML file and the environment."""

from __future__ import annotations

import pytest

from geo._errors import InputError
from geo.settings import load_settings


def test_defaults_point_into_data_dir(tmp_path):
    s = load_settings({"BEATMAP_DATA_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path}/beatmap.sqlite"
    assert s.tile_url is None and s.language == "zh" and not s.show_personal


def test_file_then_environment(tmp_path):
    cfg = tmp_path / "beatmap.toml"
    cfg.write_text('tiles = "osm"\nlanguage = "en"\nrole = "admin"\n', encoding="utf-8")
    s = load_settings({"BEATMAP_CONFIG": str(cfg), "BEATMAP_LANGUAGE": "zh"})
    assert s.tile_url.startswith("https://tile.openstreetmap.org")
    assert s.language == "zh" and s.show_personal


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('colour = "red"\n', "unknown keys"),
        ('role = "mayor"\n', "role must be one of"),
        ("tiles = \n", "not valid TOML"),
    ],
)
def test_bad_config_file(tmp_path, text, match):
    cfg = tmp_path / "beatmap.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_settings({}, config_file=cfg)
