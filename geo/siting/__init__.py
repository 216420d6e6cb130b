"""Camera/recorder unit (摄录一体机) siting: coverage along the network and the choice of sites.

* :mod:`geo.siting.streets`: :func:`coverage_matrix` (candidate x demand, along the walking
  network), :func:`covered_mask` and :func:`covered_streets` (the pieces of street units see);
* :mod:`geo.siting.core`: :func:`max_coverage` chooses ``k`` sites on that matrix, using the
  heuristics of :mod:`geo.siting.search` and the MILP of :mod:`geo.siting.exact`.

The planner's pipeline over the workspace's tables is :func:`geo.planning.plan_cameras`.
"""

from geo.siting.core import Method, SitingResult, max_coverage
from geo.siting.exact import HIGHS_DEFAULTS
from geo.siting.streets import coverage_matrix, covered_mask, covered_streets

__all__ = [
    "HIGHS_DEFAULTS",
    "Method",
    "SitingResult",
    "coverage_matrix",
    "covered_mask",
    "covered_streets",
    "max_coverage",
]
