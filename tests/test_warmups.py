"""What the job server builds before it forks (`WARM_UPS`): each warm-up runs, builds what its
jobs would build, and changes no job's output."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import numpy as np

from analysis.workflow import jobserver

RENDER = """
import sys
from pathlib import Path
from analysis.figures.style import render
if sys.argv[2] == "warm":
    from analysis.figures.warmup import warm_up
    warm_up()
def draw(fig):
    ax = fig.subplots()
    ax.bar(["Lyon", "Zürich", "Łódź"], [3, 1, 2])
    ax.set_ylabel("Networks joined (fi fl)")
render(draw, Path(sys.argv[1]) / "fig", title="Cities", source_note="Source: test", figsize=(3, 2))
"""


def test_every_warm_up_is_importable():
    for name in jobserver.WARM_UPS:
        assert callable(importlib.import_module(name).warm_up), name


def test_figure_warm_up_leaves_the_figure_bytes(tmp_path):
    """A figure rendered after the warm-up (as in a fork of the job server) has the bytes of
    one rendered in a fresh interpreter."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    for mode in ("cold", "warm"):
        (tmp_path / mode).mkdir()
        subprocess.run(
            [sys.executable, "-c", RENDER, str(tmp_path / mode), mode],
            check=True,
            timeout=120,
            env={**os.environ, "TMPDIR": str(scratch)},
        )
    for ext in ("png", "pdf"):
        cold = (tmp_path / "cold" / f"fig.{ext}").read_bytes()
        assert cold == (tmp_path / "warm" / f"fig.{ext}").read_bytes(), ext
    assert not list(scratch.iterdir())  # the warm-up's own files are gone


def test_model_warm_up_loads_both_kernels():
    """The wild bootstrap's kernel is ready for integer and float weights after the warm-up,
    and gives the same denominators as before it."""
    from analysis.models import warmup
    from analysis.models.backends import wild_denominator

    rng = np.random.default_rng(0)
    args = (rng.normal(size=4), rng.normal(size=(4, 4)), 4, 3, 4)
    weights = rng.choice([-1, 1], size=(3, 4)).astype(np.int64)
    before = wild_denominator._denominators(*args, weights, 0.5)
    warmup.warm_up()
    kinds = {str(sig[5].dtype) for sig in wild_denominator._denominators.signatures}
    assert {"int64", "float64"} <= kinds
    after = wild_denominator._denominators(*args, weights, 0.5)
    assert np.array_equal(before, after)
