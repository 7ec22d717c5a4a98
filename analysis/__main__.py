"""Command-line entry points: `python -m analysis <command> ...`.

Snakemake rules call these (or the functions behind them); they are also handy by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.errors import PipelineError


def _build_manifest(args: argparse.Namespace) -> None:
    from analysis.manifest_build import build_manifest

    n = build_manifest(Path(args.mirror), Path(args.out))
    print(f"wrote {n} entries to {args.out}")


def _acquire(args: argparse.Namespace) -> None:
    from analysis.acquire import acquire, resolve_mirror, write_records
    from analysis.config import load_config
    from analysis.manifest import load_manifest

    cfg = load_config(args.config)
    entries = load_manifest(cfg["raw"]["manifest"])
    if args.topic:
        entries = [e for e in entries if e.topic == args.topic]
        if not entries:
            raise PipelineError(f"no manifest entry has topic {args.topic!r}")
    mirror = resolve_mirror(cfg["raw"]["mirror"])
    dl = cfg["raw"]["download"]
    records = []
    for entry in entries:
        rec = acquire(
            entry, Path(cfg["raw"]["dir"]), mirror, retries=dl["retries"], timeout=dl["timeout_s"]
        )
        records.append(rec)
        print(f"{rec.origin} {rec.source} -> {rec.file}: {rec.bytes} bytes, sha256 {rec.sha256}")
    if args.records:
        write_records(records, Path(args.records))


def _acquisition_report(args: argparse.Namespace) -> None:
    from analysis.manifest import load_manifest
    from analysis.raw_report import acquisition_report

    report = acquisition_report(load_manifest(args.manifest), [Path(p) for p in args.records])
    bad = report.loc[~report["verified"], "file"].tolist()
    if bad:
        raise PipelineError(f"raw files without a verified acquisition record: {bad}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report.to_csv(args.out, index=False, lineterminator="\n")
    print(f"{len(report)} raw files verified -> {args.out}")


def _readme(args: argparse.Namespace) -> None:
    from analysis.manifest import load_manifest
    from analysis.raw_report import data_availability_markdown, splice_readme

    path = Path(args.readme)
    table = data_availability_markdown(load_manifest(args.manifest))
    new = splice_readme(path.read_text(encoding="utf-8"), table)
    path.write_text(new, encoding="utf-8")
    print(f"updated the data-availability table in {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build-manifest", help="regenerate data/raw/sources.yaml from the mirror")
    p.add_argument("--mirror", default="../shared/raw")
    p.add_argument("--out", default="data/raw/sources.yaml")
    p.set_defaults(func=_build_manifest)

    p = sub.add_parser("acquire", help="copy or download raw files and verify them")
    p.add_argument("--topic", default=None, help="only this topic (default: every entry)")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--records", default=None, help="JSON file for what was done, per file")
    p.set_defaults(func=_acquire)

    p = sub.add_parser("acquisition-report", help="audit table of verified raw files")
    p.add_argument("records", nargs="+", help="JSON records written by 'acquire'")
    p.add_argument("--manifest", default="data/raw/sources.yaml")
    p.add_argument("--out", default="results/audit/raw_files.csv")
    p.set_defaults(func=_acquisition_report)

    p = sub.add_parser("readme", help="regenerate the README's data-availability table")
    p.add_argument("--manifest", default="data/raw/sources.yaml")
    p.add_argument("--readme", default="README.md")
    p.set_defaults(func=_readme)

    args = parser.parse_args(argv)
    try:
        args.func(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
