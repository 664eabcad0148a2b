r"""Imperfect hardware for any compiled circuit: finite shots and depolarizing noise.

:class:`Noise` says *what* is modelled, :class:`NoisyCircuit` runs a
:class:`~qlearn.sim.CircuitModule` under it (sharing its weights, so a model trained without
noise can be evaluated with noise and vice versa).

**Depolarizing noise** (``depolarizing = p``). After every gate, every wire the gate acts on
goes independently through the single-qubit depolarizing channel (PennyLane's
``qml.DepolarizingChannel(p)``)

.. math:: \mathcal D_p(\rho) = (1 - p)\,\rho + \tfrac p3 \left(X\rho X + Y\rho Y + Z\rho Z\right).

The channel is a mixture of Pauli unitaries, so the noisy expectation value is the average over
*Pauli trajectories*: after each gate and wire, insert :math:`I` with probability :math:`1-p`
or one of :math:`X, Y, Z` with probability :math:`p/3` each, and simulate the pure state.
:func:`pauli_trajectory_circuit` builds that circuit once, with the Pauli choices as extra
per-row inputs (``RX(π e_x) RZ(π e_z)`` is :math:`X`, :math:`Z` or :math:`Y` up to a global
phase), so every batch row draws its own trajectory and the whole batch still runs at once.
A row's value is an unbiased estimate of the exact noisy expectation value; averaging
``trajectories`` draws per row shrinks its variance by that factor. Gradients flow through the
sampled trajectory. (Weighting every one of the :math:`4^M` trajectories by its probability
gives the density-matrix result exactly; ``tests/test_noise.py`` checks that against
``default.mixed``.)

**Shot noise** (``shots = S``). Each output is estimated from :math:`S` measurements in the
computational basis: the counts of the :math:`2^n` outcomes are drawn from the (noisy) outcome
distribution (multinomial, seeded), and a Z-word observable :math:`P` is estimated by
:math:`\hat{\langle P\rangle} = \frac1S\sum_k n_k\, s_P(k)` with :math:`s_P(k) = \pm 1` its
eigenvalue on basis state :math:`k`. This is the exact finite-sample statistics of measuring all
qubits together (so the estimates of different outputs are correlated, as on hardware). Only
Z-type (diagonal) observables can be read this way. The estimate is not differentiable; its
gradient is taken as that of the exact expectation value (a *straight-through* estimator, the
expectation of what the parameter-shift rule would measure).

Both together: each row's outcome distribution is the average over its ``trajectories`` Pauli
trajectories, then the :math:`S` shots are drawn from it.

Randomness comes from the module's own CPU generator, seeded by ``Noise.seed`` and advanced by
every call (:meth:`NoisyCircuit.reset` starts it again), so the same seed gives the same numbers.

Example:
    >>> import torch
    >>> from qlearn.sim import Circuit
    >>> c = Circuit(1)
    >>> x = c.inputs(1)
    >>> c.ry(0, x[0]); c.expval("Z", 0)
    0
    >>> module = c.module(dtype=torch.float64, seed=0)
    >>> noisy = NoisyCircuit(module, Noise(shots=100, seed=1))
    >>> noisy(torch.zeros(3, 1))  # RY(0)|0> = |0>: every shot gives +1
    tensor([[1.],
            [1.],
            [1.]], dtype=torch.float64)
    >>> Noise(depolarizing=0.01).describe()
    'depolarizing p=0.01 per gate and wire (1 trajectory/row); exact expectation values'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from qlearn.sim.circuit import Circuit, CircuitModule, Op
from qlearn.sim.measure import _signs, is_diagonal, sample_indices

Tensor = torch.Tensor

__all__ = ["Noise", "NoisyCircuit", "pauli_trajectory_circuit", "trajectory_inputs"]

#: ``(e_x, e_z)`` of the Paulis I, X, Y, Z: the inserted gates are ``RX(π e_x) RZ(π e_z)``.
PAULI_CODES = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


@dataclass(frozen=True)
class Noise:
    """What a noisy run models (see the module docstring for the exact meaning).

    Args:
        shots: measurements per input row (``None``: exact expectation values).
        depolarizing: probability :math:`p \\in [0, 1]` of the single-qubit depolarizing
            channel after every gate on each of its wires.
        seed: seed of the noise's random draws.
        trajectories: Pauli trajectories averaged per row (only with ``depolarizing > 0``).

    Example:
        >>> Noise(shots=0)
        Traceback (most recent call last):
        ...
        ValueError: shots=0 must be None (exact expectation values) or a positive integer.
    """

    shots: int | None = None
    depolarizing: float = 0.0
    seed: int = 0
    trajectories: int = 1

    def __post_init__(self):
        s = self.shots
        if s is not None and (isinstance(s, bool) or not isinstance(s, int) or s < 1):
            raise ValueError(
                f"shots={s!r} must be None (exact expectation values) or a positive integer."
            )
        p = self.depolarizing
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ValueError(f"depolarizing={p!r} must be a probability in [0, 1].")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed={self.seed!r} must be an integer.")
        t = self.trajectories
        if isinstance(t, bool) or not isinstance(t, int) or t < 1:
            raise ValueError(f"trajectories={t!r} must be a positive integer.")

    @property
    def is_exact(self) -> bool:
        """True when nothing is modelled (exact, noiseless expectation values)."""
        return self.shots is None and self.depolarizing == 0

    def describe(self) -> str:
        """One line saying what is modelled (for tables and figure titles)."""
        parts = []
        if self.depolarizing:
            n = self.trajectories
            parts.append(
                f"depolarizing p={self.depolarizing:g} per gate and wire "
                f"({n} trajector{'y' if n == 1 else 'ies'}/row)"
            )
        parts.append(f"{self.shots} shots" if self.shots else "exact expectation values")
        return "; ".join(parts) if self.depolarizing or self.shots else "noiseless, exact"


def pauli_trajectory_circuit(circuit: Circuit) -> tuple[Circuit, int]:
    r"""The circuit with a Pauli slot after every gate on each of its wires.

    The returned circuit has the original inputs first, then ``2 M`` more inputs
    :math:`(e_x, e_z)` for the :math:`M` slots (gate-wire pairs, in gate order); slot
    :math:`m` on wire :math:`q` is ``RX(π e_x) RZ(π e_z)`` on :math:`q`, i.e. :math:`I, X, Y, Z`
    up to a global phase for :math:`(e_x, e_z) = (0,0), (1,0), (1,1), (0,1)`
    (:data:`PAULI_CODES`). The weights are declared in the same order, so the compiled module can
    share the original's parameters.

    Returns:
        ``(trajectory_circuit, M)``.

    Example:
        >>> c = Circuit(2)
        >>> x = c.inputs(1)
        >>> c.ry(0, x[0]); c.cnot(0, 1); c.expval("Z", 1)
        0
        >>> t, m = pauli_trajectory_circuit(c)
        >>> m, t.n_inputs, len(t.ops)  # 3 slots, 1 + 2*3 inputs, 2 + 2*3 gates
        (3, 7, 8)
    """
    if not isinstance(circuit, Circuit):
        raise TypeError(f"circuit has type {type(circuit).__name__}; pass a qlearn.sim.Circuit.")
    n_slots = sum(len(op.wires) for op in circuit.ops)
    out = Circuit(circuit.n_qubits)
    if circuit.n_inputs:
        out.inputs(circuit.n_inputs)
    e = out.inputs(2 * n_slots) if n_slots else None
    for spec in circuit.weight_specs:
        out.weights(spec.name, spec.shape, init=circuit.weight_inits[spec.name])
    k = 0
    for op in circuit.ops:
        out.ops.append(Op(op.name, op.wires, op.angles, op.matrix))
        for wire in op.wires:
            assert e is not None
            out.rx(wire, math.pi * e[2 * k])
            out.rz(wire, math.pi * e[2 * k + 1])
            k += 1
    out.observables = list(circuit.observables)
    return out, n_slots


def trajectory_inputs(
    n_rows: int, n_slots: int, p: float, generator: torch.Generator | None = None
) -> Tensor:
    r"""Random Pauli codes for :func:`pauli_trajectory_circuit`: ``(n_rows, 2 n_slots)`` float64.

    Each slot is :math:`I` with probability :math:`1 - p` and :math:`X`, :math:`Y`, :math:`Z`
    with :math:`p/3` each.

    Example:
        >>> trajectory_inputs(2, 3, 0.0)  # p = 0: identities only
        tensor([[0., 0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0., 0.]], dtype=torch.float64)
    """
    u = torch.rand(n_rows, n_slots, generator=generator, dtype=torch.float64)
    pauli = torch.where(u < p, 1 + (3 * u / max(p, 1e-300)).long().clamp(max=2), 0)
    codes = torch.tensor(PAULI_CODES, dtype=torch.float64)
    return codes[pauli].reshape(n_rows, 2 * n_slots)


class NoisyCircuit(nn.Module):
    """A :class:`~qlearn.sim.CircuitModule` run under :class:`Noise`: ``(B, d) -> (B, n_obs)``.

    The wrapped module's weights are shared, not copied: training one trains the other.

    Args:
        module: the compiled circuit (e.g. ``circuit.module()`` or a model's ``.qnn``).
        noise: what to model.
    """

    def __init__(self, module: CircuitModule, noise: Noise):
        super().__init__()
        if not isinstance(module, CircuitModule):
            raise TypeError(
                f"module has type {type(module).__name__}; pass a compiled CircuitModule "
                "(circuit.module())."
            )
        if not isinstance(noise, Noise):
            raise TypeError(f"noise has type {type(noise).__name__}; pass a qlearn.sim.Noise.")
        observables = module.circuit.observables
        if noise.shots is not None and not all(is_diagonal(o) for o in observables):
            raise ValueError(
                "shots need Z-type observables (measured in the computational basis); this "
                "circuit measures X or Y: rotate the basis with gates and measure Z instead."
            )
        self.module, self.noise = module, noise
        self.n_slots = 0
        self.trajectory_module: CircuitModule | None = None
        if noise.depolarizing > 0:
            circuit, self.n_slots = pauli_trajectory_circuit(module.circuit)
            ref = next(iter(module.weights.values()), None)
            dev = ref.device if ref is not None else module._s_const.device
            traj = circuit.module(device=dev, dtype=module._real)
            traj.weights = module.weights  # share the Parameters
            self.trajectory_module = traj
        self.generator = torch.Generator().manual_seed(noise.seed)

    def reset(self) -> None:
        """Restart the random draws from ``noise.seed``."""
        self.generator.manual_seed(self.noise.seed)

    def extra_repr(self) -> str:
        return self.noise.describe()

    def _rows(self, x: Tensor) -> tuple[CircuitModule, Tensor]:
        """The module to run and its inputs (with trajectory codes, rows repeated)."""
        if self.trajectory_module is None:
            return self.module, x
        t = self.noise.trajectories
        rows = x.repeat_interleave(t, 0)
        e = trajectory_inputs(rows.shape[0], self.n_slots, self.noise.depolarizing, self.generator)
        return self.trajectory_module, torch.cat([rows, e.to(rows.device, rows.dtype)], 1)

    def forward(self, inputs: Tensor) -> Tensor:
        x = self.module._check_inputs(inputs)
        if self.noise.is_exact:
            return self.module(x)
        module, rows = self._rows(x)
        t = self.noise.trajectories if self.trajectory_module is not None else 1
        if self.noise.shots is None:
            out = module(rows)
            return out.reshape(x.shape[0], t, -1).mean(1)
        p = module.probs(rows).reshape(x.shape[0], t, -1).mean(1)  # (B, 2^n)
        table = self._sign_table(p)  # (2^n, n_obs)
        exact = p @ table
        seed = int(torch.randint(0, 2**62, (1,), generator=self.generator))
        idx = sample_indices(p, self.noise.shots, seed)
        counts = torch.zeros_like(p).scatter_add_(1, idx, torch.ones_like(idx, dtype=p.dtype))
        estimate = (counts / self.noise.shots) @ table
        return exact + (estimate - exact).detach()

    def _sign_table(self, p: Tensor) -> Tensor:
        """``(2^n, n_obs)``: each observable's eigenvalue on every basis state."""
        observables = self.module.circuit.observables
        words = tuple(sorted({w for o in observables for _, w in o}))
        signs = _signs(words, self.module.n_qubits, p.device).to(p.dtype)
        index = {w: i for i, w in enumerate(words)}
        cols = []
        for obs in observables:
            col = torch.zeros(p.shape[1], dtype=p.dtype, device=p.device)
            for coeff, word in obs:
                c = coeff.real if isinstance(coeff, complex) else coeff
                col = col + float(c) * signs[index[word]]
            cols.append(col)
        return torch.stack(cols, 1)
