"""Regression tables rendered from tidy results: layout, stars, blanks, footers, escaping."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.report.tables import format_count, format_number, render_table, stars, write_tables

COLUMNS = [
    "hypothesis",
    "model",
    "label",
    "term",
    "term_label",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "ci_low",
    "ci_high",
    "n_obs",
    "estimator",
    "vcov",
    "backend",
]


def _row(model: str, term: str, term_label: str, est: float, se: float, p: float, n: int) -> dict:
    return {
        "hypothesis": "h2",
        "model": model,
        "label": {"m1": "GaWC 2020", "m2": "Degree", "m3": "Any membership"}[model],
        "term": term,
        "term_label": term_label,
        "estimate": est,
        "std_error": se,
        "statistic": est / se,
        "p_value": p,
        "ci_low": est - 1.96 * se,
        "ci_high": est + 1.96 * se,
        "n_obs": n,
        "estimator": "poisson",
        "vcov": "cluster",
        "backend": "statsmodels",
    }


@pytest.fixture
def coefs() -> pd.DataFrame:
    rows = [
        _row("m1", "gawc_z", "GaWC connectivity (std.)", 0.4321, 0.2, 0.04, 702),
        _row("m1", "log_pop", "Log population", 1.5, 0.1, 0.0001, 702),
        _row("m1", "Intercept", "Intercept", -2.0, 0.5, 0.2, 702),
        _row("m2", "gawc_z", "GaWC connectivity (std.)", 0.00004, 0.00001, 0.08, 1234),
        _row("m2", "share_x", "Share of <pop> & more", -0.25, 0.1, 0.5, 1234),
        _row("m3", "gawc_z", "GaWC connectivity (std.)", -0.25, 0.05, 0.009, 5000),
        _row("m3", "Intercept", "Intercept", 0.1, 0.05, 0.3, 5000),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _model(model: str, **over: Any) -> dict[str, Any]:
    base = {
        "model": model,
        "label": "GaWC 2020",
        "panel": "A. Network memberships (count)",
        "outcome": "n_networks",
        "outcome_label": "Networks (count)",
        "estimator": "poisson",
        "estimator_label": "Poisson (MLE)",
        "backend": "statsmodels",
        "fixed_effects": ["country_iso3"],
        "fixed_effects_label": "Country",
        "vcov": "cluster",
        "vcov_label": "Clustered by country_iso3 (62 clusters)",
        "small_sample": "CR1: G/(G-1)·(N-1)/(N-K)",
        "n_obs": 702,
        "n_clusters": 62,
        "r2": None,
        "r2_within": None,
        "pseudo_r2": 0.2345,
        "loglik": -1234.567,
        "aic": 2473.1,
        "sample": "cities with GaWC 2020 connectivity, year 2020",
    }
    base.update(over)
    return base


@pytest.fixture
def fit() -> dict[str, Any]:
    return {
        "hypothesis": "h2",
        "title": "Economic centrality and network participation",
        "note": "Connectivity is standardized; 100% of cities <in> the sample.",
        "models": [
            _model("m1"),
            _model(
                "m2",
                label="Degree",
                estimator="ols",
                estimator_label="OLS",
                fixed_effects=[],
                fixed_effects_label="None",
                vcov="hc1",
                vcov_label="Heteroskedasticity-robust (HC1)",
                small_sample=None,
                n_obs=1234,
                n_clusters=None,
                r2=0.5,
                pseudo_r2=None,
                loglik=None,
            ),
            _model(
                "m3",
                label="Any membership",
                panel="B. Any membership (0/1)",
                outcome="any_network",
                outcome_label="Any network (0/1)",
                estimator="logit",
                estimator_label="Logit (MLE)",
                n_obs=5000,
                pseudo_r2=0.1,
                loglik=-300.0,
                sample="all cities, year 2020",
            ),
        ],
    }


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _panel(md: str, index: int) -> list[str]:
    """The lines of the index-th Markdown sub-table."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in _lines(md):
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables[index]


# --- numbers and stars --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0001, "***"),
        (0.0099, "***"),
        (0.01, "**"),
        (0.04, "**"),
        (0.05, "*"),
        (0.0999, "*"),
        (0.10, ""),
        (0.5, ""),
        (float("nan"), ""),
        (None, ""),
    ],
)
def test_stars(p: float | None, expected: str) -> None:
    assert stars(p) == expected


