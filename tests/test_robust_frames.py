"""Robustness jobs read the frames the fit published instead of building them again, and
build only the frames that are not there."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import analysis.hypotheses.robust as robust
from analysis.models.samples import write_parquet


class _Stop(Exception):
    pass


def _frames_seen(monkeypatch, spec_path: Path, frames_dir: Path | None) -> dict:
    """Run `run_robustness` up to its column check and return the frames it got."""
    seen: dict = {}
    built: list[str] = []

    def fake_build(name, *args, **kwargs):
        built.append(name)
        return pd.DataFrame({"built": [1]})

    def stop(hyp, columns):
        seen.update(columns)
        raise _Stop

    monkeypatch.setattr(robust, "build_frame", fake_build)
    monkeypatch.setattr(robust, "check_columns", stop)
    with pytest.raises(_Stop):
        robust.run_robustness(spec_path, Path("unused"), Path("unused"), frames_dir=frames_dir)
    return {"columns": seen, "built": built}


def test_published_frames_are_read_and_missing_ones_built(monkeypatch, tmp_path):
    spec = Path("config/models/h1.yaml")
    from analysis.models.spec import load_spec

    names = load_spec(spec).frames
    assert len(names) >= 2  # one read, the others built
    write_parquet(pd.DataFrame({"city_id": [1, 2], "x": [0.5, 1.5], "sample__m": [True, False]}),
                  tmp_path / f"{names[0]}.parquet")  # fmt: skip
    got = _frames_seen(monkeypatch, spec, tmp_path)
    assert got["columns"][names[0]] == {"city_id", "x"}  # the mask is not a frame column
    assert got["built"] == list(names[1:])
    # without a frames directory every frame is built, as before
    assert _frames_seen(monkeypatch, spec, None)["built"] == list(names)
