"""QRU: the circuit's structure, the paper's parameter counts, PennyLane parity (values and
gradients), the fast path against the whole circuit, heads, forecasts, the ablation switch,
the classical sequence baselines, the chapter 5 data and the errors."""

from __future__ import annotations

import doctest

import pytest
import torch

from qlearn import data
from qlearn.models import QRU, GRUNet, SmallCNN, forecast, qru_circuit
from qlearn.models import qru as qru_module
from qlearn.models import sequence as sequence_module
from qlearn.models.qru import PRESETS, qru_parameter_count
from qlearn.sim import Circuit

F64 = dict(dtype=torch.float64, device="cpu")
SHAPES = {"oscillation": (2, 4, 1), "wdbc": (3, 3, 1), "mnist": (2, 3, 8)}


# Tiny circuits: one torch thread (conftest's ``one_thread``) for every test here.
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("module", [qru_module, sequence_module])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# Structure and parameter counts


@pytest.mark.parametrize(("name", "count"), [("oscillation", 72), ("wdbc", 35), ("mnist", 132)])
def test_preset_parameter_counts_are_the_papers(name, count):
    model = QRU.preset(name, seed=0)
    assert model.n_parameters == count
    parts = model.parameter_count()
    assert parts["total"] == count
    assert sum(v for k, v in parts.items() if k != "total") == count
    # the same count, tensor by tensor
    assert parts["encoding"] == model.qnn.weights["encoding"].numel()
    assert parts["hidden_encoding"] == model.qnn.weights["hidden_encoding"].numel()
    assert parts["block"] == model.qnn.weights["block"].numel()


@pytest.mark.parametrize("cswap", [True, False])
def test_count_does_not_depend_on_sequence_length_or_ablation(cswap):
    model = QRU.preset("wdbc", seed=0, cswap=cswap)
    assert model.n_parameters == 35
    for steps in (1, 5, 40):
        assert model(torch.rand(2, steps, 1)).shape == (2,)
    assert model.n_qubits == (7 if cswap else 5)


def test_circuit_follows_the_description():
    c = qru_circuit(2, 3, 1, layer_gates="ry", block_gate="rx")
    # wires: data 0, hidden 1-3, ancillas 4-5
    names = [(op.name, op.wires) for op in c.ops]
    assert names[:2] == [("RX", (0,)), ("RY", (0,))]  # features 0, 1 on data qubit 0
    hidden_enc = names[2:8]
    assert [n for n, _ in hidden_enc] == ["RX", "RY"] * 3
    assert [w for _, w in hidden_enc] == [(1,), (1,), (2,), (2,), (3,), (3,)]
    assert names[8:11] == [("CNOT", (1, 2)), ("CNOT", (2, 3)), ("CNOT", (3, 1))]
    assert names[11:15] == [
        ("CNOT", (0, 1)), ("CSWAP", (1, 2, 4)), ("RX", (1,)), ("CSWAP", (1, 3, 5)),
    ]  # fmt: skip
    assert [n for n, _ in names[15:19]] == ["RY"] * 4  # one layer on data + hidden
    assert len(c.observables) == 2 * 4  # <Z>, <X> of data and hidden qubits
    ablated = qru_circuit(2, 3, 1, layer_gates="ry", block_gate="rx", cswap=False)
    assert ablated.n_qubits == 4 and ablated.n_weights == c.n_weights
    assert [(op.name, op.wires) for op in ablated.ops][11:15] == [
        ("CNOT", (0, 1)), ("CNOT", (1, 2)), ("RX", (1,)), ("CNOT", (1, 3)),
    ]  # fmt: skip


def test_encoding_angles_are_affine_in_the_inputs():
    c = qru_circuit(1, 2, 1)
    first = c.ops[0]
    assert first.name == "RX" and first.angles[0].inputs() == {0}
    hidden = c.ops[1]  # arcsin(<Z> of hidden qubit 0) on wire 1
    assert hidden.wires == (1,) and hidden.angles[0].inputs() == {1}


def test_parts_compose_to_the_whole_circuit():
    full = qru_circuit(3, 2, 2)
    enc = qru_circuit(3, 2, 2, part="encoding")
    fixed = qru_circuit(3, 2, 2, part="fixed")
    assert enc.n_inputs == full.n_inputs and fixed.n_inputs == 0
    assert enc.n_weights + fixed.n_weights == full.n_weights
    assert len(enc.ops) + len(fixed.ops) == len(full.ops)
    assert fixed.observables == full.observables


def test_u2_matches_pennylane():
    import pennylane as qml

    c = Circuit(1)
    w = c.weights("w", (2,))
    qru_module._gate(c, "u2", 0, [w[0], w[1]])
    m = c.module(**F64)
    psi = m.evolve(torch.eye(2, dtype=torch.complex128))
    phi, lam = (float(v) for v in m.weights["w"].detach())
    ref = torch.as_tensor(qml.matrix(qml.U2(phi, lam, wires=0)))
    phase = ref[0, 0] / psi.T[0, 0]
    torch.testing.assert_close(psi.T * phase, ref)


