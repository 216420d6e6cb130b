"""The planner's workflow: where the next K camera/recorder units (摄录一体机) do the most good.

Community officers promote household units, above all among rental houses (出租房). This
package turns the workspace's tables and OSM area into everything the Cameras page shows; the
siting core (coverage along the walking network, the choice of sites) is :mod:`geo.siting`.

* :mod:`~geo.planning.demand`: weighted demand (households, incidents, building entrances);
* :mod:`~geo.planning.candidates`: candidate sites (rentals, shops, entrances, intersections);
* :mod:`~geo.planning.units`: the installed units and their radii;
* :mod:`~geo.planning.plan`: :func:`plan_cameras`, the pipeline, as a list of named steps;
* :mod:`~geo.planning.pages`: what the Cameras page asks (filtered tables, install effect,
  beat shading);
* :mod:`~geo.planning.exports`: tables, workbook, CSV and printed sheets (personal data masked
  unless allowed).

Coverage radii (metres along the walking network, see :data:`DEFAULT_RADII`): a camera/recorder
unit on a door sees the lane outside it, about 40 m each way; a video doorbell only the doorstep
(15 m); a shop's or estate's CCTV camera about 60 m; public video surveillance on a pole about
80 m. They are defaults for planning, not measurements: set them to what the units installed
here really see.
"""

from geo.planning.candidates import (
    CANDIDATE_KINDS,
    SHOP_AMENITIES,
    build_candidates,
    street_intersections,
)
from geo.planning.demand import (
    DEFAULT_CATEGORY_WEIGHTS,
    DEMAND_SOURCES,
    DemandWeights,
    build_demand,
    building_entrances,
)
from geo.planning.exports import (
    BEAT_COLUMNS,
    COLUMN_LABELS,
    PROMOTION_COLUMNS,
    beat_table,
    gap_table,
    labelled,
    plan_csv_bytes,
    plan_xlsx_bytes,
    promotion_list,
    promotion_sheets_html,
)
from geo.planning.pages import PlanningFrames, beat_shares_frame, plan_effect, planning_frames
from geo.planning.plan import CameraPlan, PlanningArea, plan_cameras
from geo.planning.units import COVERING_STATUSES, DEFAULT_RADII, existing_units

__all__ = [
    "BEAT_COLUMNS",
    "CANDIDATE_KINDS",
    "COLUMN_LABELS",
    "COVERING_STATUSES",
    "DEFAULT_CATEGORY_WEIGHTS",
    "DEFAULT_RADII",
    "DEMAND_SOURCES",
    "PROMOTION_COLUMNS",
    "SHOP_AMENITIES",
    "CameraPlan",
    "DemandWeights",
    "PlanningArea",
    "PlanningFrames",
    "beat_shares_frame",
    "beat_table",
    "build_candidates",
    "build_demand",
    "building_entrances",
    "existing_units",
    "gap_table",
    "labelled",
    "plan_cameras",
    "plan_csv_bytes",
    "plan_effect",
    "plan_xlsx_bytes",
    "planning_frames",
    "promotion_list",
    "promotion_sheets_html",
    "street_intersections",
]
