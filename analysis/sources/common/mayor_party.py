"""The mayor's party on 2017-07-01 from four sources, with a precedence rule and a conflict audit.

Inputs, already keyed by ``city_id`` (assembly attaches the mentions):

- ``elections``: the ``mayor_elections`` rows of the three election files
  (:mod:`analysis.sources.us_mayor_elections`) with a ``source`` column;
- ``wikidata``: one row per city with the party of the mayor in office on 2017-07-01 from the
  Wikidata terms (:mod:`analysis.sources.us_officials`) and ``start_year``, the year that term
  began.

Precedence (:func:`resolve`):

1. An election counts if it was held by :data:`LAST_ELECTION_YEAR` (2016): the files carry no
   inauguration dates and most mayoral elections are in November, so a 2017 winner was not yet
   in office on 2017-07-01 (spring-2017 winners, e.g. Los Angeles, are missed and their
   predecessor's party is used). Only elections with a known winner's party count.
2. Each election file offers its latest such election; the most recent election wins; a tie
   between files goes to the order of :data:`SOURCE_ORDER` (de Benedictis-Kessner et al.,
   then Hopkins-Pettingill, then Ferreira-Gyourko: newest and most curated first).
3. Wikidata settles gaps: its term in office on the date wins where no file has an election,
   where the chosen election is stale, or where the term began at least two years after the
   election year (``start_year >= year + 2``: a term that began after the election's winner
   took office belongs to a later election that no file lists).

Columns: ``mayor_party`` (D/R/I/other), ``mayor_party_source`` (the source id),
``mayor_party_as_of`` (election year; for Wikidata the year the term in office began),
``mayor_party_stale`` (:func:`is_stale`), ``mayor_dem_margin`` (the Democratic two-party
margin of the deciding election where it was a Democrat-vs-Republican race with votes) and
``mayor_n_sources`` (sources with a record for the city).

Staleness: an election record is stale when it is older than :data:`STALE_BEFORE` (2013), i.e.
more than one four-year term before mid-2017, so at least one later election happened that no
file lists and the party is carried forward from an earlier mayor. Wikidata terms cover the date
itself and are never stale. A fresh record can still be wrong where a city has two-year terms
or an unlisted Democrat-vs-Democrat race (the dbk file lists only D-vs-R races).

Conflicts (:func:`conflicts`): every disagreement between two sources, of two kinds:
``same_election`` (two files report different winning parties for one city's election of one
year, any year) and ``in_office_2017`` (a source's latest record, or Wikidata's term, names
another party than the chosen one; ``resolution`` says why the chosen one won).
"""

from __future__ import annotations

import pandas as pd

SOURCE_ORDER = ("mayors_dbk", "mayors_hp", "mayors_fg", "us_mayors")
WIKIDATA = "us_mayors"
LAST_ELECTION_YEAR = 2016
STALE_BEFORE = 2013
WIKIDATA_LATER_BY = 2  # a term starting this many years after the election is a later one

OUT_COLUMNS = (
    "mayor_party", "mayor_party_source", "mayor_party_as_of", "mayor_party_stale",
    "mayor_dem_margin", "mayor_n_sources",
)  # fmt: skip
CONFLICT_COLUMNS = (
    "city_id", "kind", "source", "party", "as_of", "winner", "other_source", "other_party",
    "other_as_of", "other_winner", "resolution",
)  # fmt: skip


def is_stale(source: pd.Series, as_of: pd.Series) -> pd.Series:
    """True for election records older than :data:`STALE_BEFORE`; Wikidata is never stale."""
    return ((source != WIKIDATA) & (as_of < STALE_BEFORE)).fillna(False).astype(bool)


def _rank(source: pd.Series) -> pd.Series:
    return source.map({s: i for i, s in enumerate(SOURCE_ORDER)}).astype(int)


def latest_per_source(elections: pd.DataFrame) -> pd.DataFrame:
    """Each file's latest election by :data:`LAST_ELECTION_YEAR` with a known party, per city."""
    e = elections[(elections["year"] <= LAST_ELECTION_YEAR) & elections["winner_party"].notna()]
    e = e.sort_values(["city_id", "source", "year", "mention_id"], ascending=[1, 1, 0, 1])
    return e.drop_duplicates(["city_id", "source"]).reset_index(drop=True)


def candidates(elections: pd.DataFrame, wikidata: pd.DataFrame) -> pd.DataFrame:
    """One record per (city, source): party, as-of year, winner, margin."""
    e = latest_per_source(elections)
    e = pd.DataFrame({
        "city_id": e["city_id"], "source": e["source"], "party": e["winner_party"],
        "as_of": e["year"].astype("Int64"), "winner": e["winner"], "dem_margin": e["dem_margin"],
    })  # fmt: skip
    w = wikidata.dropna(subset=["party"]).sort_values(["city_id", "start_year"])
    w = w.drop_duplicates("city_id", keep="last")
    w = pd.DataFrame({
        "city_id": w["city_id"], "source": WIKIDATA, "party": w["party"],
        "as_of": w["start_year"].astype("Int64"), "winner": w["mayor"],
        "dem_margin": float("nan"),
    })  # fmt: skip
    out = pd.concat([e, w], ignore_index=True)
    return out.sort_values(["city_id", "source"], key=_key_order, ignore_index=True)


