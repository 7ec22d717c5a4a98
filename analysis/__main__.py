"""Command-line entry points: `python -m analysis <command> ...`.

Snakemake rules call these (or the functions behind them); they are also handy by hand.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    # In a pipeline run, the job server (analysis/workflow/jobserver.py) runs the command in a
    # fork whose libraries are already imported. Hand it over before importing anything else:
    # this process only waits for the exit code (~0.01 s of CPU less in each of ~110 jobs).
    from analysis.workflow.jobclient import delegate

    _code = delegate(sys.argv[1:])
    if _code is not None:
        sys.exit(_code)

import argparse
import logging
from pathlib import Path

from analysis.core.errors import PipelineError
from analysis.core.log import setup_logging

log = logging.getLogger("citydip")

DEFAULT_CONFIG = "config/config.yaml"


def _cfg(args: argparse.Namespace) -> dict:
    """The configuration a command runs with.

    Pipeline jobs get the slice Snakemake resolved (config file + `--config`/`--configfile`)
    as `--settings` JSON and never open a config file; by hand, `--config FILE` is read.
    """
    if getattr(args, "settings", None) is not None:
        import json

        return json.loads(args.settings)
    from analysis.core.config import load_config

    return load_config(args.config)


def _verify_raw(cfg: dict, command: str, *paths: str) -> None:
    """Verification at use for commands that read a raw file directly (not via a parser)."""
    from analysis.acquire.fetch import verify_at_use
    from analysis.acquire.manifest import by_file, load_manifest

    raw_dir = Path(cfg["raw"]["dir"])
    files = {Path(p).relative_to(raw_dir).as_posix(): Path(p) for p in paths}
    verify_at_use(files, by_file(load_manifest(cfg["raw"]["manifest"])), command)


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        help="config file to read when --settings is not given (commands run by hand)",
    )
    p.add_argument(
        "--settings",
        default=None,
        help="JSON slice of the resolved configuration (what pipeline jobs pass)",
    )


def _build_manifest(args: argparse.Namespace) -> None:
    from analysis.acquire.manifest_build import build_manifest

    n = build_manifest(Path(args.mirror), Path(args.out))
    log.info(f"wrote {n} entries to {args.out}")


def _acquire(args: argparse.Namespace) -> None:
    from analysis.acquire.fetch import (
        acquire_if_needed,
        read_records,
        resolve_mirror,
        write_records,
    )
    from analysis.acquire.manifest import load_manifest

    cfg = _cfg(args)
    entries = load_manifest(cfg["raw"]["manifest"])
    if args.topic:
        entries = [e for e in entries if e.topic == args.topic]
        if not entries:
            raise PipelineError(f"no manifest entry has topic {args.topic!r}")
    mirror = resolve_mirror(cfg["raw"]["mirror"])
    dl = cfg["raw"]["download"]
    previous = read_records(Path(args.records)) if args.records else {}
    records = []
    for entry in entries:
        rec, fetched = acquire_if_needed(
            entry,
            Path(cfg["raw"]["dir"]),
            mirror,
            previous,
            retries=dl["retries"],
            timeout=dl["timeout_s"],
        )
        records.append(rec)
        how = f"{rec.origin} {rec.source} ->" if fetched else "kept (present and verified)"
        log.info(f"{how} {rec.file}: {rec.bytes} bytes, sha256 {rec.sha256}")
    if args.records:
        write_records(records, Path(args.records))


def _acquisition_report(args: argparse.Namespace) -> None:
    from analysis.acquire.manifest import load_manifest
    from analysis.acquire.raw_report import acquisition_report

    raw = _cfg(args)["raw"]
    report = acquisition_report(
        load_manifest(raw["manifest"]), [Path(p) for p in args.records], Path(raw["dir"])
    )
    bad = report.loc[~report["verified"], "file"].tolist()
    if bad:
        raise PipelineError(f"raw files missing or differing from the manifest: {', '.join(bad)}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report.to_csv(args.out, index=False, lineterminator="\n")
    log.info(f"{len(report)} raw files verified -> {args.out}")


def _parse(args: argparse.Namespace) -> None:
    from analysis.acquire.manifest import by_file, load_manifest
    from analysis.sources import find_spec
    from analysis.sources.common.runner import run_source, write_source

    cfg = _cfg(args)
    try:
        spec = find_spec(args.source, args.module)
    except KeyError as exc:
        raise PipelineError(str(exc.args[0])) from exc
    manifest = by_file(load_manifest(cfg["raw"]["manifest"]))
    parsed = run_source(spec, Path(cfg["raw"]["dir"]), manifest)
    for table, path in write_source(spec, parsed, Path(cfg["results_dir"])).items():
        log.info(f"{spec.name}: {table}: {len(parsed.tables[table])} rows -> {path}")


def _combine_audits(args: argparse.Namespace) -> None:
    from analysis.core.audit import combine_audits, write_audit

    frame = write_audit(combine_audits([Path(p) for p in args.audits]), Path(args.out))
    log.info(f"{len(frame)} audit rows from {len(args.audits)} source(s) -> {args.out}")


def _gazetteer(args: argparse.Namespace) -> None:
    from analysis.resolve.gazetteer import KIND_RANK, write_gazetteer

    _verify_raw(_cfg(args), "gazetteer", args.admin1)
    table = write_gazetteer(args.out, args.admin1)
    names = table.loc[table["rank"] < KIND_RANK["admin1"], "geonameid"]
    log.info(f"gazetteer: {names.nunique()} places, {len(names)} names -> {args.out}")


def _match(args: argparse.Namespace) -> None:
    import time

    from analysis.core.tableio import read_table
    from analysis.resolve.gazetteer import load_gazetteer
    from analysis.resolve.lau import build_layer
    from analysis.resolve.lau_file import read_layer
    from analysis.resolve.stage import (
        city_table,
        match_all,
        mention_cities,
        read_mentions,
        summarize,
    )

    cfg = _cfg(args)
    _verify_raw(cfg, "match", args.admin1)
    matching = dict(cfg["matching"])
    per_source = matching.pop("per_source", {})
    gaz = load_gazetteer(args.gazetteer, args.admin1)
    mentions = read_mentions([Path(p) for p in args.mentions])
    t0 = time.perf_counter()
    if args.lau_layer:  # built by the lau-layer job while the sources were parsed
        layer = read_layer(Path(args.lau_layer))
    else:
        layer = build_layer(read_table(args.lau), gaz) if args.lau else None
    layer_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    matches = match_all(mentions, gaz, matching, per_source, lau_layer=layer)
    seconds = time.perf_counter() - t0
    summary = summarize(matches, mentions)
    for path in (args.out_matches, args.out_unmatched, args.out_summary, args.out_joins):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    matches.to_csv(args.out_matches, index=False, lineterminator="\n")
    unmatched = matches[matches["city_id"].isna() & (matches["method"] != "admin1")]
    unmatched.to_csv(args.out_unmatched, index=False, lineterminator="\n")
    summary.to_csv(args.out_summary, index=False, lineterminator="\n")
    mention_cities(matches).to_parquet(args.out_joins, index=False)
    if args.out_cities:
        city_table(matches, gaz, layer).to_parquet(args.out_cities, index=False)
    log.info(summary.to_string(index=False))
    log.info(f"LAU layer {'read' if args.lau_layer else 'built'} in {layer_seconds:.2f} s")
    log.info(
        f"matched {len(matches)} mentions in {seconds:.2f} s ({len(matches) / seconds:,.0f}/s)"
    )


def _lau_layer(args: argparse.Namespace) -> None:
    from analysis.core.tableio import read_table
    from analysis.resolve.gazetteer import load_gazetteer
    from analysis.resolve.lau import build_layer
    from analysis.resolve.lau_file import write_layer

    _verify_raw(_cfg(args), "lau-layer", args.admin1)
    gaz = load_gazetteer(args.gazetteer, args.admin1)
    layer = build_layer(read_table(args.lau), gaz)
    write_layer(layer, Path(args.out))
    linked = int((layer.units["geonameid"] >= 0).sum())
    log.info(f"{len(layer.units):,} LAU units ({linked:,} linked to GeoNames) -> {args.out}")


def _assemble(args: argparse.Namespace) -> None:
    import pandas as pd

    from analysis.core.audit import write_audit
    from analysis.core.tableio import read_table
    from analysis.panel.assemble import MAYOR_CONFLICTS, PanelSpec, run_assembly
    from analysis.resolve.gazetteer import load_gazetteer

    panel = _cfg(args)["panel"]
    spec = PanelSpec(
        panel["first_year"],
        panel["last_year"],
        panel["min_city_population"],
        panel["min_us_city_population"],
        attribute_sources=tuple(panel["attribute_sources"]),
        country_columns=tuple(panel["country_columns"]),
        city_measures=tuple(panel["city_measures"]),
        universe_measure=panel.get("universe_measure"),
        universe_min_population=panel.get("universe_min_population", 0),
    )
    gaz = load_gazetteer(args.gazetteer)
    joins = read_table(args.joins)
    places = gaz.cities
    if args.cities:  # LAU-only cities (analysis.resolve.lau) join the GeoNames places
        from analysis.resolve.stage import lau_gazetteer_rows

        extra = lau_gazetteer_rows(read_table(args.cities))
        places = pd.concat([places, extra[places.columns.intersection(extra.columns)]])
    tables, audit = run_assembly([Path(p) for p in args.tables], joins, places, spec)
    from analysis.core.tableio import write_tables

    conflicts = tables.pop(MAYOR_CONFLICTS, None)
    if args.mayor_conflicts:
        out = Path(args.mayor_conflicts)
        out.parent.mkdir(parents=True, exist_ok=True)
        frame = conflicts if conflicts is not None else pd.DataFrame()
        frame.to_csv(out, index=False, lineterminator="\n")
    write_tables(tables, Path(args.out_dir), threads=args.threads)
    for name, df in tables.items():
        log.info(f"{name}: {len(df):,} rows x {df.shape[1]} columns")
    write_audit(audit, Path(args.audit))


def _country_pairs(args: argparse.Namespace) -> None:
    from analysis.core.tableio import read_table, write_table
    from analysis.panel.country_pairs import build_country_pairs

    pairs = build_country_pairs(read_table(args.cepii), read_table(args.trade))
    write_table(pairs, Path(args.out_dir), "country_pairs")
    log.info(f"country_pairs: {len(pairs):,} rows, {int(pairs['trade_in_panel'].sum()):,} in Yotov")


def _codebook(args: argparse.Namespace) -> None:
    from analysis.acquire.manifest import load_manifest
    from analysis.core.tableio import read_table
    from analysis.panel.codebook import (
        codebook_markdown,
        datapackage,
        describe,
        load_meta,
        write_datapackage,
    )

    meta = load_meta()
    tables = {Path(p).stem: read_table(p) for p in args.tables}
    tables = {t: tables[t] for t in meta["tables"] if t in tables}
    desc = describe(tables, meta)  # once for both outputs (key checks and coverage)
    Path(args.codebook).write_text(codebook_markdown(tables, meta, desc), encoding="utf-8")
    sources = [
        {"title": e.citation, "path": e.url, "license": e.license}
        for e in load_manifest(args.manifest)
    ]
    write_datapackage(datapackage(tables, meta, sources, desc), Path(args.datapackage))
    log.info(
        f"documented {sum(df.shape[1] for df in tables.values())} columns of {len(tables)} tables"
    )


def _validate_gawc2000(args: argparse.Namespace) -> None:
    from analysis.core.tableio import read_table
    from analysis.panel.validation import gawc2000_check

    table = gawc2000_check(read_table(args.mentions), read_table(args.measures))
    table.to_csv(args.out, index=False, lineterminator="\n")
    log.info(table.to_string(index=False))


def _readme(args: argparse.Namespace) -> None:
    """Regenerate the generated blocks of the README and of the docs/ pages it links to (each
    block lives in whichever of these files holds its markers)."""
    from analysis.acquire.manifest import load_manifest
    from analysis.acquire.raw_report import data_availability_markdown, splice_readme

    path = Path(args.readme)
    pages = [path, *sorted((path.parent / "docs").glob("*.md"))]
    old = {p: p.read_text(encoding="utf-8") for p in pages}
    new = dict(old)

    def splice(text: str, block: str) -> None:
        marker = f"<!-- {block}:start -->"
        page = next((p for p in pages if marker in new[p]), path)
        new[page] = splice_readme(new[page], text, block)

    splice(data_availability_markdown(load_manifest(args.manifest)), "data-availability")
    from analysis.report.perf import perf_markdown

    splice(perf_markdown(Path(args.benchmarks)), "perf")
    if args.results:
        from analysis.panel.coverage import coverage_markdown, match_summary_markdown

        results = Path(args.results)
        splice(
            match_summary_markdown(results / "audit" / "city_match_summary.csv"), "match-summary"
        )
        splice(coverage_markdown(results / "data"), "coverage")
        from analysis.report.match_gaps import match_gaps_markdown

        splice(match_gaps_markdown(results / "audit"), "match-gaps")
        from analysis.report.findings import findings_markdown

        hyps = _cfg(args)["models"]["hypotheses"]
        splice(findings_markdown(results / "models", hyps), "findings")
        review = (results / "reviewer_map.md").read_text(encoding="utf-8")
        # Disk sizes stay in results/reviewer_map.md: they shift by bytes with float formatting.
        review = "".join(line for line in review.splitlines(True) if not line.startswith("Disk:"))
        splice(review, "reviewer-map")
    stale = [page for page in pages if new[page] != old[page]]
    names = ", ".join(str(page) for page in stale)
    if args.check:
        if stale:
            raise PipelineError(
                f"{names} out of date with the pipeline outputs; run "
                f"`python -m analysis readme{' --results ' + args.results if args.results else ''}`"
            )
        log.info(f"{path} and docs/ are up to date")
        return
    for page in stale:
        page.write_text(new[page], encoding="utf-8")
    log.info(f"updated the generated blocks in {names or 'nothing (all up to date)'}")


def _fit(args: argparse.Namespace) -> None:
    from analysis.core.preflight import check_writable
    from analysis.hypotheses.fit import run_fit

    cfg = _cfg(args)
    check_writable([args.out])  # before minutes of fitting, not after
    summary = run_fit(
        Path(args.spec),
        Path(args.data),
        Path(args.out),
        cfg["covariates"],
        universe=cfg["models"]["universe"],
        reads_out=Path(args.reads) if args.reads else None,
    )
    for m in summary["models"]:
        log.info(f"{m['model']}: {m['estimator']} ({m['backend']}), N={m['n_obs']:,}")


def _robustness(args: argparse.Namespace) -> None:
    from analysis.core.preflight import check_writable
    from analysis.hypotheses.robust import run_robustness

    cfg = _cfg(args)
    check_writable([args.out])
    out = run_robustness(
        Path(args.spec),
        Path(args.data),
        Path(args.out),
        cfg["covariates"],
        args.workers,
        universe=cfg["models"]["universe"],
        frames_dir=Path(args.frames) if args.frames else None,
    )
    log.info(out.get("curve", {}))


def _render_spec_curve(args: argparse.Namespace) -> None:
    from analysis.report.render import render_spec_curve

    for path in render_spec_curve(args.hypothesis, Path(args.robustness), Path(args.out_stem)):
        log.info(f"wrote {path}")


def _render_design_figure(args: argparse.Namespace) -> None:
    from analysis.report.design_figures import render_design_figure

    for path in render_design_figure(
        args.hypothesis, args.kind, Path(args.robustness), Path(args.out_stem)
    ):
        log.info(f"wrote {path}")


def _claims(args: argparse.Namespace) -> None:
    from analysis.report.claims import claims_markdown_from, ledger, write_ledger

    hyps = _cfg(args)["models"]["hypotheses"]
    table = ledger(Path(args.models), Path(args.robustness), hyps)
    csv = Path(args.csv) if args.csv else Path(args.out).with_suffix(".csv")
    write_ledger(table, csv)
    log.info(f"wrote {csv}")
    text = claims_markdown_from(table, Path(args.robustness))
    Path(args.out).write_text(text, encoding="utf-8")
    log.info(f"wrote {args.out}")
    if args.html:
        from analysis.report.claims import markdown_to_html

        Path(args.html).write_text(markdown_to_html(text), encoding="utf-8")
        log.info(f"wrote {args.html}")


def _reviewer_map(args: argparse.Namespace) -> None:
    import json

    from analysis.hypotheses import figure_registry
    from analysis.models.readtrace import from_record
    from analysis.report.provenance import write_provenance

    cfg = _cfg(args)
    recorded = {
        Path(p).stem: from_record(json.loads(Path(p).read_text("utf-8"))) for p in args.frame_reads
    }
    write_provenance(
        Path(cfg["results_dir"]),
        Path(cfg["models"]["dir"]),
        cfg["models"]["hypotheses"],
        figure_registry(),
        args.outputs,
        cfg["models"]["universe"],
        recorded,
    )
    log.info(f"wrote {cfg['results_dir']}/reviewer_map.csv, reviewer_map.md and SHA256SUMS")


def _render_tables(args: argparse.Namespace) -> None:
    from analysis.report.render import render_tables

    for path in render_tables(Path(args.models), Path(args.out_stem)):
        log.info(f"wrote {path}")


def _h1_tables(args: argparse.Namespace) -> None:
    from analysis.hypotheses.h1_tables import write_h1_tables

    for path in write_h1_tables(Path(args.data), Path(args.figdata), Path(args.out_dir)):
        log.info(f"wrote {path}")


def _render_figures(args: argparse.Namespace) -> None:
    from analysis.report.render import render_figures

    paths = render_figures(args.hypothesis, Path(args.models), Path(args.out_dir), args.figure)
    for path in paths:
        log.info(f"wrote {path}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("citydiplomacy")
    except PackageNotFoundError:  # a checkout on PYTHONPATH without installing
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand, each option with its help text (`citydip <command> --help`)."""
    parser = argparse.ArgumentParser(
        prog="citydip",
        description="City diplomacy pipeline: the commands the Snakemake rules run (also "
        "available as `python -m analysis`). Run the whole pipeline with `make run`.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument(
        "-v", "--verbose", action="store_true", help="debug messages as well (timestamped, stderr)"
    )
    loud.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("build-manifest", help="regenerate data/raw/sources.yaml from the mirror")
    p.add_argument("--mirror", default="../shared/raw", help="raw-data mirror to describe")
    p.add_argument("--out", default="data/raw/sources.yaml", help="manifest file to write")
    p.set_defaults(func=_build_manifest)

    p = sub.add_parser("acquire", help="copy or download raw files and verify them")
    p.add_argument("--topic", default=None, help="only this topic (default: every entry)")
    _config_options(p)
    p.add_argument("--records", default=None, help="JSON file for what was done, per file")
    p.set_defaults(func=_acquire)

    p = sub.add_parser("acquisition-report", help="audit table of verified raw files")
    p.add_argument("records", nargs="+", help="JSON records written by 'acquire'")
    p.add_argument("--out", default="results/audit/raw_files.csv", help="audit CSV to write")
    _config_options(p)
    p.set_defaults(func=_acquisition_report)

    p = sub.add_parser("parse", help="parse one source into validated tidy tables")
    p.add_argument("source", help="source name, e.g. gawc_2020 (see analysis/sources/)")
    p.add_argument("--module", default=None, help="module defining it (skips discovery)")
    _config_options(p)
    p.set_defaults(func=_parse)

    p = sub.add_parser("combine-audits", help="merge per-source row audits")
    p.add_argument("audits", nargs="+", help="per-source row audits (CSV)")
    p.add_argument("--out", default="results/audit/rows.csv", help="combined audit to write")
    p.set_defaults(func=_combine_audits)

    p = sub.add_parser("gazetteer", help="build the GeoNames gazetteer cache")
    p.add_argument("--admin1", required=True, help="GeoNames admin1 names (TSV)")
    p.add_argument("--out", required=True, help="gazetteer cache (parquet) to write")
    _config_options(p)
    p.set_defaults(func=_gazetteer)

    p = sub.add_parser("match", help="match every city mention to a GeoNames id")
    p.add_argument("mentions", nargs="+", help="mentions parquet files of the sources")
    _config_options(p)
    p.add_argument("--gazetteer", required=True, help="gazetteer cache (parquet)")
    p.add_argument("--admin1", required=True, help="GeoNames admin1 names (TSV)")
    p.add_argument("--out-matches", required=True, help="audit of every mention (CSV)")
    p.add_argument("--out-unmatched", required=True, help="unmatched mentions (CSV)")
    p.add_argument("--out-summary", required=True, help="match rates per source (CSV)")
    p.add_argument("--out-joins", required=True, help="mention-to-city table (parquet)")
    p.add_argument("--lau", help="lau_units parquet (analysis.sources.lau): the LAU layer")
    p.add_argument("--lau-layer", help="the layer the lau-layer command wrote (instead of --lau)")
    p.add_argument("--out-cities", help="cities.parquet: one row per matched city_id")
    p.set_defaults(func=_match)

    p = sub.add_parser("lau-layer", help="link the LAU units to GeoNames places, once (parquet)")
    p.add_argument("--gazetteer", required=True, help="gazetteer cache (parquet)")
    p.add_argument("--admin1", required=True, help="GeoNames admin1 names (TSV)")
    p.add_argument("--lau", required=True, help="lau_units parquet (analysis.sources.lau)")
    p.add_argument("--out", required=True, help="results/cache/lau_layer.parquet")
    _config_options(p)
    p.set_defaults(func=_lau_layer)

    p = sub.add_parser("assemble", help="assemble the harmonized panels")
    p.add_argument("tables", nargs="+", help="interim parquet tables of every source")
    _config_options(p)
    p.add_argument("--gazetteer", required=True, help="gazetteer cache (parquet)")
    p.add_argument("--joins", required=True, help="mention-to-city table from 'match'")
    p.add_argument("--out-dir", required=True, help="directory of the published tables")
    p.add_argument("--audit", required=True, help="row audit of the assembly (CSV)")
    p.add_argument("--mayor-conflicts", help="CSV of disagreements between the mayor sources")
    p.add_argument("--cities", help="cities.parquet of the match stage (LAU-only cities)")
    p.add_argument(
        "--threads", type=int, default=1, help="threads writing the tables (bytes unchanged)"
    )
    p.set_defaults(func=_assemble)

    p = sub.add_parser("country-pairs", help="publish the CEPII/Yotov country-pair table")
    p.add_argument("--cepii", required=True, help="interim cepii_pairs parquet")
    p.add_argument("--trade", required=True, help="interim trade_flows parquet")
    p.add_argument("--out-dir", required=True, help="directory of the published tables")
    p.set_defaults(func=_country_pairs)

    p = sub.add_parser("codebook", help="write CODEBOOK.md and datapackage.json")
    p.add_argument("tables", nargs="+", help="published tables to describe (parquet)")
    p.add_argument("--manifest", default="data/raw/sources.yaml", help="raw-data manifest")
    p.add_argument("--codebook", required=True, help="CODEBOOK.md to write")
    p.add_argument("--datapackage", required=True, help="datapackage.json to write")
    p.set_defaults(func=_codebook)

    p = sub.add_parser("validate-gawc2000", help="compare GaWC 2000 with the published ranking")
    p.add_argument("--mentions", required=True, help="GaWC 2000 mentions (parquet)")
    p.add_argument("--measures", required=True, help="GaWC 2000 city measures (parquet)")
    p.add_argument("--out", required=True, help="comparison table to write (CSV)")
    p.set_defaults(func=_validate_gawc2000)

    p = sub.add_parser("fit", help="fit every model of one hypothesis spec")
    p.add_argument("--spec", required=True, help="config/models/<hypothesis>.yaml")
    p.add_argument("--data", required=True, help="directory of the published tables")
    p.add_argument("--out", required=True, help="results/models/<hypothesis>")
    p.add_argument(
        "--reads",
        help="results/cache/frame_reads/<hypothesis>.json: the columns each frame's builder read",
    )
    _config_options(p)
    p.set_defaults(func=_fit)

    p = sub.add_parser("robustness", help="specification curve, leave-one-out, wild bootstrap")
    p.add_argument("--spec", required=True, help="config/models/<hypothesis>.yaml")
    p.add_argument("--data", required=True, help="directory of the published tables")
    p.add_argument("--out", required=True, help="results/robustness/<hypothesis>")
    p.add_argument("--workers", type=int, default=1, help="processes for the curve")
    p.add_argument(
        "--frames",
        help="the fit's results/models/<hypothesis>/frames: read these frames, not rebuild them",
    )
    _config_options(p)
    p.set_defaults(func=_robustness)

    p = sub.add_parser("render-spec-curve", help="the specification-curve figure")
    p.add_argument("--hypothesis", required=True, help="hypothesis id, e.g. h2")
    p.add_argument("--robustness", required=True, help="results/robustness/<hypothesis>")
    p.add_argument("--out-stem", required=True, help="e.g. results/figures/h2_speccurve")
    p.set_defaults(func=_render_spec_curve)

    p = sub.add_parser("render-design-figure", help="placebo distribution or synthetic control")
    p.add_argument("--hypothesis", required=True, help="hypothesis id, e.g. h3")
    p.add_argument(
        "--kind", required=True, choices=["placebo", "synth"], help="which design figure"
    )
    p.add_argument("--robustness", required=True, help="results/robustness/<hypothesis>")
    p.add_argument("--out-stem", required=True, help="e.g. results/figures/h3_placebo")
    p.set_defaults(func=_render_design_figure)

    p = sub.add_parser("claims", help="write the claims ledger results/claims.md")
    p.add_argument("--models", default="results/models", help="fit outputs per hypothesis")
    p.add_argument("--robustness", default="results/robustness", help="robustness outputs")
    p.add_argument("--out", default="results/claims.md", help="ledger Markdown to write")
    p.add_argument("--csv", default=None, help="the ledger CSV (default: --out as .csv)")
    p.add_argument("--html", default=None, help="also write the ledger as HTML (report)")
    _config_options(p)
    p.set_defaults(func=_claims)

    p = sub.add_parser("reviewer-map", help="reviewer's map, sha256 manifest and disk figures")
    p.add_argument("outputs", nargs="*", help="the published outputs SHA256SUMS covers")
    p.add_argument(
        "--frame-reads",
        nargs="*",
        default=[],
        help="the fits' frame_reads/<hypothesis>.json; hypotheses without one are traced here",
    )
    _config_options(p)
    p.set_defaults(func=_reviewer_map)

    p = sub.add_parser("render-tables", help="LaTeX, HTML and Markdown tables of a hypothesis")
    p.add_argument("--models", required=True, help="results/models/<hypothesis>")
    p.add_argument("--out-stem", required=True, help="e.g. results/tables/h2")
    p.set_defaults(func=_render_tables)

    p = sub.add_parser("h1-tables", help="H1's act-source coverage and country tables")
    p.add_argument("--data", required=True, help="results/data")
    p.add_argument("--figdata", required=True, help="results/models/h1/figdata")
    p.add_argument("--out-dir", required=True, help="results/tables")
    p.set_defaults(func=_h1_tables)

    p = sub.add_parser("render-figures", help="the figures of a hypothesis (PNG and PDF)")
    p.add_argument("--hypothesis", required=True, help="hypothesis id, e.g. h2")
    p.add_argument("--models", required=True, help="results/models/<hypothesis>")
    p.add_argument("--out-dir", required=True, help="e.g. results/figures")
    p.add_argument("--figure", help="one figure of the registry (default: all)")
    p.set_defaults(func=_render_figures)

    p = sub.add_parser("readme", help="regenerate the README's data-availability table")
    p.add_argument("--manifest", default="data/raw/sources.yaml", help="raw-data manifest")
    p.add_argument("--readme", default="README.md", help="README to regenerate")
    p.add_argument("--results", default=None, help="also regenerate blocks from results/")
    p.add_argument(
        "--benchmarks",
        default="benchmarks/measured",
        help="benchmark JSON files the performance table is rendered from (the committed record)",
    )
    p.add_argument("--check", action="store_true", help="fail if the README is out of date")
    _config_options(p)
    p.set_defaults(func=_readme)

    return parser


_PARSER: argparse.ArgumentParser | None = None  # set only in the job server (warm_up)


def warm_up() -> None:
    """Build the parser (~0.02 s) once in the job server (`jobserver.WARM_UPS`), for every
    job it forks. Anywhere else `main` builds it per call, so the commands it names are the
    module's current ones."""
    global _PARSER
    _PARSER = build_parser()


def main(argv: list[str] | None = None) -> int:
    args = (_PARSER or build_parser()).parse_args(argv)
    setup_logging(1 if args.verbose else -1 if args.quiet else 0)
    try:
        args.func(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PermissionError as exc:  # an output that cannot be written: one line, no traceback
        print(f"error: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())  # no job server, or it refused the job (see the top of this file)
