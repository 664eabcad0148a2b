"""Speed of the qlearn simulator against PennyLane's default.qubit, measured in one run.

Workload (the book's reference): a data re-uploading circuit, per layer StronglyEntanglingLayers
then RZ(x_q) on every qubit, <Z_q> on every qubit, batch 1024, float64 on both sides; one step
is a forward pass plus a backward pass. Three backends run the same step on the same inputs and
weights:

  pennylane   qml.execute on default.qubit (backprop, parameter broadcasting)
  execute     the same tape through qlearn.sim.execute
  module      the same circuit as a compiled qlearn.sim.CircuitModule

It prints the best time of each, the ratios, and whether they meet the targets (>= 20x at
n=8, L=8 and >= 5x at n=4, L=4 on a 2-core CPU). The backends take turns for several rounds
(in each: a warm-up step, then --repeats timed steps per backend), and the best of all rounds
counts: on a shared machine the load comes and goes, and a PennyLane step takes seconds of
repeats where ours take a fraction of one, so timing the backends one after the other lets a
busy spell fall on one of them only.

    python bench/sim_vs_pennylane.py                 # the two target sizes
    python bench/sim_vs_pennylane.py --sizes 2x2,6x6 --repeats 5 --rounds 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import warnings

import torch
from _common import add_common_arguments, cpu_name, parse

from qlearn.sim.benchmark import compare, losses

TARGETS = {(8, 8): 20.0, (4, 4): 5.0}


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        n, _, layers = part.partition("x")
        sizes.append((int(n), int(layers)))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4x4,8x8", help="n_qubits x n_layers, comma separated")
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of turns (best is kept)")
    add_common_arguments(parser, dtype=False)
    args = parse(parser)
    warnings.filterwarnings("ignore")
    print(
        f"CPU: {cpu_name()} ({os.cpu_count()} cores), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; batch {args.batch}, float64, forward + backward"
    )
    rows = []
    for n, layers in parse_sizes(args.sizes):
        check = losses(n, layers, batch=16)
        spread = max(check.values()) - min(check.values())
        times = compare(n, layers, args.batch, repeats=args.repeats, rounds=args.rounds)
        ratio = {b: times["pennylane"] / times[b] for b in ("execute", "module")}
        target = TARGETS.get((n, layers))
        verdict = (
            ""
            if target is None
            else ("meets target" if min(ratio.values()) >= target else "BELOW target")
        )
        print(
            f"n={n} L={layers}: pennylane {times['pennylane'] * 1e3:8.1f} ms | "
            f"execute {times['execute'] * 1e3:7.1f} ms ({ratio['execute']:5.1f}x) | "
            f"module {times['module'] * 1e3:7.1f} ms ({ratio['module']:5.1f}x)"
            + (f" | target {target:g}x: {verdict}" if target else "")
            + f" | losses agree to {spread:.1e}"
        )
        rows.append(
            {
                "n_qubits": n,
                "n_layers": layers,
                "batch": args.batch,
                "rounds": args.rounds,
                "repeats": args.repeats,
                "seconds": times,
                "ratio": ratio,
                "target": target,
                "loss_spread": spread,
            }
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"cpu": cpu_name(), "threads": torch.get_num_threads(), "rows": rows}, f, indent=2
            )


if __name__ == "__main__":
    main()
