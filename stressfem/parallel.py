"""Small MPI helpers: element-wise reductions of NumPy arrays, and aborting cleanly."""

from __future__ import annotations

import numpy as np

__all__ = ["allreduce_array"]


def allreduce_array(comm, values: np.ndarray, op) -> np.ndarray:
    """Element-wise Allreduce of a float64 array (same shape on every rank)."""
    send = np.ascontiguousarray(values, dtype=np.float64)
    recv = np.empty_like(send)
    comm.Allreduce(send, recv, op=op)
    return recv
