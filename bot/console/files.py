"""files_upload_v2 as the bot uses it: an upload URL that points back here, files saved to a folder."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from bot.console.records import SlackError, Surface, param


class FilesApi:
    """Mixed into Workspace: uses its base_url, uploads, files_dir, channel_of() and show()."""

    def api_files_getUploadURLExternal(self, params: dict) -> dict:
        file_id = self.next_id("F")
        self.uploads[file_id] = {"name": str(param(params, "filename", file_id)), "data": None}
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def upload(self, file_id: str, data: bytes) -> None:
        if file_id not in self.uploads:
            raise SlackError("file_not_found")
        self.uploads[file_id]["data"] = data

    def api_files_completeUploadExternal(self, params: dict) -> dict:
        items = params.get("files")
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        channel = self.channel_of(str(params["channel_id"])) if params.get("channel_id") else None
        shared = []
        for item in items:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or upload["data"] is None:
                raise SlackError("file_not_found")
            path = self._save(upload["name"], upload["data"])
            title = str(item.get("title") or upload["name"])
            shared.append({"id": item["id"], "name": upload["name"], "title": title, "size": len(upload["data"])})
            self.show(Surface("file", self.viewer_of(channel) if channel else None, channel,
                              text=str(params.get("initial_comment") or ""), detail=str(path)))
        return {"files": shared}

    def _save(self, name: str, data: bytes) -> Path:
        if self.files_dir is None:
            self.files_dir = Path(tempfile.mkdtemp(prefix="consultbot-console-files-"))
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "file"
        path = self.files_dir / safe
        for n in itertools.count(2):
            if not path.exists():
                break
            path = self.files_dir / f"{Path(safe).stem}-{n}{Path(safe).suffix}"
        path.write_bytes(data)
        return path

