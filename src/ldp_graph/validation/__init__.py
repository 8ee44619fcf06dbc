"""Validation of submitted records against a return spec; imports neither db/ nor graphql/."""
