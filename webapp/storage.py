"""Where uploaded files live: one small interface, so several app servers can share them.

Files are stored once, named by their SHA-256 (content-addressed: the same bytes are one
file, and a name never changes meaning). `LocalFolderStorage` keeps them in a folder,
`PHEDUYET_UPLOAD_DIR` (default `instance/uploads`); with several app servers that folder is
a shared mount (NFS, CephFS…), or another class with the same three methods (an object
store) takes its place in `make_storage`. No Flask here.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store the bytes (once); return their SHA-256, the name to open them by."""
        ...

    def open(self, sha256: str) -> BinaryIO | None:
        """The stored bytes for reading, or None when there are none by that name."""
        ...

    def exists(self, sha256: str) -> bool: ...


class LocalFolderStorage:
    """Files as `<folder>/<sha256>`, each written to a temporary name then renamed, so a
    reader (on this server or another one sharing the folder) never sees half a file."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, sha256: str) -> Path | None:
        return self.folder / sha256 if SHA256_HEX.match(sha256 or "") else None

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self.folder / sha
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{sha}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return sha

    def open(self, sha256: str) -> BinaryIO | None:
        path = self._path(sha256)
        if path is None:
            return None
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError):
            return None

    def exists(self, sha256: str) -> bool:
        path = self._path(sha256)
        return path is not None and path.is_file()


def make_storage(upload_folder: str | Path) -> Storage:
    return LocalFolderStorage(upload_folder)
