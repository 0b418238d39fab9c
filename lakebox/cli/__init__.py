"""The `lakebox` command: sql, repl and demo."""
