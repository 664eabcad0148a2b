r"""Symbolic gate angles for the circuit IR.

An :class:`Angle` is a constant plus a sum of terms, each a coefficient times at most one
trainable weight and at most one input feature:

.. math:: \theta = c_0 + \sum_t c_t\, w_{i_t}\, x_{j_t}

which covers every angle a re-uploading circuit needs: constants, inputs :math:`x_j`, weights
:math:`w_i`, affine mixes :math:`a x + b`, and trainable input scalings :math:`w \cdot x + b`
(Pérez-Salinas et al.). Angles are built with ordinary arithmetic on the references returned by
:meth:`Circuit.inputs <qlearn.sim.Circuit.inputs>` and :meth:`Circuit.weights
<qlearn.sim.Circuit.weights>`.

Example:
    >>> from qlearn.sim import Circuit
    >>> c = Circuit(1)
    >>> x, w = c.inputs(2), c.weights("w", (2,))
    >>> 0.5 * x[0] + 1
    Angle(1 + 0.5·x[0])
    >>> w[1] * x[1] - w[0]
    Angle(w[1]·x[1] - w[0])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Real

import torch

Tensor = torch.Tensor


@dataclass(frozen=True)
class Term:
    """``coeff · weight[weight_index] · x[input_index]``; either index may be ``None``."""

    coeff: float
    weight: int | None = None  # flat index into all of the circuit's weights
    input: int | None = None  # feature index
    label: str | None = field(default=None, compare=False)  # display name of the weight


@dataclass(frozen=True)
class WeightSpec:
    """A named weight tensor of a circuit: its shape and where it sits in the flat vector."""

    name: str
    shape: tuple[int, ...]
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def flat_name(self, flat: int) -> str:
        idx = []
        rest = flat - self.offset
        for dim in reversed(self.shape):
            idx.append(rest % dim)
            rest //= dim
        return f"{self.name}[{', '.join(map(str, reversed(idx)))}]" if self.shape else self.name


class Angle:
    """A symbolic angle ``const + Σ coeff·w·x`` (see the module docstring)."""

    __slots__ = ("const", "terms")

    def __init__(self, const: float = 0.0, terms: Sequence[Term] = ()):
        if not math.isfinite(const):
            raise ValueError(f"angle={const!r} is not finite; gate angles must be finite numbers.")
        merged: dict[tuple, Term] = {}
        for t in terms:
            old = merged.get((t.weight, t.input))
            merged[(t.weight, t.input)] = (
                t if old is None else Term(old.coeff + t.coeff, t.weight, t.input, t.label)
            )
        self.const = float(const)
        self.terms = tuple(t for t in merged.values() if t.coeff != 0.0)

    # ---- arithmetic -------------------------------------------------------------------------
    @staticmethod
    def lift(value: Angle | Real | Tensor) -> Angle:
        """Turn a number (or 0-d tensor) into a constant angle; leave angles as they are."""
        if isinstance(value, Angle):
            return value
        if isinstance(value, Tensor):
            if value.numel() != 1:
                raise ValueError(
                    f"angle of shape {tuple(value.shape)} is not a scalar; use c.inputs() for "
                    "per-sample angles and c.weights() for trainable ones."
                )
            if value.requires_grad:
                raise ValueError(
                    "angle is a tensor that requires grad; declare trainable angles with "
                    "c.weights(name, shape) so that the compiled module owns them."
                )
            value = value.item()
        if isinstance(value, Real):
            return Angle(float(value))
        raise TypeError(
            f"angle={value!r} has type {type(value).__name__}; use a number, an input x[i], "
            "a weight w[...], or an expression of them such as 2 * x[0] + w[1]."
        )

    def __add__(self, other) -> Angle:
        o = Angle.lift(other)
        return Angle(self.const + o.const, self.terms + o.terms)

    __radd__ = __add__

    def __neg__(self) -> Angle:
        return self * -1.0

    def __sub__(self, other) -> Angle:
        return self + (-Angle.lift(other))

    def __rsub__(self, other) -> Angle:
        return Angle.lift(other) + (-self)

    def __mul__(self, other) -> Angle:
        o = Angle.lift(other)
        if not o.terms:
            return Angle(
                self.const * o.const,
                [Term(t.coeff * o.const, t.weight, t.input, t.label) for t in self.terms],
            )
        if not self.terms:
            return o * self.const
        terms = [Term(self.const * t.coeff, t.weight, t.input, t.label) for t in o.terms]
        terms += [Term(o.const * t.coeff, t.weight, t.input, t.label) for t in self.terms]
        for a in self.terms:
            for b in o.terms:
                if (a.weight is not None and b.weight is not None) or (
                    a.input is not None and b.input is not None
                ):
                    raise ValueError(
                        f"angle {self!r} * {o!r} multiplies two weights or two inputs; an angle "
                        "may contain products weight·input only (e.g. w[0] * x[0] + w[1])."
                    )
                w = a.weight if a.weight is not None else b.weight
                x = a.input if a.input is not None else b.input
                label = a.label if a.weight is not None else b.label
                terms.append(Term(a.coeff * b.coeff, w, x, label))
        return Angle(self.const * o.const, terms)

    __rmul__ = __mul__

    def __truediv__(self, other) -> Angle:
        if not isinstance(other, Real) or other == 0:
            raise ValueError(f"an angle can only be divided by a non-zero number, not {other!r}.")
        return self * (1.0 / float(other))

    # ---- inspection -------------------------------------------------------------------------
    @property
    def uses_input(self) -> bool:
        """Whether the angle depends on a per-sample input (then it differs per batch row)."""
        return any(t.input is not None for t in self.terms)

    def inputs(self) -> set[int]:
        return {t.input for t in self.terms if t.input is not None}

    def evaluate(self, inputs: Tensor | None, weights: Tensor | None) -> Tensor | float:
        """Value for inputs ``(B, d)`` (or one sample ``(d,)``) and the flat weight vector.

        Returns a float for a constant angle, a 0-d tensor for one that depends on weights only,
        and a ``(B,)`` tensor (0-d for one sample) when it depends on inputs.
        """
        value: Tensor | float = self.const
        for t in self.terms:
            term: Tensor | float = t.coeff
            if t.weight is not None:
                term = term * weights[t.weight]
            if t.input is not None:
                term = term * inputs[..., t.input]
            value = value + term
        return value

    def __repr__(self) -> str:
        parts = [] if self.const == 0 and self.terms else [f"{self.const:g}"]
        for t in self.terms:
            sym = []
            if t.weight is not None:
                sym.append(t.label or f"w{t.weight}")
            if t.input is not None:
                sym.append(f"x[{t.input}]")
            body = "·".join(sym)
            mag = abs(t.coeff)
            text = body if mag == 1 else f"{mag:g}·{body}"
            sign = "-" if t.coeff < 0 else "+"
            parts.append(f"{sign} {text}" if parts else (f"-{text}" if t.coeff < 0 else text))
        return f"Angle({' '.join(parts)})"


class InputRef:
    """The per-sample inputs of a circuit: ``x[j]`` is the angle of feature ``j``."""

    def __init__(self, offset: int, size: int):
        self.offset, self.size = offset, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, j: int) -> Angle:
        if not isinstance(j, int) or not -self.size <= j < self.size:
            raise IndexError(f"input index {j!r} is out of range for {self.size} inputs.")
        return Angle(0.0, (Term(1.0, None, self.offset + j % self.size),))

    def __iter__(self):
        return (self[j] for j in range(self.size))


class WeightRef:
    """A (sub-)tensor of a circuit's trainable weights; full indexing gives an :class:`Angle`."""

    def __init__(self, spec: WeightSpec, prefix: tuple[int, ...] = ()):
        self.spec, self.prefix = spec, prefix

    @property
    def shape(self) -> tuple[int, ...]:
        return self.spec.shape[len(self.prefix) :]

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index) -> WeightRef | Angle:
        index = index if isinstance(index, tuple) else (index,)
        full = self.prefix + tuple(index)
        shape = self.spec.shape
        if len(full) > len(shape) or not all(isinstance(i, int) for i in index):
            raise IndexError(
                f"weights {self.spec.name!r} have shape {shape}; index them with at most "
                f"{len(shape)} integers, not {full}."
            )
        for i, (k, dim) in enumerate(zip(full, shape, strict=False)):
            if not -dim <= k < dim:
                raise IndexError(
                    f"index {k} is out of range for axis {i} of weights {self.spec.name!r} "
                    f"with shape {shape}."
                )
        full = tuple(k % dim for k, dim in zip(full, shape, strict=False))
        if len(full) < len(shape):
            return WeightRef(self.spec, full)
        flat, stride = self.spec.offset, 1
        for k, dim in zip(reversed(full), reversed(shape), strict=True):
            flat += k * stride
            stride *= dim
        return Angle(0.0, (Term(1.0, flat, None, self.spec.flat_name(flat)),))

    def angle(self) -> Angle:
        """The angle of a scalar (0-d) weight."""
        if self.shape:
            raise IndexError(f"weights {self.spec.name!r} are not a scalar; index them first.")
        return Angle(0.0, (Term(1.0, self.spec.offset, None, self.spec.name),))
