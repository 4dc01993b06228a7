"""Reaction-yield data: tidy tables, split definitions and SMILES handling."""
