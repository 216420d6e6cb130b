"""Import and export of the model's tables: CSV, Excel, GeoJSON, GeoPackage, Shapefile.

Reading (:func:`read_table_file`)
    * **CSV** (``.csv``, ``.txt``, ``.tsv``): UTF-8 (with or without BOM), else GB18030/GBK
      (what Chinese Excel writes), UTF-16 or UTF-32 with BOM (without one: refused as an
      encoding not supported); comma, tab or semicolon separated. Every value is read as
      text, so phone numbers and room numbers keep their leading zeros.
    * **Excel** (``.xlsx``, ``.xlsm``): the first sheet, or the one named by ``sheet``.
    * **GeoJSON** (``.geojson``, ``.json``), **GeoPackage** (``.gpkg``; the layer named by
      ``sheet``, else the one named like the table, else the first), **Shapefile** (``.shp``,
      or a ``.zip`` holding one): reprojected to WGS-84 when the file has another CRS; a
      ``.dbf`` without ``.cpg`` is read as UTF-8 when it decodes as such, else as GBK.

    Headers are matched to the model's fields by name or alias, Chinese or English, ignoring
    case, spaces, underscores, hyphens and brackets (``联系电话``, ``Contact Phone`` and
    ``contact_phone`` all mean ``contact_phone``). Unknown columns are ignored and listed;
    two columns meaning the same field are an error. ``编号``/``id`` is the record id.

    Coordinates come from ``lon``/``lat`` columns (also ``lng``, ``longitude``, ``x``, 经度 ...
    and ``latitude``, ``y``, 纬度 ..., optionally carrying a datum such as ``gcj_lng`` or
    ``百度纬度``), from a WKT column (``geometry``, ``wkt``, 几何), or from the file's own
    geometry.

Row numbers
    Every problem names the file, the row, the field (as headed in the file) and what was
    expected. Rows are **data rows counted from 1**: for CSV and Excel, row 1 is the first row
    under the header (Excel shows it as row 2); for GeoJSON, GeoPackage and Shapefile, row N
    is the N-th feature. Blank lines are not data rows but are counted, so numbers stay
    aligned with the file.

Datums
    Chinese web maps give GCJ-02 (Amap, Tencent) or BD-09 (Baidu) coordinates, offset by
    hundreds of metres from WGS-84. With ``datum="auto"`` the datum is decided by, in order:
    a projected CRS in the file (then the data are surveyed, not from a web map: WGS-84);
    all points outside China (no offset there: WGS-84); hints in the headers
    (:func:`geo.coords.datum_from_headers`); the reference test against WGS-84 points of the
    loaded OSM area (:func:`geo.coords.detect_datum`) when ``reference`` is given; else
    WGS-84 is assumed and the report says so. Points (and beats' office points) are stored
    in WGS-84.

    A file without data (empty, a header only, a workbook of blank rows, a ``.zip`` without a
    shapefile, an unreadable or damaged file) is refused with a message naming it. With
    ``datum="auto"`` and a reference, every point is also compared with the area
    (:func:`geo.coords.disagreeing_rows`): a few that fit another datum are reported, many
    (:data:`MIXED_DATUM_SHARE`) refuse the file as a mix of datums.

Import (:func:`import_file`)
    Validation (:func:`geo.model.validate`: types, and what cannot be true), reference checks,
    duplicate checks, beat overlaps and beat assignment happen before anything is written; the
    write is one transaction, so a bad file changes nothing. Unusual but possible values are
    imported and listed in the report's warnings.

Export (:func:`export_table`)
    Made for a police administrator and for re-import: headers are the field labels in the
    chosen language (``地址``, ``联系电话`` ... or ``address``, ``contact phone`` ...), enum
    codes and yes/no values are written as their labels (``已走访``, ``是``/``否``; or
    ``visited``, ``yes``/``no``), points as ``经度(WGS-84)``/``纬度(WGS-84)`` columns and
    polygons as WKT in CSV/Excel, a real geometry in GeoPackage. Every one of these is what
    the importer accepts, so an exported table imports back unchanged (ids included) into an
    empty store. CSV is UTF-8 with a BOM so that Excel shows the Chinese correctly. Personal
    fields (and phone and ID numbers in free text) are masked unless allowed; a masked export
    re-imports with the masked values. Text cells that would run as formulas get a leading
    apostrophe (:func:`geo.textguard.spreadsheet_safe`; the importer drops it again), and
    every file is written whole or not at all (:func:`atomic_output`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import coords
from geo._errors import InputError, NotFoundError, Problem, ValidationError
from geo.beats import BEAT_SNAP_M, assign_beats
from geo.model import (
    BEAT_OVERLAP_REFUSE,
    WGS84,
    Table,
    enum_label,
    mask_personal,
    table,
    validate,
)
from geo.progress import ProgressCallback, Tracker
from geo.textguard import DEFAULT_MAX_FIELD_LENGTH, spreadsheet_safe, unneutralise

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
GEO_EXTENSIONS = (".geojson", ".json", ".gpkg", ".shp")
READ_EXTENSIONS = (*CSV_EXTENSIONS, *EXCEL_EXTENSIONS, *GEO_EXTENSIONS, ".zip")
EXPORT_EXTENSIONS = (".csv", ".xlsx", ".gpkg")
DUPLICATE_MODES = ("skip", "error")
DATUM_CHOICES = ("auto", "wgs84", "gcj02", "bd09")

_ID_ALIASES = ("id", "编号", "序列号", "记录编号")
_LON_ALIASES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "横坐标")
_LAT_ALIASES = ("lat", "latitude", "y", "纬度", "北纬", "纵坐标")
_GEOM_ALIASES = (
    "geometry",
    "geom",
    "the_geom",
    "wkt",
    "geometry wkt",
    "shape",
    "几何",
    "几何wkt",
    "边界",
    "范围",
)
#: datum words removed from a header before testing it as a lon/lat header
_DATUM_WORDS = re.compile(
    r"gcj-?02|gcj|amap|gaode|tencent|bd-?09(?:ll)?|baidu|wgs-?84|wgs|epsg:?4326|4326|"
    r"火星坐标|火星|高德|腾讯|百度|国测局|坐标系|坐标|(?<![a-z])(?:bd|gps|qq)(?![a-z])"
)
_XLSX_MAX_CELL = 32767

_DATUM_NAMES = {
    "wgs84": ("WGS-84（GPS/OSM）", "WGS-84 (GPS/OSM)"),
    "gcj02": ("GCJ-02（高德/腾讯）", "GCJ-02 (Amap/Tencent)"),
    "bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
}


def _norm(header: object) -> str:
    """Header key for matching: NFKC, case-folded, without spaces, _ - . / brackets."""
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    return re.sub(r"[\s_\-./()\[\]{}（）【】·:：,，]+", "", text)


def _lookup(tbl: Table) -> dict[str, str]:
    keys = {_norm(a): "id" for a in _ID_ALIASES}
    for f in tbl.fields:
        for alias in (f.name, *f.aliases, *f.label):
            keys[_norm(alias)] = f.name
    return keys


def _coord_role(header: str) -> tuple[str | None, str | None]:
    """("lon"|"lat"|"geometry"|None, datum hint) of a header that is not a model field."""
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    hint = coords.header_hint(text)
    key = _norm(text)
    stripped = _norm(_DATUM_WORDS.sub(" ", text))
    for role, aliases in (
        ("lon", _LON_ALIASES),
        ("lat", _LAT_ALIASES),
        ("geometry", _GEOM_ALIASES),
    ):
        names = {_norm(a) for a in aliases}
        if key in names or (stripped and stripped in names):
            return role, hint
    return None, hint


# --------------------------------------------------------------------------------------------
# reading


@dataclass
class TableFile:
    """A file read for one table, before validation.

    Unpacks as ``frame, rows, source_names`` (``frame, rows, names = read_table_file(...)``).

    Attributes
    ----------
    frame : DataFrame
        Columns renamed to the model's field names (``id`` when given; ``geometry`` of shapely
        objects in WGS-84 for spatial tables when coordinates were found); values as read.
    rows : numpy.ndarray
        Row number in the file of each row of ``frame`` (see the module notes).
    source_names : dict
        Model field -> header as written in the file (``geometry`` -> the lon/lat headers).
    file : str
        The file's name, as problems name it.
    datum : str
        Datum the coordinates were read in (``wgs84``, ``gcj02``, ``bd09``), "" without any.
    datum_how : str
        How it was decided: ``explicit``, ``file_crs``, ``outside_china``, ``headers``,
        ``reference``, ``assumed``, ``uncertain`` (reference test inconclusive, WGS-84
        assumed) or ``none``.
    datum_guess : DatumGuess or None
        The reference test's result, when it ran.
    unknown_columns : list of str
        Headers that match no field (ignored).
    warnings : list of (str, str)
        Notes for the report, as (Chinese, English).
    problems : list of Problem
        Problems found while reading (coordinates); :func:`read_table_file` raises them.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    source_names: dict[str, str]
    file: str
    datum: str = ""
    datum_how: str = "none"
    datum_guess: coords.DatumGuess | None = None
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[object]:
        yield self.frame
        yield self.rows
        yield self.source_names


