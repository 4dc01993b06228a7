"""reeval: the library behind the article (data, statistics, models, rendering).

Sub-packages by concern: `data` (manifest and fetching), `reactions` (tidy reaction
tables and splits), `stats` (robust summaries), `render` (LaTeX tables, numbers, figures).
Entry scripts in `src/scripts/` are thin wrappers that Snakemake rules call.
"""
