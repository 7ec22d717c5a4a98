"""GaWC world-city network connectivity: Dataset 31 (2020) and Data Set 11 (2000).

Economic centrality for H2. Two specs:

``gawc_2020`` (``cities/gawc_da31_gnc2020.xlsx``, sheet "Results": Rank, City, Country,
GNC_abs, GNC_rel(%); 707 cities). Tables:

* ``mentions``: one per city, key ``<City>|<ISO3>``, entity_type city, no coordinates (the
  file has none). ``raw_name`` is the GaWC label as given ("New York (New York)",
  "Mumbai/Bombay"); the matcher reads bracket qualifiers as admin1 hints.
* ``city_measures`` (year 2020):
  - ``gawc_gnc_2020``: absolute global network connectivity (GNC_abs);
  - ``gawc_gnc_2020_prop``: GNC_abs / max GNC_abs (London = 1). The file's GNC_rel(%) must
    equal 100 x this share (checked; a mismatch raises);
  - ``gawc_rank_2020``: the file's Rank, with cities of equal GNC sharing the best rank of
    their tie (the file orders its 19 GNC-0 cities alphabetically, ranks 689-707; here all
    get 689). The file must be ordered by GNC (checked; a violation raises).

``gawc_2000`` (``cities/gawc_da11_service_values_2000.csv``: 315 cities x 100 firms, service
values 0-5). The interlocking network model is recomputed in :mod:`analysis.sources.common.centrality`
(``C_a = sum_{b != a} sum_j v_aj v_bj``). Tables:

* ``mentions``: one per city, key = the DA11 label (upper case), country from the committed
  :data:`DA11_COUNTRY` map (the file has no country column).
* ``city_measures`` (year 2000): ``gawc_gnc_2000`` (raw connectivity) and
  ``gawc_gnc_2000_prop`` (share of the most connected city; London = 1).

Caveats (SOURCES.yaml) and how they are handled:

* 2020, Hong Kong, Macao and Taiwanese cities labelled "China": recoded in code from the
  committed list :data:`analysis.resolve.countries.CHINA_LABEL_RECODES` (Hong Kong -> HKG, Macao -> MAC; Taipei,
  Taizhong/Taichung, Kaohsiung, Hsinchu City, Tainan, Taoyuan -> TWN). SOURCES.yaml names four
  Taiwanese cities; Tainan and Taoyuan were found by reading all 110 China-labelled names.
  "Taoyuan" could also be a county in Hunan, but at GaWC's city scale it is Taiwan's
  special municipality (2.2 million, Taoyuan International Airport). ``raw_country`` keeps
  "China"; each target code is a counted audit step ("recode country China -> HKG", ...,
  rows_in = rows_out = recoded cities). The same list serves the Fortune parser.
* 2020, no ISO codes or coordinates, names need fuzzy matching ("Xi'An"): countries go
  through the resolver ("U.S.", "UAE", "Czeck Republic", "Korea", "Burkina" all resolve);
  names are left to the matching stage.
* 2020, "Korea" labels Pyongyang too: recoded to PRK (:data:`NORTH_KOREAN_CITIES`, counted as
  the audit step "recode country Korea -> PRK").
* 2020, 19 cities have GNC 0: kept, with value 0 (connectivity 0 is data, not missing).
* 2020, Alpha/Beta/Gamma band cut-offs are not in the file: no class measure is emitted
  (rank and proportional GNC are); the bands cannot be derived without GaWC's cut-offs.
* 2020 and 2000, third-party copies not checked against the GaWC originals: documented
  only. The 2000 result reproduces GaWC's published ordering (London, New York first).
* 2000, idiosyncratic spellings (ABIJAN, MAPUTU, SHENZEN, YAONDE, CINCINNATTI, PITTSBURG,
  TALLIN, SAN JOSE (CA)/(CR)), no country column: ``raw_name`` takes the corrected spelling
  from the committed :data:`DA11_NAME_FIXES` (also used to give US qualifiers where two US
  cities share a name and the smaller is meant: Wilmington DE, Richmond VA); other labels
  are kept as given. The country of every city is in :data:`DA11_COUNTRY` (current borders:
  Belgrade -> SRB). Ambiguous labels were assigned from the firm profile and the roster:
  HAMILTON -> Bermuda (reinsurance-heavy profile: Winterthur, Lloyds, Moore Stephens),
  GEORGETOWN -> Guyana (capital; no banks or law firms, unlike an offshore centre),
  VALENCIA -> Spain (the roster holds Seville and Bilbao, and would have to disambiguate two
  Valencias as it does San Jose), NEWCASTLE / BIRMINGHAM -> UK, TRIPOLI -> Libya, KINGSTON
  -> Jamaica, HYDERABAD -> India, PERTH -> Australia. PENANG is George Town (Malaysia),
  KUWAIT is Kuwait City, RUWI is a district of Muscat (kept as "RUWI" for the matcher).
  A label missing from the map raises, naming it.
* 2000, firms reflect 2000 (e.g. Arthur Andersen): documented; the measure is a 2000
  snapshot by construction.
* 2000, service values outside 0-5 or non-integers raise naming file, firm column and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.audit import RowAudit
from analysis.core.errors import RawInputError
from analysis.resolve.countries import drop_non_countries, recode_china_labels, resolve_countries
from analysis.sources.common.base import (
    CITY_MEASURES,
    MENTIONS,
    ParsedSource,
    SourceSpec,
    build_mentions,
    city_measures_for_year,
)
from analysis.sources.common.centrality import network_connectivity, proportional_connectivity
from analysis.sources.common.readers import (
    check_unique,
    read_excel_table,
    read_text_table,
    require_columns,
    to_int,
    to_number,
)

NAME_2020 = "gawc_2020"
FILE_2020 = "cities/gawc_da31_gnc2020.xlsx"
NAME_2000 = "gawc_2000"
FILE_2000 = "cities/gawc_da11_service_values_2000.csv"
YEAR_2020 = 2020
YEAR_2000 = 2000
CITY_2000 = "Unnamed: 0"  # DA11's first column has an empty header
SERVICE_VALUES = range(0, 6)
REL_TOLERANCE = 1e-6  # GNC_rel(%) vs 100 * GNC_abs / max, in percentage points

#: DA11 label -> corrected name given to the matcher (spelling errors and US qualifiers).
DA11_NAME_FIXES: dict[str, str] = {
    "ABIJAN": "Abidjan",
    "BRAZILIA": "Brasilia",
    "CINCINNATTI": "Cincinnati",
    "KUWAIT": "Kuwait City",
    "MAPUTU": "Maputo",
    "PENANG": "George Town",
    "PITTSBURG": "Pittsburgh",
    "RICHMOND": "Richmond (Virginia)",
    "SAN JOSE (CA)": "San Jose (California)",
    "SAN JOSE (CR)": "San Jose",
    "SHENZEN": "Shenzhen",
    "TALLIN": "Tallinn",
    "ULAN BATOR": "Ulaanbaatar",
    "WILMINGTON": "Wilmington (Delaware)",
    "YAONDE": "Yaounde",
}

_DA11_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "AFG": ("KABUL",),
    "AGO": ("LUANDA",),
    "ALB": ("TIRANA",),
    "ARE": ("ABU DHABI", "DUBAI"),
    "ARG": ("BUENOS AIRES",),
    "ARM": ("YEREVAN",),
    "AUS": ("ADELAIDE", "BRISBANE", "CANBERRA", "HOBART", "MELBOURNE", "PERTH", "SYDNEY"),
    "AUT": ("LINZ", "VIENNA"),
    "AZE": ("BAKU",),
    "BEL": ("ANTWERP", "BRUSSELS", "LIEGE"),
    "BGD": ("DHAKA",),
    "BGR": ("SOFIA",),
    "BHR": ("MANAMA",),
    "BHS": ("NASSAU",),
    "BIH": ("SARAJEVO",),
    "BLR": ("MINSK",),
    "BMU": ("HAMILTON",),
    "BOL": ("LA PAZ",),
    "BRA": (
        "BELO HORIZONTE",
        "BRAZILIA",
        "CURITIBA",
        "MANAUS",
        "PORTO ALEGRE",
        "RECIFE",
        "RIO DE JANEIRO",
        "SALVADOR",
        "SAO PAULO",
    ),
    "BRN": ("BANDA SERI BEGAWAN",),
    "BWA": ("GABORONE",),
    "CAN": (
        "CALGARY",
        "EDMONTON",
        "MONTREAL",
        "OTTAWA",
        "QUEBEC",
        "TORONTO",
        "VANCOUVER",
        "WINNIPEG",
    ),
    "CHE": ("BASEL", "BERN", "GENEVA", "LAUSANNE", "ZURICH"),
    "CHL": ("SANTIAGO",),
    "CHN": (
        "BEIJING",
        "DALIAN",
        "GUANGZHOU",
        "NANJING",
        "SHANGHAI",
        "SHENZEN",
        "TIANJIN",
        "XIAMEN",
    ),
    "CIV": ("ABIJAN",),
    "CMR": ("DOUALA", "YAONDE"),
    "COD": ("KINSHASA",),
    "COG": ("BRAZZAVILLE",),
    "COL": ("BOGOTA", "MEDELLIN"),
    "CRI": ("SAN JOSE (CR)",),
    "CUB": ("HAVANA",),
    "CYP": ("LIMASSOL", "NICOSIA"),
    "CZE": ("PRAGUE",),
    "DEU": (
        "BERLIN",
        "BONN",
        "COLOGNE",
        "DORTMUND",
        "DRESDEN",
        "DUSSELDORF",
        "ESSEN",
        "FRANKFURT",
        "HAMBURG",
        "HANNOVER",
        "LEIPZIG",
        "MAINZ",
        "MANNHEIM",
        "MUNICH",
        "NUREMBERG",
        "STUTTGART",
    ),
    "DJI": ("DJIBOUTI",),
    "DNK": ("ARHUS", "COPENHAGEN"),
    "DOM": ("SANTO DOMINGO",),
    "DZA": ("ALGIERS",),
    "ECU": ("GUAYAQUIL", "QUITO"),
    "EGY": ("ALEXANDRIA", "CAIRO"),
    "ESP": ("BARCELONA", "BILBAO", "MADRID", "SEVILLE", "VALENCIA"),
    "EST": ("TALLIN",),
    "ETH": ("ADDIS ABABA",),
    "FIN": ("HELSINKI",),
    "FJI": ("SUVA",),
    "FRA": ("BORDEAUX", "GRENOBLE", "LILLE", "LYON", "MARSEILLE", "PARIS", "STRASBOURG"),
    "GBR": (
        "ABERDEEN",
        "BELFAST",
        "BIRMINGHAM",
        "BRISTOL",
        "CARDIFF",
        "EDINBURGH",
        "GLASGOW",
        "LEEDS",
        "LIVERPOOL",
        "LONDON",
        "MANCHESTER",
        "NEWCASTLE",
        "NORWICH",
        "NOTTINGHAM",
        "PLYMOUTH",
        "SHEFFIELD",
        "SOUTHAMPTON",
    ),
    "GEO": ("TBILISI",),
    "GHA": ("ACCRA",),
    "GIN": ("CONAKRY",),
    "GRC": ("ATHENS",),
    "GTM": ("GUATEMALA CITY",),
    "GUY": ("GEORGETOWN",),
    "HKG": ("HONG KONG",),
    "HND": ("TEGUCIGALPA",),
    "HRV": ("ZAGREB",),
    "HTI": ("PORT-AU-PRINCE",),
    "HUN": ("BUDAPEST",),
    "IDN": ("BANDUNG", "BATAM", "JAKARTA", "MEDAN"),
    "IND": (
        "AHMADABAD",
        "BANGALORE",
        "CALCUTTA",
        "CHENNAI",
        "HYDERABAD",
        "JAIPUR",
        "LUCKNOW",
        "MUMBAI",
        "NEW DELHI",
    ),
    "IRL": ("DUBLIN",),
    "IRN": ("TEHRAN",),
    "IRQ": ("BAGHDAD",),
    "ISL": ("REYKJAVIK",),
    "ISR": ("JERUSALEM", "TEL AVIV"),
    "ITA": ("BOLOGNA", "GENOA", "MILAN", "NAPLES", "PALERMO", "ROME", "TRIESTE", "TURIN", "VENICE"),
    "JAM": ("KINGSTON",),
    "JOR": ("AMMAN",),
    "JPN": ("KAWASAKI", "KOBE", "KYOTO", "NAGOYA", "OSAKA", "TOKYO", "YOKOHAMA"),
    "KAZ": ("ALMATY",),
    "KEN": ("MOMBASA", "NAIROBI"),
    "KOR": ("PUSAN", "SEOUL"),
    "KWT": ("KUWAIT",),
    "LBN": ("BEIRUT",),
    "LBR": ("MONROVIA",),
    "LBY": ("TRIPOLI",),
    "LKA": ("COLOMBO",),
    "LTU": ("VILNIUS",),
    "LUX": ("LUXEMBOURG",),
    "LVA": ("RIGA",),
    "MAC": ("MACAU",),
    "MAR": ("CASABLANCA", "RABAT"),
    "MEX": ("CIUDAD JUAREZ", "GUADALAJARA", "MEXICO CITY", "MONTERREY", "TIJUANA"),
    "MMR": ("YANGON",),
    "MNG": ("ULAN BATOR",),
    "MOZ": ("MAPUTU",),
    "MUS": ("PORT LOUIS",),
    "MYS": ("KUALA LUMPUR", "LABUAN", "MALACCA", "PENANG"),
    "NAM": ("WINDHOEK",),
    "NGA": ("LAGOS",),
    "NIC": ("MANAGUA",),
    "NLD": ("AMSTERDAM", "ROTTERDAM", "THE HAGUE", "UTRECHT"),
    "NOR": ("BERGEN", "OSLO"),
    "NZL": ("AUCKLAND", "CHRISTCHURCH", "WELLINGTON"),
    "OMN": ("RUWI",),
    "PAK": ("ISLAMABAD", "KARACHI", "LAHORE", "RAWALPINDI"),
    "PAN": ("PANAMA CITY",),
    "PER": ("LIMA",),
    "PHL": ("MANILA",),
    "PNG": ("PORT MORESBY",),
    "POL": ("KRAKOW", "WARSAW"),
    "PRK": ("PYONGYANG",),
    "PRT": ("LISBON",),
    "PRY": ("ASUNCION",),
    "QAT": ("DOHA",),
    "ROU": ("BUCHAREST",),
    "RUS": ("MOSCOW", "ST PETERSBURG"),
    "SAU": ("JEDDAH", "RIYADH"),
    "SDN": ("KHARTOUM",),
    "SEN": ("DAKAR",),
    "SGP": ("SINGAPORE",),
    "SLE": ("FREETOWN",),
    "SLV": ("SAN SALVADOR",),
    "SRB": ("BELGRADE",),
    "SVK": ("BRATISLAVA",),
    "SVN": ("LJUBLJANA",),
    "SWE": ("GOTHENBURG", "MALMO", "STOCKHOLM"),
    "SYR": ("DAMASCUS",),
    "TGO": ("LOME",),
    "THA": ("BANGKOK",),
    "TTO": ("PORT OF SPAIN",),
    "TUN": ("TUNIS",),
    "TUR": ("ANKARA", "ISTANBUL"),
    "TWN": ("TAIPEI",),
    "TZA": ("DAR ES SALAAM",),
    "UGA": ("KAMPALA",),
    "UKR": ("KIEV",),
    "URY": ("MONTEVIDEO",),
    "USA": (
        "ATLANTA",
        "BALTIMORE",
        "BOSTON",
        "BUFFALO",
        "CHARLOTTE",
        "CHICAGO",
        "CINCINNATTI",
        "CLEVELAND",
        "COLUMBUS",
        "DALLAS",
        "DENVER",
        "DETROIT",
        "HARTFORD",
        "HONOLULU",
        "HOUSTON",
        "INDIANAPOLIS",
        "KANSAS CITY",
        "LAS VEGAS",
        "LOS ANGELES",
        "MIAMI",
        "MINNEAPOLIS",
        "NEW ORLEANS",
        "NEW YORK",
        "OMAHA",
        "PALO ALTO",
        "PHILADELPHIA",
        "PHOENIX",
        "PITTSBURG",
        "PORTLAND",
        "RICHMOND",
        "ROCHESTER",
        "SACRAMENTO",
        "SAN DIEGO",
        "SAN FRANCISCO",
        "SAN JOSE (CA)",
        "SEATTLE",
        "ST LOUIS",
        "TAMPA",
        "WASHINGTON",
        "WILMINGTON",
    ),
    "UZB": ("TASHKENT",),
    "VEN": ("CARACAS",),
    "VNM": ("HANOI", "HO CHI MINH CITY"),
    "YEM": ("SANAA",),
    "ZAF": ("CAPE TOWN", "DURBAN", "JOHANNESBURG", "PRETORIA"),
    "ZMB": ("LUSAKA",),
    "ZWE": ("BULAWAYO", "HARARE"),
}

#: DA11 city label -> ISO3 of the country it lies in today (the file has no country column).
DA11_COUNTRY: dict[str, str] = {
    city: iso3 for iso3, cities in _DA11_BY_COUNTRY.items() for city in cities
}


def _mentions(
    df: pd.DataFrame, source: str, file: str, raw_country: pd.Series | None
) -> pd.DataFrame:
    """Mentions from ``df`` columns key/name/iso3 (one row per key), with ``raw_country`` as
    the source wrote it (None: the source names no country)."""
    mentions = build_mentions(df, source=source, file=file, key="key", name="name", iso3="iso3")
    if len(mentions) != len(df):
        raise ValueError(f"{source}: mention keys are not unique")
    if raw_country is None:
        mentions["raw_country"] = pd.Series(pd.NA, index=mentions.index, dtype="str")
    else:
        mentions["raw_country"] = raw_country.astype("str").to_numpy()
    return mentions


# --------------------------------------------------------------------------- 2020


NORTH_KOREAN_CITIES = frozenset({"Pyongyang"})


def parse_2020(paths: Mapping[str, Path]) -> ParsedSource:
    file = str(paths[FILE_2020])
    audit = RowAudit(NAME_2020)
    raw = read_excel_table(paths[FILE_2020], sheet="Results")
    require_columns(raw, ["Rank", "City", "Country", "GNC_abs", "GNC_rel(%)"], file)
    df = audit.start(raw, "cities")
    df = audit.drop(df["City"].isna(), "no city name")
    df = drop_non_countries(audit, df, "Country", reason="country label is not a country")
    audit.finish(df)
    df = df.assign(
        City=df["City"].astype("str").str.strip(),
        Country=df["Country"].astype("str").str.strip(),
        rank=to_int(df["Rank"], file, "Rank", allow_missing=False),
        gnc=to_number(df["GNC_abs"], file, "GNC_abs", allow_missing=False),
        rel=to_number(df["GNC_rel(%)"], file, "GNC_rel(%)", allow_missing=False),
    )
    check_unique(df, ["City", "Country"], file)
    check_unique(df, ["rank"], file)
    _check_2020_consistency(df, file)
    iso3 = resolve_countries(df["Country"], source=file)
    iso3 = recode_china_labels(df["City"], iso3, audit, df)
    # GaWC's "Korea" resolves to the Republic; its one North Korean city needs PRK.
    north = df["City"].isin(NORTH_KOREAN_CITIES) & iso3.eq("KOR")
    audit.finish(audit.start(df.loc[north], "recode country Korea -> PRK"))
    iso3 = iso3.where(~north, "PRK")
    df = df.assign(iso3=iso3, name=df["City"], key=df["City"] + "|" + iso3)
    check_unique(df, ["key"], file)
    mentions = _mentions(df, NAME_2020, file, df["Country"])
    ids = NAME_2020 + ":" + df["key"]
    tie_rank = df.groupby("gnc")["rank"].transform("min")
    measures = city_measures_for_year(
        ids,
        {
            "gawc_gnc_2020": df["gnc"],
            "gawc_gnc_2020_prop": df["gnc"] / df["gnc"].max(),
            "gawc_rank_2020": tie_rank.astype(float),
        },
        YEAR_2020,
    )
    return ParsedSource(tables={"mentions": mentions, "city_measures": measures}, audit=audit)


def _check_2020_consistency(df: pd.DataFrame, file: str) -> None:
    """GNC must not increase with rank, and GNC_rel(%) must be 100 * GNC_abs / max."""
    if (df["gnc"] < 0).any():
        bad = df.loc[df["gnc"] < 0, "GNC_abs"].iloc[0]
        raise RawInputError(file, "negative connectivity", "GNC_abs", bad)
    ordered = df.sort_values("rank")
    rising = ordered["gnc"].diff().gt(0)
    if rising.any():
        row = ordered.loc[rising].iloc[0]
        raise RawInputError(
            file, f"GNC_abs rises with rank at rank {row['rank']}", "GNC_abs", row["GNC_abs"]
        )
    expected = 100 * df["gnc"] / df["gnc"].max()
    off = (df["rel"] - expected).abs() > REL_TOLERANCE
    if off.any():
        row = df.loc[off].iloc[0]
        raise RawInputError(
            file,
            f"GNC_rel(%) is not 100 * GNC_abs / max ({expected[off].iloc[0]:.6f} expected)",
            "GNC_rel(%)",
            row["GNC_rel(%)"],
        )


# --------------------------------------------------------------------------- 2000


def parse_2000(paths: Mapping[str, Path]) -> ParsedSource:
    file = str(paths[FILE_2000])
    audit = RowAudit(NAME_2000)
    raw = read_text_table(paths[FILE_2000])
    require_columns(raw, [CITY_2000], file)
    firms = [c for c in raw.columns if c != CITY_2000]
    if not firms:
        raise RawInputError(file, "no firm columns after the city column")
    df = audit.start(raw, "cities")
    df = audit.drop(df[CITY_2000].isna(), "no city name")
    audit.finish(df)
    df = df.assign(**{CITY_2000: df[CITY_2000].str.strip()})
    check_unique(df, [CITY_2000], file)
    values = pd.DataFrame({firm: _service_values(df[firm], file, firm) for firm in firms})
    values.index = pd.Index(df[CITY_2000].to_numpy(), name="city")
    unknown = sorted(set(values.index) - set(DA11_COUNTRY))
    if unknown:
        raise RawInputError(
            file, f"{len(unknown)} city label(s) not in DA11_COUNTRY: {unknown}", CITY_2000
        )
    connectivity = network_connectivity(values)
    cities = pd.Series(values.index, index=df.index)
    iso3 = resolve_countries(cities.map(DA11_COUNTRY), source=file)
    frame = pd.DataFrame(
        {
            "key": cities,
            "name": cities.map(lambda c: DA11_NAME_FIXES.get(c, c)),
            "iso3": iso3,
        }
    )
    mentions = _mentions(frame, NAME_2000, file, None)
    ids = pd.Series(NAME_2000 + ":" + cities.to_numpy())
    conn = pd.Series(connectivity.to_numpy())
    measures = city_measures_for_year(
        ids,
        {"gawc_gnc_2000": conn, "gawc_gnc_2000_prop": proportional_connectivity(conn)},
        YEAR_2000,
    )
    return ParsedSource(tables={"mentions": mentions, "city_measures": measures}, audit=audit)


def _service_values(column: pd.Series, file: str, firm: str) -> pd.Series:
    values = to_int(column, file, firm, allow_missing=False)
    outside = ~values.isin(list(SERVICE_VALUES))
    if outside.any():
        bad = column[outside.to_numpy()].iloc[0]
        raise RawInputError(file, "service value outside 0-5", firm, bad)
    return values.astype(np.int64)


SOURCES = [
    SourceSpec(
        name=NAME_2020,
        files=(FILE_2020,),
        parse=parse_2020,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="GaWC Dataset 31: global network connectivity of 707 cities, 2020.",
    ),
    SourceSpec(
        name=NAME_2000,
        files=(FILE_2000,),
        parse=parse_2000,
        schemas={"mentions": MENTIONS, "city_measures": CITY_MEASURES},
        description="GaWC Data Set 11 service values 2000; connectivity recomputed (Taylor 2001).",
    ),
]