@dataclass
class _Raw:
    frame: pd.DataFrame  # original headers, values as read
    rows: np.ndarray
    geometry: np.ndarray | None = None  # the file's own geometry, WGS-84
    projected: bool = False
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _file_problem(file: str, message: str, *, row: int | None = None) -> ValidationError:
    return ValidationError([Problem(message, file, row)])


def _looks_utf16(data: bytes) -> bool:
    """Whether ``data`` looks like UTF-16 text (every other byte zero) without a BOM."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return False
    zeros = max(sample[0::2].count(0), sample[1::2].count(0))
    return zeros > 0.3 * half


def _decode(data: bytes, name: str) -> str:
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return data.decode("utf-32")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if _looks_utf16(data):
        raise _file_problem(
            name,
            "encoding not supported: the text looks like UTF-16 (or UTF-32) without a "
            "byte-order mark; save the file as 'CSV UTF-8' (or GBK) in Excel",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n")  # 0 = header line
        raise _file_problem(
            name,
            f"the text is neither UTF-8 nor GBK/GB18030 (byte 0x{data[exc.start]:02x} at "
            f"offset {exc.start}); save the file as 'CSV UTF-8' in Excel",
            row=line if line > 0 else None,
        ) from None


def _split_header(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Use the first row as the header; drop blank rows, keeping the file's row numbers."""
    filled = raw.notna().any(axis=1).to_numpy(bool)
    if raw.empty or not filled.any():
        return pd.DataFrame(), np.array([], dtype=np.int64)
    raw = raw.iloc[int(np.argmax(filled)) :]  # blank lines above the header are skipped
    headers = [
        "" if (h is None or (isinstance(h, float) and np.isnan(h))) else str(h).strip()
        for h in raw.iloc[0].tolist()
    ]
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep = [i for i, h in enumerate(headers) if h]  # unnamed columns must be empty
    rows = np.arange(1, len(body) + 1, dtype=np.int64)
    blank = body.isna().all(axis=1).to_numpy(bool)
    unnamed = [i for i in range(len(headers)) if i not in keep]
    body = body[keep]
    body.columns = [headers[i] for i in keep]
    if unnamed:
        extra = raw.iloc[1:, unnamed].notna().any(axis=1).to_numpy(bool)
        blank = blank & ~extra
    return body.loc[~blank].reset_index(drop=True), rows[~blank]


def _read_csv(path: Path, name: str) -> _Raw:
    text = _decode(path.read_bytes(), name)
    first = text.split("\n", 1)[0]
    sep = max((",", "\t", ";"), key=first.count)
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame()
    except pd.errors.ParserError as exc:
        raise _file_problem(name, f"cannot read as CSV: {exc}") from None
    frame, rows = _split_header(raw)
    return _Raw(frame, rows)


def _read_excel(path: Path, name: str, sheet: str | None) -> _Raw:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # zip/xml errors of a damaged workbook
        raise _file_problem(name, f"cannot open as an Excel .xlsx workbook: {exc}") from None
    with book:
        if sheet is not None and sheet not in book.sheet_names:
            raise InputError(
                f"{name}: no sheet {sheet!r}; sheets: {', '.join(map(str, book.sheet_names))}"
            )
        raw = pd.read_excel(
            book, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object
        )
    raw = raw.map(lambda v: v.strip() or None if isinstance(v, str) else v)
    frame, rows = _split_header(raw)
    return _Raw(frame, rows)


def _dbf_encoding(shp: Path) -> str | None:
    """Encoding for a .dbf without .cpg: None (GDAL decides) if UTF-8 decodes, else GB18030."""
    if shp.with_suffix(".cpg").exists() or shp.with_suffix(".CPG").exists():
        return None
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return None
    data = dbf.read_bytes()
    if len(data) < 32:
        return None
    start = int.from_bytes(data[8:10], "little")
    body = data[start:].rstrip(b"\x1a")
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _pick_layer(path: Path, name: str, kind: str, sheet: str | None) -> tuple[str | None, list]:
    import pyogrio

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio.errors.DataSourceError: not a GeoPackage at all
        raise _file_problem(name, f"cannot read as a GIS file: {exc}") from None
    warnings = []
    if sheet is not None:
        if sheet not in layers:
            raise InputError(f"{name}: no layer {sheet!r}; layers: {', '.join(layers)}")
        return sheet, warnings
    if len(layers) <= 1:
        return None, warnings
    tbl = table(kind)
    wanted = {_norm(kind), *(_norm(lbl) for lbl in tbl.label)}
    for layer in layers:
        if _norm(layer) in wanted:
            return layer, warnings
    warnings.append(
        (
            f"文件有多个图层（{', '.join(layers)}），已读取第一个：{layers[0]}",
            f"the file has several layers ({', '.join(layers)}); read the first: {layers[0]}",
        )
    )
    return layers[0], warnings


