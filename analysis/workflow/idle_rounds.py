"""Snakemake's scheduling rounds, fewer and lighter: the same jobs chosen with less CPU.

Snakemake 9 wakes its scheduler after each finished job and, with its default job-rate limit
(100 jobs a second), once more a second after every round: each round schedules the next, so
the wake-ups add up to dozens a second by the end of a cold run (2,702 rounds for 121 jobs).
Each round first asks the size of every input file of every ready job (two `stat` calls per
file, through asyncio tasks) and only then finds that no core is free. The Snakemake process
took 12.6 CPU-s of a cold run this way, 5 with this patch, on a 2-core machine where every
CPU-second it takes is one the jobs wait for.

Three changes, none of which changes which jobs are chosen:

- at most one re-evaluation is pending at a time: when it fires, its round schedules the
  next, so the scheduler still looks again within a second of its last round, as before,
  but the wake-ups no longer multiply;
- a round without a free core selects nothing before looking at any file (Snakemake's own
  selector returns nothing there too, after the sizes);
- an input's size, once known, is not asked again: a ready job's inputs are finished files,
  and nothing in this workflow rewrites a job's input while the job waits (the sizes only
  order jobs of equal priority). A file not yet there is asked again in every round.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

_NEEDED = ("job_selector", "update_input_sizes", "_schedule_reevalutation")
_MAX_KNOWN = 10_000


def _free_cores(scheduler: Any) -> bool:
    return scheduler.resources.get("_cores", 1) != 0


async def _update_input_sizes(self: Any, jobs: Any) -> None:
    known = self._input_sizes

    async def get_size(path: Any) -> tuple[Any, int | None]:
        return path, await path.size() if await path.exists() else None

    paths = {path for job in jobs for path in job.input}
    unknown = [path for path in paths if known.get(path) is None]
    if unknown:
        known.update(await asyncio.gather(*[get_size(path) for path in unknown]))
    if len(known) > _MAX_KNOWN:  # Snakemake's own bound on the table
        for path in [p for p in known if p not in paths]:
            del known[path]


def _schedule_reevaluation(self: Any, delay: float) -> None:
    if getattr(self, "_citydip_reevaluation_pending", False):
        return

    def fire() -> None:
        self._citydip_reevaluation_pending = False
        self._open_jobs.release()

    self._citydip_reevaluation_pending = True
    threading.Timer(delay, fire).start()


def skip_idle_rounds() -> bool:
    """Patch Snakemake's job scheduler; False (and nothing patched) on a Snakemake whose
    scheduler lacks what this replaces."""
    from snakemake.scheduling.job_scheduler import JobScheduler

    if not all(hasattr(JobScheduler, name) for name in _NEEDED):
        return False
    if getattr(JobScheduler.job_selector, "__wrapped__", None) is not None:
        return True  # already patched (the Snakefile is read more than once per process)
    select = JobScheduler.job_selector

    def job_selector(self: Any, jobs: Any) -> Any:
        if not _free_cores(self):
            return []
        return select(self, jobs)

    job_selector.__wrapped__ = select  # type: ignore[attr-defined]
    JobScheduler.job_selector = job_selector  # type: ignore[method-assign]
    JobScheduler.update_input_sizes = _update_input_sizes  # type: ignore[method-assign]
    # (sic: Snakemake's spelling)
    JobScheduler._schedule_reevalutation = _schedule_reevaluation  # type: ignore[method-assign]
    return True
