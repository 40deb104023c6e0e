"""The schema's object, input and enum types: one per module, each mapping one domain type."""
