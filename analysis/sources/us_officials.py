"""US officials' party: mayors (Wikidata), state governors (Kaplan) and trifectas (Ballotpedia).

The "officials" side of H4 (alignment of local officials and constituents): the party of the
mayor in office in mid-2017, when cities reacted to the US Paris withdrawal and to federal
pressure on sanctuary jurisdictions, and the partisan control of state governments.

Party codes everywhere: ``D`` (Democratic, incl. state affiliates such as the California
Democratic Party and Minnesota's Democratic-Farmer-Labor Party), ``R`` (Republican, incl.
state affiliates), ``I`` (independent / no party), ``other`` (every other party: Whig,
Progressive, Socialist, Libertarian, Justice, ...; "Democratic-Republican", "Jeffersonian" and
"National Republican" are ``other``), missing where unknown or ambiguous. A label naming
several parties ("Whig, Republican") or a person with several party statements counts as
the single major party (D/R/I) among them, ``other`` if none is major, and missing if two
major parties appear (Wikidata lists a person's parties over a lifetime, not per term).

Spec ``us_mayors`` (``us/us_mayors_party_terms_wikidata.csv``)
-------------------------------------------------------------
``mentions``
    One per mayoralty: ``mention_id`` ``us_mayors:<Place>|<ST>``, ``raw_name`` "Place, ST",
    entity ``city`` (``county`` for county mayors: Miami-Dade, Orange County FL, Maui,
    Hawaii and Kauai counties). Place and state come from ``positionLabel`` ("Mayor of
    Tacoma, Washington"); the District of Columbia is "Washington, DC".
``us_mayor_terms``
    One per (mention, person, start): ``mention_id``, ``person_qid`` (Wikidata id of the
    mayor, the "Wikidata QIDs" of the source; city items have no QID in the file),
    ``mayor``, ``party`` (code above), ``party_raw`` (the distinct labels, "; "-joined),
    ``start_date``, ``end_date``.
``mayor_party_mid2017``
    One per mention: the mayor in office on 2017-07-01 (``start_date <= 2017-07-01 <
    end_date``): ``person_qid``, ``mayor``, ``party`` and ``status``: ``in_office`` (one
    mayor), ``no_term`` (no recorded term covers the date: ``party`` missing; most of the
    241 places, since Wikidata is far from complete), ``overlap`` (terms of several people
    cover the date: ``party`` is theirs if they agree, else missing; ``mayor`` and
    ``person_qid`` missing).

Caveats (SOURCES.yaml) and how they are handled:

- Very incomplete (only mayors with dated position statements and a birth date after 1800):
  documented; ``no_term`` marks the unknowns, never "no mayor".
- ``cityLabel`` has no state: the state comes from ``positionLabel``; 48 position labels
  without a state ("Mayor of Salem") get it from :data:`POSITION_STATES`, a table checked
  by hand against the listed mayors (Salem is Salem, OR: Anna Peterson; Warrenton, OR:
  Clara Munson; Waterville, OH: Derek Merrin; Bowling Green, KY; Thomasville, NC; ...).
  A stateless label not in the table is dropped ("no state in position label") and the
  generic Wikidata items "mayor of a place in <State>" are dropped ("generic position (no
  city)"). ``cityLabel`` variants of one position ("Dayton" / "City of Dayton",
  "Indianapolis" / "Unigov") are one mention, keyed on the position.
- State-party affiliates are mapped to D/R (see above).
- Wikidata rows repeat a term once per party statement, birth date or city label, and
  cross start and end qualifiers of different terms (Charlie Luken: 1984-1991 and
  1999-2005 give four rows): rows ending before they start are dropped ("end before
  start"), each start keeps its earliest end ("later end of another term for the same
  start"), and the remaining repeats are one term ("repeated term row (other party label,
  birth date or city label)"); the party of a term pools the labels of all its rows.
- Not the de Benedictis-Kessner/Warshaw data (documented).

Spec ``us_governors`` (``us/us_state_governors_party_1775_2020_kaplan.csv``)
---------------------------------------------------------------------------
Table ``us_state_governor_year``: one row per (``state``, ``year``) for the 50 states (the
District of Columbia has no governor): ``state_fips``, ``governor``,
``governor_party`` (code), ``governor_party_raw``, ``n_governors`` (governors in office at
some point of the year) and ``basis`` (``file`` = a row of the file, ``span`` =
reconstructed from ``time_in_office``, ``successor_missing`` = only the governor whose span
ends that year is known, so the party of the year is missing). The file has one row per
governor and year, both governors in change years, and span end years that are the January
hand-over year. Rule: the governor of a year is the one still in office after it
(``year < span end``, or any year in the file's last year 2020), the latest to take office if
several (then the last by name); if every known governor's span ends that year, the one who
took office that year, if any, else ``successor_missing``. This "January hand-over" rule
gives a change year to the incoming governor, which is wrong where governors take office in
December (North Dakota) or leave mid-year; it matters only when the party changes.

Caveats: ~131 state-years missing in 2000-2020 (e.g. Pennsylvania 2016-2019): filled from
the ``time_in_office`` spans, expanded year by year up to the file's last year; where the
span itself is missing (Tom Wolf's first term, 2015-2019, is not in the file) the years stay
unfilled or ``successor_missing``: in 2000-2020, 63 state-years stay missing (e.g. 2016-2018
in AR, AZ, MA, MD, NE, NY, OR, PA, RI, TX) and 22 are ``successor_missing`` (2017: 38
states, 34 with a party). Party spelling ("Democrat", "republican", "Domecratic-Farmer-Labor")
is normalized; labels before 1950 are not standardised by the source and are mapped by the
same rule (less reliable). Territories are dropped ("US territory (outside the 50 states +
DC)"); 301 rows of five 19th/20th-century governors whose year lies outside their own
(corrupt) span, e.g. "1940 - 1841" repeated for 1841-1900, are dropped ("year outside the
governor's own term span (corrupt span)"); rows identical to another are dropped
("duplicate row").

Spec ``us_trifectas`` (``us/us_state_trifectas_2009_2019_ballotpedia.csv``)
--------------------------------------------------------------------------
Table ``us_state_trifecta_year``: one row per (``state``, ``year``): ``state_fips``,
``trifecta`` (``D``, ``R``, ``divided``; missing for Nebraska), ``source_year``,
``redistricting_control`` and ``governor_veto`` (boolean, missing where the file has none).
Caveats: the file's ``year`` is the election year that produced the configuration; it is
shifted by +1 to the calendar year in office (``year = source_year + 1``, 2010-2020),
checked against known cases: Pennsylvania's Republican trifecta is listed 2010-2013 and held
2011-2014, New Jersey's Democratic one from 2017 (held from January 2018), California's from
2010 (held from January 2011), Virginia's Democratic one 2019 (held from January 2020).
Nebraska's nonpartisan unicameral legislature has no trifecta: missing, documented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import MENTIONS, ParsedSource, SourceSpec, build_mentions
from analysis.sources.common.group_labels import sorted_labels
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_date,
    to_year,
)
from analysis.sources.common.us_geo import (
    STATE,
    STATE_FIPS,
    TERRITORY_REASON,
    city_label,
    is_territory,
    state_codes,
    state_fips,
)
from analysis.sources.common.us_party import MID_2017, PARTY

MAYORS = "us_mayors"
GOVERNORS = "us_governors"
TRIFECTAS = "us_trifectas"
FILE_MAYORS = "us/us_mayors_party_terms_wikidata.csv"
FILE_GOVERNORS = "us/us_state_governors_party_1775_2020_kaplan.csv"
FILE_TRIFECTAS = "us/us_state_trifectas_2009_2019_ballotpedia.csv"


# Places of position labels without a state -> postal code (checked against the mayors).
POSITION_STATES = {
    "Annapolis": "MD",
    "Asheboro": "NC",
    "Baltimore": "MD",
    "Boston": "MA",
    "Bowling Green": "KY",
    "Central Falls": "RI",
    "Chattanooga": "TN",
    "Chicago": "IL",
    "Cleveland": "OH",
    "Cornelius": "NC",
    "District of Columbia": "DC",
    "Eugene": "OR",
    "Fall River": "MA",
    "Flint": "MI",
    "Gainesville": "FL",
    "Gastonia": "NC",
    "Greensboro": "NC",
    "Happy Valley": "OR",
    "Hawaii County": "HI",
    "Hillsboro": "OR",
    "Honolulu": "HI",
    "Houston": "TX",
    "Indianapolis": "IN",
    "Kauai": "HI",
    "Las Vegas": "NV",
    "Los Angeles": "CA",
    "Maui County": "HI",
    "Miami-Dade County": "FL",
    "Milwaukee": "WI",
    "Minneapolis": "MN",
    "New Orleans": "LA",
    "New Rochelle": "NY",
    "New York City": "NY",
    "Pensacola": "FL",
    "Phoenix": "AZ",
    "Sacramento": "CA",
    "Salem": "OR",
    "San Antonio": "TX",
    "San Diego": "CA",
    "San Francisco": "CA",
    "San Jose": "CA",
    "Santa Fe": "NM",
    "Seattle": "WA",
    "Southern Pines": "NC",
    "St. Louis": "MO",
    "Thomasville": "NC",
    "Warrenton": "OR",
    "Waterville": "OH",
}
# Place names of a position that differ from how the place is best named.
_PLACE_NAMES = {"District of Columbia": "Washington", "Kauai": "Kauai County"}
_POSITION = re.compile(
    r"^(?:Alcalde-)?mayor of (?:the )?(?:City of )?(?P<place>.+?)(?:, (?P<state>[^,]+))?$",
    re.IGNORECASE,
)
_GENERIC = re.compile(r"^mayor of a place in ", re.IGNORECASE)

_party = PARTY
US_MAYOR_TERMS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str),
        "person_qid": pa.Column(str, pa.Check.str_matches(r"^Q\d+$")),
        "mayor": pa.Column(str),
        "party": _party,
        "party_raw": pa.Column(str, nullable=True),
        "start_date": pa.Column("datetime64[ns]"),
        "end_date": pa.Column("datetime64[ns]"),
    },
    strict=True,
    unique=["mention_id", "person_qid", "start_date"],
    checks=[pa.Check(lambda d: d["end_date"] >= d["start_date"], name="end >= start")],
    name="us_mayor_terms",
)
MAYOR_PARTY_MID2017 = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str, unique=True),
        "person_qid": pa.Column(str, nullable=True),
        "mayor": pa.Column(str, nullable=True),
        "party": _party,
        "status": pa.Column(str, pa.Check.isin(["in_office", "no_term", "overlap"])),
    },
    strict=True,
    name="mayor_party_mid2017",
)
US_STATE_GOVERNOR_YEAR = pa.DataFrameSchema(
    {
        "state": STATE,
        "state_fips": STATE_FIPS,
        "year": pa.Column("Int64", pa.Check.in_range(1700, 2100)),
        "governor": pa.Column(str),
        "governor_party": _party,
        "governor_party_raw": pa.Column(str, nullable=True),
        "n_governors": pa.Column("Int64", pa.Check.ge(1)),
        "basis": pa.Column(str, pa.Check.isin(["file", "span", "successor_missing"])),
    },
    strict=True,
    unique=["state", "year"],
    checks=[
        pa.Check(
            lambda d: d["governor_party"].isna() | d["basis"].ne("successor_missing"),
            name="no party when the successor is missing",
        )
    ],
    name="us_state_governor_year",
)
US_STATE_TRIFECTA_YEAR = pa.DataFrameSchema(
    {
        "state": STATE,
        "state_fips": STATE_FIPS,
        "year": pa.Column("Int64", pa.Check.in_range(2000, 2100)),
        "source_year": pa.Column("Int64", pa.Check.in_range(2000, 2100)),
        "trifecta": pa.Column(str, pa.Check.isin(["D", "R", "divided"]), nullable=True),
        "redistricting_control": pa.Column(str),
        "governor_veto": pa.Column("boolean", nullable=True),
    },
    strict=True,
    unique=["state", "year"],
    checks=[pa.Check(lambda d: d["year"] == d["source_year"] + 1, name="year = source_year + 1")],
    name="us_state_trifecta_year",
)


# --------------------------------------------------------------------------- parties


def _label_party(part: str) -> str:
    text = part.strip().casefold()
    if re.search(r"democratic[- ]republican|jeffersonian|national republican|socialist", text):
        return "other"
    if re.search(r"\bdemocra|\bdomecra", text):
        return "D"
    if "republican" in text:
        return "R"
    if re.fullmatch(r"independent( politician)?|no party|nonpartisan( politician)?", text):
        return "I"
    return "other"


def party_code(labels: list[str]) -> str | None:
    """One party code for the labels of one term (see the module docstring)."""
    parts = [p for label in labels for p in re.split(r"[,;/]", re.sub(r"\(.*?\)", "", label))]
    codes = {_label_party(p) for p in parts if p.strip()}
    major = codes - {"other"}
    if len(major) == 1:
        return major.pop()
    if len(major) > 1:
        return None
    return "other" if codes else None


# --------------------------------------------------------------------------- mayors


def _positions(labels: pd.Series) -> pd.DataFrame:
    """Place and state text of each position label; raise on a label of another form."""
    parts = labels.str.extract(_POSITION)
    bad = parts["place"].isna()
    if bad.any():
        raise RawInputError(
            FILE_MAYORS,
            "expected 'Mayor of <Place>[, <State>]'",
            "positionLabel",
            labels[bad].iloc[0],
        )
    return parts


def _wikidata_date(values: pd.Series, column: str) -> pd.Series:
    """Wikidata day timestamps ("2014-01-02T00:00:00Z") as naive dates."""
    day = values.str.strip().str.replace(r"T00:00:00Z$", "", regex=True)
    return to_date(day, FILE_MAYORS, column, allow_missing=False).astype("datetime64[ns]")


def parse_mayors(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(MAYORS)
    raw = read_text_table(paths[FILE_MAYORS])
    require_columns(
        raw,
        ["person", "personLabel", "partyLabel", "start", "end", "positionLabel", "cityLabel"],
        FILE_MAYORS,
    )
    qid = raw["person"].str.extract(r"/entity/(Q\d+)$")[0]
    if qid.isna().any():
        raise RawInputError(
            FILE_MAYORS,
            "not a Wikidata entity URI",
            "person",
            raw.loc[qid.isna(), "person"].iloc[0],
        )
    position = raw["positionLabel"].str.strip()
    generic = position.str.match(_GENERIC)
    parts = _positions(position.where(~generic, "Mayor of -"))
    place = parts["place"].str.strip()
    stateless = parts["state"].isna() & ~generic
    state_text = parts["state"].fillna(place.map(POSITION_STATES))
    df = audit.start(raw.assign(qid=qid, place=place, state_text=state_text), "terms")
    df = audit.drop(generic, "generic position (no city)")
    df = audit.drop(stateless[df.index] & df["state_text"].isna(), "no state in position label")
    df = df.assign(
        state=state_codes(df["state_text"], FILE_MAYORS, "positionLabel"),
        start_date=_wikidata_date(df["start"], "start"),
        end_date=_wikidata_date(df["end"], "end"),
        place=df["place"].replace(_PLACE_NAMES),
    )
    df = df.assign(mention_id=MAYORS + ":" + df["place"] + "|" + df["state"])
    df = audit.drop(df["end_date"] < df["start_date"], "end before start", frame=df)
    term = ["qid", "mention_id", "start_date"]
    parties = sorted_labels(df, term, "partyLabel")
    earliest_end = df.groupby(term)["end_date"].transform("min")
    df = audit.drop(
        df["end_date"] > earliest_end, "later end of another term for the same start", frame=df
    )
    df = audit.drop(
        df.duplicated(term), "repeated term row (other party label, birth date or city label)"
    )
    audit.finish(df)

    labels = parties.reindex(pd.MultiIndex.from_frame(df[term])).to_list()
    terms = pd.DataFrame(
        {
            "mention_id": df["mention_id"],
            "person_qid": df["qid"],
            "mayor": df["personLabel"].str.strip(),
            "party": pd.Series([party_code(x) for x in labels], index=df.index, dtype="str"),
            "party_raw": pd.Series(
                ["; ".join(x) or None for x in labels], index=df.index, dtype="str"
            ),
            "start_date": df["start_date"].astype("datetime64[ns]"),
            "end_date": df["end_date"].astype("datetime64[ns]"),
        }
    ).reset_index(drop=True)

    places = df.drop_duplicates("mention_id").assign(country="USA")
    places = places.assign(
        key=places["place"] + "|" + places["state"],
        raw_name=city_label(places["place"], places["state"]),
    )
    entity = pd.Series("city", index=places.index).where(
        ~places["place"].str.endswith(" County"), "county"
    )
    mentions = build_mentions(
        places,
        source=MAYORS,
        file=FILE_MAYORS,
        key="key",
        name="raw_name",
        iso3="country",
        entity_type=entity,
    )
    return ParsedSource(
        tables={
            "mentions": mentions,
            "us_mayor_terms": terms,
            "mayor_party_mid2017": mid_2017(terms, mentions["mention_id"]),
        },
        audit=audit,
    )


def mid_2017(terms: pd.DataFrame, mention_ids: pd.Series) -> pd.DataFrame:
    """The mayor in office on :data:`MID_2017` for every mention (see the docstring)."""
    on = terms[(terms["start_date"] <= MID_2017) & (terms["end_date"] > MID_2017)]
    rows = []
    for mention_id in sorted(mention_ids):
        now = on[on["mention_id"] == mention_id]
        people = now.drop_duplicates("person_qid")
        if people.empty:
            rows.append((mention_id, None, None, None, "no_term"))
        elif len(people) == 1:
            row = people.iloc[0]
            party = party_code_of_terms(now["party"])
            rows.append((mention_id, row["person_qid"], row["mayor"], party, "in_office"))
        else:
            rows.append((mention_id, None, None, party_code_of_terms(now["party"]), "overlap"))
    out = pd.DataFrame(rows, columns=list(MAYOR_PARTY_MID2017.columns))
    return out.astype({c: "str" for c in ("person_qid", "mayor", "party")})


def party_code_of_terms(parties: pd.Series) -> str | None:
    """The common party of several terms, missing if they differ or any is unknown."""
    values = set(parties)
    if len(values) == 1 and isinstance(next(iter(values)), str):
        return next(iter(values))
    return None


# --------------------------------------------------------------------------- governors


def parse_governors(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(GOVERNORS)
    raw = read_text_table(paths[FILE_GOVERNORS])
    require_columns(raw, ["governor", "state", "time_in_office", "party", "year"], FILE_GOVERNORS)
    state = state_codes(raw["state"].str.strip(), FILE_GOVERNORS, "state")
    span = raw["time_in_office"].str.extract(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")
    if span[0].isna().any():
        raise RawInputError(
            FILE_GOVERNORS,
            "expected 'YYYY - YYYY'",
            "time_in_office",
            raw.loc[span[0].isna(), "time_in_office"].iloc[0],
        )
    df = raw.assign(
        code=state,
        year=to_year(raw["year"], FILE_GOVERNORS, "year", allow_missing=False),
        span_start=to_year(span[0], FILE_GOVERNORS, "time_in_office", allow_missing=False),
        span_end=to_year(span[1], FILE_GOVERNORS, "time_in_office", allow_missing=False),
        governor=raw["governor"].str.strip(),
    )
    df = audit.start(df, "governor_years")
    df = audit.drop(is_territory(df["code"]), TERRITORY_REASON)
    outside = ~df["year"].between(df["span_start"], df["span_end"]).astype(bool)
    df = audit.drop(outside, "year outside the governor's own term span (corrupt span)")
    df = audit.drop(df.duplicated(), "duplicate row")
    audit.finish(df)
    last = int(df["year"].max())
    spell_key = ["code", "governor", "span_start", "span_end"]
    spell_labels = sorted_labels(df, spell_key, "party")
    spells = spell_labels.rename("labels").reset_index()
    spells["party"] = spells["labels"].map(party_code)
    spells["party_raw"] = spells["labels"].map(lambda x: "; ".join(x) or None)
    lengths = (spells["span_end"].clip(upper=last) - spells["span_start"] + 1).astype(int)
    years = spells.loc[spells.index.repeat(lengths)].reset_index(drop=True)
    years["year"] = years["span_start"] + years.groupby(spell_key).cumcount()
    observed = pd.MultiIndex.from_frame(df[["code", "governor", "year"]])
    years["observed"] = pd.MultiIndex.from_frame(years[["code", "governor", "year"]]).isin(observed)
    # Tier 0: still in office after the year (in the file's last year nobody can follow);
    # 1: took office that year; 2: only a governor whose span ends that year is known.
    staying = (years["year"] < years["span_end"]) | years["year"].eq(last)
    starting = years["span_start"].eq(years["year"])
    years["tier"] = np.select([staying, starting], [0, 1], 2)
    chosen = years.sort_values(
        ["code", "year", "tier", "span_start", "governor"],
        ascending=[True, True, True, False, False],
    ).drop_duplicates(["code", "year"])
    n_governors = years.groupby(["code", "year"])["governor"].nunique()
    basis = np.select(
        [chosen["tier"].eq(2), chosen["observed"]], ["successor_missing", "file"], "span"
    )
    out = pd.DataFrame(
        {
            "state": chosen["code"],
            "year": chosen["year"],
            "governor": chosen["governor"],
            "governor_party": chosen["party"].where(basis != "successor_missing"),
            "governor_party_raw": chosen["party_raw"],
            "n_governors": n_governors.reindex(
                pd.MultiIndex.from_frame(chosen[["code", "year"]])
            ).to_numpy(),
            "basis": basis,
        }
    ).reset_index(drop=True)
    out = out.assign(
        state_fips=state_fips(out["state"]),
        year=out["year"].astype("Int64"),
        n_governors=out["n_governors"].astype("Int64"),
        governor_party=out["governor_party"].astype("str"),
        governor_party_raw=out["governor_party_raw"].astype("str"),
    )
    return ParsedSource(
        tables={"us_state_governor_year": out[list(US_STATE_GOVERNOR_YEAR.columns)]}, audit=audit
    )


# --------------------------------------------------------------------------- trifectas


def parse_trifectas(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(TRIFECTAS)
    raw = read_text_table(paths[FILE_TRIFECTAS])
    require_columns(
        raw, ["state", "year", "trifecta", "redistricting_control", "governor_veto"], FILE_TRIFECTAS
    )
    df = audit.start(raw, "state_years")
    audit.finish(df)
    state = state_codes(df["state"], FILE_TRIFECTAS, "state")
    source_year = to_year(df["year"], FILE_TRIFECTAS, "year", allow_missing=False)
    mapping = {"Democratic": "D", "Republican": "R", "None": "divided"}
    trifecta = df["trifecta"].str.strip()
    bad = trifecta.notna() & ~trifecta.isin(list(mapping))
    if bad.any():
        raise RawInputError(
            FILE_TRIFECTAS, f"expected one of {sorted(mapping)}", "trifecta", trifecta[bad].iloc[0]
        )
    veto = df["governor_veto"].str.strip()
    bad = veto.notna() & ~veto.isin(["TRUE", "FALSE"])
    if bad.any():
        raise RawInputError(
            FILE_TRIFECTAS, "expected TRUE/FALSE", "governor_veto", veto[bad].iloc[0]
        )
    out = pd.DataFrame(
        {
            "state": state,
            "state_fips": state_fips(state),
            "year": (source_year + 1).astype("Int64"),
            "source_year": source_year,
            "trifecta": trifecta.map(mapping).astype("str"),
            "redistricting_control": df["redistricting_control"].str.strip(),
            "governor_veto": veto.map({"TRUE": True, "FALSE": False}).astype("boolean"),
        }
    )
    check_unique(out.assign(raw_year=df["year"]), ["state", "raw_year"], FILE_TRIFECTAS)
    return ParsedSource(tables={"us_state_trifecta_year": out}, audit=audit)


SOURCES = [
    SourceSpec(
        name=MAYORS,
        files=(FILE_MAYORS,),
        parse=parse_mayors,
        schemas={
            "mentions": MENTIONS,
            "us_mayor_terms": US_MAYOR_TERMS,
            "mayor_party_mid2017": MAYOR_PARTY_MID2017,
        },
        description="US mayors' terms and party from Wikidata; the mayor in office mid-2017.",
    ),
    SourceSpec(
        name=GOVERNORS,
        files=(FILE_GOVERNORS,),
        parse=parse_governors,
        schemas={"us_state_governor_year": US_STATE_GOVERNOR_YEAR},
        description="Governor and party per US state and year (Kaplan 1775-2020).",
    ),
    SourceSpec(
        name=TRIFECTAS,
        files=(FILE_TRIFECTAS,),
        parse=parse_trifectas,
        schemas={"us_state_trifecta_year": US_STATE_TRIFECTA_YEAR},
        description="State government trifecta per calendar year 2010-2020 (Ballotpedia).",
    ),
]