def _key_order(s: pd.Series) -> pd.Series:
    return _rank(s) if s.name == "source" else s


def resolve(cands: pd.DataFrame) -> pd.DataFrame:
    """The chosen record per city (see the module docstring), indexed by ``city_id``."""
    elec = cands[cands["source"] != WIKIDATA].assign(rank=lambda d: _rank(d["source"]))
    best = elec.sort_values(["city_id", "as_of", "rank"], ascending=[True, False, True])
    best = best.drop_duplicates("city_id").set_index("city_id")
    wiki = cands[cands["source"] == WIKIDATA].set_index("city_id")
    chosen = best.reindex(best.index.union(wiki.index))
    w = wiki.reindex(chosen.index)
    stale = is_stale(chosen["source"], chosen["as_of"]).fillna(False)
    later = (w["as_of"] >= chosen["as_of"] + WIKIDATA_LATER_BY).fillna(False).astype(bool)
    use_wiki = w["party"].notna() & (chosen["party"].isna() | stale | later)
    cols = ["source", "party", "as_of", "winner", "dem_margin"]
    chosen.loc[use_wiki, cols] = w.loc[use_wiki, cols]
    n = cands.groupby("city_id")["source"].nunique()
    out = pd.DataFrame(
        {
            "mayor_party": chosen["party"].astype("str"),
            "mayor_party_source": chosen["source"].astype("str"),
            "mayor_party_as_of": chosen["as_of"].astype("Int64"),
            "mayor_party_stale": is_stale(chosen["source"], chosen["as_of"].astype("Int64")).astype(
                "boolean"
            ),
            "mayor_dem_margin": chosen["dem_margin"].astype(float),
            "mayor_n_sources": n.reindex(chosen.index).astype("int64"),
        },
        index=chosen.index,
    )
    out.index.name = "city_id"
    return out.sort_index()


def _pairs(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    pairs = left.merge(right, on=on, suffixes=("", "_o"))
    return pairs[pairs["party"] != pairs["party_o"]]


def conflicts(elections: pd.DataFrame, cands: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    """Every disagreement between sources (see the module docstring), sorted."""
    e = elections.dropna(subset=["winner_party"])
    e = e.drop_duplicates(["city_id", "source", "year"])
    e = e.rename(columns={"winner_party": "party", "year": "as_of"})
    cols = ["city_id", "source", "party", "as_of", "winner"]
    same = _pairs(e[cols], e[cols], ["city_id", "as_of"])
    same = same[_rank(same["source"]) < _rank(same["source_o"])]
    same = same.assign(
        kind="same_election",
        other_as_of=same["as_of"],
        resolution="files disagree on this election's winner",
    )
    pick = chosen.reset_index()[["city_id", "mayor_party_source"]]
    c = cands.merge(pick, on="city_id")
    win = c[c["source"] == c["mayor_party_source"]][cols]
    lose = c[c["source"] != c["mayor_party_source"]][cols]
    now = _pairs(win, lose, ["city_id"]).assign(kind="in_office_2017")
    now["resolution"] = [_why(r) for r in now.itertuples()]
    now = now.rename(columns={"as_of_o": "other_as_of"})
    out = pd.concat([same, now], ignore_index=True)
    out = out.rename(columns={f"{c}_o": f"other_{c}" for c in ("source", "party", "winner")})
    out = out[list(CONFLICT_COLUMNS)].astype({"as_of": "Int64", "other_as_of": "Int64"})
    keys = ["city_id", "kind", "source", "other_source", "as_of", "other_as_of"]
    return out.sort_values(keys, ignore_index=True)


def _why(r: object) -> str:
    src, other = r.source, r.source_o
    as_of, other_as_of = r.as_of, r.as_of_o
    if src == WIKIDATA:
        return (
            f"Wikidata's term in office (from {as_of}) is newer than or replaces the stale "
            f"{other} election of {other_as_of}"
        )
    if other == WIKIDATA:
        return f"{src} election of {as_of} is the latest record; Wikidata term from {other_as_of}"
    if as_of > other_as_of:
        return f"{src} election of {as_of} is later than {other}'s latest of {other_as_of}"
    return f"same election year {as_of}: {src} precedes {other}"


def mayor_party(
    elections: pd.DataFrame, wikidata: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(chosen record per city indexed by city_id, conflict audit)."""
    cands = candidates(elections, wikidata)
    chosen = resolve(cands)
    return chosen, conflicts(elections, cands, chosen)
