r"""Checks for the chapter 5 exercises (``exercises/ch05_exercises.ipynb``).

=====  ==========================================  ===========================================
check  the student writes                          what it verifies
=====  ==========================================  ===========================================
ex1    ``qru_parameters(F, H, L, g_layer,          the parameter count of a QRU, against
       g_block, classifier)``                      :func:`qlearn.models.qru.qru_parameter_count`
                                                   and the paper's 72, 35 and 132
ex2    ``forget_expectation(theta, phi)``          :math:`\langle Z\rangle` of a hidden qubit
                                                   after a controlled swap with a fresh
                                                   ancilla, against the simulator
ex3    ``my_forecast(model, context, n_steps)``    an autoregressive forecast with
                                                   ``model.step``, against
                                                   :func:`qlearn.models.forecast` on a QRU and
                                                   a GRU
=====  ==========================================  ===========================================

Example:
    >>> from qlearn import checks
    >>> checks.ch05.ex1(lambda F, H, L, g_layer, g_block, classifier: 2 * F + 4 * H)
    ❌ ch05.ex1 failed: qru_parameters(1, 5, 4, 2, 2, False) = 22, but the QRU has 72 parameters: the paper's oscillation model. Count the encodings (2 per feature and 2 per hidden value), the block gate, L layers of g_layer angles on every data and hidden qubit, and the scale of a classifier.
"""  # noqa: E501

from __future__ import annotations

import math

import torch

from qlearn.checks import assert_close, call, check, expect, fail, to_tensor
from qlearn.models import QRU, GRUNet, forecast
from qlearn.models.qru import qru_parameter_count
from qlearn.sim import Circuit

F64 = torch.float64

__all__ = ["ex1", "ex2", "ex3"]

_GATES = {1: "rx", 2: "u2", 3: "rot"}


# --------------------------------------------------------------------------------------------
# Exercise 1: counting a QRU's parameters

#: (F, H, L, g_layer, g_block, classifier, what)
EX1_CASES = (
    (1, 5, 4, 2, 2, False, "the paper's oscillation model"),
    (1, 4, 3, 1, 1, True, "the paper's WDBC model"),
    (8, 4, 4, 3, 3, True, "the paper's MNIST model"),
    (3, 2, 2, 3, 1, False, "F = 3 features (an odd number)"),
    (5, 3, 1, 1, 2, True, "F = 5, H = 3, one layer"),
    (2, 6, 5, 2, 3, False, "H = 6 hidden qubits, five U2 layers"),
)


def _truth(F, H, L, g_layer, g_block, classifier) -> int:
    return qru_parameter_count(
        F, H, L, layer_gates=_GATES[g_layer], block_gate=_GATES[g_block],
        head="binary" if classifier else "sequence",
    )["total"]  # fmt: skip


