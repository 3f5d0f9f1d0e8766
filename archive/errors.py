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


class DamagedArchiveError(ArchiveFileError):
    """The archive file is damaged (SQLite found a malformed page): say which file, and how
    to check and recover it. Raised for a corruption error from any query of any command."""

    #: SQLite's result codes for a damaged file (and their extended forms, such as
    #: SQLITE_CORRUPT_VTAB from a damaged full-text index).
    CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")

    def __init__(self, path: object, reason: object) -> None:
        self.path = path
        quoted = self.quoted(path)
        super().__init__(
            f"the archive {path} is damaged ({reason}): check it with "
            f"sqlite3 {quoted} 'PRAGMA integrity_check', then restore it from a backup "
            f"(or save what can be read: sqlite3 {quoted} .recover | sqlite3 recovered.db)")

    @classmethod
    def matches(cls, exc: BaseException) -> bool:
        """Whether a sqlite3 error says the file is damaged."""
        name = getattr(exc, "sqlite_errorname", None) or ""
        if name:
            return name.startswith(cls.CODES)
        return "malformed" in str(exc) or "file is not a database" in str(exc)

    @staticmethod
    def quoted(path: object) -> str:
        import shlex

        return shlex.quote(str(path)) if path else "FILE"
