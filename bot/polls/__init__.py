"""Availability polls: candidate slots for a meeting, answered by each invited entity in its own time zone."""
