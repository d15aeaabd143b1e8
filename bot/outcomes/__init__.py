"""What meetings decided: minutes, decisions that act on their process, action items with reminders."""