def _text_as_object(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects (None for missing); numbers and dates keep their type."""
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col].dtype):
            s = frame[col].astype(object)
            frame[col] = s.where(s.notna(), None)
    return frame


def _read_geo(path: Path, name: str, kind: str, sheet: str | None) -> _Raw:
    import pyogrio

    warnings: list[tuple[str, str]] = []
    layer = None
    kwargs: dict[str, object] = {}
    if path.suffix.lower() == ".gpkg":
        layer, warnings = _pick_layer(path, name, kind, sheet)
    if path.suffix.lower() == ".shp":
        enc = _dbf_encoding(path)
        if enc:
            kwargs["encoding"] = enc
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, **kwargs)
    except Exception as exc:  # pyogrio.errors.DataSourceError and GDAL errors
        raise _file_problem(name, f"cannot read as a GIS file: {exc}") from None
    projected = False
    if not isinstance(gdf, gpd.GeoDataFrame):  # a layer without geometry (e.g. visits)
        frame = _text_as_object(pd.DataFrame(gdf))
        rows = np.arange(1, len(frame) + 1, dtype=np.int64)
        return _Raw(frame.reset_index(drop=True), rows, None, False, warnings)
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        projected = not gdf.crs.is_geographic
        gdf = gdf.to_crs(WGS84)
        warnings.append(
            (
                f"已从文件坐标系 {gdf.crs.name} 转换为 WGS-84",
                "reprojected to WGS-84 from the file's CRS",
            )
        )
    geom = np.asarray(gdf.geometry.values, dtype=object)
    frame = _text_as_object(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    if gdf.crs is None and len(geom):
        bounds = shapely.total_bounds(geom)
        if np.isfinite(bounds).all() and (np.abs(bounds[[0, 2]]) > 180).any():
            raise _file_problem(
                name,
                "the file has no CRS (.prj) and its coordinates are not degrees; "
                "add the .prj file or save it with its coordinate system",
            )
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return _Raw(frame.reset_index(drop=True), rows, geom, projected, warnings)


def _check_not_empty(raw: _Raw, path: Path, name: str) -> None:
    """Refuse a file without a header, or without a data row under it."""
    ext = path.suffix.lower()
    if raw.frame.shape[1] == 0 and raw.geometry is None:
        if ext in EXCEL_EXTENSIONS:
            msg = "the sheet holds no data (only blank rows); fill in a header row and data rows"
        elif ext in CSV_EXTENSIONS and not path.read_bytes().strip():
            msg = "the file is empty; give a header row and data rows"
        else:
            msg = "the file has no header row and no data; give a header row and data rows"
        raise _file_problem(name, msg)
    if len(raw.frame) == 0:
        if ext in GEO_EXTENSIONS:
            msg = "the layer holds no features (no data rows)"
        else:
            msg = "the file has a header row but no data rows under it"
        raise _file_problem(name, msg)


def _read_raw(path: Path, name: str, kind: str, sheet: str | None) -> _Raw:
    ext = path.suffix.lower()
    if ext in CSV_EXTENSIONS:
        return _read_csv(path, name)
    if ext in EXCEL_EXTENSIONS:
        return _read_excel(path, name, sheet)
    if ext in GEO_EXTENSIONS:
        return _read_geo(path, name, kind, sheet)
    if ext == ".xls":
        raise InputError(f"{name}: old Excel .xls files are not read; save it as .xlsx")
    raise InputError(
        f"{name}: cannot read files of type {ext or '(none)'!r}; allowed: "
        + ", ".join(READ_EXTENSIONS)
    )


def _reference_xy(reference: object) -> np.ndarray | None:
    """WGS-84 lon/lat array of a reference given as points, a GeoSeries/GeoDataFrame or array."""
    if reference is None:
        return None
    if isinstance(reference, gpd.GeoDataFrame | gpd.GeoSeries):
        geo = reference.geometry if isinstance(reference, gpd.GeoDataFrame) else reference
        if geo.crs is not None and not geo.crs.equals(WGS84):
            geo = geo.to_crs(WGS84)
        reference = geo.values
    arr = np.asarray(reference, dtype=object)
    if arr.size and isinstance(arr.flat[0], shapely.Geometry):
        pts = shapely.centroid(arr.ravel())
        pts = pts[~shapely.is_empty(pts)]
        return shapely.get_coordinates(pts)
    return np.asarray(reference, dtype=float).reshape(-1, 2)


def _convert_geoms(geom: np.ndarray, datum: str) -> np.ndarray:
    if datum == "wgs84":
        return geom

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = coords.to_wgs84(xy[:, 0], xy[:, 1], datum)
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _numbers(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _parse_lonlat(
    frame: pd.DataFrame,
    lon_col: str,
    lat_col: str,
    rows: np.ndarray,
    file: str,
    problems: list[Problem],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers from lon/lat columns; problems for blanks, text and out-of-range values."""
    raw_x, raw_y = frame[lon_col], frame[lat_col]
    x, y = _numbers(raw_x), _numbers(raw_y)
    blank = raw_x.isna().to_numpy() & raw_y.isna().to_numpy()
    ok = np.isfinite(x) & np.isfinite(y)
    for col, vals, raw in ((lon_col, x, raw_x), (lat_col, y, raw_y)):
        bad = ~np.isfinite(vals) & ~blank
        for pos in np.flatnonzero(bad & raw.notna().to_numpy()):
            problems.append(
                Problem("expected a number (degrees)", file, int(rows[pos]), col, raw.iloc[pos])
            )
        for pos in np.flatnonzero(bad & raw.isna().to_numpy()):
            problems.append(
                Problem("is empty while the other coordinate is given", file, int(rows[pos]), col)
            )
    for pos in np.flatnonzero(blank):
        problems.append(
            Problem("coordinates are required but empty", file, int(rows[pos]), lon_col)
        )
    with np.errstate(invalid="ignore"):
        big = ok & ((np.abs(x) > 180) | (np.abs(y) > 90))
        swapped = big & (np.abs(y) <= 180) & (np.abs(x) <= 90)
    for pos in np.flatnonzero(big):
        if swapped[pos]:
            msg = "expected latitude -90..90 in the latitude column; are lon and lat swapped?"
        elif abs(x[pos]) > 1000 or abs(y[pos]) > 1000:
            msg = (
                "expected longitude/latitude in degrees, got projected coordinates (metres); "
                "give degrees, or a GeoPackage/Shapefile that carries its CRS"
            )
        else:
            msg = "expected longitude -180..180 and latitude -90..90 (degrees)"
        problems.append(
            Problem(msg, file, int(rows[pos]), f"{lon_col}/{lat_col}", f"{x[pos]}, {y[pos]}")
        )
    ok &= ~big
    return x, y, ok


def _decide_datum(
    tf: TableFile,
    datum: str,
    x: np.ndarray,
    y: np.ndarray,
    headers: list[str],
    reference: object,
    projected: bool,
) -> None:
    """Set ``tf.datum``/``tf.datum_how`` (and warnings) for points ``x``, ``y`` as read."""
    if datum != "auto":
        tf.datum, tf.datum_how = coords.normalize_datum(datum), "explicit"
        return
    if projected:
        tf.datum, tf.datum_how = "wgs84", "file_crs"
        return
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any() and coords.out_of_china(x[ok], y[ok]).all():
        tf.datum, tf.datum_how = "wgs84", "outside_china"
        return
    hinted = coords.datum_from_headers(headers)
    if hinted:
        tf.datum, tf.datum_how = hinted, "headers"
        return
    ref = _reference_xy(reference)
    if ref is not None and len(ref) and ok.any():
        guess = coords.detect_datum(x[ok], y[ok], ref)
        tf.datum_guess = guess
        if guess.datum in coords.DATUMS:
            tf.datum, tf.datum_how = guess.datum, "reference"
            return
        tf.datum, tf.datum_how = "wgs84", "uncertain"
        med = "、".join(f"{d} {guess.medians.get(d, float('nan')):.0f} 米" for d in coords.DATUMS)
        med_en = ", ".join(f"{d} {guess.medians.get(d, float('nan')):.0f} m" for d in coords.DATUMS)
        tf.warnings.append(
            (
                f"无法判断坐标系（与本区域 OSM 参考点的中位距离：{med}），按 WGS-84 导入；"
                "如坐标来自高德/腾讯请选 GCJ-02，来自百度请选 BD-09",
                f"could not tell the datum (median distance to the area's OSM reference points: "
                f"{med_en}); imported as WGS-84 — choose GCJ-02 for Amap/Tencent coordinates, "
                "BD-09 for Baidu",
            )
        )
        return
    tf.datum, tf.datum_how = "wgs84", "assumed"
    tf.warnings.append(
        (
            "未指定坐标系，按 WGS-84 导入；如坐标来自高德/腾讯地图请选 GCJ-02，来自百度地图请选 BD-09",
            "no datum given: imported as WGS-84; choose GCJ-02 for coordinates from Amap/Tencent, "
            "BD-09 for Baidu",
        )
    )


#: share of a file's points that disagree with its datum above which the file is refused
MIXED_DATUM_SHARE = 0.1


def _flag_mixed_datums(tf: TableFile, geom: np.ndarray, rows: np.ndarray, reference) -> None:
    """Compare each point with the area (:func:`geo.coords.disagreeing_rows`).

    A few points that fit another datum better are reported; many (at least
    :data:`MIXED_DATUM_SHARE` of the points, and two) mean a file that mixes datums, which is
    refused: no one datum places all its rows right.
    """
    ref = _reference_xy(reference)
    if ref is None or not len(ref):
        return
    present = np.array([isinstance(g, shapely.Point) and not g.is_empty for g in geom], bool)
    pos = np.flatnonzero(present)
    if not len(pos):
        return
    x, y = shapely.get_x(geom[pos]), shapely.get_y(geom[pos])
    found = coords.disagreeing_rows(x, y, ref, tf.datum)
    bad = np.flatnonzero(found.disagree)
    if not len(bad):
        return
    header = tf.source_names.get("geometry", "geometry")
    chosen = _DATUM_NAMES[tf.datum]
    if len(bad) >= max(2, MIXED_DATUM_SHARE * len(pos)):
        for b in bad:
            other = _DATUM_NAMES[found.better[b]][1]
            tf.problems.append(
                Problem(
                    f"this point fits {other} ({found.better_m[b]:.0f} m from the area's OSM "
                    f"data) but the file reads as {chosen[1]} ({found.chosen_m[b]:.0f} m): "
                    f"{len(bad):,} of {len(pos):,} rows disagree, so the file mixes datums — "
                    "give every row in one datum, or split the file by datum",
                    tf.file,
                    int(rows[pos[b]]),
                    header,
                    f"{x[b]}, {y[b]}",
                )
            )
        return
    listed = [int(rows[pos[b]]) for b in bad]
    tf.warnings.append(
        (
            f"第 {_rows_text(listed, False).removeprefix('第 ')}的坐标更符合其他坐标系"
            f"（本文件按{chosen[0]}读取），请核实这些点位",
            f"{_rows_text(listed, True)} fit another datum better than the file's "
            f"({chosen[1]}); check those points",
        )
    )


def _read(
    path: str | Path,
    kind: str,
    *,
    datum: str = "auto",
    reference: object = None,
    sheet: str | None = None,
    name: str | None = None,
) -> TableFile:
    tbl = table(kind)
    path = Path(path)
    name = name or path.name
    if datum != "auto":
        datum = coords.normalize_datum(datum)
    if not path.exists():
        raise NotFoundError(f"file {path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file (a shapefile's folder: zip it)")
    if path.suffix.lower() == ".zip":
        return _read_zip(path, kind, datum=datum, reference=reference, sheet=sheet, name=name)
    try:
        raw = _read_raw(path, name, kind, sheet)
        _check_not_empty(raw, path, name)
    except OSError as exc:  # unreadable (permissions, a device, a vanished file)
        raise _file_problem(name, f"cannot read the file: {exc.strerror or exc}") from None
    tf = TableFile(pd.DataFrame(), raw.rows, {}, name, warnings=list(raw.warnings))
    problems = tf.problems

    # headers -> fields
    lookup = _lookup(tbl)
    by_field: dict[str, list[str]] = {}
    coord_cols: dict[str, list[str]] = {"lon": [], "lat": [], "geometry": []}
    headers = [str(c) for c in raw.frame.columns]
    for header in headers:
        target = lookup.get(_norm(header))
        if target is not None:
            by_field.setdefault(target, []).append(header)
            continue
        role, _hint = _coord_role(header)
        if role is not None:
            coord_cols[role].append(header)
        else:
            tf.unknown_columns.append(header)
    for target, cols in [*by_field.items(), *coord_cols.items()]:
        if len(cols) > 1:
            problems.append(
                Problem(
                    f"columns {', '.join(repr(c) for c in cols)} all mean {target!r}; keep one",
                    name,
                    None,
                    cols[1],
                )
            )
    frame = pd.DataFrame({f: raw.frame[cols[0]] for f, cols in by_field.items()})
    frame.index = raw.frame.index
    for f in tbl.fields:  # an export's apostrophe before =, +, -, @ comes off again
        if f.kind == "str" and f.name in frame.columns:
            frame[f.name] = frame[f.name].map(unneutralise, na_action="ignore")
    tf.source_names = {f: cols[0] for f, cols in by_field.items()}

    # coordinates
    lon_col = coord_cols["lon"][0] if coord_cols["lon"] else None
    lat_col = coord_cols["lat"][0] if coord_cols["lat"] else None
    wkt_col = coord_cols["geometry"][0] if coord_cols["geometry"] else None
    geom: np.ndarray | None = None
    if tbl.geometry is None:
        ignored = [c for c in (lon_col, lat_col, wkt_col) if c]
        if ignored or raw.geometry is not None:
            tf.warnings.append(
                (
                    f"{tbl.label[0]}没有位置，坐标已忽略",
                    f"{tbl.label[1]} carry no location; coordinates ignored",
                )
            )
        tf.unknown_columns.extend(ignored)
    elif raw.geometry is not None:
        geom = raw.geometry
        tf.source_names["geometry"] = "geometry"
        for c in (lon_col, lat_col, wkt_col):
            if c:
                tf.unknown_columns.append(c)
    elif lon_col and lat_col:
        x, y, ok = _parse_lonlat(raw.frame, lon_col, lat_col, raw.rows, name, problems)
        geom = np.full(len(x), None, dtype=object)
        geom[ok] = shapely.points(x[ok], y[ok])
        tf.source_names["geometry"] = f"{lon_col}/{lat_col}"
        if wkt_col:
            tf.unknown_columns.append(wkt_col)
    elif wkt_col:
        text = raw.frame[wkt_col]
        present = text.notna().to_numpy()
        geom = np.full(len(text), None, dtype=object)
        parsed = shapely.from_wkt(text[present].astype(str).to_numpy(), on_invalid="ignore")
        geom[present] = parsed
        example = "POINT (116.39 39.90)" if tbl.geometry == "point" else "POLYGON ((...))"
        for pos in np.flatnonzero(present)[pd.isna(parsed)]:
            problems.append(
                Problem(
                    f"expected a WKT geometry such as {example}",
                    name,
                    int(raw.rows[pos]),
                    wkt_col,
                    text.iloc[pos],
                )
            )
        for pos in np.flatnonzero(~present):
            problems.append(
                Problem("geometry is required but empty", name, int(raw.rows[pos]), wkt_col)
            )
        tf.source_names["geometry"] = wkt_col
    else:
        problems.append(
            Problem(
                "coordinates are missing: give longitude/latitude columns (lon/lat, lng, "
                "经度/纬度, x/y) or a WKT geometry column (geometry, wkt, 几何)",
                name,
                None,
                "geometry",
            )
        )
        if lon_col or lat_col:
            tf.unknown_columns.append(lon_col or lat_col)

    # datum
    has_office = "office_lon" in frame.columns and "office_lat" in frame.columns
    if geom is not None:
        sample = geom[pd.notna(geom)]
        if len(sample):
            sample = shapely.centroid(sample) if tbl.geometry == "polygon" else sample
            xy = shapely.get_coordinates(sample)
        else:
            xy = np.empty((0, 2))
        _decide_datum(tf, datum, xy[:, 0], xy[:, 1], headers, reference, raw.projected)
        if datum == "auto" and tbl.geometry == "point" and tf.datum_how != "file_crs":
            _flag_mixed_datums(tf, geom, raw.rows, reference)
        if tf.datum != "wgs84":
            geom = _convert_geoms(geom, tf.datum)
        frame["geometry"] = geom
        if has_office and tf.datum != "wgs84":
            ox, oy = _numbers(frame["office_lon"]), _numbers(frame["office_lat"])
            good = np.isfinite(ox) & np.isfinite(oy)
            wx, wy = coords.to_wgs84(ox[good], oy[good], tf.datum)
            frame["office_lon"] = frame["office_lon"].astype(object)
            frame["office_lat"] = frame["office_lat"].astype(object)
            frame.loc[good, "office_lon"] = wx
            frame.loc[good, "office_lat"] = wy
    tf.frame = frame
    return tf


def _read_zip(path: Path, kind: str, **kw: object) -> TableFile:
    name = str(kw.pop("name"))
    with tempfile.TemporaryDirectory(prefix="beatmap-zip-") as tmp:
        try:
            with zipfile.ZipFile(path) as zf:
                zf.extractall(tmp)
        except zipfile.BadZipFile:
            raise _file_problem(name, "not a valid .zip file") from None
        files = [
            p
            for p in sorted(Path(tmp).rglob("*"))
            if p.is_file() and not p.name.startswith(".") and "__MACOSX" not in p.parts
        ]
        data_ext = (".csv", ".tsv", *EXCEL_EXTENSIONS, *GEO_EXTENSIONS)
        inner = [p for p in files if p.suffix.lower() in data_ext]
        shp = [p for p in inner if p.suffix.lower() == ".shp"]
        chosen = shp or inner
        if not chosen:
            found = ", ".join(p.name for p in files[:10]) or "nothing"
            raise _file_problem(
                name,
                "the .zip holds no shapefile (.shp with its .dbf, .shx and .prj) and no data "
                f"file; found: {found}",
            )
        if len(chosen) != 1:
            found = ", ".join(p.name for p in chosen)
            raise _file_problem(
                name, f"the .zip must hold exactly one shapefile or data file; found: {found}"
            )
        return _read(chosen[0], kind, name=f"{name}/{chosen[0].name}", **kw)  # type: ignore[arg-type]


def read_table_file(
    path: str | Path,
    kind: str,
    *,
    datum: str = "auto",
    reference: object = None,
    sheet: str | None = None,
) -> TableFile:
    """Read a file for table ``kind``: headers mapped, coordinates to WGS-84 geometry.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX, GeoJSON, GeoPackage, Shapefile (or a .zip holding one).
    kind : str
        Table name (see :data:`geo.model.TABLE_ORDER`).
    datum : str
        ``auto`` (default: see the module notes), ``wgs84``, ``gcj02`` or ``bd09`` (or an
        alias accepted by :func:`geo.coords.normalize_datum`).
    reference : array of shape (n, 2), GeoSeries, GeoDataFrame or shapely geometries, optional
        WGS-84 points of the loaded area (e.g. building centroids, street nodes) for the
        datum test.
    sheet : str, optional
        Excel sheet or GeoPackage layer; default the first sheet / the layer named like the
        table.

    Returns
    -------
    TableFile
        Unpacks as ``(frame, rows, source_names)``; also carries the datum used, unknown
        columns and warnings.

    Raises
    ------
    InputError
        Unknown table, file type, datum or sheet.
    NotFoundError
        The file does not exist.
    ValidationError
        The file cannot be decoded, or headers are ambiguous, or coordinates are bad; every
        problem names the file, row and field.
    """
    tf = _read(path, kind, datum=datum, reference=reference, sheet=sheet)
    if tf.problems:
        raise ValidationError(sorted(tf.problems, key=lambda p: p.row or 0))
    return tf


# --------------------------------------------------------------------------------------------
# import


@dataclass
class ImportReport:
    """What an import did.

    Attributes
    ----------
    kind : str
        Table name.
    file : str
        File name.
    rows_read : int
        Data rows in the file (blank lines not counted).
    rows_written : int
        Rows written to the store.
    ids : numpy.ndarray
        Ids of the written rows.
    duplicates : list of (int, tuple)
        Rows skipped as duplicates: (row, natural key values as text).
    outside_beats : list of int
        Rows of households in no beat (imported with an empty beat).
    datum : str
        Datum the coordinates were read in ("" for tables without location).
    datum_how : str
        How it was decided (see :class:`TableFile`).
    unknown_columns : list of str
        Headers ignored.
    warnings : list of (str, str)
        Other notes, as (Chinese, English).
    datum_guess : DatumGuess or None
        The reference test's result when it ran.
    source_names : dict
        Model field -> header as written in the file (``geometry`` -> the lon/lat headers).
    frame : DataFrame or None
        On a dry run (``import_file(..., dry_run=True)``), the rows as they would be written.
    """

    kind: str
    file: str
    rows_read: int = 0
    rows_written: int = 0
    ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    duplicates: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    outside_beats: list[int] = field(default_factory=list)
    datum: str = ""
    datum_how: str = "none"
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    datum_guess: coords.DatumGuess | None = None
    source_names: dict[str, str] = field(default_factory=dict)
    frame: pd.DataFrame | None = None

    def lines(self, lang: str = "zh") -> list[str]:
        """The report as human lines, in Chinese (default) or English (``lang="en"``)."""
        en = lang == "en"
        label = table(self.kind).label[1 if en else 0]
        out = []
        if en:
            out.append(
                f"{self.file}: {self.rows_read:,} rows read, {self.rows_written:,} written "
                f"to {label}"
            )
        else:
            out.append(
                f"{self.file}：读取 {self.rows_read:,} 行，写入{label} {self.rows_written:,} 行"
            )
        if self.datum:
            name = _DATUM_NAMES[self.datum][1 if en else 0]
            how = _DATUM_HOW[self.datum_how][1 if en else 0]
            converted = self.datum != "wgs84"
            if en:
                out.append(
                    f"coordinates: {name} ({how})" + ("; converted to WGS-84" if converted else "")
                )
            else:
                out.append(f"坐标：{name}（{how}）" + ("，已转换为 WGS-84" if converted else ""))
        if self.duplicates:
            rows = _rows_text([r for r, _ in self.duplicates], en)
            n = len(self.duplicates)
            out.append(
                f"{n:,} duplicate rows skipped (same as a record in the store or an earlier "
                f"row): {rows}"
                if en
                else f"跳过重复 {n:,} 行（与库中记录或文件中前面的行相同）：{rows}"
            )
        if self.outside_beats:
            rows = _rows_text(self.outside_beats, en)
            n = len(self.outside_beats)
            out.append(
                f"{n:,} households lie in no beat (imported without a beat): {rows}"
                if en
                else f"{n:,} 户不在任何警务区内（已导入，警务区为空）：{rows}"
            )
        if self.unknown_columns:
            cols = ", ".join(self.unknown_columns)
            out.append(
                f"columns not recognised (ignored): {cols}"
                if en
                else f"未识别的列（已忽略）：{cols}"
            )
        out.extend(w[1] if en else w[0] for w in self.warnings)
        return out


_DATUM_HOW = {
    "explicit": ("按所选", "as chosen"),
    "file_crs": ("文件自带投影坐标系", "the file's projected CRS"),
    "outside_china": ("点位在中国境外，无偏移", "points outside China have no offset"),
    "headers": ("根据列名判断", "named in the headers"),
    "reference": ("与本区域 OSM 数据比对判断", "detected against the area's OSM data"),
    "assumed": ("未指定，按默认", "not given; assumed"),
    "uncertain": ("无法判断，按默认", "could not be detected; assumed"),
    "none": ("", ""),
}


def _rows_text(rows: list[int], en: bool, limit: int = 20) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = len(rows) - limit
    if en:
        return f"rows {shown}" + (f" and {more:,} more" if more > 0 else "")
    return f"第 {shown} 行" + (f" 等（另 {more:,} 行）" if more > 0 else "")


def _key_index(df: pd.DataFrame, key: tuple[str, ...]) -> pd.MultiIndex:
    """Natural-key values of each row, comparable between a file and the store."""
    cols: dict[str, object] = {}
    for k in key:
        if k == "geometry":
            geom = np.asarray(df.geometry.values if len(df) else [], dtype=object)
            xy = np.full((len(geom), 2), np.nan)
            if len(geom):
                pts = shapely.centroid(geom)
                xy = shapely.get_coordinates(pts) if len(pts) else xy
            cols["_x"] = np.round(xy[:, 0], 7)
            cols["_y"] = np.round(xy[:, 1], 7)
        elif pd.api.types.is_datetime64_any_dtype(df[k].dtype):
            cols[k] = df[k].dt.floor("s").to_numpy()
        elif pd.api.types.is_integer_dtype(df[k].dtype):
            cols[k] = df[k].astype("float64").to_numpy()
        else:
            cols[k] = df[k].astype(object).to_numpy()
    frame = pd.DataFrame(cols)
    if frame.empty:
        return pd.MultiIndex.from_arrays([[] for _ in cols], names=list(cols))
    return pd.MultiIndex.from_frame(frame)


def _key_text(df: pd.DataFrame, key: tuple[str, ...], positions: np.ndarray) -> list[tuple]:
    parts = []
    for k in key:
        if k == "geometry":
            vals = shapely.to_wkt(np.asarray(df.geometry.values, dtype=object)[positions])
            parts.append(list(vals))
        else:
            s = df[k].iloc[positions]
            text = s.astype(object).where(s.notna(), "").astype(str)
            parts.append(text.tolist())
    return list(zip(*parts, strict=True))


_IMPORT_STEPS = (
    ("读取文件", "reading the file"),
    ("校验各行", "checking the rows"),
    ("与库中数据核对", "checking against the store"),
    ("写入", "writing"),
)


def import_file(
    store,
    kind: str,
    path: str | Path,
    *,
    datum: str = "auto",
    reference: object = None,
    on_duplicate: str = "skip",
    sheet: str | None = None,
    name: str | None = None,
    max_field_length: int = DEFAULT_MAX_FIELD_LENGTH,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a file into table ``kind``, in one transaction.

    Steps: read (:func:`read_table_file`), validate (:func:`geo.model.validate`), check that
    every reference (``beats.station_id``, ``visits.household_id`` ...) exists in the store,
    that no given ``id`` exists already, and that no natural key (:attr:`Table.natural_key`)
    repeats one in the store or an earlier row; give households without a beat the beat they
    lie in (:func:`geo.beats.assign_beats`); write. Every problem found is raised at once, and
    nothing is written unless all is well.

    Parameters
    ----------
    store : geo.store.Store
        The database.
    kind : str
        Table name.
    path : str or Path
        The file (see :func:`read_table_file` for formats).
    datum : str
        ``auto``, ``wgs84``, ``gcj02`` or ``bd09``.
    reference : optional
        WGS-84 reference points of the loaded area for the datum test (see
        :func:`read_table_file`).
    on_duplicate : {"skip", "error"}
        Rows whose natural key repeats: skipped and listed in the report, or an error.
    sheet : str, optional
        Excel sheet or GeoPackage layer.
    name : str, optional
        File name for messages (e.g. the uploaded name when ``path`` is a temporary file).
    max_field_length : int
        Longest text accepted in one field (the ``max_field_length`` setting).
    dry_run : bool
        Do every step but the write: the report then holds the rows as they would be stored
        (``frame``) and ``rows_written`` is 0 (see :func:`geo.preview.preview_import`).
    progress : callable, optional
        Receives the steps (read, validate, check against the store, write) as
        :class:`geo.progress.Update`.

    Returns
    -------
    ImportReport

    Raises
    ------
    InputError
        Unknown table, file type, datum or ``on_duplicate``.
    ValidationError
        Listing every problem (file, row, field, expected value); the store is unchanged.
    """
    tbl = table(kind)
    if on_duplicate not in DUPLICATE_MODES:
        raise InputError(
            f"on_duplicate must be one of {', '.join(DUPLICATE_MODES)}, got {on_duplicate!r}"
        )
    track = Tracker(progress, _IMPORT_STEPS, weights=(3, 2, 2, 3))
    track.start(0)
    tf = _read(path, kind, datum=datum, reference=reference, sheet=sheet, name=name)
    track.start(1, total=len(tf.rows))
    file = tf.file
    report = ImportReport(
        kind,
        file,
        rows_read=len(tf.rows),
        datum=tf.datum,
        datum_how=tf.datum_how,
        unknown_columns=list(tf.unknown_columns),
        warnings=list(tf.warnings),
        datum_guess=tf.datum_guess,
        source_names=dict(tf.source_names),
    )
    problems = list(tf.problems)
    reported = {(p.row, "geometry") for p in problems if p.row is not None}
    no_coordinates = any(p.row is None and p.field == "geometry" for p in problems)
    try:
        df = validate(
            kind,
            tf.frame,
            file=file,
            rows=tf.rows,
            source_names=tf.source_names,
            max_length=max_field_length,
            warnings=report.warnings,
        )
    except ValidationError as exc:
        geom_header = tf.source_names.get("geometry", "geometry")
        for p in exc.problems:
            redundant = p.field in (geom_header, "geometry") and (
                no_coordinates or (p.row, "geometry") in reported
            )
            if not redundant:
                problems.append(p)
        raise ValidationError(sorted(problems, key=lambda p: p.row or 0)) from None
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: p.row or 0))

    rows = np.asarray(tf.rows)
    src = tf.source_names
    track.start(2, total=len(df))
    with store.transaction() as conn:
        # references
        for f in tbl.fields:
            if not f.ref or f.name not in df.columns:
                continue
            vals = df[f.name]
            present = vals.notna().to_numpy(bool)
            if not present.any():
                continue
            known = store.ids(f.ref, conn=conn)
            if f.ref == kind:
                known = np.union1d(known, df["id"].dropna().to_numpy(np.int64))
            v = vals.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = present & ~np.isin(v, known)
            ref_label = table(f.ref).label[1]
            for pos in np.flatnonzero(missing):
                problems.append(
                    Problem(
                        f"expected the id of an existing record of {f.ref} ({ref_label}); "
                        f"there is no {f.ref} id {int(v[pos])} — import {f.ref} first or fix "
                        "the id",
                        file,
                        int(rows[pos]),
                        src.get(f.name, f.name),
                        int(v[pos]),
                    )
                )
        # ids already in the store
        given = df["id"].notna().to_numpy(bool)
        if given.any():
            existing = store.ids(kind, conn=conn)
            ids = df["id"].to_numpy(dtype=np.float64, na_value=np.nan)
            clash = given & np.isin(ids, existing)
            for pos in np.flatnonzero(clash):
                problems.append(
                    Problem(
                        f"id {int(ids[pos])} already exists in {kind}; give a new id or leave "
                        "it empty to number the row automatically",
                        file,
                        int(rows[pos]),
                        src.get("id", "id"),
                        int(ids[pos]),
                    )
                )
        # natural keys
        keep = np.ones(len(df), dtype=bool)
        if tbl.natural_key and len(df):
            fkeys = _key_index(df, tbl.natural_key)
            dup_file = fkeys.duplicated(keep="first")
            in_store = np.zeros(len(df), dtype=bool)
            if store.count(kind):
                cols = [k for k in tbl.natural_key if k != "geometry"]
                existing_df = store.read(kind, columns=cols, conn=conn)
                in_store = fkeys.isin(_key_index(existing_df, tbl.natural_key))
            dup = np.asarray(dup_file | in_store, dtype=bool)
            if dup.any():
                positions = np.flatnonzero(dup)
                keys = _key_text(df, tbl.natural_key, positions)
                if on_duplicate == "skip":
                    report.duplicates = [
                        (int(rows[p]), k) for p, k in zip(positions, keys, strict=True)
                    ]
                    keep &= ~dup
                else:
                    codes, _ = pd.factorize(fkeys)
                    first = np.full(codes.max() + 1, np.iinfo(np.int64).max)
                    np.minimum.at(first, codes, rows)
                    names = "/".join(src.get(k, k) for k in tbl.natural_key)
                    for p, k in zip(positions, keys, strict=True):
                        where = (
                            "a record in the store"
                            if in_store[p]
                            else f"row {int(first[codes[p]])}"
                        )
                        problems.append(
                            Problem(
                                f"duplicate: same {'/'.join(tbl.natural_key)} as {where}; "
                                "remove the row or import with on_duplicate='skip'",
                                file,
                                int(rows[p]),
                                names,
                                " / ".join(k),
                            )
                        )
        if problems:
            raise ValidationError(sorted(problems, key=lambda p: p.row or 0))
        if not keep.all():
            df = df.loc[keep].reset_index(drop=True)
            rows = rows[keep]
        if kind == "beats" and len(df):
            existing = store.read("beats", columns=["name"], conn=conn)
            header = src.get("geometry", "geometry")
            problems = _check_overlaps(df, rows, existing, file, header, report.warnings)
            if problems:
                raise ValidationError(problems)
        # beats of households
        if kind == "households" and len(df):
            need = df["beat_id"].isna().to_numpy(bool)
            if need.any():
                beats = store.read("beats", columns=[], conn=conn)
                sub = df.loc[need, ["geometry"]]
                sub = gpd.GeoDataFrame(sub, geometry="geometry", crs=WGS84)
                result = assign_beats(sub, beats)
                beat_ids = df["beat_id"].copy()
                beat_ids.loc[need] = result.beat_id.to_numpy()
                df["beat_id"] = beat_ids
                outside = np.flatnonzero(need)[np.isin(sub.index, result.outside)]
                report.outside_beats = [int(r) for r in rows[outside]]
                if len(beats) == 0:
                    report.warnings.append(
                        (
                            "库中还没有警务区：请先导入警务区，住户已导入但未分配警务区",
                            "the store has no beats yet: import beats first; households "
                            "were imported without a beat",
                        )
                    )
                if result.overlaps:
                    report.warnings.append(
                        (
                            f"{result.overlaps:,} 户位于多个警务区重叠处，已归入编号最小的警务区",
                            f"{result.overlaps:,} households lie where beats overlap; each was "
                            "given the beat with the smallest id",
                        )
                    )
                if len(result.snapped):
                    report.warnings.append(
                        (
                            f"{len(result.snapped):,} 户不在任何警务区内，已归入 "
                            f"{BEAT_SNAP_M:.0f} 米内最近的警务区",
                            f"{len(result.snapped):,} households lie in no beat; each was given "
                            f"the nearest beat within {BEAT_SNAP_M:.0f} m",
                        )
                    )
        if dry_run:
            report.frame = df
            track.finish()
            return report
        track.start(3, total=len(df))
        report.ids = store.write(kind, df, conn=conn)
    report.rows_written = len(report.ids)
    track.finish()
    return report


def _check_overlaps(
    df: pd.DataFrame,
    rows: np.ndarray,
    existing: gpd.GeoDataFrame,
    file: str,
    header: str,
    warnings: list[tuple[str, str]],
) -> list[Problem]:
    """New beats must not overlap the store's beats or each other.

    An overlap of more than :data:`geo.model.BEAT_OVERLAP_REFUSE` of a new beat's area is
    refused (it names the other beats); a smaller one (a sliver from digitising) is reported.
    """
    new = np.asarray(df.geometry.values, dtype=object)
    old = np.asarray(existing.geometry.values, dtype=object) if len(existing) else np.empty(0)
    polys = np.concatenate([new, old])
    labels = [f"row {int(r)} ({n})" for r, n in zip(rows, df["name"], strict=True)] + [
        f"beat {int(i)} ({n})" for i, n in zip(existing["id"], existing["name"], strict=True)
    ]
    crs = gpd.GeoSeries(new, crs=WGS84).estimate_utm_crs()
    metric = np.asarray(gpd.GeoSeries(polys, crs=WGS84).to_crs(crs).values, dtype=object)
    tree = shapely.STRtree(metric)
    problems: list[Problem] = []
    slivers: list[int] = []
    for i in range(len(new)):
        area = shapely.area(metric[i])
        others = [j for j in tree.query(metric[i], predicate="intersects") if j != i]
        if not others or area <= 0:
            continue
        shared = shapely.area(shapely.intersection(metric[i], metric[others]))
        hit = [(j, a) for j, a in zip(others, shared, strict=True) if a > 0]
        if not hit:
            continue
        total = sum(a for _, a in hit)
        if total / area > BEAT_OVERLAP_REFUSE:
            names = ", ".join(f"{labels[j]} {a:,.0f} m²" for j, a in hit[:5])
            problems.append(
                Problem(
                    f"the beat overlaps other beats over {total / area:.0%} of its area "
                    f"({names}); beats must not overlap — fix the boundary, or remove the old "
                    "beat first",
                    file,
                    int(rows[i]),
                    header,
                )
            )
        else:
            slivers.append(int(rows[i]))
    if slivers and not problems:
        shown = ", ".join(str(r) for r in slivers[:20])
        warnings.append(
            (
                f"第 {shown} 行的警务区与其他警务区有少量重叠（不到面积的 "
                f"{BEAT_OVERLAP_REFUSE:.0%}），请核实边界",
                f"beats of rows {shown} overlap other beats slightly (under "
                f"{BEAT_OVERLAP_REFUSE:.0%} of their area); check the boundaries",
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# export


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """A temporary path next to ``path`` that replaces ``path`` only when the block succeeds.

    Write the whole file to the yielded path; on success it is moved over ``path`` at once
    (``os.replace``), on any error it is removed, so an export never leaves a partial file
    and never spoils an older one. A path that cannot be written raises
    :class:`geo._errors.InputError` naming it.

    Examples
    --------
    >>> with atomic_output(out) as tmp:  # doctest: +SKIP
    ...     frame.to_csv(tmp)
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.part{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a read-only folder, a folder named like the file
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s.dtype)


def _headers(tbl: Table, lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    out = {"id": "id" if lang == "en" else "编号"}
    for f in tbl.fields:
        out[f.name] = f.label[i] or f.name
    return out


def export_frame(
    df: pd.DataFrame, kind: str, *, lang: str = "zh", geometry: str = "columns"
) -> pd.DataFrame:
    """A table's frame as exported: labelled headers, enum and yes/no labels, coordinates.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        As read from the store (mask personal fields first).
    kind : str
        Table name.
    lang : {"zh", "en"}
        Language of headers and labels.
    geometry : {"columns", "keep"}
        ``columns``: points as ``经度(WGS-84)``/``纬度(WGS-84)`` columns, polygons as WKT;
        ``keep``: a GeoDataFrame with the geometry (GeoPackage).

    Returns
    -------
    DataFrame or GeoDataFrame
    """
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be 'zh' or 'en', got {lang!r}")
    tbl = table(kind)
    heads = _headers(tbl, lang)
    yes, no = ("yes", "no") if lang == "en" else ("是", "否")
    out = pd.DataFrame(index=df.index)
    out[heads["id"]] = df["id"].to_numpy()
    for f in tbl.fields:
        s = df[f.name]
        if f.kind == "enum":
            s = s.map(lambda v, c=f.choices: enum_label(c, v, lang) or None).astype(object)
        elif f.kind == "bool":  # labels in every format: GeoPackage has no nullable bool
            s = pd.Series(
                np.where(s.isna(), None, np.where(s.fillna(False), yes, no)), index=df.index
            ).astype(object)
        elif f.kind == "date" and geometry == "columns":
            s = pd.Series(s.dt.date.to_numpy(dtype=object), index=df.index)
            s = s.where(df[f.name].notna(), None)
        out[heads[f.name]] = s
    if not tbl.geometry:
        return out
    geom = np.asarray(df.geometry.values, dtype=object)
    if geometry == "keep":
        return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geom, index=df.index), crs=WGS84)
    if tbl.geometry == "point":
        lon, lat = (
            ("lon (WGS-84)", "lat (WGS-84)") if lang == "en" else ("经度(WGS-84)", "纬度(WGS-84)")
        )
        out[lon] = shapely.get_x(geom) if len(geom) else []
        out[lat] = shapely.get_y(geom) if len(geom) else []
    else:
        head = "geometry (WKT, WGS-84)" if lang == "en" else "几何(WKT, WGS-84)"
        out[head] = shapely.to_wkt(geom, rounding_precision=8) if len(geom) else []
    return out


def export_table(
    store,
    kind: str,
    path: str | Path,
    *,
    show_personal: bool = False,
    lang: str = "zh",
) -> Path:
    """Export table ``kind`` to CSV, XLSX or GeoPackage (chosen by the extension).

    See the module notes for the layout; it imports back with :func:`import_file`.

    Parameters
    ----------
    store : geo.store.Store
        The database.
    kind : str
        Table name.
    path : str or Path
        Output file: ``.csv`` (UTF-8 with BOM), ``.xlsx`` or ``.gpkg`` (layer named ``kind``).
    show_personal : bool
        Export names and phone numbers unmasked (only for roles allowed to see them).
    lang : {"zh", "en"}
        Language of headers and labels.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputError
        Unknown table, extension or language; a polygon too long for an Excel cell.
    """
    tbl = table(kind)
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in EXPORT_EXTENSIONS:
        raise InputError(
            f"cannot export to {ext or '(no extension)'!r}; allowed: {', '.join(EXPORT_EXTENSIONS)}"
        )
    df = mask_personal(store.read(kind), kind, show_personal=show_personal)
    if ext == ".gpkg":
        out = export_frame(df, kind, lang=lang, geometry="keep")
        with atomic_output(path) as tmp:
            if isinstance(out, gpd.GeoDataFrame):
                out.to_file(tmp, layer=kind, driver="GPKG", engine="pyogrio")
            else:
                import pyogrio

                pyogrio.write_dataframe(out, tmp, layer=kind, driver="GPKG")
        return path
    out = export_frame(df, kind, lang=lang, geometry="columns")
    if ext == ".csv":
        with atomic_output(path) as tmp:
            spreadsheet_safe(out).to_csv(tmp, index=False, encoding="utf-8-sig")
        return path
    long_cells = [
        (col, int(df["id"].iloc[pos]))
        for col in out.columns
        if _is_text(out[col])
        for pos in np.flatnonzero(
            out[col].map(lambda v: isinstance(v, str) and len(v) > _XLSX_MAX_CELL).to_numpy(bool)
        )
    ]
    if long_cells:
        where = ", ".join(f"id {i} ({col})" for col, i in long_cells[:10])
        raise InputError(
            f"{kind}: {where} too long for an Excel cell ({_XLSX_MAX_CELL:,} characters); "
            "export to .gpkg or .csv instead"
        )
    sheet = tbl.label[1 if lang == "en" else 0][:31]
    with atomic_output(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        spreadsheet_safe(out, xlsx=True).to_excel(writer, index=False, sheet_name=sheet)
    return path


def export_bytes(
    store, kind: str, fmt: str, *, show_personal: bool = False, lang: str = "zh"
) -> bytes:
    """The export of ``kind`` as bytes (for a download button); ``fmt`` is csv, xlsx or gpkg."""
    ext = "." + fmt.lower().lstrip(".")
    if ext not in EXPORT_EXTENSIONS:
        raise InputError(f"unknown export format {fmt!r}; allowed: csv, xlsx, gpkg")
    with tempfile.TemporaryDirectory(prefix="beatmap-export-") as tmp:
        path = export_table(
            store, kind, Path(tmp) / f"{kind}{ext}", show_personal=show_personal, lang=lang
        )
        return path.read_bytes()


def area_reference(area: object, *, limit: int = 50000, seed: int = 0) -> np.ndarray | None:
    """WGS-84 reference points (building centroids, else street nodes) of a loaded OSM area.

    Parameters
    ----------
    area : geo.network.Area or None
        Needs ``buildings`` and ``to_wgs84``, or ``nodes`` with ``x``/``y`` in WGS-84.
    limit : int
        At most this many points (seeded sample).

    Returns
    -------
    numpy.ndarray of shape (n, 2), or None when the area gives nothing.
    """
    if area is None:
        return None
    xy = None
    try:
        buildings = getattr(area, "buildings", None)
        if buildings is not None and len(buildings):
            geoms = np.asarray(area.to_wgs84(buildings).geometry.values, dtype=object)
            xy = shapely.get_coordinates(shapely.centroid(geoms))
    except Exception:  # an area without usable buildings falls back to the street nodes
        xy = None
    if xy is None or not len(xy):
        nodes = getattr(area, "nodes", None)
        if nodes is None:
            return None
        nodes = nodes() if callable(nodes) else nodes
        if not {"x", "y"} <= set(getattr(nodes, "columns", ())):
            return None
        xy = nodes[["x", "y"]].to_numpy(float)
    if len(xy) > limit:
        xy = xy[np.random.default_rng(seed).choice(len(xy), limit, replace=False)]
    return xy
