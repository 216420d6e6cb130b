"""The data model: nine tables, their fields, and validation on the way in.

Each table has an integer ``id``; point and polygon tables carry a WGS-84 ``geometry``. The
schema here is the single source for the store (SQL columns), imports (header aliases in Chinese
and English, value parsing) and exports (personal fields masked).

Validation takes a DataFrame whose columns are already the model's field names, coerces every
column to its type and collects every problem (row, field, what was expected) before raising
once, in the style of :class:`geo._errors.ValidationError`. It refuses what cannot be true
(control characters, over-long text, counts, phones, dates, future installs, far offices,
ambiguous day/month dates; see :func:`validate`) and notes what is merely unusual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError, ProblemCollector
from geo.textguard import (
    DEFAULT_MAX_FIELD_LENGTH,
    mask_free_text_series,
    text_problems,
    vectorised_text,
)

WGS84 = "EPSG:4326"

#: officer roles: code -> (Chinese, English)
ROLES = {
    "community_officer": ("社区民警", "community officer"),
    "auxiliary_police": ("辅警", "auxiliary police"),
    "grid_worker": ("网格员", "grid worker"),
    "security_guard": ("保安", "security guard"),
    "volunteer": ("志愿者", "volunteer"),
}
OUTCOMES = {
    "visited": ("已走访", "visited"),
    "not_home": ("不在家", "not home"),
    "refused": ("拒绝", "refused"),
    "moved_away": ("已搬离", "moved away"),
}
CAMERA_KINDS = {
    "recorder_unit": ("摄录一体机", "camera/recorder unit"),
    "doorbell": ("可视门铃", "doorbell camera"),
    "cctv": ("监控摄像头", "CCTV camera"),
    "public": ("公共视频监控", "public video surveillance"),
}
CAMERA_STATUS = {
    "active": ("在用", "active"),
    "offline": ("离线", "offline"),
    "removed": ("已拆除", "removed"),
    "planned": ("计划安装", "planned"),
}
INCIDENT_CATEGORIES = {
    "theft": ("盗窃", "theft"),
    "burglary": ("入室盗窃", "burglary"),
    "fraud": ("诈骗", "fraud"),
    "dispute": ("纠纷", "dispute"),
    "noise": ("噪音扰民", "noise"),
    "traffic": ("交通", "traffic"),
    "other": ("其他", "other"),
}
SURVEY_METHODS = {"on_site": ("现场", "on site"), "phone": ("电话", "phone")}
FAMILIARITY = {
    "knows_officer": ("认识民警", "knows the officer"),
    "has_card": ("有联系卡", "has the contact card"),
    "never_met": ("从未见过", "never met"),
}
MEDIATION_KINDS = {
    "water_leak": ("漏水", "water leak"),
    "noise": ("噪音", "noise"),
    "pets": ("宠物", "pets"),
    "parking": ("停车", "parking"),
    "boundary": ("地界", "boundary"),
    "other": ("其他", "other"),
}
MEETINGS = {
    "on_site": ("现场邻里沟通会", "neighbour meeting on site"),
    "office": ("警务室调解", "at the office"),
}
MEDIATION_OUTCOMES = {
    "settled": ("调解成功", "settled"),
    "referred": ("移交", "referred"),
    "pending": ("待调解", "pending"),
}

#: dates of visits, incidents, surveys, installs and meetings before this cannot be true
EARLIEST_RECORD = "2000-01-01"
#: how far past today a "not in the future" date may lie (clock and time-zone slack)
FUTURE_SLACK = pd.Timedelta(days=1)
#: residents (or lodgers) of one household: above MAX cannot be true, above WARN is unusual
MAX_PER_HOUSEHOLD = 500
WARN_PER_HOUSEHOLD = 30
#: a beat's office may lie outside its beat (across the street); farther than this is refused
OFFICE_MAX_OUTSIDE_M = 1000.0
#: share of a beat's area that may overlap other beats before it is refused (slivers warn)
BEAT_OVERLAP_REFUSE = 0.05

_TRUE = {"1", "1.0", "true", "yes", "y", "t", "是", "有", "对", "√", "✓", "x"}
_FALSE = {"0", "0.0", "false", "no", "n", "f", "否", "无", "没有", "不是", ""}


@dataclass(frozen=True)
class Field:
    """One field of a table.

    Parameters
    ----------
    name : str
        Field (and SQL column) name.
    kind : str
        One of ``int``, ``float``, ``str``, ``bool``, ``datetime``, ``date``, ``enum``.
    required : bool
        Whether every row must have a value.
    aliases : tuple of str
        Other column headers accepted on import (Chinese and English).
    choices : mapping
        For ``enum``: code -> (Chinese label, English label); labels are accepted on import.
    ref : str or None
        Table whose ``id`` this field refers to.
    personal : bool
        Personal data, masked in prints and exports unless the role allows it.
    minimum, maximum : float or None
        Bounds for numbers: a value outside cannot be true and is refused.
    label : (str, str)
        Chinese and English label (export headers).
    free_text : bool
        Free text (notes, descriptions): phone and ID numbers in it are masked wherever
        personal fields are (:func:`mask_personal`).
    pattern : str or None
        ``phone``: the text must be a phone number (:data:`PHONE_RE`).
    warn_above : float or None
        A number above this is unusual: accepted, and reported in the import summary.
    not_before : str or None
        For dates: the earliest plausible date (ISO), earlier ones are refused.
    no_future : bool
        For dates: a date after today (plus :data:`FUTURE_SLACK`) is refused.
    """

    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    ref: str | None = None
    personal: bool = False
    minimum: float | None = None
    maximum: float | None = None
    label: tuple[str, str] = ("", "")
    free_text: bool = False
    pattern: str | None = None
    warn_above: float | None = None
    not_before: str | None = None
    no_future: bool = False

    def expected(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.kind == "enum":
            return "one of " + ", ".join(f"{c} ({zh})" for c, (zh, _) in self.choices.items())
        if self.kind == "bool":
            return "yes/no (是/否, 1/0, true/false)"
        if self.kind == "datetime":
            return "a date and time such as 2026-04-01 18:30"
        if self.kind == "date":
            return "a date such as 2026-04-01"
        if self.kind in ("int", "float"):
            what = "a whole number" if self.kind == "int" else "a number"
            lo, hi = self.minimum, self.maximum
            if lo is not None and hi is not None:
                return f"{what} from {lo:g} to {hi:g}"
            if lo is not None:
                return f"{what} >= {lo:g}"
            if hi is not None:
                return f"{what} <= {hi:g}"
            return what
        if self.pattern == "phone":
            return (
                "a phone number: an 11-digit mobile number (13812345678) or a landline with "
                "its area code (010-64001234)"
            )
        return "text"


@dataclass(frozen=True)
class Table:
    """A table of the model: fields plus the geometry kind it carries."""

    name: str
    label: tuple[str, str]
    fields: tuple[Field, ...]
    geometry: str | None = None  # "point", "polygon" or None
    natural_key: tuple[str, ...] = ()

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def columns(self) -> list[str]:
        """All columns of the table's GeoDataFrame, in order: id, fields, geometry."""
        cols = ["id", *self.field_names]
        return [*cols, "geometry"] if self.geometry else cols

    @property
    def personal_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.personal]

    @property
    def free_text_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.free_text]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def empty(self) -> pd.DataFrame:
        """An empty frame (GeoDataFrame for spatial tables) with every column typed."""
        data = {"id": pd.Series([], dtype="int64")}
        for f in self.fields:
            data[f.name] = pd.Series([], dtype=_DTYPES[f.kind])
        df = pd.DataFrame(data)
        if self.geometry:
            return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
        return df


