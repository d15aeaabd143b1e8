"""Files as a person at the console meets them: a local file put in a modal's file_input (`/fill N PATH`),
"uploaded" to the workspace (the bot reads it through files.info and its private URL with its token,
as in Slack), and the files the bot shares (files_upload_v2), saved to a folder to open."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from bot.console.form import FillError

FILE_INPUT_MAX_MB = 10  # Slack's file_input takes files up to 10 MB


def attach(ws, user: str, raw: str, element: dict) -> list[dict]:
    """A local file put in a file_input: kept in the workspace `ws` as if uploaded; the file objects Slack's
    state holds."""
    if not raw:
        return []
    path = Path(raw).expanduser()
    try:
        size = path.stat().st_size
        if size > FILE_INPUT_MAX_MB * 1024 * 1024:
            raise FillError("files.console.too_big", name=path.name, limit=FILE_INPUT_MAX_MB)
        kind = path.suffix.lower().lstrip(".")
        accepted = [str(t).lower() for t in element.get("filetypes") or []]
        if accepted and kind not in accepted:
            raise FillError("files.console.wrong_type", name=path.name, types=", ".join(accepted))
        data = path.read_bytes()
    except OSError as exc:
        raise FillError("files.console.cannot_read", path=str(path), error=exc.strerror or str(exc)) from None
    return [ws.add_file(ws.new_id("F"), path.name, data, kind, user=user)]


def save(folder: Path | None, name: str, data: bytes) -> Path:
    """Writes a shared file into `folder` (a new temporary folder if None) under a safe, unused name."""
    folder = folder or Path(tempfile.mkdtemp(prefix="consultbot-console-files-"))
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "file"
    path = folder / safe
    for n in itertools.count(2):
        if not path.exists():
            break
        path = folder / f"{Path(safe).stem}-{n}{Path(safe).suffix}"
    path.write_bytes(data)
    return path
