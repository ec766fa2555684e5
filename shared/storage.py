"""Write-once, content-addressed file storage for uploads that are evidence (signed MoUs, deliverables).

A file is stored under its SHA-256, so the same bytes are stored once, a stored file is never replaced,
and reading checks the bytes still match their name. Each service keeps its own store under its own
folder, as it keeps its own database.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from shared.errors import Conflict, Invalid, NotFound, PayloadTooLarge

CHUNK = 64 * 1024
DISPLAY_NAME_LIMIT = 200


@dataclass(frozen=True)
class StoredBlob:
    key: str
    sha256: str
    size: int


def display_name(uploaded: str | None, fallback: str, limit: int = DISPLAY_NAME_LIMIT) -> str:
    """The name a download is offered under: no directories (``../../tmp/x.pdf`` becomes ``tmp_x.pdf``),
    no characters a header cannot carry, and short enough to store, keeping the extension."""
    from werkzeug.utils import secure_filename

    name = secure_filename(uploaded or "") or fallback
    if len(name) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        return name[:limit]
    return f"{stem[: limit - len(suffix) - 1]}.{suffix}"


def key_for(sha256: str) -> str:
    """Where a file with this digest lives, fanned out by its first two hex digits."""
    return f"sha256/{sha256[:2]}/{sha256}"


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise NotFound(f"no stored file {key!r}")
        return path

    def put(self, stream: IO[bytes], max_bytes: int) -> StoredBlob:
        """Stream to a temporary file while hashing, then link it under its digest. A half-written upload
        never looks like a stored one, and a user's file name never reaches the disk."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(
                            f"the file is larger than the limit of {max_bytes} bytes", limit=max_bytes
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise Invalid("the uploaded file is empty", field="file")
            sha256 = digest.hexdigest()
            key = key_for(sha256)
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                # A hard link fails if the name exists, so a stored file is never overwritten.
                os.link(temporary, target)
            except FileExistsError:
                self._check(key, target.read_bytes(), sha256)
            return StoredBlob(key, sha256, size)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def put_bytes(self, content: bytes, max_bytes: int | None = None) -> StoredBlob:
        import io

        return self.put(io.BytesIO(content), max_bytes if max_bytes is not None else len(content) or 1)

    def read(self, key: str, sha256: str) -> bytes:
        """The stored bytes, refused if they no longer match the digest taken at upload."""
        try:
            content = self.path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"the stored file {key} is missing") from None
        self._check(key, content, sha256)
        return content

    @staticmethod
    def _check(key: str, content: bytes, sha256: str) -> None:
        if hashlib.sha256(content).hexdigest() != sha256:
            raise Conflict(f"the stored file {key} does not match its SHA-256; it has been altered")
