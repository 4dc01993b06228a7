"""Rendering into the manuscript: LaTeX tables, \\variable{} numbers, figure styling."""
