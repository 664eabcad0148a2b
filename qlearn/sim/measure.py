r"""Measurements on amplitude-major states ``psi`` of shape ``(2^n, B)``.

**Pauli words.** A word :math:`P = \bigotimes_w \sigma_w` flips the bits of its X and Y wires
(mask :math:`m`) and multiplies by a phase, so
:math:`(P\psi)_k = (-i)^{n_Y} s(k)\, \psi_{k \oplus m}` with :math:`s(k) = \prod_{w \in Y\cup Z}
z_w(k)`, :math:`z_w = \pm 1`. Hence

.. math:: \langle P \rangle = \mathrm{Re}\Big[(-i)^{n_Y} \sum_k s(k)\, \overline{\psi_k}\,
          \psi_{k\oplus m}\Big],

one gather and one real matrix product per distinct mask, for all words sharing it. Words made
only of Z (mask 0) reduce to ``signs @ |psi|^2``.

A word is written as a string of letters and a tuple of wires (``"XY"`` on ``(1, 2)``), or as
one string with wires (``"X1 Y2"``, ``"Z0"``); :func:`parse_word` accepts both.

Example:
    >>> import torch
    >>> from qlearn.sim.measure import expval_words
    >>> psi = torch.tensor([[1.0], [1.0]], dtype=torch.complex128) / 2**0.5   # |+>
    >>> expval_words(psi, [((0, "X"),), ((0, "Z"),)], n_qubits=1)
    tensor([[1.0000],
            [0.0000]], dtype=torch.float64)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import torch

Tensor = torch.Tensor
#: A Pauli word: ``((wire, letter), ...)`` with letters in ``"XYZ"``, sorted by wire.
Word = tuple[tuple[int, str], ...]

_TOKEN = re.compile(r"^([IXYZ])(\d+)$")


def parse_word(
    word: str, wires: int | Sequence[int] | None = None, n_qubits: int | None = None
) -> Word:
    """Turn ``("XY", (1, 2))``, ``("Z", 0)`` or ``"X1 Y2"`` into a :data:`Word`.

    Identity letters are dropped. Raises ``ValueError`` naming the bad part.

    Example:
        >>> parse_word("XY", (1, 2))
        ((1, 'X'), (2, 'Y'))
        >>> parse_word("Z0 X3")
        ((0, 'Z'), (3, 'X'))
    """
    if wires is None:
        pairs = []
        for token in word.replace("@", " ").split():
            match = _TOKEN.match(token)
            if not match:
                raise ValueError(
                    f"word={word!r}: token {token!r} is not a Pauli letter followed by a wire; "
                    "write e.g. 'Z0' or 'X1 Y2', or pass the wires separately: ('XY', (1, 2))."
                )
            pairs.append((int(match.group(2)), match.group(1)))
    else:
        wires = (wires,) if isinstance(wires, int) else tuple(int(w) for w in wires)
        letters = word.replace(" ", "")
        if len(letters) != len(wires):
            raise ValueError(
                f"word={word!r} has {len(letters)} letters but wires={wires} has {len(wires)}; "
                "give one Pauli letter per wire."
            )
        bad = [c for c in letters if c not in "IXYZ"]
        if bad:
            raise ValueError(f"word={word!r} contains {bad[0]!r}; use only I, X, Y and Z.")
        pairs = list(zip(wires, letters, strict=True))
    seen = [w for w, _ in pairs]
    if len(set(seen)) != len(seen):
        raise ValueError(f"word={word!r} names a wire twice ({seen}); use each wire once.")
    if n_qubits is not None:
        for w, _ in pairs:
            if not 0 <= w < n_qubits:
                raise ValueError(
                    f"wire={w} in word={word!r} is out of range for n_qubits={n_qubits}; "
                    f"use wires 0..{n_qubits - 1}."
                )
    return tuple(sorted((w, c) for w, c in pairs if c != "I"))


def word_to_str(word: Word) -> str:
    """``((0, 'Z'), (1, 'X'))`` -> ``"Z0 X1"`` (``"I"`` for the identity)."""
    return " ".join(f"{c}{w}" for w, c in word) or "I"


@functools.lru_cache(maxsize=256)
def _signs(words: tuple[Word, ...], n_qubits: int, device: torch.device) -> Tensor:
    k = torch.arange(2**n_qubits, device=device)
    rows = []
    for word in words:
        s = torch.ones(2**n_qubits, dtype=torch.float64, device=device)
        for w, c in word:
            if c in "YZ":
                s = s * (1 - 2 * ((k >> (n_qubits - 1 - w)) & 1)).to(torch.float64)
        rows.append(s)
    return torch.stack(rows)


def _mask(word: Word, n_qubits: int) -> int:
    return sum(1 << (n_qubits - 1 - w) for w, c in word if c in "XY")


def expval_words(psi: Tensor, words: Sequence[Word], n_qubits: int) -> Tensor:
    """Expectation values of Pauli words: ``(n_words, B)`` real."""
    real = torch.float64 if psi.dtype == torch.complex128 else torch.float32
    out: list[Tensor | None] = [None] * len(words)
    groups: dict[int, list[int]] = {}
    for i, word in enumerate(words):
        groups.setdefault(_mask(word, n_qubits), []).append(i)
    for mask, members in groups.items():
        signs = _signs(tuple(words[i] for i in members), n_qubits, psi.device).to(real)
        if mask == 0:
            values = signs @ (psi.real**2 + psi.imag**2)
            for row, i in enumerate(members):
                out[i] = values[row]
            continue
        src = torch.arange(2**n_qubits, device=psi.device) ^ mask
        t = psi.conj() * psi.index_select(0, src)
        re_part, im_part = signs @ t.real, signs @ t.imag
        for row, i in enumerate(members):
            n_y = sum(c == "Y" for _, c in words[i]) % 4
            out[i] = (re_part[row], im_part[row], -re_part[row], -im_part[row])[n_y]
    return torch.stack(out)  # type: ignore[arg-type]


#: An observable: a weighted sum of Pauli words, ``((coeff, word), ...)``.
Observable = tuple[tuple[complex | float | Tensor, Word], ...]


def is_diagonal(observable: Observable) -> bool:
    """Whether an observable is made of Z and identity only (diagonal in the basis)."""
    return all(c == "Z" for _, word in observable for _, c in word)


def diagonal_matrix(
    observables: Sequence[Observable], n_qubits: int, device: torch.device
) -> Tensor | None:
    r"""``D`` of shape ``(n_observables, 2^n)`` with :math:`\langle O_o\rangle = \sum_k D_{ok}
    |\psi_k|^2`, for diagonal observables with number coefficients (else None).

    Example:
        >>> diagonal_matrix([((1.0, ((0, "Z"),)),)], 1, torch.device("cpu"))
        tensor([[ 1., -1.]], dtype=torch.float64)
    """
    if not all(is_diagonal(o) for o in observables):
        return None
    rows = []
    for obs in observables:
        row = torch.zeros(2**n_qubits, dtype=torch.float64, device=device)
        for coeff, word in obs:
            if isinstance(coeff, Tensor):
                return None
            row = (
                row
                + (coeff.real if isinstance(coeff, complex) else coeff)
                * _signs((word,), n_qubits, device)[0]
            )
        rows.append(row)
    return torch.stack(rows)


def expval_observables(psi: Tensor, observables: Sequence[Observable], n_qubits: int) -> Tensor:
    """Expectation values of sums of Pauli words: ``(n_observables, B)`` real."""
    words = sorted({word for obs in observables for _, word in obs})
    if not words:
        return psi.real.new_zeros(len(observables), psi.shape[1])
    index = {w: i for i, w in enumerate(words)}
    values = expval_words(psi, words, n_qubits)
    rows = []
    for obs in observables:
        total = 0.0
        for coeff, word in obs:
            c = coeff.real if isinstance(coeff, complex) else coeff
            total = total + c * values[index[word]]
        rows.append(
            total if isinstance(total, Tensor) else values.new_full(values.shape[1:], total)
        )
    return torch.stack(rows)


def probs(psi: Tensor, wires: Sequence[int] | None, n_qubits: int) -> Tensor:
    """Probabilities of the basis states of ``wires`` (in the given order): ``(2^k, B)``."""
    p = psi.real**2 + psi.imag**2
    if wires is None or list(wires) == list(range(n_qubits)):
        return p
    check_wires(wires, n_qubits)
    wires = list(wires)
    batch = psi.shape[1]
    t = p.reshape([2] * n_qubits + [batch])
    others = [w for w in range(n_qubits) if w not in wires]
    if others:
        t = t.sum(dim=others)
    # remaining axes are the kept wires in increasing order; reorder to the requested order
    order = sorted(wires)
    t = t.permute([order.index(w) for w in wires] + [len(wires)])
    return t.reshape(2 ** len(wires), batch)


def check_wires(wires: Sequence[int], n_qubits: int) -> None:
    """Raise a ``ValueError`` naming ``wires`` if one is out of range or repeated."""
    shown = list(wires)
    bad = [w for w in wires if not isinstance(w, int) or not 0 <= w < n_qubits]
    if bad:
        raise ValueError(
            f"wires={shown} contains {bad[0]!r}, out of range for n_qubits={n_qubits}; "
            f"use wires 0..{n_qubits - 1}."
        )
    if len(set(wires)) != len(shown):
        raise ValueError(f"wires={shown} repeats a wire; list each wire once.")


def sample_indices(p: Tensor, shots: int, seed: int | None) -> Tensor:
    """Draw ``shots`` basis-state indices per row from batch-first probabilities ``(B, 2^k)``.

    The draw uses its own ``torch.Generator`` on the CPU, so the same seed gives the same samples
    on every device. Returns ``(B, shots)`` int64.
    """
    if not isinstance(shots, int) or shots < 1:
        raise ValueError(f"shots={shots!r} must be a positive integer number of measurements.")
    if seed is None:  # follow torch's global generator (torch.manual_seed), never reseed it
        seed = int(torch.randint(0, 2**62, (1,)).item())
    gen = torch.Generator(device="cpu")
    gen.manual_seed(int(seed))
    p_cpu = p.detach().to("cpu", torch.float64).clamp_min(0)
    idx = torch.multinomial(p_cpu, shots, replacement=True, generator=gen)
    return idx.to(p.device)


def indices_to_bits(idx: Tensor, n_bits: int) -> Tensor:
    """Basis-state indices to bit strings (wire 0 first): ``(..., n_bits)`` int64."""
    shifts = torch.arange(n_bits - 1, -1, -1, device=idx.device)
    return (idx[..., None] >> shifts) & 1
