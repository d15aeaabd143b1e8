"""Files in the Slack double (mixed into SlackDouble).

files_upload_v2 (files.getUploadURLExternal, a POST of the bytes to ``/upload/<file_id>``,
files.completeUploadExternal; kept in ``uploaded_files`` and shown as a "file" surface whose
detail is the file ID), and files people uploaded (:meth:`Files.add_file`, e.g. in a file_input),
which the bot reads with files.info and a GET of the private URL with its bot token
(``/files-pri/<team>-<file_id>/[download/]<name>``, recorded as "files.download"; anyone else
is sent to the workspace's sign-in page, as Slack does).
"""

from __future__ import annotations

import mimetypes
import threading
import time
from urllib.parse import quote

from bot.slack_double.records import Call, SlackError, Surface

_MIMETYPES = {"markdown": "text/plain", "text": "text/plain", "pdf": "application/pdf",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SIGN_IN = "https://consultbot-test.slack.com/?redir="


class Files:
    """Mixin: needs the lock, ``base_url``, ``team_id``, ``bot_token``, ``user_id``, ``new_id``, ``effect``,
    ``resolve_channel``, ``dm_user``, ``_record`` and ``_take_fault`` of SlackDouble."""

    _lock: threading.RLock

    def _init_files(self) -> None:
        self.uploaded_files: dict[str, dict] = {}  # files_upload_v2: file_id -> filename, title, bytes, ...
        self.files: dict[str, dict] = {}  # add_file: file_id -> {"file": Slack's file object, "bytes": ...}

    def add_file(self, file_id: str, name: str, data: bytes, filetype: str, *, user: str | None = None,
                 url: str | None = None) -> dict:
        """A file a person uploaded (e.g. in a file_input); returns Slack's file object, as files.info
        gives it. Its url_private(_download) point back here; ``url`` replaces url_private_download."""
        path = f"{self.base_url}/files-pri/{self.team_id}-{file_id}"
        user = user or self.user_id
        mimetype = _MIMETYPES.get(filetype) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        file = {"id": file_id, "created": 1700000000, "timestamp": 1700000000, "name": name, "title": name,
                "mimetype": mimetype, "filetype": filetype,
                "pretty_type": filetype.capitalize(), "user": user, "user_team": self.team_id, "editable": False,
                "size": len(data), "mode": "hosted", "is_external": False, "external_type": "", "is_public": False,
                "public_url_shared": False, "display_as_bot": False, "username": "",
                "url_private": f"{path}/{quote(name)}", "url_private_download": url or f"{path}/download/{quote(name)}",
                "permalink": f"https://consultbot-test.slack.com/files/{user}/{file_id}/{quote(name)}",
                "channels": [], "groups": [], "ims": [], "comments_count": 0}
        with self._lock:
            self.files[file_id] = {"file": file, "bytes": data}
        return file

    # ---- HTTP (called with the lock held)
    def _download(self, path: str, rest: str, headers: dict) -> tuple[int, dict, bytes | str]:
        """GET of a private file URL: the bytes for the bot token; without it a redirect to sign in."""
        key = rest.split("/")[0]
        file_id = key.removeprefix(f"{self.team_id}-")
        params = {"file_id": file_id, "path": path}
        stored = self.files.get(file_id) if key != file_id else None
        fault = self._take_fault("files.download", False)
        if fault:
            status, out_headers, out = fault.status, {}, fault.error
        elif headers.get("authorization") != f"Bearer {self.bot_token}":
            status, out = 302, "redirect"
            out_headers = {"Location": SIGN_IN + quote(path, safe="")}
        elif stored is None:
            status, out_headers, out = 404, {}, "file_not_found"
        else:
            status, out = 200, stored["bytes"]
            out_headers = {"Content-Type": stored["file"]["mimetype"]}
        error = None if status == 200 else (out if isinstance(out, str) else "error")
        self._record(Call("files.download", params, headers, time.monotonic(), error, status, path,
                          None if status == 200 else out))
        return status, out_headers, out

    def _upload(self, file_id: str, body: bytes) -> str:
        if file_id not in self.uploaded_files:
            raise SlackError("file_not_found")
        self.uploaded_files[file_id]["bytes"] = body
        return f"OK - {len(body)}"

    # ---- Web API methods
    def _m_files_info(self, params: dict) -> dict:
        stored = self.files.get(params.get("file") or "")
        if not params.get("file"):
            raise SlackError("invalid_arguments")
        if stored is None:
            raise SlackError("file_not_found")
        return {"file": stored["file"], "comments": [], "response_metadata": {"next_cursor": ""}}

    def _m_files_getUploadURLExternal(self, params: dict) -> dict:
        if not (params.get("filename") and params.get("length")):
            raise SlackError("invalid_arguments")
        file_id = self.new_id("F")
        self.uploaded_files[file_id] = {"filename": params["filename"], "title": None, "bytes": None,
                                        "channel_id": None, "initial_comment": None, "thread_ts": None}
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict) -> dict:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channel = params.get("channel_id") or (params.get("channels") or "").split(",")[0] or None
        channel = self.resolve_channel(channel) if channel else None
        stored_files = []
        for f in files:
            stored = self.uploaded_files.get(f.get("id", "")) if isinstance(f, dict) else None
            if stored is None or stored["bytes"] is None:
                raise SlackError("file_not_found")
            stored_files.append((f, stored))
        out = []
        for f, stored in stored_files:
            stored.update(title=f.get("title") or stored["filename"], channel_id=channel,
                          initial_comment=params.get("initial_comment"), thread_ts=params.get("thread_ts"))
            out.append({"id": f["id"], "name": stored["filename"], "title": stored["title"],
                        "size": len(stored["bytes"]), "channels": [channel] if channel else [],
                        "user": self.user_id})
            self.effect(Surface("file", self.dm_user(channel) if channel else None, channel,
                                text=str(params.get("initial_comment") or ""), detail=f["id"]))
        return {"files": out}
