"""US mayoral elections with the winner's party and votes: three academic files (H4).

The "officials" side of H4 beyond the Wikidata terms (:mod:`analysis.sources.us_officials`):
who won each city's mayoral election, for which party, and by how much. Assembly
(:mod:`analysis.sources.common.mayor_party`) turns the elections into the mayor's party on 2017-07-01 with a
precedence rule, and the margin into the running variable of the close-election design.

Every spec emits the same two tables:

``mentions``
    One per city: ``mention_id`` ``<source>:<City>|<ST>``, ``raw_name`` "City, ST" (the state
    code is the matcher's admin1 hint), entity ``city``. Cities are keyed by name and state in
    all three files (Hopkins-Pettingill has no usable place code; the matcher resolves names
    against GeoNames for every source alike); the file's place FIPS code, where it has one,
    is kept on each election row.
``mayor_elections``
    One per (mention, election year): ``year``, ``month`` (Ferreira-Gyourko only),
    ``winner``, ``winner_party`` and ``loser_party`` (``D``/``R``/``I``/``other``, missing for
    nonpartisan or unknown; :data:`PARTY_CODES`), ``winner_party_raw``, ``winner_votes``,
    ``loser_votes``, ``dem_margin`` = (Democratic − Republican votes) / (their sum) where the
    top two are a Democrat and a Republican with votes (else missing), ``partisan_ballot``
    (missing where the file does not say) and ``place_fips`` (7-digit Census place code:
    state FIPS + place, missing where the file has none).

Spec ``mayors_dbk`` (``us/mayors_dbk_2p_post1990.rds``; de Benedictis-Kessner, Jones and
Warshaw, 1990-2022). Caveats: only races whose top two were a Democrat and a Republican are
in the file, so a city's latest row is not always its latest election (assembly flags records
older than a term as stale and lets a newer Wikidata term override); no inauguration dates
(assembly takes elections up to 2016 as "before 2017-07-01": most are in November and the
winner takes office the next year); ``place_fips`` is a float (cast, zero-padded to 7);
``demshare`` is checked against the votes (:data:`DEMSHARE_TOLERANCE`).

Spec ``mayors_hp`` (``us/mayors_hopkins_pettingill_1987_2011.tab``; Hopkins and Pettingill,
1987-2011, 234 large cities). Caveats: ``.`` is the missing-value code; ``stabbr`` is nearly
always empty, so city and state come from ``citystabbr`` (city name + 2-letter code);
``fips_pla`` (5-digit place code) is only partly filled; ends in 2011 (assembly's staleness
flag). Party codes beyond D/R/I: ``DFL`` (Minnesota) is D, ``R-L`` (Giuliani 1993,
Republican-Liberal fusion) is R, ``IND`` is I, ``NP``/``np``/``NO`` (nonpartisan ballot:
Tampa's mayors are coded ``NO``) and ``Petitioning`` are missing, every other label is
``other``.

Spec ``mayors_fg`` (``us/mayors_ferreira_gyourko_1945_2007.dta``; Ferreira and Gyourko,
1945-2007, 902 cities). Caveats: ``fipsid`` drops the leading zero of the state FIPS (zero-
padded to 7 and checked against the state; a code whose prefix is not the state's is dropped
from the row, counted in the module test); a blank party is missing; some city-years hold
several rows (a runoff in another month, or a second race for another office in Connecticut
towns): the latest month wins ("earlier round of the same year"), then the row with the most
votes ("second race of the same city-year with fewer votes"); ends in 2007 (fallback only).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.sources.common.base import MENTIONS, ParsedSource, SourceSpec, build_mentions
from analysis.sources.common.readers import (
    check_unique,
    read_rda,
    read_stata,
    read_text_table,
    require_columns,
    to_int,
    to_number,
    to_year,
)
from analysis.sources.common.us_geo import (
    TERRITORY_REASON,
    city_label,
    is_territory,
    state_codes,
    state_fips,
)
from analysis.sources.common.us_party import PARTY

DBK, HP, FG = "mayors_dbk", "mayors_hp", "mayors_fg"
FILE_DBK = "us/mayors_dbk_2p_post1990.rds"
FILE_HP = "us/mayors_hopkins_pettingill_1987_2011.tab"
FILE_FG = "us/mayors_ferreira_gyourko_1945_2007.dta"

#: Party labels of the three files -> project codes; None = nonpartisan or not stated.
#: An unlisted label raises, so a new code in a file is looked at, not guessed.
PARTY_CODES: dict[str, str | None] = {
    "D": "D", "Dem": "D", "DFL": "D",
    "R": "R", "Rep": "R", "R-L": "R",
    "I": "I", "IND": "I", "IND Party of DE": "I",
    "O": "other", "Green": "other", "GRN": "other", "GR": "other", "G": "other",
    "K": "other", "INT": "other", "Charterite": "other",
    "NP": None, "np": None, "NO": None, "Petitioning": None, "n/a": None,
}  # fmt: skip
#: |demshare − Democratic two-party vote share| allowed in the dbk file (rounding only).
DEMSHARE_TOLERANCE = 1e-3

MAYOR_ELECTIONS = pa.DataFrameSchema(
    {
        "mention_id": pa.Column(str),
        "year": pa.Column("Int64", pa.Check.in_range(1900, 2100)),
        "month": pa.Column("Int64", pa.Check.in_range(1, 12), nullable=True),
        "winner": pa.Column(str, nullable=True),
        "winner_party": PARTY,
        "winner_party_raw": pa.Column(str, nullable=True),
        "loser_party": PARTY,
        "winner_votes": pa.Column(float, pa.Check.ge(0), nullable=True),
        "loser_votes": pa.Column(float, pa.Check.ge(0), nullable=True),
        "dem_margin": pa.Column(float, pa.Check.in_range(-1, 1), nullable=True),
        "partisan_ballot": pa.Column("boolean", nullable=True),
        "place_fips": pa.Column(str, pa.Check.str_matches(r"^\d{7}$"), nullable=True),
    },
    strict=True,
    unique=["mention_id", "year"],
    checks=[
        pa.Check(
            lambda d: (
                d["dem_margin"].isna() | ((d["dem_margin"] > 0) == (d["winner_party"] == "D"))
            ),
            name="a positive Democratic margin means a Democratic winner",
        )
    ],
    name="mayor_elections",
)


def party_codes(labels: pd.Series, file: str, column: str) -> pd.Series:
    """Project party codes for a file's party labels (blank = missing); raise on unknown."""
    text = labels.astype("str").str.strip().replace("", pd.NA)
    unknown = sorted(set(text.dropna()) - set(PARTY_CODES))
    if unknown:
        raise RawInputError(file, f"unknown party label(s) {unknown}", column, unknown[0])
    return text.map(PARTY_CODES, na_action="ignore").astype("str")


