"""Verification problems: analytical solutions and the meshes they need (used by tests and benchmarks)."""
