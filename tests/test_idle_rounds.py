"""Snakemake's scheduling rounds, patched not to re-read input sizes while no core is free and
not to multiply its re-evaluations (analysis/workflow/idle_rounds.py): the same jobs are
chosen, with fewer file system calls."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from types import SimpleNamespace

from snakemake.scheduling.job_scheduler import JobScheduler

from analysis.workflow import idle_rounds

# Snakemake's own method (no test reads the Snakefile in this process, so it is unpatched)
_SNAKEMAKE_UPDATE = JobScheduler.update_input_sizes


class _Path:
    """An input file: its size, or None when it does not exist; counts the questions."""

    def __init__(self, name: str, size: int | None) -> None:
        self.name, self.size_now, self.asked = name, size, 0

    async def exists(self) -> bool:
        self.asked += 1
        return self.size_now is not None

    async def size(self) -> int:
        self.asked += 1
        assert self.size_now is not None
        return self.size_now

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name


def _jobs(*inputs: list[_Path]) -> list[SimpleNamespace]:
    return [SimpleNamespace(input=paths) for paths in inputs]


def _scheduler(cores: int = 1) -> SimpleNamespace:
    return SimpleNamespace(
        _input_sizes={}, resources={"_cores": cores}, _open_jobs=threading.Semaphore(0)
    )


def test_sizes_equal_snakemakes_and_a_known_size_is_not_asked_again():
    a, b, c = _Path("a", 10), _Path("b", 0), _Path("c", None)
    jobs = _jobs([a, b], [b, c])
    theirs, ours = _scheduler(), _scheduler()
    asyncio.run(_SNAKEMAKE_UPDATE(theirs, jobs))
    asked = [p.asked for p in (a, b, c)]
    for p in (a, b, c):
        p.asked = 0
    asyncio.run(idle_rounds._update_input_sizes(ours, jobs))
    assert ours._input_sizes == theirs._input_sizes == {a: 10, b: 0, c: None}
    assert [p.asked for p in (a, b, c)] == asked == [2, 2, 1]

    # The next round: the two finished files are known (a size of 0 too); the missing one is
    # asked again and, now written, gets its size.
    c.size_now = 7
    asyncio.run(idle_rounds._update_input_sizes(ours, jobs))
    assert [p.asked for p in (a, b, c)] == [2, 2, 3]
    assert ours._input_sizes == {a: 10, b: 0, c: 7}


def test_the_table_is_bounded_as_snakemakes():
    sched = _scheduler()
    old = [_Path(f"old{i}", 1) for i in range(idle_rounds._MAX_KNOWN + 1)]
    asyncio.run(idle_rounds._update_input_sizes(sched, _jobs(old)))
    new = _Path("new", 2)
    asyncio.run(idle_rounds._update_input_sizes(sched, _jobs([new])))
    assert sched._input_sizes == {new: 2}


def test_a_round_without_a_free_core_reads_no_file():
    patched = _patched_selector()
    busy = _Path("busy", 5)
    sched = SimpleNamespace(resources={"_cores": 0})
    assert patched(sched, _jobs([busy])) == []
    assert busy.asked == 0


def test_a_round_with_a_free_core_runs_snakemakes_selector():
    calls = []
    patched = _patched_selector(lambda self, jobs: calls.append(jobs) or ["chosen"])
    jobs = _jobs([_Path("x", 1)])
    assert patched(SimpleNamespace(resources={"_cores": 2}), jobs) == ["chosen"]
    assert calls == [jobs]


def _patched_selector(select=None):
    """The patched job_selector around `select` (a stand-in for Snakemake's), on a copy of
    the class so that the real one is left as it is."""
    cls = type("Scheduler", (), {
        "job_selector": select or (lambda self, jobs: ["snakemake's selection"]),
        "update_input_sizes": JobScheduler.update_input_sizes,
        "_schedule_reevalutation": JobScheduler._schedule_reevalutation,
    })  # fmt: skip
    import snakemake.scheduling.job_scheduler as module

    saved = module.JobScheduler
    module.JobScheduler = cls
    try:
        assert idle_rounds.skip_idle_rounds()
    finally:
        module.JobScheduler = saved
    return cls.job_selector


def test_one_reevaluation_pending_at_a_time_and_the_next_after_it_fired():
    sched = _scheduler()
    idle_rounds._schedule_reevaluation(sched, 0.05)
    idle_rounds._schedule_reevaluation(sched, 0.05)  # one is pending: no second wake-up
    assert sched._open_jobs.acquire(timeout=5)
    assert not sched._open_jobs.acquire(timeout=0.3)
    idle_rounds._schedule_reevaluation(sched, 0.01)  # fired: the next round schedules again
    assert sched._open_jobs.acquire(timeout=5)


def test_the_patch_applies_to_the_pinned_snakemake_once():
    code = (
        "from analysis.workflow.idle_rounds import skip_idle_rounds\n"
        "from snakemake.scheduling.job_scheduler import JobScheduler as J\n"
        "before = J.job_selector\n"
        "assert skip_idle_rounds() and skip_idle_rounds()\n"
        "assert J.job_selector.__wrapped__ is before\n"
        "print(J.update_input_sizes.__module__, J._schedule_reevalutation.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["analysis.workflow.idle_rounds"] * 2
