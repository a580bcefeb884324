"""Use cases: one function per action, taking a Session and keyword arguments, returning plain data."""
