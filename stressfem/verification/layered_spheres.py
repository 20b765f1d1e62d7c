"""Concentric spherical layers with eigenstrains and imperfect (spring) interfaces: closed form.

Layer i occupies r_{i-1} < r < r_i (r_0 = 0, outer surface r_n = b traction-free) with bulk and
shear moduli K_i, G_i and a uniform linear isotropic eigenstrain e_i (e.g. alpha_i dT). The
radial displacement is u_i = A_i r + B_i / r^2 (B_1 = 0 in the core), so

    sigma_rr,i = 3 K_i (A_i - e_i) - 4 G_i B_i / r^3,   sigma_tt,i = 3 K_i (A_i - e_i) + 2 G_i B_i / r^3

(Timoshenko & Goodier, Theory of Elasticity, Sec. 135). At each inner radius r_j the radial
traction is continuous and the displacement jumps by u_{j+1}(r_j) - u_j(r_j) = sigma_rr(r_j) / k_j
(k_j = inf: bonded; a spring or imperfect interface, Hashin, J. Mech. Phys. Solids 50 (2002)
2509); sigma_rr(b) = 0. These 2n - 1 linear equations give the 2n - 1 constants exactly.

For a particle (a) in a shell (b) with one spring interface this reduces to the closed form
P = (e_p - e_m) / (C + 1 / (k a)) with C the Lame compliance of concentric_spheres.py: the
particle carries the uniform hydrostatic stress -P.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Layer", "LayeredSphere", "layered_sphere", "spring_interface_pressure"]


@dataclass(frozen=True)
class Layer:
    """One spherical layer: outer radius (m), bulk and shear moduli (Pa), eigenstrain (-)."""

    outer_radius_m: float
    bulk_modulus_Pa: float
    shear_modulus_Pa: float
    eigenstrain: float


@dataclass(frozen=True)
class LayeredSphere:
    """The solved constants: A_i (-) and B_i (m^3) of every layer, with evaluation helpers."""

    layers: tuple[Layer, ...]
    A: np.ndarray
    B: np.ndarray

    def layer_of(self, r: float) -> int:
        return next(i for i, ly in enumerate(self.layers) if r <= ly.outer_radius_m * (1 + 1e-12))

    def radial_stress(self, r: float, layer: int | None = None) -> float:
        """sigma_rr (Pa) at radius r (m), in the given layer (default: the layer containing r)."""
        i = self.layer_of(r) if layer is None else layer
        ly = self.layers[i]
        return 3 * ly.bulk_modulus_Pa * (self.A[i] - ly.eigenstrain) - 4 * ly.shear_modulus_Pa * self.B[i] / r ** 3

    def hoop_stress(self, r: float, layer: int | None = None) -> float:
        """sigma_tt (Pa) at radius r (m)."""
        i = self.layer_of(r) if layer is None else layer
        ly = self.layers[i]
        return 3 * ly.bulk_modulus_Pa * (self.A[i] - ly.eigenstrain) + 2 * ly.shear_modulus_Pa * self.B[i] / r ** 3

    def displacement(self, r: float, layer: int) -> float:
        """u_r (m) at radius r (m) in a layer."""
        return self.A[layer] * r + (self.B[layer] / r ** 2 if layer else 0.0)


def layered_sphere(layers: Sequence[Layer], spring_stiffness_Pa_per_m: Sequence[float]) -> LayeredSphere:
    """Solve the n-layer sphere; ``spring_stiffness_Pa_per_m[j]`` is k at the outer radius of layer j
    (n - 1 values; ``math.inf`` for a bonded interface)."""
    n = len(layers)
    if len(spring_stiffness_Pa_per_m) != n - 1:
        raise ValueError("one interface stiffness per inner radius (n - 1 values)")
    N = 2 * n - 1

    def col(i: int) -> tuple[int, int | None]:  # unknown indices of A_i, B_i
        return (0, None) if i == 0 else (2 * i - 1, 2 * i)

    def srr(i: int, r: float) -> tuple[np.ndarray, float]:  # sigma_rr = c . x + d
        c, (a, b) = np.zeros(N), col(i)
        c[a] = 3 * layers[i].bulk_modulus_Pa
        if b is not None:
            c[b] = -4 * layers[i].shear_modulus_Pa / r ** 3
        return c, -3 * layers[i].bulk_modulus_Pa * layers[i].eigenstrain

    def ur(i: int, r: float) -> np.ndarray:
        c, (a, b) = np.zeros(N), col(i)
        c[a] = r
        if b is not None:
            c[b] = 1 / r ** 2
        return c

    M, rhs = np.zeros((N, N)), np.zeros(N)
    for j, k in enumerate(spring_stiffness_Pa_per_m):
        r = layers[j].outer_radius_m
        (ci, di), (co, do) = srr(j, r), srr(j + 1, r)
        M[2 * j], rhs[2 * j] = ci - co, do - di  # traction continuity
        M[2 * j + 1] = ur(j + 1, r) - ur(j, r)  # jump = sigma_rr / k
        if math.isfinite(k):
            M[2 * j + 1] -= ci / k
            rhs[2 * j + 1] = di / k
    c, d = srr(n - 1, layers[-1].outer_radius_m)
    M[N - 1], rhs[N - 1] = c, -d  # free outer surface
    x = np.linalg.solve(M, rhs)
    A = np.array([x[col(i)[0]] for i in range(n)])
    B = np.array([0.0] + [x[col(i)[1]] for i in range(1, n)])
    return LayeredSphere(tuple(layers), A, B)


def spring_interface_pressure(mismatch: float, E_p: float, nu_p: float, E_m: float, nu_m: float, a: float,
                              b: float, k: float) -> float:
    """Interface pressure P (Pa) of a particle (radius a, m) in a shell (b) with a spring interface
    of normal stiffness k (Pa/m), for the linear eigenstrain mismatch e_p - e_m (-)."""
    f = (a / b) ** 3
    C = (1 - 2 * nu_p) / E_p + ((1 + nu_m) + 2 * (1 - 2 * nu_m) * f) / (2 * E_m * (1 - f))
    return mismatch / (C + 1.0 / (k * a))