def dem_margin(
    winner_party: pd.Series, loser_party: pd.Series, winner_votes: pd.Series, loser_votes: pd.Series
) -> pd.Series:
    """(D − R) / (D + R) votes where the top two are D and R with votes; missing otherwise.

    Also missing where the recorded winner has no more votes than the runner-up (a tie, or
    first-round votes of a race decided later): the margin would contradict the winner.
    """
    dr = (winner_party == "D") & (loser_party == "R")
    rd = (winner_party == "R") & (loser_party == "D")
    total = winner_votes + loser_votes
    ok = (dr | rd).fillna(False) & (winner_votes > loser_votes).fillna(False)
    sign = np.where(dr.fillna(False), 1.0, -1.0)
    margin = sign * (winner_votes - loser_votes) / total
    return margin.where(ok).astype(float)


def place_fips(state: pd.Series, place: pd.Series) -> pd.Series:
    """7-digit place code from a state postal code and a 5-digit place number (or missing)."""
    code = state_fips(state) + place.astype("Int64").astype("str").str.zfill(5)
    return code.where(place.notna() & state.notna()).astype("str")


def _finish(df: pd.DataFrame, source: str, file: str, audit: RowAudit, step: str) -> ParsedSource:
    """Shared tail: drop territories and rows without a year, build mentions and elections."""
    df = audit.drop(is_territory(df["state"]), TERRITORY_REASON, frame=df)
    df = audit.drop(df["city"].isna() | df["state"].isna(), "no city name or state", frame=df)
    audit.finish(df)
    df = df.assign(
        key=df["city"] + "|" + df["state"],
        raw_name=city_label(df["city"], df["state"]),
        country="USA",
    )
    df = df.assign(mention_id=source + ":" + df["key"])
    check_unique(df, ["mention_id", "year"], file)
    mentions = build_mentions(
        df.drop_duplicates("key"), source=source, file=file, key="key", name="raw_name",
        iso3="country",
    )  # fmt: skip
    elections = pd.DataFrame(
        {
            "mention_id": df["mention_id"],
            "year": df["year"].astype("Int64"),
            "month": df["month"].astype("Int64"),
            "winner": df["winner"].astype("str").str.strip().replace("", pd.NA),
            "winner_party": df["winner_party"].astype("str"),
            "winner_party_raw": df["winner_party_raw"].astype("str"),
            "loser_party": df["loser_party"].astype("str"),
            "winner_votes": df["winner_votes"].astype(float),
            "loser_votes": df["loser_votes"].astype(float),
            "dem_margin": dem_margin(
                df["winner_party"], df["loser_party"], df["winner_votes"], df["loser_votes"]
            ),
            "partisan_ballot": df["partisan_ballot"].astype("boolean"),
            "place_fips": df["place_fips"].astype("str"),
        }
    ).reset_index(drop=True)
    return ParsedSource(tables={"mentions": mentions, "mayor_elections": elections}, audit=audit)


