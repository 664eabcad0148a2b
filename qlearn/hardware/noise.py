r"""Noise for the offline emulator: channels inserted into a PennyLane tape.

:class:`NoiseModel` describes the three textbook errors of a device:

* **depolarizing** after every gate, on each of its wires, with probability ``p1`` after a
  one-qubit gate and ``p2`` after a multi-qubit one: :math:`\rho \mapsto (1-p)\rho +
  \frac p3 (X\rho X + Y\rho Y + Z\rho Z)`;
* **amplitude damping** (energy relaxation, :math:`|1\rangle \to |0\rangle` with probability
  :math:`\gamma`) after every gate, on each of its wires;
* **readout** error: each measured bit flips with probability ``readout``, modelled as a bit-flip
  channel just before the measurement.

:meth:`NoiseModel.apply` returns the noisy operation list; the emulator target
(:class:`~qlearn.hardware.targets.EmulatorTarget`) runs it on ``default.mixed``.

Example:
    >>> NoiseModel(p1=0.01, readout=0.02)
    NoiseModel(p1=0.01, p2=0.0, damping=0.0, readout=0.02)
    >>> NoiseModel(p1=0.01).scaled(2.0).p1
    0.02
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pennylane as qml


@dataclass(frozen=True)
class NoiseModel:
    """Error probabilities of the emulator (all in ``[0, 1]``)."""

    p1: float = 0.0
    p2: float = 0.0
    damping: float = 0.0
    readout: float = 0.0

    def __post_init__(self):
        for name in ("p1", "p2", "damping", "readout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}={value!r} must be a probability in [0, 1].")

    @property
    def is_noiseless(self) -> bool:
        return self.p1 == self.p2 == self.damping == self.readout == 0.0

    def scaled(self, factor: float) -> NoiseModel:
        """Every error probability times ``factor`` (capped at 1), for noise-strength sweeps."""
        if factor < 0:
            raise ValueError(f"factor={factor!r} must be non-negative.")
        return NoiseModel(*(min(1.0, v * factor) for v in
                            (self.p1, self.p2, self.damping, self.readout)))  # fmt: skip

    def apply(self, operations: Sequence[qml.operation.Operator], wires: Sequence[int]) -> list:
        """``operations`` with the gate noise after each gate and readout noise at the end."""
        out = []
        for op in operations:
            out.append(op)
            p = self.p1 if len(op.wires) == 1 else self.p2
            for w in op.wires:
                if p:
                    out.append(qml.DepolarizingChannel(p, wires=w))
                if self.damping:
                    out.append(qml.AmplitudeDamping(self.damping, wires=w))
        if self.readout:
            out.extend(qml.BitFlip(self.readout, wires=w) for w in wires)
        return out
