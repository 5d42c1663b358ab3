"""Where receipts, statement PDFs and failure screenshots go."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from activities.private_files import write_private
from models.payments import StoredArtifact


class ArtifactStore(Protocol):
    def put(self, key: str, content: bytes, content_type: str) -> StoredArtifact: ...

    def get(self, key: str) -> bytes: ...


class LocalArtifactStore:
    """A folder on the worker's disk; keys are relative paths inside it."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root):
            raise ValueError(f"artifact key escapes the store: {key!r}")
        return path

    def put(self, key: str, content: bytes, content_type: str) -> StoredArtifact:
        path = self._path(key)
        # Same key, same bytes: a retried activity rewrites an identical file, harmlessly.
        write_private(path, content)
        return StoredArtifact(
            key=key,
            location=str(path),
            sha256=hashlib.sha256(content).hexdigest(),
            size_bytes=len(content),
            content_type=content_type,
        )

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()