@pytest.mark.parametrize(
    ("value", "md"),
    [
        (0.4321, "0.432"),
        (-2.0, "-2.000"),
        (0.0, "0.000"),
        (1234.5678, "1,234.568"),
        (0.0001234, "1.23e-04"),
        (-0.00004, "-4.00e-05"),
        (0.0004, "4.00e-04"),  # would print as 0.000
        (0.0005, "0.001"),
    ],
)
def test_format_number_never_shows_nonzero_as_zero(value: float, md: str) -> None:
    num = format_number(value)
    assert num is not None
    assert num.md() == md


def test_format_number_missing_and_counts() -> None:
    assert format_number(float("nan")) is None
    assert format_number(math.inf) is None
    assert format_count(1234567) == "1,234,567"
    assert format_count(None) == ""


# --- layout -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_renders_all_formats_with_two_panels(
    coefs: pd.DataFrame, fit: dict[str, Any], fmt: str
) -> None:
    text = render_table(coefs, fit, fmt)  # type: ignore[arg-type]
    for needle in ["(1)", "(2)", "(3)", "GaWC 2020", "Degree", "Any membership", "Log population"]:
        assert needle in text
    assert "A. Network memberships (count)" in text
    assert "B. Any membership (0/1)" in text
    assert text.index("A. Network") < text.index("B. Any membership (0/1)")
    assert text.endswith("\n")
    assert render_table(coefs, fit, fmt) == text  # type: ignore[arg-type]


