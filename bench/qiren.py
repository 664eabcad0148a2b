"""One training epoch of QIREN, our simulator against its PennyLane twin, in one run.

Workloads (full batch, as the experiments train): the reference QIREN (width 8, 2 hidden
layers, L = K = 2) fitting

  signal   a 1000-point 1-D signal (qlearn.data.audio_like_signal), 649 parameters
  image    a 32x32 image (qlearn.data.camera_image), 2-D coordinates, 657 parameters

One epoch is a forward pass, the MSE, a backward pass and an Adam step. The twin is
``QIREN.pennylane_twin()``: the same network whose circuits are PennyLane TorchLayers on
``default.qubit`` (backprop, parameter broadcasting). The two take turns; the best time of
``--repeats`` is kept, and the ratio (PennyLane / ours) is printed.

    python bench/qiren.py                   # CPU, float32 (as training), 3 repeats
    python bench/qiren.py --dtype float64 --threads 1 --json out.json
"""

from __future__ import annotations

import argparse
import time

import torch
from _common import add_common_arguments, machine, parse, write_json

from qlearn import data
from qlearn.models import QIREN


def workloads(dtype: torch.dtype) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    t, y = data.audio_like_signal(1000, seed=0)
    image = data.camera_image(32)
    return {
        "signal (1000 points)": (t[:, None].to(dtype), y.to(dtype)),
        "image (32x32)": (data.pixel_grid(32).to(dtype), image.reshape(-1).to(dtype)),
    }


def epoch_seconds(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    start = time.perf_counter()
    opt.zero_grad()
    loss = (model(x)[:, 0] - y).square().mean()
    loss.backward()
    opt.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs (best is kept)")
    add_common_arguments(parser)
    args = parse(parser)
    dtype = getattr(torch, args.dtype)
    print(
        f"{machine()}, torch {torch.__version__}; QIREN width 8, 2 hidden layers, L = K = 2, "
        f"{args.dtype}"
    )
    print(f"{'workload':22s} {'params':>7s} {'ours s':>9s} {'PennyLane s':>12s} {'ratio':>7s}")
    rows = []
    for name, (x, y) in workloads(dtype).items():
        ours = QIREN(x.shape[1], 1, seed=0, dtype=dtype)
        twin = ours.pennylane_twin()
        epoch_seconds(ours, x, y)  # warm-up
        epoch_seconds(twin, x, y)
        best = {"ours": float("inf"), "pennylane": float("inf")}
        for _ in range(args.repeats):
            best["ours"] = min(best["ours"], epoch_seconds(ours, x, y))
            best["pennylane"] = min(best["pennylane"], epoch_seconds(twin, x, y))
        ratio = best["pennylane"] / best["ours"]
        print(
            f"{name:22s} {ours.n_parameters:7d} {best['ours']:9.3f} {best['pennylane']:12.3f} "
            f"{ratio:6.1f}x"
        )
        rows.append(dict(workload=name, parameters=ours.n_parameters, **best, ratio=ratio))
    write_json(args, rows)


if __name__ == "__main__":
    main()
