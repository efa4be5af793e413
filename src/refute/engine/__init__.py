"""Explorers and what they share: the Model protocol, fingerprints, results."""
