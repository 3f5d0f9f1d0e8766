"""Errors a user can act on. Each message is one line that says what is wrong and what to do;
the `warta` command prints it as `Error: ...` with no traceback and exits with `exit_code`."""


class WartaError(Exception):
    """Base of every error warta reports to a user as one line."""

    exit_code = 1


class UsageError(WartaError):
    """A bad option value or argument (a date that does not parse, an unknown source, ...)."""

    exit_code = 2


class OlderSchemaError(WartaError):
    """The archive was made by an older warta and must be upgraded (opened for writing once)
    before a read-only connection can use it."""


#: Exit status when the archive file itself cannot be written (damaged, disk full, I/O error,
#: read-only): EX_IOERR of sysexits.h, so a scheduler can tell it from a failed crawl (1).
EXIT_ARCHIVE_ERROR = 74


class ArchiveFileError(WartaError):
    """The archive file itself failed a read or a write (damaged, disk full, I/O error,
    read-only): no record is at fault, and every further write would fail the same way."""

    exit_code = EXIT_ARCHIVE_ERROR
