"""Regression tables rendered from tidy model results (coefficients.csv + fit.json).

Only the tidy outputs of the estimation layer are read, never model objects, so a table can be
rebuilt without re-estimating anything. Rendering is deterministic: the same inputs give
byte-identical Markdown, LaTeX and HTML.

Layout (one table per hypothesis):

* columns are models, numbered (1), (2), ... in reading order, headed by the model label and an
  "Outcome" row (the outcome label);
* models are grouped into sub-tables by their `panel` (in order of first appearance), each with
  its own header; one panel (or none) gives a single table;
* rows are terms in order of first appearance among that panel's models, labelled by
  `term_label`; the intercept (term "Intercept") goes last, or is omitted with
  ``intercept="omit"`` (the note then says so);
* each coefficient is "estimate + stars" with "(standard error)" on a second row; a model without
  the term has empty cells;
* footer rows per model: N, Estimator, Fixed effects, Std. errors, Small-sample correction,
  Clusters, then R², Within R², Pseudo R² and Log-likelihood where at least one model of the
  panel reports them (empty cells where a model does not);
* a note defines the stars, says standard errors are in parentheses, gives the sample(s) and
  ends with `fit["note"]` if present.

Numbers: estimates, standard errors and R² use 3 decimals; a non-zero value that would show as
0.000 is written in scientific notation with 3 significant digits instead (``4.99e-04`` in
Markdown, ``4.99\\times 10^{-4}`` in LaTeX, ``4.99&times;10<sup>-4</sup>`` in HTML). N and cluster counts use thousands separators;
log-likelihoods use 1 decimal with thousands separators. Stars: * p<0.10, ** p<0.05,
*** p<0.01 (no stars when the p-value is missing).

LaTeX output is a `table` float (label ``tab:<hypothesis>``) that needs ``\\usepackage{booktabs}``.
HTML output is a self-contained fragment (a <div> with a scoped <style>), pure ASCII with
non-ASCII characters as character references.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

Format = Literal["md", "tex", "html"]

INTERCEPT = "Intercept"
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
REQUIRED_COLUMNS: tuple[str, ...] = (
    "model",
    "term",
    "term_label",
    "estimate",
    "std_error",
    "p_value",
)
SUFFIXES: dict[str, str] = {"md": ".md", "tex": ".tex", "html": ".html"}


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Num:
    """A formatted number: `mantissa` (with sign and separators) and an optional power of ten."""

    mantissa: str
    exponent: int | None = None

    def md(self) -> str:
        if self.exponent is None:
            return self.mantissa
        sign = "-" if self.exponent < 0 else "+"
        return f"{self.mantissa}e{sign}{abs(self.exponent):02d}"

    def tex(self) -> str:
        """The number as LaTeX math-mode content (without the dollars)."""
        text = self.mantissa.replace(",", "{,}")
        if self.exponent is not None:
            text += rf"\times 10^{{{self.exponent}}}"
        return text

    def html(self) -> str:
        text = self.mantissa.replace("-", "&minus;")
        if self.exponent is not None:
            exp = str(self.exponent).replace("-", "&minus;")
            text += f"&times;10<sup>{exp}</sup>"
        return text


def format_number(value: float, decimals: int = 3) -> Num | None:
    """`value` with `decimals` decimals, or 3 significant digits in scientific notation when a
    non-zero value would otherwise print as zero. None for missing or non-finite values."""
    if _missing(value):
        return None
    x = float(value)
    if not math.isfinite(x):
        return None
    text = f"{x:,.{decimals}f}"
    if x != 0 and float(text.replace(",", "")) == 0:
        mantissa, exp = f"{x:.2e}".split("e")
        return Num(mantissa, int(exp))
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")  # never "-0.000"
    return Num(text)


def format_count(value: object) -> str:
    """An integer count with thousands separators ("" when missing)."""
    if _missing(value):
        return ""
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def stars(p_value: object) -> str:
    """Significance stars: * p<0.10, ** p<0.05, *** p<0.01; "" when p is missing."""
    if _missing(p_value):
        return ""
    p = float(p_value)  # type: ignore[arg-type]
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


# --------------------------------------------------------------------------------------------
# format-neutral table model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coef:
    """A coefficient cell: estimate and its stars (none on a degenerate fit, which gets a
    dagger and the table a footnote instead: a separation artefact is not significant)."""

    estimate: Num
    stars: str
    degenerate: bool = False


@dataclass(frozen=True)
class SE:
    """A standard-error cell, shown in parentheses."""

    value: Num


@dataclass(frozen=True)
class Text:
    """Plain text (escaped per format)."""

    text: str


@dataclass(frozen=True)
class Label:
    """A row label with a per-format spelling (e.g. R² in LaTeX is $R^2$)."""

    md: str
    tex: str
    html: str


Cell = Coef | SE | Text | Num | Label | None


@dataclass
class Panel:
    title: str
    numbers: list[int]
    labels: list[str]
    outcomes: list[str]
    body: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    footer: list[tuple[Cell, list[Cell]]] = field(default_factory=list)


@dataclass
class TableModel:
    hypothesis: str
    title: str
    panels: list[Panel]
    notes: list[Cell]  # sentences, rendered in order
    intercept_omitted: bool = False


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _validate(coefs: pd.DataFrame, fit: dict[str, Any]) -> list[dict[str, Any]]:
    missing = [c for c in REQUIRED_COLUMNS if c not in coefs.columns]
    if missing:
        raise ValueError(
            "coefficients table lacks required column(s): " + ", ".join(repr(c) for c in missing)
        )
    models = fit.get("models")
    if not isinstance(models, list) or not models:
        raise ValueError("fit.json has no 'models' list")
    for i, m in enumerate(models):
        for key in ("model", "label"):
            if key not in m:
                raise ValueError(f"fit.json models[{i}] lacks required key {key!r}")
    ids = [str(m["model"]) for m in models]
    if len(set(ids)) != len(ids):
        raise ValueError(f"fit.json lists a model twice: {ids}")
    hyp = fit.get("hypothesis")
    if hyp is not None and "hypothesis" in coefs.columns and len(coefs):
        other = sorted({str(h) for h in coefs["hypothesis"].dropna()} - {str(hyp)})
        if other:
            raise ValueError(f"coefficients include hypothesis {other} but fit.json is for {hyp!r}")
    unknown = sorted({str(m) for m in coefs["model"]} - set(ids))
    if unknown:
        raise ValueError(f"coefficients name model(s) not in fit.json: {unknown}")
    dup = coefs.assign(model=coefs["model"].astype(str), term=coefs["term"].astype(str))
    dup = dup[dup.duplicated(["model", "term"], keep=False)]
    if len(dup):
        pairs = sorted(set(zip(dup["model"], dup["term"], strict=True)))
        raise ValueError(f"coefficients repeat (model, term) pairs: {pairs}")
    return models


def _r2_label(kind: str) -> Label:
    prefix = {"r2": "", "r2_within": "Within ", "pseudo_r2": "Pseudo "}[kind]
    return Label(md=f"{prefix}R²", tex=f"{prefix}$R^2$", html=f"{prefix}R<sup>2</sup>")


def build_table(
    coefs: pd.DataFrame, fit: dict[str, Any], *, intercept: Literal["last", "omit"] = "last"
) -> TableModel:
    """The format-neutral table (panels, rows, cells, notes) for one hypothesis."""
    if intercept not in ("last", "omit"):
        raise ValueError(f"intercept must be 'last' or 'omit', not {intercept!r}")
    models = _validate(coefs, fit)
    coefs = coefs.assign(model=coefs["model"].astype(str), term=coefs["term"].astype(str))

    panel_order: list[str] = []
    by_panel: dict[str, list[dict[str, Any]]] = {}
    for m in models:
        name = _text(m.get("panel"))
        if name not in by_panel:
            panel_order.append(name)
            by_panel[name] = []
        by_panel[name].append(m)

    number_of: dict[str, int] = {}
    panels: list[Panel] = []
    degenerate: list[str] = []  # "(n) term: reason" of every degenerate coefficient
    for name in panel_order:
        ms = by_panel[name]
        for m in ms:
            number_of[str(m["model"])] = len(number_of) + 1
        ids = [str(m["model"]) for m in ms]
        panel = Panel(
            title=name,
            numbers=[number_of[i] for i in ids],
            labels=[_text(m.get("label")) for m in ms],
            outcomes=[_text(m.get("outcome_label") or m.get("outcome")) for m in ms],
        )
        rows = coefs[coefs["model"].isin(ids)]
        terms: dict[str, str] = {}
        for term, label in zip(rows["term"], rows["term_label"], strict=True):
            if term not in terms:
                terms[term] = _text(label) or term
        order = [t for t in terms if t != INTERCEPT]
        if INTERCEPT in terms and intercept == "last":
            order.append(INTERCEPT)
        lookup = {(r.model, r.term): r for r in rows.itertuples(index=False)}
        bad = {str(m["model"]): _degenerate_cells(m) for m in ms}
        for term in order:
            est_cells: list[Cell] = []
            se_cells: list[Cell] = []
            for i in ids:
                r = lookup.get((i, term))
                est = None if r is None else format_number(r.estimate)
                se = None if r is None else format_number(r.std_error)
                if est is not None and term in bad[i]:
                    degenerate.append(f"({number_of[i]}) {terms[term]}: {bad[i][term]}")
                    est_cells.append(Coef(est, "", degenerate=True))
                else:
                    est_cells.append(None if est is None else Coef(est, stars(r.p_value)))
                se_cells.append(None if se is None else SE(se))
            panel.body.append((Text(terms[term]), est_cells))
            panel.body.append((None, se_cells))
        panel.footer = _footer(ms, coefs)
        panels.append(panel)

    notes: list[Cell] = [
        Label(
            md="* p<0.10, ** p<0.05, *** p<0.01.",
            tex=r"$^{*}\,p<0.10$, $^{**}\,p<0.05$, $^{***}\,p<0.01$.",
            html="* p&lt;0.10, ** p&lt;0.05, *** p&lt;0.01.",
        ),
        Text("Standard errors in parentheses."),
    ]
    if degenerate:
        notes.append(
            Label(
                md="† Degenerate estimate (no stars): " + escape_md("; ".join(degenerate)) + ".",
                tex=r"$^{\dagger}$ Degenerate estimate (no stars): "
                + escape_tex("; ".join(degenerate))
                + ".",
                html="&dagger; Degenerate estimate (no stars): "
                + html.escape("; ".join(degenerate))
                + ".",
            )
        )
    if intercept == "omit" and (coefs["term"] == INTERCEPT).any():
        notes.append(Text("Intercepts not shown."))
    samples: dict[str, list[int]] = {}
    for m in models:
        s = _text(m.get("sample")).strip()
        if s:
            samples.setdefault(s, []).append(number_of[str(m["model"])])
    if len(samples) == 1:
        notes.append(Text(_sentence("Sample: " + next(iter(samples)))))
    elif samples:
        parts = [
            ", ".join(f"({n})" for n in sorted(nums)) + ": " + s.rstrip(".")
            for s, nums in samples.items()
        ]
        notes.append(Text("Samples: " + "; ".join(parts) + "."))
    if _text(fit.get("note")).strip():
        notes.append(Text(_sentence(_text(fit["note"]).strip())))

    return TableModel(
        hypothesis=_text(fit.get("hypothesis")),
        title=_text(fit.get("title")),
        panels=panels,
        notes=notes,
        intercept_omitted=intercept == "omit",
    )


def _degenerate_cells(m: dict[str, Any]) -> dict[str, str]:
    """{term: reason} of a model's coefficients shown without stars: every degenerate term,
    and the focal term of a model flagged degenerate as a whole (e.g. a separated main effect
    voids its interaction)."""
    out = dict(m.get("degenerate_terms") or {})
    if m.get("degenerate") and m.get("focal"):
        out.setdefault(str(m["focal"]), str(m.get("degenerate_reason") or "degenerate fit"))
    return out


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _footer(ms: list[dict[str, Any]], coefs: pd.DataFrame) -> list[tuple[Cell, list[Cell]]]:
    def n_obs(m: dict[str, Any]) -> str:
        if not _missing(m.get("n_obs")):
            return format_count(m["n_obs"])
        if "n_obs" in coefs.columns:
            vals = coefs.loc[coefs["model"] == str(m["model"]), "n_obs"].dropna()
            if len(vals):
                return format_count(vals.iloc[0])
        return ""

    def fixed_effects(m: dict[str, Any]) -> str:
        label = _text(m.get("fixed_effects_label"))
        if label:
            return label
        fe = m.get("fixed_effects")
        if isinstance(fe, list):
            return ", ".join(map(str, fe)) if fe else "None"
        return _text(fe)

    rows: list[tuple[Cell, list[Cell]]] = [
        (Label("N", "$N$", "N"), [Text(n_obs(m)) for m in ms]),
        (
            Text("Estimator"),
            [Text(_text(m.get("estimator_label") or m.get("estimator"))) for m in ms],
        ),
        (Text("Fixed effects"), [Text(fixed_effects(m)) for m in ms]),
        (Text("Std. errors"), [Text(_text(m.get("vcov_label") or m.get("vcov"))) for m in ms]),
        (Text("Small-sample correction"), [Text(_text(m.get("small_sample"))) for m in ms]),
        (Text("Clusters"), [Text(format_count(m.get("n_clusters"))) for m in ms]),
    ]
    for kind in ("r2", "r2_within", "pseudo_r2"):
        vals = [format_number(m.get(kind)) for m in ms]
        if any(v is not None for v in vals):
            rows.append((_r2_label(kind), list(vals)))
    ll = [m.get("loglik") for m in ms]
    if any(not _missing(v) and math.isfinite(float(v)) for v in ll):
        rows.append((Text("Log-likelihood"), [format_number(v, decimals=1) for v in ll]))
    return rows


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "·": r"\textperiodcentered{}",
    "²": r"\textsuperscript{2}",
    "—": "---",
    "\u2013": "--",  # en dash
    "\u00d7": r"$\times$",  # multiplication sign
    "≤": r"$\leq$",
    "≥": r"$\geq$",
}


def escape_tex(text: str) -> str:
    """`text` with LaTeX special characters (\\ & % $ # _ { } ~ ^ < >) escaped."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def escape_md(text: str) -> str:
    """One Markdown table cell: whitespace folded, pipes and "<" (raw HTML) escaped."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "\\<")


def _hypothesis_name(hyp: str) -> str:
    return hyp.upper() if len(hyp) <= 4 else hyp


def _cell_md(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Coef):
        return cell.estimate.md() + cell.stars + ("†" if cell.degenerate else "")
    if isinstance(cell, SE):
        return f"({cell.value.md()})"
    if isinstance(cell, Num):
        return cell.md()
    if isinstance(cell, Label):
        return cell.md
    return escape_md(cell.text)


def _cell_tex(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Coef):
        sup = ""
        mark = cell.stars or (r"\dagger" if cell.degenerate else "")
        if mark:  # after a power of ten, a plain ^ would be a double superscript
            sup = ("\\,{}" if cell.estimate.exponent is not None else "") + f"^{{{mark}}}"
        return f"${cell.estimate.tex()}{sup}$"
    if isinstance(cell, SE):
        return f"$({cell.value.tex()})$"
    if isinstance(cell, Num):
        return f"${cell.tex()}$"
    if isinstance(cell, Label):
        return cell.tex
    return escape_tex(" ".join(cell.text.split()))


def _cell_html(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Coef):
        return cell.estimate.html() + cell.stars + ("&dagger;" if cell.degenerate else "")
    if isinstance(cell, SE):
        return f"({cell.value.html()})"
    if isinstance(cell, Num):
        return cell.html()
    if isinstance(cell, Label):
        return cell.html
    return html.escape(" ".join(cell.text.split()))


def _title_text(t: TableModel) -> str:
    hyp = _hypothesis_name(t.hypothesis)
    if hyp and t.title:
        return f"Table {hyp}. {t.title}"
    return f"Table {hyp}" if hyp else t.title


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_md(t: TableModel) -> str:
    out: list[str] = []
    title = _title_text(t)
    if title:
        out += [f"**{escape_md(title)}**", ""]
    for p in t.panels:
        if p.title:
            out += [f"_{escape_md(p.title)}_", ""]
        k = len(p.numbers)
        out.append(_md_row(["", *[f"({n})" for n in p.numbers]]))
        out.append("|:---|" + ":---:|" * k)
        out.append(_md_row(["Model", *map(escape_md, p.labels)]))
        if any(p.outcomes):
            out.append(_md_row(["Outcome", *map(escape_md, p.outcomes)]))
        for label, cells in p.body + p.footer:
            out.append(_md_row([_cell_md(label), *map(_cell_md, cells)]))
        out.append("")
    out.append("_Notes:_ " + " ".join(_cell_md(n) for n in t.notes))
    return "\n".join(out) + "\n"


def render_tex(t: TableModel) -> str:
    k = max(len(p.numbers) for p in t.panels)
    ncol = k + 1

    def row(cells: Sequence[str]) -> str:
        cells = list(cells) + [""] * (ncol - len(cells))
        return " & ".join(cells).rstrip() + r" \\"

    out = [
        "% Generated from tidy model results by analysis/report/tables.py; requires \\usepackage{booktabs}.",
        r"\begin{table}[htbp]",
        r"\centering",
    ]
    if t.title:
        out.append(rf"\caption{{{escape_tex(t.title)}}}")
    if t.hypothesis:
        key = re.sub(r"[^A-Za-z0-9:.-]+", "-", t.hypothesis)
        out.append(rf"\label{{tab:{key}}}")
    out += [r"\small", rf"\begin{{tabular}}{{@{{}}l*{{{k}}}{{c}}@{{}}}}", r"\toprule"]
    for i, p in enumerate(t.panels):
        if i:
            out += [r"\midrule", r"\addlinespace"]
        n = len(p.numbers)
        if p.title:
            out.append(rf"\multicolumn{{{ncol}}}{{@{{}}l}}{{\textit{{{escape_tex(p.title)}}}}} \\")
            out.append(r"\addlinespace")
        out.append(row(["", *[f"({x})" for x in p.numbers]]))
        out.append(row(["", *map(escape_tex, p.labels)]))
        if any(p.outcomes):
            out.append(row(["Outcome", *map(escape_tex, p.outcomes)]))
        out.append(rf"\cmidrule(l){{2-{n + 1}}}")
        for label, cells in p.body:
            out.append(row([_cell_tex(label), *map(_cell_tex, cells)]))
        out.append(r"\midrule")
        for label, cells in p.footer:
            out.append(row([_cell_tex(label), *map(_cell_tex, cells)]))
    out += [r"\bottomrule", r"\end{tabular}", r"\par\smallskip"]
    notes = " ".join(_cell_tex(n) for n in t.notes)
    out += [
        r"\begin{minipage}{\linewidth}\footnotesize",
        rf"\textit{{Notes:}} {notes}",
        r"\end{minipage}",
        r"\end{table}",
    ]
    return "\n".join(out) + "\n"


_HTML_STYLE = (
    ".regtable{font-family:Georgia,'Times New Roman',serif;font-size:0.95em;margin:1em 0}"
    ".regtable table{border-collapse:collapse;margin-bottom:1em}"
    ".regtable caption{font-weight:bold;text-align:left;padding-bottom:0.4em}"
    ".regtable thead tr:first-child th{border-top:2px solid #000}"
    ".regtable thead tr:last-child th{border-bottom:1px solid #000}"
    ".regtable th,.regtable td{padding:0.15em 0.8em;text-align:center;vertical-align:top}"
    ".regtable th:first-child,.regtable td:first-child{text-align:left}"
    ".regtable th.panel{text-align:left;font-style:italic;font-weight:normal}"
    ".regtable tbody.fit tr:first-child td{border-top:1px solid #000}"
    ".regtable tbody.fit tr:last-child td{border-bottom:2px solid #000}"
    ".regtable td.se{color:#333;padding-bottom:0.35em}"
    ".regtable p.notes{font-size:0.85em;max-width:50em}"
)


def render_html(t: TableModel) -> str:
    out = [f'<div class="regtable" id="table-{html.escape(t.hypothesis)}">']
    out.append(f"<style>{_HTML_STYLE}</style>")
    title = _title_text(t)
    for i, p in enumerate(t.panels):
        n = len(p.numbers)
        out.append("<table>")
        if i == 0 and title:
            out.append(f"<caption>{html.escape(title)}</caption>")
        out.append("<thead>")
        if p.title:
            out.append(f'<tr><th class="panel" colspan="{n + 1}">{html.escape(p.title)}</th></tr>')
        out.append("<tr><th></th>" + "".join(f"<th>({x})</th>" for x in p.numbers) + "</tr>")
        out.append(
            "<tr><th></th>" + "".join(f"<th>{html.escape(x)}</th>" for x in p.labels) + "</tr>"
        )
        if any(p.outcomes):
            out.append(
                "<tr><th>Outcome</th>"
                + "".join(f"<th>{html.escape(x)}</th>" for x in p.outcomes)
                + "</tr>"
            )
        out.append("</thead>")
        out.append("<tbody>")
        for label, cells in p.body:
            cls = ' class="se"' if label is None else ""
            tds = "".join(f"<td{cls}>{_cell_html(c)}</td>" for c in cells)
            out.append(f"<tr><td>{_cell_html(label)}</td>{tds}</tr>")
        out.append("</tbody>")
        out.append('<tbody class="fit">')
        for label, cells in p.footer:
            tds = "".join(f"<td>{_cell_html(c)}</td>" for c in cells)
            out.append(f"<tr><td>{_cell_html(label)}</td>{tds}</tr>")
        out.append("</tbody>")
        out.append("</table>")
    notes = " ".join(_cell_html(n) for n in t.notes)
    out.append(f'<p class="notes"><em>Notes:</em> {notes}</p>')
    out.append("</div>")
    text = "\n".join(out) + "\n"
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


_RENDERERS: dict[str, Callable[[TableModel], str]] = {
    "md": render_md,
    "tex": render_tex,
    "html": render_html,
}


def render_table(
    coefs: pd.DataFrame,
    fit: dict[str, Any],
    fmt: Format,
    *,
    intercept: Literal["last", "omit"] = "last",
) -> str:
    """The regression table for one hypothesis as Markdown, LaTeX or HTML text.

    `coefs` is the tidy coefficients table (row order = model order then term order), `fit` the
    parsed fit.json. Raises ValueError when a required column or key is missing, when `coefs`
    names a model fit.json does not list, or repeats a (model, term) pair.
    """
    if fmt not in _RENDERERS:
        raise ValueError(f"fmt must be one of {sorted(_RENDERERS)}, not {fmt!r}")
    return _RENDERERS[fmt](build_table(coefs, fit, intercept=intercept))


def read_coefficients(path: Path) -> pd.DataFrame:
    """coefficients.csv with text columns as strings (so term "NA" stays "NA")."""
    return pd.read_csv(
        path,
        dtype={"hypothesis": str, "model": str, "label": str, "term": str, "term_label": str},
        keep_default_na=False,
        na_values=[""],
    )


def write_tables(
    coefficients_csv: Path,
    fit_json: Path,
    out_stem: Path,
    *,
    intercept: Literal["last", "omit"] = "last",
) -> list[Path]:
    """Write `<out_stem>.md`, `.tex` and `.html` (suffix appended to the stem's name, parents
    created) and return the three paths in that order."""
    coefs = read_coefficients(Path(coefficients_csv))
    fit = json.loads(Path(fit_json).read_text(encoding="utf-8"))
    model = build_table(coefs, fit, intercept=intercept)
    out_stem = Path(out_stem)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt, suffix in SUFFIXES.items():
        path = out_stem.parent / (out_stem.name + suffix)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(_RENDERERS[fmt](model))
        paths.append(path)
    return paths
