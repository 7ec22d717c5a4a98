"""H1's design tables in ``results/tables/``: act-source coverage and the country list of every
H1 estimate (issue 14).

- ``h1_coverage.{csv,md}``: per norm and act source, the countries it records acts in and the
  years it covers (:func:`analysis.hypotheses.h1_panel.source_coverage`; the rule is in its docstring
  and the README's H1 section), with the countries where the nation violated the norm in a
  covered year marked (``opportunity_years``: covered years in which the nation was outside
  Paris / a nuclear-weapon state or NATO member).
- ``h1_countries.{csv,md}``: for every H1 estimate, its countries and each one's share of the
  acts (from the fit job's ``figdata/country_shares.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core import markdown
from analysis.core.tableio import read_table
from analysis.hypotheses.h1_acts import CLIMATE, PEACE, national_table
from analysis.hypotheses.h1_panel import source_coverage

COVERAGE_NOTE = (
    "A source covers a country in a year when it records at least one act of any kind in a "
    "city of that country (any year) and the year lies in the span of its dated acts of that "
    "norm. Models on the climate and peace norms keep only covered country-years "
    "(covered_climate, covered_peace); climate_all_countries and pooled_universe control for "
    "coverage instead."
)


def _opportunity_years(nat: pd.DataFrame, norm: str) -> pd.DataFrame:
    """(country_iso3, year) where the nation violated `norm` (year-end flags, 2017 on for
    Paris; the US from 2017 through 2021 as in :func:`analysis.hypotheses.h1_panel.defiance_panel`).
    `nat` is :func:`national_table` of city_year with its index reset."""
    if norm == CLIMATE:
        hit = nat["paris_outside"].eq(1) & nat["year"].ge(2017)
        hit |= nat["country_iso3"].eq("USA") & nat["year"].between(2017, 2021)
    else:
        hit = nat["nuclear_weapons_state"].eq(1) | nat["nato_member"].eq(1)
    return nat.loc[hit.fillna(False).astype(bool), ["country_iso3", "year"]]


def coverage_table(acts: pd.DataFrame, city_year: pd.DataFrame) -> pd.DataFrame:
    """:func:`source_coverage` plus ``opportunity_years``: covered years (within city_year's
    years) in which the country violated the norm, e.g. ``2017-2020``; empty when none."""
    cov = source_coverage(acts, city_year)
    # The national table of ~150k city-years is built once, not once per coverage row.
    nat = national_table(city_year).reset_index()
    opportunity = {norm: _opportunity_years(nat, norm) for norm in sorted(set(cov["norm"]))}
    spans = []
    for r in cov.itertuples(index=False):
        opp = opportunity[r.norm]
        years = sorted(
            opp.loc[
                opp["country_iso3"].eq(r.country_iso3)
                & opp["year"].between(r.first_year, r.last_year),
                "year",
            ].tolist()
        )
        spans.append(_span_text(years))
    return cov.assign(opportunity_years=spans)


def _span_text(years: list[int]) -> str:
    """[2017, 2018, 2019, 2021] -> '2017-2019, 2021'."""
    out: list[str] = []
    for y in years:
        if out and y == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{y}"
        else:
            out.append(str(y))
    return ", ".join(out)


def coverage_markdown(cov: pd.DataFrame) -> str:
    """Per norm and source: years, scope, countries (those with a covered opportunity first)."""
    lines = ["# H1: what each act source could record", "", COVERAGE_NOTE, ""]
    rows = []
    for (norm, src), g in cov.groupby(["norm", "source"], sort=True):
        opp = g[g["opportunity_years"].ne("")]
        rows.append(
            {
                "norm": norm,
                "source": src,
                "years": f"{g['first_year'].iloc[0]}-{g['last_year'].iloc[0]}",
                "countries": str(len(g)),
                "countries violating the norm in covered years": ", ".join(
                    f"{r.country_iso3} ({r.opportunity_years})" for r in opp.itertuples()
                )
                or "none",
                "scope (SOURCES)": g["scope"].iloc[0],
            }
        )
    lines.append(markdown.table(pd.DataFrame(rows)))
    lines += ["", "Countries per source (acts of any kind recorded there):", ""]
    for (norm, src), g in cov.groupby(["norm", "source"], sort=True):
        lines.append(f"- {norm}, {src}: " + ", ".join(g["country_iso3"]))
    return "\n".join(lines) + "\n"


def countries_markdown(shares: pd.DataFrame) -> str:
    """One block per H1 model: countries with acts and their shares, then the rest."""
    lines = [
        "# H1: the countries behind every estimate",
        "",
        "Countries of each model's estimation sample, with their acts and share of the acts "
        "(units: cities, or country-years for the country-year models).",
        "",
    ]
    for model, g in shares.groupby("model", sort=False):
        with_acts = g[g["acts"] > 0]
        rest = g[g["acts"] == 0]["country_iso3"].tolist()
        lines.append(f"## {model} ({len(g)} countries, {int(g['acts'].sum())} acts)")
        lines.append("")
        if len(with_acts):
            t = pd.DataFrame(
                {
                    "country": with_acts["country_iso3"],
                    "units": with_acts["units"].map("{:,}".format),
                    "acts": with_acts["acts"].map("{:,}".format),
                    "share of acts": with_acts["share_acts"].map("{:.1%}".format),
                    "V-Dem (mean)": with_acts["v2x_polyarchy"].map("{:.2f}".format),
                }
            )
            lines.append(markdown.table(t))
        lines.append(f"Countries without acts: {', '.join(rest) if rest else 'none'}.")
        lines.append("")
    return "\n".join(lines)


def write_h1_tables(data_dir: Path, figdata_dir: Path, out_dir: Path) -> list[Path]:
    """Write ``h1_coverage`` and ``h1_countries`` (csv + md) to `out_dir`."""
    acts = read_table(data_dir / "acts.parquet")
    cy = read_table(
        data_dir / "city_year.parquet",
        columns=[
            "city_id",
            "year",
            "country_iso3",
            "paris_outside",
            "nuclear_weapons_state",
            "nato_member",
            "v2x_regime",
        ],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    cov = coverage_table(acts, cy)
    shares = pd.read_csv(figdata_dir / "country_shares.csv", keep_default_na=False)
    paths = [out_dir / f"h1_{n}.{e}" for n in ("coverage", "countries") for e in ("csv", "md")]
    cov.to_csv(paths[0], index=False, lineterminator="\n")
    paths[1].write_text(coverage_markdown(cov), encoding="utf-8")
    shares.to_csv(paths[2], index=False, lineterminator="\n")
    paths[3].write_text(countries_markdown(shares), encoding="utf-8")
    return paths


__all__ = ["PEACE", "coverage_table", "write_h1_tables"]
