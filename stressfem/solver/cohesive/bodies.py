"""Bodies, cohesive-facet selection and the colouring of bodies into displacement blocks.

A *body* is one physical volume of the mesh: a phase volume, a grain ``<phase>#<id>`` of a
polycrystalline particle, or a particle volume ``<phase>#<id>`` of a hand-built mesh. A cohesive
interface is a set of interior facets between two different bodies:

* ``A/B`` (phases A != B): every facet between a cell of phase A and a cell of phase B; the
  plus side is A.
* ``<phase>#gb``: every facet between two different bodies of that phase (grain boundaries and
  particle/particle contacts).
* any other name: a physical surface of the mesh (e.g. a particle/particle contact surface); its
  facets must separate two different bodies.

For the last two the plus side is the body in the lower-numbered block (blocks are numbered by
the colouring, which is the same on every rank): then every block pair is integrated in one
orientation only, which cuts the interface kernels to compile (88 grains in 11 particles: 15
grain-boundary block pairs instead of 26 when oriented by volume tag).

Bodies joined through bonded (not cohesive) facets form a *cluster* that shares one continuous
displacement; a cohesive interface must separate two different clusters. Clusters that share a
vertex (through a cohesive facet, an edge or a single vertex) get different colours by greedy
(Welsh-Powell) colouring of the cluster vertex-adjacency graph; one colour is one block (one
submesh, one continuous P1 displacement). Clusters of one colour never share a vertex, so the
continuous field of a block does not pin them together anywhere. The number of blocks stays near
the largest group of mutually touching clusters whatever the number of grains (measured: 7
blocks for 11 particles of 8 Voronoi grains in LLZO, benchmarks/cohesive_bodies.py). Clusters that touch only at an edge or a vertex (no facet) are then not
coupled there (logged).

Everything here is NumPy on connectivity arrays; global decisions (pairs, clusters, colours,
errors) are taken from data gathered over all ranks, so every rank takes the same path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..._dolfinx import MPI
from ...geometry.msh import PhaseMesh
from ...parallel import allreduce_array

__all__ = ["InterfaceLayoutError", "Bodies", "BlockLayout", "greedy_colouring", "GB_SUFFIX"]

log = logging.getLogger(__name__)

GB_SUFFIX = "#gb"


class InterfaceLayoutError(ValueError):
    """A cohesive interface that cannot be represented; ``index`` is its position in the list."""

    def __init__(self, index: int | None, message: str):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class Bodies:
    """Physical volumes of a phase mesh, in tag order.

    Attributes:
        names: physical volume names (``<phase>`` or ``<phase>#<id>``).
        tags: their physical tags (ascending).
        phase: index of each body's phase in the model's phase list.
        cell_body: body index per local cell (owned and ghost).
    """

    names: list[str]
    tags: np.ndarray
    phase: np.ndarray
    cell_body: np.ndarray

    @classmethod
    def from_mesh(cls, pm: PhaseMesh, phase_names: Sequence[str]) -> "Bodies":
        items = sorted(pm.volumes.items(), key=lambda kv: kv[1])
        names = [n for n, _ in items]
        tags = np.array([t for _, t in items], dtype=np.int64)
        idx = {p: i for i, p in enumerate(phase_names)}
        phase = np.array([idx.get(n.split("#", 1)[0], -1) for n in names], dtype=np.int32)
        imap = pm.mesh.topology.index_map(3)
        cell_body = np.full(imap.size_local + imap.num_ghosts, -1, dtype=np.int32)
        order = np.clip(np.searchsorted(tags, pm.cell_tags.values), 0, max(len(tags) - 1, 0))
        known = tags[order] == pm.cell_tags.values if len(tags) else np.zeros(len(order), dtype=bool)
        cell_body[pm.cell_tags.indices[known]] = order[known].astype(np.int32)  # unknown tags stay -1
        return cls(names, tags, phase, cell_body)


def _union_find(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component labels (0..k-1, in order of the smallest member) of n nodes joined by pairs."""
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:  # one pass over the (few) body pairs, not over facets
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(i) for i in range(n)], dtype=np.int64)
    _, labels = np.unique(roots, return_inverse=True)
    return labels.astype(np.int32)


def _gather_unique(comm, pairs: np.ndarray, width: int = 2) -> np.ndarray:
    """Unique integer rows gathered from every rank (same result on all ranks)."""
    parts = comm.allgather(np.asarray(pairs, dtype=np.int64).reshape(-1, width))
    allp = np.concatenate(parts) if parts else np.zeros((0, width), dtype=np.int64)
    return np.unique(allp, axis=0) if len(allp) else allp


