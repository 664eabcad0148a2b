r"""Checks for the chapter 1 exercises (``exercises/ch01_exercises.ipynb``).

=====  ===================================  ===============================================
check  the student writes                   what it verifies
=====  ===================================  ===============================================
ex1    ``p1_after_ry(theta)``               :math:`p(1) = \sin^2(\theta/2)` at 101 angles
ex2    ``ghz_state(n_qubits)``              :math:`(|0\dots0\rangle + |1\dots1\rangle)/\sqrt2`
ex3    ``z_on_grid(n)``                     :math:`\langle Z\rangle = \cos\theta\cos\varphi`
                                            on an n×n grid, batched (no loop over rows)
ex4    ``trainable_encoding_circuit()``     section 2's circuit with a trainable affine
                                            encoding ``ab[0] * x[0] + ab[1]``
ex5    ``my_circuit()``,                    a custom circuit and a cross-check against
       ``max_differences(model, x)``        PennyLane that catches wrong values and gradients
=====  ===================================  ===============================================

Example:
    >>> import torch
    >>> from qlearn import checks
    >>> checks.ch01.ex1(lambda theta: torch.sin(theta / 2) ** 2)
    ✅ ch01.ex1 passed: p(1) = sin²(θ/2) = (1 − cos θ)/2 matches the simulator at 101 angles in [−2π, 2π].
    >>> checks.ch01.ex1(lambda theta: torch.cos(theta / 2) ** 2)
    ❌ ch01.ex1 failed: that is p(0), the probability of outcome 0. Write RY(θ)|0⟩ = cos(θ/2)|0⟩ + sin(θ/2)|1⟩ and square the amplitude of |1⟩.
"""  # noqa: E501

from __future__ import annotations

import contextlib
import functools
import itertools
import math
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from qlearn.checks import (
    CheckFailed,
    assert_close,
    call,
    check,
    expect,
    fail,
    short_repr,
    to_tensor,
)
from qlearn.sim import Circuit, CircuitModule
from qlearn.sim import functional as F

__all__ = ["ex1", "ex2", "ex3", "ex4", "ex5"]

F64 = torch.float64


# --------------------------------------------------------------------------------------------
# Exercise 1: p(1) after RY(θ)|0>


@check
def ex1(p1_after_ry) -> str:
    r"""``p1_after_ry(theta)``: the probability of outcome 1 after :math:`R_Y(\theta)|0\rangle`,
    elementwise for a tensor of angles."""
    theta = torch.linspace(-2 * math.pi, 2 * math.pi, 101, dtype=F64)
    psi = F.apply(F.zero_state(1, dtype=F64), "RY", 0, theta)
    expected = F.probs(psi)[:, 1]
    try:
        got = call(p1_after_ry, theta.clone(), label="p1_after_ry(theta)")
    except CheckFailed as err:
        raise CheckFailed(
            f"{err} Note that theta is a tensor of 101 angles: use torch.sin and torch.cos, "
            "which work elementwise (math.sin takes one number)."
        ) from None
    got = to_tensor(got, "p1_after_ry(theta)")
    expect(
        got.numel() != 1,
        "p1_after_ry(theta) returned one number, but theta holds 101 angles: compute with torch "
        "functions so that the result has one entry per angle.",
    )
    wrong = {
        "that is p(0), the probability of outcome 0. Write RY(θ)|0⟩ = cos(θ/2)|0⟩ + "
        "sin(θ/2)|1⟩ and square the amplitude of |1⟩.": torch.cos(theta / 2) ** 2,
        "check the half angle: RY(θ) = exp(−iθY/2), so the amplitudes carry θ/2.": (
            torch.sin(theta) ** 2
        ),
        "that is the amplitude of |1⟩; the Born rule squares its magnitude.": torch.sin(theta / 2),
    }
    for hint, values in wrong.items():
        if got.shape == values.shape and torch.allclose(got, values, atol=1e-6):
            fail(hint)
    assert_close(got, expected, atol=1e-6, what="p1_after_ry(theta)", inputs=theta, input_name="θ")
    return "p(1) = sin²(θ/2) = (1 − cos θ)/2 matches the simulator at 101 angles in [−2π, 2π]."


