"""Training loops: contrastive pretraining, embedding, supervised yield regression."""
