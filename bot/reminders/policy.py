"""The reminder policy in force: quiet hours, set once at start-up from the settings."""

from __future__ import annotations

from bot.reminders.plan import QuietHours

_quiet = QuietHours()


def configure(quiet: QuietHours) -> None:
    global _quiet
    _quiet = quiet


def quiet_hours() -> QuietHours:
    return _quiet
