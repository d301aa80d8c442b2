"""A closed session's archive: one ZIP with everything the jury decided on, and its checksum.

Layout::

    index.json                      the session, its candidates, every entry with its SHA-256
    SHA256SUMS                      one line per entry, for ``sha256sum -c``
    proces-verbal.pdf               the session's procès-verbal (when issued)
    exports/resultats-diplomation.csv   the DIPLOMATION export (CSV)
    candidats/<n>-<nom>/portefeuille-bloc-<b>-t<attempt>-v<version>/manifest.json
    candidats/<n>-<nom>/portefeuille-bloc-<b>-t<attempt>-v<version>/fichiers/<sha256>-<name>
    candidats/<n>-<nom>/memoire-t<attempt>-v<version>/...
    candidats/<n>-<nom>/copies/<épreuve>-t<attempt>-<sha256>-<name>   the marked papers
    candidats/<n>-<nom>/notations.json     scorings and épreuve marks, with their grid versions

Entries carry the session's date as their timestamp, so the same material gives the same bytes.

The ZIP is streamed to storage member by member (stream-zip): stored files are read in chunks
and hashed on the way, the index and the checksums written last, so memory stays flat whatever
the size of the evidence. Rows come from one query per kind of row for the whole session
(``documents.archive_rows``), read candidate by candidate in the archive's order.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.utils.text import slugify
from stream_zip import ZIP_64, ZIP_AUTO, stream_zip

from documents import archive_rows
from documents.streams import Stored, stored_chunks, stream_save
from portfolio.download_names import download_name
from workflow.models import JurySession

Progress = Callable[[int, int], None]
FILE_MODE = 0o644
# zlib's default level, as zipfile used: level 9 costs much time for little on stored files.
COMPRESSION_LEVEL = 6
JSON_FORMAT = {"ensure_ascii": False, "indent": 2, "sort_keys": True, "default": str}


class _Entries:
    """Every member's name and SHA-256, kept in a temporary SQLite file: a session has tens of
    thousands of members, and they are listed, sorted, only at the end."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "": a private database on disk, gone once closed
        self._db.execute("CREATE TABLE entry (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL)")

    def add(self, name: str, sha256: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO entry VALUES (?, ?)", (name, sha256))

    def last(self) -> int:
        return self._db.execute("SELECT coalesce(max(rowid), 0) FROM entry").fetchone()[0]

    def listed(self, upto: int | None = None) -> Iterator[tuple[str, str]]:
        """Yield (name, sha256) by name (code point order, as Python sorts), up to a row."""
        query = "SELECT name, sha256 FROM entry WHERE rowid <= ? ORDER BY name"
        yield from self._db.execute(query, (self.last() if upto is None else upto,))

    def close(self) -> None:
        self._db.close()


class ArchiveBuilder:
    """The archive's members, streamed: each entry's SHA-256 is recorded as it is written."""

    def __init__(self, session: JurySession) -> None:
        self.session = session
        self.entries = _Entries()
        self.index: dict = {}
        day = session.date
        self.modified_at = datetime(max(day.year, 1980), day.month, day.day, tzinfo=UTC)

    def member(self, name: str, content: bytes):
        """Return a member holding ``content`` (small: a manifest, the index)."""
        self.entries.add(name, hashlib.sha256(content).hexdigest())
        return (
            name,
            self.modified_at,
            FILE_MODE,
            ZIP_AUTO(len(content), COMPRESSION_LEVEL),
            (content,),
        )

    def json_member(self, name: str, data):
        return self.member(name, _json_bytes(data))

    def stored_member(self, name: str, chunks: Iterator[bytes]):
        """Return a member read from storage in chunks, hashed while it is written."""
        return (name, self.modified_at, FILE_MODE, ZIP_64, self._hashed(name, chunks))

    def _hashed(self, name: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
            yield chunk
        self.entries.add(name, digest.hexdigest())

    def closing_members(self, index: dict):
        """Yield index.json (every entry so far) and SHA256SUMS, the archive's last members.

        Both are written as they are encoded, the entries read back sorted from disk.
        """
        self.index = index
        upto = self.entries.last()
        chunks = _index_chunks(index, self.entries.listed(upto))
        yield (
            "index.json",
            self.modified_at,
            FILE_MODE,
            ZIP_64,
            self._hashed("index.json", chunks),
        )
        sums = (f"{digest}  {name}\n".encode() for name, digest in self.entries.listed(upto))
        yield ("SHA256SUMS", self.modified_at, FILE_MODE, ZIP_64, self._hashed("SHA256SUMS", sums))

    def digest(self) -> str:
        """Return the SHA-256 of the index with every entry, index.json and SHA256SUMS too."""
        digest = hashlib.sha256()
        for chunk in _index_chunks(self.index, self.entries.listed()):
            digest.update(chunk)
        return digest.hexdigest()


def _json_bytes(data) -> bytes:
    return json.dumps(data, **JSON_FORMAT).encode()


_ENTRIES_MARK = "\0entries\0"


def _index_chunks(index: dict, entries: Iterator[tuple[str, str]]) -> Iterator[bytes]:
    """Return ``_json_bytes({**index, "entries": dict(entries)})`` in pieces of about 64 kB,
    the entries (sorted) written as they come instead of held in a dict."""
    encoder = json.JSONEncoder(**JSON_FORMAT)
    mark = encoder.encode(_ENTRIES_MARK)

    def pieces():
        for piece in encoder.iterencode({**index, "entries": _ENTRIES_MARK}):
            if piece != mark:
                yield piece
                continue
            # The entries are the top object's value: indented as json.dumps does at level 2.
            opened = False
            for name, digest in entries:
                yield (",\n    " if opened else "{\n    ") + encoder.encode(name) + ": "
                yield encoder.encode(digest)
                opened = True
            yield "\n  }" if opened else "{}"

    pending: list[str] = []
    length = 0
    for piece in pieces():
        pending.append(piece)
        length += len(piece)
        if length >= 64 * 1024:
            yield "".join(pending).encode()
            pending, length = [], 0
    yield "".join(pending).encode()


def _safe_name(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    cleaned = slugify(stem)[:60] or "fichier"
    return download_name(f"{cleaned}.{slugify(extension)[:10]}" if extension else cleaned)


def candidate_folder(position: int, last_name: str, first_name: str) -> str:
    return f"candidats/{position:03d}-{slugify(f'{last_name} {first_name}')}"


def _portfolio_members(builder: ArchiveBuilder, folder: str, rows, listed: list, storage):
    """Yield every submitted (frozen) portfolio of the candidate with its manifest and files."""
    for portfolio in rows.portfolios:
        base = (
            f"{folder}/portefeuille-bloc-{portfolio.bloc.number}"
            f"-t{portfolio.attempt}-v{portfolio.version}"
        )
        yield builder.json_member(f"{base}/manifest.json", portfolio.manifest.content)
        missing = []
        for item in rows.items.get(portfolio.pk, ()):
            chunks = stored_chunks(storage, item.file.name) if item.file else None
            if chunks is None:
                missing.append(item.sha256)
                continue
            name = f"{base}/fichiers/{item.sha256[:16]}-{_safe_name(item.original_name)}"
            yield builder.stored_member(name, chunks)
        listed.append(
            {
                "bloc": portfolio.bloc.number,
                "attempt": portfolio.attempt,
                "version": portfolio.version,
                "state": portfolio.state,
                "manifest_digest": portfolio.manifest.digest,
                "agreed_mark": portfolio.agreed_mark,
                "missing_files": missing,
            }
        )


def _memoire_members(builder: ArchiveBuilder, folder: str, rows, listed: list, storage):
    """Yield every submitted mémoire of the candidate with its manifest and file."""
    for memoire in rows.memoires:
        base = f"{folder}/memoire-t{memoire.attempt}-v{memoire.version}"
        yield builder.json_member(f"{base}/manifest.json", memoire.manifest.content)
        chunks = stored_chunks(storage, memoire.file.name) if memoire.file else None
        if chunks is not None:
            name = f"{base}/{_safe_name(memoire.original_name or 'memoire.pdf')}"
            yield builder.stored_member(name, chunks)
        listed.append(
            {
                "attempt": memoire.attempt,
                "version": memoire.version,
                "state": memoire.state,
                "subject": memoire.subject,
                "manifest_digest": memoire.manifest.digest,
                "file_included": chunks is not None,
            }
        )


def _paper_members(builder: ArchiveBuilder, folder: str, rows, listed: list, storage):
    """Yield the marked papers of the candidate's épreuves (épreuves route)."""
    for paper in rows.papers:
        mark = paper.mark
        chunks = stored_chunks(storage, paper.file.name)
        if chunks is not None:
            name = (
                f"{folder}/copies/{mark.epreuve.code}-t{mark.attempt}"
                f"-{paper.sha256[:16]}-{_safe_name(paper.original_name)}"
            )
            yield builder.stored_member(name, chunks)
        listed.append(
            {
                "epreuve": mark.epreuve.code,
                "attempt": mark.attempt,
                "sha256": paper.sha256,
                "file_included": chunks is not None,
            }
        )


def _members(
    builder: ArchiveBuilder,
    *,
    extra_files: dict[str, bytes | str],
    storage,
    progress: Progress | None,
):
    """Yield the archive's members in order; the index and the checksums come last."""
    session = builder.session
    loaded = archive_rows.SessionRows(session)
    candidates = []
    total = len(loaded.candidates)
    for position, candidate in enumerate(loaded.candidates, start=1):
        rows = loaded.rows_of(candidate.enrolment_id)
        folder = candidate_folder(position, candidate.last_name, candidate.first_name)
        portfolios: list[dict] = []
        memoires: list[dict] = []
        yield from _portfolio_members(builder, folder, rows, portfolios, storage)
        yield from _memoire_members(builder, folder, rows, memoires, storage)
        papers: list[dict] = []
        yield from _paper_members(builder, folder, rows, papers, storage)
        scorings = archive_rows.scorings_data(rows, loaded.grid)
        yield builder.json_member(f"{folder}/notations.json", scorings)
        candidates.append(
            {
                "folder": folder,
                "last_name": candidate.last_name,
                "first_name": candidate.first_name,
                "email": candidate.email,
                "cohort": candidate.cohort,
                "route": candidate.route,
                "portfolios": portfolios,
                "memoires": memoires,
                # Only when there are some: an archive without papers keeps its former digest.
                **({"papers": papers} if papers else {}),
                "scorings": {key: len(value) for key, value in scorings.items()},
            }
        )
        if progress is not None:
            progress(position, total)
    loaded.close()
    for name, content in sorted(extra_files.items()):
        if isinstance(content, bytes):
            yield builder.member(name, content)
        else:  # the name of a stored file, which must be there (the procès-verbal)
            chunks = stored_chunks(storage, content)
            if chunks is None:
                raise FileNotFoundError(f"{name}: {content} is missing from storage")
            yield builder.stored_member(name, chunks)
    index = {
        "session": {
            "id": session.pk,
            "date": session.date,
            "place": session.place,
            "establishment": session.establishment.name,
            "title": session.title.code,
            "state": session.state,
            "closed_at": session.closed_at,
            "published_at": session.published_at,
        },
        "candidates": candidates,
    }
    yield from builder.closing_members(index)


def session_archive(
    session: JurySession,
    *,
    storage,
    name: str,
    extra_files: dict[str, bytes | str] | None = None,
    progress: Progress | None = None,
) -> tuple[Stored, str]:
    """Write the session's archive to ``storage`` as ``name``; return it and its facts' digest.

    ``extra_files`` are added at the root (the procès-verbal, the exports): bytes, or the name
    of a file in ``storage``. ``progress`` is called as (done, total) after each candidate.
    The digest is that of the index with every entry's SHA-256: the same material gives the
    same digest, and the same bytes.
    """
    builder = ArchiveBuilder(session)
    members = _members(builder, extra_files=extra_files or {}, storage=storage, progress=progress)
    zipped = stream_zip(
        members,
        get_compressobj=lambda: zlib.compressobj(COMPRESSION_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS),
    )
    try:
        stored = stream_save(storage, name, zipped)
        return stored, builder.digest()
    finally:
        builder.entries.close()
