"""Logging and progress for the command line: timestamped lines instead of bare prints, and
progress bars on the steps a user waits for (specification curves, bootstraps, matching).

Pipeline jobs write their standard error to ``results/logs/<rule>.log``; a bar there would be
a stream of carriage returns, so bars draw only on a terminal and a log gets the timed
summary line each step writes when it ends.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
DATEFMT = "%Y-%m-%dT%H:%M:%S"
QUIET_LIBRARIES = ("country_converter", "matplotlib", "fontTools", "numexpr")


def setup_logging(verbosity: int = 0) -> None:
    """Timestamped lines on standard error: INFO by default, DEBUG with ``-v``, WARNING
    with ``-q`` (verbosity -1). Chatty libraries stay at WARNING."""
    level = logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO
    logging.basicConfig(level=level, format=FORMAT, datefmt=DATEFMT, stream=sys.stderr, force=True)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def bars_enabled() -> bool:
    """Bars on an interactive terminal only; ``CITYDIP_PROGRESS=0`` or ``1`` overrides."""
    forced = os.environ.get("CITYDIP_PROGRESS")
    if forced in {"0", "1"}:
        return forced == "1"
    return sys.stderr.isatty()


def progress(
    items: Iterable[T], desc: str, total: int | None = None, unit: str = "it"
) -> Iterator[T]:
    """`items` with a tqdm bar on the terminal (none in a job log); yields the items unchanged."""
    if not bars_enabled():
        yield from items
        return
    from tqdm import tqdm  # only where a bar is drawn: a pipeline job does not import it

    yield from tqdm(items, desc=desc, total=total, unit=unit, leave=False, file=sys.stderr)
