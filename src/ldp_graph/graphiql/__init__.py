"""The GraphiQL page on GET /graphql, served from assets shipped with the package."""
