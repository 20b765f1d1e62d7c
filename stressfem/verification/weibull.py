"""Closed forms of the tensile statistics (output/tensile.py): uniform bar and Lame shell.

Uniform bar: a volume V under a uniform uniaxial stress T has the Weibull risk
R = (V / V0) (max(T, 0) / sigma_0)^m and P_f = 1 - exp(-R).

Lame shell (particle radius a in a shell to b, free outer surface, interface pressure P from
concentric_spheres.interface_pressure): in the shell sigma_r = C (1 - b^3/r^3) <= 0 and the hoop
stress sigma_t = C (1 + b^3 / (2 r^3)) > 0 is the maximum principal stress, C = P a^3 / (b^3 - a^3)
(Timoshenko & Goodier, Theory of Elasticity, Sec. 135). With u = r^3, dV = (4 pi / 3) du over a whole
shell, so for integer m (binomial expansion of (1 + k/u)^m, k = b^3/2):
    R = (4 pi / 3) (C / sigma_0)^m / V0 * sum_j binom(m, j) k^j I_j,
    I_0 = b^3 - a^3,  I_1 = ln(b^3 / a^3),  I_j = (a^(3(1-j)) - b^(3(1-j))) / (j - 1)  (j >= 2).
The volume fraction of the shell with sigma_t > t (C < t < sigma_t(a)) is (r_t^3 - a^3) / (b^3 - a^3)
with r_t^3 = k C / (t - C).
"""

from __future__ import annotations

import math

__all__ = ["uniform_risk", "lame_hoop_constant", "lame_shell_risk", "lame_shell_fraction_above",
           "lame_shell_mean_hoop"]


def uniform_risk(stress_Pa: float, volume_m3: float, m: float, sigma0_Pa: float, V0_m3: float) -> float:
    """Weibull risk R (-) of a volume under uniform uniaxial stress."""
    return volume_m3 / V0_m3 * (max(stress_Pa, 0.0) / sigma0_Pa) ** m


def lame_hoop_constant(P_Pa: float, a: float, b: float) -> float:
    """C = P a^3 / (b^3 - a^3) (Pa)."""
    return P_Pa * a**3 / (b**3 - a**3)


def lame_shell_risk(P_Pa: float, a: float, b: float, m: int, sigma0_Pa: float, V0_m3: float,
                    fraction: float = 1.0) -> float:
    """Weibull risk (-) of the hoop stress of a shell (a, b in m), or of a fraction of it (1/8: octant)."""
    C, k = lame_hoop_constant(P_Pa, a, b), b**3 / 2.0
    A, B = a**3, b**3
    total = 0.0
    for j in range(m + 1):
        if j == 0:
            integral = B - A
        elif j == 1:
            integral = math.log(B / A)
        else:
            integral = (A ** (1 - j) - B ** (1 - j)) / (j - 1)
        total += math.comb(m, j) * k**j * integral
    return fraction * 4.0 * math.pi / 3.0 * (C / sigma0_Pa) ** m * total / V0_m3


def lame_shell_mean_hoop(P_Pa: float, a: float, b: float) -> float:
    """Volume average (Pa) of the hoop stress over the shell."""
    C, A, B = lame_hoop_constant(P_Pa, a, b), a**3, b**3
    return C * ((B - A) + B / 2.0 * math.log(B / A)) / (B - A)


def lame_shell_fraction_above(P_Pa: float, a: float, b: float, t_Pa: float) -> float:
    """Volume fraction (-) of the shell whose hoop stress exceeds t_Pa."""
    C, A, B = lame_hoop_constant(P_Pa, a, b), a**3, b**3
    if t_Pa <= C * 1.5:  # sigma_t(b) = 1.5 C: the whole shell
        return 1.0
    r3 = B / 2.0 * C / (t_Pa - C)
    return min(1.0, max(0.0, (r3 - A) / (B - A)))
