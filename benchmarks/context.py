"""Settings of one benchmark run (paths, sizes, limits) shared by every benchmark."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .machine import read_proc
from .results import TARGETS, Target, make_result

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT.parent / "shared" / "raw"
ADMIN1_REL = "cities/geonames_admin1_regionInfo.tsv"


@dataclass
class Context:
    out: Path
    tmp: Path
    quick: bool
    repeats: int
    mirror: Path
    gazetteer_cache: Path | None
    data_dir: Path | None
    profile: bool
    fit_timeout: float
    pipeline_timeout: float
    mem_limit_mb: float
    keep_workdir: Path | None
    cores: int | None
    verbose: bool = True
    pipeline_workdir: Path | None = None

    def log(self, msg: str) -> None:
        if self.verbose:
            print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def skipped(name: str, reason: str, ctx: Context) -> dict[str, Any]:
    target = TARGETS.get(name, Target(float("nan"), "", ""))
    rec = make_result(name, f"skipped: {reason}", target.unit, [], target, quick=ctx.quick)
    rec["meets_target"] = None
    rec["skipped"] = reason
    return rec


def default_mem_limit() -> float:
    mem = dict(re.findall(r"^(\w+):\s+(\d+) kB", read_proc("/proc/meminfo"), re.M))
    avail = int(mem.get("MemAvailable", 8 * 1024 * 1024)) / 1024
    return max(2048.0, 0.8 * avail)
