#!/usr/bin/python3
"""Train the tinyaot gesture demo model (a small 2-D CNN) on synthetic data and export it.

    /usr/bin/python3 tools/gesture/train.py --out examples/gesture

Generates the train / validation / test splits with tools/gesture/generate.py (one seed per
split), trains on CPU (2 threads, fixed seeds), reports validation and test accuracy and the
confusion matrices, and writes into --out:

  gesture.onnx             the model, opset 13, input "accel" float32 [1,1,128,3] (x,y,z in g,
                           row = time), output "probabilities" float32 [1,4] (softmax)
  test_inputs.bin          N x 128 x 3 float32 little-endian: the first N/4 recordings of each
                           class of the test split, in test-split order (N = --export-count)
  test_labels.bin          N uint8 class ids
  test_outputs_torch.bin   N x 4 float32: the PyTorch model's softmax probabilities on those
                           inputs (float32, batch 1, eval mode)
  classes.txt              class names, one a line, in id order
  metrics.json             sizes, accuracies, confusion matrices, architecture, timings
  README.md                written from metrics.json (what the data and the model are)

Needs Debian's python3-torch, python3-numpy and python3-onnx (the exporter needs onnx).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

CLASSES = generate.CLASSES
OPSET = 13


# (output channels, kernel length) per convolution; a 2x1 max-pool follows all but the last.
CONVS = ((16, 5), (24, 5), (32, 5), (40, 3), (48, 3))


def build(two_d):
    """The network, as a 2-D model (what is exported) or its 1-D twin (what is trained).

    2-D (exported): input [N,1,128,3] (NCHW: one channel, H = 128 time steps, W = 3 axes),
    the exact layout of a recording (time-major x,y,z). The first convolution spans the three
    axes (kernel 5x3, no padding across W), so everything after it is a network over time
    written as 2-D convolutions with Kx1 kernels on [N,C,T,1] tensors (our kernels are 2-D).

    1-D (trained, about 5x faster in PyTorch on CPU): input [N,3,128], same weights up to a
    reshape (see to_2d). Both compute the same function.
    """
    conv = nn.Conv2d if two_d else nn.Conv1d
    bn = nn.BatchNorm2d if two_d else nn.BatchNorm1d
    layers, cin = [], 1 if two_d else 3
    for i, (cout, k) in enumerate(CONVS):
        if two_d:
            kernel, pad = ((k, 3), (k // 2, 0)) if i == 0 else ((k, 1), (k // 2, 0))
        else:
            kernel, pad = k, k // 2
        layers += [conv(cin, cout, kernel, padding=pad, bias=False), bn(cout), nn.ReLU()]
        if i < len(CONVS) - 1:
            layers.append(nn.MaxPool2d((2, 1)) if two_d else nn.MaxPool1d(2))
        cin = cout
    # AdaptiveAvgPool2d(1) is exported as GlobalAveragePool
    layers.append(nn.AdaptiveAvgPool2d(1) if two_d else nn.AdaptiveAvgPool1d(1))
    return nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.2), nn.Linear(cin, len(CLASSES)))


def to_2d(net1d):
    """Copy a trained 1-D network into the 2-D layout: conv weights [O,I,K] -> [O,I,K,1],
    except the first, [O,3,K] -> [O,1,K,3] (the axes move from channels to width)."""
    net2d = build(True)
    sd = {}
    for name, v in net1d.state_dict().items():
        if v.dim() == 3:
            v = v.permute(0, 2, 1).unsqueeze(1) if name == "0.weight" else v.unsqueeze(-1)
        sd[name] = v.clone()
    net2d.load_state_dict(sd)
    return net2d.eval()


def as_1d(x):
    """Recordings [N,128,3] -> the 1-D network's input [N,3,128]."""
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1)))


class WithSoftmax(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


def describe(model):
    """Per-layer table (name, output shape, params, MACs) of the 2-D model, input [1,1,128,3]."""
    rows = []
    x = torch.zeros(1, 1, 128, 3)
    with torch.no_grad():
        for m in model:
            y = m(x)
            params = sum(p.numel() for p in m.parameters())
            macs = 0
            if isinstance(m, nn.Conv2d):
                macs = y.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
            elif isinstance(m, nn.Linear):
                macs = m.in_features * m.out_features
            desc = type(m).__name__
            if isinstance(m, nn.Conv2d):
                desc += " %d->%d k%dx%d pad%s" % (m.in_channels, m.out_channels, m.kernel_size[0],
                                                  m.kernel_size[1], tuple(m.padding))
            elif isinstance(m, nn.MaxPool2d):
                desc += " %s" % (tuple(m.kernel_size),)
            elif isinstance(m, nn.Linear):
                desc += " %d->%d" % (m.in_features, m.out_features)
            elif isinstance(m, nn.AdaptiveAvgPool2d):
                desc += "(1) (ONNX GlobalAveragePool)"
            rows.append({"layer": desc, "out": list(y.shape), "params": params, "macs": macs})
            x = y
    return rows


def confusion(y_true, y_pred, n=len(CLASSES)):
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)
    return cm