_DTYPES = {
    "int": "Int64",
    "float": "float64",
    "str": "object",
    "bool": "boolean",
    "datetime": "datetime64[ns]",
    "date": "datetime64[ns]",
    "enum": "object",
}


def _f(name, kind, zh, en, **kw) -> Field:
    aliases = tuple(dict.fromkeys((zh, en, en.replace(" ", "_"), *kw.pop("aliases", ()))))
    return Field(name, kind, aliases=aliases, label=(zh, en), **kw)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "stations",
            ("派出所", "police stations"),
            (
                _f("name", "str", "名称", "name", required=True, aliases=("派出所", "station")),
                _f("address", "str", "地址", "address"),
            ),
            geometry="point",
            natural_key=("name",),
        ),
        Table(
            "beats",
            ("警务区", "beats"),
            (
                _f(
                    "name", "str", "名称", "name", required=True, aliases=("社区", "警务区", "beat")
                ),
                _f(
                    "station_id",
                    "int",
                    "派出所编号",
                    "station id",
                    required=True,
                    ref="stations",
                    aliases=("station",),
                ),
                _f("office_lon", "float", "警务室经度", "office lon", minimum=-180, maximum=180),
                _f("office_lat", "float", "警务室纬度", "office lat", minimum=-90, maximum=90),
            ),
            geometry="polygon",
            natural_key=("name", "station_id"),
        ),
        Table(
            "officers",
            ("警员与力量", "officers and team"),
            (
                _f("name", "str", "姓名", "name", required=True),
                _f("station_id", "int", "派出所编号", "station id", required=True, ref="stations"),
                _f("beat_id", "int", "警务区编号", "beat id", ref="beats", aliases=("社区编号",)),
                _f(
                    "role",
                    "enum",
                    "角色",
                    "role",
                    required=True,
                    choices=ROLES,
                    aliases=("身份", "职务"),
                ),
                _f(
                    "phone",
                    "str",
                    "电话",
                    "phone",
                    personal=True,
                    pattern="phone",
                    aliases=("手机", "联系电话"),
                ),
            ),
            natural_key=("name", "station_id"),
        ),
        Table(
            "households",
            ("住户", "households"),
            (
                _f("address", "str", "地址", "address", required=True, aliases=("住址",)),
                _f("building", "str", "楼栋", "building", aliases=("楼号", "院落")),
                _f("unit", "str", "单元", "unit"),
                _f("room", "str", "房号", "room", aliases=("门牌", "室")),
                _f("building_id", "str", "建筑编号", "building id"),
                _f("estate", "str", "小区", "estate"),
                _f("beat_id", "int", "警务区编号", "beat id", ref="beats", aliases=("社区编号",)),
                _f(
                    "residents",
                    "int",
                    "常住人数",
                    "residents",
                    minimum=0,
                    maximum=MAX_PER_HOUSEHOLD,
                    warn_above=WARN_PER_HOUSEHOLD,
                    aliases=("人口",),
                ),
                _f(
                    "lodgers",
                    "int",
                    "寄住人数",
                    "lodgers",
                    minimum=0,
                    maximum=MAX_PER_HOUSEHOLD,
                    warn_above=WARN_PER_HOUSEHOLD,
                    aliases=("暂住人数", "寄住/暂住人口", "temporary residents"),
                ),
                _f("rental", "bool", "出租房", "rental", aliases=("是否出租",)),
                _f(
                    "contact_name",
                    "str",
                    "联系人",
                    "contact name",
                    personal=True,
                    aliases=("户主", "姓名"),
                ),
                _f(
                    "contact_phone",
                    "str",
                    "联系电话",
                    "contact phone",
                    personal=True,
                    pattern="phone",
                    aliases=("电话", "手机", "phone"),
                ),
                _f(
                    "wechat_member",
                    "bool",
                    "微信群",
                    "wechat member",
                    aliases=("入群", "微信群成员"),
                ),
            ),
            geometry="point",
            natural_key=("address", "building", "unit", "room"),
        ),
        Table(
            "visits",
            ("走访记录", "visits"),
            (
                _f(
                    "household_id",
                    "int",
                    "住户编号",
                    "household id",
                    required=True,
                    ref="households",
                ),
                _f("officer_id", "int", "民警编号", "officer id", required=True, ref="officers"),
                _f(
                    "visited_at",
                    "datetime",
                    "走访时间",
                    "visited at",
                    required=True,
                    not_before=EARLIEST_RECORD,
                    no_future=True,
                    aliases=("时间", "time"),
                ),
                _f(
                    "outcome",
                    "enum",
                    "结果",
                    "outcome",
                    required=True,
                    choices=OUTCOMES,
                    aliases=("走访结果",),
                ),
                _f("card_given", "bool", "发放联系卡", "card given", aliases=("联系卡",)),
                _f("register_updated", "bool", "登记更新", "register updated", aliases=("登记表",)),
                _f(
                    "rental_letter_signed",
                    "bool",
                    "签订责任书",
                    "rental letter signed",
                    aliases=("责任书",),
                ),
                _f(
                    "camera_leaflet_given",
                    "bool",
                    "发放宣传单",
                    "camera leaflet given",
                    aliases=("宣传单",),
                ),
                _f(
                    "camera_install_accepted",
                    "bool",
                    "同意安装",
                    "camera install accepted",
                    aliases=("愿意安装摄录一体机",),
                ),
                _f("notes", "str", "备注", "notes", free_text=True),
            ),
            natural_key=("household_id", "officer_id", "visited_at"),
        ),
        Table(
            "cameras",
            ("摄录设备", "cameras"),
            (
                _f(
                    "kind",
                    "enum",
                    "类型",
                    "kind",
                    required=True,
                    choices=CAMERA_KINDS,
                    aliases=("设备类型",),
                ),
                _f(
                    "installed_on",
                    "date",
                    "安装日期",
                    "installed on",
                    not_before=EARLIEST_RECORD,
                ),
                _f("household_id", "int", "住户编号", "household id", ref="households"),
                _f("status", "enum", "状态", "status", choices=CAMERA_STATUS),
                _f("facing", "float", "朝向", "facing", minimum=0, maximum=360, aliases=("方向",)),
                _f(
                    "fov",
                    "float",
                    "视角",
                    "field of view",
                    minimum=0,
                    maximum=360,
                    aliases=("fov",),
                ),
            ),
            geometry="point",
            natural_key=("kind", "geometry"),
        ),
        Table(
            "incidents",
            ("警情", "incidents"),
            (
                _f(
                    "occurred_at",
                    "datetime",
                    "发生时间",
                    "occurred at",
                    required=True,
                    not_before=EARLIEST_RECORD,
                    no_future=True,
                    aliases=("时间", "time"),
                ),
                _f(
                    "category",
                    "enum",
                    "类别",
                    "category",
                    required=True,
                    choices=INCIDENT_CATEGORIES,
                    aliases=("警情类别", "类型"),
                ),
                _f(
                    "description",
                    "str",
                    "简要情况",
                    "description",
                    free_text=True,
                    aliases=("描述",),
                ),
            ),
            geometry="point",
            natural_key=("occurred_at", "category", "geometry"),
        ),
        Table(
            "surveys",
            ("回访", "surveys"),
            (
                _f(
                    "household_id",
                    "int",
                    "住户编号",
                    "household id",
                    required=True,
                    ref="households",
                ),
                _f(
                    "surveyed_on",
                    "date",
                    "回访日期",
                    "surveyed on",
                    required=True,
                    not_before=EARLIEST_RECORD,
                    no_future=True,
                    aliases=("日期", "date"),
                ),
                _f(
                    "method",
                    "enum",
                    "方式",
                    "method",
                    required=True,
                    choices=SURVEY_METHODS,
                    aliases=("回访方式",),
                ),
                _f(
                    "familiarity",
                    "enum",
                    "熟悉程度",
                    "familiarity",
                    required=True,
                    choices=FAMILIARITY,
                    aliases=("是否认识民警",),
                ),
                _f("satisfied", "bool", "满意", "satisfied", aliases=("是否满意", "满意度")),
            ),
            natural_key=("household_id", "surveyed_on"),
        ),
        Table(
            "mediations",
            ("调解", "mediations"),
            (
                _f(
                    "held_on",
                    "date",
                    "调解日期",
                    "held on",
                    required=True,
                    not_before=EARLIEST_RECORD,
                    aliases=("日期", "date"),
                ),
                _f(
                    "beat_id",
                    "int",
                    "警务区编号",
                    "beat id",
                    required=True,
                    ref="beats",
                    aliases=("社区编号",),
                ),
                _f("household_id", "int", "住户编号", "household id", ref="households"),
                _f(
                    "other_household_id",
                    "int",
                    "对方住户编号",
                    "other household id",
                    ref="households",
                ),
                _f("parties", "str", "当事人", "parties", personal=True, aliases=("双方",)),
                _f(
                    "kind",
                    "enum",
                    "纠纷类型",
                    "kind",
                    required=True,
                    choices=MEDIATION_KINDS,
                    aliases=("类型",),
                ),
                _f(
                    "meeting",
                    "enum",
                    "调解方式",
                    "meeting",
                    required=True,
                    choices=MEETINGS,
                    aliases=("方式",),
                ),
                _f(
                    "outcome",
                    "enum",
                    "调解结果",
                    "outcome",
                    required=True,
                    choices=MEDIATION_OUTCOMES,
                    aliases=("结果",),
                ),
                _f(
                    "follow_up_on",
                    "date",
                    "跟进日期",
                    "follow up on",
                    not_before=EARLIEST_RECORD,
                    aliases=("回访日期",),
                ),
            ),
            natural_key=("held_on", "beat_id", "household_id", "other_household_id", "kind"),
        ),
    ]
}

