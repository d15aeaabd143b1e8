"""Tables, engine and sessions, migrations."""
