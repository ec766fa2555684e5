"""Write-once storage of signed agreement documents on the local file system."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from shared.errors import Conflict, NotFound


class DocumentStore:
    """Files are written once under ``root`` and never replaced: a signed document is evidence."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise NotFound(f"no stored document {key!r}")
        return path

    def write(self, key: str, content: bytes) -> None:
        """Store ``content`` under ``key``. Writing the very same bytes again (a retried upload whose
        first commit failed) is accepted; different bytes under an existing key never are."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            try:
                # A hard link fails if the name exists, so a stored file is never overwritten.
                os.link(temporary, target)
            except FileExistsError:
                if hashlib.sha256(target.read_bytes()).digest() != hashlib.sha256(content).digest():
                    raise Conflict(f"a different document is already stored as {key}") from None
        finally:
            os.unlink(temporary)

    def read(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"the stored file for {key} is missing") from None