def test_evolve_from_zero_is_state():
    c = Circuit(2)
    w = c.weights("w", (2,))
    c.ry(0, w[0])
    c.cnot(0, 1)
    c.rx(1, w[1])
    m = c.module(seed=3, **F64)
    basis = torch.eye(4, dtype=torch.complex128)
    torch.testing.assert_close(m.evolve(basis)[0], m.state()[0])
    with pytest.raises(ValueError, match="amplitudes"):
        m.evolve(torch.eye(3, dtype=torch.complex128))


# --------------------------------------------------------------------------------------------
# Parity with PennyLane and the fast path


@pytest.mark.parametrize("cswap", [True, False])
@pytest.mark.parametrize("name", list(PRESETS))
def test_pennylane_parity_values_and_gradients(name, cswap):
    model = QRU.preset(name, seed=1, cswap=cswap, **F64)
    x = torch.rand(*SHAPES[name], dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    params = list(model.parameters())
    ours = model(x)
    twin = model.to_pennylane()(x)
    torch.testing.assert_close(ours, twin, atol=1e-10, rtol=0)
    g_ours = torch.autograd.grad(ours.sum(), params)
    g_twin = torch.autograd.grad(model.to_pennylane()(x).sum(), params)
    for a, b in zip(g_ours, g_twin, strict=True):
        torch.testing.assert_close(a, b, atol=1e-8, rtol=0)


def test_fast_path_equals_whole_circuit():
    model = QRU(3, 3, 2, layer_gates=("rot", "u2"), block_gate="ry", seed=2, **F64)
    x = torch.rand(4, 5, 3, dtype=torch.float64)
    hidden = torch.rand(4, 6, dtype=torch.float64) * 2 - 1
    fast = model.expvals(x[:, 0], hidden)
    whole = model.expvals(x[:, 0], hidden, model.qnn)
    torch.testing.assert_close(fast, whole, atol=1e-12, rtol=0)


def test_expectations_stay_in_range_and_hidden_starts_at_zero():
    model = QRU.preset("oscillation", seed=0, **F64)
    traj = model.trajectory(torch.rand(3, 7, 1, dtype=torch.float64))
    assert traj["data"].shape == (3, 7, 2) and traj["hidden"].shape == (3, 7, 10)
    assert traj["hidden"].abs().max() <= 1 + 1e-12
    h0, _ = model.initial_state(3)
    assert torch.equal(h0, torch.zeros(3, 10, dtype=torch.float64))


def test_trajectory_agrees_with_forward():
    model = QRU.preset("oscillation", seed=0, **F64)
    x = torch.rand(2, 6, 1, dtype=torch.float64)
    torch.testing.assert_close(model.trajectory(x)["data"][..., 0], model(x))


def test_hidden_values_carry_information_forward():
    model = QRU.preset("oscillation", seed=0, **F64)
    x = torch.rand(1, 4, 1, dtype=torch.float64)
    y = x.clone()
    y[0, 0, 0] += 0.5  # change only the first step
    out_x, out_y = model(x), model(y)
    assert (out_x[0, 3] - out_y[0, 3]).abs() > 1e-6  # the last output still sees it


@pytest.mark.parametrize("head", ["binary", "classes"])
def test_classification_heads_use_the_scale(head):
    model = QRU(4, 2, 1, head=head, n_classes=2, scale_init=3.0, seed=0, **F64)
    x = torch.rand(5, 3, 4, dtype=torch.float64)
    out = model(x)
    assert out.shape == ((5,) if head == "binary" else (5, 2))
    z = model.trajectory(x)["data"][:, -1, 0::2]
    expected = 3.0 * (z[:, 0] if head == "binary" else z[:, :2])
    torch.testing.assert_close(out, expected)


def test_forecast_feeds_predictions_back():
    model = QRU.preset("oscillation", seed=0, **F64)
    ctx = torch.rand(2, 5, 1, dtype=torch.float64)
    with torch.no_grad():
        f = forecast(model, ctx, 3)
        first = model(ctx)[:, -1]
        second = model(torch.cat([ctx, first[:, None, None]], 1))[:, -1]
    torch.testing.assert_close(f[:, 0], first)
    torch.testing.assert_close(f[:, 1], second)


def test_seeds_reproduce():
    a, b, c = (QRU.preset("wdbc", seed=s) for s in (0, 0, 1))
    x = torch.rand(2, 4, 1)
    assert torch.equal(a(x), b(x))
    assert not torch.equal(a(x), c(x))


def test_training_step_lowers_the_loss():
    model = QRU(1, 2, 1, seed=0, **F64)
    x = torch.linspace(0, 1, 8, dtype=torch.float64).reshape(1, 8, 1)
    y = 0.5 * torch.sin(3 * x[..., 0])
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.7 * losses[0]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu():
    cpu = QRU.preset("wdbc", seed=0, **F64)
    gpu = QRU.preset("wdbc", seed=0, dtype=torch.float64, device="cuda")
    x = torch.rand(3, 5, 1, dtype=torch.float64)
    torch.testing.assert_close(gpu(x.cuda()).cpu(), cpu(x))


# --------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(hidden_qubits=1), "hidden_qubits=1"),
        (dict(in_features=0), "in_features=0"),
        (dict(n_layers=0), "n_layers=0"),
        (dict(layer_gates="cz"), "layer_gates='cz'"),
        (dict(layer_gates=[]), "layer_gates"),
        (dict(block_gate="h"), "block_gate='h'"),
        (dict(head="softmax"), "head='softmax'"),
        (dict(head="classes", n_classes=3, in_features=2), "n_classes=3"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QRU(**kwargs)


def test_bad_inputs():
    model = QRU(in_features=8, seed=0)
    with pytest.raises(ValueError, match=r"\(batch, steps, 8\)"):
        model(torch.rand(3, 64))
    with pytest.raises(TypeError, match="torch.Tensor"):
        model([[0.0]])
    with pytest.raises(ValueError, match="in_features=1"):
        forecast(model, torch.rand(2, 3, 8), 2)
    with pytest.raises(ValueError, match="name='lstm'"):
        QRU.preset("lstm")
    with pytest.raises(ValueError, match="n_steps=0"):
        forecast(QRU(seed=0), torch.rand(2, 3), 0)


def test_parameter_count_formula_matches_models():
    for kw in (
        dict(in_features=3, hidden_qubits=2, n_layers=3, layer_gates=("rx", "u2", "rot")),
        dict(in_features=6, hidden_qubits=3, n_layers=1, block_gate="u2", head="binary"),
    ):
        assert qru_parameter_count(**kw)["total"] == QRU(**kw).n_parameters


# --------------------------------------------------------------------------------------------
# Classical baselines


@pytest.mark.parametrize("hidden", [1, 2, 7])
def test_gru_parameter_count(hidden):
    net = GRUNet(1, hidden, 1)
    assert net.n_parameters == 3 * (hidden + hidden**2 + 2 * hidden) + hidden + 1


def test_gru_matches_torch_gru_and_heads():
    net = GRUNet(3, 4, 2, head="classes", seed=0, **F64)
    ref = torch.nn.GRU(3, 4, batch_first=True, dtype=torch.float64)
    ref.weight_ih_l0.data, ref.weight_hh_l0.data = net.cell.weight_ih, net.cell.weight_hh
    ref.bias_ih_l0.data, ref.bias_hh_l0.data = net.cell.bias_ih, net.cell.bias_hh
    x = torch.rand(5, 6, 3, dtype=torch.float64)
    out, _ = ref(x)
    torch.testing.assert_close(net(x), net.readout(out[:, -1]))
    seq = GRUNet(1, 3, 1, seed=0)
    assert seq(torch.rand(2, 4)).shape == (2, 4)
    assert GRUNet(1, 3, 1, head="binary")(torch.rand(2, 4)).shape == (2,)


def test_small_cnn():
    cnn = SmallCNN(channels=2, seed=0)
    assert cnn.n_parameters == 10 * 2 + 2 * 16 * 2 + 2
    with pytest.raises(ValueError, match=r"\(batch, 8, 8\)"):
        cnn(torch.rand(3, 64))
    with pytest.raises(ValueError, match="image_size=7"):
        SmallCNN(image_size=7)


# --------------------------------------------------------------------------------------------
# Data


def test_oscillations():
    y = data.qru_oscillations()
    t = torch.arange(151, dtype=torch.float64)
    torch.testing.assert_close(y[0], 0.7 * torch.sin(0.4 * t))
    torch.testing.assert_close(y[1], 0.7 * torch.sin(0.6 * t) * torch.exp(-0.02 * t))
    with pytest.raises(ValueError, match="n_points=1"):
        data.damped_oscillation(n_points=1)


def test_wdbc_is_min_max_scaled_with_malignant_as_one():
    from sklearn.datasets import load_breast_cancer

    x, y = data.wdbc_dataset()
    assert x.shape == (569, 30)
    torch.testing.assert_close(x.min(0).values, torch.zeros(30, dtype=torch.float64))
    torch.testing.assert_close(x.max(0).values, torch.ones(30, dtype=torch.float64))
    bunch = load_breast_cancer()
    assert list(bunch.target_names) == ["malignant", "benign"]
    assert torch.equal(y, torch.from_numpy(1 - bunch.target))


def test_digit_rows_are_image_rows():
    x, y = data.digits_rows((3, 5))
    all_x, all_y = data.digits_dataset()
    keep = (all_y == 3) | (all_y == 5)
    torch.testing.assert_close(x, all_x[keep].reshape(-1, 8, 8))
    assert torch.equal(y, (all_y[keep] == 5).long())
    with pytest.raises(ValueError, match="digits"):
        data.digits_rows((3, 3))
