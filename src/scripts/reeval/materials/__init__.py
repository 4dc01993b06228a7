"""Materials (Qu et al. 2024): structures, their text, representations, recall and ranking."""
