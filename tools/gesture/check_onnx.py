#!/usr/bin/python3
"""Check the exported gesture model without onnxruntime (Debian has none).

    /usr/bin/python3 tools/gesture/check_onnx.py [examples/gesture]

1. onnx.checker.check_model (with shape inference) on gesture.onnx (and gesture_bn.onnx).
2. The interface: one input float32 [1,1,128,3], one output float32 [1,4]; every operator in
   the list our ONNX importer supports.
3. Runs the model with a small numpy interpreter (below: Conv, MaxPool, AveragePool,
   GlobalAveragePool, BatchNormalization, Relu, Flatten, Reshape, Gemm, MatMul, Add, Softmax,
   Dropout, Identity, written from the ONNX operator specification, evaluated in float64)
   on every recording of test_inputs.bin, and compares with test_outputs_torch.bin:
   max |difference| must be <= 1e-5.
4. gesture_bn.onnx (same network, BatchNormalization nodes kept): run as is, and again after
   folding each BatchNormalization into the Conv before it (the fold our compiler does);
   both must match PyTorch within 1e-5.
Also prints parameters and MACs counted from the ONNX graph, and the accuracy on
test_labels.bin. Exit status 0 when every check passes, 1 otherwise.
"""

import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

TOL = 1e-5
SUPPORTED = {"Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization",
             "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Softmax", "Dropout", "Identity"}


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pads_2d(a, k):
    p = list(a.get("pads", [0] * 2 * len(k)))
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise ValueError("auto_pad not handled by this checker")
    return p


def windows(x, kh, kw, sh, sw, dh=1, dw=1):
    """x [N,C,H,W] (already padded) -> [N,C,OH,OW,kh,kw] strided view."""
    n, c, h, w = x.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, c, oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2] * dh, s[3] * dw))


def op_conv(x, w, b=None, **a):
    kh, kw = w.shape[2:]
    pt, pl, pb, pr = pads_2d(a, (kh, kw))
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    g = a.get("group", 1)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    win = windows(xp, kh, kw, sh, sw, dh, dw)              # N,C,OH,OW,kh,kw
    cin_g, cout_g = x.shape[1] // g, w.shape[0] // g
    outs = []
    for gi in range(g):
        wi = win[:, gi * cin_g:(gi + 1) * cin_g]
        wg = w[gi * cout_g:(gi + 1) * cout_g]             # O,Cg,kh,kw
        outs.append(np.einsum("ncyxij,ocij->noyx", wi, wg))
    y = np.concatenate(outs, 1)
    if b is not None:
        y = y + b[None, :, None, None]
    return y


