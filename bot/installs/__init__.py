"""Workspaces that installed the app (install by OAuth) and what their removal means for the processes."""