@check
def ex1(qru_parameters):
    """Exercise 1: ``qru_parameters(F, H, L, g_layer, g_block, classifier)`` -> an int."""
    for F, H, L, g_layer, g_block, classifier, what in EX1_CASES:
        args = (F, H, L, g_layer, g_block, classifier)
        label = f"qru_parameters{args}"
        got = call(qru_parameters, *args, label=label)
        expect(isinstance(got, int | float) and not isinstance(got, bool) and float(got) ==
               int(got), f"{label} returned {got!r}; return a whole number.")  # fmt: skip
        got, want = int(got), _truth(*args)
        if got == want:
            continue
        d = math.ceil(F / 2)
        hints = {
            want + (F - d) * L * g_layer: "every data qubit carries two features "
            "(RX and RY), so there are ceil(F/2) data qubits, not F",
            want + 2 * L * g_layer: "the layers act on the data and hidden qubits only: the two "
            "ancillas get no trainable gates",
            want - 2 * H: "each hidden qubit carries two values (its ⟨Z⟩ and its ⟨X⟩), each "
            "with a weight and a bias: 4 parameters per hidden qubit",
            want - g_block: "the gate between the two controlled swaps is trainable too",
            want - int(classifier): "a classifier has one more parameter, the trainable scale s "
            "of its logits",
        }
        hint = hints.get(got, "Count the encodings (2 per feature and 2 per hidden value), the "
                         "block gate, L layers of g_layer angles on every data and hidden qubit, "
                         "and the scale of a classifier")  # fmt: skip
        fail(f"{label} = {got}, but the QRU has {want} parameters: {what}. {hint[0].upper()}"
             f"{hint[1:]}.")  # fmt: skip
    for F in (1, 8, 30):
        want = QRU(F, 3, 2, layer_gates="u2", block_gate="rot").n_parameters
        got = int(call(qru_parameters, F, 3, 2, 2, 3, False, label="qru_parameters"))
        expect(got == want, f"qru_parameters({F}, 3, 2, 2, 3, False) = {got}, but "
               f"QRU({F}, 3, 2, ...).n_parameters = {want}.")  # fmt: skip
    return (
        "2F + 4H + g_block + L·g_layer·(ceil(F/2) + H) (+1 for a classifier): 72, 35 and "
        "132 for the paper's models, whatever the sequence length."
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: the controlled swap as a "forget"

EX2_ANGLES = [(0.0, 0.0), (1.0, 0.0), (0.7, math.pi), (2.0, 1.2), (math.pi, math.pi / 2),
              (2.5, 2.9), (0.3, -1.1)]  # fmt: skip


def _simulated(theta: float, phi: float) -> float:
    """⟨Z⟩ of the hidden qubit (wire 1) after CSWAP(control 0; 1 ↔ 2), ancilla in |0⟩."""
    c = Circuit(3)
    c.ry(0, phi)
    c.ry(1, theta)
    c.cswap(0, 1, 2)
    c.expval("Z", 1)
    return float(c.module(dtype=F64, device="cpu")()[0, 0])


@check
def ex2(forget_expectation):
    """Exercise 2: ``forget_expectation(theta, phi)`` -> ⟨Z⟩ of the hidden qubit."""
    for theta, phi in EX2_ANGLES:
        label = f"forget_expectation({theta:.3g}, {phi:.3g})"
        got = to_tensor(call(forget_expectation, theta, phi, label=label), label)
        expect(got.numel() == 1, f"{label} has {got.numel()} numbers; return one, ⟨Z⟩.")
        want = _simulated(theta, phi)
        value = float(got.reshape(-1)[0].real)
        if abs(value - want) < 1e-6:
            continue
        p = math.sin(phi / 2) ** 2
        if abs(value - math.cos(theta)) < 1e-6:
            fail(f"{label} = cos θ = {value:.4f}, as if nothing happened, but the simulator "
                 f"gives {want:.4f}: with probability sin²(φ/2) = {p:.3f} the control is |1⟩ "
                 "and the hidden qubit is swapped for the ancilla's |0⟩.")  # fmt: skip
        if abs(value - ((1 - p) * math.cos(theta) - p)) < 1e-6:
            fail(f"{label} = {value:.4f}: the swapped-in ancilla is |0⟩, whose ⟨Z⟩ is +1, not "
                 "−1.")  # fmt: skip
        if abs(value - (p * math.cos(theta) + (1 - p))) < 1e-6:
            fail(f"{label} = {value:.4f}: the probability that RY(φ)|0⟩ is measured as |1⟩ is "
                 "sin²(φ/2), not cos²(φ/2).")  # fmt: skip
        assert_close(value, want, atol=1e-6, what=label)
    return (
        "⟨Z⟩ = cos²(φ/2)·cos θ + sin²(φ/2): the control decides how much of the hidden "
        "value is kept and how much is replaced by the fresh |0⟩ (⟨Z⟩ = 1); a quantum, "
        "input-controlled 'forget'."
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: an autoregressive forecast with model.step


def _models():
    yield "a QRU", QRU(1, 2, 1, layer_gates="u2", block_gate="u2", seed=3, dtype=F64,
                       device="cpu")  # fmt: skip
    yield "a GRU", GRUNet(1, 3, 1, seed=1, dtype=F64, device="cpu")


@check
def ex3(my_forecast):
    """Exercise 3: ``my_forecast(model, context, n_steps)`` -> ``(B, n_steps)``."""
    gen = torch.Generator().manual_seed(0)
    context = torch.rand(2, 6, 1, dtype=F64, generator=gen) - 0.5
    for what, model in _models():
        for n in (1, 4):
            label = f"my_forecast({what}, context (2, 6, 1), {n})"
            with torch.no_grad():
                got = to_tensor(call(my_forecast, model, context.clone(), n, label=label), label)
                want = forecast(model, context, n)
                preds = model(context)
            expect(tuple(got.shape) == (2, n), f"{label} has shape {tuple(got.shape)}; return "
                   f"one row per sequence and one column per forecast step: (2, {n}).")  # fmt: skip
            got = got.to(F64)
            if n > 1 and torch.allclose(got[:, 0], want[:, 0], atol=1e-8):
                stepped = torch.allclose(got[:, 1], want[:, 1], atol=1e-8)
                expect(stepped, f"{label}: the first step is right but the second is not; feed "
                       "each prediction back as the next input and keep the state from the step "
                       "before (do not start again from initial_state).")  # fmt: skip
            if torch.allclose(got[:, 0], context[:, -1, 0], atol=1e-8):
                fail(f"{label} starts with the last context value; the first forecast is the "
                     "model's prediction after reading the whole context.")  # fmt: skip
            if preds.ndim == 2 and torch.allclose(got[:, 0], preds[:, -2], atol=1e-8):
                fail(f"{label} is one step early: read every context value (including the last "
                     "one) before the first prediction.")  # fmt: skip
            assert_close(got, want, atol=1e-8, what=label)
    return (
        "read the context step by step, then feed each prediction back: the recurrent state "
        "carries everything the model knows about the past, for a QRU (its ⟨Z⟩, ⟨X⟩ "
        "hidden values) as for a GRU."
    )
