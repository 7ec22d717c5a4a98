"""The reviewer's map is derived from what frames read and what code imports, not a hand list."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.hypotheses import frames as F
from analysis.models.framedef import FrameDef, build_once
from analysis.report import provenance as P
from tests.conftest import ROOT


def test_deferred_imports_are_in_the_graph():
    """h4_alignment.py imports the RD module inside a function; the graph must still see it."""
    found = P.module_imports(P.PKG / "hypotheses/h4_alignment.py")
    assert P.PKG / "models/rd.py" in found
    closure = P.code_closure([P.PKG / "hypotheses/h1_defiance.py"])
    assert {
        "analysis/hypotheses/h1_acts.py",
        "analysis/hypotheses/h1_panel.py",
        "analysis/sources/climactor.py",  # the network types H1's acts read
    } <= set(closure)
    assert "analysis/report/tables.py" not in closure
    assert not any(f.startswith("analysis/figures/") for f in closure)  # renderers get it passed in


def test_frame_code_credits_the_hypothesis_module():
    """H2's frame is built by the shared cross-section; its figure data by its own module."""
    from analysis.models.spec import load_spec

    code = {p.name for p in P.frame_code(load_spec(ROOT / "config/models/h2.yaml"))}
    assert code == {"cross_section.py", "h2_centrality.py"}


def test_module_imports_reads_both_import_forms(tmp_path, monkeypatch):
    pkg = tmp_path / "analysis"
    (pkg / "sub").mkdir(parents=True)
    for f in ("a.py", "b.py", "c.py", "sub/__init__.py", "sub/d.py"):
        (pkg / f).write_text("")
    (pkg / "a.py").write_text(
        "from analysis.b import x\n"
        "def f():\n    from analysis import c\n    from analysis.sub import d\n"
        "import os\nfrom pandas import DataFrame\n"
    )
    monkeypatch.setattr(P, "PKG", pkg)
    got = {p.relative_to(pkg).as_posix() for p in P.module_imports(pkg / "a.py")}
    assert got == {"b.py", "c.py", "sub/__init__.py", "sub/d.py"}  # a package's __init__ runs


def _log_gdp_frame(t, keep: str) -> pd.DataFrame:
    """A toy builder: city ids, log GDP per capita and one column passed through."""
    out = t["city_year"].copy()
    out["log_gdp_pc"] = np.log(out["gdp_pc_usd"])
    return out[["city_id", "log_gdp_pc", keep]]


def test_frame_reads_records_what_the_builder_uses(monkeypatch):
    table = pd.DataFrame({"city_id": [1, 2], "gdp_pc_usd": [1e3, 2e3], "unused": [0, 1],
                          "v2x_polyarchy": [0.5, 0.7]})  # fmt: skip

    def build(t):
        return _log_gdp_frame(t, "v2x_polyarchy")

    fd = FrameDef(("city_year",), build, ("city_id",), "toy")
    monkeypatch.setattr(F, "frame_def", lambda name: fd)
    monkeypatch.setattr(F, "read_tables", lambda d, names: {"city_year": table})
    reads, columns = P.frame_reads("toy", ROOT)
    assert reads == {"city_year": {"city_id", "gdp_pc_usd", "v2x_polyarchy"}}
    assert "unused" not in reads["city_year"] and columns[1] == "log_gdp_pc"


def test_fit_build_records_the_same_reads_and_gives_the_plain_frame(monkeypatch, tmp_path):
    """build_frame(reads=...), as the fit job calls it, returns the frame a plain build gives
    (a plain DataFrame, same values) and records what frame_reads traces; the JSON record
    reads back to the same."""
    import json

    from analysis.models.readtrace import from_record, reads_record

    table = pd.DataFrame({"city_id": [1, 2], "gdp_pc_usd": [1e3, 2e3], "unused": [0, 1],
                          "v2x_polyarchy": [0.5, 0.7]})  # fmt: skip

    def build(t):
        out = _log_gdp_frame(t, "v2x_polyarchy")
        out.attrs["countries"] = {"control": ["AUS"]}  # design facts the fit publishes
        return out

    fd = FrameDef(("city_year",), build, ("city_id",), "toy")
    monkeypatch.setattr(F, "frame_def", lambda name: fd)
    monkeypatch.setattr(F, "read_tables", lambda d, names: {"city_year": table})
    plain = F.build_frame("toy", tmp_path)
    reads: dict = {}
    recorded = F.build_frame("toy", tmp_path, reads=reads)
    assert type(recorded) is pd.DataFrame
    pd.testing.assert_frame_equal(recorded, plain)
    assert recorded.attrs == plain.attrs == {"countries": {"control": ["AUS"]}}
    assert reads == {"toy": P.frame_reads("toy", tmp_path)}
    assert from_record(json.loads(json.dumps(reads_record(reads)))) == reads