def op_pool(x, kind, **a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = pads_2d(a, (kh, kw))
    if a.get("ceil_mode", 0):
        raise ValueError("ceil_mode not handled by this checker")
    if kind == "max":
        xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
        return windows(xp, kh, kw, sh, sw).max((4, 5))
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    s = windows(xp, kh, kw, sh, sw).sum((4, 5))
    if a.get("count_include_pad", 0):
        return s / (kh * kw)
    ones = np.pad(np.ones((1, 1) + x.shape[2:]), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    return s / windows(ones, kh, kw, sh, sw).sum((4, 5))


def op_batchnorm(x, scale, bias, mean, var, **a):
    eps = a.get("epsilon", 1e-5)
    sh = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + eps) * scale.reshape(sh) + bias.reshape(sh)


def op_gemm(a_, b_, c=None, **a):
    if a.get("transA", 0):
        a_ = a_.T
    if a.get("transB", 0):
        b_ = b_.T
    y = a.get("alpha", 1.0) * (a_ @ b_)
    if c is not None:
        y = y + a.get("beta", 1.0) * c
    return y


def op_softmax(x, **a):
    axis = a.get("axis", -1)                               # opset >= 13: along one axis
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def op_flatten(x, **a):
    axis = a.get("axis", 1)
    return x.reshape(int(np.prod(x.shape[:axis])), -1)


def op_reshape(x, shape, **a):
    shape = [x.shape[i] if (s == 0 and not a.get("allowzero", 0)) else int(s) for i, s in enumerate(shape)]
    return x.reshape(shape)


OPS = {
    "Conv": op_conv,
    "MaxPool": lambda x, **a: op_pool(x, "max", **a),
    "AveragePool": lambda x, **a: op_pool(x, "avg", **a),
    "GlobalAveragePool": lambda x, **a: x.mean(axis=tuple(range(2, x.ndim)), keepdims=True),
    "BatchNormalization": op_batchnorm,
    "Relu": lambda x, **a: np.maximum(x, 0),
    "Flatten": op_flatten,
    "Reshape": op_reshape,
    "Gemm": op_gemm,
    "MatMul": lambda x, y, **a: x @ y,
    "Add": lambda x, y, **a: x + y,
    "Softmax": op_softmax,
    "Dropout": lambda x, *r, **a: x,
    "Identity": lambda x, **a: x,
}


def load_params(model):
    return {t.name: numpy_helper.to_array(t).astype(np.float64) if numpy_helper.to_array(t).dtype.kind == "f"
            else numpy_helper.to_array(t) for t in model.graph.initializer}


def run(model, params, x):
    env = dict(params)
    env[model.graph.input[0].name] = x.astype(np.float64)
    for node in model.graph.node:
        args = [env[i] if i else None for i in node.input]
        out = OPS[node.op_type](*args, **attrs(node))
        env[node.output[0]] = out
    return env[model.graph.output[0].name]


def fold_batchnorm(model, params):
    """Fold every BatchNormalization that follows a Conv into that Conv: per output channel
    s = scale / sqrt(var + eps), w' = w * s, b' = (b - mean) * s + bias. Returns (nodes, params)
    with the BatchNormalization nodes removed."""
    params = dict(params)
    producer = {n.output[0]: n for n in model.graph.node}
    nodes = []
    for n in model.graph.node:
        conv = producer.get(n.input[0])
        if n.op_type == "BatchNormalization" and conv is not None and conv.op_type == "Conv":
            scale, bias, mean, var = (params[i] for i in n.input[1:5])
            s = scale / np.sqrt(var + attrs(n).get("epsilon", 1e-5))
            w = params[conv.input[1]]
            b = params[conv.input[2]] if len(conv.input) > 2 and conv.input[2] else np.zeros(w.shape[0])
            params[conv.input[1] + "_folded"] = w * s[:, None, None, None]
            params[conv.input[1] + "_folded_bias"] = (b - mean) * s + bias
            folded = onnx.helper.make_node("Conv", [conv.input[0], conv.input[1] + "_folded",
                                                    conv.input[1] + "_folded_bias"], [n.output[0]])
            folded.attribute.extend(conv.attribute)
            nodes[nodes.index(conv)] = folded
            continue
        nodes.append(n)
    g = onnx.helper.make_graph(nodes, "folded", model.graph.input, model.graph.output)
    return onnx.helper.make_model(g), params


def count(model, params):
    """(parameters, MACs) of the graph for its static input shape."""
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    macs = 0
    for n in model.graph.node:
        if n.op_type == "Conv":
            w = params[n.input[1]]
            macs += int(np.prod(shapes[n.output[0]])) * int(np.prod(w.shape[1:]))
        elif n.op_type in ("Gemm", "MatMul"):
            out = shapes[n.output[0]]
            k = params[n.input[1]].shape[0] if not attrs(n).get("transB", 0) else params[n.input[1]].shape[1]
            macs += int(np.prod(out)) * k
    nparams = sum(int(v.size) for v in params.values())
    return nparams, macs


def main(argv):
    d = argv[1] if len(argv) > 1 else "examples/gesture"
    ok = True

    def check(cond, msg):
        nonlocal ok
        print(("ok    " if cond else "FAIL  ") + msg)
        ok = ok and bool(cond)

    x = np.fromfile(os.path.join(d, "test_inputs.bin"), "<f4")
    n = x.size // (128 * 3)
    check(x.size == n * 128 * 3 and n > 0, "test_inputs.bin: %d recordings of 128x3 float32" % n)
    x = x.reshape(n, 1, 128, 3)
    y = np.fromfile(os.path.join(d, "test_labels.bin"), np.uint8)
    ref = np.fromfile(os.path.join(d, "test_outputs_torch.bin"), "<f4").reshape(-1, 4)
    check(len(y) == n and len(ref) == n, "test_labels.bin, test_outputs_torch.bin: %d entries" % n)

    for name in ("gesture.onnx", "gesture_bn.onnx"):
        path = os.path.join(d, name)
        if not os.path.exists(path):
            if name == "gesture.onnx":
                check(False, "%s exists" % path)
            continue
        model = onnx.load(path)
        try:
            onnx.checker.check_model(model, full_check=True)
            check(True, "%s: onnx.checker (full_check) passes; opset %s, %d bytes" % (
                name, [o.version for o in model.opset_import], os.path.getsize(path)))
        except Exception as e:  # noqa: BLE001
            check(False, "%s: onnx.checker: %s" % (name, e))
            continue
        dims = lambda v: [dd.dim_value for dd in v.type.tensor_type.shape.dim]  # noqa: E731
        gi, go = model.graph.input, model.graph.output
        check(len(gi) == 1 and dims(gi[0]) == [1, 1, 128, 3] and gi[0].type.tensor_type.elem_type == 1,
              "%s: input %s float32 %s" % (name, gi[0].name, dims(gi[0])))
        check(len(go) == 1 and dims(go[0]) == [1, 4], "%s: output %s float32 %s" % (name, go[0].name, dims(go[0])))
        ops = [nd.op_type for nd in model.graph.node]
        check(set(ops) <= SUPPORTED, "%s: operators %s" % (
            name, ", ".join("%s x%d" % (o, ops.count(o)) for o in sorted(set(ops)))))
        params = load_params(model)
        nparams, macs = count(model, params)
        print("      %s: %d parameters in initializers, %d MACs" % (name, nparams, macs))

        variants = [("as stored", model, params)]
        if "BatchNormalization" in ops:
            variants.append(("BatchNormalization folded into Conv", *fold_batchnorm(model, params)))
        for label, m, p in variants:
            out = np.stack([run(m, p, x[i:i + 1])[0] for i in range(n)])
            diff = np.abs(out - ref).max()
            check(diff <= TOL, "%s (%s): numpy vs PyTorch outputs, max |diff| %.2e (tolerance %g)" % (
                name, label, diff, TOL))
            if label == "as stored" and name == "gesture.onnx":
                check(np.allclose(out.sum(1), 1, atol=1e-6), "gesture.onnx: outputs are probabilities (rows sum to 1)")
                acc = (out.argmax(1) == y).mean()
                print("      accuracy on test_labels.bin: %.2f%% (%d/%d)" % (100 * acc, (out.argmax(1) == y).sum(), n))
    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
