"""The beatmap command line, run as a real process."""

from __future__ import annotations

import subprocess
import sys

import pytest


def beatmap(*args, env_extra=None, tmp_path=None):
    import os

    env = {**os.environ, "BEATMAP_ONLINE": "no"}
    if tmp_path is not None:
        env["BEATMAP_DATA_DIR"] = str(tmp_path)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "geo.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, alleys_osm):
    tmp = tmp_path_factory.mktemp("cli")
    db = tmp / "demo.sqlite"
    out = beatmap(
        "demo",
        "--osm",
        str(alleys_osm),
        "--db",
        str(db),
        "--seed",
        "5",
        "--households-per-beat",
        "60",
        tmp_path=tmp,
    )
    assert out.returncode == 0, out.stderr
    return db, out.stdout


def test_demo_reports_counts(demo_db):
    _, stdout = demo_db
    assert "住户" in stdout and "警务区" in stdout and "已走访" in stdout


def test_info_in_english(demo_db, tmp_path):
    db, _ = demo_db
    out = beatmap("info", "--db", str(db), "--lang", "en", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "households:" in out.stdout


def test_export_masks_personal_data(demo_db, tmp_path):
    import pandas as pd

    db, _ = demo_db
    dest = tmp_path / "hh.csv"
    out = beatmap("export", "households", str(dest), "--db", str(db), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    df = pd.read_csv(dest, encoding="utf-8-sig", dtype=str)
    phones = [c for c in df.columns if "电话" in c or "phone" in c.lower()]
    assert phones and df[phones[0]].str.contains(r"\*").all()


def test_import_error_names_file_row_field(demo_db, tmp_path):
    db, _ = demo_db
    bad = tmp_path / "stations.csv"
    bad.write_text("名称,经度,纬度\n东四派出所,116.41,39.93\n,116.42,abc\n", encoding="utf-8")
    out = beatmap("import", "stations", str(bad), "--db", str(db), tmp_path=tmp_path)
    assert out.returncode == 2
    assert "stations.csv" in out.stderr and "row 2" in out.stderr


def test_unknown_table(demo_db, tmp_path):
    db, _ = demo_db
    out = beatmap("export", "people", str(tmp_path / "x.csv"), "--db", str(db), tmp_path=tmp_path)
    assert out.returncode == 2 and "allowed" in out.stderr


def test_backup(demo_db, tmp_path):
    db, _ = demo_db
    out = beatmap("backup", str(tmp_path / "b.sqlite"), "--db", str(db), tmp_path=tmp_path)
    assert out.returncode == 0 and (tmp_path / "b.sqlite").stat().st_size > 0
