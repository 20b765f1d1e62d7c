"""Checkpoints of a run's load-path position, so `stressfem run --restart CASE` resumes a killed run.

The checkpoint holds the position in the plan (a step and the increments of it already done), the
load state that step starts from, and the rows and step entries written so far. For load paths
whose mechanical state is a function of the load state alone (cooling, soc, cycles, pressure) that
is all: the remaining increments are computed exactly as in an uninterrupted run, on any rank
count. Path-dependent runs (``[[interfaces]]``: cohesive damage; ``galvanostatic``: the Li field)
also save their fields at the same moment (output/field_checkpoint.py, keyed by mesh input ids, so
they restart on any rank count). Checkpoints: every step end, and within a step at most every
``[output] checkpoint_interval_s``. Written by rank 0 atomically (write + rename) into
``CASE/.stressfem-checkpoint.json`` (+ ``.stressfem-checkpoint-<n>.npz``); removed when the run
commits its results.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..errors import CaseError
from ..jsonio import strict_dumps
from . import field_checkpoint
from .results_dir import write_atomic

__all__ = ["Checkpoint", "RunCheckpoints", "checkpoint_path", "save_checkpoint", "load_checkpoint",
           "remove_checkpoint", "CHECKPOINT"]

log = logging.getLogger(__name__)

CHECKPOINT = ".stressfem-checkpoint.json"
VERSION = 2


@dataclass
class Checkpoint:
    """The position of a run in its load path after a completed step."""

    next_step: int  # index in the plan of the first step still to run (or to finish)
    state: dict  # LoadState fields (temperature_K, soc, time_s, surface_loads) at the start of that step
    history_rows: list
    steps: list
    done_increments: int = 0  # increments of step next_step already done (never all of them)
    counts: list | None = None  # [linear, Newton] iterations of those increments
    fields: dict | None = None  # field checkpoint (output/field_checkpoint.py): npz name, model state


def checkpoint_path(case_dir: Path) -> Path:
    return Path(case_dir) / CHECKPOINT


def _case_hash(loaded) -> str:
    """sha256 of case.toml as written (the run may resolve parts of the case in memory)."""
    return hashlib.sha256(loaded.file.read_bytes()).hexdigest()


def save_checkpoint(loaded, comm, ck: Checkpoint) -> None:
    """Rank 0 writes the checkpoint atomically (no collective)."""
    if comm.rank != 0:
        return
    doc = {"version": VERSION, "case_sha256": _case_hash(loaded), "next_step": ck.next_step, "state": ck.state,
           "done_increments": ck.done_increments, "history_rows": ck.history_rows, "steps": ck.steps,
           "counts": ck.counts, "fields": ck.fields}
    write_atomic(checkpoint_path(loaded.directory), strict_dumps(doc, CHECKPOINT) + "\n")


def load_checkpoint(loaded, comm) -> Checkpoint:
    """The checkpoint of the case (collective); CaseError when missing or stale."""
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
    if comm.size > 1:
        error, doc = comm.bcast((error, doc), root=0)
    if error is not None:
        raise CaseError(str(loaded.file), "", error)
    return Checkpoint(doc["next_step"], doc["state"], doc["history_rows"], doc["steps"], doc["done_increments"],
                      doc["counts"], doc["fields"])


def remove_checkpoint(loaded, comm) -> None:
    if comm.rank == 0:
        checkpoint_path(loaded.directory).unlink(missing_ok=True)
        field_checkpoint.remove_fields(loaded.directory)


def _state(state) -> dict:
    return {"temperature_K": state.temperature_K, "soc": state.soc, "time_s": state.time_s,
            "surface_loads": {k: float(v) for k, v in state.surface_loads.items()}}


class RunCheckpoints:
    """The driver's view: resume from a checkpoint, skip finished steps, checkpoint after each step."""

    def __init__(self, loaded, comm, restart: bool):
        import time

        self.loaded, self.comm, self.clock = loaded, comm, time.monotonic
        self.model = self.ctx = None
        self.interval_s = loaded.case.output.checkpoint_interval_s
        c = loaded.case
        if restart and c.has_interface_model and c.solver.element_degree != 1:  # such runs write no checkpoint
            raise CaseError(str(loaded.file), "solver.element_degree", field_checkpoint.P2_REFUSAL)
        self.resumed: Checkpoint | None = load_checkpoint(loaded, comm) if restart else None
        # field files are numbered on from the resumed one: a new save never overwrites the file it names
        self.serial = int((self.resumed.fields or {}).get("serial", 0)) if self.resumed is not None else 0
        self.last, self.warned = self.clock(), False

    def resume(self, history, steps: list, state, model, ctx):
        """Restore rows, step entries and fields (of ``model`` and the stage context ``ctx``, which later
        checkpoints save); the load state to continue from (``state`` when not resuming)."""
        self.model, self.ctx = model, ctx
        r = self.resumed
        if r is None:
            return state
        from ..physics.eigenstrain import LoadState

        history.rows[:] = [list(row) for row in r.history_rows]
        steps[:] = list(r.steps)
        log.warning("restarting from the checkpoint: steps 1-%d are taken from it (fields.pvd and particles.csv "
                    "only hold the later steps)", r.next_step)
        li = None
        if r.fields is not None:
            try:
                data = field_checkpoint.load_fields(self.loaded.directory, r.fields, self.comm)
                li = field_checkpoint.restore_fields(data, r.fields, model, ctx, r.fields["li_field"], self.comm)
            except ValueError as exc:  # every rank raises alike
                raise CaseError(str(self.loaded.file), "", f"{exc}; run without --restart") from exc
        ctx.resume_increments = r.done_increments
        return LoadState(cell_li_fraction=li, **r.state)

    def step_counts(self, index: int) -> list:
        """[linear, Newton] iterations of step ``index`` done before the restart."""
        r = self.resumed
        return list(r.counts) if r is not None and index == r.next_step and r.counts else [0, 0]

    def _save(self, ck: Checkpoint, state) -> None:
        """Fields (collective) then the JSON naming them (rank 0)."""
        if self.model is not None and not field_checkpoint.supports_fields(self.model):
            if not self.warned:  # no checkpoint at all: a restart must not resume without the interface state
                log.warning("no restart checkpoints: %s", field_checkpoint.P2_REFUSAL)
                self.warned = True
            return
        if self.model is not None and field_checkpoint.has_fields(self.model, self.ctx):
            self.serial += 1
            ck.fields = field_checkpoint.save_fields(self.loaded.directory, self.serial, self.model, self.ctx,
                                                     self.comm)
            if ck.fields is not None:
                ck.fields["li_field"] = state.cell_li_fraction is not None
        save_checkpoint(self.loaded, self.comm, ck)
        if self.comm.rank == 0 and ck.fields is not None:
            field_checkpoint.remove_fields(self.loaded.directory, keep=ck.fields["file"])
        self.last = self.clock()

    def skip(self, index: int) -> bool:
        """Whether plan step ``index`` was finished before the restart."""
        return self.resumed is not None and index < self.resumed.next_step

    def skip_increment(self, index: int, k: int) -> bool:
        """Whether increment k of plan step ``index`` was done before the restart."""
        r = self.resumed
        return r is not None and index == r.next_step and k <= r.done_increments

    def after_step(self, index: int, state, history, steps: list) -> None:
        """At every step end: continue with step index + 1 from ``state``."""
        if self.ctx is not None:
            self.ctx.resume_increments = 0  # only the resumed step had increments restored
        self._save(Checkpoint(index + 1, _state(state), history.rows, steps), state)

    def after_increment(self, index: int, k: int, step_start, history, steps: list, counts: list,
                        state) -> None:
        """Within a step (not after its last increment), at most every checkpoint_interval_s: redo step
        ``index`` from ``step_start``, skipping its first k increments (``counts``: their [linear, Newton]
        iterations; ``state``: the load state reached). Every rank decides alike (rank 0's clock)."""
        due = self.clock() - self.last >= self.interval_s
        due = self.comm.bcast(due, root=0) if self.comm.size > 1 else due
        if due:
            self._save(Checkpoint(index, _state(step_start), history.rows, steps, k, list(counts)), state)

    def record(self) -> dict:
        """summary.json ``restart``."""
        r = self.resumed
        return {"restarted": r is not None, "from_step": r.next_step if r is not None else 0,
                "from_increment": r.done_increments if r is not None else 0}

    def done(self) -> None:
        remove_checkpoint(self.loaded, self.comm)
