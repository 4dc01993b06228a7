"""Where data comes from: the manifest of raw files, and fetching them verified."""
