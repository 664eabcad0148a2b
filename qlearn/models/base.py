"""What every model shares: parameter counting and the quantum-model interface."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from qlearn.sim import Circuit, CircuitModule


def n_parameters(module: nn.Module) -> int:
    """Number of trainable scalars of any module.

    Example:
        >>> n_parameters(torch.nn.Linear(3, 2))
        8
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class QuantumModel(nn.Module):
    """Base of the simulated quantum models: wraps a compiled circuit.

    Subclasses build a :class:`~qlearn.sim.Circuit` and call :meth:`_compile`; they get
    ``.circuit``, ``.qnn`` (the compiled module), ``.to_pennylane()`` and ``.n_parameters``.
    """

    circuit: Circuit
    qnn: CircuitModule

    def _compile(self, circuit: Circuit, *, device=None, dtype=None, seed=None) -> None:
        self.circuit = circuit
        self.qnn = circuit.module(device=device, dtype=dtype, seed=seed)

    @property
    def in_features(self) -> int:
        return self.circuit.n_inputs

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def _inputs(self, x: torch.Tensor) -> torch.Tensor:
        """Accept ``(B, d)`` or, for one feature, ``(B,)``; move to the model's dtype."""
        x = torch.as_tensor(x)
        if x.ndim == 1 and self.in_features == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"x has shape {tuple(x.shape)} but the model takes (batch, {self.in_features})"
                + ("" if self.in_features != 1 else " or (batch,)")
                + "."
            )
        ref = next(self.qnn.parameters())
        return x.to(ref.device, ref.dtype)

    def to_pennylane(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """The same model computed by PennyLane (``default.qubit``) with the current weights."""
        twin = self.qnn.to_pennylane()
        return lambda x: self._readout(twin(self._inputs(x)))

    def _readout(self, expvals: torch.Tensor) -> torch.Tensor:
        """Map the circuit's expectation values to the model's output (identity by default)."""
        return expvals

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._readout(self.qnn(self._inputs(x)))
