"""National treaty status by country-year: Paris Agreement, UNFCCC, arms control, nuclear weapons.

These are the national norm positions against which H1 (local defiance) and H3 (norm
enforcement) read city acts: was the nation outside the Paris Agreement in year t, is it a
nuclear-weapon state, has it joined the TPNW or the NPT.

Conventions shared by every `country_year` table here: a flag describes the state on 31 December
of `year` (year-end), is an ``Int64`` 0/1, and is missing only where the source cannot tell.
Dates in the non-panel tables are exact, so date-level analyses (e.g. a city act on 2017-07-01
against the US withdrawal announcement of 2017-06-01) should use those tables, not the flags.

Spec ``paris_agreement`` (UN Treaty Collection via openclimatedata; two vintages)
--------------------------------------------------------------------------------
Reads the 2023-02-13 file (main) and the 2020-11-18 file (earlier vintage, cross-check).

``paris_status`` (one row per country that signed or joined; the EU is dropped as an aggregate):

- ``country_iso3``: ISO 3166-1 alpha-3 (from the file's ``Code``).
- ``signature_date``: signature of the Agreement (opened 2016-04-22); missing for parties that
  joined by accession without signing.
- ``ratification_date``: first deposit of an instrument of ratification, acceptance, approval or
  accession (consent to be bound). For a party that withdrew and rejoined, this is the
  *original* instrument, taken from the 2020 vintage (the 2023 file overwrites it by the rejoin).
- ``instrument_kind``: Ratification / Acceptance / Approval / Accession of that instrument.
- ``entry_into_force_date``: date the Agreement entered into force for the party (original).
- ``withdrawal_announced_date``, ``withdrawal_notified_date``, ``withdrawal_effective_date``,
  ``rejoin_instrument_date``, ``rejoin_date``: from the project's withdrawal table
  (:data:`PARIS_WITHDRAWALS`), missing for every other party. ``rejoin_date`` is the date the
  re-acceptance took effect.

``country_year`` (countries of ``paris_status`` x 2015..2024), all at 31 December of ``year``:

- ``paris_signed``: signed, or consented without signature (accession), by year-end.
- ``paris_ratified``: instrument of consent deposited by year-end and the party not withdrawn at
  year-end (an effective withdrawal not yet undone by a rejoin that has taken effect).
- ``paris_in_force``: as ``paris_ratified`` but counted from the Agreement's entry into force
  for the party (30 days after deposit, and not before 2016-11-04).
- ``paris_withdrawal_announced``: a withdrawal announced by year-end and not undone by a rejoin
  that has taken effect (US 2017-2020; stays 1 while the withdrawal is effective).
- ``paris_withdrawn``: withdrawal effective at year-end (US 2020).
- ``paris_outside``: ``1 - paris_ratified``, or ``paris_withdrawal_announced``, or
  ``paris_withdrawn``: the nation has not joined the Agreement or is leaving it. 2015 is 1 for
  every country (adoption year: nobody could sign before 2016-04-22).

Caveats (SOURCES.yaml) and how they are handled:

- The 2023 file shows the US re-acceptance (2021-01-20, effective 2021-02-19) in place of the
  original acceptance (2016-09-03, effective 2016-11-04) and encodes no withdrawal; the 2020 file
  still shows the original acceptance and no withdrawal either. The US withdrawal is therefore a
  committed, documented override (:data:`PARIS_WITHDRAWALS`: announced 2017-06-01 in the Rose
  Garden statement, notified to the depositary 2019-11-04, effective 2020-11-04, re-accepted
  2021-01-20, effective again 2021-02-19). The parser checks the override against both files:
  the 2020 vintage must hold the original instrument and the 2023 file the rejoin, else it
  raises. Any other disagreement between the vintages (a signature date that changed, a
  ratification that vanished or changed date) raises too; the only allowed difference is a
  ratification the earlier vintage did not yet have (Iraq, Turkey, South Sudan and Eritrea
  ratified after 2020-11-18). The 2020 vintage is read only for that check and
  for original instruments; its rows are audited as a separate step.
- The second US withdrawal (announced 2025-01-20) is after both the snapshot and the panel.
- Non-parties at the 2023 snapshot (Iran, Libya, Yemen: signed only) have missing ratification
  dates and ``paris_outside`` = 1 in every year; Eritrea (ratified 2023-02-07) is outside until
  2022 and inside in 2023-2024. Ratifications after 2023-02-13 are not in the file, so the
  2023-2024 flags assume none happened (none did for these four before 2025, to our knowledge;
  check the UN Treaty Collection if the panel is extended).
- Countries absent from the file (Taiwan, Kosovo) have no rows: they cannot join UN treaties,
  which is not the same as a national decision to stay out, so they are left missing.

Spec ``unfccc`` (openclimatedata countrygroups)
-----------------------------------------------

``unfccc_country`` (one row per country in either file; the EU is dropped as an aggregate):

- ``country_iso3``; ``signature_date`` (1992 signature, missing for accessions);
  ``ratification_date`` (deposit of ratification/acceptance/accession/approval/succession);
  ``instrument_kind``;
- ``entry_into_force_date``: Art. 23 of the Convention: 1994-03-21 for instruments deposited by
  the 50th (1993-12-21), else the 90th day after deposit;
- ``annex1``: 1 if on the current Annex I list, else 0. Static: the list has no dates (caveat
  "current membership lists"), and Annex I was amended over time (e.g. Malta 2010, Cyprus 2013),
  so do not read it as a year-varying status.

``country_year`` (countries with a ratification x 1992..2024): ``unfccc_ratified`` (instrument
deposited by year-end) and ``unfccc_party`` (Convention in force for the country at year-end).
No country has left the Convention, so the current list holds for every year after joining.
The Kyoto Protocol list is not in the repo (caveat) and is not coded.

Spec ``arms_control`` (UNODA disarmament treaties database, scraped 2018-07)
---------------------------------------------------------------------------
The header line is fused with the first record ("...accession timeCanada,..."): the parser
splits it off before reading (:func:`_split_fused_header`); HTML entities in country names are
decoded (``C&ocirc;te d'Ivoire``). The ``... time`` columns (days from opening or signature) are
derived and not kept.

``treaty_status`` (one row per country and treaty):

- ``country_iso3``; ``treaty`` (UNODA name); ``treaty_id`` (short slug, :data:`TREATY_IDS`);
- ``status``: ``ratified`` (an instrument of ratification or accession/succession deposited),
  ``signed`` (signature only) or ``withdrawn`` (see the NPT override below);
- ``signature_date``, ``ratification_date``, ``accession_date`` as in the file;
  ``consent_date``: the earlier of ratification and accession (Serbia's PTBT lists both);
- ``withdrawal_date``: from :data:`TREATY_WITHDRAWALS`, else missing.

Rows with no date at all are dropped with a counted reason: they are the five nuclear-weapon
states and the Netherlands listed under nuclear-weapon-free-zone treaties, whose protocols (not
the treaties) concern them.

``country_year`` (countries of the file x 1968..2024):

- ``npt_party``: NPT instrument deposited by year-end and not withdrawn. The DPRK's withdrawal
  (announced 2003-01-10) is not in the scrape; it is a documented override
  (:data:`TREATY_WITHDRAWALS`), so the DPRK is 0 from 2003. Years after the mid-2018 snapshot
  carry the snapshot status forward: NPT membership has not changed since the State of Palestine
  acceded in 2015. Years before a state's independence are 0 (it was not a party itself).
- ``tpnw_signed``, ``tpnw_ratified``: 0 before 2017 (opened for signature 2017-09-20); 2017 from
  the file. The file stops at 2018-07-10 (caveat: TPNW data badly outdated; the treaty entered
  into force 2021-01-22 and has gained many signatories and parties since; no current file was
  found), so for 2018-2024 a flag is 1 where the signature/instrument predates the snapshot and
  *missing* otherwise: a 0 there would claim knowledge the file does not have.

Spec ``nuclear_weapons`` (OWID after Bleek 2017 and NTI 2022)
-------------------------------------------------------------
``country_year`` (as in the file, 1938..2022):

- ``nuclear_weapons_status``: the file's 0 no consideration, 1 consideration, 2 pursuit,
  3 possession;
- ``nuclear_weapons_state``: 1 if status is 3 (possession) only; considering or pursuing does not
  count. The parser checks the status against the file's indicator columns.

Territories the file rates separately (Abkhazia, South Ossetia, Tibet) are dropped with a
counted reason. OWID's "Russia" covers the USSR years and is coded RUS (the project's continuing
state rule); historical states (GDR, South Yemen, Republic of Vietnam, Zanzibar) get their
historical codes, checked against their years. Possession is the nine nuclear-armed states
(South Africa 1979-1991): NATO nuclear sharing is not captured (caveat), combine with
``nato_member`` from ``intl_groups``. The file ends in 2022.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import (
    NON_COUNTRY_DROP_LABELLED,
    drop_non_countries,
    resolve_countries,
)
from analysis.sources.common.base import ParsedSource, SourceSpec, country_year_schema
from analysis.sources.common.readers import (
    check_unique,
    read_text_table,
    require_columns,
    to_date,
    to_int,
    to_year,
)

# --------------------------------------------------------------------------- shared helpers

_ISO3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))
_DATE = pa.Column("datetime64[ns]", nullable=True)
_FLAG = pa.Column("Int64", pa.Check.isin([0, 1]), nullable=False)
_OPT_FLAG = pa.Column("Int64", pa.Check.isin([0, 1]), nullable=True)


def _year_end(years: pd.Series) -> pd.Series:
    """31 December of each year, as datetime64[ns]."""
    return pd.to_datetime(years.astype("int64").astype(str) + "-12-31").astype("datetime64[ns]")


def _on_or_before(dates: pd.Series, limit: pd.Series) -> pd.Series:
    """True where ``dates`` is not missing and on or before ``limit`` (NaT compares False)."""
    return (dates.notna() & (dates <= limit)).astype(bool)


def _flag(mask: pd.Series) -> pd.Series:
    return mask.astype(bool).astype("int64").astype("Int64")


def _dates(series: pd.Series, file: str, column: str) -> pd.Series:
    return to_date(series, file, column).astype("datetime64[ns]")


def _panel(countries: pd.Series, years: range) -> pd.DataFrame:
    """Every country x every year, as a frame with `country_iso3` and Int64 `year`."""
    index = pd.MultiIndex.from_product(
        [sorted(countries.unique()), list(years)], names=["country_iso3", "year"]
    )
    frame = index.to_frame(index=False)
    return frame.astype({"country_iso3": str, "year": "Int64"})


# --------------------------------------------------------------------------- Paris Agreement

PARIS_NAME = "paris_agreement"
PARIS_2023 = "country/paris_agreement_status_2023-02-13.csv"
PARIS_2020 = "country/paris_agreement_status_2020-11-18.csv"
PARIS_COLUMNS = ["Code", "Name", "Signature", "Ratification", "Kind", "Date-Of-Effect"]
PARIS_YEARS = range(2015, 2025)


@dataclass(frozen=True)
class ParisWithdrawal:
    """A withdrawal from the Paris Agreement that the UN status files do not encode."""

    announced: str
    notified: str
    effective: str
    rejoin_instrument: str | None
    rejoin_effective: str | None
    note: str


#: Committed overrides, checked against both vintages by :func:`_paris_status`.
PARIS_WITHDRAWALS: dict[str, ParisWithdrawal] = {
    "USA": ParisWithdrawal(
        announced="2017-06-01",
        notified="2019-11-04",
        effective="2020-11-04",
        rejoin_instrument="2021-01-20",
        rejoin_effective="2021-02-19",
        note=(
            "Announced in the Rose Garden statement of 2017-06-01; notification under Art. 28 "
            "deposited 2019-11-04, effective one year later; re-acceptance deposited "
            "2021-01-20, in force 2021-02-19 (UN Treaty Collection, Chapter XXVII.7.d, "
            "depositary notifications). Second withdrawal announced 2025-01-20 is outside "
            "the panel."
        ),
    ),
}


def _read_paris(path: Path, file: str, audit: RowAudit, step: str) -> pd.DataFrame:
    raw = read_text_table(path)
    require_columns(raw, PARIS_COLUMNS, file)
    check_unique(raw, ["Code"], file)
    df = audit.start(raw, step)
    df = drop_non_countries(audit, df, "Code", reason=NON_COUNTRY_DROP_LABELLED)
    audit.finish(df)
    return pd.DataFrame(
        {
            "country_iso3": resolve_countries(df["Code"], source=file).astype(str),
            "signature_date": _dates(df["Signature"], file, "Signature"),
            "ratification_date": _dates(df["Ratification"], file, "Ratification"),
            "instrument_kind": df["Kind"].astype("string").str.strip(),
            "entry_into_force_date": _dates(df["Date-Of-Effect"], file, "Date-Of-Effect"),
        }
    ).reset_index(drop=True)


def _paris_status(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Combine the vintages: the 2023 file, original instruments from 2020, the overrides."""
    both = new.merge(old, on="country_iso3", how="outer", suffixes=("", "_old"), indicator=True)
    gone = both.loc[both["_merge"] == "right_only", "country_iso3"].tolist()
    if gone:
        raise RawInputError(
            PARIS_2023,
            f"{len(gone)} party(ies) of the 2020 vintage missing from the 2023 file: {gone}",
            "Code",
            gone[0],
        )
    both = both[both["_merge"] == "both"]
    sig_changed = both["signature_date_old"].notna() & (
        both["signature_date"] != both["signature_date_old"]
    )
    if sig_changed.any():
        bad = both.loc[sig_changed, "country_iso3"].tolist()
        raise RawInputError(
            PARIS_2023,
            f"signature dates differ from the 2020 vintage for {bad}",
            "Signature",
            bad[0],
        )
    had = both["ratification_date_old"].notna()
    changed = had & (both["ratification_date"] != both["ratification_date_old"])
    unexplained = sorted(set(both.loc[changed, "country_iso3"]) - set(PARIS_WITHDRAWALS))
    if unexplained:
        raise RawInputError(
            PARIS_2023,
            "ratification differs from the 2020 vintage (a withdrawal/rejoin?) for "
            f"{unexplained}; add it to PARIS_WITHDRAWALS with its dates",
            "Ratification",
            unexplained[0],
        )
    out = new.set_index("country_iso3")
    old_by = old.set_index("country_iso3")
    for column in (
        "withdrawal_announced_date",
        "withdrawal_notified_date",
        "withdrawal_effective_date",
        "rejoin_instrument_date",
        "rejoin_date",
    ):
        out[column] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    for iso3, w in PARIS_WITHDRAWALS.items():
        if iso3 not in out.index:
            continue  # not a party in this file (e.g. a synthetic test file)
        original = old_by.loc[iso3] if iso3 in old_by.index else None
        if original is None or pd.isna(original["ratification_date"]):
            raise RawInputError(
                PARIS_2020,
                f"override for {iso3} needs its original instrument in the 2020 vintage",
                "Ratification",
                iso3,
            )
        if original["ratification_date"] >= pd.Timestamp(w.effective):
            raise RawInputError(
                PARIS_2020,
                f"{iso3}: instrument dated after the overridden withdrawal ({w.effective})",
                "Ratification",
                str(original["ratification_date"].date()),
            )
        current = out.loc[iso3]
        if w.rejoin_instrument is not None and (
            current["ratification_date"] != pd.Timestamp(w.rejoin_instrument)
            or current["entry_into_force_date"] != pd.Timestamp(w.rejoin_effective)
        ):
            raise RawInputError(
                PARIS_2023,
                f"{iso3}: expected the rejoin instrument {w.rejoin_instrument} in force "
                f"{w.rejoin_effective} (PARIS_WITHDRAWALS)",
                "Ratification",
                str(current["ratification_date"]),
            )
        for column in ("ratification_date", "instrument_kind", "entry_into_force_date"):
            out.loc[iso3, column] = original[column]
        out.loc[iso3, "withdrawal_announced_date"] = pd.Timestamp(w.announced)
        out.loc[iso3, "withdrawal_notified_date"] = pd.Timestamp(w.notified)
        out.loc[iso3, "withdrawal_effective_date"] = pd.Timestamp(w.effective)
        if w.rejoin_instrument is not None:
            out.loc[iso3, "rejoin_instrument_date"] = pd.Timestamp(w.rejoin_instrument)
            out.loc[iso3, "rejoin_date"] = pd.Timestamp(w.rejoin_effective)
    return out.reset_index()