#: tables in an order that satisfies references (parents first)
TABLE_ORDER = (
    "stations",
    "beats",
    "officers",
    "households",
    "visits",
    "cameras",
    "incidents",
    "surveys",
    "mediations",
)


def table(name: str) -> Table:
    """The table called ``name``; the error lists the allowed names."""
    try:
        return TABLES[name]
    except KeyError:
        raise InputError(f"unknown table {name!r}; allowed: {', '.join(TABLE_ORDER)}") from None


def relabel_columns(
    df: pd.DataFrame, labels: Mapping[str, tuple[str, str]], lang: str = "zh"
) -> pd.DataFrame:
    """A copy of ``df`` with columns renamed by ``labels`` (code -> (Chinese, English))."""
    pick = 1 if lang == "en" else 0
    return df.rename(columns={c: v[pick] for c, v in labels.items() if c in df.columns})


def enum_label(choices: Mapping[str, tuple[str, str]], code: object, lang: str = "zh") -> str:
    """Human label of an enum code in the given language (the code itself if unknown)."""
    labels = choices.get(str(code))
    if labels is None:
        return "" if code is None or (isinstance(code, float) and np.isnan(code)) else str(code)
    return labels[1] if lang == "en" else labels[0]


# --------------------------------------------------------------------------------------------
# validation


