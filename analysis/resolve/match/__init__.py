"""Match city mentions of any source to GeoNames ids, with an audit trail per mention.

Modules, one job each, carried by one `state.MatchState` per pass: `naming` (a name's
keys, qualifier and group members), `regions` (region and area mentions, qualifier
hints), `candidates` (gazetteer places of a name's keys; groups), `ranking` (the best
candidate per pair or row), `fuzzy` (rapidfuzz on names no key matched), `nearest` (the
fallback by coordinates), `review` (the coordinate review below), `audit` (the output
columns and reasons) and `driver` (the order of it all).

Order of methods, always inside the mention's country block:
  exact      normalized name equals a place's primary name
  alternate  ... equals an alternate name, or a name stripped of affixes / "city"
  fuzzy      rapidfuzz score >= threshold against the country's names (only names that
             failed every exact key; scored once per distinct name)
  nearest    the source has coordinates and the name failed: the most populous place
             within `nearest_km` (so an embassy labelled "Chaoyang District" rolls up to
             Beijing rather than to a tiny neighbouring locality). Not when the name is
             that of exactly one place of the country, beyond `max_km`: name and point
             then disagree, and the nearest place is mostly another town (Karlsruhe
             geocoded in Remscheid); unless the name's qualifier names the nearest place
             ("Tiexi (Shenyang)"). Not for a point repaired by `analysis.resolve.geo` either.
  admin1     regions (entity_type Region/State/Province) resolve to "CC.code", not cities
  group      a list of places ("Alkmaar, Bergen, Castricum, Heiloo"): flagged, no city_id
  unmatched  with a reason
Among candidates for the same key: a bracket/comma qualifier naming the admin1 ("Portland
(Oregon)", "Portland, ME") first, then name kind (primary < alternate < derived), then
distance when the source has coordinates (beyond `max_km` is rejected) or else
population. A much larger place under a weaker name kind wins (population_override): the
city proper beats a small town or district whose primary name is the city's alternate
("Baroda" in India is Vadodara, 1.8M, not the town Baroda, 18k; see ranking._OVERRIDE_MAX_POP).

Coordinate review (after the passes above; `review.review_coordinates`). The matching stage has
already checked every point against the places of its country (`analysis.resolve.geo`); here the
name is the evidence. The output column `coord_fix` carries the stage's value or one of
the first two outcomes below; `reason` explains the last two for matched rows too:
  degrees_minutes  the name matched beyond 25 km (or only beyond max_km), and the point
             read as degrees.minutes (54.35 -> 54°35') lies within 5 km of a place of
             the name (GCoM's Italian signatories): that place, at the decoded distance
  dropped    the name matched only beyond max_km and the point is no evidence against
             it: it lies at a namesake abroad (Essen, Belgium at Essen, Germany), or
             abroad among another country's places, or in another region than the
             name's own qualifier ("Adams, MA" placed in Colorado), or it is a geo repair
             the name does not confirm: matched by name alone (distance missing)
  territory  the name has no place near the point in the stated country but one in a
             territory sources list under it (`geo.RELATED_COUNTRIES`: Saint-Denis,
             France on Réunion; Pristina under Serbia): that place (reason says so)
`sole_name_rescue=True` (off by default) also matches by name alone a row whose name is
that of one place of the country, beyond max_km, when the source's population is within
1/3 to 5 times the place's; it helps sources with sloppy points (ClimActor, GCoM) and hurts
gazetteer-like sources listing every village (simplemaps), so it is per-source.
"""

from analysis.resolve.match.audit import OUTPUT_COLUMNS, audit_columns
from analysis.resolve.match.driver import expand_groups, match_cities, match_cities_arrays
from analysis.resolve.match.naming import Plan, plan
from analysis.resolve.match.regions import AREA_TYPES, REGION_TYPES
from analysis.resolve.match.review import REPAIRED_FIXES
from analysis.resolve.match.state import RESULT_KEYS, open_city_rows

__all__ = [
    "AREA_TYPES",
    "OUTPUT_COLUMNS",
    "REGION_TYPES",
    "REPAIRED_FIXES",
    "RESULT_KEYS",
    "Plan",
    "audit_columns",
    "expand_groups",
    "match_cities",
    "match_cities_arrays",
    "open_city_rows",
    "plan",
]
