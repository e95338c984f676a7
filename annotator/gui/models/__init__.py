"""Qt item models that adapt services; they cache what a service returned and own no data."""