# --------------------------------------------------------------------------- dbk


def parse_dbk(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(DBK)
    raw = read_rda(paths[FILE_DBK])
    cols = ["place_fips", "city", "abb", "year", "pid_final_win", "pid_final_lose",
            "votes_win", "votes_lose", "demshare", "full_name_win", "partisan"]  # fmt: skip
    require_columns(raw, cols, FILE_DBK)
    raw = raw[cols].reset_index(drop=True)
    state = state_codes(raw["abb"], FILE_DBK, "abb")
    fips = to_int(raw["place_fips"], FILE_DBK, "place_fips").astype("str").str.zfill(7)
    bad = fips.notna() & (fips.str[:2] != state_fips(state))
    if bad.any():
        raise RawInputError(FILE_DBK, "place_fips prefix is not the state's FIPS", "place_fips",
                            raw.loc[bad, "place_fips"].iloc[0])  # fmt: skip
    win = party_codes(raw["pid_final_win"], FILE_DBK, "pid_final_win")
    lose = party_codes(raw["pid_final_lose"], FILE_DBK, "pid_final_lose")
    votes_w = to_number(raw["votes_win"], FILE_DBK, "votes_win")
    votes_l = to_number(raw["votes_lose"], FILE_DBK, "votes_lose")
    share = to_number(raw["demshare"], FILE_DBK, "demshare")
    implied = (dem_margin(win, lose, votes_w, votes_l) + 1) / 2
    off = (implied - share).abs() > DEMSHARE_TOLERANCE
    if off.any():
        raise RawInputError(FILE_DBK, "demshare differs from the votes' Democratic share",
                            "demshare", share[off].iloc[0])  # fmt: skip
    partisan = to_int(raw["partisan"], FILE_DBK, "partisan")
    df = pd.DataFrame(
        {
            "city": raw["city"].astype("str").str.strip(),
            "state": state,
            "year": to_year(raw["year"], FILE_DBK, "year", allow_missing=False),
            "month": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "winner": raw["full_name_win"],
            "winner_party": win,
            "winner_party_raw": raw["pid_final_win"].astype("str"),
            "loser_party": lose,
            "winner_votes": votes_w,
            "loser_votes": votes_l,
            "partisan_ballot": partisan.map({1: True, 0: False}, na_action="ignore"),
            "place_fips": fips,
        }
    )
    df = audit.start(df, "elections")
    return _finish(df, DBK, FILE_DBK, audit, "elections")


# --------------------------------------------------------------------------- Hopkins-Pettingill


def parse_hp(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(HP)
    raw = read_text_table(paths[FILE_HP], sep="\t", na_values=["."])
    cols = ["citystabbr", "city", "year", "winnername", "winnerparty", "loserparty",
            "winnervotes", "loservotes", "fips_pla"]  # fmt: skip
    require_columns(raw, cols, FILE_HP)
    key = raw["citystabbr"].str.strip()
    parts = key.str.extract(r"^(?P<city>.+?)(?P<st>[A-Z]{2})$")
    if parts["city"].isna().any():
        raise RawInputError(FILE_HP, "expected '<City><ST>'", "citystabbr",
                            key[parts["city"].isna()].iloc[0])  # fmt: skip
    state = state_codes(parts["st"], FILE_HP, "citystabbr")
    df = pd.DataFrame(
        {
            "city": parts["city"].str.strip(),
            "state": state,
            "year": to_year(raw["year"], FILE_HP, "year", allow_missing=False),
            "month": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "winner": raw["winnername"],
            "winner_party": party_codes(raw["winnerparty"], FILE_HP, "winnerparty"),
            "winner_party_raw": raw["winnerparty"],
            "loser_party": party_codes(raw["loserparty"], FILE_HP, "loserparty"),
            "winner_votes": to_number(raw["winnervotes"], FILE_HP, "winnervotes"),
            "loser_votes": to_number(raw["loservotes"], FILE_HP, "loservotes"),
            "partisan_ballot": pd.Series(pd.NA, index=raw.index, dtype="boolean"),
            "place_fips": place_fips(state, to_int(raw["fips_pla"], FILE_HP, "fips_pla")),
        }
    )
    df = audit.start(df, "elections")
    return _finish(df, HP, FILE_HP, audit, "elections")


# --------------------------------------------------------------------------- Ferreira-Gyourko


def parse_fg(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(FG)
    raw = read_stata(paths[FILE_FG])
    cols = ["city", "state", "fipsid", "year", "month", "mayor_name", "mayor_party",
            "mayor_votes", "runnerup_party", "runnerup_votes", "partisan"]  # fmt: skip
    require_columns(raw, cols, FILE_FG)
    raw = raw[cols].reset_index(drop=True)
    state = state_codes(raw["state"].astype("str").str.strip(), FILE_FG, "state")
    fips = to_int(raw["fipsid"], FILE_FG, "fipsid").astype("str").str.zfill(7)
    fips = fips.where(fips.str[:2] == state_fips(state))  # wrong state prefix: not a code
    ballot = raw["partisan"].astype("str").str.strip().replace("", pd.NA)
    bad = ballot.notna() & ~ballot.isin(["P", "NP"])
    if bad.any():
        raise RawInputError(FILE_FG, "expected P, NP or blank", "partisan", ballot[bad].iloc[0])
    city = raw["city"].astype("str").str.strip().replace("", pd.NA)
    df = pd.DataFrame(
        {
            "city": city,
            "state": state,
            "year": to_year(raw["year"], FILE_FG, "year", allow_missing=False),
            "month": to_int(raw["month"], FILE_FG, "month"),
            "winner": raw["mayor_name"],
            "winner_party": party_codes(raw["mayor_party"], FILE_FG, "mayor_party"),
            "winner_party_raw": raw["mayor_party"].astype("str").str.strip().replace("", pd.NA),
            "loser_party": party_codes(raw["runnerup_party"], FILE_FG, "runnerup_party"),
            "winner_votes": to_number(raw["mayor_votes"], FILE_FG, "mayor_votes"),
            "loser_votes": to_number(raw["runnerup_votes"], FILE_FG, "runnerup_votes"),
            "partisan_ballot": ballot.map({"P": True, "NP": False}, na_action="ignore"),
            "place_fips": fips,
        }
    )
    df = audit.start(df, "elections")
    # A city-year with several rows: the runoff (latest month) decides, then the larger race.
    key = [df["city"].fillna(""), df["state"].fillna(""), df["year"]]
    last_month = df.groupby(key)["month"].transform("max")
    earlier = (df["month"] < last_month).fillna(False).astype(bool)
    df = audit.drop(earlier, "earlier round of the same year")
    key = [df["city"].fillna(""), df["state"].fillna(""), df["year"]]
    votes = df["winner_votes"].fillna(-1)
    top = votes.groupby(key).transform("max")
    ranked = df.assign(_v=votes).sort_values(["_v", "winner"], ascending=[False, True])
    second = ranked.duplicated(["city", "state", "year"]).reindex(df.index).astype(bool)
    df = audit.drop(second | (votes < top), "second race of the same city-year with fewer votes")
    return _finish(df, FG, FILE_FG, audit, "elections")


SOURCES = [
    SourceSpec(
        name=DBK,
        files=(FILE_DBK,),
        parse=parse_dbk,
        schemas={"mentions": MENTIONS, "mayor_elections": MAYOR_ELECTIONS},
        description="US mayoral elections 1990-2022, Democrat vs Republican races (dBK/J/W).",
    ),
    SourceSpec(
        name=HP,
        files=(FILE_HP,),
        parse=parse_hp,
        schemas={"mentions": MENTIONS, "mayor_elections": MAYOR_ELECTIONS},
        description="Mayoral elections in large US cities 1987-2011 (Hopkins & Pettingill).",
    ),
    SourceSpec(
        name=FG,
        files=(FILE_FG,),
        parse=parse_fg,
        schemas={"mentions": MENTIONS, "mayor_elections": MAYOR_ELECTIONS},
        description="US mayoral elections 1945-2007 (Ferreira & Gyourko).",
    ),
]
