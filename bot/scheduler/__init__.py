"""The clock side of the bot: APScheduler ticks, the reminder sender, the SQLite instance lock."""
