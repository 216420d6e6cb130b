"""Settings: one place that says where the database, the OSM area and the tiles are.

Values come from, in increasing priority: built-in defaults, a TOML config file, environment
variables. The config file is ``$BEATMAP_CONFIG`` if set, else ``beatmap.toml`` in the working
directory if present. Every key of the file has an environment variable ``BEATMAP_<KEY>``.

Example ``beatmap.toml``::

    database_url = "sqlite:////srv/beatmap/beatmap.sqlite"
    osm_file = "/srv/beatmap/city.osm.pbf"
    tiles = "http://10.1.2.3/tiles/{z}/{x}/{y}.png"   # or "none" (default), or "osm"
    online = "no"                                      # "auto" (default), "yes", "no"
    language = "zh"                                    # "zh" (default) or "en"
    role = "officer"                                   # officer, chief, planner, admin
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from geo._errors import InputError

LANGUAGES = ("zh", "en")
ROLES = ("officer", "chief", "planner", "admin")
#: roles allowed to see names and phone numbers unmasked
PERSONAL_DATA_ROLES = ("admin",)
ONLINE_MODES = ("auto", "yes", "no")
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def show_personal(role: str) -> bool:
    """Whether a user of ``role`` sees names and phone numbers unmasked.

    The one rule for personal data: prints, exports and pages pass its answer on as their
    ``show_personal`` argument.
    """
    return role in PERSONAL_DATA_ROLES


#: ~2 x 2 km hutong area of Dongcheng, Beijing, around Beixinqiao (west, south, east, north)
DEMO_BBOX = (116.405, 39.933, 116.425, 39.950)


@dataclass(frozen=True)
class Settings:
    """BeatMap settings. Build with :func:`load_settings`."""

    data_dir: Path = field(default_factory=lambda: Path.cwd() / "data")
    database_url: str = ""
    osm_file: str = ""
    tiles: str = "none"
    tiles_attribution: str = "© OpenStreetMap contributors"
    online: str = "auto"
    language: str = "zh"
    role: str = "officer"
    demo_seed: int = 7

    def __post_init__(self) -> None:
        problems = []
        if self.language not in LANGUAGES:
            problems.append(f"language must be one of {LANGUAGES}, got {self.language!r}")
        if self.role not in ROLES:
            problems.append(f"role must be one of {ROLES}, got {self.role!r}")
        if self.online not in ONLINE_MODES:
            problems.append(f"online must be one of {ONLINE_MODES}, got {self.online!r}")
        if problems:
            raise InputError("; ".join(problems))
        if not self.database_url:
            url = f"sqlite:///{(Path(self.data_dir) / 'beatmap.sqlite').as_posix()}"
            object.__setattr__(self, "database_url", url)

    @property
    def cache_dir(self) -> Path:
        """Folder for downloaded OSM areas and other caches."""
        return Path(self.data_dir) / "cache"

    @property
    def tile_url(self) -> str | None:
        """The tile URL template, or None when maps draw the OSM area as vectors only."""
        if self.tiles in ("", "none"):
            return None
        if self.tiles == "osm":
            return OSM_TILES
        return self.tiles

    @property
    def show_personal(self) -> bool:
        """Whether this role sees names and phone numbers unmasked (:func:`show_personal`)."""
        return show_personal(self.role)

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some values changed."""
        return replace(self, **changes)


def load_settings(
    environ: Mapping[str, str] | None = None, *, config_file: str | Path | None = None
) -> Settings:
    """Read settings from the config file and the environment.

    Parameters
    ----------
    environ : mapping, optional
        Environment variables; ``os.environ`` when omitted.
    config_file : path, optional
        TOML file; defaults to ``$BEATMAP_CONFIG`` or ``./beatmap.toml`` when present.

    Returns
    -------
    Settings
    """
    env = os.environ if environ is None else environ
    names = {f.name for f in fields(Settings)}
    values: dict[str, object] = {}
    path = config_file or env.get("BEATMAP_CONFIG")
    if path is None and Path("beatmap.toml").is_file():
        path = "beatmap.toml"
    if path:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"config file {p} does not exist")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"config file {p} is not valid TOML: {exc}") from exc
        unknown = sorted(set(data) - names)
        if unknown:
            raise InputError(f"config file {p}: unknown keys {unknown}; allowed: {sorted(names)}")
        values.update(data)
    for name in names:
        key = f"BEATMAP_{name.upper()}"
        if key in env:
            values[name] = env[key]
    if "data_dir" in values:
        values["data_dir"] = Path(str(values["data_dir"]))
    if "demo_seed" in values:
        try:
            values["demo_seed"] = int(values["demo_seed"])  # type: ignore[arg-type]
        except ValueError as exc:
            raise InputError(
                f"demo_seed must be a whole number, got {values['demo_seed']!r}"
            ) from exc
    return Settings(**values)  # type: ignore[arg-type]
