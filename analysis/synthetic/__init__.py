"""Synthetic data with planted truths: model frames whose estimators must recover what was put
in, and noisy city mentions for the matcher.

Modules: :mod:`.world` (the shared city world and draws), :mod:`.truths` (planted slopes),
:mod:`.cities` (H2, H5), :mod:`.h1`, :mod:`.us` (H3, H4), :mod:`.scale` (benchmark panels),
:mod:`.standardize` (truths under ``std(x)``), :mod:`.mentions` (matcher input).

Each generator draws a frame whose columns carry the names of a real model frame
(``h2_cities``, ``h1_defiance``, ``h1_composition``, ``h3_event``, ``h4_cities``, ``h5_cities``),
so a spec written for the real data (:mod:`analysis.models.spec`) runs on it, and returns the
coefficients it planted (:class:`Planted`). Every function takes ``seed`` and draws from one
``numpy.random.default_rng(seed)`` in a fixed order: the same arguments give the same frame.

Truth keys are spec term names exactly as a spec writes them: plain columns
(``"v2x_polyarchy"``, ``"log1p_gawc_gnc_2020"``) and ``"a:b"`` interactions
(``"china_mainland:log1p_gawc_gnc_2020"``), with the factors in the order given here. Values are
on the model's link scale: log rate for counts, log odds for 0/1 outcomes and shares, levels
for continuous outcomes. Only slopes are truths: intercepts, fixed and random effects are not
(what a fit reports for them depends on the model). Terms with ``std(x)`` depend on the
estimation sample's mean and SD; :func:`restandardize` turns a truth into theirs.

Design choices that keep the planted slopes identified and their errors honest:

- City designs (H2, H5, H1) have a country random effect (``country_sd``) and a first-level
  region random effect (``region_sd``, column ``admin1_code``), both independent of every
  regressor and entering count outcomes only (logit coefficients are not collapsible over an
  omitted random effect). Cluster by ``country_iso3``.
- Mainland China (``CHN``, 30 provinces) is one country: its country effect is 0 so that
  ``china_mainland`` recovers exactly the planted shift. Clustered by country, China terms rest
  on one cluster whose residuals their own first-order conditions sum to zero, so their
  standard errors are not usable; cluster China terms by ``admin1_code`` (as the real H5 spec
  does), which is valid for them because China has no country effect.
- Every planted China term is part of the index: a model that omits ``china_mainland`` (and
  the interaction, where planted) is misspecified and biases the national covariates, because
  China is one low-democracy country with a large shift.
- Several outcomes may share a frame (``Planted.truths`` maps each to its truths); each is drawn
  independently from its own index (``any_defiance`` is its own logit draw, not
  ``defiance_acts > 0``, so both the Poisson and the logit are correctly specified).
"""

from .cities import h2_cities, h5_dyads, h5_sister_cities
from .h1 import h1_composition, h1_defiance
from .mentions import MENTIONS_SEED, synthetic_mentions
from .scale import scale_panel
from .standardize import restandardize
from .truths import (
    H1_COMPOSITION_TRUTH,
    H1_DEFIANCE_TRUTH,
    H1_LOGIT_TRUTH,
    H2_C40_TRUTH,
    H2_NETWORKS_TRUTH,
    H3_COUNT_SCALE,
    H4_TRUTH,
    H5_DYAD_TRUTH,
    H5_TRUTH,
    SCALE_COUNT_SCALE,
    SCALE_TRUTH,
)
from .us import US_STATES, h3_event_study, h3_profile, h4_us_cities, rel_name
from .world import CHINA, GAWC, Planted

__all__ = [
    "CHINA",
    "GAWC",
    "H1_COMPOSITION_TRUTH",
    "H1_DEFIANCE_TRUTH",
    "H1_LOGIT_TRUTH",
    "H2_C40_TRUTH",
    "H2_NETWORKS_TRUTH",
    "H3_COUNT_SCALE",
    "H4_TRUTH",
    "H5_DYAD_TRUTH",
    "H5_TRUTH",
    "MENTIONS_SEED",
    "SCALE_COUNT_SCALE",
    "SCALE_TRUTH",
    "US_STATES",
    "Planted",
    "h1_composition",
    "h1_defiance",
    "h2_cities",
    "h3_event_study",
    "h3_profile",
    "h4_us_cities",
    "h5_dyads",
    "h5_sister_cities",
    "rel_name",
    "restandardize",
    "scale_panel",
    "synthetic_mentions",
]
