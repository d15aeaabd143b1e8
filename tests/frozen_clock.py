"""Run `consultbot` with its clock set to another instant, flowing on from there (time-machine).

    python tests/frozen_clock.py 2014-02-07T09:00:00Z serve
    CONSULTBOT_FROZEN_AT=2014-02-07T09:00:00Z python tests/frozen_clock.py serve

The bot is a separate process, so the tests cannot travel in time for it: this launcher travels
first (wall-clock time, `datetime.now`, `date.today`: everything but the monotonic clocks), then
hands over to `bot.cli.main`. Used by tests/test_meeting_scenarios.py with tests/bot_process.BotProcess.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parents[1]


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def main(argv: list[str]) -> int:
    instant = _instant(argv[0]) if argv else None
    args = argv[1:] if instant is not None else argv
    instant = instant or _instant(os.environ.get("CONSULTBOT_FROZEN_AT", ""))
    if instant is None:
        print("frozen_clock: give an ISO instant with its offset (2014-02-07T09:00:00Z) first, "
              "or in CONSULTBOT_FROZEN_AT", file=sys.stderr)
        return 2
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    with time_machine.travel(instant, tick=True):
        from bot.cli import main as consultbot

        return consultbot(args or ["serve"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
