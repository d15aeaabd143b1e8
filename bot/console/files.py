"""Files as the bot meets them: files_upload_v2 (an upload URL that points back here, files saved
to a folder), and files a person "uploads" in a modal's file_input (`/fill N PATH`), which the
bot reads through files.info and the file's private URL with its token, as in Slack."""

from __future__ import annotations

import itertools
import mimetypes
import tempfile
from pathlib import Path
from urllib.parse import quote

from bot.console.form import FillError
from bot.console.records import BOT_TOKEN, BOT_USER, SlackError, Surface, param

FILE_INPUT_MAX_MB = 10  # Slack's file_input takes files up to 10 MB


class FilesApi:
    """Mixed into Workspace: uses its base_url, team_id, uploads, files_dir, channel_of() and show()."""

    def attach(self, user: str, raw: str, element: dict) -> list[dict]:
        """A local file put in a file_input: kept here as if uploaded; the file objects Slack's state holds."""
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
        file_id = self.next_id("F")
        self.uploads[file_id] = {"name": path.name, "data": data, "user": user}
        return [self.file_object(file_id)]

    def file_object(self, file_id: str) -> dict:
        upload = self.uploads[file_id]
        name, data = upload["name"], upload["data"] or b""
        url = f"{self.base_url}/files-pri/{self.team_id}-{file_id}"
        return {"id": file_id, "created": 1700000000, "name": name, "title": upload.get("title") or name,
                "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
                "filetype": Path(name).suffix.lower().lstrip("."), "user": upload.get("user") or BOT_USER,
                "size": len(data), "mode": "hosted", "is_external": False, "is_public": False,
                "url_private": f"{url}/{quote(name)}", "url_private_download": f"{url}/download/{quote(name)}"}

    def api_files_info(self, params: dict) -> dict:
        upload = self.uploads.get(str(param(params, "file", "")))
        if upload is None or upload["data"] is None:
            raise SlackError("file_not_found")
        return {"file": self.file_object(str(params["file"])), "comments": []}

    def private_file(self, key: str, authorization: str) -> tuple[bytes, str]:
        """A private URL's bytes and type: `not_authed` without the bot token, `file_not_found` else."""
        if authorization != f"Bearer {BOT_TOKEN}":
            raise SlackError("not_authed")
        file_id = key.removeprefix(f"{self.team_id}-")
        upload = self.uploads.get(file_id) if file_id != key else None
        if upload is None or upload["data"] is None:
            raise SlackError("file_not_found")
        return upload["data"], self.file_object(file_id)["mimetype"]

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

