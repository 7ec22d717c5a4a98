"""Exceptions shared by every stage, so a failing rule names what went wrong and where."""

from __future__ import annotations


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
            where += f", value {value!r}"
        super().__init__(f"{where}: {problem}")


class UnknownEntityError(PipelineError):
    """Names (countries, cities) that no resolver could map; lists every unknown name."""

    def __init__(self, kind: str, names: list[str], source: str | None = None) -> None:
        self.kind = kind
        self.names = sorted(set(names))
        head = f"{len(self.names)} unknown {kind} name(s)"
        if source:
            head += f" in {source}"
        super().__init__(head + ": " + "; ".join(repr(n) for n in self.names))
