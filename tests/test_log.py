"""Command-line logging: timestamped lines on stderr, levels from -v/-q, bars only on a TTY."""

from __future__ import annotations

import logging
import re

import pytest

from analysis.__main__ import main
from analysis.core.log import bars_enabled, progress, setup_logging

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d INFO    citydip: ", re.M)


def test_lines_carry_a_timestamp_level_and_name(capsys) -> None:
    setup_logging(0)
    logging.getLogger("citydip").info("wrote %s", "x.csv")
    err = capsys.readouterr().err
    assert STAMP.search(err) and err.rstrip().endswith("wrote x.csv")


@pytest.mark.parametrize(("verbosity", "level"), [(-1, logging.WARNING), (0, logging.INFO),
                                                  (1, logging.DEBUG)])  # fmt: skip
def test_verbosity_sets_the_level(verbosity: int, level: int) -> None:
    setup_logging(verbosity)
    assert logging.getLogger().level == level
    assert logging.getLogger("matplotlib").level >= logging.WARNING  # chatty libraries stay quiet


def test_quiet_flag_silences_status_lines(tmp_path, capsys) -> None:
    audit = tmp_path / "a.csv"
    audit.write_text("source,step,rows_in,rows_out,rows_dropped,reason\ns,t,2,1,1,why\n")
    args = ["combine-audits", "--out", str(tmp_path / "all.csv"), str(audit)]
    assert main(args) == 0
    assert "audit rows from 1 source(s)" in capsys.readouterr().err
    assert main(["-q", *args]) == 0
    assert capsys.readouterr().err == ""


def test_progress_yields_every_item_in_order_with_or_without_a_bar(monkeypatch, capsys) -> None:
    monkeypatch.setenv("CITYDIP_PROGRESS", "0")
    assert not bars_enabled()
    assert list(progress(iter(range(5)), "plain", 5)) == [0, 1, 2, 3, 4]
    monkeypatch.setenv("CITYDIP_PROGRESS", "1")
    assert bars_enabled()
    assert list(progress(iter(range(5)), "bar", 5, "spec")) == [0, 1, 2, 3, 4]
    assert "bar" in capsys.readouterr().err  # tqdm drew on stderr


def test_no_bar_in_a_job_log(monkeypatch) -> None:
    monkeypatch.delenv("CITYDIP_PROGRESS", raising=False)
    assert not bars_enabled()  # pytest's stderr is no terminal, like a job's log file
