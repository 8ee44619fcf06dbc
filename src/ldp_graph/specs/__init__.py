"""Return specifications: data (YAML under schema/returns/) loaded and checked into models."""
