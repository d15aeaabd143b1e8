"""consultbot: the EMG secretariat's consultations in Slack."""
