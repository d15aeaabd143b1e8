"""Reminders: rows that say what is sent when (store), the rules of when (plan), the policy in force."""