@pytest.mark.pipeline
def test_real_map_credits_what_h1_reads(pipeline_results):
    m = pd.read_csv(pipeline_results / "reviewer_map.csv")
    h1 = m[m["spec"] == "config/models/h1.yaml"].iloc[0]
    sources = set(h1["sources"].split(", "))
    # log GDP per capita (World Bank); the opportunity set: Paris, nuclear and NATO status
    assert {"worldbank", "paris_agreement", "nuclear_weapons", "intl_groups"} <= sources
    assert "analysis/hypotheses/h1_acts.py" in h1["code"]
    assert "analysis/hypotheses/h1_defiance.py" in h1["code"]
    assert (m["output"] == "results/models/h1/frames/*.parquet").any()


@pytest.mark.pipeline
def test_fit_records_equal_tracing_in_the_map(pipeline_results):
    """The reviewer's map credits each hypothesis's sources from the reads its fit job
    recorded; rebuilding the frames with recording tables (the by-hand road) gives the same
    reads, and a map without records traces them itself."""
    import json

    from analysis.core.config import load_config
    from analysis.models.readtrace import from_record
    from analysis.models.spec import load_spec

    universe = load_config(ROOT / "config/config.yaml")["models"]["universe"]
    hyps = ["h1", "h4"]
    for h in hyps:
        path = pipeline_results / f"cache/frame_reads/{h}.json"
        recorded = from_record(json.loads(path.read_text()))
        spec = load_spec(ROOT / f"config/models/{h}.yaml")
        assert recorded == P.traced_reads(spec, pipeline_results / "data", universe)
        assert any(reads for reads, _ in recorded.values())
    specs = [f"config/models/{h}.yaml" for h in hyps]
    # without records, the map rebuilds every frame to trace it (the by-hand road)
    traced = P.reviewer_map(pipeline_results, ROOT / "config/models", hyps, {}, universe)
    traced = traced.groupby("spec")["sources"].agg(set)
    published = pd.read_csv(pipeline_results / "reviewer_map.csv").groupby("spec")["sources"]
    assert all(published.agg(set)[s] == traced[s] != {""} for s in specs)
    mapped = P.reviewer_map(
        pipeline_results, ROOT / "config/models", hyps, {}, universe, {"h1": {"f": ({}, [])}}
    )
    by_spec = mapped.groupby("spec")["sources"].agg(set)
    assert by_spec[specs[0]] == {""}  # the record is what the map uses
    assert by_spec[specs[1]] == traced[specs[1]]  # traced here


def test_sources_of_a_frame_built_from_another_equal_building_each_alone(monkeypatch):
    """A hypothesis whose second frame is built from its first (build_once) credits the same
    sources as tracing each frame with its own full build."""
    table = pd.DataFrame({"city_id": [1, 2], "gdp_pc_usd": [1e3, 2e3], "v2x_polyarchy": [0.5, 0.7],
                          "wup_pop": [1.0, 2.0]})  # fmt: skip

    def cities(t):
        return _log_gdp_frame(t, "wup_pop")

    def stacked(t):
        c = build_once(cities, t)
        return pd.concat([c.assign(kind=0), c.assign(kind=1)], ignore_index=True)

    defs = {"cities": FrameDef(("city_year",), cities, ("city_id",), "toy"),
            "stacked": FrameDef(("city_year",), stacked, ("city_id", "kind"), "toy")}  # fmt: skip
    monkeypatch.setattr(F, "frame_def", lambda name: defs[name])
    monkeypatch.setattr(F, "read_tables", lambda d, names: {"city_year": table})
    monkeypatch.setattr(P.pq, "read_schema", lambda path: pa.schema(
        [(c, pa.float64()) for c in table.columns]))  # fmt: skip
    index = ({"gdp_pc_usd": {"worldbank"}, "wup_pop": {"un_wup2018"}}, {}, {})
    spec = SimpleNamespace(frames=["stacked", "cities"], models=[], robustness=None)
    alone: set[str] = set()
    for name in spec.frames:  # each frame traced by itself, built in full
        alone |= P.hypothesis_sources(SimpleNamespace(**{**vars(spec), "frames": [name]}),
                                      ROOT, index)  # fmt: skip
    assert P.hypothesis_sources(spec, ROOT, index) == alone == {"worldbank", "un_wup2018"}
