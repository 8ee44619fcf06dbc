"""Who is calling: bearer tokens to a Principal at the edge; policy.py decides what it may do."""
