"""ldp-graph: the GraphQL data-access API of a local government data platform."""

__version__ = "0.1.0"
