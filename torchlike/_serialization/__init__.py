"""Internals of torchlike.save / torchlike.load (PyTorch's checkpoint format)."""
