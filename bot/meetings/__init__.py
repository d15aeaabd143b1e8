"""Meetings of a process: invitations, RSVPs by entity, iCalendar files, reminders, moves and cancellations."""
