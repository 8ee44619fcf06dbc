"""The GraphQL adapter: types, resolvers, loaders and limits. No SQL and no permission rules."""
