r"""QRU: the quantum recurrent unit (Wu, Goan et al., arXiv 2601.18164).

One small circuit per time step, on :math:`D` data qubits, :math:`H` hidden qubits and two
ancillas, all starting in :math:`|0\rangle`. At step :math:`t`, with the step's features
:math:`x_t \in \mathbb R^F` (:math:`D = \lceil F/2 \rceil`) and the previous step's *classical*
hidden values :math:`h_{t-1} \in [-1, 1]^{2H}` (zeros at :math:`t = 0`):

1. **input encoding**: feature :math:`k` goes to data qubit :math:`\lfloor k/2 \rfloor` as
   :math:`R_X(a_k x_k + b_k)` for even :math:`k`, :math:`R_Y(a_k x_k + b_k)` for odd :math:`k`
   (two trainable numbers per feature), then a CNOT ring over the data qubits;
2. **hidden encoding**: the same on the hidden qubits with the angles
   :math:`a_j \arcsin(h_j) + b_j` (:math:`h` interleaves :math:`\langle Z\rangle` and
   :math:`\langle X\rangle` of each hidden qubit, so hidden qubit :math:`i` gets
   :math:`R_X` of its old :math:`\langle Z\rangle` and :math:`R_Y` of its old
   :math:`\langle X\rangle`); then a CNOT ring over the hidden qubits. The arcsine is classical
   pre-processing; :math:`\arcsin(\langle Z \rangle)` turns an expectation back into an angle;
3. **gate block**: ``CNOT(data_0 → hid_0)``; ``CSWAP(hid_0; hid_1 ↔ anc_0)``; one trainable
   gate :math:`G` on ``hid_0``; ``CSWAP(hid_0; hid_{H-1} ↔ anc_1)``. Where ``hid_0`` is
   :math:`|1\rangle`, a hidden qubit is swapped out for a fresh ancilla, i.e. reset to
   :math:`|0\rangle`: an input-controlled *forget*, the quantum counterpart of a GRU's gates;
4. ``n_layers`` **variational layers** over data and hidden qubits: one trainable
   single-qubit gate on each, then a CNOT ring;
5. **read-out**: :math:`\langle Z\rangle` and :math:`\langle X\rangle` of every data and hidden
   qubit. The data values are the step's output; the hidden values become :math:`h_t`.

Every step uses the same circuit and weights, so the parameter count and the circuit depth do not
grow with the sequence length; only the number of circuit runs does. The circuit is built once
with the IR (:func:`qru_circuit`), compiled once, and applied batched at each step with
:math:`(x_t, \arcsin h_{t-1})` as its inputs.

Heads: ``"sequence"`` outputs :math:`\langle Z_{\text{data}_0}\rangle` at every step (next-step
regression, no extra parameter); ``"binary"`` the logit :math:`s \langle Z_{\text{data}_0}
\rangle` at the last step; ``"classes"`` the logits :math:`s \langle Z_{\text{data}_c}\rangle`,
:math:`c < C`, at the last step; :math:`s` is one trainable scale.

Parameters: :math:`2F` (input encoding) :math:`+ 4H` (hidden encoding) :math:`+ g_G` (block
gate) :math:`+ \sum_\ell g_\ell (D + H)` (layers) :math:`+ 1` (scale, classification heads),
with :math:`g = 1` for RX/RY/RZ, 2 for U2, 3 for Rot. The three configurations of the paper
(:meth:`QRU.preset`, as in the authors' code):

=============  ===  ===  ===  =================  ======  =====================================
preset         F    D    H    layers             block   count
=============  ===  ===  ===  =================  ======  =====================================
oscillation    1    1    5    4 × U2             U2      2 + 20 + 2 + 4·2·6 = 72
wdbc           1    1    4    3 × RX, RY, RX     RX      2 + 16 + 1 + 3·1·5 + 1 = 35
mnist          8    4    4    4 × Rot            Rot     16 + 16 + 3 + 4·3·8 + 1 = 132
=============  ===  ===  ===  =================  ======  =====================================

Ablation: ``cswap=False`` puts ``CNOT(hid_0 → hid_1)`` and ``CNOT(hid_0 → hid_{H-1})`` where
the controlled swaps were and drops the (then unused) ancillas; the parameter count is unchanged.

Example:
    >>> import torch
    >>> from qlearn.models import QRU
    >>> [QRU.preset(name).n_parameters for name in ("oscillation", "wdbc", "mnist")]
    [72, 35, 132]
    >>> model = QRU.preset("wdbc", seed=0)
    >>> model.n_qubits, model(torch.rand(3, 30, 1)).shape
    (7, torch.Size([3]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from qlearn.models.base import QuantumModel
from qlearn.models.baselines import check_choice, check_positive_int
from qlearn.models.sequence import HEADS, apply_head, as_sequence, unroll
from qlearn.sim import Circuit
from qlearn.sim.measure import expval_observables

Tensor = torch.Tensor

__all__ = ["GATE_KINDS", "PRESETS", "QRU", "qru_circuit", "qru_parameter_count"]

#: Trainable single-qubit gates and their number of angles.
GATE_KINDS = {"rx": 1, "ry": 1, "rz": 1, "u2": 2, "rot": 3}

#: The paper's three configurations (from the authors' code).
PRESETS: dict[str, dict[str, Any]] = {
    "oscillation": dict(
        in_features=1, hidden_qubits=5, n_layers=4, layer_gates="u2", block_gate="u2",
        head="sequence",
    ),
    "wdbc": dict(
        in_features=1, hidden_qubits=4, n_layers=3, layer_gates=("rx", "ry"), block_gate="rx",
        head="binary",
    ),
    "mnist": dict(
        in_features=8, hidden_qubits=4, n_layers=4, layer_gates="rot", block_gate="rot",
        head="classes", n_classes=2,
    ),
}  # fmt: skip

#: Hidden values are clipped to [-1 + eps, 1 - eps] before the arcsine (finite gradient).
ARCSIN_EPS = 1e-6


def _layer_kinds(layer_gates: str | Sequence[str], n_layers: int) -> list[str]:
    kinds = [layer_gates] if isinstance(layer_gates, str) else list(layer_gates)
    if not kinds:
        raise ValueError("layer_gates=[] is empty; give a gate name or a list of them.")
    for k in kinds:
        check_choice("layer_gates", k, list(GATE_KINDS))
    return [kinds[i % len(kinds)] for i in range(n_layers)]  # cycled, as in the authors' code


def _gate(c: Circuit, kind: str, wire: int, w: Sequence) -> None:
    """One trainable single-qubit gate; U2(φ, λ) = RZ(φ) RY(π/2) RZ(λ) (up to a phase)."""
    if kind == "rx":
        c.rx(wire, w[0])
    elif kind == "ry":
        c.ry(wire, w[0])
    elif kind == "rz":
        c.rz(wire, w[0])
    elif kind == "u2":
        c.rz(wire, w[1])
        c.ry(wire, math.pi / 2)
        c.rz(wire, w[0])
    else:
        c.rot(wire, w[0], w[1], w[2])


def _check_sizes(in_features: int, hidden_qubits: int, n_layers: int) -> None:
    check_positive_int("in_features", in_features)
    check_positive_int("n_layers", n_layers, " (the number of variational layers)")
    if isinstance(hidden_qubits, bool) or not isinstance(hidden_qubits, int) or hidden_qubits < 2:
        raise ValueError(
            f"hidden_qubits={hidden_qubits!r} must be an integer >= 2 (the gate block swaps "
            "hidden qubits 1 and H-1 under the control of hidden qubit 0)."
        )


def qru_circuit(
    in_features: int = 1,
    hidden_qubits: int = 4,
    n_layers: int = 2,
    *,
    layer_gates: str | Sequence[str] = "rot",
    block_gate: str = "rot",
    cswap: bool = True,
    part: str = "all",
) -> Circuit:
    r"""The per-step QRU circuit (module docstring, steps 1–5) as an IR :class:`Circuit`.

    Inputs: the ``F`` step features, then the ``2H`` arcsines of the hidden values
    (:math:`\arcsin\langle Z_i\rangle, \arcsin\langle X_i\rangle` per hidden qubit ``i``).
    Outputs: :math:`\langle Z\rangle, \langle X\rangle` of each data qubit, then of each hidden
    qubit (``2(D + H)`` columns). Wires: data ``0..D-1``, hidden ``D..D+H-1``, then the two
    ancillas (only with ``cswap=True``).

    ``part="encoding"`` gives only steps 1–2 on the data and hidden qubits (inputs, no
    read-out), ``part="fixed"`` only steps 3–5 on all qubits (no inputs): the part that does
    not depend on the data, one unitary :math:`W(\theta)` shared by every sample and step.
    :class:`QRU` simulates the encoding per step and applies :math:`W` as one matrix computed
    once per forward pass (``"all" = "fixed" ∘ "encoding"``, checked against PennyLane).

    Example:
        >>> c = qru_circuit(1, 2, 1, layer_gates="ry", block_gate="rx")
        >>> c.n_qubits, c.n_inputs, c.n_weights, len(c.observables)
        (5, 5, 14, 6)
    """
    _check_sizes(in_features, hidden_qubits, n_layers)
    kinds = _layer_kinds(layer_gates, n_layers)
    check_choice("block_gate", block_gate, list(GATE_KINDS))
    check_choice("part", part, ["all", "encoding", "fixed"])
    d, h = math.ceil(in_features / 2), hidden_qubits
    data, hidden = list(range(d)), list(range(d, d + h))
    anc = [d + h, d + h + 1]
    c = Circuit(d + h + (2 if cswap and part != "encoding" else 0))
    if part != "fixed":
        x = c.inputs(in_features + 2 * h)
        enc = c.weights("encoding", (in_features, 2))
        hid = c.weights("hidden_encoding", (2 * h, 2))
        # 1-2. encodings: two values per qubit, RX for even and RY for odd index
        for k in range(in_features):
            (c.rx if k % 2 == 0 else c.ry)(data[k // 2], enc[k, 0] * x[k] + enc[k, 1])
        c.cnot_ring(data)
        for j in range(2 * h):
            angle = hid[j, 0] * x[in_features + j] + hid[j, 1]
            (c.rx if j % 2 == 0 else c.ry)(hidden[j // 2], angle)
        c.cnot_ring(hidden)
        if part == "encoding":
            return c
    blk = c.weights("block", (GATE_KINDS[block_gate],))
    layers = [c.weights(f"layer{i}", (d + h, GATE_KINDS[k])) for i, k in enumerate(kinds)]
    # 3. gate block: the input (through hid_0) decides which hidden qubits are reset
    c.cnot(data[0], hidden[0])
    if cswap:
        c.cswap(hidden[0], hidden[1], anc[0])
    else:
        c.cnot(hidden[0], hidden[1])
    _gate(c, block_gate, hidden[0], [blk[i] for i in range(GATE_KINDS[block_gate])])
    if cswap:
        c.cswap(hidden[0], hidden[-1], anc[1])
    else:
        c.cnot(hidden[0], hidden[-1])
    # 4. variational layers over data and hidden qubits
    for w, kind in zip(layers, kinds, strict=True):
        for i, q in enumerate(data + hidden):
            _gate(c, kind, q, [w[i, j] for j in range(GATE_KINDS[kind])])
        c.cnot_ring(data + hidden)
    # 5. read-out
    for q in data + hidden:
        c.expval("Z", q)
        c.expval("X", q)
    return c


def qru_parameter_count(
    in_features: int,
    hidden_qubits: int,
    n_layers: int,
    *,
    layer_gates: str | Sequence[str] = "rot",
    block_gate: str = "rot",
    head: str = "sequence",
) -> dict[str, int]:
    r"""The parameter count of a QRU by part (the formula of the module docstring).

    Example:
        >>> qru_parameter_count(8, 4, 4, head="classes")
        {'encoding': 16, 'hidden_encoding': 16, 'block': 3, 'layers': 96, 'scale': 1, 'total': 132}
    """
    _check_sizes(in_features, hidden_qubits, n_layers)
    check_choice("block_gate", block_gate, list(GATE_KINDS))
    check_choice("head", head, HEADS)
    d = math.ceil(in_features / 2)
    parts = {
        "encoding": 2 * in_features,
        "hidden_encoding": 4 * hidden_qubits,
        "block": GATE_KINDS[block_gate],
        "layers": sum(
            GATE_KINDS[k] * (d + hidden_qubits) for k in _layer_kinds(layer_gates, n_layers)
        ),
        "scale": 0 if head == "sequence" else 1,
    }
    parts["total"] = sum(parts.values())
    return parts


class QRU(QuantumModel):
    r"""The quantum recurrent unit (module docstring): one compiled circuit applied at every
    time step, batched over samples, hidden values fed forward classically.

    Args:
        in_features: features per time step ``F`` (``D = ceil(F/2)`` data qubits).
        hidden_qubits: ``H >= 2``.
        n_layers: variational layers ``L``.
        layer_gates: trainable gate of the layers, one of :data:`GATE_KINDS` or a list used
            cyclically (``("rx", "ry")``: RX, RY, RX, ...).
        block_gate: the trainable gate between the two controlled swaps.
        head: ``"sequence"``, ``"binary"`` or ``"classes"``
            (:func:`~qlearn.models.sequence.apply_head`).
        n_classes: number of classes ``C <= D`` for ``head="classes"``.
        cswap: ``False`` for the ablation (CNOTs instead of the controlled swaps, no ancillas).
        scale_init: initial value of the trainable logit scale :math:`s` (classification
            heads; the authors start at 100).
        device, dtype: where and in which precision to simulate (``qlearn.config`` defaults).
        seed: seed of the weight initialisation (all angles :math:`\mathcal U(0, 2\pi)`, as
            the authors).

    Shape:
        ``(B, T, F)`` (or ``(B, T)`` when ``F = 1``) → ``(B, T)`` (sequence), ``(B,)``
        (binary) or ``(B, C)`` (classes).

    Example:
        >>> model = QRU(in_features=2, hidden_qubits=2, n_layers=1, seed=0)
        >>> out = model(torch.rand(4, 6, 2))
        >>> out.shape, model.n_parameters, model.n_qubits
        (torch.Size([4, 6]), 24, 5)
        >>> traj = model.trajectory(torch.rand(4, 6, 2))
        >>> traj["data"].shape, traj["hidden"].shape
        (torch.Size([4, 6, 2]), torch.Size([4, 6, 4]))
    """

    def __init__(
        self,
        in_features: int = 1,
        hidden_qubits: int = 4,
        n_layers: int = 2,
        *,
        layer_gates: str | Sequence[str] = "rot",
        block_gate: str = "rot",
        head: str = "sequence",
        n_classes: int = 2,
        cswap: bool = True,
        scale_init: float = 10.0,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        circuit = qru_circuit(
            in_features, hidden_qubits, n_layers, layer_gates=layer_gates,
            block_gate=block_gate, cswap=cswap,
        )  # fmt: skip
        self.head = check_choice("head", head, HEADS)
        self._in = in_features
        self.hidden_qubits = hidden_qubits
        self.n_layers = n_layers
        self.n_data_qubits = math.ceil(in_features / 2)
        self.cswap = bool(cswap)
        self.options = dict(
            in_features=in_features, hidden_qubits=hidden_qubits, n_layers=n_layers,
            layer_gates=layer_gates if isinstance(layer_gates, str) else tuple(layer_gates),
            block_gate=block_gate, head=head, n_classes=n_classes, cswap=self.cswap,
        )  # fmt: skip
        if head == "classes":
            check_positive_int("n_classes", n_classes)
            if not 2 <= n_classes <= self.n_data_qubits:
                raise ValueError(
                    f"n_classes={n_classes} must be between 2 and the number of data qubits "
                    f"({self.n_data_qubits} for in_features={in_features}): class c reads "
                    "<Z> of data qubit c."
                )
        self.n_classes = n_classes if head == "classes" else 1
        self._compile(circuit, device=device, dtype=dtype, seed=seed)
        ref = next(self.qnn.parameters())
        # the fast path: encoding per step, weight-only part as one matrix (shared Parameters)
        parts = {}
        for part in ("encoding", "fixed"):
            c = qru_circuit(
                in_features, hidden_qubits, n_layers, layer_gates=layer_gates,
                block_gate=block_gate, cswap=cswap, part=part,
            )  # fmt: skip
            parts[part] = c.module(device=ref.device, dtype=ref.dtype, seed=0)
            for name in list(parts[part].weights):
                parts[part].weights[name] = self.qnn.weights[name]
        self._encoder, self._fixed = parts["encoding"], parts["fixed"]
        if head != "sequence":
            self.scale = nn.Parameter(torch.tensor(float(scale_init), dtype=ref.dtype,
                                                   device=ref.device))  # fmt: skip
        else:
            self.scale = None

    @classmethod
    def preset(cls, name: str, **overrides) -> QRU:
        """One of the paper's configurations (:data:`PRESETS`): ``"oscillation"`` (72
        parameters), ``"wdbc"`` (35) or ``"mnist"`` (132); keywords override or add options
        (``seed``, ``dtype``, ``cswap``...)."""
        check_choice("name", name, list(PRESETS))
        return cls(**{**PRESETS[name], **overrides})

    @property
    def in_features(self) -> int:
        return self._in

    @property
    def n_qubits(self) -> int:
        """Qubits of the per-step circuit (data + hidden + 2 ancillas with C-SWAP)."""
        return self.circuit.n_qubits

    def parameter_count(self) -> dict[str, int]:
        """:func:`qru_parameter_count` for this model (agrees with ``n_parameters``)."""
        o = self.options
        return qru_parameter_count(
            o["in_features"], o["hidden_qubits"], o["n_layers"], layer_gates=o["layer_gates"],
            block_gate=o["block_gate"], head=o["head"],
        )  # fmt: skip

    # ---- recurrence -------------------------------------------------------------------------
    def fixed_unitary(self) -> Tensor:
        r"""The weight-only part :math:`W(\theta)` (steps 3–5) on the states it can meet:
        ``(2^{D+H}, 2^n)`` complex, row ``k`` is :math:`W |k\rangle|00\rangle_{\text{anc}}`.
        A step's final state is ``encoder_state @ fixed_unitary()``."""
        m, n = self.n_data_qubits + self.hidden_qubits, self.n_qubits
        ref = next(self.qnn.parameters())
        basis = torch.zeros(2**m, 2**n, dtype=torch.complex128, device=ref.device)
        basis[torch.arange(2**m), torch.arange(2**m) * 2 ** (n - m)] = 1  # ancillas in |00>
        return self._fixed.evolve(basis)

    def initial_state(self, batch: int, circuit: Callable | None = None) -> tuple[Tensor, Any]:
        """State at ``t = 0``: hidden values zeros ``(B, 2H)``, and how to run a step: the
        matrix :meth:`fixed_unitary` (computed once here) or a full-circuit function."""
        ref = next(self.qnn.parameters())
        h0 = torch.zeros(batch, 2 * self.hidden_qubits, device=ref.device, dtype=ref.dtype)
        return h0, (self.fixed_unitary() if circuit is None else circuit)

    def expvals(self, x_t: Tensor, hidden: Tensor, runner: Tensor | Callable | None = None):
        r"""One step's read-out ``(B, 2(D + H))``: :math:`\langle Z\rangle, \langle X\rangle`
        per data qubit, then per hidden qubit, for features ``x_t`` ``(B, F)`` and previous
        hidden values ``hidden`` ``(B, 2H)``. ``runner``: the matrix :meth:`fixed_unitary`
        (default: computed now) or a function running the whole per-step circuit (e.g.
        ``self.qnn`` or its PennyLane twin)."""
        h = torch.arcsin(hidden.clamp(-1 + ARCSIN_EPS, 1 - ARCSIN_EPS))
        inputs = torch.cat([x_t.to(h.dtype), h], dim=1)
        if runner is None:
            runner = self.fixed_unitary()
        if callable(runner) and not isinstance(runner, Tensor):
            return runner(inputs)
        psi = self._encoder.state(inputs)
        psi = psi @ runner.to(psi.dtype)
        return expval_observables(psi.T, self._fixed.circuit.observables, self.n_qubits).T

    def _predict(self, data_values: Tensor) -> Tensor:
        z = data_values[:, 0::2]  # <Z> of every data qubit
        if self.head == "sequence":
            return z[:, :1]
        return self.scale * z[:, : self.n_classes]

    def step(self, x_t: Tensor, state: tuple[Tensor, Any]) -> tuple[Tensor, tuple[Tensor, Any]]:
        """One time step: (prediction ``(B, 1)`` or ``(B, C)``, next state)."""
        hidden, runner = state
        values = self.expvals(x_t, hidden, runner)
        cut = 2 * self.n_data_qubits
        return self._predict(values[:, :cut]), (values[:, cut:], runner)

    def _sequence(self, x: Tensor) -> Tensor:
        x = as_sequence(x, self.in_features, "QRU")
        ref = next(self.qnn.parameters())
        return x.to(ref.device, ref.dtype)

    def _unroll(self, x: Tensor, circuit: Callable | None = None) -> Tensor:
        x = self._sequence(x)
        return unroll(self, x, self.initial_state(x.shape[0], circuit))[0]

    def forward(self, x: Tensor) -> Tensor:
        return apply_head(self._unroll(x), self.head)

    def trajectory(self, x: Tensor) -> dict[str, Tensor]:
        r"""Every step's read-out: ``"data"`` ``(B, T, 2D)`` and ``"hidden"`` ``(B, T, 2H)``
        (:math:`\langle Z\rangle, \langle X\rangle` interleaved per qubit)."""
        x = self._sequence(x)
        hidden, runner = self.initial_state(x.shape[0])
        data, hiddens = [], []
        cut = 2 * self.n_data_qubits
        for t in range(x.shape[1]):
            values = self.expvals(x[:, t], hidden, runner)
            hidden = values[:, cut:]
            data.append(values[:, :cut])
            hiddens.append(hidden)
        return {"data": torch.stack(data, 1), "hidden": torch.stack(hiddens, 1)}

    def to_pennylane(self) -> Callable[[Tensor], Tensor]:
        """The same model with every step's whole circuit (:attr:`circuit`) run by PennyLane
        (``default.qubit``) with the current weights; gradients flow through it."""
        twin = self.qnn.to_pennylane()
        return lambda x: apply_head(self._unroll(x, twin), self.head)

    def extra_repr(self) -> str:
        o = self.options
        return (
            f"in_features={o['in_features']}, hidden_qubits={o['hidden_qubits']}, "
            f"n_layers={o['n_layers']}, layer_gates={o['layer_gates']!r}, "
            f"block_gate={o['block_gate']!r}, head={o['head']!r}, cswap={o['cswap']}, "
            f"n_qubits={self.n_qubits}, n_parameters={self.n_parameters}"
        )