def paris_country_year(status: pd.DataFrame, years: range = PARIS_YEARS) -> pd.DataFrame:
    """The year-end Paris flags (definitions in the module docstring)."""
    cy = _panel(status["country_iso3"], years).merge(status, on="country_iso3", how="left")
    end = _year_end(cy["year"])
    rejoined = _on_or_before(cy["rejoin_date"], end)
    withdrawn = _on_or_before(cy["withdrawal_effective_date"], end) & ~rejoined
    announced = _on_or_before(cy["withdrawal_announced_date"], end) & ~rejoined
    ratified = _on_or_before(cy["ratification_date"], end) & ~withdrawn
    in_force = _on_or_before(cy["entry_into_force_date"], end) & ~withdrawn
    signed = _on_or_before(cy["signature_date"], end) | _on_or_before(cy["ratification_date"], end)
    return pd.DataFrame(
        {
            "country_iso3": cy["country_iso3"],
            "year": cy["year"],
            "paris_signed": _flag(signed),
            "paris_ratified": _flag(ratified),
            "paris_in_force": _flag(in_force),
            "paris_withdrawal_announced": _flag(announced),
            "paris_withdrawn": _flag(withdrawn),
            "paris_outside": _flag(~ratified | announced | withdrawn),
        }
    )


def parse_paris(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(PARIS_NAME)
    new = _read_paris(paths[PARIS_2023], PARIS_2023, audit, "status_2023")
    old = _read_paris(paths[PARIS_2020], PARIS_2020, audit, "status_2020_crosscheck")
    status = _paris_status(new, old)
    status = status[PARIS_STATUS.columns.keys()]
    return ParsedSource(
        tables={"paris_status": status, "country_year": paris_country_year(status)},
        audit=audit,
    )


PARIS_STATUS = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "signature_date": _DATE,
        "ratification_date": _DATE,
        "instrument_kind": pa.Column(
            "string",
            pa.Check.isin(["Ratification", "Acceptance", "Approval", "Accession"]),
            nullable=True,
        ),
        "entry_into_force_date": _DATE,
        "withdrawal_announced_date": _DATE,
        "withdrawal_notified_date": _DATE,
        "withdrawal_effective_date": _DATE,
        "rejoin_instrument_date": _DATE,
        "rejoin_date": _DATE,
    },
    strict=True,
    name="paris_status",
)

