"""Column labels of the tables BeatMap shows and exports, in Chinese and English.

One catalogue for the figures of every page (coverage, progress, evenings, surveys, before/after
installs), so the same column reads the same on every page and in every export.
"""

from __future__ import annotations

import pandas as pd

from geo.model import relabel_columns

__all__ = ["COLUMN_LABELS", "labelled"]

#: column -> (Chinese, English) for tables shown and exported
COLUMN_LABELS = {
    "station_id": ("派出所编号", "station id"),
    "beat_id": ("警务区编号", "beat id"),
    "officer_id": ("民警编号", "officer id"),
    "name": ("名称", "name"),
    "households": ("户数", "households"),
    "visited": ("已走访", "visited"),
    "not_home": ("不在家", "not home"),
    "refused": ("拒绝", "refused"),
    "moved_away": ("已搬离", "moved away"),
    "unvisited": ("未走访", "not yet visited"),
    "coverage": ("覆盖率", "coverage"),
    "visited_by_officer": ("本人走访", "visited by the officer"),
    "recent": ("近期新增", "recent"),
    "pace": ("日均进度(户/天)", "pace (households/day)"),
    "own_pace": ("本人日均(户/天)", "own pace (households/day)"),
    "target_households": ("目标户数", "target households"),
    "remaining": ("距目标", "to target"),
    "required_pace": ("所需日均(户/天)", "required pace (households/day)"),
    "projected_finish": ("预计完成日期", "projected finish"),
    "late_days": ("延误天数", "days late"),
    "on_track": ("按期", "on track"),
    "date": ("日期", "date"),
    "total": ("合计", "total"),
    "week": ("周", "week"),
    "week_start": ("周一", "week start"),
    "evenings": ("晚数", "evenings"),
    "visits": ("走访次数", "visits"),
    "hours": ("小时", "hours"),
    "surveyed": ("回访数", "surveyed"),
    "on_site": ("现场", "on site"),
    "phone": ("电话", "phone"),
    "knows_officer": ("认识民警", "knows the officer"),
    "has_card": ("有联系卡", "has the contact card"),
    "never_met": ("从未见过", "never met"),
    "knows_officer_share": ("认识民警占比", "knows the officer (share)"),
    "has_card_share": ("有联系卡占比", "has the card (share)"),
    "never_met_share": ("从未见过占比", "never met (share)"),
    "answered": ("作答数", "answered"),
    "satisfied": ("满意数", "satisfied"),
    "satisfied_share": ("满意率", "satisfied (share)"),
    "installs": ("安装数", "installs"),
    "group": ("组别", "group"),
    "event": ("首次安装", "first install"),
    "before": ("安装前警情", "incidents before"),
    "after": ("安装后警情", "incidents after"),
    "rate_before": ("前(每千户每月)", "before (per 1,000 hh/month)"),
    "rate_after": ("后(每千户每月)", "after (per 1,000 hh/month)"),
    "matches": ("对照警务区", "comparison beats"),
    "match_before": ("对照前", "comparison before"),
    "match_after": ("对照后", "comparison after"),
    "did": ("差中差", "difference in differences"),
    "address": ("地址", "address"),
    "status": ("状态", "status"),
    "last_attempt_at": ("上次走访", "last attempt"),
    "visited_at": ("走访时间", "visited at"),
    "attempts": ("走访次数", "attempts"),
    "rental": ("出租房", "rental"),
    "cumulative": ("累计已走访", "visited so far"),
}


def labelled(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A copy of ``df`` with columns renamed by :data:`COLUMN_LABELS` in ``lang``."""
    return relabel_columns(df, COLUMN_LABELS, lang)
