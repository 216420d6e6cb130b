"""Property: random rows of every table's CSV either import cleanly or are refused cleanly.

Whatever the cells hold (control characters, formulas, huge numbers, odd dates, quotes, empty
cells, unknown references), the importer answers with an :class:`ImportReport` or a
:class:`geo._errors.BeatMapError` naming the file; never a traceback of another kind, and a
refused file changes nothing.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from geo._errors import BeatMapError, ValidationError
from geo.io import import_file
from geo.model import TABLE_ORDER, TABLES
from geo.store import Store
from tests.test_io import import_city

CELL_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 -+=@'\",;/.:\t\n\r\x00\x07\x1b") + ["张", "社", "区", "是", "否", "é"]
    ),
    max_size=12,
)


def _cell(kind: str) -> st.SearchStrategy[str]:
    """Values a careless file might hold for a field of ``kind`` (plus anything at all)."""
    common = [st.just(""), CELL_TEXT]
    typed = {
        "int": st.integers(-5, 100_000).map(str),
        "float": st.floats(allow_nan=True, allow_infinity=True).map(str),
        "bool": st.sampled_from(["是", "否", "yes", "no", "1", "0", "maybe"]),
        "datetime": st.sampled_from(
            [
                "2026-04-01 18:30",
                "03/04/2026",
                "13/04/2026 17:00",
                "1900-01-01",
                "2099-01-01",
                "2026-02-30",
                "yesterday",
            ]
        ),  # fmt: skip
        "date": st.sampled_from(["2026-04-01", "04/13/2026", "2030-01-01", "0000-00-00"]),
    }
    return st.one_of(*common, typed.get(kind, CELL_TEXT))


def _rows(kind: str) -> st.SearchStrategy[list[dict[str, str]]]:
    tbl = TABLES[kind]
    cols: dict[str, st.SearchStrategy[str]] = {"id": _cell("int")}
    for f in tbl.fields:
        if f.kind == "enum":
            choices = [*f.choices, *(zh for zh, _ in f.choices.values()), "unknown"]
            cols[f.name] = st.one_of(st.sampled_from(choices), _cell("str"))
        else:
            cols[f.name] = _cell(f.kind)
    if tbl.geometry == "point":
        cols["lon"] = st.one_of(st.floats(116.40, 116.44).map(str), _cell("float"))
        cols["lat"] = st.one_of(st.floats(39.93, 39.945).map(str), _cell("float"))
    elif tbl.geometry == "polygon":
        cols["geometry"] = st.sampled_from(
            ["POLYGON ((116.5 39.95, 116.51 39.95, 116.51 39.96, 116.5 39.95))",
             "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "POINT (116.4 39.9)", "not wkt", ""]
        )  # fmt: skip
    row = st.fixed_dictionaries(cols)
    return st.lists(row, min_size=0, max_size=4)


@pytest.fixture(scope="module")
def city_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("fuzzcity")
    s = Store(f"sqlite:///{tmp}/city.sqlite")
    import_city(s, tmp)
    s.close()
    return tmp / "city.sqlite"


def _write_csv(path: Path, rows: list[dict[str, str]], header: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
@pytest.mark.parametrize("kind", TABLE_ORDER)
def test_random_rows_import_or_are_refused_cleanly(city_db: Path, kind: str) -> None:
    header = ["id", *TABLES[kind].field_names]
    header += {"point": ["lon", "lat"], "polygon": ["geometry"]}.get(TABLES[kind].geometry, [])

    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),  # no shrinking: a failure prints its rows
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(rows=_rows(kind))
    def check(rows: list[dict[str, str]]) -> None:
        print(rows)  # shown by pytest when the example fails
        with tempfile.TemporaryDirectory(prefix="beatmap-fuzz-") as tmp:
            db = Path(tmp) / "city.sqlite"
            shutil.copyfile(city_db, db)
            store = Store(f"sqlite:///{db}")
            try:
                before = store.counts()
                path = Path(tmp) / f"{kind}.csv"
                _write_csv(path, rows, header)
                try:
                    report = import_file(store, kind, path, datum="wgs84")
                except ValidationError as exc:
                    assert exc.problems and all(p.file == path.name for p in exc.problems)
                    assert store.counts() == before
                except BeatMapError:
                    assert store.counts() == before
                else:
                    assert report.rows_written <= len(rows)
                    assert store.counts()[kind] == before[kind] + report.rows_written
            finally:
                store.close()

    check()