PARIS_COUNTRY_YEAR = country_year_schema(
    {
        name: _FLAG
        for name in (
            "paris_signed",
            "paris_ratified",
            "paris_in_force",
            "paris_withdrawal_announced",
            "paris_withdrawn",
            "paris_outside",
        )
    },
    "paris_country_year",
)

# --------------------------------------------------------------------------- UNFCCC

UNFCCC_NAME = "unfccc"
UNFCCC_RATIFICATION = "country/unfccc_convention_ratification.csv"
UNFCCC_ANNEX_ONE = "country/unfccc_annex_one_parties.csv"
UNFCCC_DEPOSIT = "Ratification-Acceptance-Accession-Approval-Succession"
UNFCCC_YEARS = range(1992, 2025)
#: Art. 23: in force on the 90th day after the 50th instrument (deposited 1993-12-21).
UNFCCC_IN_FORCE = pd.Timestamp("1994-03-21")
UNFCCC_DELAY = pd.Timedelta(days=90)


def parse_unfccc(paths: Mapping[str, Path]) -> ParsedSource:
    audit = RowAudit(UNFCCC_NAME)
    file = UNFCCC_RATIFICATION
    raw = read_text_table(paths[file])
    require_columns(raw, ["Code", "Name", "Signature", UNFCCC_DEPOSIT, "Kind"], file)
    check_unique(raw, ["Code"], file)
    df = audit.start(raw, "ratification")
    df = drop_non_countries(audit, df, "Code", reason=NON_COUNTRY_DROP_LABELLED)
    df = audit.drop(df[UNFCCC_DEPOSIT].isna(), "no instrument deposited")
    audit.finish(df)
    deposit = _dates(df[UNFCCC_DEPOSIT], file, UNFCCC_DEPOSIT)
    parties = pd.DataFrame(
        {
            "country_iso3": resolve_countries(df["Code"], source=file).astype(str),
            "signature_date": _dates(df["Signature"], file, "Signature"),
            "ratification_date": deposit,
            "instrument_kind": df["Kind"].astype("string").str.strip(),
            "entry_into_force_date": (deposit + UNFCCC_DELAY).clip(lower=UNFCCC_IN_FORCE),
        }
    )

    annex_file = UNFCCC_ANNEX_ONE
    raw_annex = read_text_table(paths[annex_file])
    require_columns(raw_annex, ["Code", "Name"], annex_file)
    check_unique(raw_annex, ["Code"], annex_file)
    annex = audit.start(raw_annex, "annex_one")
    annex = drop_non_countries(audit, annex, "Code", reason=NON_COUNTRY_DROP_LABELLED)
    audit.finish(annex)
    annex_iso3 = set(resolve_countries(annex["Code"], source=annex_file))

    country = parties.merge(
        pd.DataFrame({"country_iso3": sorted(annex_iso3)}, dtype=str),
        on="country_iso3",
        how="outer",
    )
    country["annex1"] = _flag(country["country_iso3"].isin(annex_iso3))
    country = country.reset_index(drop=True)

    cy = _panel(parties["country_iso3"], UNFCCC_YEARS).merge(parties, on="country_iso3")
    end = _year_end(cy["year"])
    country_year = pd.DataFrame(
        {
            "country_iso3": cy["country_iso3"],
            "year": cy["year"],
            "unfccc_ratified": _flag(_on_or_before(cy["ratification_date"], end)),
            "unfccc_party": _flag(_on_or_before(cy["entry_into_force_date"], end)),
        }
    )
    return ParsedSource(
        tables={"unfccc_country": country, "country_year": country_year}, audit=audit
    )


