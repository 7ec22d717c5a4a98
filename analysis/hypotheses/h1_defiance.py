"""H1: democracy enables local defiance; autocracy harnesses city diplomacy.

The hypothesis module: the frames its spec names (city-years, country-years, tie composition,
built from :mod:`analysis.hypotheses.h1_acts` and :mod:`analysis.hypotheses.h1_panel`), the
data of its figures and the figures themselves (the interface of :mod:`analysis.hypotheses`).
H1's design tables are in :mod:`analysis.hypotheses.h1_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from analysis.hypotheses.figdata import Frames, _curve, _focal_rows, _need, _read
from analysis.hypotheses.h1_acts import COMPOSITION_YEAR, defiance_acts
from analysis.hypotheses.h1_panel import (
    EUROPE,
    country_year_rates,
    coverage_flags,
    defiance_panel,
    source_coverage,
    tie_composition,
    universe_columns,
)
from analysis.models.estimate import FitResult
from analysis.models.framedef import FrameDef, build_once
from analysis.models.spec import HypothesisSpec
from analysis.resolve.countries import region_of

HYPOTHESIS = "h1"

#: The sources line of H1's figures (its specification curve's too).
SOURCES = (
    "Sources: GCoM, ETMUN, CEDAMIA, GPM (acts); V-Dem v15, Polity5, Freedom House, "
    "LIED, BMR (regimes); UN Treaty Collection (Paris); OWID (nuclear states, NATO)."
)


def build_h1_defiance(t: Mapping[str, pd.DataFrame], h1_min_population: int) -> pd.DataFrame:
    """City-years with defiance-act counts and the nation's norm violations (H1)."""
    acts, _audit = defiance_acts(t["acts"], t["city_year"])
    panel = defiance_panel(t["city_year"], acts, min_population=h1_min_population)
    panel["region"] = region_of(panel["country_iso3"])
    panel = universe_columns(panel, t["city_year"])
    panel = coverage_flags(panel, source_coverage(t["acts"], t["city_year"]))
    return panel.sort_values(["city_id", "year"]).reset_index(drop=True)


def build_h1_country_year(t: Mapping[str, pd.DataFrame], h1_min_population: int) -> pd.DataFrame:
    """Country-years of the GHSL universe: defiance acts per 1,000 urban-centre cities (H1)."""
    panel = build_once(build_h1_defiance, t, h1_min_population=h1_min_population)
    cy = country_year_rates(panel)
    cy["region"] = region_of(cy["country_iso3"])
    return cy.sort_values(["country_iso3", "year"]).reset_index(drop=True)


