"""Bringing plans in: the importer and its review, the demo seed, load generation."""