UNFCCC_COUNTRY = pa.DataFrameSchema(
    {
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), unique=True),
        "signature_date": _DATE,
        "ratification_date": _DATE,
        "instrument_kind": pa.Column(
            "string",
            pa.Check.isin(["Ratification", "Acceptance", "Accession", "Approval", "Succession"]),
            nullable=True,
        ),
        "entry_into_force_date": _DATE,
        "annex1": _FLAG,
    },
    strict=True,
    name="unfccc_country",
)

UNFCCC_COUNTRY_YEAR = country_year_schema(
    {"unfccc_ratified": _FLAG, "unfccc_party": _FLAG}, "unfccc_country_year"
)

# --------------------------------------------------------------------------- arms control

ARMS_NAME = "arms_control"
ARMS_FILE = "country/arms_control_treaty_status_2018-07_incl_TPNW.csv"
ARMS_COLUMNS = [
    "country",
    "treaty",
    "signature date",
    "signature time",
    "ratification date",
    "ratification time",
    "accession date",
    "accession time",
]
ARMS_YEARS = range(1968, 2025)
#: Last status date of the scrape (SOURCES.yaml: "status as of about 2018-07-10").
ARMS_SNAPSHOT = pd.Timestamp("2018-07-10")
TPNW_OPENED_YEAR = 2017
NPT = "Treaty on the Non-Proliferation of Nuclear Weapons (NPT)"
TPNW = "Treaty on the Prohibition of Nuclear Weapons"

