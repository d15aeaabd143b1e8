"""Fetching a file a person uploaded to Slack (a modal's file_input) with the bot's own token.

The bot never fetches a URL a payload carries: it asks `files.info` for the file and takes
`url_private_download` (else `url_private`) from Slack's answer, checks that the host is one of
Slack's file hosts (or the configured Web API's, for GovSlack and the tests), and downloads it
with `Authorization: Bearer <bot token>`: bounded in size (reading stops past the limit) and in
time, following a redirect only on the same host. Each refusal is a typed error with a text key.
"""

from __future__ import annotations

import asyncio
import ipaddress
from urllib.parse import urljoin

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.documents.parse import MAX_BYTES
from bot.errors import DomainError, Invalid, NotAllowed, NotFound
from bot.settings import Settings
from bot.slack.urls import has_credentials, origin

MB = 1024 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10, sock_read=15)
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
SLACK_FILE_HOSTS = ("files.slack.com",)
SLACK_HOST_SUFFIXES = (".slack.com", ".slack-edge.com")
GONE = ("file_not_found", "file_deleted")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def allowed(url: str, settings: Settings) -> bool:
    """Is this a host the bot may send its token to? Slack's file hosts over HTTPS, or the
    configured Web API's own origin (and, over HTTPS, its subdomains: GovSlack's files host)."""
    if has_credentials(url):
        return False
    scheme, host, port = origin(url)
    api_scheme, api_host, api_port = origin(settings.slack_api_url)
    if not host:
        return False
    if (scheme, host, port) == (api_scheme, api_host, api_port):
        return True
    if scheme != "https" or port != 443:
        return False
    if host in SLACK_FILE_HOSTS or host.endswith(SLACK_HOST_SUFFIXES):
        return True
    return api_scheme == "https" and not _is_ip(api_host) and host.endswith("." + api_host)


def too_large(name: str, limit: int) -> Invalid:
    return Invalid("files.too_large", name=name, limit=max(1, limit // MB))


async def file_info(client: AsyncWebClient, file_id: str) -> dict:
    """Slack's file object, asked of Slack itself."""
    try:
        response = await client.files_info(file=file_id)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown")
        if error in GONE:
            raise NotFound("files.not_found") from None
        raise Invalid("files.info_failed", error=error) from None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        raise Invalid("files.unreachable") from None
    info = response.get("file") or {}
    if info.get("id") != file_id:
        raise NotFound("files.not_found")
    return info


async def fetch_file(client: AsyncWebClient, file_id: str, settings: Settings, *, uploader: str | None = None,
                     max_bytes: int = MAX_BYTES) -> tuple[str, bytes]:
    """The file's name and bytes. `uploader`: the person who submitted it must be the one who uploaded it."""
    info = await file_info(client, file_id)
    name = str(info.get("name") or info.get("title") or file_id)
    if uploader and info.get("user") and info["user"] != uploader:
        raise NotAllowed("files.not_yours", name=name)
    size = info.get("size")
    if isinstance(size, int) and size > max_bytes:
        raise too_large(name, max_bytes)
    url = info.get("url_private_download") or info.get("url_private")
    if not isinstance(url, str) or not url:
        raise Invalid("files.no_download", name=name)
    token = client.token or settings.slack_bot_token or ""
    data = await download(url, token, settings, name=name, max_bytes=max_bytes,
                          expect_html=str(info.get("mimetype") or "").startswith("text/html"))
    return name, data


async def download(url: str, token: str, settings: Settings, *, name: str = "", max_bytes: int = MAX_BYTES,
                   expect_html: bool = False) -> bytes:
    """GET `url` with the bot token, from an allowed host only; a redirect only on the same host."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT, trust_env=False) as http:
            for _ in range(MAX_REDIRECTS + 1):
                if not allowed(url, settings):
                    raise Invalid("files.host_refused", host=origin(url)[1] or "?")
                async with http.get(url, headers={"Authorization": f"Bearer {token}"},
                                    allow_redirects=False) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        target = urljoin(url, response.headers.get("Location", ""))
                        if origin(target) != origin(url):
                            raise Invalid("files.redirected", name=name)
                        url = target
                        continue
                    if response.status != 200:
                        raise Invalid("files.download_failed", name=name, status=response.status)
                    if response.content_type == "text/html" and not expect_html:  # a sign-in page, not the file
                        raise Invalid("files.redirected", name=name)
                    return await _read(response, name, max_bytes)
            raise Invalid("files.redirected", name=name)
    except DomainError:
        raise
    except asyncio.TimeoutError:
        raise Invalid("files.timeout", name=name) from None
    except aiohttp.ClientError:
        raise Invalid("files.unreachable") from None


async def _read(response: aiohttp.ClientResponse, name: str, max_bytes: int) -> bytes:
    if response.content_length is not None and response.content_length > max_bytes:
        raise too_large(name, max_bytes)
    chunks, total = [], 0
    async for chunk in response.content.iter_chunked(CHUNK):
        total += len(chunk)
        if total > max_bytes:  # stop reading: a lying or missing Content-Length gets no further
            raise too_large(name, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)
