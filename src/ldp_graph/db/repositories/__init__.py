"""Repositories: every SQL statement of the project, grouped by table."""
