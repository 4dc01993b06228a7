"""Model definitions: small nn.Modules composed of PyTorch / PyG layers."""
