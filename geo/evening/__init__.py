"""The officer's evening: which households to visit tonight, in what order, on which paths.

The evening planner takes a beat, a date and a few settings, and returns the ordered stops, the
arrival time at each, the walking path on the network and the total walk. The campaign planner
splits all of a beat's remaining households into such evenings up to a target date. Both work on
the walking network of the beat plus a margin (:func:`beat_network`) and solve prize-collecting
rounds with :func:`geo.routing.solve_orienteering`.

Model
-----
* **Households to visit.** Every household of the beat not yet reached at home before the
  evening starts (status from :func:`geo.coverage.household_status`): never visited, not home
  last time, refused last time (weight 0 by default: not planned). Visited and moved-away
  households are never planned.
* **Value.** ``weight_never`` for a household nobody has called on, ``weight_not_home`` for one
  found not at home last time, ``weight_refused`` for one that refused; plus ``weight_rental``
  for a rental house and ``weight_lodgers`` when lodgers live there. The defaults put never
  visited first, then not home, then rentals and lodgers; all are settings.
* **Doors.** Households sharing a door point (the units of one stairwell, the families of one
  courtyard) are one place: no walk between them, service times add up, and the printed stop
  lists them together. The search sees each household (``max_per_stop=1``: a 48-flat
  stairwell can be half done tonight), but only the :data:`DOOR_CAP` most valuable of each door:
  dozens of zero-distance twins would crowd the search's nearest-candidate lists and hide the
  neighbouring doors. After the search the chosen doors are walked in the shortest order (a
  tour over them with :func:`geo.routing.solve_tour`), and households left out (at doors on the
  route first, as they cost no walk) are added while the window allows.
* **Walkable.** What an officer may walk is the one rule of :mod:`geo.network`
  (:func:`geo.network.walkable_edge`).
* **Snapping.** Each door is snapped to its nearest walkable edge; a door inside a gated estate
  (a ``landuse=residential`` polygon, :func:`geo.network.residential_estates`) snaps to the
  estate's own paths when one lies within ``max_snap_m``, so estate households are reached
  through the gate and not "from the street behind the wall".
* **Network.** The beat plus ``margin_m``, reduced to its largest connected piece (a lone
  footway cut off by the margin would otherwise strand the office or a door on it).
* **Distances** are shortest paths on the network (:class:`geo.netdist.NetworkIndex`) plus the
  short access legs from the path to the door; walking time is distance / speed.
* **"Not home last time, at a different hour".** A household found not at home at hour *h* is
  still planned with its full value; after the search the planner walks the round in whichever
  direction (a reversed round has the same length) puts fewer such households in the same
  clock hour as last time, and the stop list says "上次17点不在家" for those still at that hour
  so the officer can shift them. Documented choice: it never costs a visit or a metre.

Everything is in the area's UTM CRS inside; WGS-84 only for the frames handed to the map.

Work budget, not the clock
--------------------------
Every search runs on a work budget (``EveningSettings.max_iters``; ``iters_per_evening`` for
the campaign), so the same inputs and seed give the same route on a quiet or a busy machine.
The time cap (``time_limit_s``) is only a safety net; when it bites the plan says so
(``EveningPlan.timed_out``).

Modules
-------
:mod:`~geo.evening.settings` (:class:`EveningSettings`), :mod:`~geo.evening.beat_network` (the
beat's walking network), :mod:`~geo.evening.problem` (households, doors and the matrix),
:mod:`~geo.evening.search` (one round), :mod:`~geo.evening.legs` (walks on the network),
:mod:`~geo.evening.plan` (:func:`plan_evening`), :mod:`~geo.evening.campaign`
(:func:`plan_campaign`). Recording a visit lives with the store (:func:`geo.visits.record_visit`).
"""

from geo.evening.beat_network import BeatNetwork, beat_network
from geo.evening.campaign import CAMPAIGN_ITERS, CampaignPlan, Evening, plan_campaign
from geo.evening.legs import Leg, network_legs
from geo.evening.plan import EveningPlan, plan_evening
from geo.evening.problem import household_prizes, officer_beat
from geo.evening.settings import DONE_STATUS, DOOR_CAP, TICK_FIELDS, EveningSettings
from geo.visits import record_visit

__all__ = [
    "CAMPAIGN_ITERS",
    "DONE_STATUS",
    "DOOR_CAP",
    "TICK_FIELDS",
    "BeatNetwork",
    "CampaignPlan",
    "Evening",
    "EveningPlan",
    "EveningSettings",
    "Leg",
    "beat_network",
    "household_prizes",
    "network_legs",
    "officer_beat",
    "plan_campaign",
    "plan_evening",
    "record_visit",
]
