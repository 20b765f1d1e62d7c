"""Spherical inclusion with a uniform deviatoric eigenstrain (Eshelby), also in a finite matrix sphere.

Closed form (``../shared/reference/literature.md``, "Analytical solutions"; Eshelby, Proc. R. Soc.
A 241 (1957) 376; Mura, Micromechanics of Defects in Solids, 2nd ed. (1987), Sec. 11): in an
infinite matrix of the same isotropic stiffness (shear modulus mu, Poisson ratio nu) a sphere with
a uniform traceless eigenstrain e* has the uniform strain S e*, S_dev = 2 (4 - 5 nu) / (15 (1 - nu)),
and the uniform stress

    sigma_in = 2 mu (S_dev - 1) e* = -2 mu (1 - S_dev) e*.

Finite matrix (a particle of radius a in a concentric matrix sphere of radius b with a free outer
surface, possibly different moduli): the displacement u = f(r) E x + g(r) (x.E x) x of a traceless
E is a sum of four power-law solutions of Navier's equation (derived symbolically with the ansatz
above; each satisfies mu lap u + (lambda + mu) grad div u = 0):

    u1 = E x,  u2 = r^2 E x - (7 - 10 nu)/(7 - 4 nu) (x.E x) x,
    u3 = r^-3 E x + 3/(2 (1 - 2 nu)) r^-5 (x.E x) x,  u4 = r^-5 E x - 5/2 r^-7 (x.E x) x.

On a sphere of radius R each displacement and traction is alpha E n + beta (n.E n) n. The particle
takes u1, u2 (regular at 0), the shell all four; continuity of displacement and traction at r = a
(with the eigenstrain traction -2 mu_p e* in the particle) and zero traction at r = b give six
linear equations. The particle stress is not uniform when b is finite; its volume mean is
2 mu_p (A1 - 1) E + A2 * 42 mu_p a^2 / (5 (7 - 4 nu_p)) E (the eigenstrain term and the mean of the
quadratic u2 stress over the ball).
With b -> infinity and equal moduli this reproduces sigma_in above (tested).
"""

from __future__ import annotations

import numpy as np

__all__ = ["eshelby_deviatoric_factor", "mean_inclusion_stress", "mean_stresses"]


def eshelby_deviatoric_factor(nu: float) -> float:
    """Deviatoric Eshelby factor S_dev = 2 (4 - 5 nu) / (15 (1 - nu)) of a sphere (-)."""
    return 2.0 * (4.0 - 5.0 * nu) / (15.0 * (1.0 - nu))


def _disp(R: float, nu: float) -> np.ndarray:
    """(alpha, beta) of the displacement of u1..u4 on a sphere of radius R; shape (4, 2)."""
    return np.array([[R, 0.0],
                     [R**3, R**3 * (7 - 10 * nu) / (4 * nu - 7)],
                     [R**-2, 1.5 / (R**2 * (1 - 2 * nu))],
                     [R**-4, -2.5 / R**4]])


def _traction(R: float, mu: float, nu: float) -> np.ndarray:
    """(alpha, beta) of the traction sigma.n of u1..u4 on a sphere of radius R; shape (4, 2)."""
    return np.array([[2 * mu, 0.0],
                     [2 * mu * R**2 * (2 * nu + 7) / (7 - 4 * nu), -2 * mu * R**2 * (5 * nu + 7) / (7 - 4 * nu)],
                     [2 * mu * (1 + nu) / (R**3 * (1 - 2 * nu)), -12 * mu / (R**3 * (1 - 2 * nu))],
                     [-8 * mu / R**5, 20 * mu / R**5]])


def mean_stresses(mu_p: float, nu_p: float, mu_m: float, nu_m: float, a: float = 1.0,
                  b: float = np.inf) -> tuple[float, float]:
    """Volume-mean stress per unit traceless eigenstrain of particle and matrix: <sigma> = m e* (Pa).

    Particle radius a, matrix outer radius b (free surface; ``inf``: infinite matrix, whose mean
    is then 0), shear moduli mu (Pa) and Poisson ratios nu of particle (p) and matrix (m). The
    eigenstrain is in the particle. The matrix mean follows from the surface integrals of
    sym(u x n) over r = a and r = b (<n n> = I/3, <(n.E n) n n> = 2 E / 15 for traceless E).
    """
    dp, dm = _disp(a, nu_p), _disp(a, nu_m)
    tp, tm = _traction(a, mu_p, nu_p), _traction(a, mu_m, nu_m)
    shell = [0, 1, 2, 3] if np.isfinite(b) else [2, 3]  # without an outer surface only decaying fields
    n = 2 + len(shell)
    A = np.zeros((n, n))
    rhs = np.zeros(n)
    A[0:2, 0:2], A[0:2, 2:] = dp[:2].T, -dm[shell].T  # displacement continuity at r = a
    A[2:4, 0:2], A[2:4, 2:] = tp[:2].T, -tm[shell].T  # traction continuity at r = a
    rhs[2] = 2 * mu_p  # eigenstrain traction -2 mu_p e* E n, moved to the right-hand side
    if np.isfinite(b):
        A[4:6, 2:] = _traction(b, mu_m, nu_m)[shell].T  # free outer surface
    coef = np.linalg.solve(A, rhs)
    particle = 2 * mu_p * (coef[0] - 1.0) + coef[1] * 42 * mu_p * a**2 / (5 * (7 - 4 * nu_p))
    if not np.isfinite(b):
        return float(particle), 0.0

    def surface(R: float) -> float:  # integral of sym(u x n) over r = R, per E
        alpha, beta = coef[2:] @ _disp(R, nu_m)
        return 4 * np.pi * R**2 * (alpha / 3 + 2 * beta / 15)

    matrix = 2 * mu_m * (surface(b) - surface(a)) / (4 * np.pi / 3 * (b**3 - a**3))
    return float(particle), float(matrix)


def mean_inclusion_stress(mu_p: float, nu_p: float, mu_m: float, nu_m: float, a: float = 1.0,
                          b: float = np.inf) -> float:
    """Volume-mean particle stress per unit traceless eigenstrain, m in <sigma> = m e* (Pa)."""
    return mean_stresses(mu_p, nu_p, mu_m, nu_m, a, b)[0]
