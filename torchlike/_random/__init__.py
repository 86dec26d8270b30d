"""PyTorch's CPU random number generation, bit for bit, in numpy."""
