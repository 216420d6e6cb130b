"""Model validation: coercion, every problem collected, masking."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import model
from geo._errors import InputError, ValidationError


def _households(**cols):
    base = {
        "address": ["府学胡同1号院 1户", "府学胡同1号院 2户"],
        "geometry": [shapely.Point(116.41, 39.94), shapely.Point(116.411, 39.941)],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_valid_frame_is_typed():
    df = _households(residents=["3", 2], rental=["是", "否"], lodgers=[None, "1"])
    out = model.validate("households", df)
    assert list(out.columns) == model.TABLES["households"].columns
    assert out["residents"].tolist() == [3, 2]
    assert out["rental"].tolist() == [True, False]
    assert out["lodgers"].isna().tolist() == [True, False]
    assert out.crs == model.WGS84


def test_all_problems_collected_with_row_and_field():
    df = _households(residents=["x", "-1"], rental=["maybe", "1"])
    df.loc[1, "address"] = " "
    with pytest.raises(ValidationError) as err:
        model.validate("households", df, file="h.csv", source_names={"residents": "常住人数"})
    problems = err.value.problems
    found = {(p.row, p.field) for p in problems}
    assert found == {(1, "常住人数"), (2, "常住人数"), (1, "rental"), (2, "address")}
    assert all(p.file == "h.csv" for p in problems)
    assert "h.csv, row 1, field '常住人数'" in str(err.value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("已走访", "visited"),
        ("Not Home", "not_home"),
        ("refused", "refused"),
        ("已搬离", "moved_away"),
    ],
)
def test_enum_accepts_codes_and_labels(value, code):
    df = pd.DataFrame(
        {
            "household_id": [1],
            "officer_id": [2],
            "visited_at": ["2026-04-01 18:30"],
            "outcome": [value],
        }
    )
    assert model.validate("visits", df)["outcome"].iloc[0] == code


def test_enum_error_lists_allowed_values():
    df = pd.DataFrame(
        {"household_id": [1], "officer_id": [2], "visited_at": ["2026-04-01"], "outcome": ["maybe"]}
    )
    with pytest.raises(ValidationError, match="visited .已走访.*not_home"):
        model.validate("visits", df)


def test_missing_required_column_names_accepted_headers():
    with pytest.raises(ValidationError, match="accepted headers: officer_id"):
        model.validate(
            "visits",
            pd.DataFrame(
                {"household_id": [1], "visited_at": ["2026-04-01"], "outcome": ["visited"]}
            ),
        )


def test_geometry_checks():
    df = _households()
    df["geometry"] = [shapely.Point(500000, 4400000), shapely.box(0, 0, 1, 1)]
    with pytest.raises(ValidationError) as err:
        model.validate("households", df)
    text = str(err.value)
    assert "not longitude/latitude" in text and "expected a point geometry" in text


def test_invalid_polygon_rejected():
    bowtie = shapely.Polygon([(116.0, 39.0), (116.1, 39.1), (116.1, 39.0), (116.0, 39.1)])
    df = pd.DataFrame({"name": ["a"], "station_id": [1], "geometry": [bowtie]})
    with pytest.raises(ValidationError, match="not valid"):
        model.validate("beats", df)


def test_duplicate_ids_in_file():
    df = _households(id=[5, 5])
    with pytest.raises(ValidationError, match="duplicate id"):
        model.validate("households", df)


def test_unknown_table_lists_allowed():
    with pytest.raises(InputError, match="allowed: stations, beats"):
        model.table("people")


def test_mask_personal():
    df = pd.DataFrame(
        {
            "contact_name": ["张三丰", None],
            "contact_phone": ["13812345678", ""],
            "address": ["x", "y"],
        }
    )
    masked = model.mask_personal(df, "households")
    assert masked["contact_name"].tolist()[0] == "张**"
    assert masked["contact_phone"].tolist()[0] == "138******78"
    assert masked["address"].tolist() == ["x", "y"]
    assert model.mask_personal(df, "households", show_personal=True) is df