# --------------------------------------------------------------------------------------------
# Exercise 2: the GHZ state


def _bits(k: int, n: int) -> str:
    return "|" + format(k, f"0{n}b") + "⟩"


def _state(value: Any, label: str, n: int) -> torch.Tensor:
    """The student's state as a (2**n,) complex128 vector, or a failed check with a hint."""
    if not isinstance(value, torch.Tensor):
        fail(
            f"{label} returned {short_repr(value)}, but should return the state tensor of shape "
            f"(1, {2**n}) (start from F.zero_state({n}) and apply gates with F.apply)."
        )
    if not value.is_complex():
        fail(
            f"{label} returned a real tensor of shape {tuple(value.shape)}; return the state "
            "itself (complex amplitudes), not F.probs(state)."
        )
    if tuple(value.shape) != (1, 2**n):
        fixed = value.ndim == 2 and value.shape[0] == 1
        fail(
            f"{label} returned shape {tuple(value.shape)}, but one {n}-qubit state has shape "
            f"(1, {2**n})"
            + (
                ": build it with F.zero_state(n_qubits), not a fixed number of qubits."
                if fixed
                else ", the batch of one that F.zero_state and F.apply give."
            )
        )
    psi = to_tensor(value)[0]
    norm = psi.abs().pow(2).sum().item()
    expect(abs(norm - 1) < 1e-5, f"{label} is not normalised (Σ|ψ(k)|² = {norm:.4g}, not 1).")
    return psi


