"""Domain operations: each checks policy, owns its transaction, and knows nothing of GraphQL."""
