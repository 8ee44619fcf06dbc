"""Persistence: the engine, the tables, the migrations and the repositories (all SQL lives here)."""
