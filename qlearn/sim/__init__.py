"""A batched, GPU-capable state-vector simulator for data re-uploading circuits.

* :class:`Circuit` — the circuit IR (symbolic angles), compiled with ``.module()`` into a
  ``torch.nn.Module``, exported with ``.to_pennylane()`` and imported with ``.from_tape()``.
* :func:`execute` — run a PennyLane tape on our engine, with ``default.qubit``'s results.
* :mod:`qlearn.sim.functional` — state-level functions for teaching: make a state, apply a gate,
  measure.
"""

from qlearn.sim.angles import Angle
from qlearn.sim.circuit import Circuit, CircuitModule
from qlearn.sim.engine import SimulationMemoryError, estimate_bytes
from qlearn.sim.gates import GATES, matrix
from qlearn.sim.interop import execute

__all__ = [
    "GATES",
    "Angle",
    "Circuit",
    "CircuitModule",
    "SimulationMemoryError",
    "estimate_bytes",
    "execute",
    "matrix",
]

# State-level teaching API (``from qlearn.sim import functional as F``).
from qlearn.sim import functional  # noqa: E402

__all__ += ["functional"]

# Imperfect hardware: finite shots and depolarizing noise for any compiled circuit.
from qlearn.sim.noise import Noise, NoisyCircuit  # noqa: E402

__all__ += ["Noise", "NoisyCircuit"]
