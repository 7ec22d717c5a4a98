"""ClimActor: harmonised climate-network participation of cities and regions, four waves.

ClimActor (Hsu et al. 2020, *Scientific Data* 7:374; Data-Driven EnviroLab) lists subnational
actors with the semicolon-separated climate initiatives each has joined. It is the widest
membership source of the project (H2 network counts and C40; H3/H4 flags for We Are Still In
and Climate Mayors). One spec per wave, all sharing :func:`parse_wave`:

============================  ==========================================================  ====
spec                          file                                                        year
============================  ==========================================================  ====
``climactor_2020``            ``networks/climactor_subnational_contextuals_initcols_Sept2020.csv``  2020
``climactor_2021``            ``climactor/subnational_contextuals_database_Apr2021.csv``   2021
``climactor_2022_sep``        ``climactor/subnational_contextuals_database_Sep2022.csv``   2022
``climactor_2022_dec``        ``networks/climactor_subnational_contextuals_database_Dec2022.csv``  2022
============================  ==========================================================  ====

Not parsed, documented: ``climactor/contextuals.rda`` (the R package's copy of the database)
is unreadable by pyreadr (strings marked UTF-8 hold invalid bytes); the CSV waves carry the
same content. ``climactor/ClimActor_Readme.txt`` is the dataset readme (licence: non-commercial
use only, must cite Hsu et al. 2020; it describes the Sept2020 file list). The
``climactor/country_dict_Oct2023.csv`` dictionary (spelling variants -> ISO3) is not needed:
every wave carries an ISO3 ``iso`` column, which goes through the project's country resolver.

Tables
------
``mentions``
    One per actor: ``mention_id`` = ``<spec>:<name>|<iso>|<entity_type>`` (the name alone is
    not unique: "Madrid" is both a city and a region of ESP). ``raw_name`` = ``name``,
    ``raw_country`` = ``iso``, ``entity_type`` from the ``entity_type`` column (``City`` or
    ``city`` -> city, ``Region`` -> region, missing -> other; anything else raises), ``lat``/
    ``lon`` from ``lat``/``lng``, ``population`` from ``population`` (its ``population_year``
    is not kept). Actors listing no initiative are still mentions (they have no memberships).
``memberships``
    One per (actor, network): ``network``/``network_type`` from :data:`LABEL_NETWORKS`,
    ``observed_year`` = the wave's year, ``join_year`` missing (snapshots carry no join dates),
    ``source_label`` = the raw labels behind the membership, sorted and joined by ``;``
    (e.g. ``EUCovenantofMayors2019;GlobalCovenantofMayors2019`` for ``gcom``).

Initiative labels -> networks
-----------------------------
Each label is stripped and loses a trailing year suffix (``GCoM2022`` -> ``GCoM``,
``CDPCities2018-2019`` -> ``CDPCities``, ``c40_s_deadline_2020`` -> ``c40_s_deadline``); the
stem is looked up in :data:`LABEL_NETWORKS` (one label may name several networks, e.g. the
Swedish ``Klimatkommunerna,Covenant of Mayors,EuroCities,Fossilfritt Sverige, NAZCA``) or in
:data:`LABEL_DROPS` (not a network: dropped with its reason). An unknown stem raises, so a new
wave cannot lose labels silently. Every distinct label of the four waves is covered. Network
keys (type climate unless said; scope in :data:`NETWORKS`):

- Flags used later: ``gcom`` (Global Covenant of Mayors, including the EU Covenant of Mayors,
  its European chapter whose signatories are GCoM signatories; labels GlobalCovenantofMayors,
  GCoM, GCoMEuropeanCommission, GCoMHarmonized, GCoMCDP, EUCovenantofMayors, "Covenant of
  Mayors"), ``c40`` (C40, C40Cities), ``cdp`` (CDP disclosure: CDPCities, CDP Cities,
  CDPStates&Regions, CDPJRC = CDP responses harmonised with the JRC, States and Regions Annual
  Disclosure), ``iclei`` (ICLEI labels only: very sparse, 1-13 actors a wave), ``climate_mayors``,
  ``we_are_still_in``.
- Other transnational networks and initiatives: ``under2_coalition``, ``race_to_zero``,
  ``cnca`` (Carbon Neutral Cities Alliance), ``wwf_one_planet_city_challenge``,
  ``c40_clean_bus_declaration``, ``c40_zero_waste_declaration``, ``c40_deadline_2020`` (label
  ``c40_s_deadline_2020``: 31 Danish and English municipalities that are not C40 members, so
  not mapped to ``c40``), ``pathways_2050_platform``, ``four_per_1000_initiative``,
  ``bonn_challenge``, ``global_lighting_challenge``, ``cities_regions_5_year_vision``,
  ``clean_air_initiative``, ``climate_neutral_now``, ``ccri``, ``cool_coalition``,
  ``district_energy_accelerator``, ``divest_invest``, ``ecomobility_alliance``, ``globalabc``,
  ``zev_alliance``, ``megacities_alliance_water_climate``,
  ``net_zero_carbon_buildings_commitment``, ``powering_past_coal_alliance``,
  ``uitp_climate_leadership_declaration``, ``regions_adapt``,
  ``building_efficiency_accelerator``, ``new_york_declaration_on_forests``,
  ``cdp_matchmaker``; ``eurocities`` and ``union_of_baltic_cities`` (type general).
- Registries / reporting platforms (scope ``registry``): ``nazca`` (UNFCCC Global Climate Action
  portal; it lists almost every EU Covenant signatory, so it adds one to nearly every European
  count), ``carbonn`` (ICLEI's carbonn Climate Registry: reporting, not ICLEI membership),
  ``compact_of_states_and_regions``; ``cdp`` is also a disclosure platform.
- National programmes (scope ``national``): ``us_climate_alliance`` (label ClimateAlliance: US
  states, plus ClimActor's own mismatch "Nevada, ESP"), ``appc`` (China's Alliance of Peaking
  Pioneer Cities), ``japan_zero_carbon_city`` (JapanMOEZeroCarbonCities, JapanMOE,
  JapanPrefectureSites), ``act_sweden``, ``klimatkommunerna``, ``fossil_free_sweden``,
  ``sveriges_ekokommuner``; ``climate_mayors`` and ``we_are_still_in`` are US initiatives too.
- Dropped (:data:`LABEL_DROPS`): research databases of targets, not networks
  (DDLNetZeroDB, DDLChineseCitiesDB, IGDP, IGDPDDL, WWFJapan: counting them would inflate, e.g.,
  Chinese cities' network counts in H2); source URLs; the junk label ``Region``; empty labels
  from ``;;`` separators. Whole cells ``NA`` mean "no initiative".

Caveats (SOURCES.yaml) and how they are handled
-----------------------------------------------
- No join dates, only source-year tags: ``join_year`` is missing; the tag year stays in
  ``source_label``; ``observed_year`` is the wave's year.
- ``num_commit`` counts records, not distinct networks: not used; memberships are deduplicated
  per (actor, network) ("network listed under several labels").
- Sept2020 initiative 0/1 columns partly duplicate each other (``C40`` vs ``C40Cities2019``):
  both map to ``c40`` and are deduplicated; the 0/1 columns are checked against
  ``initiatives_committed`` and any disagreement raises (the column ``<NA>`` flags the actors
  whose labels are ``NA``).
- Not all Dec2022 actors are in earlier waves; names are not standardised across waves or
  initiatives: each wave is its own source (``mention_id`` prefixed by the spec); the matching
  stage links them to GeoNames.
- Some rows are regions: kept, ``entity_type`` region.
- One line of Sep2022/Dec2022 is not UTF-8: decoded as cp1252 by the reader (per line).
- European Covenant signatories dominate counts: documented; ``gcom`` holds them.
- Apr2021 repeats 6,778 rows verbatim (Sep2022: 5): dropped ("exact duplicate row"). Rows
  that share a key but differ raise (none in the four waves).
- Coordinates outside [-90, 90] x [-180, 180] (Victoria, AUS, has ``lng`` 2017 in 2020/2021)
  become missing (both of the pair); the row is kept. Inconsistent ``country`` labels (Campo
  Grande: ``iso`` ARG, ``country`` United Kingdom) are ignored: ``iso`` is authoritative.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries
from analysis.sources.common.base import (
    MEMBERSHIPS,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
)
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_number,
)

COLUMNS = ["name", "iso", "entity_type", "lat", "lng", "population", "initiatives_committed"]
#: Sept2020 columns before the 0/1 initiative columns.
BASE_COLUMNS_2020 = [
    "name",
    "iso",
    "entity_type",
    "country",
    "region",
    "area",
    "initiatives_committed",
    "num_commit",
    "lat",
    "lng",
    "population",
    "population_year",
    "state",
    "admin_1",
]
NA_FLAG_COLUMN = "<NA>"  # Sept2020: 0/1 column of the actors whose label is "NA"
ENTITY_TYPES = {"city": "city", "region": "region"}

#: (spec name, manifest file, observed year, file has 0/1 initiative columns)
WAVES = [
    (
        "climactor_2020",
        "networks/climactor_subnational_contextuals_initcols_Sept2020.csv",
        2020,
        True,
    ),
    ("climactor_2021", "climactor/subnational_contextuals_database_Apr2021.csv", 2021, False),
    ("climactor_2022_sep", "climactor/subnational_contextuals_database_Sep2022.csv", 2022, False),
    (
        "climactor_2022_dec",
        "networks/climactor_subnational_contextuals_database_Dec2022.csv",
        2022,
        False,
    ),
]

TRANSNATIONAL, NATIONAL, REGISTRY = "transnational", "national", "registry"
#: network key -> (network_type, scope)
NETWORKS: dict[str, tuple[str, str]] = {
    "gcom": ("climate", TRANSNATIONAL),
    "c40": ("climate", TRANSNATIONAL),
    "cdp": ("climate", REGISTRY),
    "iclei": ("climate", TRANSNATIONAL),
    "climate_mayors": ("climate", NATIONAL),
    "we_are_still_in": ("climate", NATIONAL),
    "under2_coalition": ("climate", TRANSNATIONAL),
    "race_to_zero": ("climate", TRANSNATIONAL),
    "cnca": ("climate", TRANSNATIONAL),
    "wwf_one_planet_city_challenge": ("climate", TRANSNATIONAL),
    "c40_clean_bus_declaration": ("climate", TRANSNATIONAL),
    "c40_zero_waste_declaration": ("climate", TRANSNATIONAL),
    "c40_deadline_2020": ("climate", TRANSNATIONAL),
    "pathways_2050_platform": ("climate", TRANSNATIONAL),
    "four_per_1000_initiative": ("climate", TRANSNATIONAL),
    "bonn_challenge": ("climate", TRANSNATIONAL),
    "global_lighting_challenge": ("climate", TRANSNATIONAL),
    "cities_regions_5_year_vision": ("climate", TRANSNATIONAL),
    "clean_air_initiative": ("climate", TRANSNATIONAL),
    "climate_neutral_now": ("climate", TRANSNATIONAL),
    "ccri": ("climate", TRANSNATIONAL),
    "cool_coalition": ("climate", TRANSNATIONAL),
    "district_energy_accelerator": ("climate", TRANSNATIONAL),
    "divest_invest": ("climate", TRANSNATIONAL),
    "ecomobility_alliance": ("climate", TRANSNATIONAL),
    "globalabc": ("climate", TRANSNATIONAL),
    "zev_alliance": ("climate", TRANSNATIONAL),
    "megacities_alliance_water_climate": ("climate", TRANSNATIONAL),
    "net_zero_carbon_buildings_commitment": ("climate", TRANSNATIONAL),
    "powering_past_coal_alliance": ("climate", TRANSNATIONAL),
    "uitp_climate_leadership_declaration": ("climate", TRANSNATIONAL),
    "regions_adapt": ("climate", TRANSNATIONAL),
    "building_efficiency_accelerator": ("climate", TRANSNATIONAL),
    "new_york_declaration_on_forests": ("climate", TRANSNATIONAL),
    "cdp_matchmaker": ("climate", TRANSNATIONAL),
    "eurocities": ("general", TRANSNATIONAL),
    "union_of_baltic_cities": ("general", TRANSNATIONAL),
    "nazca": ("climate", REGISTRY),
    "carbonn": ("climate", REGISTRY),
    "compact_of_states_and_regions": ("climate", REGISTRY),
    "us_climate_alliance": ("climate", NATIONAL),
    "appc": ("climate", NATIONAL),
    "japan_zero_carbon_city": ("climate", NATIONAL),
    "act_sweden": ("climate", NATIONAL),
    "klimatkommunerna": ("climate", NATIONAL),
    "fossil_free_sweden": ("climate", NATIONAL),
    "sveriges_ekokommuner": ("climate", NATIONAL),
}

#: Label stem (label stripped, trailing year removed) -> network keys.
LABEL_NETWORKS: dict[str, tuple[str, ...]] = {
    "GlobalCovenantofMayors": ("gcom",),
    "GlobalCovenantofMayors2019ZCA": ("gcom",),
    "GCoM": ("gcom",),
    "GCoMCDP": ("gcom",),
    "GCoMCDP2020ZCA": ("gcom",),
    "GCoMEuropeanCommission": ("gcom",),
    "GCoMHarmonized": ("gcom",),
    "EUCovenantofMayors": ("gcom",),
    "C40": ("c40",),
    "C40Cities": ("c40",),
    "CDP Cities": ("cdp",),
    "CDPCities": ("cdp",),
    "CDPJRC": ("cdp",),
    "CDPStates&Regions": ("cdp",),
    "States and Regions Annual Disclosure": ("cdp",),
    "ICLEI": ("iclei",),
    "ICLEI - Local Governments for Sustainability": ("iclei",),
    "ClimateMayors": ("climate_mayors",),
    "WeAreStillIn": ("we_are_still_in",),
    "Under2Coalition": ("under2_coalition",),
    "Under2 Coalition": ("under2_coalition",),
    "Race to Zero": ("race_to_zero",),
    "RacetoZero": ("race_to_zero",),
    "Carbon Neutral Cities Alliance": ("cnca",),
    "Carbon Neutral Cities Alliance (CNCA)": ("cnca",),
    "WWF": ("wwf_one_planet_city_challenge",),
    "WWF's One Planet city Challenge 2019 - Unconfirmed countries": (
        "wwf_one_planet_city_challenge",
    ),
    "WWF\u2019s One Planet City Challenge": ("wwf_one_planet_city_challenge",),
    "C40 Clean Bus Declaration/Low emission vehicles": ("c40_clean_bus_declaration",),
    "C40 Zero Waste Declaration": ("c40_zero_waste_declaration",),
    "c40_s_deadline": ("c40_deadline_2020",),
    "2050 Pathways Platform": ("pathways_2050_platform",),
    "4/1000 Initiative - Soils for Food Security and Climate": ("four_per_1000_initiative",),
    "Bonn Challenge": ("bonn_challenge",),
    "CEM: Global Lighting Challenge": ("global_lighting_challenge",),
    "Cities and Regions' 5-year vision": ("cities_regions_5_year_vision",),
    "Clean Air Initiative": ("clean_air_initiative",),
    "Climate Neutral Now": ("climate_neutral_now",),
    "Coalition for Climate Resilient Investment (CCRI)": ("ccri",),
    "Cool Coalition": ("cool_coalition",),
    "District Energy Accelerator": ("district_energy_accelerator",),
    "DivestInvest": ("divest_invest",),
    "EcoMobility Alliance": ("ecomobility_alliance",),
    "Global Alliance for Buildings and Construction (GlobalABC)": ("globalabc",),
    "International Zero-Emission Vehicle Alliance (ZEV Alliance)": ("zev_alliance",),
    "Megacities Alliance for Water and Climate": ("megacities_alliance_water_climate",),
    "Net Zero Carbon Buildings Commitment": ("net_zero_carbon_buildings_commitment",),
    "Powering Past Coal Alliance": ("powering_past_coal_alliance",),
    "Public Transport Declaration on Climate Leadership (UITP)": (
        "uitp_climate_leadership_declaration",
    ),
    "RegionsAdapt": ("regions_adapt",),
    "SEforALL: Building Efficiency Accelerator Platform": ("building_efficiency_accelerator",),
    "The New York Declaration on Forests": ("new_york_declaration_on_forests",),
    "CDP Matchmaker": ("cdp_matchmaker",),
    "Union of the Baltic Cities": ("union_of_baltic_cities",),
    "NAZCA": ("nazca",),
    "Carbonn": ("carbonn",),
    "CompactofStatesRegions": ("compact_of_states_and_regions",),
    "ClimateAlliance": ("us_climate_alliance",),
    "APPC": ("appc",),
    "JapanMOEZeroCarbonCities": ("japan_zero_carbon_city",),
    "JapanMOE": ("japan_zero_carbon_city",),
    "JapanPrefectureSites": ("japan_zero_carbon_city",),
    "ACTSweden": ("act_sweden",),
    "Fossilfritt Sverige": ("fossil_free_sweden",),
    "Sveriges Ekokommuner": ("sveriges_ekokommuner",),
    "Sveriges Ekokommuner,EuroCities": ("sveriges_ekokommuner", "eurocities"),
    "Sveriges Ekokommuner,Fossilfritt Sverige": ("sveriges_ekokommuner", "fossil_free_sweden"),
    "Sveriges Ekokommuner,Klimatkommunerna": ("sveriges_ekokommuner", "klimatkommunerna"),
    "Covenant of Mayors,Union of Baltic States,NAZCA": ("gcom", "union_of_baltic_cities", "nazca"),
    "Klimatkommunerna,Covenant of Mayors,EuroCities,Fossilfritt Sverige, NAZCA": (
        "klimatkommunerna",
        "gcom",
        "eurocities",
        "fossil_free_sweden",
        "nazca",
    ),
}

DATASET = "research database of targets, not a network"
#: Label stem -> reason the label is dropped (URLs, empty labels and "NA" are handled by rule).
LABEL_DROPS: dict[str, str] = {
    "DDLNetZeroDB": DATASET,
    "DDLNetZeroDB2020ZCA": DATASET,
    "DDLChineseCitiesDB": DATASET,
    "IGDP": DATASET,
    "IGDPDDL": DATASET,
    "WWFJapan": DATASET,
    "Region": "junk label 'Region'",
}
EMPTY_LABEL = "empty label (';;' separator)"
NA_LABEL = "label 'NA'"
URL_LABEL = "source URL, not an initiative"
_YEAR_SUFFIX = re.compile(r"[_ ]?\d{4}(?:-\d{2,4})?$")


def label_stem(label: str) -> str:
    """A label without surrounding blanks and its trailing source year (``GCoM2022`` -> ``GCoM``)."""
    return _YEAR_SUFFIX.sub("", label.strip())


def label_drop_reason(label: str) -> str | None:
    """Why ``label`` is not a network membership, or None if it maps to networks."""
    text = label.strip()
    if not text:
        return EMPTY_LABEL
    if text == "NA":
        return NA_LABEL
    if text.lower().startswith(("http://", "https://")):
        return URL_LABEL
    return LABEL_DROPS.get(label_stem(text))


def _check_labels(labels: pd.Series, file: str) -> None:
    """Raise naming every label that is neither mapped nor dropped."""
    unknown = sorted(
        {
            label
            for label in labels.unique()
            if label_drop_reason(label) is None and label_stem(label) not in LABEL_NETWORKS
        }
    )
    if unknown:
        raise RawInputError(
            file,
            f"{len(unknown)} initiative label(s) not in LABEL_NETWORKS or LABEL_DROPS: {unknown}",
            column="initiatives_committed",
            value=unknown[0],
        )


def _check_flag_columns(raw: pd.DataFrame, file: str) -> None:
    """Sept2020: each 0/1 initiative column must agree with ``initiatives_committed``."""
    flags = [c for c in raw.columns if c not in BASE_COLUMNS_2020]
    if not flags:
        raise RawInputError(file, "no 0/1 initiative columns after the base columns")
    for column in flags:
        bad = raw[column].notna() & ~raw[column].isin(["0", "1"])
        if bad.any():
            value = raw.loc[bad, column].iloc[0]
            raise RawInputError(file, "initiative flag is not 0/1", column=column, value=value)
    has_labels = raw["initiatives_committed"].notna()
    label_sets = raw["initiatives_committed"].fillna("").str.split(";").map(set)
    for column in flags:
        flagged = raw[column].eq("1")
        # Actors whose labels cell is "NA" (read as missing) may carry the "<NA>" flag only.
        expected = (
            ~has_labels
            if column == NA_FLAG_COLUMN
            else label_sets.map(lambda labels, column=column: column in labels).astype(bool)
        )
        differ = (flagged & ~expected) | (~flagged & expected & has_labels)
        if differ.any():
            first = raw.index[differ][0]
            raise RawInputError(
                file,
                f"{int(differ.sum())} row(s) whose 0/1 flag disagrees with "
                f"initiatives_committed; first: {raw.at[first, 'name']!r}",
                column=column,
                value=raw.at[first, column],
            )


def _entity_types(values: pd.Series, file: str) -> pd.Series:
    """``City``/``city`` -> city, ``Region`` -> region, missing -> other; anything else raises."""
    mapped = values.str.strip().str.casefold().map(ENTITY_TYPES)
    bad = values.notna() & mapped.isna()
    if bad.any():
        raise RawInputError(
            file, "unknown entity_type", column="entity_type", value=values[bad].iloc[0]
        )
    return mapped.fillna("other").astype(str)


def _coordinates(df: pd.DataFrame, file: str) -> dict[str, pd.Series]:
    """Numeric lat/lon; a pair with either value out of range becomes missing."""
    lat = to_number(df["lat"], file, "lat")
    lon = to_number(df["lng"], file, "lng")
    bad = (lat.notna() & ~lat.between(-90, 90)) | (lon.notna() & ~lon.between(-180, 180))
    return {"lat_num": lat.mask(bad), "lon_num": lon.mask(bad)}


def _memberships(
    df: pd.DataFrame, mention_ids: pd.Series, audit: RowAudit, file: str, year: int
) -> pd.DataFrame:
    """Explode the labels of each actor into one membership per (actor, network)."""
    labels = pd.DataFrame(
        {"mention_id": mention_ids, "label": df["initiatives_committed"].str.split(";")}
    ).explode("label", ignore_index=True)
    tokens = audit.start(labels, "initiative labels")
    tokens = audit.drop(tokens["label"].isna(), "actor lists no initiative (cell missing or NA)")
    reasons = tokens["label"].map(label_drop_reason)
    for reason in sorted(reasons.dropna().unique()):
        tokens = audit.drop((reasons.reindex(tokens.index) == reason).astype(bool), reason)
    audit.finish(tokens)
    _check_labels(tokens["label"], file)

    stems = tokens["label"].map(label_stem)
    pairs = pd.DataFrame(
        {
            "mention_id": tokens["mention_id"],
            "network": stems.map(LABEL_NETWORKS),
            "source_label": tokens["label"].str.strip(),
        }
    ).explode("network", ignore_index=True)
    pairs = audit.start(pairs, "memberships")
    labels_of: dict[tuple[str, str], set[str]] = {}
    keys = list(zip(pairs["mention_id"], pairs["network"], strict=True))
    for key, label in zip(keys, pairs["source_label"], strict=True):
        labels_of.setdefault(key, set()).add(label)
    joined = [";".join(sorted(labels_of[key])) for key in keys]
    pairs = pairs.assign(source_label=pd.Series(joined, index=pairs.index, dtype=str))
    pairs = audit.drop(
        pairs.duplicated(["mention_id", "network"]),
        "network listed under several labels (labels joined in source_label)",
        frame=pairs,
    )
    audit.finish(pairs)
    types = pairs["network"].map(lambda key: NETWORKS[key][0])
    return pd.DataFrame(
        {
            "mention_id": pairs["mention_id"],
            "network": pairs["network"],
            "network_type": types,
            "join_year": pd.Series(pd.NA, index=pairs.index, dtype="Int64"),
            "observed_year": pd.Series(year, index=pairs.index, dtype="Int64"),
            "source_label": pairs["source_label"],
        }
    ).reset_index(drop=True)


def parse_wave(
    paths: Mapping[str, Path], *, name: str, file: str, year: int, flag_columns: bool
) -> ParsedSource:
    """Parse one ClimActor wave into ``mentions`` and ``memberships``."""
    audit = RowAudit(name)
    raw = read_text_table(paths[file], na_values=["NA"])
    require_columns(raw, BASE_COLUMNS_2020 if flag_columns else COLUMNS, file)
    if flag_columns:
        _check_flag_columns(raw, file)
    df = audit.start(raw, "actors")
    df = audit.drop(df["name"].isna(), "no actor name")
    df = audit.drop(df["iso"].isna(), "no country code")
    df = audit.drop(df.duplicated(keep="first"), "exact duplicate row")
    df = drop_non_countries(audit, df, "iso", reason="country code is not a country ({kind})")
    audit.finish(df)

    df = df.assign(
        raw_name=df["name"].str.strip(),
        entity=_entity_types(df["entity_type"], file),
        **_coordinates(df, file),
    )
    # The name as written: ClimActor keeps "Hidaka" and "Hidaka " apart (two towns).
    df = df.assign(key=df["name"] + "|" + df["iso"].str.strip() + "|" + df["entity"])
    check_unique(df, ["key"], file)
    mentions = build_mentions(
        df,
        source=name,
        file=file,
        key="key",
        name="raw_name",
        iso3="iso",
        entity_type=df["entity"],
        lat="lat_num",
        lon="lon_num",
        population="population",
    )
    memberships = _memberships(df, name + ":" + df["key"], audit, file, year)
    return ParsedSource(tables={"mentions": mentions, "memberships": memberships}, audit=audit)


def _spec(name: str, file: str, year: int, flag_columns: bool) -> SourceSpec:
    parse: Callable[[Mapping[str, Path]], ParsedSource] = partial(
        parse_wave, name=name, file=file, year=year, flag_columns=flag_columns
    )
    return SourceSpec(
        name=name,
        files=(file,),
        parse=parse,
        schemas={"mentions": MENTIONS, "memberships": MEMBERSHIPS},
        description=f"ClimActor {year} wave: cities/regions and their climate-network labels.",
    )


SOURCES = [_spec(*wave) for wave in WAVES]

__all__ = ["LABEL_DROPS", "LABEL_NETWORKS", "NETWORKS", "SOURCES", "label_stem", "parse_wave"]
