"""One registry of hypothesis modules, discovered like the sources (no hand list)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import pytest

import analysis.hypotheses as H
from analysis.hypotheses.frames import frame_def
from analysis.report.render import figure_names


def test_every_hypothesis_has_one_module_with_the_interface() -> None:
    found = {m.HYPOTHESIS: m.__name__.rsplit(".", 1)[1] for m in H.modules()}
    assert found == {
        "h1": "h1_defiance",
        "h2": "h2_centrality",
        "h3": "h3_norm",
        "h4": "h4_alignment",
        "h5": "h5_economy",
    }
    for module in H.modules():
        assert module.FRAMES and module.FIGURES, module.__name__
        assert callable(module.figure_data)
        for name, render in module.FIGURES.items():
            assert name.startswith(f"{module.HYPOTHESIS}_")
            assert list(inspect.signature(render).parameters) == [
                "models_dir",
                "out_stem",
                "figures",
            ]


def test_frames_and_figures_come_from_the_modules() -> None:
    assert frame_def("h2_cities").build.__module__ == "analysis.hypotheses.cross_section"
    assert frame_def("h1_defiance") is H.module_of("h1").FRAMES["h1_defiance"]
    assert figure_names("h2") == ["h2_centrality_networks", "h2_coef_centrality"]
    assert H.module_file("h2") == ["analysis/hypotheses/h2_centrality.py"]
    assert H.module_of("h9") is None and H.module_file("h9") == []


def test_a_second_module_for_one_hypothesis_is_refused(monkeypatch) -> None:
    twin = types.ModuleType("analysis.hypotheses.h2_twin")
    twin.HYPOTHESIS = "h2"
    iter_modules, import_module = pkgutil.iter_modules, importlib.import_module
    monkeypatch.setattr(
        pkgutil,
        "iter_modules",
        lambda path: [*iter_modules(path), types.SimpleNamespace(name="h2_twin")],
    )
    monkeypatch.setattr(
        importlib,
        "import_module",
        lambda name: twin if name.endswith("h2_twin") else import_module(name),
    )
    H.modules.cache_clear()
    try:
        with pytest.raises(ValueError, match="'h2' defined twice"):
            H.modules()
    finally:
        monkeypatch.undo()
        H.modules.cache_clear()