#: UNODA treaty names -> short ids; a name not listed here raises (new treaty, or a renaming).
TREATY_IDS: dict[str, str] = {
    "1925 Geneva Protocol": "geneva_protocol_1925",
    "Anti-Personnel Mine Ban Convention": "mine_ban",
    "Antarctic Treaty": "antarctic",
    "Arms Trade Treaty": "att",
    "Bangkok Treaty": "nwfz_southeast_asia",
    "Biological Weapons Convention": "bwc",
    "Chemical Weapons Convention": "cwc",
    "Comprehensive Nuclear-Test-Ban Treaty": "ctbt",
    "Convention on Certain Conventional Weapons": "ccw",
    "Convention on Cluster Munitions": "cluster_munitions",
    "Convention on Environmental Modification Techniques (ENMOD)": "enmod",
    "Inter-American Convention on Firearms": "cifta",
    "Inter-American Convention on Transparency": "inter_american_transparency",
    "International Convention for the Suppression of Acts of Nuclear Terrorism": (
        "nuclear_terrorism"
    ),
    "Kinshasa Convention": "kinshasa",
    "Moon Treaty (Celestial Bodies)": "moon",
    NPT: "npt",
    "Outer Space Treaty": "outer_space",
    "Partial Test Ban Treaty": "ptbt",
    "Pelindaba Treaty": "nwfz_africa",
    "Sea-Bed Treaty": "seabed",
    "South Pacific Nuclear Free Zone Treaty": "nwfz_south_pacific",
    "Treaty of Tlatelolco": "nwfz_latin_america",
    "Treaty on Conventional Armed Forces in Europe (CFE)": "cfe",
    "Treaty on Open Skies": "open_skies",
    TPNW: "tpnw",
    "Treaty on a Nuclear-Weapon-Free Zone in Central Asia (CANWFZ)": "nwfz_central_asia",
}

