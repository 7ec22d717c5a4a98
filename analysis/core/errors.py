"""Exceptions shared by every stage, so a failing rule names what went wrong and where."""

from __future__ import annotations


def plain(value: object) -> object:
    """`value` with numpy scalars turned into Python ones (inside tuples and lists too), so a
    message shows `1`, not `np.int64(1)`."""
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if not isinstance(value, str | bytes) and callable(getattr(value, "item", None)):
        try:
            return value.item()  # type: ignore[attr-defined]
        except (TypeError, ValueError):  # arrays of more than one element
            return value
    return value


class PipelineError(Exception):
    """Base class: bad input that must stop the pipeline with a clear message."""


class ConfigError(PipelineError):
    """A config or model-spec file is invalid; the message names the offending key."""


class ManifestError(PipelineError):
    """The raw-data manifest is invalid; the message names the offending entry."""


class AcquisitionError(PipelineError):
    """A raw file could not be obtained or failed verification."""


class ChecksumError(AcquisitionError):
    """A raw file's size or sha256 differs from the manifest."""


class RawInputError(PipelineError):
    """A raw file does not have the structure its parser expects.

    The message always names the file, and the column and offending value where known.
    """

    def __init__(
        self, file: str, problem: str, column: str | None = None, value: object = None
    ) -> None:
        self.file = file
        self.column = column
        self.value = value
        where = f"{file}"
        if column is not None:
            where += f", column {column!r}"
        if value is not None:
            where += f", value {plain(value)!r}"
        super().__init__(f"{where}: {problem}")


class UnknownEntityError(PipelineError):
    """Names (countries, cities) that no resolver could map; lists every unknown name."""

    def __init__(
        self, kind: str, names: list[str], source: str | None = None, column: str | None = None
    ) -> None:
        self.kind = kind
        self.column = column
        self.names = sorted(set(names))
        head = f"{len(self.names)} unknown {kind} name(s)"
        if source:
            head += f" in {source}"
        if column:
            head += f", column {column!r}"
        super().__init__(head + ": " + "; ".join(repr(n) for n in self.names))
