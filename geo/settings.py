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
    role = "officer"        # the command line's masking only; the web app uses accounts
    auth = "local"          # "local" (default), "header" (single sign-on proxy), "oidc"
    auth_header = "X-Remote-User"          # header mode: the header with the user name
    trusted_proxies = "10.1.2.10"          # header mode: proxy addresses, comma-separated
    lockout_attempts = 5    # wrong passwords in a row before the account locks
    lockout_minutes = 10
    idle_minutes = 30       # a session ends after this long without use
    audit_retention_days = 180             # never fewer than 180
    max_field_length = 2000 # longest text accepted in one imported field (characters)
    weekly_hours_target = 36               # an officer's target hours a week in the community
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
AUTH_MODES = ("local", "header", "oidc")
#: audit rows are kept at least this many days (Cybersecurity Law art. 21: six months)
MIN_AUDIT_RETENTION_DAYS = 180
_INT_SETTINGS = (
    "demo_seed",
    "weekly_hours_target",
    "lockout_attempts",
    "lockout_minutes",
    "idle_minutes",
    "audit_retention_days",
    "max_field_length",
)
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
    auth: str = "local"
    auth_header: str = "X-Remote-User"
    trusted_proxies: str = ""
    lockout_attempts: int = 5
    lockout_minutes: int = 10
    idle_minutes: int = 30
    audit_retention_days: int = 180
    max_field_length: int = 2000
    weekly_hours_target: int = 36  # hours a week in the community (Dongcheng: 36)

    def __post_init__(self) -> None:
        problems = []
        if self.auth not in AUTH_MODES:
            problems.append(f"auth must be one of {AUTH_MODES}, got {self.auth!r}")
        if self.auth == "header" and not self.proxy_addresses:
            problems.append("auth = 'header' needs trusted_proxies (the proxy's addresses)")
        for name in ("lockout_attempts", "lockout_minutes", "idle_minutes", "weekly_hours_target"):
            if int(getattr(self, name)) < 1:
                problems.append(f"{name} must be at least 1, got {getattr(self, name)!r}")
        if not 1 <= int(self.max_field_length) <= 32767:
            problems.append(
                "max_field_length must be from 1 to 32767 (an Excel cell's limit), "
                f"got {self.max_field_length!r}"
            )
        if int(self.audit_retention_days) < MIN_AUDIT_RETENTION_DAYS:
            problems.append(
                f"audit_retention_days must be at least {MIN_AUDIT_RETENTION_DAYS}, "
                f"got {self.audit_retention_days!r}"
            )
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

    @property
    def proxy_addresses(self) -> frozenset[str]:
        """The trusted reverse-proxy addresses of header mode."""
        return frozenset(a.strip() for a in str(self.trusted_proxies).split(",") if a.strip())

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
    for name in _INT_SETTINGS:
        if name not in values:
            continue
        try:
            values[name] = int(values[name])  # type: ignore[arg-type]
        except ValueError as exc:
            raise InputError(f"{name} must be a whole number, got {values[name]!r}") from exc
    return Settings(**values)  # type: ignore[arg-type]