#: Withdrawals the scrape does not encode: (iso3, treaty_id) -> (date, note).
TREATY_WITHDRAWALS: dict[tuple[str, str], tuple[str, str]] = {
    ("PRK", "npt"): (
        "2003-01-10",
        "DPRK announced its withdrawal from the NPT on 2003-01-10 (effective by its own "
        "reading the next day); UNODA still lists its 1985 accession.",
    ),
}


def _split_fused_header(text: str) -> str:
    """Put the line break back between the header's last field and the first record."""
    last = ARMS_COLUMNS[-1]
    first_line, _, rest = text.partition("\n")
    position = first_line.find(last)
    if position < 0 or position + len(last) == len(first_line):
        return text  # header not fused (or not this file): leave for require_columns
    cut = position + len(last)
    return first_line[:cut] + "\n" + first_line[cut:] + "\n" + rest


def parse_arms_control(paths: Mapping[str, Path]) -> ParsedSource:
    file = ARMS_FILE
    audit = RowAudit(ARMS_NAME)
    raw = read_text_table(
        paths[file], preprocess=_split_fused_header, html_unescape_columns=["country"]
    )
    require_columns(raw, ARMS_COLUMNS, file)
    unknown = sorted(set(raw["treaty"].dropna()) - set(TREATY_IDS))
    if unknown or raw["treaty"].isna().any():
        value = unknown[0] if unknown else None
        raise RawInputError(
            file, f"unknown treaty name(s) {unknown}; add to TREATY_IDS", "treaty", value
        )
    check_unique(raw, ["country", "treaty"], file)
    date_columns = {
        "signature_date": "signature date",
        "ratification_date": "ratification date",
        "accession_date": "accession date",
    }
    dates = pd.DataFrame({new: _dates(raw[old], file, old) for new, old in date_columns.items()})
    late = (dates > ARMS_SNAPSHOT).any(axis=1)
    if late.any():
        first = raw.index[late][0]
        raise RawInputError(
            file,
            f"date after the documented snapshot {ARMS_SNAPSHOT.date()}: another vintage? "
            "(update ARMS_SNAPSHOT and the TPNW coding)",
            "treaty",
            f"{raw.at[first, 'country']} / {raw.at[first, 'treaty']}",
        )
    df = audit.start(pd.concat([raw[["country", "treaty"]], dates], axis=1), "treaty_rows")
    df = drop_non_countries(audit, df, "country", reason=NON_COUNTRY_DROP_LABELLED)
    df = audit.drop(
        df[list(date_columns)].isna().all(axis=1),
        "no signature, ratification or accession date (nuclear-weapon state listed under a "
        "nuclear-weapon-free-zone treaty)",
    )
    audit.finish(df)
    status = df.assign(
        country_iso3=resolve_countries(df["country"], source=file).astype(str),
        treaty_id=df["treaty"].map(TREATY_IDS),
        consent_date=df[["ratification_date", "accession_date"]].min(axis=1),
    )
    check_unique(status, ["country_iso3", "treaty_id"], file)
    withdrawal = pd.Series(pd.NaT, index=status.index, dtype="datetime64[ns]")
    for (iso3, treaty_id), (date, _note) in TREATY_WITHDRAWALS.items():
        withdrawal[(status["country_iso3"] == iso3) & (status["treaty_id"] == treaty_id)] = (
            pd.Timestamp(date)
        )
    status["withdrawal_date"] = withdrawal
    status["status"] = "signed"
    status.loc[status["consent_date"].notna(), "status"] = "ratified"
    status.loc[status["withdrawal_date"].notna(), "status"] = "withdrawn"
    status = status[list(TREATY_STATUS.columns)].reset_index(drop=True)
    return ParsedSource(
        tables={"treaty_status": status, "country_year": arms_country_year(status)},
        audit=audit,
    )


