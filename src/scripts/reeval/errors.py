"""Errors with one clear message each: what went wrong, with what, and what to do."""


class ReevalError(Exception):
    """Base class: entry scripts print its message alone, without a traceback."""


class ConfigError(ReevalError):
    """A configuration file or value is missing, unknown or of the wrong type."""


class DataError(ReevalError):
    """A data file is missing, unreadable, or does not hold what it should."""


class ChecksumError(DataError):
    """A fetched file does not have the size or sha256 the manifest records."""


class FetchError(DataError):
    """A file could be neither copied from the mirror nor downloaded."""