def _blank(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.strip()
    return s.isna() | text.isna() | (text == "")


def _coerce(
    f: Field,
    s: pd.Series,
    rows: np.ndarray,
    problems: ProblemCollector,
    source_names: Mapping[str, str],
    *,
    max_length: int = DEFAULT_MAX_FIELD_LENGTH,
    notes: _Notes | None = None,
) -> pd.Series:
    """Coerce one column, adding a problem for each value that does not fit."""
    header = source_names.get(f.name, f.name)
    blank = _blank(s)
    if f.kind == "str":
        out = s.astype("string").str.strip().astype(object).where(~blank, None)
        bad = pd.Series(False, index=s.index)
        for pos, message, value in text_problems(out, max_length=max_length):
            problems.add(message, row=int(rows[pos]), field=header, value=value)
        if f.pattern == "phone":
            bad = _not_phone(out)
    elif f.kind in ("int", "float"):
        num = pd.to_numeric(s.where(~blank), errors="coerce")
        if f.warn_above is not None and notes is not None:
            with np.errstate(invalid="ignore"):
                high = (num > f.warn_above) & ~(num > (f.maximum or np.inf))
            for pos in np.flatnonzero(high.fillna(False).to_numpy(bool)):
                notes.add(
                    header,
                    int(rows[pos]),
                    f"超过 {f.warn_above:g}，数值异常，请核实",
                    f"above {f.warn_above:g}, which is unusual; please check",
                )
        bad = num.isna() & ~blank
        if f.kind == "int":
            frac = num.notna() & (num != np.round(num))
            bad |= frac
            out = num.where(~frac).round().astype("Int64")
        else:
            out = num.astype("float64")
        lo_bad = (num < f.minimum) if f.minimum is not None else False
        hi_bad = (num > f.maximum) if f.maximum is not None else False
        bad = bad | (lo_bad & num.notna()) | (hi_bad & num.notna())
    elif f.kind == "bool":
        if pd.api.types.is_bool_dtype(s.dtype):
            out = s.astype("boolean")
            bad = pd.Series(False, index=s.index)
        else:
            text = s.astype("string").str.strip().str.lower()
            is_true = text.isin(_TRUE)
            is_false = text.isin(_FALSE) | blank
            out = pd.Series(pd.NA, index=s.index, dtype="boolean")
            out[is_true.fillna(False).to_numpy(bool)] = True
            out[(is_false.fillna(False) & ~blank).to_numpy(bool)] = False
            bad = ~(is_true.fillna(False) | is_false.fillna(False))
    elif f.kind in ("datetime", "date"):
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
            refused = np.zeros(len(s), dtype=bool)
        else:
            text, refused = _unambiguous_dates(f, s.where(~blank), rows, problems, header, notes)
            out = pd.to_datetime(text, errors="coerce", format="mixed")
        # years a nanosecond timestamp cannot hold (0001, 9999) are not dates of this world
        in_range = (out >= pd.Timestamp.min) & (out <= pd.Timestamp.max)
        out = out.where(in_range.fillna(False)).astype("datetime64[ns]")
        if f.kind == "date":
            out = out.dt.normalize()
        bad = out.isna() & ~blank & ~refused
        _check_date_bounds(f, out, rows, problems, header)
    elif f.kind == "enum":
        lookup = {}
        for code, (zh, en) in f.choices.items():
            for key in (code, zh, en):
                lookup[key.lower()] = code
        text = s.astype("string").str.strip().str.lower()
        out = text.map(lookup, na_action="ignore").astype(object)
        out = out.where(out.notna(), None)
        bad = out.isna() & ~blank
    else:  # pragma: no cover - the schema only uses the kinds above
        raise AssertionError(f.kind)
    bad = pd.Series(bad, index=s.index).fillna(False).to_numpy(bool)
    for pos in np.flatnonzero(bad):
        problems.add(
            f"expected {f.expected()}", row=int(rows[pos]), field=header, value=s.iloc[pos]
        )
    if f.required:
        missing = blank.to_numpy(bool)
        for pos in np.flatnonzero(missing):
            problems.add("is required but empty", row=int(rows[pos]), field=header)
    return out


class _Notes:
    """Unusual values accepted by validation: (field, Chinese, English) -> rows."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], list[int]] = {}

    def add(self, field: str, row: int, zh: str, en: str) -> None:
        self._rows.setdefault((field, zh, en), []).append(row)

    def lines(self, limit: int = 20) -> list[tuple[str, str]]:
        out = []
        for (fld, zh, en), rows in self._rows.items():
            shown = ", ".join(str(r) for r in rows[:limit])
            more = len(rows) - limit
            zh_more = f" 等（另 {more:,} 行）" if more > 0 else ""
            en_more = f" and {more:,} more" if more > 0 else ""
            out.append(
                (
                    f"“{fld}”第 {shown} 行{zh_more}：{zh}",
                    f"'{fld}' rows {shown}{en_more}: {en}",
                )
            )
        return out


#: separators and country prefixes removed before a phone number is checked
_PHONE_SEP = "[ \t\u3000\\-().（）]"  # explicit characters: Arrow's RE2 runs it vectorised
_PHONE_PREFIX = r"^(?:\+|00)86"
#: a phone number once separators and +86 are removed: mobile, landline with area code,
#: local landline, 400/800 service line
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{9,11}|[2-9]\d{6,7}|[48]00\d{7}")
#: a phone number as an export masks it (138******21), which imports back as it is
_MASKED_PHONE = r"[+\d]{1,3}\*+\d{1,2}"


def _not_phone(values: pd.Series) -> pd.Series:
    """True where a present value is not a phone number."""
    bad = pd.Series(False, index=values.index)
    present = values.notna().to_numpy(bool)
    if not present.any():
        return bad
    raw = vectorised_text(values[present].astype(str)).str.replace(_PHONE_SEP, "", regex=True)
    text = raw.str.replace(_PHONE_PREFIX, "", regex=True)
    ok = text.str.fullmatch(PHONE_RE.pattern) | raw.str.fullmatch(_MASKED_PHONE)
    bad[present] = ~ok.fillna(False).to_numpy(bool)
    return bad


#: a date written d/m/y or m/d/y (also with . or -), optionally followed by a time
_DMY_RE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})((?:[\sT].*)?)$")
_DMY_START = r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d"


def _unambiguous_dates(
    f: Field,
    s: pd.Series,
    rows: np.ndarray,
    problems: ProblemCollector,
    header: str,
    notes: _Notes | None,
) -> tuple[pd.Series, np.ndarray]:
    """Dates written ``03/04/2026`` rewritten year first, or refused when ambiguous.

    A column whose other rows show the order (``13/04/2026`` is day first, ``04/13/2026``
    month first) is read in that order, and the rows that needed it are noted; without such
    evidence (or with both orders in one column) an ambiguous date is refused, never guessed.
    Returns the values to parse and a mask of the rows refused here.
    """
    refused = np.zeros(len(s), dtype=bool)
    values = s.to_numpy(dtype=object)
    is_str = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
    if is_str.any():  # only text shaped like d/m/y goes on to the slow parse below
        start = vectorised_text(s[is_str]).str.contains(_DMY_START, regex=True)
        is_str[is_str] = start.fillna(False).to_numpy(bool)
    if not is_str.any():
        return s, refused
    m = s[is_str].astype(str).str.extract(_DMY_RE)
    hit = m[0].notna().to_numpy(bool)
    if not hit.any():
        return s, refused
    pos = np.flatnonzero(is_str)[hit]
    m = m[hit]
    a = m[0].astype(int).to_numpy()
    b = m[1].astype(int).to_numpy()
    year = m[2].to_numpy(dtype=object)
    rest = m[3].fillna("").to_numpy(dtype=object)
    day_first = (a > 12) & (b <= 12)
    month_first = (b > 12) & (a <= 12)
    order = None
    if day_first.any() and not month_first.any():
        order = "dmy"
    elif month_first.any() and not day_first.any():
        order = "mdy"
    out = s.astype(object).copy()
    inferred: list[int] = []
    for k, p in enumerate(pos):
        row = int(rows[p])
        if len(year[k]) == 2:
            problems.add(
                "the year has two digits; write the date in full, year first, such as 2026-04-03",
                row=row,
                field=header,
                value=s.iloc[p],
            )
            refused[p] = True
            continue
        if day_first[k]:
            day, month = a[k], b[k]
        elif month_first[k]:
            day, month = b[k], a[k]
        elif a[k] == b[k]:
            day = month = a[k]
        elif order is not None:
            day, month = (a[k], b[k]) if order == "dmy" else (b[k], a[k])
            inferred.append(row)
        else:
            problems.add(
                f"ambiguous date: {a[k]:02d}/{b[k]:02d} could be day/month or month/day; "
                f"write it year first, such as {year[k]}-{b[k]:02d}-{a[k]:02d}",
                row=row,
                field=header,
                value=s.iloc[p],
            )
            refused[p] = True
            continue
        out.iloc[p] = f"{year[k]}-{month:02d}-{day:02d}{rest[k]}"
    if inferred and notes is not None:
        zh, en = (
            ("日/月/年", "day/month/year") if order == "dmy" else ("月/日/年", "month/day/year")
        )
        for row in inferred:
            notes.add(
                header,
                row,
                f"日期按{zh}读取（同列其他行只能是这种顺序）",
                f"dates read as {en} (other rows of the column only fit that order)",
            )
    return out, refused


def _check_date_bounds(
    f: Field, out: pd.Series, rows: np.ndarray, problems: ProblemCollector, header: str
) -> None:
    if f.not_before is not None:
        early = (out < pd.Timestamp(f.not_before)).fillna(False).to_numpy(bool)
        for pos in np.flatnonzero(early):
            problems.add(
                f"{out.iloc[pos]:%Y-%m-%d} is before {f.not_before}, too early to be true for "
                f"'{f.label[1]}'; check the year",
                row=int(rows[pos]),
                field=header,
                value=out.iloc[pos],
            )
    if f.no_future:
        now = pd.Timestamp.now()
        late = (out > now + FUTURE_SLACK).fillna(False).to_numpy(bool)
        for pos in np.flatnonzero(late):
            problems.add(
                f"{out.iloc[pos]:%Y-%m-%d} is in the future (today is {now:%Y-%m-%d}); "
                f"'{f.label[1]}' cannot lie ahead; check the year",
                row=int(rows[pos]),
                field=header,
                value=out.iloc[pos],
            )


def _check_install_dates(
    out: pd.DataFrame, rows: np.ndarray, problems: ProblemCollector, src: Mapping[str, str]
) -> None:
    """A camera installed in the future must be ``planned``."""
    today = pd.Timestamp.now().normalize()
    ahead = (out["installed_on"] > today + FUTURE_SLACK).fillna(False).to_numpy(bool)
    planned = (out["status"] == "planned").to_numpy(bool)
    for pos in np.flatnonzero(ahead & ~planned):
        status = out["status"].iloc[pos] or "(empty)"
        problems.add(
            f"installed on {out['installed_on'].iloc[pos]:%Y-%m-%d}, after today "
            f"({today:%Y-%m-%d}), but the status is {status}; only a planned unit (status "
            f"planned / {CAMERA_STATUS['planned'][0]}) may have a future date",
            row=int(rows[pos]),
            field=src.get("installed_on", "installed_on"),
            value=out["installed_on"].iloc[pos],
        )


def _check_offices(
    out: pd.DataFrame,
    rows: np.ndarray,
    problems: ProblemCollector,
    src: Mapping[str, str],
    notes: _Notes,
) -> None:
    """A beat's office point: both coordinates, and inside or near its beat."""
    lon, lat = out["office_lon"].to_numpy(float), out["office_lat"].to_numpy(float)
    one = np.isfinite(lon) != np.isfinite(lat)
    field = f"{src.get('office_lon', 'office_lon')}/{src.get('office_lat', 'office_lat')}"
    for pos in np.flatnonzero(one):
        problems.add(
            "give both office coordinates (longitude and latitude) or neither",
            row=int(rows[pos]),
            field=field,
        )
    geom = np.asarray(out.geometry.values, dtype=object)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(lon) <= 180) & (np.abs(lat) <= 90)  # others are refused by their bounds
    ok &= np.array([g is not None for g in geom], bool)
    if not ok.any():
        return
    ok[ok] = shapely.is_valid(geom[ok]) & ~shapely.is_empty(geom[ok])
    ok[ok] &= np.isin(shapely.get_type_id(geom[ok]), (3, 6))
    if not ok.any():
        return
    polys = gpd.GeoSeries(geom[ok], crs=WGS84)
    try:
        utm = polys.estimate_utm_crs()
    except Exception:  # bounds a UTM zone cannot take: no metric check
        return
    offices = gpd.GeoSeries(shapely.points(lon[ok], lat[ok]), crs=WGS84).to_crs(utm)
    dist = polys.to_crs(utm).distance(offices, align=False).to_numpy(float)
    for pos, d in zip(np.flatnonzero(ok), dist, strict=True):
        if d > OFFICE_MAX_OUTSIDE_M:
            problems.add(
                f"the office point lies {d:,.0f} m outside its beat; at most "
                f"{OFFICE_MAX_OUTSIDE_M:,.0f} m is accepted — are the coordinates swapped, "
                "or of another beat?",
                row=int(rows[pos]),
                field=field,
                value=f"{lon[pos]}, {lat[pos]}",
            )
        elif d > 0:
            notes.add(
                field,
                int(rows[pos]),
                "警务室位于所属警务区之外（1 千米以内），请核实",
                "the office lies outside its beat (within 1 km); please check",
            )