@check
def ex2(ghz_state) -> str:
    r"""``ghz_state(n_qubits)``: the state :math:`(|0\dots0\rangle + |1\dots1\rangle)/\sqrt2`
    as a ``(1, 2**n)`` tensor (checked for n = 2, 3, 4, up to a global phase)."""
    for n in (2, 3, 4):
        label = f"ghz_state({n})"
        psi = _state(call(ghz_state, n), label, n)
        ghz = torch.zeros(2**n, dtype=torch.complex128)
        ghz[0] = ghz[-1] = 1 / math.sqrt(2)
        fidelity = abs(torch.vdot(ghz, psi).item()) ** 2
        if fidelity > 1 - 1e-6:
            continue
        p = psi.abs() ** 2
        support = [k for k in range(2**n) if p[k] > 1e-6]
        earlier = " (smaller n worked: loop over all the wires)" if n > 2 else ""
        if support == [0, 2**n - 1] and abs(p[0].item() - 0.5) < 1e-5:
            xx = (psi.conj() * psi.flip(0)).sum().real.item()  # <X⊗...⊗X> flips every bit
            fail(
                f"for n={n} the probabilities are right but the relative phase is not: "
                f"⟨X⊗…⊗X⟩ = {xx:+.3f} instead of +1. Look for an extra Z, S or minus sign."
            )
        shown = ", ".join(f"{_bits(k, n)}: {p[k].item():.3g}" for k in support[:6])
        more = ", …" if len(support) > 6 else ""
        fail(
            f"{label} has the probabilities {shown}{more}, but GHZ has only {_bits(0, n)} and "
            f"{_bits(2**n - 1, n)}, each with 1/2. Use one H on wire 0, then CNOTs that copy "
            f"wire 0's bit to every other wire{earlier}."
        )
    return (
        "(|0…0⟩ + |1…1⟩)/√2 for n = 2, 3, 4. Its values: ⟨Z0 Z1⟩ = ⟨Z0 Z2⟩ = ⟨X0 X1 X2⟩ = +1, "
        "while ⟨Z0⟩ = 0: each qubit alone is a fair coin."
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: a batched grid


@contextlib.contextmanager
def _counting(module: Any, name: str) -> Iterator[list[int]]:
    """Count calls of ``module.name`` while the block runs (restored afterwards)."""
    original = getattr(module, name)
    count = [0]

    @functools.wraps(original)
    def counted(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return original(*args, **kwargs)

    setattr(module, name, counted)
    try:
        yield count
    finally:
        setattr(module, name, original)


@check
def ex3(z_on_grid) -> str:
    r"""``z_on_grid(n)`` -> ``(theta, phi, z)``: :math:`\langle Z\rangle` of
    :math:`R_Y(\varphi) R_X(\theta)|0\rangle` on the n×n grid of :math:`[0, \pi]^2`, each a
    ``(n*n,)`` tensor, with one ``F.apply`` per gate for the whole grid."""
    calls = {}
    for n in (5, 11):
        with _counting(F, "apply") as count:
            out = call(z_on_grid, n)
        calls[n] = count[0]
        expect(
            isinstance(out, tuple | list) and len(out) == 3,
            f"z_on_grid({n}) returned {short_repr(out)}; return three tensors: theta, phi, z.",
        )
        theta, phi, z = (
            to_tensor(v, f"{name} of z_on_grid({n})")
            for v, name in zip(out, ("theta", "phi", "z"), strict=True)
        )
        for t, name in ((theta, "theta"), (phi, "phi"), (z, "z")):
            expect(
                tuple(t.shape) == (n * n,),
                f"{name} of z_on_grid({n}) has shape {tuple(t.shape)}, but should be "
                f"({n * n},): flatten the {n}×{n} grid into one batch of rows (.reshape(-1)).",
            )
        grid = torch.linspace(0, math.pi, n, dtype=F64)
        want = sorted(itertools.product(grid.tolist(), repeat=2))
        got = sorted(zip(theta.tolist(), phi.tolist(), strict=True))
        expect(
            all(
                abs(a - c) < 1e-5 and abs(b - d) < 1e-5
                for (a, b), (c, d) in zip(got, want, strict=True)
            ),
            f"the pairs (theta, phi) of z_on_grid({n}) are not the {n}×{n} grid of [0, π]²: "
            f"take torch.linspace(0, math.pi, {n}) for both angles and pair them with "
            "torch.meshgrid.",
        )
        expect(
            calls[n] > 0,
            "z_on_grid never called F.apply (the check counts calls of F.apply): compute z with "
            "the simulator (F.apply, then F.expval), not with the formula cos θ cos φ, which is "
            "what the check compares to.",
        )
        assert_close(z, torch.cos(theta) * torch.cos(phi), atol=1e-5, what=f"z of z_on_grid({n})")
    expect(
        calls[5] == calls[11],
        f"F.apply was called {calls[5]} times for the 5×5 grid but {calls[11]} times for 11×11: "
        "give F.apply the whole (n*n,) tensor of angles, so that one call applies a gate to every "
        "row of the batch.",
    )
    return (
        f"⟨Z⟩ = cos θ cos φ on the grid, with {calls[5]} calls of F.apply whatever the grid size."
    )


# --------------------------------------------------------------------------------------------
# Exercise 4: a trainable encoding


def reference_trainable_encoding() -> Circuit:
    """Section 2's circuit with the angle on wire 1 made trainable (the answer to ex4)."""
    c = Circuit(n_qubits=2)
    x = c.inputs(1)
    w = c.weights("theta", (2, 2, 3))
    s = c.weights("scale", (2,), init=torch.ones(2))
    ab = c.weights("ab", (2,))
    for layer in range(2):
        for q in range(2):
            c.rot(q, w[layer, q, 0], w[layer, q, 1], w[layer, q, 2])
        c.cnot(0, 1)
        c.ry(0, s[layer] * x[0])
        c.ry(1, ab[0] * x[0] + ab[1])
    c.rz(1, math.pi / 4)
    c.expval("Z", 0)
    return c


def _outputs(model: CircuitModule, weights: dict[str, torch.Tensor], x: torch.Tensor):
    with torch.no_grad():
        for name, value in weights.items():
            model.weights[name].copy_(value)
        return model(x)


@check
def ex4(trainable_encoding_circuit) -> str:
    """``trainable_encoding_circuit()``: the circuit of section 2 (weights ``theta``, ``scale``)
    with ``c.ry(1, 2 * x[0] + 0.1)`` replaced by ``c.ry(1, ab[0] * x[0] + ab[1])``."""
    c = call(trainable_encoding_circuit, label="trainable_encoding_circuit()")
    if isinstance(c, CircuitModule):
        fail("return the Circuit c itself, not c.module(): the check compiles it.")
    expect(isinstance(c, Circuit), f"expected a Circuit, got {short_repr(c)}; return c.")
    shapes = {spec.name: spec.shape for spec in c.weight_specs}
    expect(
        "ab" in shapes,
        "the circuit has no weights named 'ab': declare ab = c.weights('ab', (2,)) and use "
        "c.ry(1, ab[0] * x[0] + ab[1]).",
    )
    ref = reference_trainable_encoding()
    want = {spec.name: spec.shape for spec in ref.weight_specs}
    expect(
        shapes == want,
        f"the circuit's weights are {shapes}, but should be {want}: keep theta and scale of "
        "section 2 and add ab of shape (2,).",
    )
    expect(
        (c.n_qubits, c.n_inputs, len(c.observables)) == (2, 1, 1),
        f"the circuit has {c.n_qubits} qubits, {c.n_inputs} inputs and {len(c.observables)} "
        "measurements; section 2's has 2, 1 and 1 (⟨Z0⟩).",
    )
    gen = torch.Generator().manual_seed(0)
    weights = {n: torch.rand(s, generator=gen, dtype=F64) * 2 * math.pi for n, s in want.items()}
    x = torch.linspace(-math.pi, math.pi, 25, dtype=F64)[:, None]
    theirs = c.module(dtype=F64, device="cpu")
    ours = _outputs(ref.module(dtype=F64, device="cpu"), weights, x)
    got = _outputs(theirs, weights, x)
    moved = _outputs(theirs, {**weights, "ab": weights["ab"] + 0.5}, x)
    expect(
        not torch.allclose(got, moved),
        "changing ab does not change the output: use it in the angle on wire 1, "
        "c.ry(1, ab[0] * x[0] + ab[1]), in both layers.",
    )
    try:
        assert_close(got, ours, atol=1e-8, what="the circuit's output")
    except CheckFailed as err:
        raise CheckFailed(
            f"{err} Keep everything of section 2 and change only the angle on wire 1, in both "
            "layers: c.ry(1, ab[0] * x[0] + ab[1])."
        ) from None
    return (
        f"the encoding on wire 1 is now trainable: {c.n_weights} parameters (2 more), and the "
        "circuit computes what section 2's computes when ab = (2, 0.1)."
    )


# --------------------------------------------------------------------------------------------
# Exercise 5: cross-check a circuit of your own against PennyLane


class _Mutant(nn.Module):
    """A model that differs from its PennyLane twin: its values by ``shift``, or (with the same
    values) its gradients by ``grad_shift`` per output entry and parameter entry."""

    def __init__(self, model: CircuitModule, shift: float = 0.0, grad_shift: float = 0.0):
        super().__init__()
        self.model = model
        self.shift, self.grad_shift = shift, grad_shift

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        out = self.model(inputs)
        total = sum(p.sum() for p in self.model.parameters())
        return out + self.shift + self.grad_shift * (total - total.detach())

    def to_pennylane(self, device=None):
        return self.model.to_pennylane(device)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["model"], name)


def _pair(value: Any, label: str) -> tuple[float, float]:
    if not (isinstance(value, tuple | list) and len(value) == 2):
        fail(f"{label} returned {short_repr(value)}; return two numbers (value_diff, grad_diff).")
    out = []
    for v, name in zip(value, ("value_diff", "grad_diff"), strict=True):
        t = to_tensor(v, f"{name} of {label}")
        expect(t.numel() == 1, f"{name} of {label} has {t.numel()} entries; return its maximum.")
        number = t.item()
        expect(math.isfinite(number), f"{name} of {label} is {number}; it should be finite.")
        out.append(abs(number))
    return out[0], out[1]


def _is_plain_input(angle) -> bool:
    (t,) = angle.terms
    return angle.const == 0 and t.coeff == 1 and t.weight is None


@check
def ex5(my_circuit, max_differences) -> str:
    """``my_circuit()`` -> a :class:`~qlearn.sim.Circuit` with ``c.isingzz``, ``c.crx``, ``c.h``,
    an affine input angle, weights and a measurement; ``max_differences(model, x)`` -> the largest
    differences ``(value_diff, grad_diff)`` between ``model`` and ``model.to_pennylane()``."""
    c = call(my_circuit, label="my_circuit()")
    expect(isinstance(c, Circuit), f"my_circuit() returned {short_repr(c)}; return the Circuit c.")
    names = {op.name for op in c.ops}
    missing = [
        m
        for m, g in (("c.isingzz", "IsingZZ"), ("c.crx", "CRX"), ("c.h", "Hadamard"))
        if g not in names
    ]
    expect(
        not missing,
        f"my_circuit() does not use {', '.join(missing)}: the point is to test "
        "gates that the reference workload does not use.",
    )
    affine = any(
        a.uses_input and not (len(a.terms) == 1 and _is_plain_input(a))
        for op in c.ops
        for a in op.angles
    )
    expect(
        affine,
        "no angle of my_circuit() is an affine function of an input; use one such as "
        "c.ry(0, 0.5 * x[0] - 1) with x = c.inputs(1).",
    )
    expect(
        c.n_weights > 0,
        "my_circuit() has no trainable weights (c.weights), so there are no gradients to compare.",
    )
    expect(c.observables, "my_circuit() measures nothing; add e.g. c.expval('Z', 0).")

    gen = torch.Generator().manual_seed(0)
    x = torch.rand(8, c.n_inputs, generator=gen, dtype=F64) * math.pi
    model = c.module(dtype=F64, device="cpu", seed=0)
    label = "max_differences(model, x)"
    value_diff, grad_diff = _pair(call(max_differences, model, x, label=label), label)
    expect(
        value_diff < 1e-8 and grad_diff < 1e-8,
        f"{label} reports differences {value_diff:.2g} (values) and {grad_diff:.2g} (gradients) "
        "for your circuit in float64, where both are rounding-sized (below 1e-8). Compare "
        "model(x) with twin(x), twin = model.to_pennylane(), and their gradients with respect "
        "to the same parameters.",
    )
    v, _ = _pair(call(max_differences, _Mutant(model, shift=1e-3), x, label=label), label)
    expect(
        v > 1e-6,
        f"{label} missed a model whose values differ from its PennyLane twin by 1e-3 (it "
        f"reported {v:.2g}): return the largest |model(x) − twin(x)|.",
    )
    _, g = _pair(call(max_differences, _Mutant(model, grad_shift=1e-3), x, label=label), label)
    expect(
        g > 1e-6,
        f"{label} missed a model with the right values but gradients off by 1e-3 (it reported "
        f"{g:.2g}): differentiate the same scalar (say the sum of the outputs) through model(x) "
        "and through twin(x) with respect to every parameter, and compare.",
    )
    model32 = c.module(dtype=torch.float32, device="cpu", seed=0)
    v32, g32 = _pair(call(max_differences, model32, x.float(), label=label), label)
    return (
        f"your circuit agrees with PennyLane to {max(value_diff, grad_diff):.1e} in float64, and "
        "your cross-check catches wrong values and wrong gradients. In float32 the largest "
        f"differences are {v32:.1e} (values) and {g32:.1e} (gradients): single precision keeps "
        "about 7 digits."
    )
