"""Assembly on small synthetic interim tables: counts, drops and panel logic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import PipelineError
from analysis.panel.assemble import (
    PanelSpec,
    build_country_year,
    dyad_degree,
    network_aliases,
    network_scopes,
    run_assembly,
    scope_of,
)
from analysis.panel.coverage import multi_source_pairs, unique_pairs

CITIES = pd.DataFrame(
    {
        "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "iso3": ["AAA", "AAA", "BBB", "BBB", "BBB"],
        "admin1_code": ["AA.01", "AA.02", "BB.01", "BB.01", "BB.01"],
        "population": [1_000_000, 50_000, 400_000, 20_000, 10_000],
        "lat": [1.0, 2.0, 3.0, 4.0, 5.0],
        "lon": [1.0, 2.0, 3.0, 4.0, 5.0],
    },
    index=pd.Index([1, 2, 3, 4, 5], name="geonameid"),
)
SPEC = PanelSpec(
    2000,
    2005,
    300_000,
    50_000,
    attribute_sources=("pop_only",),
    country_columns=("v2x_polyarchy",),
    city_measures=("gawc_gnc_2020", "embassies_2022"),
)


def joins() -> pd.DataFrame:
    rows = [
        ("s1:a", "s1", 1, "AA.01", "exact", False),
        ("s1:b", "s1", 2, "AA.02", "exact", False),
        ("s1:region", "s1", None, "AA.01", "admin1", False),
        ("s1:group", "s1", None, "", "group", True),
        ("s1:nomatch", "s1", None, "", "unmatched", False),
        ("s2:a", "s2", 1, "AA.01", "fuzzy", False),
        ("s2:d", "s2", 4, "BB.01", "exact", False),
        ("pop_only:e", "pop_only", 5, "BB.01", "exact", False),
    ]
    df = pd.DataFrame(
        rows, columns=["mention_id", "source", "city_id", "admin1_code", "method", "is_group"]
    )
    df["city_id"] = df["city_id"].astype("Int64")
    df["distance_km"] = np.nan
    return df


def write(tmp_path, source, table, df):
    path = tmp_path / "interim" / source / f"{table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False)
    return path


def year(values):
    return pd.array(values, dtype="Int64")


@pytest.fixture
def interim(tmp_path, monkeypatch):
    scopes = tmp_path / "networks.csv"
    scopes.write_text("network,scope,note\nnet1,transnational,x\nnet2,national_programme,y\n")
    monkeypatch.setattr("analysis.panel.assemble.NETWORK_SCOPES_FILE", scopes)
    paths = [
        write(
            tmp_path,
            "s1",
            "memberships",
            pd.DataFrame(
                {
                    "mention_id": ["s1:a", "s1:a", "s1:b", "s1:region", "s1:group", "s1:nomatch"],
                    "network": ["net1", "net2", "net1", "net1", "net1", "net1"],
                    "network_type": [
                        "climate",
                        "peace",
                        "climate",
                        "climate",
                        "climate",
                        "climate",
                    ],
                    "join_year": year([2001, None, 1995, 2001, 2001, 2001]),
                    "observed_year": year([2020, 2003, 2020, 2020, 2020, 2020]),
                    "source_label": ["x"] * 6,
                }
            ),
        ),
        # The same city joins net1 again in another source, later: the earliest year counts.
        write(
            tmp_path,
            "s2",
            "memberships",
            pd.DataFrame(
                {
                    "mention_id": ["s2:a"],
                    "network": ["net1"],
                    "network_type": ["climate"],
                    "join_year": year([2004]),
                    "observed_year": year([2020]),
                    "source_label": ["y"],
                }
            ),
        ),
        write(
            tmp_path,
            "s1",
            "acts",
            pd.DataFrame(
                {
                    "mention_id": ["s1:a", "s1:b", "s1:nomatch"],
                    "act": ["decl", "tie", "decl"],
                    "act_class": ["normative", "economic", "normative"],
                    "date": pd.to_datetime(["2002-05-01", None, None]),
                    "year": year([2002, None, 2002]),
                }
            ),
        ),
        write(
            tmp_path,
            "s2",
            "dyads",
            pd.DataFrame(
                {
                    "mention_id_a": ["s2:a", "s2:d", "s2:a"],
                    "mention_id_b": ["s2:d", "s2:a", "s2:a"],
                    "tie_type": ["sister_city"] * 3,
                    "year": year([None, None, None]),
                }
            ),
        ),
        write(
            tmp_path,
            "s2",
            "city_measures",
            pd.DataFrame(
                {
                    "mention_id": ["s2:a", "s2:a", "s2:a", "s2:d", "s1:a"],
                    "measure": [
                        "gawc_gnc_2020",
                        "wup_pop",
                        "wup_pop",
                        "embassies_2022",
                        "embassies_2022",
                    ],
                    "year": year([2020, 2000, 2005, 2022, 2022]),
                    "value": [0.5, 1000.0, 1500.0, 3.0, 2.0],
                }
            ),
        ),
        # A population-only source: city 5 gets no panel rows from it.
        write(
            tmp_path,
            "pop_only",
            "city_measures",
            pd.DataFrame(
                {
                    "mention_id": ["pop_only:e"],
                    "measure": ["wup_pop"],
                    "year": year([2000]),
                    "value": [10_000.0],
                }
            ),
        ),
        write(
            tmp_path,
            "c1",
            "country_year",
            pd.DataFrame(
                {
                    "country_iso3": ["AAA", "BBB"],
                    "year": year([2002, 2002]),
                    "v2x_polyarchy": [0.8, 0.2],
                }
            ),
        ),
    ]
    return paths


def test_assembly_counts_and_drops(interim):
    tables, audit = run_assembly(interim, joins(), CITIES, SPEC)
    cy = tables["city_year"].set_index(["city_id", "year"])
    # Universe: matched cities 1, 2, 4 plus city 3 (>= 300k, never mentioned); not city 5,
    # which only an attribute source (population) names.
    assert sorted(cy.index.get_level_values(0).unique()) == [1, 2, 3, 4]
    assert len(cy) == 4 * 6
    # City 1: net1 joined 2001 (earliest across sources), net2 undated, observed 2003.
    assert cy.loc[(1, 2000), "n_networks"] == 0
    assert cy.loc[(1, 2001), "n_networks"] == 1
    assert cy.loc[(1, 2003), "n_networks"] == 2
    assert cy.loc[(1, 2005), "n_networks_dated"] == 1
    assert cy.loc[(1, 2005), "n_networks_peace"] == 1
    # Scopes (analysis/data/networks.csv): net1 transnational, net2 a national programme.
    assert cy.loc[(1, 2005), "n_networks_transnational"] == 1
    assert cy.loc[(1, 2005), "n_networks_national_programme"] == 1
    assert cy.loc[(1, 2005), "n_networks_reporting_platform"] == 0
    # City 2 joined in 1995, before the panel: counted from the first panel year.
    assert cy.loc[(2, 2000), "n_networks"] == 1
    assert cy.loc[(1, 2002), "acts_normative"] == 1 and cy.loc[(1, 2003), "acts_normative"] == 0
    assert cy.loc[(2, 2000), "acts_undated"] == 1
    # Embassies add up per city; population interpolates between WUP points.
    assert cy.loc[(1, 2000), "embassies_2022"] == 2.0 and cy.loc[(4, 2000), "embassies_2022"] == 3.0
    assert cy.loc[(1, 2002), "pop"] == pytest.approx(1200.0)
    assert cy.loc[(1, 2002), "pop_source"] == "wup"
    assert cy.loc[(3, 2002), "pop"] == 400_000 and cy.loc[(3, 2002), "pop_source"] == "geonames"
    assert cy.loc[(1, 2002), "log_pop"] == pytest.approx(np.log(1200.0))
    assert cy.loc[(1, 2002), "v2x_polyarchy"] == 0.8 and np.isnan(
        cy.loc[(1, 2003), "v2x_polyarchy"]
    )
    # One tie between cities 1 and 4 (duplicate reversed, self-tie dropped).
    assert len(tables["dyads"]) == 1
    assert (
        cy.loc[(1, 2000), "sister_city_degree"] == 1
        and cy.loc[(2, 2000), "sister_city_degree"] == 0
    )
    assert not cy.index.duplicated().any()

    rows = audit.to_frame().set_index(["step", "reason"])
    assert rows.loc[("memberships", "mention is a region, not a city"), "rows_dropped"] == 1
    assert rows.loc[("memberships", "group signatory, not one city"), "rows_dropped"] == 1
    assert rows.loc[("memberships", "mention not matched to a city"), "rows_dropped"] == 1
    assert rows.loc[("dyads_dedupe", "duplicate tie"), "rows_dropped"] == 1
    assert rows.loc[("dyads_dedupe", "both ends are the same city"), "rows_dropped"] == 1

    m = tables["memberships"]
    assert m.duplicated(["city_id", "network", "source"]).sum() == 0
    assert m.set_index(["city_id", "network", "source"]).loc[(1, "net1", "s1"), "join_year"] == 2001
    assert set(m["network_scope"]) == {"transnational", "national_programme"}


def test_unknown_mention_is_an_error(interim, tmp_path):
    extra = write(
        tmp_path,
        "s3",
        "acts",
        pd.DataFrame(
            {
                "mention_id": ["s3:ghost"],
                "act": ["decl"],
                "act_class": ["normative"],
                "date": pd.to_datetime([None]),
                "year": year([None]),
            }
        ),
    )
    with pytest.raises(PipelineError, match="s3:ghost"):
        run_assembly([*interim, extra], joins(), CITIES, SPEC)


def test_country_year_column_clash_is_an_error():
    a = pd.DataFrame({"country_iso3": ["AAA"], "year": [2000], "x": [1.0]})
    with pytest.raises(PipelineError, match="'x' comes from a and b"):
        build_country_year({"a": a, "b": a.copy()})


def test_unclassified_network_stops_assembly():
    with pytest.raises(PipelineError, match="no scope for network"):
        scope_of(pd.Series(["c40", "brand_new_network"]))


def test_every_registered_network_has_a_reviewed_scope():
    """Every network key a parser can emit (after aliases) is classified in networks.csv."""
    from analysis.sources.climactor import NETWORKS
    from analysis.sources.etmun import ETMUN_NETWORKS

    aliases = network_aliases()
    keys = {*NETWORKS, *(n.network for n in ETMUN_NETWORKS.values()), "urbact"}
    scopes = scope_of(pd.Series(sorted({aliases.get(k, k) for k in keys})))
    assert set(scopes) <= {"transnational", "national_programme", "reporting_platform"}
    named = network_scopes()
    # The essay's examples, typed as the essay types them.
    for k in ("c40", "iclei", "gcom", "eurocities", "iampc", "climate_alliance"):
        assert named[k] == "transnational", k
    for k in ("climate_mayors", "we_are_still_in", "japan_zero_carbon_city", "appc"):
        assert named[k] == "national_programme", k
    for k in ("cdp", "nazca", "carbonn"):
        assert named[k] == "reporting_platform", k


def test_dyad_degree_and_pairs_count_a_pair_once():
    dy = pd.DataFrame(
        {"city_a": [1, 1, 1, 2], "city_b": [2, 2, 3, 3],
         "tie_type": ["sister_city", "twinning", "sister_city", "twinning"]}
    )  # fmt: skip
    assert dyad_degree(dy).to_dict() == {1: 2, 2: 2, 3: 2}
    assert unique_pairs(dy) == 3 and multi_source_pairs(dy) == 1


def test_codebook_counts_unique_pairs_beside_rows():
    from analysis.panel.codebook import _extra_counts

    dy = pd.DataFrame({"city_a": [1, 1, 1], "city_b": [2, 2, 3]})
    assert _extra_counts("dyads", dy) == (
        " (2 unique city pairs; 1 pairs listed by both tie types)"
    )
    assert _extra_counts("memberships", dy) == ""


@pytest.mark.pipeline
def test_real_degree_counts_each_unique_pair_once(pipeline_results):
    """Sister-city degree sums to twice the unique pairs, not twice the dyad rows (861 pairs
    are listed by both the Wikipedia and the Baltic sources)."""
    data = pipeline_results / "data"
    dyads = pd.read_parquet(data / "dyads.parquet")
    cy = pd.read_parquet(data / "city_year.parquet", columns=["year", "sister_city_degree"])
    degree_sum = int(cy.loc[cy["year"] == cy["year"].max(), "sister_city_degree"].sum())
    assert degree_sum == 2 * unique_pairs(dyads) < 2 * len(dyads)


def test_attach_cities_indexes_each_joins_frame_it_is_given():
    """The mention index is kept between calls for the same joins frame only: a second
    frame, or the first one again, maps by its own rows."""
    from analysis.core.audit import RowAudit
    from analysis.panel.cityjoin import attach_cities

    def joins(city_of_m1: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "mention_id": pd.array(["m1", "m2", "m3"], dtype="str"),
                "city_id": pd.array([city_of_m1, 7, None], dtype="Int64"),
                "is_group": [False, False, True],
                "method": pd.array(["exact", "exact", "unmatched"], dtype="str"),
            }
        )

    table = pd.DataFrame({"mention_id": ["m3", "m1", "m2"], "x": [1, 2, 3]})
    first, second = joins(5), joins(6)
    got = [
        attach_cities(table, j, RowAudit("test"), "step")["city_id"].tolist()
        for j in (first, second, first, first)
    ]
    assert got == [[5, 7], [6, 7], [5, 7], [5, 7]]