def validate(
    name: str,
    df: pd.DataFrame,
    *,
    file: str | None = None,
    rows: np.ndarray | None = None,
    source_names: Mapping[str, str] | None = None,
    max_length: int = DEFAULT_MAX_FIELD_LENGTH,
    warnings: list[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Check and coerce a frame for table ``name``; raise every problem at once.

    Beyond types and required values, what cannot be true is refused: control characters
    and over-long text, numbers outside their bounds (100,000 residents in one flat), phone
    fields that hold no phone number, dates before :data:`EARLIEST_RECORD` or in the future
    where the past is meant (visits, incidents, surveys), an active camera installed in the
    future, a beat office more than :data:`OFFICE_MAX_OUTSIDE_M` outside its beat, and
    ambiguous dates such as ``03/04/2026`` (day or month first?) that no other row of the
    column settles. What is merely unusual is accepted and noted in ``warnings``.

    Parameters
    ----------
    name : str
        Table name (see :data:`TABLE_ORDER`).
    df : DataFrame or GeoDataFrame
        Columns named as the model's fields; ``id`` optional; spatial tables need a
        ``geometry`` column of shapely geometries in WGS-84.
    file : str, optional
        File name used in problem messages.
    rows : array of int, optional
        Row number in the file of each row of ``df`` (default 1..n).
    source_names : mapping, optional
        Model field -> header as written in the file, for problem messages.
    max_length : int
        Longest accepted text in one field (the ``max_field_length`` setting).
    warnings : list, optional
        Receives (Chinese, English) notes of unusual but accepted values, naming field and
        rows (an import report shows them).

    Returns
    -------
    DataFrame or GeoDataFrame
        A frame with exactly :attr:`Table.columns`, typed; ``id`` is <NA> where not given.

    Raises
    ------
    ValidationError
        Listing every problem found (file, row, field, expected value).
    """
    tbl = table(name)
    problems = ProblemCollector(file=file)
    src = dict(source_names or {})
    rows = np.arange(1, len(df) + 1) if rows is None else np.asarray(rows)
    notes = _Notes()
    df = df.reset_index(drop=True)
    out = pd.DataFrame(index=df.index)
    if "id" in df.columns:
        ids = _coerce(Field("id", "int", minimum=1), df["id"], rows, problems, src)
        dup = ids.notna() & ids.duplicated(keep=False)
        for pos in np.flatnonzero(dup.to_numpy(bool)):
            problems.add(
                "duplicate id in this file",
                row=int(rows[pos]),
                field=src.get("id", "id"),
                value=ids.iloc[pos],
            )
        out["id"] = ids
    else:
        out["id"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    missing_cols = [f for f in tbl.fields if f.required and f.name not in df.columns]
    for f in missing_cols:
        problems.add(
            f"required column is missing; accepted headers: {', '.join((f.name, *f.aliases))}",
            field=f.name,
        )
    for f in tbl.fields:
        if f.name in df.columns:
            out[f.name] = _coerce(
                f, df[f.name], rows, problems, src, max_length=max_length, notes=notes
            )
        else:
            out[f.name] = pd.Series([None] * len(df), index=df.index, dtype=_DTYPES[f.kind])
    if tbl.geometry:
        geom = df.geometry.values if isinstance(df, gpd.GeoDataFrame) else df.get("geometry")
        if geom is None:
            problems.add(
                "coordinates are missing: give lon/lat columns or a geometry", field="geometry"
            )
            geom = np.full(len(df), None, dtype=object)
        geom = np.asarray(geom, dtype=object)
        _check_geometry(tbl, geom, rows, problems, src.get("geometry", "geometry"))
        out = gpd.GeoDataFrame(
            out, geometry=gpd.GeoSeries(geom, index=df.index, crs=WGS84), crs=WGS84
        )
    if name == "cameras":
        _check_install_dates(out, rows, problems, src)
    if name == "beats" and tbl.geometry:
        _check_offices(out, rows, problems, src, notes)
    problems.problems.sort(key=lambda p: p.row or 0)
    problems.raise_if_any()
    if warnings is not None:
        warnings.extend(notes.lines())
    return out[tbl.columns]


def _check_geometry(
    tbl: Table, geom: np.ndarray, rows: np.ndarray, problems: ProblemCollector, header: str
) -> None:
    isnone = np.array([g is None for g in geom])
    for pos in np.flatnonzero(isnone):
        problems.add("geometry is required but empty", row=int(rows[pos]), field=header)
    present = geom[~isnone]
    if not len(present):
        return
    pos_present = np.flatnonzero(~isnone)
    gtype = shapely.get_type_id(present)
    want = {"point": (0,), "polygon": (3, 6)}[tbl.geometry]
    wrong = ~np.isin(gtype, want)
    for pos in pos_present[wrong]:
        problems.add(
            f"expected a {tbl.geometry} geometry",
            row=int(rows[pos]),
            field=header,
            value=shapely.get_type_id(geom[pos]),
        )
    empty = shapely.is_empty(present)
    for pos in pos_present[empty & ~wrong]:
        problems.add("geometry is empty", row=int(rows[pos]), field=header)
    xmin, ymin, xmax, ymax = (shapely.bounds(present)).T
    out = (xmin < -180) | (xmax > 180) | (ymin < -90) | (ymax > 90)
    for pos in pos_present[out & ~empty]:
        problems.add(
            "coordinates are not longitude/latitude in degrees (WGS-84 expected)",
            row=int(rows[pos]),
            field=header,
            value=geom[pos].wkt[:60],
        )
    if tbl.geometry == "polygon":
        invalid = ~shapely.is_valid(present) & ~wrong & ~empty
        for pos in pos_present[invalid]:
            problems.add(
                "polygon is not valid (self-intersecting or unclosed)",
                row=int(rows[pos]),
                field=header,
            )


def mask_personal(df: pd.DataFrame, name: str, *, show_personal: bool = False) -> pd.DataFrame:
    """Mask the personal fields of a table's frame unless ``show_personal``.

    Names keep their first character (张**), phone numbers their first three and last two
    digits (138******21); empty values stay empty. In free text (visit notes, incident
    descriptions) phone and 身份证 numbers are masked the same way
    (:func:`geo.textguard.mask_free_text`). Whether a user sees them is decided by
    :func:`geo.settings.show_personal`.
    """
    if show_personal:
        return df
    out = df.copy()
    for col in table(name).free_text_fields:
        if col in out.columns:
            out[col] = mask_free_text_series(out[col])
    for col in table(name).personal_fields:
        if col in out.columns:
            col_values = out[col]
            uniq = pd.unique(col_values.dropna())
            masked = {v: _mask_value(v) for v in uniq}
            out[col] = col_values.map(masked, na_action="ignore")
    return out


def _mask_value(value: object) -> str:
    text = str(value)
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 7:
        return text[:3] + "*" * max(len(text) - 5, 1) + text[-2:]
    if not text:
        return text
    return text[0] + "*" * max(len(text) - 1, 1)
