"""How a command-line import that found problems says so: one line naming the file and the count, then each
problem on its own line, on stderr; the caller exits 1."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Protocol


class Problem(Protocol):
    def text(self) -> str: ...


def print_problems(key: str, path: str, problems: Sequence[Problem]) -> int:
    from bot.texts import t_plain

    print(t_plain(key, None, path=path, count=len(problems)), file=sys.stderr)
    for problem in problems:
        print("  " + problem.text(), file=sys.stderr)
    return 1
