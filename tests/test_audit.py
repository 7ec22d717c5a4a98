"""Tests for analysis.core.audit row accounting."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.audit import COLUMNS, RowAccountingError, RowAudit, combine_audits, write_audit


def cities() -> pd.DataFrame:
    return pd.DataFrame({"city": ["Lyon", None, "Oslo", "Oslo", "Rome"], "pop": [5, 1, 7, 7, 2]})


def audited(source: str = "gawc") -> RowAudit:
    audit = RowAudit(source)
    df = audit.start(cities(), "clean")
    df = audit.drop(df["city"].isna(), "no city name")
    df["big"] = df["pop"] > 4  # in-place changes to the returned frame are kept
    df = audit.drop(df.drop_duplicates("city"), "duplicate city")
    df = audit.drop(~df["big"], "small")
    audit.finish(df)
    audit.finish(audit.start(df, "load"))
    return audit


def test_records_balance_per_step_and_reason():
    frame = audited().to_frame()
    assert list(frame.columns) == COLUMNS
    assert frame.to_dict("records") == [
        dict(source="gawc", step="clean", rows_in=5, rows_out=2, rows_dropped=1, reason=r)
        for r in ("duplicate city", "no city name", "small")
    ] + [dict(source="gawc", step="load", rows_in=2, rows_out=2, rows_dropped=0, reason="none")]


def test_drop_returns_kept_rows_with_new_columns():
    audit = RowAudit("s")
    df = audit.start(cities(), "clean")
    df = df.assign(flag=df["pop"] > 1)
    kept = audit.drop(~df["flag"], "tiny", frame=df)
    assert kept["flag"].all()
    assert len(audit.finish(kept)) == 4


def test_rows_lost_outside_the_audit_raise():
    audit = RowAudit("s")
    df = audit.start(cities(), "clean")
    df = audit.drop(df["city"].isna(), "no city")
    with pytest.raises(RowAccountingError, match="3 rows out, expected 4"):
        audit.finish(df.head(3))


def test_misuse_raises():
    audit = RowAudit("s")
    with pytest.raises(RowAccountingError, match="no open step"):
        audit.drop(pd.Series([True]), "x")
    df = audit.start(cities(), "a")
    with pytest.raises(RowAccountingError, match="still open"):
        audit.start(df, "b")
    with pytest.raises(RowAccountingError, match="never finished"):
        audit.to_frame()
    with pytest.raises(RowAccountingError, match="aligned"):
        audit.drop(pd.Series([True, False]), "misaligned")
    with pytest.raises(RowAccountingError, match="not a subset"):
        audit.drop(pd.concat([df, df]), "grew")
    audit.finish(df)
    with pytest.raises(RowAccountingError, match="recorded twice"):
        audit.start(df, "a")
    with pytest.raises(RowAccountingError, match="index is not unique"):
        audit.start(pd.concat([df, df]), "c")


def test_unbalanced_records_rejected(tmp_path):
    bad = audited().to_frame()
    bad.loc[0, "rows_dropped"] = 2
    with pytest.raises(RowAccountingError, match="gawc/clean: rows do not balance"):
        write_audit(bad, tmp_path / "a.csv")


def test_write_is_sorted_and_deterministic(tmp_path):
    first, second = tmp_path / "1.csv", tmp_path / "2.csv"
    write_audit([audited("b"), audited("a")], first)
    write_audit([audited("a"), audited("b")], second)
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == "a,clean,5,2,1,duplicate city"


def test_combine_audits_merges_and_rejects_double_counting(tmp_path):
    paths = [tmp_path / "x" / "gawc.csv", tmp_path / "x" / "wup.csv"]
    write_audit(audited("gawc"), paths[0])
    write_audit(audited("wup"), paths[1])
    combined = combine_audits(paths)
    assert combined["source"].unique().tolist() == ["gawc", "wup"]
    assert len(combined) == 8
    out = tmp_path / "rows.csv"
    write_audit(combined, out)
    pd.testing.assert_frame_equal(combine_audits([out]), combined)
    with pytest.raises(RowAccountingError, match="duplicate audit rows"):
        combine_audits([paths[0], paths[0]])


def test_empty_audit_writes_header_only(tmp_path):
    path = tmp_path / "empty.csv"
    write_audit([], path)
    assert path.read_text() == ",".join(COLUMNS) + "\n"
    assert combine_audits([path]).empty
