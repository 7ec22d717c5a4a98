"""Matching throughput: `match_all` on synthetic mentions (analysis.synthetic.synthetic_mentions)
against the real gazetteer."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from analysis.synthetic import MENTIONS_SEED, synthetic_mentions

from .context import ADMIN1_REL, ROOT, Context
from .monitor import Phase, run_worker
from .results import TARGETS, make_result, median_of, now_iso

MATCH_N = (1_000_000, 5_000)  # full, quick


def worker_match(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    from analysis.resolve.gazetteer import load_gazetteer
    from analysis.resolve.stage import match_all

    mentions = pd.read_parquet(spec["mentions"])
    t0 = time.perf_counter()
    gaz = load_gazetteer(spec["cache"], spec.get("admin1"))
    load_seconds = time.perf_counter() - t0
    with Phase() as ph:
        out = match_all(mentions, gaz, spec["options"], spec["per_source"])
    methods = out["method"].value_counts().sort_index()
    return {
        "status": "ok",
        **ph.record(),
        "gazetteer_load_seconds": load_seconds,
        "mentions": len(mentions),
        "rows_out": len(out),
        "matched_city_id": int(out["city_id"].notna().sum()),
        "methods": {str(k): int(v) for k, v in methods.items()},
    }


def _matching_options() -> tuple[dict[str, Any], dict[str, Any]]:
    from analysis.core.config import load_config

    matching = dict(load_config(ROOT / "config" / "config.yaml")["matching"])
    return matching, matching.pop("per_source", {})


def bench_matching(ctx: Context) -> dict[str, Any]:
    from analysis.resolve.gazetteer import load_gazetteer

    started, load0 = now_iso(), os.getloadavg()
    n = MATCH_N[1] if ctx.quick else MATCH_N[0]
    admin1 = ctx.mirror / ADMIN1_REL
    admin1_arg = str(admin1) if admin1.exists() else None
    build_seconds = None
    if ctx.gazetteer_cache is not None and Path(ctx.gazetteer_cache).exists():
        cache = Path(ctx.gazetteer_cache)
        admin1_arg = None  # reuse as given (load_gazetteer accepts any admin1 source then)
        gaz = load_gazetteer(cache)
    else:
        cache = Path(ctx.gazetteer_cache) if ctx.gazetteer_cache else ctx.tmp / "gazetteer.parquet"
        ctx.log(f"matching_throughput: building the gazetteer cache {cache}")
        t0 = time.perf_counter()
        gaz = load_gazetteer(cache, admin1_arg, rebuild=True)
        build_seconds = time.perf_counter() - t0
    ctx.log(f"matching_throughput: drawing {n:,} synthetic mentions")
    t0 = time.perf_counter()
    mentions = synthetic_mentions(gaz, n)
    gen_seconds = time.perf_counter() - t0
    key = ["raw_name", "country_iso3", "entity_type", "lat", "lon"]
    distinct = len(mentions[key].drop_duplicates())
    distinct_names = len(mentions[["raw_name", "country_iso3", "entity_type"]].drop_duplicates())
    path = ctx.tmp / "mentions.parquet"
    mentions.to_parquet(path, index=False)
    del gaz, mentions
    options, per_source = _matching_options()
    spec = {
        "kind": "match",
        "mentions": str(path),
        "cache": str(cache),
        "admin1": admin1_arg,
        "options": options,
        "per_source": per_source,
    }
    runs = []
    for i in range(ctx.repeats):
        ctx.log(f"matching_throughput: repeat {i + 1}/{ctx.repeats}")
        r = run_worker(spec, ctx.tmp, timeout=ctx.fit_timeout * 4, mem_limit_mb=ctx.mem_limit_mb)
        runs.append(r)
        if r.get("status") == "ok":
            ctx.log(f"  {r['seconds']:.1f} s, {n / r['seconds']:,.0f} mentions/s")
    ok = [r for r in runs if r.get("status") == "ok"]
    rates = [n / r["seconds"] for r in ok]
    methods = ok[-1]["methods"] if ok else {}
    return make_result(
        "matching_throughput",
        "mentions per second of analysis.resolve.stage.match_all (coordinate check + matching "
        "of every source, config `matching` options) on synthetic mentions, gazetteer cache "
        "present (its build and load excluded; each repeat a fresh process and a freshly "
        "loaded gazetteer, so lazily built indexes are included)",
        "mentions/s",
        rates,
        TARGETS["matching_throughput"],
        quick=ctx.quick,
        peak_memory_mb=median_of([r.get("peak_fit_mb") for r in ok]),
        parameters={
            "mentions": n,
            "seed": MENTIONS_SEED,
            "sources": 8,
            "options": options,
            "per_source": per_source,
            "admin1": admin1_arg,
        }
        | {
            "distinct_name_country_type_point": distinct,
            "distinct_name_country_type": distinct_names,
        },
        details={
            "seconds": [r["seconds"] for r in ok],
            "cpu_seconds": [r["cpu_seconds"] for r in ok],
            "cpu_rate_mentions_per_s": [n / r["cpu_seconds"] for r in ok if r["cpu_seconds"]],
            "gazetteer_cache_build_seconds": build_seconds,
            "gazetteer_cache_reused": build_seconds is None,
            "gazetteer_load_seconds": [r.get("gazetteer_load_seconds") for r in ok],
            "mention_generation_seconds": gen_seconds,
            "methods_share": {k: round(v / n, 4) for k, v in methods.items()},
            "matched_city_id_share": round(ok[-1]["matched_city_id"] / n, 4) if ok else None,
            "failures": [r for r in runs if r.get("status") != "ok"],
        },
        started=started,
        load_before=load0,
    )
