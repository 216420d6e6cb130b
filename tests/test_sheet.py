"""The printed sheet (geo.sheet) and the ``beatmap route`` command.

The PDF's text is read back with pypdf (test dependency): the Chinese street names must be
there as text, which also proves the CJK font was embedded (no empty boxes).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zlib

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


# --------------------------------------------------------------------------------------------
# the QR code of the route's field page


def _decode(img) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (test dependency) reads QR codes")
    from PIL import ImageOps

    img = ImageOps.expand(img.convert("L"), border=16, fill=255)
    if img.width < 200:
        img = img.resize((img.width * 6, img.height * 6), resample=0)
    return [r.text for r in zxingcpp.read_barcodes(img)]


def _png_unfilter(data: bytes, height: int, stride: int):
    """Rows of a PNG-predicted (Predictor >= 10) image stream, 1 byte per pixel step."""
    import numpy as np

    out = np.zeros((height, stride), dtype=np.uint8)
    prev = bytearray(stride)
    pos = 0
    for r in range(height):
        kind, line = data[pos], bytearray(data[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - 1] if i else 0
            up, ul = prev[i], (prev[i - 1] if i else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else ul)
                line[i] = (line[i] + pred) & 255
        out[r] = np.frombuffer(bytes(line), dtype=np.uint8)
        prev = line
    return out


def _pdf_bitmaps(page) -> list:
    """The page's 1-bit images as 8-bit grey arrays (read from the raw image streams)."""
    import numpy as np

    out = []
    xobjects = page["/Resources"].get("/XObject", {})
    for name in xobjects:
        obj = xobjects[name].get_object()
        if obj.get("/Subtype") != "/Image" or obj.get("/BitsPerComponent") != 1:
            continue
        w, h = int(obj["/Width"]), int(obj["/Height"])
        rows = _png_unfilter(zlib.decompress(obj._data), h, -(-w // 8))
        bits = np.unpackbits(rows, axis=1)[:, :w]
        palette = bytes(obj["/ColorSpace"][3])  # index 0 and 1 as RGB
        dark_index = 0 if palette[0] < 128 else 1
        out.append(np.where(bits == dark_index, 0, 255).astype(np.uint8))
    return out


def test_field_url_and_qr_png_round_trip(fixture_plan):
    from PIL import Image

    from geo._errors import InputError
    from geo.sheet import field_url, qr_matrix, qr_png

    _, plan = fixture_plan
    url = field_url("http://10.1.2.3:8501/", plan)
    assert url == (
        f"http://10.1.2.3:8501/field?officer={plan.officer_id}&date={plan.date:%Y-%m-%d}"
    )
    with pytest.raises(InputError, match="http://"):
        field_url("10.1.2.3", plan)
    m = qr_matrix(url)
    assert m.shape[0] == m.shape[1] and m[:4].sum() == 0  # square, quiet zone
    assert _decode(Image.open(io.BytesIO(qr_png(url)))) == [url]
    assert _decode(Image.open(io.BytesIO(qr_png(url + "x")))) != [url]


def test_pdf_and_html_sheets_carry_the_field_page_qr(fixture_plan, tmp_path):
    import base64
    import re

    from PIL import Image

    from geo.sheet import field_url

    area, plan = fixture_plan
    url = field_url("http://beatmap.local:8501", plan)
    data = sheet_pdf(plan, area, field_link=url)
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    found = [t for m in _pdf_bitmaps(page) for t in _decode(Image.fromarray(m))]
    assert found == [url]
    assert "扫码打开本路线外勤页" in page.extract_text()
    assert not pypdf.PdfReader(io.BytesIO(sheet_pdf(plan, area))).pages[0].images
    html = sheet_html(plan, area, lang="en", field_link=url)
    png = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert _decode(Image.open(io.BytesIO(base64.b64decode(png)))) == [url]
    assert "field page" in html
    path = write_sheet(plan, area, tmp_path / "s.html", field_link=url)
    assert "data:image/png;base64" in path.read_text(encoding="utf-8")