def arms_country_year(status: pd.DataFrame, years: range = ARMS_YEARS) -> pd.DataFrame:
    """npt_party and the TPNW flags by year-end (definitions in the module docstring)."""
    cy = _panel(status["country_iso3"], years)
    end = _year_end(cy["year"])

    def treaty(treaty_id: str) -> pd.DataFrame:
        rows = status[status["treaty_id"] == treaty_id]
        return cy[["country_iso3"]].merge(rows, on="country_iso3", how="left")

    npt = treaty("npt")
    npt_party = _on_or_before(npt["consent_date"], end) & ~_on_or_before(
        npt["withdrawal_date"], end
    )
    tpnw = treaty("tpnw")
    out = pd.DataFrame(
        {"country_iso3": cy["country_iso3"], "year": cy["year"], "npt_party": _flag(npt_party)}
    )
    signed = _on_or_before(tpnw["signature_date"], end) | _on_or_before(tpnw["consent_date"], end)
    ratified = _on_or_before(tpnw["consent_date"], end)
    # Year-ends from the snapshot's year on are after the snapshot: only a 1 is knowable there.
    after_snapshot = (cy["year"] >= ARMS_SNAPSHOT.year).to_numpy()
    for column, known in (("tpnw_signed", signed), ("tpnw_ratified", ratified)):
        flag = _flag(known)
        flag[after_snapshot & ~known.to_numpy()] = pd.NA
        flag[(cy["year"] < TPNW_OPENED_YEAR).to_numpy()] = 0
        out[column] = flag
    return out


TREATY_STATUS = pa.DataFrameSchema(
    {
        "country_iso3": _ISO3,
        "treaty": pa.Column(str, pa.Check.isin(list(TREATY_IDS))),
        "treaty_id": pa.Column(str, pa.Check.isin(list(TREATY_IDS.values()))),
        "status": pa.Column(str, pa.Check.isin(["ratified", "signed", "withdrawn"])),
        "signature_date": _DATE,
        "ratification_date": _DATE,
        "accession_date": _DATE,
        "consent_date": _DATE,
        "withdrawal_date": _DATE,
    },
    strict=True,
    unique=["country_iso3", "treaty_id"],
    name="treaty_status",
)

