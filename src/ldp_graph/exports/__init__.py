"""Stream record query results as CSV, NDJSON or Parquet."""
