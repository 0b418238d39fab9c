"""The engine: sessions, statement dispatch, binding, execution."""
