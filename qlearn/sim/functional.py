r"""State-level functions for teaching: make a state, apply a gate, measure.

A state of :math:`n` qubits for a batch of :math:`B` circuits is a complex tensor of shape
``(B, 2**n)``: row :math:`b` holds the amplitudes :math:`\psi_b(k)` of the basis states
:math:`|k\rangle`, with wire 0 the most significant bit of :math:`k` (as in PennyLane), so
:math:`|q_0 q_1 \dots q_{n-1}\rangle` has index :math:`k = \sum_w q_w 2^{n-1-w}`.

These functions are a thin layer over the same engine that runs compiled circuits
(:mod:`qlearn.sim.engine`) and the same measurement code (:mod:`qlearn.sim.measure`): they only
check their arguments and move between the public batch-first layout ``(B, 2**n)`` and the
engine's amplitude-major layout ``(2**n, B)``. Everything is differentiable with autograd.

Example:
    >>> import torch
    >>> from qlearn.sim import functional as F
    >>> psi = F.zero_state(2, dtype=torch.float64)
    >>> psi = F.apply(psi, "H", 0)
    >>> psi = F.apply(psi, "CNOT", (0, 1))        # a Bell state (|00> + |11>)/sqrt(2)
    >>> F.probs(psi)
    tensor([[0.5000, 0.0000, 0.0000, 0.5000]], dtype=torch.float64)
    >>> F.expval(psi, "ZZ", (0, 1)).round(decimals=6)
    tensor([1.], dtype=torch.float64)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from qlearn import config
from qlearn.sim import engine, measure
from qlearn.sim.gates import gate_spec

Tensor = torch.Tensor
Wires = int | Sequence[int]
ParamLike = float | int | Tensor

__all__ = ["zero_state", "apply", "expval", "probs", "sample", "frequencies", "n_qubits_of"]


# --------------------------------------------------------------------------------------------
# Argument checks


def n_qubits_of(state: Tensor) -> int:
    """Number of qubits of a batch-first state ``(B, 2**n)``; raises ``ValueError`` otherwise.

    Example:
        >>> n_qubits_of(zero_state(3))
        3
    """
    if not isinstance(state, Tensor):
        raise TypeError(
            f"state has type {type(state).__name__}; pass a torch tensor of shape (batch, 2**n), "
            "e.g. from zero_state(n_qubits)."
        )
    if state.ndim != 2:
        hint = " (for one state use state.reshape(1, -1))" if state.ndim == 1 else ""
        raise ValueError(
            f"state has shape {tuple(state.shape)} but must be (batch, 2**n_qubits){hint}."
        )
    if not state.is_complex():
        raise ValueError(
            f"state has dtype {state.dtype} but amplitudes are complex; convert with "
            "state.to(torch.complex64) or start from zero_state(n_qubits)."
        )
    if state.shape[0] < 1:
        raise ValueError("state has an empty batch (shape[0] == 0); use at least one row.")
    n = engine.log2_int(state.shape[1], f"state's last dimension {tuple(state.shape)}")
    if n < 1:
        raise ValueError(
            f"state has shape {tuple(state.shape)}: a state needs at least one qubit (width 2)."
        )
    return n


def _check_wires(
    wires: Wires, n_qubits: int, expected: int | None, what: str, allow_empty: bool = False
) -> tuple[int, ...]:
    ws = (wires,) if isinstance(wires, int) else tuple(wires)
    for w in ws:
        if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w < n_qubits:
            raise ValueError(
                f"wires={wires!r}: wire {w!r} is out of range for a {n_qubits}-qubit state; "
                f"use wires 0..{n_qubits - 1}."
            )
    if len(set(ws)) != len(ws):
        raise ValueError(f"wires={wires!r} repeats a wire; {what} needs distinct wires.")
    if expected is not None and len(ws) != expected:
        raise ValueError(f"{what} acts on {expected} wire(s) but wires={wires!r}.")
    if not ws and not allow_empty:
        raise ValueError(f"wires={wires!r} is empty; {what} needs at least one wire.")
    return ws


def _as_param(value: ParamLike, real: torch.dtype, device: torch.device, i: int) -> Tensor:
    # numbers go straight to the state's precision (via float32 they would lose digits)
    if isinstance(value, Tensor):
        t = value
    else:
        try:
            t = torch.as_tensor(value, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(
                f"params[{i}]={value!r} is not a real number or tensor; gate angles are real "
                "numbers (radians)."
            ) from err
    if t.is_complex():
        raise ValueError(f"params[{i}] is complex; gate angles must be real numbers.")
    t = t.to(device=device, dtype=real)
    if t.ndim > 1:
        raise ValueError(
            f"params[{i}] has shape {tuple(t.shape)}; an angle is a scalar (shared by all rows) "
            "or a (batch,) tensor (one angle per row)."
        )
    return t


def _as_unitary(value, n_wires: int, cplx: torch.dtype, device: torch.device) -> Tensor:
    m = torch.as_tensor(value).to(device=device, dtype=cplx)
    d = 2**n_wires
    if m.ndim not in (2, 3) or m.shape[-2:] != (d, d):
        raise ValueError(
            f"QubitUnitary on {n_wires} wire(s) needs a ({d}, {d}) matrix or a (batch, {d}, {d}) "
            f"stack, but the matrix has shape {tuple(m.shape)}."
        )
    eye = torch.eye(d, dtype=cplx, device=device)
    tol = 1e-10 if cplx == torch.complex128 else 1e-5
    if not torch.allclose(m @ m.conj().transpose(-1, -2), eye.expand_as(m), atol=tol):
        raise ValueError("QubitUnitary: the matrix is not unitary (U @ U^† != I); check it.")
    return m


# --------------------------------------------------------------------------------------------
# States and gates


def zero_state(
    n_qubits: int,
    batch: int = 1,
    *,
    dtype: torch.dtype | None = None,
    device: str | torch.device | None = None,
) -> Tensor:
    r"""The all-zero state :math:`|0\dots0\rangle`, repeated for ``batch`` rows.

    Args:
        n_qubits: number of qubits :math:`n \ge 1`.
        batch: number of rows :math:`B \ge 1`.
        dtype: precision, real or complex (``torch.float64`` and ``torch.complex128`` both give
            complex128 amplitudes); default from :func:`qlearn.config.default_dtype`.
        device: default from :func:`qlearn.config.default_device`.

    Returns:
        ``(B, 2**n)`` complex tensor with :math:`\psi_b(0) = 1` and all other amplitudes 0.

    Example:
        >>> zero_state(2, batch=2, dtype=torch.float64)
        tensor([[1.+0.j, 0.+0.j, 0.+0.j, 0.+0.j],
                [1.+0.j, 0.+0.j, 0.+0.j, 0.+0.j]], dtype=torch.complex128)
    """
    if isinstance(n_qubits, bool) or not isinstance(n_qubits, int) or n_qubits < 1:
        raise ValueError(f"n_qubits={n_qubits!r} must be a positive integer.")
    if n_qubits > engine.MAX_QUBITS:
        raise ValueError(
            f"n_qubits={n_qubits} is too many for a state vector; use at most "
            f"{engine.MAX_QUBITS} qubits."
        )
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch={batch!r} must be a positive integer number of rows.")
    cplx = config.complex_dtype(config.resolve_dtype(dtype))
    dev = config.resolve_device(device)
    return engine.zero_state(n_qubits, batch, dtype=cplx, device=dev).T.contiguous()


def apply(state: Tensor, gate: str, wires: Wires, *params: ParamLike) -> Tensor:
    r"""Apply one gate to every row of a batched state: :math:`\psi_b \mapsto U(\theta_b)\,\psi_b`.

    Args:
        state: ``(B, 2**n)`` complex state.
        gate: any gate of :data:`qlearn.sim.GATES` by name or alias (``"RX"``, ``"H"``,
            ``"CNOT"``, ``"IsingZZ"``, ...). Conventions are PennyLane's, e.g.
            :math:`R_X(\theta) = e^{-i\theta X/2}`.
        wires: the wire (an int) or wires (a sequence) it acts on, in the gate's order (control
            first).
        *params: the gate's angles, each a number or 0-d tensor (the same angle for every row) or a
            ``(B,)`` tensor (one angle per row). ``QubitUnitary`` takes one ``(2^k, 2^k)`` or
            ``(B, 2^k, 2^k)`` unitary matrix instead. If ``state`` has one row and an angle has
            :math:`B > 1` entries, the state is repeated to :math:`B` rows.

    Returns:
        The new ``(B, 2**n)`` state (the input is not modified). Gradients flow to the angles.

    Example:
        >>> psi = apply(zero_state(1, dtype=torch.float64), "RX", 0, torch.pi)
        >>> probs(psi).round(decimals=6)
        tensor([[0., 1.]], dtype=torch.float64)
        >>> thetas = torch.tensor([0.0, torch.pi / 2, torch.pi], dtype=torch.float64)
        >>> psi = apply(zero_state(1, dtype=torch.float64), "RY", 0, thetas)  # 3 rows now
        >>> expval(psi, "Z", 0).round(decimals=6)                              # cos(theta)
        tensor([ 1.,  0., -1.], dtype=torch.float64)
    """
    n = n_qubits_of(state)
    if not isinstance(gate, str):
        raise TypeError(f"gate={gate!r} must be a gate name such as 'RX' or 'CNOT'.")
    spec = gate_spec(gate)
    # a global phase acts on the whole register and may name no wire at all
    ws = _check_wires(wires, n, spec.n_wires, f"gate {spec.name}", spec.name == "GlobalPhase")
    real = torch.float64 if state.dtype == torch.complex128 else torch.float32
    if spec.name == "QubitUnitary":
        if len(params) != 1:
            raise ValueError(
                f"QubitUnitary takes one matrix but got {len(params)} parameter(s); "
                "call apply(state, 'QubitUnitary', wires, U)."
            )
        ps = (_as_unitary(params[0], len(ws), state.dtype, state.device),)
        rows = [ps[0].shape[0]] if ps[0].ndim == 3 else []
    else:
        if len(params) != spec.n_params:
            raise ValueError(
                f"gate {spec.name} takes {spec.n_params} angle(s) but got {len(params)}."
            )
        ps = tuple(_as_param(p, real, state.device, i) for i, p in enumerate(params))
        rows = [p.shape[0] for p in ps if p.ndim == 1]
    batch = state.shape[0]
    for r in rows:
        if r != batch and batch != 1:
            raise ValueError(
                f"a parameter has {r} rows but the state has batch={batch}; give one angle per "
                "row (shape (batch,)), or a scalar shared by all rows."
            )
    if len(set(rows)) > 1:
        raise ValueError(f"the parameters have different numbers of rows {rows}; use one B.")
    if rows and batch == 1 and rows[0] != 1:
        state = state.expand(rows[0], -1)
    psi = engine.run(state.T, [engine.Call(spec.name, ws, ps)], n)
    return psi.T


# --------------------------------------------------------------------------------------------
# Measurements


def expval(state: Tensor, word: str, wires: Wires | None = None) -> Tensor:
    r"""Expectation value of a Pauli word, :math:`\langle P\rangle_b = \psi_b^\dagger P \psi_b`.

    Args:
        state: ``(B, 2**n)`` complex state.
        word: Pauli letters with their wires, either together (``"Z0"``, ``"X0 Y2"``) or as
            letters plus ``wires`` (``expval(psi, "XY", (0, 2))``).
        wires: the wires of the letters, when not written in ``word``.

    Returns:
        ``(B,)`` real tensor, each entry in :math:`[-1, 1]`.

    Example:
        >>> psi = apply(zero_state(1, dtype=torch.float64), "H", 0)   # |+>
        >>> expval(psi, "X", 0).round(decimals=6), expval(psi, "Z0").round(decimals=6)
        (tensor([1.], dtype=torch.float64), tensor([0.], dtype=torch.float64))
    """
    n = n_qubits_of(state)
    parsed = measure.parse_word(word, wires, n)
    return measure.expval_words(state.T, [parsed], n)[0]


def probs(state: Tensor, wires: Wires | None = None) -> Tensor:
    r"""Probabilities of the basis states of ``wires``: :math:`p_b(k) = |\psi_b(k)|^2`.

    For a subset of wires the other wires are summed out (a marginal); the result is ordered
    by the bits of ``wires`` in the order given (first wire most significant).

    Args:
        state: ``(B, 2**n)`` complex state.
        wires: which wires to measure (default: all, in order).

    Returns:
        ``(B, 2**k)`` real tensor; each row sums to 1.

    Example:
        >>> psi = apply(zero_state(2, dtype=torch.float64), "X", 1)     # |01>
        >>> probs(psi), probs(psi, wires=1)
        (tensor([[0., 1., 0., 0.]], dtype=torch.float64), tensor([[0., 1.]], dtype=torch.float64))
    """
    n = n_qubits_of(state)
    ws = None if wires is None else _check_wires(wires, n, None, "probs")
    return measure.probs(state.T, ws, n).T


def sample(
    state: Tensor, shots: int, seed: int | None = None, wires: Wires | None = None
) -> Tensor:
    r"""Simulate ``shots`` measurements in the computational basis, for every row.

    Each shot draws a basis state :math:`k` with probability :math:`p_b(k)` (see :func:`probs`)
    and returns its bits. The draw uses its own generator on the CPU, so the same ``seed`` gives
    the same samples on every device; ``seed=None`` draws a fresh seed.

    Args:
        state: ``(B, 2**n)`` complex state.
        shots: number of measurements per row.
        seed: random seed.
        wires: which wires to measure (default: all).

    Returns:
        ``(B, shots, k)`` int64 tensor of bits (0 or 1), wire order as in ``wires``.

    Example:
        >>> psi = apply(zero_state(1, dtype=torch.float64), "H", 0)
        >>> sample(psi, shots=8, seed=1)[0, :, 0]
        tensor([0, 0, 0, 0, 1, 0, 0, 1])
    """
    n = n_qubits_of(state)
    ws = None if wires is None else _check_wires(wires, n, None, "sample")
    with torch.no_grad():
        p = measure.probs(state.T, ws, n).T
    k = n if ws is None else len(ws)
    return measure.indices_to_bits(measure.sample_indices(p, shots, seed), k)


def frequencies(samples: Tensor) -> Tensor:
    r"""Relative frequencies of basis states in ``samples`` from :func:`sample`.

    The estimate :math:`\hat p_b(k) = \#\{\text{shots giving } k\} / \text{shots}` converges to
    :func:`probs` with error about :math:`\sqrt{p(1-p)/\text{shots}}`.

    Args:
        samples: ``(B, shots, k)`` bits.

    Returns:
        ``(B, 2**k)`` float64 tensor; each row sums to 1.

    Example:
        >>> psi = apply(zero_state(1, dtype=torch.float64), "H", 0)
        >>> frequencies(sample(psi, shots=100, seed=0))
        tensor([[0.5300, 0.4700]], dtype=torch.float64)
    """
    if not isinstance(samples, Tensor) or samples.ndim != 3 or samples.shape[1] < 1:
        shape = tuple(samples.shape) if isinstance(samples, Tensor) else type(samples).__name__
        raise ValueError(
            f"samples has shape {shape}; pass the (batch, shots, n_wires) bits from sample()."
        )
    k = samples.shape[2]
    weights = 2 ** torch.arange(k - 1, -1, -1, device=samples.device)
    idx = (samples.long() * weights).sum(-1)  # (B, shots)
    counts = torch.zeros(samples.shape[0], 2**k, dtype=torch.float64, device=samples.device)
    counts.scatter_add_(1, idx, torch.ones_like(idx, dtype=torch.float64))
    return counts / samples.shape[1]
