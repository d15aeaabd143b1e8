"""The terminal side: lines in from stdin (a terminal or a pipe), text out to stdout."""

from __future__ import annotations

import asyncio
import sys
import threading


class Lines:
    """stdin line by line; None at EOF. Reads on daemon threads, so a blocked read never holds up exit.

    A terminal is read on demand with input() (line editing, history); a pipe is read ahead."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.tty = sys.stdin.isatty()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        if self.tty:
            try:
                import readline  # noqa: F401, PLC0415 (line editing for input(), where available)
            except ImportError:
                pass
        else:
            threading.Thread(target=self._read_pipe, name="console-stdin", daemon=True).start()

    def _put(self, line: str | None) -> None:
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, line)
        except RuntimeError:  # the loop closed while reading
            pass

    def _read_pipe(self) -> None:
        while line := sys.stdin.readline():
            self._put(line.rstrip("\r\n"))
        self._put(None)

    def _read_terminal(self, prompt: str) -> None:
        try:
            self._put(input(prompt))
        except (EOFError, OSError, ValueError):
            self._put(None)

    async def get(self, prompt: str) -> str | None:
        if self.tty:
            threading.Thread(target=self._read_terminal, args=(prompt,), name="console-stdin", daemon=True).start()
            return await self.queue.get()
        print(prompt, end="", flush=True)
        line = await self.queue.get()
        print(line if line is not None else "", flush=True)  # a transcript reads like a terminal session
        return line


def out(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)