def build_h1_composition(t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cities with at least one international tie: the normative share of their ties (H1)."""
    comp = tie_composition(t["city_year"], t["memberships"], t["dyads"], year=COMPOSITION_YEAR)
    comp["region"] = region_of(comp["country_iso3"])
    # Most normative ties come from EU programmes: a Europe indicator for the composition test.
    comp["europe"] = comp["region"].eq(EUROPE).astype("int8").astype("Int8")
    return comp.sort_values("city_id").reset_index(drop=True)


FRAMES: dict[str, FrameDef] = {
    "h1_defiance": FrameDef(
        ("city_year", "acts"),
        build_h1_defiance,
        ("city_id", "year"),
        "city-years",
        options=("h1_min_population",),
    ),
    "h1_country_year": FrameDef(
        ("city_year", "acts"),
        build_h1_country_year,
        ("country_iso3", "year"),
        "country-years",
        options=("h1_min_population",),
    ),
    "h1_composition": FrameDef(
        ("city_year", "memberships", "dyads"), build_h1_composition, ("city_id",), "cities"
    ),
}


#: H1 models whose estimation sample gets a country list with each country's share of acts
#: (``country_shares``), and the column that counts the acts in each model's frame.
H1_SHARE_MODELS = (
    "climate",
    "peace",
    "climate_lpm",
    "peace_lpm",
    "climate_all_countries",
    "pooled_universe",
    "climate_logit",
    "cy_climate",
    "cy_climate_fe",
    "cy_peace",
    "vdem",
)
H1_DEFIANCE_FRAMES = ("h1_defiance", "h1_country_year")
H1_ACT_COLUMNS = {
    "climate_per_1000": "climate_acts",
    "peace_per_1000": "peace_acts",
    "any_defiance_climate": "defiance_climate",
    "any_defiance_peace": "defiance_peace",
    "any_defiance": "defiance_acts",
}


def h1_country_shares(
    spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]
) -> pd.DataFrame:
    """Country list and share of acts of every H1 defiance estimate: the models of
    :data:`H1_SHARE_MODELS`, then every other model on a frame of :data:`H1_DEFIANCE_FRAMES`."""
    parts = []
    # The listed models first, then every other model on a defiance frame (spec order).
    names = [n for n in H1_SHARE_MODELS if n in results]
    names += [
        n
        for n in results
        if n not in names and spec.frame_of(results[n].spec) in H1_DEFIANCE_FRAMES
    ]
    for name in names:
        res = results[name]
        frame = frames[spec.frame_of(res.spec)]
        s = frame.loc[res.design.y.index]
        acts_col = H1_ACT_COLUMNS.get(res.spec.outcome, res.spec.outcome)
        unit = "city_id" if "city_id" in s.columns else "year"
        g = s.groupby("country_iso3", sort=True)
        t = pd.DataFrame(
            {
                "units": g[unit].nunique() if unit == "city_id" else g.size(),
                "rows": g.size(),
                "acts": g[acts_col].sum().astype("int64"),
                "v2x_polyarchy": g["v2x_polyarchy"].mean(),
            }
        )
        total = int(t["acts"].sum())
        t["share_acts"] = t["acts"] / total if total else 0.0
        t = t.reset_index().sort_values(["acts", "country_iso3"], ascending=[False, True])
        t.insert(0, "model", name)
        t.insert(1, "unit", "cities" if unit == "city_id" else "country-years")
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def figure_data(
    spec: HypothesisSpec, frames: Frames, results: dict[str, FitResult]
) -> dict[str, pd.DataFrame]:
    res = _need(results, "climate_logit", "h1")
    frame = frames[spec.frame_of(res.spec)]
    s = frame.loc[res.design.y.index]
    out = {"democracy_margins": _curve(res, frame, "v2x_polyarchy", s["v2x_polyarchy"])}
    rows = []
    for name, norm in (("climate", "climate"), ("peace", "peace")):
        main = _need(results, name, "h1")
        m = frames[spec.frame_of(main.spec)].loc[main.design.y.index]
        g = m.groupby("country_iso3", sort=True)
        t = pd.DataFrame(
            {
                "cities": g["city_id"].nunique(),
                "city_years": g.size(),
                "acts": g[f"defiance_{norm}"].sum().astype("int64"),
                "v2x_polyarchy": g["v2x_polyarchy"].mean(),
                "autocracy": g["v2x_regime"].max().isin([0, 1]),
            }
        )
        t["acts_per_1000_city_years"] = 1000 * t["acts"] / t["city_years"]
        rows.append(t.reset_index().assign(norm=norm))
    by_country = pd.concat(rows, ignore_index=True)
    out["defiance_countries"] = by_country.sort_values(
        ["acts", "norm", "country_iso3"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    out["country_shares"] = h1_country_shares(spec, frames, results)
    comp = _need(results, "composition", "h1")
    c = frames[spec.frame_of(comp.spec)].loc[comp.design.y.index]
    group = np.where(c["china_mainland"] == 1, "Mainland China", "Other cities")
    means = c.groupby(group)["normative_share"].agg(["size", "mean", "median"])
    out["composition_means"] = (
        means.rename(columns={"size": "n"}).rename_axis("group").reset_index()
    )
    eu = np.where(c["europe"] == 1, "Europe", "Outside Europe")
    means = c.groupby(eu)["normative_share"].agg(["size", "mean", "median"])
    out["composition_europe"] = (
        means.rename(columns={"size": "n"}).rename_axis("group").reset_index()
    )
    return out


def fig_margins(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    curve = pd.read_csv(models_dir / "figdata/democracy_margins.csv")
    return figures.line_with_band(
        curve,
        out_stem,
        x_label="V-Dem electoral democracy index (0–1)",
        y_label="Probability of a climate defiance act in a city-year",
        title="Democracy and climate defiance on the urban-centre universe (logit, 95% CI)",
        source_note=SOURCES,
    )


def fig_coefs(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    coefs, fit = _read(models_dir)
    models = ["climate", "row", "polity", "fh", "lied", "bmr"]
    rows = _focal_rows(
        coefs, fit, models, "Each model's regime measure (outcome: climate defiance acts)"
    )
    return figures.coef_plot(
        rows,
        ["focal"],
        out_stem,
        title="Democracy and climate defiance across regime measures (urban-centre universe)",
        source_note=SOURCES,
        xlabel="Poisson coefficient per SD of the regime measure (95% CI)",
    )


def fig_countries(models_dir: Path, out_stem: Path, figures: ModuleType) -> list[Path]:
    """Ranked bars: defiance acts per 1,000 city-years by country and norm, autocracies
    highlighted, V-Dem in the label (the countries of the per-norm main models)."""
    d = pd.read_csv(models_dir / "figdata/defiance_countries.csv")
    # Every country of the climate model (zero bars included: the autocracies without an act)
    # and the peace model's countries with an act (its other 31 all have none).
    d = d[(d["acts"] > 0) | (d["norm"] == "climate")]
    bars = pd.DataFrame(
        {
            "name": d["country_iso3"]
            + " "
            + d["norm"]
            + ": V-Dem "
            + d["v2x_polyarchy"].map("{:.2f}".format)
            + ", "
            + d["acts"].astype(str)
            + " acts",
            "value": d["acts_per_1000_city_years"],
            "highlight": d["autocracy"].astype(str).eq("True"),
        }
    )
    return figures.ranked_bars(
        bars,
        out_stem,
        value_label="Defiance acts per 1,000 urban-centre city-years (opportunity, covered)",
        title="Defiance by country and norm (urban centres of 100,000+)",
        source_note=SOURCES + " Universe: GHSL urban centres (GUDD 2020).",
        name_label="",
        highlight_label="Autocracy (V-Dem RoW 0-1)",
        other_label="Democracy",
    )


FIGURES = {
    "h1_democracy_margins": fig_margins,
    "h1_coef_regimes": fig_coefs,
    "h1_countries": fig_countries,
}
