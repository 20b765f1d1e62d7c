"""Checkpoints of a run's load-path position, so `stressfem run --restart CASE` resumes a killed run.

Scope: load paths whose mechanical state is a function of the load state alone (no
``[[interfaces]]``, no ``galvanostatic`` stage): linear thermo-chemo-elasticity under cooling,
soc, cycles and pressure stages. The checkpoint then needs no field data: the position in the
plan (a step and the increments of it already done), the load state that step starts from, and
the rows and step entries written so far; the remaining increments are computed exactly as in an
uninterrupted run, on any rank count. Checkpoints: every step end, and within a step at most
every ``[output] checkpoint_interval_s``.
History-dependent runs (damage, diffusion) are not checkpointed: they need field checkpoints
(adios4dolfinx; its PyPI ADIOS2 has no MPI here, docs/failure-modes.md) and are refused by
``--restart``. Written by rank 0 atomically (write + rename) into
``CASE/.stressfem-checkpoint.json``; removed when the run commits its results.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..errors import CaseError
from ..jsonio import strict_dumps
from .results_dir import write_atomic

__all__ = ["Checkpoint", "RunCheckpoints", "checkpoint_path", "restart_blocker", "save_checkpoint", "load_checkpoint",
           "remove_checkpoint", "CHECKPOINT"]

log = logging.getLogger(__name__)

CHECKPOINT = ".stressfem-checkpoint.json"
VERSION = 1


@dataclass
class Checkpoint:
    """The position of a run in its load path after a completed step."""

    next_step: int  # index in the plan of the first step still to run (or to finish)
    state: dict  # LoadState fields (temperature_K, soc, time_s, surface_loads) at the start of that step
    history_rows: list
    steps: list
    done_increments: int = 0  # increments of step next_step already done (never all of them)


def checkpoint_path(case_dir: Path) -> Path:
    return Path(case_dir) / CHECKPOINT


def _case_hash(loaded) -> str:
    """sha256 of case.toml as written (the run may resolve parts of the case in memory)."""
    return hashlib.sha256(loaded.file.read_bytes()).hexdigest()


def restart_blocker(loaded) -> str | None:
    """Why this case cannot be checkpointed (its state depends on the path), or None."""
    if loaded.case.interfaces:
        return "cases with [[interfaces]] (cohesive damage is path-dependent)"
    if any(s.type == "galvanostatic" for s in loaded.case.stages):
        return "cases with a galvanostatic stage (the Li field is path-dependent)"
    return None


def save_checkpoint(loaded, comm, ck: Checkpoint) -> None:
    """Rank 0 writes the checkpoint atomically (no collective)."""
    if comm.rank != 0:
        return
    doc = {"version": VERSION, "case_sha256": _case_hash(loaded), "next_step": ck.next_step, "state": ck.state,
           "done_increments": ck.done_increments, "history_rows": ck.history_rows, "steps": ck.steps}
    write_atomic(checkpoint_path(loaded.directory), strict_dumps(doc, CHECKPOINT) + "\n")


def load_checkpoint(loaded, comm) -> Checkpoint:
    """The checkpoint of the case (collective); CaseError when missing, stale or not restartable."""
    blocker = restart_blocker(loaded)
    error, doc = None, None
    if comm.rank == 0:
        path = checkpoint_path(loaded.directory)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            error = "no checkpoint: run it without --restart (a run checkpoints after every step)"
        except (OSError, ValueError) as exc:
            error = f"the checkpoint {path.name} is unreadable ({exc}); run without --restart"
        if doc is not None and error is None:
            if doc.get("version") != VERSION or doc.get("case_sha256") != _case_hash(loaded):
                error = "the checkpoint belongs to another version of case.toml; run without --restart"
    if blocker is not None:
        error = f"--restart supports equilibrium load paths only, not {blocker}"
    if comm.size > 1:
        error, doc = comm.bcast((error, doc), root=0)
    if error is not None:
        raise CaseError(str(loaded.file), "", error)
    return Checkpoint(doc["next_step"], doc["state"], doc["history_rows"], doc["steps"], doc["done_increments"])


def remove_checkpoint(loaded, comm) -> None:
    if comm.rank == 0:
        checkpoint_path(loaded.directory).unlink(missing_ok=True)


def _state(state) -> dict:
    return {"temperature_K": state.temperature_K, "soc": state.soc, "time_s": state.time_s,
            "surface_loads": {k: float(v) for k, v in state.surface_loads.items()}}


class RunCheckpoints:
    """The driver's view: resume from a checkpoint, skip finished steps, checkpoint after each step."""

    def __init__(self, loaded, comm, restart: bool):
        import time

        self.loaded, self.comm, self.clock = loaded, comm, time.monotonic
        self.enabled = restart_blocker(loaded) is None
        self.interval_s = loaded.case.output.checkpoint_interval_s
        self.resumed: Checkpoint | None = load_checkpoint(loaded, comm) if restart else None
        self.last = self.clock()

    def resume(self, history, steps: list, state):
        """Restore rows and step entries; the load state to continue from (``state`` when not resuming)."""
        if self.resumed is None:
            return state
        from ..physics.eigenstrain import LoadState

        history.rows[:] = [list(r) for r in self.resumed.history_rows]
        steps[:] = list(self.resumed.steps)
        log.warning("restarting from the checkpoint: steps 1-%d are taken from it (fields.pvd and particles.csv "
                    "only hold the later steps)", self.resumed.next_step)
        return LoadState(**self.resumed.state)

    def skip(self, index: int) -> bool:
        """Whether plan step ``index`` was finished before the restart."""
        return self.resumed is not None and index < self.resumed.next_step

    def skip_increment(self, index: int, k: int) -> bool:
        """Whether increment k of plan step ``index`` was done before the restart."""
        r = self.resumed
        return r is not None and index == r.next_step and k <= r.done_increments

    def after_step(self, index: int, state, history, steps: list) -> None:
        """At every step end: continue with step index + 1 from ``state``."""
        if self.enabled:
            save_checkpoint(self.loaded, self.comm, Checkpoint(index + 1, _state(state), history.rows, steps))
            self.last = self.clock()

    def after_increment(self, index: int, k: int, step_start, history, steps: list) -> None:
        """Within a step (not after its last increment), at most every checkpoint_interval_s: redo step
        ``index`` from ``step_start``, skipping its first k increments. Every rank decides alike (rank 0's clock)."""
        due = self.clock() - self.last >= self.interval_s
        due = self.comm.bcast(due, root=0) if self.comm.size > 1 else due
        if self.enabled and due:
            save_checkpoint(self.loaded, self.comm, Checkpoint(index, _state(step_start), history.rows, steps, k))
            self.last = self.clock()

    def record(self) -> dict:
        """summary.json ``restart``."""
        r = self.resumed
        return {"restarted": r is not None, "from_step": r.next_step if r is not None else 0,
                "from_increment": r.done_increments if r is not None else 0}

    def done(self) -> None:
        remove_checkpoint(self.loaded, self.comm)
