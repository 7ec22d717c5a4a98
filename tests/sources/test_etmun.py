"""ETMUN, URBACT and local-government typology parsers on small synthetic files (invented values)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import RawInputError
from analysis.sources import etmun, local_gov_typology, urbact
from analysis.sources.common.runner import validate_table
from analysis.sources.etmun import MEMBERS_FILE, ORGS_FILE, parse_etmun
from analysis.sources.local_gov_typology import TYPOLOGY_FILE, parse_typology
from analysis.sources.urbact import URBACT_FILE, parse_urbact

SPECS = {s.name: s for m in (etmun, urbact, local_gov_typology) for s in m.SOURCES}

# --------------------------------------------------------------------------- ETMUN

MEMBER_HEADER = [
    "Full_Name",
    "Locality_Siege",
    "CountryCode",
    "Continent",
    "Region",
    "Y",
    "X",
    "Pop_collect",
    "Statut",
    "Entity",
    "Year_of_Joining",
    "Note",
    "Network_Name",
    "Code_Network",
    "EntitySimplified",
    "CountryName",
    "MembershipCode",
    "Adress",
    "lon",
    "lat",
]

# (name, code, Y, X, pop, statut, entity, year, network label, code, simplified, lon, lat)
# fmt: off
MEMBER_ROWS = [
    # A dated Covenant join and an undated UBC membership of the same town.
    ("Alphaville", "FR", "NA", "NA", "12000", "2020", "Municipality", "2011",
     "Covenant of Mayors", "04080", "Municipality", "2,5", "45,25"),
    ("Alphaville", "FR", "NA", "NA", "NA", "Member", "Municipality", "1999",
     "UBC", "17030", "Municipality", "2,5", "45,25"),
    # Peace Messenger City, dated; coordinates only in X/Y (point).
    ("Betatown", "DE", "50.5", "8.25", "3e+05", "Member", "City", "1988",
     "IAMPC", "02194", "City", "NA", "NA"),
    # Two CIVITAS phases: one membership, the earliest phase's first year.
    ("Gammaburg", "HU", "NA", "NA", "NA", "Demonstration City", "City",
     "2008-2012 - CIVITAS PLUS", "CIVITAS", "03220", "City", "19,1", "47,2"),
    ("Gammaburg", "HU", "NA", "NA", "NA", "Demonstration City", "City",
     "2002-2006 - CIVITAS I", "CIVITAS", "03220", "City", "19,1", "47,2"),
    # Economic network, dated.
    ("Deltavilla", "ES", "NA", "NA", "NA", "Member", "Municipality", "1997",
     "RECEVIN", "15872", "Municipality", "-3,5", "40,5"),
    # Former member, partner organisation, network administration, nameless row.
    ("Epsilonia", "ES", "NA", "NA", "NA", "Former Member", "Municipality", "1996",
     "RECEVIN", "15872", "Municipality", "-4,5", "41,5"),
    ("Zeta Foundation*", "FR", "NA", "NA", "NA", "Partners", "Other", "2009",
     "EFUS", "06139", "Other", "2,3", "48,8"),
    ("Secretariat", "IT", "NA", "NA", "NA", "Referent Coppem", "Network Administration",
     "NA", "COPPEM", "16693", "City", "13,3", "38,1"),
    ("NA", "DZ", "NA", "NA", "NA", "Member", "Other", "NA",
     "COPPEM", "16693", "Other", "3,05", "36,75"),
    # Missing code (the source's "Namibia"): wrong lon/lat, right X/Y.
    ("Etaville", "NA", "34.0", "-5.0", "NA", "Member", "City", "NA",
     "OWHC", "15051", "City", "17,1", "-22,6"),
    # Invalid code ZZ: kept with unknown country and its coordinates.
    ("Unione dei Thetas", "ZZ", "NA", "NA", "NA", "2020", "Intermunicipality", "2012",
     "Covenant of Mayors", "04080", "Intermunicipality", "10,7", "44,8"),
    # A network with no row in the organisations file.
    ("Iotaville ", "PT", "NA", "NA", "NA", "Member", "City", "NA",
     "EixoAtlántico", "W4", "City", "-8,6", "41,1"),
    # C40, secretariat "GB/US"; a region.
    ("Kappa Region", "GB", "NA", "NA", "NA", "Member", "Region", "NA",
     "C40", "02723", "Region", "-0,1", "51,5"),
]
# fmt: on


def member_csv(rows=MEMBER_ROWS, header=MEMBER_HEADER) -> str:
    def cell(value: str) -> str:
        return value if value == "NA" else f'"{value}"'

    lines = [";".join(f'"{h}"' for h in header)]
    for i, row in enumerate(rows, 1):
        name, code, y, x, pop, statut, entity, year, label, net, simple, lon, lat = row
        values = [
            name,
            name,
            code,
            "Europe",
            "Somewhere",
            y,
            x,
            pop,
            statut,
            entity,
            year,
            "NA",
            label,
            net,
            simple,
            "Country",
            f"A{i}",
            f"{name}, Country",
            lon,
            lat,
        ]
        lines.append(";".join(cell(v) for v in values))
    return "\n".join(lines) + "\n"


ORG_HEADER = (
    "Sources;Years;Name;Acronym;Code;Country (secretariat);commentaire;Date;Aims;"
    "Members;Date;;MAJ2019"
)
ORG_ROWS = [
    'Vol.3;2014-2015;Covenant of Mayors;Covenant of Mayors;04080;BE;"lien UE";2008;'
    '"Meet the CO2 objective";Cities;;;',
    'Vol.3;2014-2015;Union of Baltic Cities;UBC;17030;PL;UBC;1991;"Cooperation\r\nacross the '
    'Baltic";Cities;;;',
    "Vol.3;2014-2015;International Association of Peace Messenger Cities;IAMPC;02194;SI;;1990;"
    "Peace;Cities;;;",
    "Vol.3;2014-2015;CIVITAS;CIVITAS;03220;HU;;2002;Transport;Cities;;;",
    "Vol.3;2014-2015;European Network of Wine Cities;RECEVIN;15872;ES;;1999;Wine;Cities;;;",
    "Vol.3;2014-2015;European Forum for Urban Security;EFUS;06139;FR;;1987;Security;;;;",
    "Vol.3;2014-2015;Standing Committee Pr\xe9sident;COPPEM;16693;IT;;2000;Dialogue;;;;",
    "Vol.3;2014-2015;Organization of World Heritage Cities;OWHC;15051;;;1993;Heritage;;;;",
    "Vol.3;2014-2015;C40;C40;02723;GB/US;;2005;Climate;Cities;;;",
    "Web;2019;Nordic City Network;NCN;W6;SE;;;Knowledge;Cities;;;",
]


def org_bytes(rows=ORG_ROWS) -> bytes:
    text = ORG_HEADER + "\r\n" + "\n".join(rows) + "\r\n"
    return text.encode("cp1252")


def etmun_paths(tmp_path: Path, members: str | None = None, orgs: bytes | None = None):
    m = tmp_path / "members.csv"
    o = tmp_path / "orgs.csv"
    m.write_text(member_csv() if members is None else members, encoding="utf-8")
    o.write_bytes(org_bytes() if orgs is None else orgs)
    return {MEMBERS_FILE: m, ORGS_FILE: o}


@pytest.fixture
def etmun_result(tmp_path: Path):
    result = parse_etmun(etmun_paths(tmp_path))
    for table, df in result.tables.items():
        validate_table(SPECS["etmun"], table, df)
    return result


def test_etmun_mentions(etmun_result) -> None:
    m = etmun_result.tables["mentions"].set_index("mention_id")
    assert sorted(m.index) == sorted(
        [
            "etmun:Alphaville|FR",
            "etmun:Betatown|DE",
            "etmun:Gammaburg|HU",
            "etmun:Deltavilla|ES",
            "etmun:Etaville|NA",
            "etmun:Unione dei Thetas|ZZ",
            "etmun:Iotaville|PT",
            "etmun:Kappa Region|GB",
        ]
    )
    alpha = m.loc["etmun:Alphaville|FR"]
    assert (alpha["country_iso3"], alpha["lon"], alpha["lat"]) == ("FRA", 2.5, 45.25)
    assert alpha["population"] == 12000.0 and alpha["entity_type"] == "city"
    beta = m.loc["etmun:Betatown|DE"]  # X/Y fallback, R's scientific notation
    assert (beta["lon"], beta["lat"], beta["population"]) == (8.25, 50.5, 300000.0)
    eta = m.loc["etmun:Etaville|NA"]  # missing code: unknown country, X/Y not the bad geocode
    assert pd.isna(eta["country_iso3"]) and eta["raw_country"] == "NA"
    assert (eta["lon"], eta["lat"]) == (-5.0, 34.0)
    theta = m.loc["etmun:Unione dei Thetas|ZZ"]
    assert pd.isna(theta["country_iso3"]) and theta["raw_country"] == "ZZ"
    assert (theta["lon"], theta["lat"], theta["entity_type"]) == (10.7, 44.8, "group")
    assert m.loc["etmun:Kappa Region|GB", "entity_type"] == "region"
    assert m.loc["etmun:Iotaville|PT", "raw_name"] == "Iotaville"  # stripped


def test_etmun_memberships_and_acts(etmun_result) -> None:
    ms = etmun_result.tables["memberships"]
    got = {
        (r.mention_id.split(":", 1)[1], r.network): (r.network_type, r.join_year)
        for r in ms.itertuples()
    }
    na = pd.NA
    assert got == {
        ("Alphaville|FR", "covenant_of_mayors"): ("climate", 2011),
        ("Alphaville|FR", "ubc"): ("general", 1999),
        ("Betatown|DE", "iampc"): ("peace", 1988),
        ("Gammaburg|HU", "civitas"): ("climate", 2002),
        ("Deltavilla|ES", "recevin"): ("economic", 1997),
        ("Etaville|NA", "owhc"): ("general", na),
        ("Unione dei Thetas|ZZ", "covenant_of_mayors"): ("climate", 2012),
        ("Iotaville|PT", "eixo_atlantico"): ("general", na),
        ("Kappa Region|GB", "c40"): ("climate", na),
    }
    assert set(ms["observed_year"]) == {2019}
    label = ms.set_index(["mention_id", "network"]).loc[
        ("etmun:Alphaville|FR", "covenant_of_mayors"), "source_label"
    ]
    assert label == "Covenant of Mayors: 2020"

    acts = etmun_result.tables["acts"]
    got_acts = {(r.mention_id, r.act, r.act_class, r.year) for r in acts.itertuples()}
    assert got_acts == {
        ("etmun:Alphaville|FR", "network_adhesion:covenant_of_mayors", "normative", 2011),
        ("etmun:Betatown|DE", "network_adhesion:iampc", "normative", 1988),
        ("etmun:Gammaburg|HU", "network_adhesion:civitas", "normative", 2002),
        ("etmun:Deltavilla|ES", "network_adhesion:recevin", "economic", 1997),
        ("etmun:Unione dei Thetas|ZZ", "network_adhesion:covenant_of_mayors", "normative", 2012),
    }  # the dated UBC join (general network) is not an act
    assert acts["date"].isna().all()


def test_etmun_networks_table(etmun_result) -> None:
    nets = etmun_result.tables["networks"].set_index("network")
    assert set(nets.index) == {
        "covenant_of_mayors",
        "ubc",
        "iampc",
        "civitas",
        "recevin",
        "efus",
        "coppem",
        "owhc",
        "c40",
        "ncn",
        "eixo_atlantico",
    }
    assert nets.loc["iampc", "network_type"] == "peace"
    assert nets.loc["ubc", "founded_year"] == 1991
    assert nets.loc["ubc", "secretariat_iso3"] == "POL"
    assert nets.loc["coppem", "name"] == "Standing Committee Pr\xe9sident"  # cp1252 decoded
    assert nets.loc["c40", "secretariat_country_raw"] == "GB/US"
    assert pd.isna(nets.loc["c40", "secretariat_iso3"])
    assert pd.isna(nets.loc["owhc", "secretariat_iso3"])
    assert pd.isna(nets.loc["ncn", "founded_year"])
    eixo = nets.loc["eixo_atlantico"]
    assert eixo["name"] == "Eixo Atlántico do Noroeste Peninsular" and eixo["uia_code"] == "W4"
    assert pd.isna(eixo["founded_year"]) and pd.isna(eixo["secretariat_iso3"])


def test_etmun_audit(etmun_result) -> None:
    audit = etmun_result.audit.to_frame()
    members = audit[audit["step"] == "members"].set_index("reason")["rows_dropped"].to_dict()
    assert members == {
        "network administration entry, not a member": 1,
        "no member name": 1,
        "partner organisation, not a member": 1,
        "former member": 1,
        "duplicate membership row (same member and network; earliest join year kept)": 1,
    }
    step = audit[audit["step"] == "members"]
    assert set(step["rows_in"]) == {len(MEMBER_ROWS)}
    assert set(step["rows_out"]) == {len(MEMBER_ROWS) - 5}
    orgs = audit[audit["step"] == "organisations"]
    assert orgs[["rows_in", "rows_out", "reason"]].values.tolist() == [[10, 10, "none"]]


def test_etmun_renamed_column(tmp_path: Path) -> None:
    header = [h if h != "Year_of_Joining" else "YearJoin" for h in MEMBER_HEADER]
    paths = etmun_paths(tmp_path, members=member_csv(header=header))
    with pytest.raises(RawInputError, match=re.escape(MEMBERS_FILE) + ".*'Year_of_Joining'"):
        parse_etmun(paths)


def test_etmun_bad_values(tmp_path: Path) -> None:
    rows = [(*MEMBER_ROWS[0][:-2], "2,5x", "45,25")]
    with pytest.raises(
        RawInputError, match=re.escape(MEMBERS_FILE) + ", column 'lon', value '2,5x'"
    ):
        parse_etmun(etmun_paths(tmp_path, members=member_csv(rows)))
    rows = [(*MEMBER_ROWS[0][:7], "around 2011", *MEMBER_ROWS[0][8:])]
    with pytest.raises(RawInputError, match=r"column 'Year_of_Joining', value 'around 2011'"):
        parse_etmun(etmun_paths(tmp_path, members=member_csv(rows)))


def test_etmun_unknown_network_or_country(tmp_path: Path) -> None:
    rows = [(*MEMBER_ROWS[0][:8], "NEWNET", "99999", *MEMBER_ROWS[0][10:])]
    with pytest.raises(RawInputError, match=r"column 'Code_Network', value '99999'"):
        parse_etmun(etmun_paths(tmp_path, members=member_csv(rows)))
    rows = [(*MEMBER_ROWS[0][:8], "Covenant", "04080", *MEMBER_ROWS[0][10:])]
    with pytest.raises(RawInputError, match=r"column 'Network_Name', value 'Covenant'"):
        parse_etmun(etmun_paths(tmp_path, members=member_csv(rows)))
    rows = [(MEMBER_ROWS[0][0], "QQ", *MEMBER_ROWS[0][2:])]
    with pytest.raises(Exception, match="QQ"):  # unknown codes are not silently missing
        parse_etmun(etmun_paths(tmp_path, members=member_csv(rows)))


def test_etmun_mapping_is_complete_and_valid() -> None:
    assert len(etmun.ETMUN_NETWORKS) == 59
    keys = [n.network for n in etmun.ETMUN_NETWORKS.values()]
    assert len(set(keys)) == len(keys)
    assert all(k.replace("_", "").isalnum() and k == k.lower() for k in keys)
    types = {n.network for n in etmun.ETMUN_NETWORKS.values() if n.network_type == "peace"}
    assert types == {"iampc", "icp"}


# --------------------------------------------------------------------------- URBACT

URBACT_HEADER = (
    '"Code_Network";"Name";"CodeCity";"Country";"Continent.x";"Region.x";"Y";"X";"City.Statut";'
    '"Sources.x";"Years.x";"Main.Key.Word.x";"Additionnal.key.words.x";"Network";"Description.x";'
    '"LeadPartnerCountry.x";"Url.x";"Statut.x";"Start.x";"End.x";"Main.Key.Word";"POPLAU2_2015";'
    '"ID_UMZ";"Name_UMZ";"Pop2011";"geonameId";"asciiName";"lng_GN";"lat_GN"'
)


def urbact_row(
    code, name, city, country, y, x, role, years, net, start, end, theme, lau2, umz, gn, lng, lat
) -> str:
    return (
        f'"{code}";"{name}";"{city}";"{country}";"Europe";"Southern Europe";{y};{x};"{role}";'
        f'"http://example.org";{years};"{theme}";"Things<U+00A0>";"{net}";"A project";"IT";NA;'
        f'"Closed";{start};{end};"{theme}";{lau2};"1";"Zone";{umz};"{gn}";"{name}";{lng};{lat}'
    )


# fmt: off
URBACT_ROWS = [
    urbact_row("1", "Portoa", "PT1", "PT", "41,15", "-8,62", "Partner", 2016,
               "2nd Try <U+00A0>", 2015, 2018, "Governance", 237000, 1100000, "1111", "-8,6",
               "41,1"),
    urbact_row("2", "Portoa", "PT1", "PT", "41,15", "-8,62", "Lead Partner", 2016,
               "Old Net", 2008, 2010, "Economy", 237000, 1100000, "1111", "-8,6", "41,1"),
    urbact_row("2", "Berlina", "DE3", "DE", "52,5", "13,4", "Partner", 2017, "Old Net", 2008,
               2010, "Economy", 3382000, "NA", "2222", "13,41", "52,52"),
    urbact_row("2", "Berlina", "DE3", "DE", "52,5", "13,4", "Lead Partner", 2017, "Old Net",
               2008, 2010, "Economy", 3382000, "NA", "2222", "13,41", "52,52"),
    urbact_row("1", "Morna", "FR20", "FR", "48,7", "0,86", "Partner", 2016, "2nd Try <U+00A0>",
               2015, 2018, "Governance", "NA", 17000, "GN00", "NA", "NA"),
    urbact_row("3", "Londra", "UK5", "UK", "51,5", "-0,12", "Lead Partner", 2016, "New Net",
               2015, "NA", "Inclusion", 8000000, 9000000, "3333", "-0,13", "51,51"),
]
# fmt: on


def write_urbact(tmp_path: Path, rows=URBACT_ROWS, header=URBACT_HEADER):
    path = tmp_path / "urbact.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return {URBACT_FILE: path}


def test_urbact_tables(tmp_path: Path) -> None:
    result = parse_urbact(write_urbact(tmp_path))
    for table, df in result.tables.items():
        validate_table(SPECS["urbact"], table, df)
    m = result.tables["mentions"].set_index("mention_id")
    assert sorted(m.index) == ["urbact:DE3", "urbact:FR20", "urbact:PT1", "urbact:UK5"]
    assert m.loc["urbact:PT1", ["lon", "lat"]].tolist() == [-8.6, 41.1]  # GeoNames coords
    assert m.loc["urbact:FR20", ["lon", "lat"]].tolist() == [0.86, 48.7]  # geocode fallback
    assert m.loc["urbact:UK5", "country_iso3"] == "GBR"
    assert m.loc["urbact:DE3", "population"] == 3382000.0
    assert pd.isna(m.loc["urbact:FR20", "population"])

    ms = result.tables["memberships"].set_index("mention_id")
    assert set(ms["network"]) == {"urbact"} and set(ms["network_type"]) == {"general"}
    assert ms["join_year"].to_dict() == {
        "urbact:DE3": 2008,
        "urbact:FR20": 2015,
        "urbact:PT1": 2008,
        "urbact:UK5": 2015,
    }
    assert ms.loc["urbact:DE3", "observed_year"] == 2017

    projects = result.tables["urbact_projects"]
    berlin = projects[projects["mention_id"] == "urbact:DE3"]
    assert berlin[["project_code", "role"]].values.tolist() == [[2, "lead_partner"]]
    assert set(projects["project_name"]) == {"2nd Try", "Old Net", "New Net"}
    assert projects.loc[projects["mention_id"] == "urbact:UK5", "end_year"].isna().all()

    gn = result.tables["mention_geonames"].set_index("mention_id")["geonameid"].to_dict()
    assert gn == {"urbact:PT1": 1111, "urbact:DE3": 2222, "urbact:UK5": 3333}  # GN00 missing

    cm = result.tables["city_measures"]
    got = {(r.mention_id, r.measure, r.year): r.value for r in cm.itertuples()}
    assert got[("urbact:FR20", "population_urban_zone", 2011)] == 17000.0
    assert ("urbact:FR20", "population_lau2", 2015) not in got
    assert ("urbact:DE3", "population_urban_zone", 2011) not in got

    audit = result.audit.to_frame()
    assert audit[["step", "rows_in", "rows_out", "rows_dropped", "reason"]].values.tolist() == [
        [
            "participations",
            6,
            5,
            1,
            "duplicate city in the same project (lead-partner row kept)",
        ]
    ]


def test_urbact_bad_input(tmp_path: Path) -> None:
    with pytest.raises(RawInputError, match=re.escape(URBACT_FILE) + r".*'Start\.x'"):
        parse_urbact(write_urbact(tmp_path, header=URBACT_HEADER.replace("Start.x", "Begin")))
    rows = [URBACT_ROWS[0].replace("-8,6;41,1", "-8.6.1;41,1")]
    with pytest.raises(
        RawInputError, match=re.escape(URBACT_FILE) + ", column 'lng_GN', value '-8.6.1'"
    ):
        parse_urbact(write_urbact(tmp_path, rows=rows))


# --------------------------------------------------------------------------- typology

TYPO_HEADER = (
    "iso_a2;name_long;continent;region_un;subregion;type;area_km2;pop;lifeExp;gdpPercap;"
    "LocGovType_HorizontalPwrRelation;LocGovType_VerticalPwrRelation;"
    "LocGovType_PoliticalLeadership;LocGovTyp_EasternEurope;LocGovType_MunicipalAdmin;"
    "LAI14;LAI10;LAI00;LAI90;MeanLAI_9014"
)
TYPO_ROWS = [
    "IE;Ireland;Europe;Europe;Northern Europe;Sovereign country;1,5;10;80,1;1000,5;"
    "Council-Manager Form;AngloType;Ceremonial Mayors;OutsideTypology;Anglo Saxon;"
    "12,5;13;13,25;10;12,19",
    "XK;Kosovo;Europe;Europe;Southern Europe;Sovereign country;1;1;70;10;OutsideTypology;"
    "OutsideTypology;OutsideTypology;OutsideTypology;OutsideTypology;;;;;",
    "PL;Poland;Europe;Europe;Eastern Europe;Sovereign country;1;1;70;10;Strong Mayor Form;"
    "East-Central European Group;Executive Mayors;Type1;Central Eastern European;26;26;25;;25,67",
]


def write_typology(tmp_path: Path, rows=TYPO_ROWS, header=TYPO_HEADER):
    path = tmp_path / "typology.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return {TYPOLOGY_FILE: path}


def test_typology_table(tmp_path: Path) -> None:
    result = parse_typology(write_typology(tmp_path))
    table = result.tables["local_government_typology"]
    validate_table(SPECS["local_gov_typology"], "local_government_typology", table)
    t = table.set_index("country_iso3")
    assert list(t.index) == ["IRL", "XKX", "POL"]
    assert t.loc["IRL", "horizontal_power_relation"] == "Council-Manager Form"
    assert pd.isna(t.loc["IRL", "eastern_europe_type"])  # OutsideTypology
    assert t.loc["POL", "eastern_europe_type"] == "Type1"
    assert t.loc["IRL", ["lai_1990", "lai_2000", "lai_2014"]].tolist() == [10.0, 13.25, 12.5]
    assert pd.isna(t.loc["POL", "lai_1990"]) and t.loc["POL", "lai_mean_1990_2014"] == 25.67
    assert t.loc["XKX"].drop("country_name").isna().all()
    audit = result.audit.to_frame()
    assert audit[["rows_in", "rows_out", "reason"]].values.tolist() == [[3, 3, "none"]]


def test_typology_bad_input(tmp_path: Path) -> None:
    rows = [TYPO_ROWS[0].replace("Anglo Saxon", "Angle Saxon")]
    with pytest.raises(RawInputError, match=r"column 'LocGovType_MunicipalAdmin'"):
        parse_typology(write_typology(tmp_path, rows=rows))
    rows = [TYPO_ROWS[0].replace("12,5;13;", "12.5.1;13;")]
    with pytest.raises(
        RawInputError, match=re.escape(TYPOLOGY_FILE) + ", column 'LAI14', value '12.5.1'"
    ):
        parse_typology(write_typology(tmp_path, rows=rows))
    rows = [TYPO_ROWS[0].replace("IE;Ireland", "IS;Ireland")]
    with pytest.raises(RawInputError, match=r"column 'iso_a2', value 'IS'"):
        parse_typology(write_typology(tmp_path, rows=rows))
