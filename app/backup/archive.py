"""A backup folder: the database snapshot, `objects/<key>` for every object its rows
reference, and `manifest.json` with the row counts and each object's sha256 and size."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

MANIFEST = "manifest.json"
OBJECTS = "objects"
FORMAT = 1
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Manifest:
    dialect: str
    database_file: str
    counts: dict[str, int]
    objects: dict[str, dict[str, Any]]  # key → {"sha256": hex, "size": bytes}
    taken_at: str = ""

    def write(self, folder: Path) -> None:
        body = {"format": FORMAT, "taken_at": self.taken_at or datetime.now(UTC).isoformat(),
                "database": {"dialect": self.dialect, "file": self.database_file},
                "counts": self.counts, "objects": self.objects}
        (folder / MANIFEST).write_text(json.dumps(body, indent=1, sort_keys=True))

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            body = json.loads((folder / MANIFEST).read_text())
        except FileNotFoundError:
            raise ValueError(f"{folder} holds no {MANIFEST}: not a backup") from None
        if body.get("format") != FORMAT:
            raise ValueError(f"backup format {body.get('format')!r} is not {FORMAT}")
        return cls(dialect=body["database"]["dialect"], database_file=body["database"]["file"],
                   counts=dict(body["counts"]), objects=dict(body["objects"]),
                   taken_at=body.get("taken_at", ""))


def copy_hashed(src: BinaryIO, dest: BinaryIO) -> tuple[str, int]:
    """Copy `src` into `dest`; the sha256 hex and size of what was copied."""
    digest, size = hashlib.sha256(), 0
    while block := src.read(CHUNK):
        digest.update(block)
        dest.write(block)
        size += len(block)
    return digest.hexdigest(), size


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
