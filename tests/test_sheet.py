"""The printed sheet (geo.sheet) and the ``beatmap route`` command.

The PDF's text is read back with pypdf (test dependency): the Chinese street names must be
there as text, which also proves the CJK font was embedded (no empty boxes).
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
import shapely

from geo.evening import EveningSettings, plan_evening
from geo.sheet import cjk_font_path, sheet_html, sheet_pdf, write_sheet
from tests.conftest import DATA, SHARED_OSM
from tests.test_evening import DATE, city, community_officer, tables

pypdf = pytest.importorskip("pypdf", reason="pypdf (test dependency) reads the PDF's text")
S = EveningSettings(time_limit_s=5.0, max_iters=1000, seed=3)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def fixture_plan():
    try:
        cjk_font_path()
    except Exception as exc:
        pytest.skip(str(exc))
    area, c = city(str(DATA / "alleys_estate.osm"))
    frames = tables(c)
    plan = plan_evening(area, frames, officer=community_officer(frames), date=DATE, settings=S)
    return area, plan


def test_pdf_holds_chinese_text_and_masks_personal_data(fixture_plan):
    area, plan = fixture_plan
    data = sheet_pdf(plan, area)
    assert data.startswith(b"%PDF") and len(data) < 400_000  # subset font: small
    text = pdf_text(data)
    assert "入户走访路线单" in text and "府学胡同" in text
    assert "联系卡" in text and "登记表" in text and "责任书" in text and "宣传单" in text
    assert "回到警务室" in text
    name = str(plan.households["contact_name"].iloc[0])
    phone = str(plan.households["contact_phone"].iloc[0])
    assert phone not in text and name not in text
    assert phone[:3] in text  # masked as 138******21
    assert b"FontFile2" in data  # TrueType embedded (Type 42), not Type 3 bitmaps


def test_pdf_in_english_and_unmasked_when_allowed(fixture_plan):
    area, plan = fixture_plan
    text = pdf_text(sheet_pdf(plan, area, lang="en", show_personal=True))
    assert "Household visit route sheet" in text and "府学胡同" in text
    assert str(plan.households["contact_phone"].iloc[0]) in text


def test_html_sheet(fixture_plan, tmp_path):
    area, plan = fixture_plan
    page = sheet_html(plan, area)
    assert page.startswith("<!DOCTYPE html>") and "@page" in page and "<svg" in page
    assert "府学胡同" in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing fetched
    assert str(plan.households["contact_phone"].iloc[0]) not in page
    out = write_sheet(plan, area, tmp_path / "s.html")
    assert out.read_text(encoding="utf-8") == page
    with pytest.raises(Exception, match=r"\.pdf, \.html or \.htm"):
        write_sheet(plan, area, tmp_path / "s.docx")


@pytest.mark.slow
def test_pdf_on_beijing_holds_its_street_names():
    if not SHARED_OSM.is_dir():
        pytest.skip(f"real OSM extracts not found at {SHARED_OSM}")
    try:
        cjk_font_path()
    except Exception as exc:
        pytest.skip(str(exc))
    area, c = city(str(SHARED_OSM / "beijing-haidian-xueyuanlu.osm"), 7, 900)
    frames = tables(c)
    plan = plan_evening(
        area, frames, officer=community_officer(frames), date="2026-05-20", settings=S
    )
    text = pdf_text(sheet_pdf(plan, area))
    # the streets around the route (labelled on the map, named in the directions)
    box = shapely.box(*plan.path.buffer(80).bounds)
    net = plan.network
    near = shapely.intersects(net.index.edge_geometry, box)
    names = {str(n) for n in net.edge_name[near]}
    names = {n for n in names if n and all(ord(ch) > 0x2E80 for ch in n)}
    assert names, "no Chinese-named street near the route"
    assert any(n in text for n in names)


def _cli(*args: str, env_dir) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, BEATMAP_ONLINE="no", BEATMAP_DATA_DIR=str(env_dir))
    return subprocess.run(
        [sys.executable, "-c", "from geo.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.slow
def test_cli_route_one_officer_a_station_and_errors(tmp_path, fixture_plan):
    db = str(tmp_path / "c.sqlite")
    r = _cli("demo", "--osm", str(DATA / "alleys_estate.osm"), "--db", db, env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "r.pdf"
    r = _cli(
        "route", "--db", db, "--officer", "1", "--date", DATE, "--out", str(out),
        "--html", str(tmp_path / "r.html"), "--end", "18:00", env_dir=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "府学" in pdf_text(out.read_bytes()) and (tmp_path / "r.html").is_file()
    r = _cli("route", "--db", db, "--station", "1", "--date", DATE, "--out",
             str(tmp_path / "batch"), env_dir=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert list((tmp_path / "batch").glob("route_*.pdf"))
    r = _cli("route", "--db", db, "--officer", "999", "--date", DATE, "--out", str(out),
             env_dir=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "unknown officer 999" in r.stderr
    r = _cli("route", "--db", db, "--officer", "1", "--date", DATE, "--out", str(out),
             "--end", "16:05", env_dir=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "too short for a single visit" in r.stderr
    r = _cli("route", "--db", db, "--station", "77", "--date", DATE, "--out", str(out),
             env_dir=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "unknown station 77" in r.stderr
