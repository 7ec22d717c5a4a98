"""Figures from tidy inputs: both files written, byte-identical reruns, clear column errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import figures as F

NOTE = "Source: synthetic test data."


def _coefs() -> pd.DataFrame:
    models = [("m1", "GaWC 2020"), ("m2", "Degree"), ("m3", "Eigenvector")]
    rows = []
    for i, (model, label) in enumerate(models):
        for term, est in (("centrality_z", 0.3 - 0.2 * i), ("log_pop", 0.8)):
            rows.append(
                {
                    "hypothesis": "h2",
                    "model": model,
                    "label": label,
                    "term": term,
                    "term_label": {
                        "centrality_z": "Centrality (std.)",
                        "log_pop": "Log population",
                    }[term],
                    "estimate": est,
                    "std_error": 0.1,
                    "p_value": 0.03,
                    "ci_low": est - 0.2,
                    "ci_high": est + 0.2,
                }
            )
    return pd.DataFrame(rows)


def _points() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    x = rng.lognormal(2, 1, 60)
    y = np.log(x) + rng.normal(0, 0.3, 60)
    labels = [""] * 60
    for i in np.argsort(-y)[:4]:
        labels[i] = f"City {i}"
    labels[0] = "Shanghai"
    return pd.DataFrame({"x": x, "y": y, "highlight": np.arange(60) % 7 == 0, "label": labels})


def _curve() -> pd.DataFrame:
    x = np.geomspace(0.5, 80, 25)
    fit = np.log(x)
    return pd.DataFrame({"x": x, "fit": fit, "ci_low": fit - 0.2, "ci_high": fit + 0.2})


def _es() -> pd.DataFrame:
    t = np.arange(-4, 4)
    est = np.where(t >= 0, 0.3, 0.02 * t)
    es = pd.DataFrame({"rel_time": t, "estimate": est, "ci_low": est - 0.1, "ci_high": est + 0.1})
    es.loc[es["rel_time"] == -1, ["estimate", "ci_low", "ci_high"]] = [0.0, np.nan, np.nan]
    return es


def _specs(n: int = 1000) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    est = rng.normal(0.2, 0.1, n)
    return pd.DataFrame(
        {
            "estimate": est,
            "ci_low": est - 0.15,
            "ci_high": est + 0.15,
            "significant": est - 0.15 > 0,
            "outcome": rng.choice(["count", "any"], n),
            "sample": rng.choice(["all", "Europe", "no capitals"], n),
            "vcov": rng.choice(["HC1", "cluster"], n),
        }
    )


# name -> (function, input frames by keyword/position, required columns per input)
Call = Callable[[dict[str, pd.DataFrame], Path], list[Path]]


def _coef_plot(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.coef_plot(
        d["coefs"],
        ["centrality_z", "log_pop"],
        stem,
        "Centrality across measures",
        NOTE,
        "Coefficient (log points per s.d.)",
    )


def _scatter(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.scatter_fit(
        d["points"],
        d["curve"],
        stem,
        x_label="GaWC connectivity (index, log scale)",
        y_label="Network memberships (log count)",
        highlight_label="Chinese cities",
        title="Connectivity and memberships",
        source_note=NOTE,
        logx=True,
    )


def _line(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.line_with_band(
        d["curve"],
        stem,
        x_label="Population (millions)",
        y_label="Predicted probability",
        title="Predicted probability of membership",
        source_note=NOTE,
        group_col="group",
    )


def _event(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.event_study(
        d["es"],
        stem,
        title="Climate pledges after the announcement",
        source_note=NOTE,
        y_label="Effect on pledges (count)",
    )


def _category(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.category_bars(
        d["df"],
        stem,
        x_label="Partisan alignment (mayor, national government)",
        y_label="Predicted probability",
        title="Membership by alignment",
        source_note=NOTE,
    )


def _ranked(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.ranked_bars(
        d["df"],
        stem,
        value_label="Network memberships (count)",
        title="Most connected cities",
        source_note=NOTE,
        top=12,
    )


def _spec(d: dict[str, pd.DataFrame], stem: Path) -> list[Path]:
    return F.spec_curve(
        d["specs"],
        stem,
        title="Specification curve",
        source_note=NOTE,
        y_label="Coefficient on centrality (per s.d.)",
        choices=["outcome", "sample", "vcov"],
    )


def _inputs() -> dict[str, dict[str, pd.DataFrame]]:
    curve = _curve()
    groups = pd.concat(
        [curve.assign(group="Capital"), curve.assign(group="Other", fit=curve["fit"] - 1)]
    )
    cats = pd.DataFrame(
        {
            "category": [
                "Both left",
                "Both right",
                "Mayor left, national right",
                "Mayor right, national left",
            ],
            "estimate": [0.42, 0.31, 0.55, 0.28],
        }
    ).assign(ci_low=lambda d: d["estimate"] - 0.06, ci_high=lambda d: d["estimate"] + 0.08)
    ranked = pd.DataFrame(
        {
            "name": [f"City {i:02d}" for i in range(20)],
            "value": [float((i * 37) % 23) for i in range(20)],
            "highlight": [i % 5 == 0 for i in range(20)],
        }
    )
    return {
        "coef_plot": {"coefs": _coefs()},
        "scatter_fit": {"points": _points(), "curve": curve},
        "line_with_band": {"curve": groups},
        "event_study": {"es": _es()},
        "category_bars": {"df": cats},
        "ranked_bars": {"df": ranked},
        "spec_curve": {"specs": _specs()},
    }


CASES: dict[str, tuple[Call, dict[str, list[str]]]] = {
    "coef_plot": (
        _coef_plot,
        {"coefs": ["model", "label", "term", "estimate", "ci_low", "ci_high"]},
    ),
    "scatter_fit": (
        _scatter,
        {"points": ["x", "y", "highlight", "label"], "curve": ["x", "fit", "ci_low", "ci_high"]},
    ),
    "line_with_band": (_line, {"curve": ["x", "fit", "ci_low", "ci_high", "group"]}),
    "event_study": (_event, {"es": ["rel_time", "estimate", "ci_low", "ci_high"]}),
    "category_bars": (_category, {"df": ["category", "estimate", "ci_low", "ci_high"]}),
    "ranked_bars": (_ranked, {"df": ["name", "value", "highlight"]}),
    "spec_curve": (
        _spec,
        {"specs": ["estimate", "ci_low", "ci_high", "significant", "outcome", "sample", "vcov"]},
    ),
}


@pytest.fixture(scope="module")
def inputs() -> dict[str, dict[str, pd.DataFrame]]:
    return _inputs()


@pytest.mark.parametrize("name", list(CASES))
def test_writes_png_and_pdf_deterministically(
    name: str, inputs: dict[str, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    call, _ = CASES[name]
    first = call(inputs[name], tmp_path / "a" / f"fig.{name}")
    second = call(inputs[name], tmp_path / "b" / f"fig.{name}")
    assert [p.name for p in first] == [f"fig.{name}.png", f"fig.{name}.pdf"]
    png, pdf = (p.read_bytes() for p in first)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert b"Matplotlib" not in png and b"CreationDate" not in pdf  # no version, no timestamp
    for p, q in zip(first, second, strict=True):
        assert p.read_bytes() == q.read_bytes(), f"{p.name} differs between two runs"


MISSING = [
    (name, key, column)
    for name, (_, required) in CASES.items()
    for key, cols in required.items()
    for column in cols
]


@pytest.mark.parametrize(("name", "key", "column"), MISSING)
def test_missing_column_named(
    name: str, key: str, column: str, inputs: dict[str, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    call, _ = CASES[name]
    frames: dict[str, Any] = dict(inputs[name])
    frames[key] = frames[key].drop(columns=[column])
    with pytest.raises(ValueError, match=f"'{column}'"):
        call(frames, tmp_path / "fig")
    assert not (tmp_path / "fig.png").exists()


def test_event_study_rejects_nonzero_reference(tmp_path: Path) -> None:
    es = _es()
    es.loc[es["rel_time"] == -1, "estimate"] = 0.5
    with pytest.raises(ValueError, match="reference period"):
        F.event_study(es, tmp_path / "es", title="t", source_note=NOTE, y_label="y (count)")


def test_title_and_source_note_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="source_note"):
        F.category_bars(
            _inputs()["category_bars"]["df"],
            tmp_path / "c",
            x_label="x",
            y_label="y",
            title="t",
            source_note="",
        )


def test_boolean_columns_from_csv_text(tmp_path: Path) -> None:
    csv = tmp_path / "flags.csv"
    csv.write_text("a,b,c\nTrue,true,1\nFalse,,0\nTrue,yes,\n", encoding="utf-8")
    df = pd.read_csv(csv)
    for col in "abc":
        assert F.as_bool(df[col], col, "test").tolist() == [True, False, col != "c"]
    with pytest.raises(ValueError, match="'highlight'"):
        F.as_bool(pd.Series(["maybe"]), "highlight", "ranked_bars")
