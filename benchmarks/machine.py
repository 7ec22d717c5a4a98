"""The machine a run was measured on (CPU, cores, memory, OS, package versions): timings are
only comparable on the same machine."""

from __future__ import annotations

import os
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from .results import now_iso

PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "pyarrow",
    "statsmodels",
    "linearmodels",
    "pyfixest",
    "rapidfuzz",
    "snakemake",
    "psutil",
)


def read_proc(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """CPU model, cores, memory, OS, Python and key package versions."""
    cpuinfo = read_proc("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    physical = {
        (m.group(1), m.group(2))
        for m in re.finditer(r"physical id\s*:\s*(\d+).*?core id\s*:\s*(\d+)", cpuinfo, re.S)
    }
    mem = dict(re.findall(r"^(\w+):\s+(\d+) kB", read_proc("/proc/meminfo"), re.M))
    os_release = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', read_proc("/etc/os-release"), re.M))
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        affinity = os.cpu_count()
    return {
        "name": "machine",
        "date": now_iso(),
        "cpu_model": model.group(1).strip() if model else platform.processor() or None,
        "logical_cores": os.cpu_count(),
        "usable_cores": affinity,
        "physical_cores": len(physical) or None,
        "memory_total_mb": round(int(mem["MemTotal"]) / 1024, 1) if "MemTotal" in mem else None,
        "memory_available_mb": (
            round(int(mem["MemAvailable"]) / 1024, 1) if "MemAvailable" in mem else None
        ),
        "os": os_release.get("PRETTY_NAME") or platform.platform(),
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "packages": versions,
        "load_average": list(os.getloadavg()),
        "note": "load_average is the 1/5/15-minute load when machine.json was written; "
        "each benchmark file records the load before and after it ran",
    }