def format_cm(cm):
    w = max(9, max(len(c) for c in CLASSES) + 1)
    lines = ["true \\ pred".ljust(w + 2) + "".join(c[:8].rjust(w) for c in CLASSES) + "   recall"]
    for i, c in enumerate(CLASSES):
        rec = cm[i, i] / max(1, cm[i].sum())
        lines.append(c.ljust(w + 2) + "".join(str(v).rjust(w) for v in cm[i]) + "   %6.2f%%" % (100 * rec))
    return "\n".join(lines)


def predict(net1d, x, batch=500):
    """Logits of the 1-D network for recordings x [N,128,3]."""
    net1d.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(net1d(as_1d(x[i:i + batch])))
    return torch.cat(out).numpy()


def first_per_class(y, k):
    """Indices of the first k recordings of each class, kept in their original order."""
    seen = np.zeros(len(CLASSES), dtype=np.int64)
    keep = []
    for i, c in enumerate(y):
        if seen[c] < k:
            seen[c] += 1
            keep.append(i)
    if np.any(seen < k):
        raise SystemExit("test split too small for --export-count")
    return np.array(keep)


def main(argv=None):
    ap = argparse.ArgumentParser(description="train and export the gesture demo model")
    ap.add_argument("--out", default="examples/gesture", help="output directory")
    ap.add_argument("--train-per-class", type=int, default=4000)
    ap.add_argument("--val-per-class", type=int, default=500)
    ap.add_argument("--test-per-class", type=int, default=500)
    ap.add_argument("--export-count", type=int, default=300, help="test recordings to write (multiple of 4)")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--seed", type=int, default=1, help="torch seed (weights init, shuffling, dropout)")
    a = ap.parse_args(argv)
    if a.export_count % len(CLASSES):
        ap.error("--export-count must be a multiple of %d" % len(CLASSES))

    t_start, cpu_start = time.time(), time.process_time()
    sys.stdout.reconfigure(line_buffering=True)
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)

    t0 = time.time()
    xtr, ytr = generate.generate_split("train", a.train_per_class)
    xva, yva = generate.generate_split("val", a.val_per_class)
    xte, yte, kte = generate.generate_split("test", a.test_per_class, with_kind=True)
    t_gen = time.time() - t0
    print("data: train %d, val %d, test %d recordings (generated in %.1f s)" % (
        len(ytr), len(yva), len(yte), t_gen))

    model = build(False)
    table = describe(build(True))
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    macs = sum(r["macs"] for r in table)
    for r in table:
        print("  %-34s %-18s %7d params %8d MACs" % (r["layer"], r["out"], r["params"], r["macs"]))
    print("model: %d trainable parameters, %d MACs per inference" % (n_params, macs))

    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-3)
    steps = a.epochs * ((len(ytr) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.2)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    xtr_t = as_1d(xtr)
    ytr_t = torch.from_numpy(ytr.astype(np.int64))
    gen = torch.Generator().manual_seed(a.seed)

    t0 = time.time()
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(ytr), generator=gen)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(perm), a.batch):
            idx = perm[i:i + a.batch]
            xb, yb = xtr_t[idx], ytr_t[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            total += len(idx)
        va_acc = (predict(model, xva).argmax(1) == yva).mean()
        print("epoch %2d  loss %.4f  train acc %.2f%%  val acc %.2f%%  (%.0f s)" % (
            epoch + 1, loss_sum / total, 100 * correct / total, 100 * va_acc, time.time() - t0))
    t_train = time.time() - t0

    model.eval()
    pva = predict(model, xva).argmax(1)
    pte = predict(model, xte).argmax(1)
    cm_va, cm_te = confusion(yva, pva), confusion(yte, pte)
    acc_va, acc_te = np.trace(cm_va) / cm_va.sum(), np.trace(cm_te) / cm_te.sum()
    print("\nvalidation accuracy %.2f%% (%d recordings)\n%s" % (100 * acc_va, len(yva), format_cm(cm_va)))
    print("\ntest accuracy %.2f%% (%d recordings)\n%s" % (100 * acc_te, len(yte), format_cm(cm_te)))
    by_kind = {}
    for k in sorted(set(kte)):
        sel = kte == k
        by_kind[k] = {"n": int(sel.sum()), "correct": int((pte[sel] == yte[sel]).sum())}
    print("test recall by kind: " + ", ".join("%s %d/%d" % (k, v["correct"], v["n"]) for k, v in by_kind.items()))

    # ---- artifacts
    os.makedirs(a.out, exist_ok=True)
    keep = first_per_class(yte, a.export_count // len(CLASSES))
    x_exp = np.ascontiguousarray(xte[keep], dtype="<f4")
    y_exp = yte[keep].astype(np.uint8)
    model.eval()
    net2d = to_2d(model)
    with torch.no_grad():  # the 2-D export model computes what the trained 1-D one does
        diff = (net2d(torch.from_numpy(x_exp).unsqueeze(1)) - model(as_1d(x_exp))).abs().max().item()
    print("2-D export model vs trained 1-D model: max |logit difference| %.2e" % diff)
    if diff > 1e-4:
        raise SystemExit("to_2d mismatch")
    final = WithSoftmax(net2d).eval()
    with torch.no_grad():
        probs = np.stack([final(torch.from_numpy(r).view(1, 1, 128, 3))[0].numpy() for r in x_exp])
    probs = probs.astype("<f4")
    cm_exp = confusion(y_exp, probs.argmax(1))
    acc_exp = np.trace(cm_exp) / cm_exp.sum()
    print("\nexported subset: %d recordings, accuracy %.2f%%\n%s" % (len(y_exp), 100 * acc_exp, format_cm(cm_exp)))

    onnx_path = os.path.join(a.out, "gesture.onnx")
    torch.onnx.export(final, torch.zeros(1, 1, 128, 3), onnx_path, opset_version=OPSET,
                      input_names=["accel"], output_names=["probabilities"],
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    # the same network with its BatchNormalization nodes kept (a test of the importer's fold)
    bn_path = os.path.join(a.out, "gesture_bn.onnx")
    torch.onnx.export(final, torch.zeros(1, 1, 128, 3), bn_path, opset_version=OPSET,
                      input_names=["accel"], output_names=["probabilities"],
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    inline_identities(bn_path)
    ops = sorted({n.op_type for n in m.graph.node})
    op_counts = {op: sum(1 for n in m.graph.node if n.op_type == op) for op in ops}
    onnx_params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
    x_exp.tofile(os.path.join(a.out, "test_inputs.bin"))
    y_exp.tofile(os.path.join(a.out, "test_labels.bin"))
    probs.tofile(os.path.join(a.out, "test_outputs_torch.bin"))
    with open(os.path.join(a.out, "classes.txt"), "w") as f:
        f.write("\n".join(CLASSES) + "\n")
    samples = write_samples(a.out, x_exp, y_exp)

    metrics = {
        "data": {"train": len(ytr), "val": len(yva), "test": len(yte), "seeds": generate.SPLIT_SEEDS,
                 "exported": len(y_exp), "samples": samples},
        "model": {"layers": table, "params": n_params, "weight_bytes_float32": 4 * n_params,
                  "macs": macs, "onnx_opset": OPSET, "onnx_ops": op_counts,
                  "onnx_params": onnx_params, "onnx_bytes": os.path.getsize(onnx_path), "onnx_bn_bytes": os.path.getsize(bn_path)},
        "train": {"epochs": a.epochs, "batch": a.batch, "lr": a.lr, "seed": a.seed,
                  "generate_s": round(t_gen, 1), "train_s": round(t_train, 1),
                  "total_s": round(time.time() - t_start, 1),
                  "total_cpu_s": round(time.process_time() - cpu_start, 1),
                  "load_average_1min": round(os.getloadavg()[0], 1), "torch": torch.__version__,
                  "numpy": np.__version__},
        "accuracy": {"val": float(acc_va), "test": float(acc_te), "exported": float(acc_exp)},
        "test_recall_by_kind": by_kind,
        "confusion": {"val": cm_va.tolist(), "test": cm_te.tolist(), "exported": cm_exp.tolist()},
    }
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    write_readme(os.path.join(a.out, "README.md"), metrics)
    print("\nONNX ops (opset %d): %s" % (OPSET, op_counts))
    print("wrote %s (total %.1f s wall, %.1f s CPU)" % (a.out, time.time() - t_start, time.process_time() - cpu_start))
    return 0


def write_samples(out, x, y, per_class=2):
    """samples/<class>_<k>.csv: the first per_class recordings of each class of the exported
    test set, for plots. Returns {file name: index in test_inputs.bin}."""
    d = os.path.join(out, "samples")
    os.makedirs(d, exist_ok=True)
    index = {}
    for c, name in enumerate(CLASSES):
        for k, i in enumerate(np.flatnonzero(y == c)[:per_class]):
            fname = "%s_%d.csv" % (name, k)
            generate.write_csv(os.path.join(d, fname), x[i])
            index[fname] = int(i)
    return index


def inline_identities(path):
    """Replace Identity nodes whose input is an initializer (the exporter emits them when two
    BatchNorm parameters hold equal values) by a copy of that initializer."""
    import onnx
    m = onnx.load(path)
    inits = {t.name: t for t in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            m.graph.initializer.append(t)
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def write_readme(path, m):
    d, mo, tr, acc, cm = m["data"], m["model"], m["train"], m["accuracy"], m["confusion"]
    layers = "\n".join("| %s | %s | %d | %d |" % (r["layer"], "x".join(map(str, r["out"])), r["params"], r["macs"])
                       for r in mo["layers"])
    text = README_TEMPLATE.format(
        n_exp=d["exported"], samples=", ".join("%s: %d" % kv for kv in d["samples"].items()), per_exp=d["exported"] // len(CLASSES), train=d["train"], val=d["val"],
        test=d["test"], seeds=", ".join("%s %d" % kv for kv in d["seeds"].items()),
        layers=layers, params=mo["params"], wbytes=mo["weight_bytes_float32"], macs=mo["macs"],
        opset=mo["onnx_opset"], ops=", ".join("%s x%d" % kv for kv in mo["onnx_ops"].items()),
        onnx_bytes=mo["onnx_bytes"], bn_bytes=mo["onnx_bn_bytes"], onnx_params=mo["onnx_params"],
        onnx_wbytes=4 * mo["onnx_params"], acc_val=100 * acc["val"], acc_test=100 * acc["test"],
        acc_exp=100 * acc["exported"], cm_val=format_cm(np.array(cm["val"])),
        cm_test=format_cm(np.array(cm["test"])), cm_exp=format_cm(np.array(cm["exported"])),
        epochs=tr["epochs"], train_s=tr["train_s"], total_s=tr["total_s"], gen_s=tr["generate_s"],
        torch=tr["torch"], numpy=tr["numpy"], load=tr["load_average_1min"], cpu_s=tr["total_cpu_s"],
        by_kind=", ".join("%s %d/%d" % (k, v["correct"], v["n"]) for k, v in m["test_recall_by_kind"].items()))
    with open(path, "w") as f:
        f.write(text)


README_TEMPLATE = """\
# Gesture recognition: the model and its test data

This folder is the input of `make demo`: a small CNN that classifies 5.12 s windows of 3-axis
accelerometer data into four hand gestures, trained in PyTorch and exported to ONNX. It is
written by `tools/gesture/train.py`; do not edit the numbers here by hand.

**The data are synthetic.** No recording here comes from a real sensor. Every window is computed
by `tools/gesture/generate.py` from a simulated pen trajectory; the top of that file lists what
the generator models and what it does not. The accuracies below measure how well the model
separates the simulated classes; they are not a claim about real users.

## Files

| file | what |
|---|---|
| `gesture.onnx` | the model (ONNX opset {opset}, {onnx_bytes} bytes): input `accel` float32 [1,1,128,3], output `probabilities` float32 [1,4] |
| `gesture_bn.onnx` | the same network with its BatchNormalization nodes kept ({bn_bytes} bytes): same outputs within float rounding; a test of the importer's batch-norm fold, not used by the demo |
| `test_inputs.bin` | {n_exp} test recordings, float32 little-endian, [{n_exp}][128][3] (time-major: x, y, z in g per sample), exactly the bytes of {n_exp} consecutive model inputs |
| `test_labels.bin` | {n_exp} uint8 class ids |
| `test_outputs_torch.bin` | {n_exp} x 4 float32 little-endian: PyTorch's **softmax probabilities** (the ONNX output; not logits) for each test recording, float32, batch 1, eval mode |
| `classes.txt` | class names in id order: 0 wing, 1 ring, 2 slope, 3 negative |
| `metrics.json` | everything below, machine-readable |

The {n_exp} recordings are the first {per_exp} of each class of the test split, in the split's
(shuffled) order. Input unit is g (not the milli-g of TensorFlow Lite Micro's magic-wand
example, whose model and data are a different thing).

## The data

A window is 128 samples at 25 Hz of x, y, z acceleration in g, gravity included, as a wrist or
wand IMU reports it. Classes: **wing** (a W), **ring** (a circle, mostly clockwise), **slope** (an
L: a stroke down, vertical to diagonal, then a stroke right), **negative** (rest at any
orientation, random arm motion, shaking, wrist turns, and distractor strokes: open arcs, one to
three random strokes that are not a slope, two or three strokes of a W).

Acceleration is the second derivative of a simulated pen position, smoothed, and gravity is
projected into the moving sensor frame. Variation per recording: gesture size and aspect,
vertex jitter, speed (0.6-3.0 s, bigger is slower), start offset in the window (up to 5 % of
a gesture may be cut off), minimum-jerk strokes with overlapping (rounded) corners,
drawing-plane tilt, depth wobble, hand tremor (8-12 Hz) and postural sway, body motion (30 %
of recordings), device orientation in the hand (roll +-50, pitch +-45, yaw +-35 deg), the
device turning to point at the pen while drawing and drifting, gravity magnitude (1 g +-2 %),
per-axis scale (+-3 %) and bias (+-0.06 g), the 25 Hz output filter, white noise (0.004-0.04 g),
full-scale clipping (+-2/4/8 g) and 12-bit quantisation. Not modelled: real users, lever-arm
effects of a swung wand, gyroscope, sensor drift and cross-axis effects, dropped samples (the
full list is at the top of `generate.py`).

Splits (balanced, each from its own seed, no shared generator state): train {train},
validation {val}, test {test} recordings; seeds: {seeds}.

`samples/*.csv`: the first two recordings of each class in `test_inputs.bin`, as CSV
(`t_s,x_g,y_g,z_g`), for plots: {samples} (file: index in `test_inputs.bin`). Any other
recordings: `/usr/bin/python3 tools/gesture/generate.py --split test --per-class 2 --csv-dir DIR`.

## The model

| layer (PyTorch) | output | params | MACs |
|---|---|---|---|
{layers}

{params} parameters ({wbytes} bytes as float32), {macs} multiply-accumulates per inference.
In `gesture.onnx` BatchNorm is folded into the convolutions by the exporter (eval mode) and
Dropout is gone. ONNX nodes: {ops}. The parameter count above is PyTorch's (convolutions
without bias, batch-norm scale and shift); the folded ONNX file holds {onnx_params} numbers
({onnx_wbytes} bytes as float32: convolution weights and biases, the Gemm).

Training uses the equivalent 1-D network (Conv1d on [N,3,128], about 5x faster in PyTorch on
CPU); its weights are copied into the 2-D layout above for export (a reshape, and for the first
layer a move of the axes from channels to width), and `train.py` checks that both give the same
outputs on the exported test recordings.

## Accuracy (PyTorch, float32)

Validation: **{acc_val:.2f} %** ({val} recordings)

```
{cm_val}
```

Test: **{acc_test:.2f} %** ({test} recordings)

```
{cm_test}
```

Test recall by kind of recording (the negative class split into what it is made of):
{by_kind}.

The {n_exp} committed test recordings (what `make demo` runs): **{acc_exp:.2f} %**

```
{cm_exp}
```

## Retraining

Not part of the demo. Needs Debian's `python3-torch`, `python3-numpy`, `python3-onnx`:

```sh
/usr/bin/python3 tools/gesture/train.py --out examples/gesture
/usr/bin/python3 tools/gesture/check_onnx.py examples/gesture   # ONNX vs PyTorch, numpy re-implementation
```

Run that made these files: {epochs} epochs; data generation {gen_s} s, training {train_s} s,
total {total_s} s wall ({cpu_s} s CPU) with 2 torch threads, 1-minute load average {load} at the
end (on an idle 2-core machine the whole run takes about two minutes; it is slower when the
machine is busy); torch {torch}, numpy {numpy}. Seeds are fixed; bit-identical retraining is
expected on the same torch build, not across builds.
"""


if __name__ == "__main__":
    sys.exit(main())
