"""Effective properties of periodic volumes: stiffness, thermal and chemical expansion, bounds."""