def test_markdown_cells_stars_and_blanks(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    md = render_table(coefs, fit, "md")
    a, b = _panel(md, 0), _panel(md, 1)
    assert a[0] == "|  | (1) | (2) |"
    assert "| Model | GaWC 2020 | Degree |" in a
    assert "| Outcome | Networks (count) | Networks (count) |" in a
    # p = 0.04 -> **, p = 0.08 -> *, tiny estimate in scientific notation
    i = a.index("| GaWC connectivity (std.) | 0.432** | 4.00e-05* |")
    assert a[i + 1] == "|  | (0.200) | (1.00e-05) |"
    # a term the first model lacks, and one the second lacks: empty cells
    i = a.index("| Share of \\<pop> & more |  | -0.250 |")
    assert a[i + 1] == "|  |  | (0.100) |"
    assert "| Log population | 1.500*** |  |" in a
    # intercept last among the coefficient rows
    assert a.index("| Intercept | -2.000 |  |") > a.index("| Share of \\<pop> & more |  | -0.250 |")
    # panel B has its own header and its own terms only
    assert b[0] == "|  | (3) |"
    assert "| GaWC connectivity (std.) | -0.250*** |" in b
    assert not any("Log population" in line for line in b)


def test_markdown_footer_rows(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    md = render_table(coefs, fit, "md")
    a, b = _panel(md, 0), _panel(md, 1)
    assert "| N | 702 | 1,234 |" in a
    assert "| N | 5,000 |" in b
    assert "| Estimator | Poisson (MLE) | OLS |" in a
    assert "| Fixed effects | Country | None |" in a
    assert (
        "| Std. errors | Clustered by country_iso3 (62 clusters) | Heteroskedasticity-robust (HC1) |"
        in a
    )
    assert "| Small-sample correction | CR1: G/(G-1)·(N-1)/(N-K) |  |" in a
    assert "| Clusters | 62 |  |" in a
    assert "| R² |  | 0.500 |" in a
    assert "| Pseudo R² | 0.234 |  |" in a
    assert "| Log-likelihood | -1,234.6 |  |" in a
    assert not any(line.startswith("| R² ") for line in b)  # no model in panel B has R²
    assert not any("Within R²" in line for line in a + b)
    # footer follows the coefficients
    assert a.index("| N | 702 | 1,234 |") > a.index("|  | (0.500) |  |")


def test_notes(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    md = render_table(coefs, fit, "md")
    note = _lines(md)[-1]
    assert note.startswith("_Notes:_ * p<0.10, ** p<0.05, *** p<0.01.")
    assert "Standard errors in parentheses." in note
    assert "(1), (2): cities with GaWC 2020 connectivity, year 2020" in note
    assert "(3): all cities, year 2020" in note
    assert "Connectivity is standardized" in note
    fit2 = copy.deepcopy(fit)
    del fit2["note"]
    for m in fit2["models"]:
        m["sample"] = "all cities"
    note2 = _lines(render_table(coefs, fit2, "md"))[-1]
    assert "Sample: all cities." in note2
    assert "Connectivity" not in note2


def test_intercept_can_be_omitted(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    md = render_table(coefs, fit, "md", intercept="omit")
    assert "| Intercept |" not in md
    assert "Intercepts not shown." in md


def test_latex_booktabs_and_escapes(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    tex = render_table(coefs, fit, "tex")
    for cmd in [r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}", r"\label{tab:h2}"]:
        assert cmd in tex
    assert r"country\_iso3" in tex
    assert "country_iso3" not in tex
    assert r"100\% of cities" in tex
    assert r"Share of \textless{}pop\textgreater{} \& more" in tex
    lines = _lines(tex)
    i = lines.index(r"GaWC connectivity (std.) & $0.432^{**}$ & $4.00\times 10^{-5}\,{}^{*}$ \\")
    assert lines[i + 1] == r" & $(0.200)$ & $(1.00\times 10^{-5})$ \\"
    assert r"Share of \textless{}pop\textgreater{} \& more &  & $-0.250$ \\" in lines
    assert r"$N$ & 702 & 1,234 \\" in lines
    assert r"Pseudo $R^2$ & $0.234$ & \\" in lines
    # every row of the tabular has the same number of columns (max models per panel + 1)
    body = lines[lines.index(r"\toprule") + 1 : lines.index(r"\bottomrule")]
    for line in body:
        if line.endswith(r"\\") and not line.startswith(r"\multicolumn"):
            assert line.count(" & ") == 2, line


def test_html_escapes_and_structure(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    html = render_table(coefs, fit, "html")
    assert "Share of &lt;pop&gt; &amp; more" in html
    assert "<pop>" not in html
    assert "&lt;in&gt;" in html and "<in>" not in html
    assert html.count("<table>") == 2 and html.count("</table>") == 2
    assert "<td>0.432**</td>" in html
    assert '<td class="se">(0.200)</td>' in html
    assert "<tr><td>N</td><td>702</td><td>1,234</td></tr>" in html
    assert html.isascii()


def test_write_tables_is_deterministic(
    tmp_path: Path, coefs: pd.DataFrame, fit: dict[str, Any]
) -> None:
    csv = tmp_path / "coefficients.csv"
    coefs.to_csv(csv, index=False)
    fit_json = tmp_path / "fit.json"
    fit_json.write_text(json.dumps(fit), encoding="utf-8")
    first = write_tables(csv, fit_json, tmp_path / "a" / "h2")
    second = write_tables(csv, fit_json, tmp_path / "b" / "h2")
    assert [p.name for p in first] == ["h2.md", "h2.tex", "h2.html"]
    for p, q in zip(first, second, strict=True):
        assert p.read_bytes() == q.read_bytes()
        assert p.stat().st_size > 0
    assert first[0].read_text(encoding="utf-8") == render_table(coefs, fit, "md")


# --- errors -------------------------------------------------------------------------------


def test_missing_column_is_named(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="'std_error'"):
        render_table(coefs.drop(columns=["std_error"]), fit, "md")


def test_unknown_model_and_format_rejected(coefs: pd.DataFrame, fit: dict[str, Any]) -> None:
    fit2 = copy.deepcopy(fit)
    fit2["models"] = fit2["models"][:2]
    with pytest.raises(ValueError, match="m3"):
        render_table(coefs, fit2, "md")
    with pytest.raises(ValueError, match="fmt"):
        render_table(coefs, fit, "docx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="repeat"):
        render_table(pd.concat([coefs, coefs.head(1)]), fit, "md")


def test_model_without_coefficients_gets_blank_column(
    coefs: pd.DataFrame, fit: dict[str, Any]
) -> None:
    md = render_table(coefs[coefs["model"] != "m2"], fit, "md")
    a = _panel(md, 0)
    assert "| GaWC connectivity (std.) | 0.432** |  |" in a
    assert "| N | 702 | 1,234 |" in a
