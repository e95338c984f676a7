"""Agreement measures: pure functions, no I/O, no Qt."""
