r"""The circuit IR: one description of a circuit, compiled once, used many times.

A :class:`Circuit` records gates whose angles are symbolic (:mod:`qlearn.sim.angles`): constants,
per-sample inputs, trainable weights and affine mixes of them. It then

* compiles into a :class:`CircuitModule` (a ``torch.nn.Module`` whose weights are Parameters and
  whose ``forward(inputs)`` maps ``(B, d)`` to ``(B, n_observables)``) on the batched engine;
* exports to PennyLane with identical semantics (:meth:`Circuit.to_pennylane`,
  :meth:`Circuit.to_tape`);
* imports from a PennyLane tape (:meth:`Circuit.from_tape`).

Example:
    >>> import torch
    >>> from qlearn.sim import Circuit
    >>> c = Circuit(n_qubits=2)
    >>> x = c.inputs(2)
    >>> w = c.weights("theta", (2,))
    >>> c.ry(0, x[0]); c.ry(1, x[1]); c.cnot(0, 1); c.rx(1, w[0] * x[0] + w[1])
    >>> c.expval("Z", 1)
    0
    >>> layer = c.module(dtype=torch.float64, seed=0)
    >>> layer(torch.zeros(3, 2)).shape
    torch.Size([3, 1])
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from qlearn import config
from qlearn.sim import engine
from qlearn.sim.angles import Angle, InputRef, WeightRef, WeightSpec
from qlearn.sim.gates import gate_spec
from qlearn.sim.measure import (
    Observable,
    diagonal_matrix,
    is_diagonal,
    parse_word,
    word_to_str,
)

Tensor = torch.Tensor
AngleLike = Angle | float | int


@dataclass(frozen=True)
class Op:
    """One recorded gate: name, wires, and symbolic angles (or a constant matrix)."""

    name: str
    wires: tuple[int, ...]
    angles: tuple[Angle, ...] = ()
    matrix: Tensor | None = None  # for QubitUnitary


Init = str | Callable[[tuple[int, ...], torch.Generator], Tensor] | Tensor


class Circuit:
    """A data re-uploading circuit with symbolic angles (see the module docstring).

    Args:
        n_qubits: number of wires, ``1 <= n_qubits <= 30``.
    """

    def __init__(self, n_qubits: int):
        if not isinstance(n_qubits, int) or isinstance(n_qubits, bool) or n_qubits < 1:
            raise ValueError(f"n_qubits={n_qubits!r} must be a positive integer.")
        if n_qubits > engine.MAX_QUBITS:
            raise ValueError(
                f"n_qubits={n_qubits} is too many for a state-vector simulation; "
                f"use at most {engine.MAX_QUBITS} qubits."
            )
        self.n_qubits = n_qubits
        self.n_inputs = 0
        self.weight_specs: list[WeightSpec] = []
        self.weight_inits: dict[str, Init] = {}
        self.ops: list[Op] = []
        self.observables: list[Observable] = []

    # ---- declarations -----------------------------------------------------------------------
    def inputs(self, n: int) -> InputRef:
        """Declare ``n`` more per-sample input features; ``x[j]`` is feature ``j`` as an angle."""
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n={n!r} must be a positive number of input features.")
        ref = InputRef(self.n_inputs, n)
        self.n_inputs += n
        return ref

    def weights(
        self, name: str, shape: int | Sequence[int] = (), init: Init = "uniform"
    ) -> WeightRef | Angle:
        """Declare a trainable weight tensor (an ``nn.Parameter`` of the compiled module).

        Args:
            name: a Python identifier, unique in this circuit.
            shape: its shape, e.g. ``(n_layers, n_qubits, 3)``.
            init: ``"uniform"`` (U(0, 2π), the default), ``"normal"`` (N(0, 1)), ``"zeros"``,
                a tensor of the shape, or a function ``(shape, generator) -> tensor``.

        Returns:
            A :class:`~qlearn.sim.angles.WeightRef` to index (``w[l, q, 0]``), or for a scalar
            weight (``shape=()``) its :class:`~qlearn.sim.angles.Angle` (``w * x[0]``).
        """
        if not name.isidentifier() or any(s.name == name for s in self.weight_specs):
            raise ValueError(f"name={name!r} must be a new Python identifier for these weights.")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any((not isinstance(d, int)) or d < 1 for d in shape):
            raise ValueError(f"shape={shape} must contain positive integers.")
        if isinstance(init, str) and init not in _INITS:
            raise ValueError(f"init={init!r} is unknown; use one of {sorted(_INITS)}.")
        if isinstance(init, Tensor) and tuple(init.shape) != shape:
            raise ValueError(f"init has shape {tuple(init.shape)} but shape={shape}.")
        offset = sum(s.size for s in self.weight_specs)
        spec = WeightSpec(name, shape, offset)
        self.weight_specs.append(spec)
        self.weight_inits[name] = init
        ref = WeightRef(spec)
        return ref.angle() if not shape else ref  # a scalar weight is an angle right away

    @property
    def n_weights(self) -> int:
        """Total number of trainable scalars."""
        return sum(s.size for s in self.weight_specs)

    # ---- gates ------------------------------------------------------------------------------
    def gate(self, name: str, wires: int | Sequence[int], *angles: AngleLike | WeightRef) -> None:
        """Append any supported gate by name (``"RX"``, ``"CNOT"``, ``"IsingZZ"``, ...)."""
        spec = gate_spec(name)
        wires = self._wires(wires, spec.n_wires, spec.name)
        if spec.name == "QubitUnitary":
            raise ValueError("use c.unitary(wires, matrix) for QubitUnitary.")
        if len(angles) != spec.n_params:
            raise ValueError(
                f"gate {spec.name} takes {spec.n_params} angle(s) but got {len(angles)}."
            )
        lifted = tuple(a.angle() if isinstance(a, WeightRef) else Angle.lift(a) for a in angles)
        for a in lifted:
            for j in a.inputs():
                if j >= self.n_inputs:
                    raise ValueError(f"input x[{j}] was not declared; call c.inputs() first.")
        self.ops.append(Op(spec.name, wires, lifted))

    def unitary(self, wires: int | Sequence[int], matrix) -> None:
        """Append a constant unitary matrix on 1 or 2 (or more) wires."""
        wires = self._wires(wires, None, "QubitUnitary")
        m = torch.as_tensor(matrix).to(torch.complex128)
        d = 2 ** len(wires)
        if m.shape != (d, d):
            raise ValueError(
                f"matrix has shape {tuple(m.shape)} but {len(wires)} wire(s) need ({d}, {d})."
            )
        if not torch.allclose(m @ m.conj().T, torch.eye(d, dtype=m.dtype), atol=1e-8):
            raise ValueError("matrix is not unitary (U @ U^† != I); check its entries.")
        self.ops.append(Op("QubitUnitary", wires, (), m))

    def _wires(self, wires, expected: int | None, name: str) -> tuple[int, ...]:
        wires = (wires,) if isinstance(wires, int) else tuple(wires)
        if not wires and name != "GlobalPhase":
            raise ValueError(f"wires={list(wires)} is empty; gate {name} needs at least one wire.")
        if expected is not None and len(wires) != expected:
            raise ValueError(f"gate {name} acts on {expected} wire(s) but wires={wires}.")
        for w in wires:
            if not isinstance(w, int) or not 0 <= w < self.n_qubits:
                raise ValueError(
                    f"wire={w!r} is out of range for n_qubits={self.n_qubits}; "
                    f"use wires 0..{self.n_qubits - 1}."
                )
        if len(set(wires)) != len(wires):
            raise ValueError(f"wires={wires} repeats a wire; a gate needs distinct wires.")
        return wires

    def rx(self, wire: int, angle) -> None:
        """RX(θ) = exp(-iθX/2) on ``wire``."""
        self.gate("RX", wire, angle)

    def ry(self, wire: int, angle) -> None:
        """RY(θ) = exp(-iθY/2) on ``wire``."""
        self.gate("RY", wire, angle)

    def rz(self, wire: int, angle) -> None:
        """RZ(θ) = exp(-iθZ/2) on ``wire``."""
        self.gate("RZ", wire, angle)

    def rot(self, wire: int, phi, theta, omega) -> None:
        """Rot(φ, θ, ω) = RZ(ω) RY(θ) RZ(φ) on ``wire``."""
        self.gate("Rot", wire, phi, theta, omega)

    def phaseshift(self, wire: int, angle) -> None:
        """PhaseShift(φ) = diag(1, e^{iφ}) on ``wire``."""
        self.gate("PhaseShift", wire, angle)

    def h(self, wire: int) -> None:
        """Hadamard on ``wire``."""
        self.gate("Hadamard", wire)

    def x(self, wire: int) -> None:
        """Pauli X on ``wire``."""
        self.gate("PauliX", wire)

    def y(self, wire: int) -> None:
        """Pauli Y on ``wire``."""
        self.gate("PauliY", wire)

    def z(self, wire: int) -> None:
        """Pauli Z on ``wire``."""
        self.gate("PauliZ", wire)

    def s(self, wire: int) -> None:
        """S = diag(1, i) on ``wire``."""
        self.gate("S", wire)

    def t(self, wire: int) -> None:
        """T = diag(1, e^{iπ/4}) on ``wire``."""
        self.gate("T", wire)

    def cnot(self, control: int, target: int) -> None:
        """CNOT with ``control`` and ``target``."""
        self.gate("CNOT", (control, target))

    def cz(self, a: int, b: int) -> None:
        """Controlled-Z (symmetric)."""
        self.gate("CZ", (a, b))

    def crx(self, control: int, target: int, angle) -> None:
        """Controlled RX."""
        self.gate("CRX", (control, target), angle)

    def cry(self, control: int, target: int, angle) -> None:
        """Controlled RY."""
        self.gate("CRY", (control, target), angle)

    def crz(self, control: int, target: int, angle) -> None:
        """Controlled RZ."""
        self.gate("CRZ", (control, target), angle)

    def swap(self, a: int, b: int) -> None:
        """SWAP two wires."""
        self.gate("SWAP", (a, b))

    def cswap(self, control: int, a: int, b: int) -> None:
        """Controlled SWAP (Fredkin): swap ``a`` and ``b`` when ``control`` is 1."""
        self.gate("CSWAP", (control, a, b))

    def toffoli(self, c1: int, c2: int, target: int) -> None:
        """Toffoli (CCNOT)."""
        self.gate("Toffoli", (c1, c2, target))

    def isingxx(self, a: int, b: int, angle) -> None:
        """IsingXX(θ) = exp(-iθ X⊗X/2)."""
        self.gate("IsingXX", (a, b), angle)

    def isingyy(self, a: int, b: int, angle) -> None:
        """IsingYY(θ) = exp(-iθ Y⊗Y/2)."""
        self.gate("IsingYY", (a, b), angle)

    def isingzz(self, a: int, b: int, angle) -> None:
        """IsingZZ(θ) = exp(-iθ Z⊗Z/2)."""
        self.gate("IsingZZ", (a, b), angle)

    def _ring(self, name: str, wires: Sequence[int] | None, pairs_for_two: int) -> None:
        wires = list(range(self.n_qubits)) if wires is None else list(wires)
        if len(wires) < 2:
            return
        count = pairs_for_two if len(wires) == 2 else len(wires)
        for i in range(count):
            self.gate(name, (wires[i], wires[(i + 1) % len(wires)]))

    def cnot_ring(self, wires: Sequence[int] | None = None) -> None:
        """CNOT(w_i, w_{i+1 mod n}) for every i, as in PennyLane's StronglyEntanglingLayers.

        On two wires that is CNOT(0, 1) then CNOT(1, 0); on one wire, nothing.
        """
        self._ring("CNOT", wires, pairs_for_two=2)

    def cz_ring(self, wires: Sequence[int] | None = None) -> None:
        """CZ(w_i, w_{i+1 mod n}) for every i; on two wires a single CZ (two would cancel)."""
        self._ring("CZ", wires, pairs_for_two=1)

    # ---- measurements -----------------------------------------------------------------------
    def expval(self, word: str, wires: int | Sequence[int] | None = None) -> int:
        """Measure the expectation of a Pauli word; returns its output column.

        ``c.expval("Z", 0)``, ``c.expval("XY", (1, 2))`` and ``c.expval("X1 Y2")`` all work.
        """
        return self.expval_sum([(1.0, word, wires)])

    def expval_sum(self, terms: Sequence[tuple[float, str, int | Sequence[int] | None]]) -> int:
        """Measure ``Σ c·P`` for terms ``(c, word, wires)``; returns its output column."""
        obs = tuple((float(c), parse_word(w, ws, self.n_qubits)) for c, w, ws in terms)
        self.observables.append(obs)
        return len(self.observables) - 1

    # ---- compile / export -------------------------------------------------------------------
    def module(
        self, *, device=None, dtype: torch.dtype | None = None, seed: int | None = None
    ) -> CircuitModule:
        """Compile into a :class:`CircuitModule` (weights initialised from ``seed``)."""
        return CircuitModule(self, device=device, dtype=dtype, seed=seed)

    def to_pennylane(self, device=None):
        """A PennyLane QNode ``qnode(inputs, weights)`` with identical semantics.

        ``inputs`` is ``(B, d)`` (broadcast over B) and ``weights`` a dict name -> tensor (e.g.
        ``dict(module.named_parameters())``); it returns PennyLane's tuple of expectation values.
        """
        from qlearn.sim.interop import circuit_to_qnode

        return circuit_to_qnode(self, device)

    def to_tape(self, inputs: Tensor | None, weights: dict[str, Tensor]):
        """The PennyLane ``QuantumScript`` of this circuit for given inputs and weights."""
        from qlearn.sim.interop import circuit_to_tape

        return circuit_to_tape(self, inputs, weights)

    @classmethod
    def from_tape(cls, tape, input_params: Sequence[int] = ()) -> Circuit:
        """Import a PennyLane tape (see :func:`qlearn.sim.interop.circuit_from_tape`)."""
        from qlearn.sim.interop import circuit_from_tape

        return circuit_from_tape(tape, input_params)

    def draw(self) -> str:
        """A text drawing of the gates (PennyLane's ``qml.draw``), then every gate's angles.

        Example:
            >>> c = Circuit(1)
            >>> x = c.inputs(1)
            >>> c.ry(0, 2 * x[0] + 1); c.expval("Z", 0)
            0
            >>> print(c.draw())
            0: ──RY─┤  <Z>
            <BLANKLINE>
            RY on (0,): Angle(1 + 2·x[0])
        """
        import pennylane as qml

        module = self.module(dtype=torch.float64, device="cpu", seed=0)
        x = torch.zeros(self.n_inputs, dtype=torch.float64)  # one sample: no broadcast matrix
        picture = qml.draw(self.to_pennylane(), decimals=None)(x, module.weight_dict())
        angles = [
            f"{op.name} on {op.wires}: " + ", ".join(map(repr, op.angles))
            for op in self.ops
            if op.angles
        ]
        return "\n".join([picture, "", *angles]) if angles else picture

    def __repr__(self) -> str:
        obs = ", ".join(
            " + ".join(f"{c:g}·{word_to_str(w)}" if c != 1 else word_to_str(w) for c, w in o)
            for o in self.observables
        )
        return (
            f"Circuit(n_qubits={self.n_qubits}, n_inputs={self.n_inputs}, "
            f"n_weights={self.n_weights}, n_gates={len(self.ops)}, observables=[{obs}])"
        )


def _uniform(shape, gen):
    return torch.rand(shape, generator=gen, dtype=torch.float64) * (2 * math.pi)


_INITS = {
    "uniform": _uniform,
    "normal": lambda shape, gen: torch.randn(shape, generator=gen, dtype=torch.float64),
    "zeros": lambda shape, gen: torch.zeros(shape, dtype=torch.float64),
}


class CircuitModule(nn.Module):
    """A compiled :class:`Circuit`: ``forward(inputs (B, d)) -> (B, n_observables)``.

    Weights are ``nn.Parameter``\\ s named as declared. Angles are evaluated for the whole batch
    at once, then the gates run on the batched engine (:mod:`qlearn.sim.engine`).

    Args:
        circuit: the description to compile (later changes to it are not seen).
        device, dtype: where and in which precision to simulate (defaults from
            :mod:`qlearn.config`; float32 states are complex64).
        seed: seed for the weight initialisation (``None``: torch's global generator).
        chunk_size: default number of batch rows simulated at once (``None``: all).
    """

    def __init__(
        self, circuit: Circuit, *, device=None, dtype=None, seed=None, chunk_size: int | None = None
    ):
        super().__init__()
        self.n_qubits = circuit.n_qubits
        self.n_inputs = circuit.n_inputs
        self.n_outputs = len(circuit.observables)
        self.chunk_size = chunk_size
        self._circuit = copy.deepcopy(circuit)  # later changes to `circuit` do not leak in
        dev = config.resolve_device(device)
        real = config.resolve_dtype(dtype)
        self._real = real
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        self.weights = nn.ParameterDict()
        for spec in circuit.weight_specs:
            init = circuit.weight_inits[spec.name]
            if isinstance(init, Tensor):
                value = init.detach().clone()
            else:
                fn = _INITS[init] if isinstance(init, str) else init
                g = gen if gen is not None else torch.default_generator
                value = fn(spec.shape, g)
            self.weights[spec.name] = nn.Parameter(value.to(dev, real))
        self._compile_angles(dev)

    # ---- compilation of the angle table -----------------------------------------------------
    def _compile_angles(self, dev: torch.device) -> None:
        """Split every gate angle into a shared slot (no input) or a batched slot (input).

        shared: a_s = c_s + index_add(slot, coeff * w[widx])                      (P_s,)
        batched: a_b = c_b + index_add(slot, coeff * (w[widx] or 1) * (x[xidx] or 1))  (B, P_b)
        """
        shared_const, batched_const = [], []
        s_terms: list[tuple[int, float, int]] = []
        b_terms: list[tuple[int, float, int, int]] = []
        self._slots: list[tuple[tuple[str, int], ...]] = []
        seen: dict[tuple, int] = {}  # a re-uploaded input angle keeps one slot
        for op in self._circuit.ops:
            slots = []
            for a in op.angles:
                key = (a.const, tuple((t.coeff, t.weight, t.input) for t in a.terms))
                if a.uses_input and key in seen:
                    slots.append(("b", seen[key]))
                elif a.uses_input:
                    k = seen[key] = len(batched_const)
                    batched_const.append(a.const)
                    for t in a.terms:
                        w = -1 if t.weight is None else t.weight
                        x = -1 if t.input is None else t.input
                        b_terms.append((k, t.coeff, w, x))
                    slots.append(("b", k))
                else:
                    k = len(shared_const)
                    shared_const.append(a.const)
                    s_terms.extend((k, t.coeff, t.weight) for t in a.terms)
                    slots.append(("s", k))
            self._slots.append(tuple(slots))

        def buf(name, values, dtype):
            self.register_buffer(
                name, torch.tensor(values, dtype=dtype, device=dev), persistent=False
            )

        buf("_s_const", shared_const, torch.float64)
        buf("_s_slot", [t[0] for t in s_terms], torch.long)
        buf("_s_coeff", [t[1] for t in s_terms], torch.float64)
        buf("_s_w", [t[2] for t in s_terms], torch.long)
        buf("_b_const", batched_const, torch.float64)
        buf("_b_slot", [t[0] for t in b_terms], torch.long)
        buf("_b_coeff", [t[1] for t in b_terms], torch.float64)
        buf("_b_w", [max(t[2], 0) for t in b_terms], torch.long)
        buf("_b_has_w", [t[2] >= 0 for t in b_terms], torch.bool)
        self._b_uses_w = any(t[2] >= 0 for t in b_terms)
        buf("_b_x", [max(t[3], 0) for t in b_terms], torch.long)
        buf("_b_has_x", [t[3] >= 0 for t in b_terms], torch.bool)
        self._matrices = [op.matrix.to(dev) for op in self._circuit.ops if op.matrix is not None]
        refs, k = [], 0
        for op, slots in zip(self._circuit.ops, self._slots, strict=True):
            if op.matrix is not None:
                slots, k = (("m", k),), k + 1
            refs.append(engine.GateRef(op.name, op.wires, slots))
        self._program = engine.compile_program(tuple(refs), self.n_qubits)
        self._z_only = all(is_diagonal(o) for o in self._circuit.observables)
        readout = (  # Z-type observables as one matrix on |psi|^2 (a buffer: it follows .to())
            diagonal_matrix(self._circuit.observables, self.n_qubits, dev)
            if self._circuit.observables
            else None
        )
        self.register_buffer("_readout", readout, persistent=False)

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    @property
    def circuit(self) -> Circuit:
        """The IR this module was compiled from."""
        return self._circuit

    def weight_dict(self) -> dict[str, Tensor]:
        """The weights as a plain dict ``name -> Parameter``."""
        return dict(self.weights.items())

    def _flat_weights(self, real: torch.dtype) -> Tensor:
        if not len(self.weights):
            return torch.zeros(0, dtype=real, device=self._s_const.device)
        return torch.cat([p.reshape(-1) for p in self.weights.values()]).to(real)

    def _angles(self, x: Tensor, real: torch.dtype) -> tuple[Tensor, Tensor]:
        w = self._flat_weights(real)
        a_s = self._s_const.to(real)
        if self._s_slot.numel():
            a_s = a_s.index_add(0, self._s_slot, self._s_coeff.to(real) * w[self._s_w])
        batch = x.shape[0]
        a_b = self._b_const.to(real).expand(batch, -1)
        if self._b_slot.numel():
            one = torch.ones((), dtype=real, device=x.device)
            # only pull in the weights if a per-row angle uses one (else no gradient flows here)
            wv = torch.where(self._b_has_w, w[self._b_w], one) if self._b_uses_w else one
            xv = torch.where(self._b_has_x, x[:, self._b_x], one)  # (B, T)
            a_b = a_b.index_add(1, self._b_slot, self._b_coeff.to(real) * wv * xv)
        if not (torch.isfinite(a_s).all() and torch.isfinite(a_b).all()):
            raise ValueError(
                "angle values are not finite (NaN or inf): check the inputs and weights "
                "(e.g. a diverged training run or a NaN feature)."
            )
        return a_s, a_b

    # ---- running ----------------------------------------------------------------------------
    def _check_inputs(self, inputs: Tensor | None) -> Tensor:
        dev = self._s_const.device
        if inputs is None:
            if self.n_inputs:
                raise ValueError(
                    f"inputs=None but this circuit takes {self.n_inputs} features; "
                    f"pass a tensor of shape (batch, {self.n_inputs})."
                )
            return torch.zeros(1, 0, device=dev)
        x = torch.as_tensor(inputs)
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(
                f"inputs has shape {tuple(x.shape)} but this circuit needs (batch, "
                f"{self.n_inputs}); reshape with inputs.reshape(-1, {self.n_inputs})."
            )
        if x.device != dev:
            raise ValueError(
                f"inputs is on {x.device} but the module is on {dev}; "
                f"move it with inputs.to('{dev}')."
            )
        return x

    def state(self, inputs: Tensor | None = None) -> Tensor:
        """Final states, batch-first ``(B, 2^n)`` complex."""
        return self._run(self._check_inputs(inputs)).T

    def evolve(self, states: Tensor, inputs: Tensor | None = None) -> Tensor:
        r"""Apply the circuit to given states ``(B, 2^n)`` instead of :math:`|0\dots0\rangle`.

        Row ``b`` of the result is :math:`U(x_b)\,\psi_b` (batch-first, complex). With the rows
        of the identity as states, row ``k`` is :math:`U|k\rangle`: the result is
        :math:`U^{\mathsf T}`, so a circuit without inputs maps any batch ``psi`` to
        ``psi @ evolve(eye)`` (what :class:`~qlearn.models.QRU` does with its weight-only part).

        Example:
            >>> c = Circuit(1)
            >>> c.h(0)
            >>> u = c.module(dtype=torch.float64).evolve(torch.eye(2, dtype=torch.complex128))
            >>> (u.real * 2**0.5).round().tolist()
            [[1.0, 1.0], [1.0, -1.0]]
        """
        real = next(iter(self.weights.values())).dtype if len(self.weights) else self._real
        cplx = config.complex_dtype(real)
        psi = torch.as_tensor(states)
        if psi.ndim != 2 or psi.shape[1] != 2**self.n_qubits:
            raise ValueError(
                f"states has shape {tuple(psi.shape)} but this circuit needs (batch, "
                f"{2**self.n_qubits}) amplitudes."
            )
        x = self._check_inputs(inputs).to(real)
        if self.n_inputs and x.shape[0] != psi.shape[0]:
            raise ValueError(
                f"states has {psi.shape[0]} rows but inputs has {x.shape[0]}; they must match."
            )
        a_s, a_b = self._angles(x, real)
        tables = engine.Tables(a_s, a_b, [m.to(x.device, cplx) for m in self._matrices])
        return self._program.run(psi.to(x.device, cplx).T, tables, psi.shape[0]).T

    def _prepare(self, x: Tensor) -> tuple[engine.Tables, Tensor, torch.dtype]:
        """Parameter tables, the initial state and the real dtype of a run on inputs ``x``."""
        # follow the weights if the module was converted (module.double(), module.to(...))
        real = next(iter(self.weights.values())).dtype if len(self.weights) else self._real
        cplx = config.complex_dtype(real)
        a_s, a_b = self._angles(x.to(real), real)
        engine.check_memory(
            self.n_qubits, x.shape[0], len(self._program), cplx, x.device, torch.is_grad_enabled()
        )
        tables = engine.Tables(a_s, a_b, [m.to(x.device, cplx) for m in self._matrices])
        return tables, engine.zero_state(self.n_qubits, dtype=cplx, device=x.device), real

    def _run(self, x: Tensor, z_only: bool = False) -> Tensor:
        tables, psi, _ = self._prepare(x)
        return self._program.run(psi, tables, x.shape[0], z_only=z_only)

    def _expval_diagonal(self, x: Tensor) -> Tensor:
        tables, psi, real = self._prepare(x)
        return self._program.expval_diagonal(psi, tables, x.shape[0], self._readout).to(real)

    def forward(self, inputs: Tensor | None = None, chunk_size: int | None = None) -> Tensor:
        """Expectation values ``(B, n_observables)`` for inputs ``(B, d)``.

        ``chunk_size`` (or the module's ``chunk_size``) simulates the batch that many rows at a
        time, which bounds the memory of inference (under ``torch.no_grad()``).
        """
        from qlearn.sim.measure import expval_observables

        x = self._check_inputs(inputs)
        chunk = chunk_size or self.chunk_size
        if chunk and x.shape[0] > chunk:
            return torch.cat([self(part) for part in x.split(chunk)])
        if self._readout is not None:
            return self._expval_diagonal(x).T
        psi = self._run(x, z_only=self._z_only)
        return expval_observables(psi, self._circuit.observables, self.n_qubits).T

    def probs(self, inputs: Tensor | None = None, wires: Sequence[int] | None = None) -> Tensor:
        """Basis-state probabilities of ``wires`` (default all), ``(B, 2^k)``."""
        from qlearn.sim.measure import probs

        psi = self._run(self._check_inputs(inputs), z_only=True)
        return probs(psi, wires, self.n_qubits).T

    def sample(
        self,
        inputs: Tensor | None = None,
        shots: int = 1000,
        seed: int | None = None,
        wires: Sequence[int] | None = None,
    ) -> Tensor:
        """Measurement outcomes: ``(B, shots, k)`` bits of ``wires`` (default all)."""
        from qlearn.sim.measure import indices_to_bits, probs, sample_indices

        with torch.no_grad():
            p = probs(self._run(self._check_inputs(inputs), z_only=True), wires, self.n_qubits).T
        k = self.n_qubits if wires is None else len(wires)
        return indices_to_bits(sample_indices(p, shots, seed), k)

    def to_pennylane(self, device=None) -> Callable[[Tensor], Tensor]:
        """A function ``f(inputs) -> (B, n_observables)`` computed by PennyLane with this module's
        current weights; ``f(x)`` equals ``self(x)`` up to floating-point rounding."""
        qnode = self._circuit.to_pennylane(device)

        def twin(inputs: Tensor) -> Tensor:
            out = qnode(inputs, self.weight_dict())
            out = out if isinstance(out, tuple | list) else (out,)
            return torch.stack([torch.as_tensor(o) for o in out], -1)

        return twin

    def extra_repr(self) -> str:
        return (
            f"n_qubits={self.n_qubits}, n_inputs={self.n_inputs}, "
            f"n_outputs={self.n_outputs}, n_parameters={self.n_parameters}"
        )