def greedy_colouring(n: int, edges: np.ndarray) -> np.ndarray:
    """Welsh-Powell colouring of a graph of n nodes (largest degree first, ties by index)."""
    adj: list[set[int]] = [set() for _ in range(n)]
    for a, b in edges:  # loop over graph edges (body pairs), not mesh entities
        adj[int(a)].add(int(b))
        adj[int(b)].add(int(a))
    degree = np.array([len(s) for s in adj])
    colour = np.full(n, -1, dtype=np.int32)
    for node in np.lexsort((np.arange(n), -degree)):
        used = {int(colour[m]) for m in adj[node] if colour[m] >= 0}
        c = 0
        while c in used:
            c += 1
        colour[node] = c
    return colour


class BlockLayout:
    """Which facets each cohesive interface holds, how bodies group into blocks.

    Args:
        pm: the phase mesh (facet-ghosted).
        phase_names: the model's phases (a body belongs to the phase before ``#`` in its name).
        interfaces: objects with ``name``, ``plus_phase``, ``minus_phase`` (phase names; equal for
            ``<phase>#gb``) and ``surface`` (a physical surface name or None).

    Raises:
        InterfaceLayoutError: on every rank alike, for interfaces without facets, facets claimed by
            two interfaces, surfaces inside one body, and cohesive interfaces whose two sides are
            also joined through bonded contacts.
    """

    def __init__(self, pm: PhaseMesh, phase_names: Sequence[str], interfaces: Sequence):
        msh = pm.mesh
        self.comm, self.phase_names, self.interfaces = msh.comm, list(phase_names), list(interfaces)
        self.bodies = Bodies.from_mesh(pm, phase_names)
        if np.any(self.bodies.phase < 0) or self.comm.allreduce(int(np.any(self.bodies.cell_body < 0)), op=MPI.MAX):
            raise InterfaceLayoutError(None, "every cell must belong to a named physical volume of a [phases] phase")
        msh.topology.create_connectivity(2, 3)
        msh.topology.create_connectivity(3, 2)
        f2c = msh.topology.connectivity(2, 3)
        off, arr = f2c.offsets, f2c.array
        nf = msh.topology.index_map(2).size_local
        self._two = np.flatnonzero(np.diff(off[: nf + 1]) == 2).astype(np.int32)  # owned interior facets
        self._c0, self._c1 = arr[off[self._two]], arr[off[self._two] + 1]
        self._b0, self._b1 = self.bodies.cell_body[self._c0], self.bodies.cell_body[self._c1]
        claimed, plus_first, by_block = self._claim(pm)
        cluster, cl_pairs = self._clusters(msh, claimed)
        self.cluster = cluster
        self._colour(cluster, cl_pairs)
        block0, block1 = self.cell_block[self._c0], self.cell_block[self._c1]
        plus_first = np.where(by_block, block0 < block1, plus_first)
        self._integration_groups(msh, claimed, plus_first)

    def _claim(self, pm: PhaseMesh) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per owned interior facet: the index of its cohesive interface (-1: bonded), whether c0 is "+"
        (``A/B``: the phase-A cell), and whether "+" is instead the cell of the lower block (``<phase>#gb``,
        named surfaces; decided after the colouring)."""
        comm, interfaces = self.comm, self.interfaces
        b0, b1 = self._b0, self._b1
        p0, p1 = self.bodies.phase[b0], self.bodies.phase[b1]
        pidx = {p: i for i, p in enumerate(self.phase_names)}
        claimed = np.full(len(self._two), -1, dtype=np.int32)
        plus_first = np.zeros(len(self._two), dtype=bool)
        by_block = np.zeros(len(self._two), dtype=bool)
        imap = pm.mesh.topology.index_map(2)
        for k, c in enumerate(interfaces):
            surface = getattr(c, "surface", None)
            if surface is not None:
                tagged = np.zeros(imap.size_local + imap.num_ghosts, dtype=bool)
                tagged[pm.facet_tags.find(pm.surfaces[surface])] = True
                sel = tagged[self._two]
                inside = comm.allreduce(int(np.count_nonzero(sel & (b0 == b1))), op=MPI.SUM)
                if inside:
                    raise InterfaceLayoutError(
                        k, f"interface {c.name!r}: {inside} facet(s) of surface {surface!r} lie inside one physical "
                           f"volume; a cohesive surface must separate two volumes (name them '<phase>#<id>')")
                fwd = None
            elif c.plus_phase == c.minus_phase:
                ph = pidx[c.plus_phase]
                sel = (p0 == ph) & (p1 == ph) & (b0 != b1)
                fwd = None
            else:
                pa, pb = pidx[c.plus_phase], pidx[c.minus_phase]
                fwd = (p0 == pa) & (p1 == pb)
                sel = fwd | ((p0 == pb) & (p1 == pa))
            if comm.allreduce(int(np.count_nonzero(sel)), op=MPI.SUM) == 0:
                raise InterfaceLayoutError(k, f"interface {c.name!r} has no facets in the mesh: {self._what(c)}")
            overlap = sel & (claimed >= 0)
            both = comm.allreduce(int(np.count_nonzero(overlap)), op=MPI.SUM)
            if both:
                first = comm.allreduce(int(claimed[overlap].min()) if np.any(overlap) else len(interfaces), op=MPI.MIN)
                raise InterfaceLayoutError(k, f"interfaces {interfaces[first].name!r} and {c.name!r} share {both} "
                                              f"facet(s); every facet may belong to one cohesive interface only")
            claimed[sel] = k
            if fwd is None:
                by_block[sel] = True
            else:
                plus_first[sel] = fwd[sel]
        return claimed, plus_first, by_block

    def _clusters(self, msh, claimed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cluster per body (bodies joined by bonded facets) and the vertex-adjacent cluster pairs."""
        comm, bodies = self.comm, self.bodies
        b0, b1 = self._b0, self._b1
        lo, hi = np.minimum(b0, b1), np.maximum(b0, b1)
        bonded = _gather_unique(comm, np.column_stack([lo, hi])[(b0 != b1) & (claimed < 0)])
        cluster = _union_find(len(bodies.names), bonded)
        for k, c in enumerate(self.interfaces):
            mine = claimed == k
            pairs = _gather_unique(comm, np.column_stack([b0[mine], b1[mine]]))
            same = cluster[pairs[:, 0]] == cluster[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
            if np.any(same):
                a, b = (int(x) for x in pairs[np.flatnonzero(same)[0]])
                via = self._bonded_kinds(bonded, cluster, cluster[a])
                raise InterfaceLayoutError(
                    k, f"interface {c.name!r}: volumes {bodies.names[a]!r} and {bodies.names[b]!r} are also joined "
                       f"through bonded contacts ({', '.join(via)}), so no displacement jump is possible across it; "
                       f"list those interfaces as cohesive too (a bonded-looking interface: a cohesive law with "
                       f"strengths far above the expected tractions)")
        cl_pairs = self._vertex_adjacent_clusters(msh, cluster[bodies.cell_body])
        coh = claimed >= 0
        facet_touch = {(int(a), int(b)) for a, b in
                       _gather_unique(comm, np.sort(np.column_stack([cluster[b0], cluster[b1]])[coh], axis=1))}
        point_only = sum((a, b) not in facet_touch for a, b in cl_pairs.tolist())
        if point_only:
            log.info("%d pair(s) of bonded clusters touch only at edges or vertices; they are put in different "
                     "blocks and are not coupled there", point_only)
        return cluster, cl_pairs

    def _colour(self, cluster: np.ndarray, cl_pairs: np.ndarray) -> None:
        """Blocks = colours of the cluster vertex-adjacency graph."""
        bodies = self.bodies
        n_cl = int(cluster.max()) + 1 if len(cluster) else 0
        colour = greedy_colouring(n_cl, cl_pairs)
        self.body_block = colour[cluster]
        self.n_blocks = int(colour.max()) + 1 if n_cl else 1
        self.cell_block = self.body_block[bodies.cell_body].astype(np.int32)
        members = [np.flatnonzero(self.body_block == b) for b in range(self.n_blocks)]
        self.block_bodies = [[bodies.names[i] for i in m] for m in members]
        self.block_phases = [sorted({bodies.names[i].split("#", 1)[0] for i in m}, key=self.phase_names.index)
                             for m in members]
        log.info("cohesive bodies: %d physical volume(s), %d bonded cluster(s), %d block(s) by colouring",
                 len(bodies.names), n_cl, self.n_blocks)

    def _integration_groups(self, msh, claimed: np.ndarray, plus_first: np.ndarray) -> None:
        """Per interface: its owned facets, and dS entities (plus cell, local facet, minus cell, local facet)
        grouped by (plus block, minus block); the groups are the same on every rank."""
        c2f = msh.topology.connectivity(3, 2).array.reshape(-1, 4)
        two, c0, c1 = self._two, self._c0, self._c1
        cp, cm = np.where(plus_first, c0, c1), np.where(plus_first, c1, c0)
        bp, bm = self.cell_block[cp], self.cell_block[cm]
        nk, nbk = len(self.interfaces), self.n_blocks
        coh = claimed >= 0
        present = np.zeros((nk, nbk, nbk))
        present[claimed[coh], bp[coh], bm[coh]] = 1.0
        present = allreduce_array(self.comm, present.ravel(), MPI.MAX).reshape(nk, nbk, nbk)
        self.facets: list[np.ndarray] = []
        self.groups: list[list[tuple[int, int, np.ndarray]]] = []
        for k in range(nk):
            mine = np.flatnonzero(claimed == k)
            self.facets.append(two[mine].astype(np.int32))
            groups = []
            for P, M in zip(*np.nonzero(present[k])):  # a few block pairs
                sel = mine[(bp[mine] == P) & (bm[mine] == M)]
                f = two[sel]
                lp = np.argmax(c2f[cp[sel]] == f[:, None], axis=1)
                lm = np.argmax(c2f[cm[sel]] == f[:, None], axis=1)
                groups.append((int(P), int(M), np.column_stack([cp[sel], lp, cm[sel], lm]).astype(np.int32).ravel()))
            self.groups.append(groups)

    # ---------------------------------------------------------------------------------------------
    @staticmethod
    def _what(c) -> str:
        if getattr(c, "surface", None) is not None:
            return f"surface {c.surface!r} has no interior facets between two volumes"
        if c.plus_phase == c.minus_phase:
            return (f"phase {c.plus_phase!r} has no facets between two of its volumes (grain boundaries need "
                    f"volumes '<phase>#<id>', e.g. geometry.grains)")
        return f"phases {c.plus_phase!r} and {c.minus_phase!r} do not touch"

    def _bonded_kinds(self, bonded: np.ndarray, cluster: np.ndarray, cl: int) -> list[str]:
        """Names of the bonded contact kinds inside one cluster (``A/B`` or ``<phase>#gb``)."""
        phase_names = self.phase_names
        out = []
        for a, b in bonded:
            if cluster[a] != cl:
                continue
            pa, pb = (phase_names[self.bodies.phase[a]], phase_names[self.bodies.phase[b]])
            name = f"{pa}{GB_SUFFIX}" if pa == pb else "/".join(sorted((pa, pb), key=phase_names.index))
            if name not in out:
                out.append(name)
        return out[:6]

    def _vertex_adjacent_clusters(self, msh, cell_cluster: np.ndarray) -> np.ndarray:
        """Pairs (a < b) of clusters sharing at least one mesh vertex, on any rank."""
        comm = self.comm
        msh.topology.create_connectivity(3, 0)
        c2v = msh.topology.connectivity(3, 0).array.reshape(-1, 4)
        vmap = msh.topology.index_map(0)
        nv = vmap.size_local + vmap.num_ghosts
        v = c2v.ravel()
        cl = np.repeat(cell_cluster, 4)
        vc = np.unique(np.column_stack([v, cl]), axis=0)  # (local vertex, cluster)
        count = np.bincount(vc[:, 0], minlength=nv)
        # vertices seen by other ranks (ghosts here, or owned and ghosted elsewhere) go to the gather too
        shared = np.zeros(nv, dtype=bool)
        shared[vmap.size_local:] = True
        if comm.size > 1:
            dest = np.diff(vmap.index_to_dest_ranks(0).offsets) > 0  # owned and ghost vertices
            shared[: len(dest)] |= dest
        keep = (count[vc[:, 0]] > 1) | shared[vc[:, 0]]
        gv = vmap.local_to_global(vc[keep, 0].astype(np.int32)) if np.any(keep) else np.zeros(0, dtype=np.int64)
        rows = _gather_unique(comm, np.column_stack([gv, vc[keep, 1]]))
        pairs = []
        for shift in range(1, 64):  # group sizes are small (clusters meeting at one vertex)
            if shift >= len(rows):
                break
            same = rows[shift:, 0] == rows[:-shift, 0]
            if not np.any(same):
                break
            pairs.append(np.column_stack([rows[:-shift, 1][same], rows[shift:, 1][same]]))
        if not pairs:
            return np.zeros((0, 2), dtype=np.int64)
        p = np.concatenate(pairs)
        return np.unique(np.sort(p, axis=1), axis=0)
