"""Regenerate labels.npy: a synthetic segmented X-ray CT volume standing in for a real scan.

32 x 32 x 32 voxels indexed [z, y, x] (the order of a TIFF stack), uint8 labels:
0 pore, 1 NMC811, 2 LLZO. NMC811 spheres (diameter 8-11 voxels, 27 vol %: the 30 % target jams) placed by random
sequential addition with a 1-voxel gap (at most 20000 trials), cut by the box like a crop of a larger scan; small
pores (diameter 2-3 voxels, ~1.5 vol %) in the electrolyte. Seeded: the file is reproducible.

Run: python make_image.py  (numpy only).
"""

import numpy as np

N = 32
rng = np.random.default_rng(2026)
z, y, x = np.meshgrid(*(np.arange(N) + 0.5,) * 3, indexing="ij")
img = np.full((N, N, N), 2, dtype=np.uint8)
centres, radii = [], []
for _ in range(20000):
    if np.mean(img == 1) >= 0.30:
        break
    c, r = rng.uniform(-2.0, N + 2.0, 3), rng.uniform(4.0, 5.5)
    if all(np.linalg.norm(c - c2) > r + r2 + 1.0 for c2, r2 in zip(centres, radii)):
        centres.append(c)
        radii.append(r)
        img[(x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 < r * r] = 1
for _ in range(20000):
    if np.mean(img == 0) >= 0.015:
        break
    c, r = rng.uniform(0.0, N, 3), rng.uniform(1.0, 1.6)
    blob = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 < r * r
    if np.all(img[blob] == 2):
        img[blob] = 0
np.save("labels.npy", img)
print(f"{len(centres)} particles, NMC811 {np.mean(img == 1):.3f}, pores {np.mean(img == 0):.3f}")