ARMS_COUNTRY_YEAR = country_year_schema(
    {"npt_party": _FLAG, "tpnw_signed": _OPT_FLAG, "tpnw_ratified": _OPT_FLAG},
    "arms_control_country_year",
)

# --------------------------------------------------------------------------- nuclear weapons

NUCLEAR_NAME = "nuclear_weapons"
NUCLEAR_FILE = "country/nuclear_weapons_proliferation_owid_bleek.csv"
NUCLEAR_STATUS = "nuclear_weapons_status"
#: Status codes that count as a nuclear-weapon state: 3 = possession (not 1/2).
NUCLEAR_POSSESSING = (3,)
NUCLEAR_INDICATORS = {
    "nuclear_weapons_consideration": 1,
    "nuclear_weapons_pursuit": 2,
    "nuclear_weapons_possession": 3,
}


def parse_nuclear(paths: Mapping[str, Path]) -> ParsedSource:
    file = NUCLEAR_FILE
    audit = RowAudit(NUCLEAR_NAME)
    raw = read_text_table(paths[file])
    require_columns(raw, ["Entity", "Year", NUCLEAR_STATUS, *NUCLEAR_INDICATORS], file)
    check_unique(raw, ["Entity", "Year"], file)
    df = audit.start(raw, "country_years")
    df = drop_non_countries(audit, df, "Entity", reason=NON_COUNTRY_DROP_LABELLED)
    audit.finish(df)
    year = to_year(df["Year"], file, "Year", allow_missing=False)
    status = to_int(df[NUCLEAR_STATUS], file, NUCLEAR_STATUS, allow_missing=False)
    bad = ~status.isin([0, 1, 2, 3])
    if bad.any():
        raise RawInputError(
            file, "status must be 0-3", NUCLEAR_STATUS, df.loc[bad, NUCLEAR_STATUS].iloc[0]
        )
    for column, code in NUCLEAR_INDICATORS.items():
        indicator = to_int(df[column], file, column, allow_missing=False)
        mismatch = indicator != (status == code).astype("Int64")
        if mismatch.any():
            row = mismatch[mismatch].index[0]
            raise RawInputError(
                file,
                f"indicator disagrees with {NUCLEAR_STATUS}={status[row]} "
                f"({df.at[row, 'Entity']} {df.at[row, 'Year']})",
                column,
                df.at[row, column],
            )
    out = pd.DataFrame(
        {
            "country_iso3": resolve_countries(df["Entity"], source=file, year=year).astype(str),
            "year": year,
            "nuclear_weapons_status": status,
            "nuclear_weapons_state": _flag(status.isin(NUCLEAR_POSSESSING)),
        }
    ).reset_index(drop=True)
    check_unique(out, ["country_iso3", "year"], file)
    return ParsedSource(tables={"country_year": out}, audit=audit)


NUCLEAR_COUNTRY_YEAR = country_year_schema(
    {
        "nuclear_weapons_status": pa.Column("Int64", pa.Check.isin([0, 1, 2, 3])),
        "nuclear_weapons_state": _FLAG,
    },
    "nuclear_weapons_country_year",
)

# --------------------------------------------------------------------------- registry

SOURCES = [
    SourceSpec(
        name=PARIS_NAME,
        files=(PARIS_2023, PARIS_2020),
        parse=parse_paris,
        schemas={"paris_status": PARIS_STATUS, "country_year": PARIS_COUNTRY_YEAR},
        description="Paris Agreement status by party (2023 file, 2020 vintage, US withdrawal "
        "override) and year-end flags 2015-2024.",
    ),
    SourceSpec(
        name=UNFCCC_NAME,
        files=(UNFCCC_RATIFICATION, UNFCCC_ANNEX_ONE),
        parse=parse_unfccc,
        schemas={"unfccc_country": UNFCCC_COUNTRY, "country_year": UNFCCC_COUNTRY_YEAR},
        description="UNFCCC ratification and entry into force by country-year; Annex I (static).",
    ),
    SourceSpec(
        name=ARMS_NAME,
        files=(ARMS_FILE,),
        parse=parse_arms_control,
        schemas={"treaty_status": TREATY_STATUS, "country_year": ARMS_COUNTRY_YEAR},
        description="UNODA arms-control treaty status (mid-2018) incl. NPT and TPNW flags.",
    ),
    SourceSpec(
        name=NUCLEAR_NAME,
        files=(NUCLEAR_FILE,),
        parse=parse_nuclear,
        schemas={"country_year": NUCLEAR_COUNTRY_YEAR},
        description="Nuclear-weapons status by country-year (OWID after Bleek 2017 and NTI).",
    ),
]
