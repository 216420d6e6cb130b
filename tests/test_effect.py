"""Before/after comparison of camera installs against comparable beats without installs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo._errors import InputError
from geo.effect import install_effect


def _scenario(control_installs: int = 0):
    """Six beats of 500 households; beats 1-3 install cameras on 1 April 2026.

    Every beat has 20 incidents in the 60 days before (20 per 1,000 households per month);
    after the installs beats 1-3 have 4 in 60 days (4 per 1,000 per month) and beats 4-6 stay
    at 20, so the difference in differences is (4 - 20) - (20 - 20) = -16.
    """
    beats = pd.DataFrame({"id": range(1, 7), "name": [f"第{i}警务区" for i in range(1, 7)]})
    households = pd.DataFrame({"id": range(1, 3001), "beat_id": np.repeat(range(1, 7), 500)})
    event = pd.Timestamp("2026-04-01")
    rows = []
    for b in range(1, 7):
        for k in range(60):  # 60 days before: 20 incidents, evenly spread
            if k % 3 == 0:
                rows.append((b, event - pd.Timedelta(days=60 - k)))
        per = 15 if b <= 3 else 3  # after: 4 or 20 in 60 days
        for k in range(0, 60, per):
            rows.append((b, event + pd.Timedelta(days=k, hours=1)))
    incidents = pd.DataFrame(rows, columns=["beat_id", "occurred_at"]).assign(category="theft")
    cams = [(b, event + pd.Timedelta(days=d)) for b in (1, 2, 3) for d in range(5)]
    cams += [(b, event) for b in (4, 5, 6) for _ in range(control_installs)]
    cameras = pd.DataFrame(cams, columns=["beat_id", "installed_on"]).assign(kind="recorder_unit")
    # a public camera never counts as an install
    cameras.loc[len(cameras)] = {"beat_id": 4, "installed_on": event, "kind": "public"}
    return beats, households, cameras, incidents


def test_difference_in_differences():
    beats, households, cameras, incidents = _scenario()
    res = install_effect(
        beats=beats,
        households=households,
        cameras=cameras,
        incidents=incidents,
        since="2026-03-01",
        until="2026-06-30",
        window_days=60,
        min_installs=3,
        data_end="2026-06-30",
    )
    tb = res.by_beat.set_index("beat_id")
    assert set(tb.index[tb["group"] == "treated"]) == {1, 2, 3}
    assert set(tb.index[tb["group"] == "comparison"]) == {4, 5, 6}
    assert tb.loc[1, "installs"] == 5 and tb.loc[4, "installs"] == 0
    assert tb.loc[1, "event"] == pd.Timestamp("2026-04-01")
    assert tb.loc[1, "rate_before"] == pytest.approx(20.0)  # 20 per 500 hh per 60 days
    assert tb.loc[1, "rate_after"] == pytest.approx(4.0)
    assert tb.loc[1, "match_before"] == pytest.approx(20.0)
    assert tb.loc[1, "match_after"] == pytest.approx(20.0)
    assert tb.loc[1, "did"] == pytest.approx(-16.0)
    assert res.summary["did"] == pytest.approx(-16.0)
    assert res.summary["comparison_rule"] == "none"
    zh, en = res.note
    assert "不能证明" in zh and "not proof" in en
    assert "-16.0" in en and "-80%" in en


def test_fewest_installs_when_every_beat_installed():
    beats, households, cameras, incidents = _scenario(control_installs=1)
    res = install_effect(
        beats=beats,
        households=households,
        cameras=cameras,
        incidents=incidents,
        since="2026-03-01",
        window_days=60,
        min_installs=3,
        data_end="2026-06-30",
    )
    assert res.summary["comparison_rule"] == "fewest"
    assert res.summary["comparison"] >= 1
    assert "fewest" in res.note[1]


def test_not_enough_to_compare():
    beats, households, cameras, incidents = _scenario()
    res = install_effect(
        beats=beats,
        households=households,
        cameras=cameras,
        incidents=incidents,
        since="2026-03-01",
        window_days=60,
        min_installs=50,
        control_max=0,
    )
    assert res.summary["treated"] == 0
    assert "not enough" in res.note[1] and "不能证明" in res.note[0]


def test_bad_arguments():
    beats, households, cameras, incidents = _scenario()
    kw = dict(beats=beats, households=households, incidents=incidents, since="2026-03-01")
    with pytest.raises(InputError, match="control_max"):
        install_effect(cameras=cameras, min_installs=2, control_max=2, **kw)
    with pytest.raises(InputError, match="beat_id"):
        install_effect(cameras=cameras.drop(columns="beat_id"), **kw)
    with pytest.raises(InputError, match="window_days"):
        install_effect(cameras=cameras, window_days=3, **kw)
