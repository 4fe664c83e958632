"""The desk and its files: finding the desk, reading and writing YAML safely, the lock,
the SQLite index, import/export and the integrity check."""
