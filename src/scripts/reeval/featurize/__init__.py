"""Featurisation of reactions, computed once per unique molecule and cached: molecular
graphs, SMILES tokens, and "human" features (fingerprints, descriptors)."""
