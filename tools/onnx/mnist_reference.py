#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reference outputs of the ONNX model zoo's MNIST (mnist1_cntk2018.onnx) for its three test
cases, computed with PyTorch, independently of tinyaot.

Run with Debian's interpreter and python3-torch (python3-onnx is not needed: the model is read
by the small protobuf reader below):
    /usr/bin/python3 tools/onnx/mnist_reference.py ../shared/models tests/data/onnx

Reads MODELS/onnx/mnist1_cntk2018.onnx and MODELS/testdata/mnist1_cntk2018_test_data_K.npz
(inputs.npy: the 28x28 image as int32 0..255; outputs.npy: the one-hot label) and writes
    mnist1_cntk2018_output_K.bin   the model's 10 scores for case K, float32, little endian
by evaluating the graph node by node with the ONNX semantics of the operators it uses (Conv
with auto_pad, Add with opset 1's axis broadcast, Relu, MaxPool, Reshape, MatMul, Div, Constant), in float32.
tests/onnx/mnist_npz.c compares tinyaot's generated code with them.
"""
import io
import os
import struct
import sys
import zipfile

import torch
import torch.nn.functional as F

N_CASES = 3


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field number, wire type, value) of a protobuf message; value is bytes for wire 2."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 1:
            v = b[i:i + 8]
            i += 8
        elif w == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif w == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % w)
        yield f, w, v


def ints(w, v):
    """A repeated int64 field, packed (wire 2) or not."""
    if w == 0:
        return [v - (1 << 64) if v >= 1 << 63 else v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x - (1 << 64) if x >= 1 << 63 else x)
    return out


def tensor(b):
    dims, dt, name, raw, floats, i64 = [], 0, "", None, [], []
    for f, w, v in fields(b):
        if f == 1:
            dims += ints(w, v)
        elif f == 2:
            dt = v
        elif f == 8:
            name = v.decode()
        elif f == 9:
            raw = v
        elif f == 4:
            floats += list(struct.unpack("<%df" % (len(v) // 4), v)) if w == 2 else \
                [struct.unpack("<f", v)[0]]
        elif f == 7:
            i64 += ints(w, v)
    if dt == 1:  # FLOAT
        vals = list(struct.unpack("<%df" % (len(raw) // 4), raw)) if raw is not None else floats
        t = torch.tensor(vals, dtype=torch.float32)
    elif dt == 7:  # INT64
        vals = list(struct.unpack("<%dq" % (len(raw) // 8), raw)) if raw is not None else i64
        t = torch.tensor(vals, dtype=torch.int64)
    else:
        raise ValueError("tensor %s: data type %d" % (name, dt))
    return name, t.reshape(dims)


def attribute(b):
    name, val = "", None
    ints_ = []
    for f, w, v in fields(b):
        if f == 1:
            name = v.decode()
        elif f == 2:
            val = struct.unpack("<f", v)[0]
        elif f == 3:
            val = v - (1 << 64) if v >= 1 << 63 else v
        elif f == 4:
            val = v.decode()
        elif f == 5:
            val = tensor(v)[1]
        elif f == 8:
            ints_ += ints(w, v)
    return name, ints_ if ints_ else val


def node(b):
    n = {"in": [], "out": [], "op": "", "attr": {}}
    for f, w, v in fields(b):
        if f == 1:
            n["in"].append(v.decode())
        elif f == 2:
            n["out"].append(v.decode())
        elif f == 4:
            n["op"] = v.decode()
        elif f == 5:
            k, a = attribute(v)
            n["attr"][k] = a
    return n


def load(path):
    graph = next(v for f, w, v in fields(open(path, "rb").read()) if f == 7)
    nodes, inits, inputs, outputs = [], {}, [], []
    for f, w, v in fields(graph):
        if f == 1:
            nodes.append(node(v))
        elif f == 5:
            k, t = tensor(v)
            inits[k] = t
        elif f == 11:
            inputs.append(next(x for g, _, x in fields(v) if g == 1).decode())
        elif f == 12:
            outputs.append(next(x for g, _, x in fields(v) if g == 1).decode())
    return nodes, inits, [i for i in inputs if i not in inits], outputs


def same_pads(size, k, s, upper):
    """auto_pad SAME_UPPER / SAME_LOWER: total padding, the extra one at the end (upper)."""
    out = (size + s - 1) // s
    total = max(0, (out - 1) * s + k - size)
    return (total // 2, total - total // 2) if upper else (total - total // 2, total // 2)


def pad_for(x, n, kernel):
    strides = n["attr"].get("strides", [1] * len(kernel))
    auto = n["attr"].get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        hp = same_pads(x.shape[2], kernel[0], strides[0], auto == "SAME_UPPER")
        wp = same_pads(x.shape[3], kernel[1], strides[1], auto == "SAME_UPPER")
    else:
        p = n["attr"].get("pads", [0, 0, 0, 0])
        hp, wp = (p[0], p[2]), (p[1], p[3])
    return strides, (wp[0], wp[1], hp[0], hp[1])


def run(nodes, env):
    for n in nodes:
        a = [env[i] for i in n["in"] if i]
        op = n["op"]
        if op == "Constant":
            y = n["attr"]["value"]
        elif op == "Conv":
            k = list(a[1].shape[2:])
            strides, pad = pad_for(a[0], n, k)
            y = F.conv2d(F.pad(a[0], pad), a[1], a[2] if len(a) > 2 else None, stride=strides,
                         dilation=n["attr"].get("dilations", [1, 1]),
                         groups=n["attr"].get("group", 1))
        elif op == "MaxPool":
            k = n["attr"]["kernel_shape"]
            strides, pad = pad_for(a[0], n, k)
            y = F.max_pool2d(F.pad(a[0], pad, value=float("-inf")), k, strides)
        elif op == "Add":
            b = a[1]
            if n["attr"].get("broadcast") and "axis" in n["attr"]:
                # Opset 1: B's dimensions line up with A's from `axis` on.
                ax = n["attr"]["axis"]
                b = b.reshape([1] * ax + list(b.shape) + [1] * (a[0].dim() - ax - b.dim()))
            y = a[0] + b
        elif op == "Div":
            y = a[0] / a[1]
        elif op == "Relu":
            y = torch.relu(a[0])
        elif op == "MatMul":
            y = torch.matmul(a[0], a[1])
        elif op == "Reshape":
            # Opset 1 gives the shape as an attribute, later opsets as an input.
            shape = n["attr"]["shape"] if "shape" in n["attr"] else a[1].tolist()
            y = a[0].reshape([d if d != 0 else a[0].shape[i] for i, d in enumerate(shape)])
        else:
            raise ValueError("operator %s is not implemented here" % op)
        env[n["out"][0]] = y


def npy(b):
    hlen = struct.unpack("<H", b[8:10])[0]
    header = b[10:10 + hlen].decode()
    fmt = {"'<i4'": "i", "'<i8'": "q", "'<f4'": "f", "'<f8'": "d", "'|u1'": "B"}
    kind = next(v for k, v in fmt.items() if k in header)
    body = b[10 + hlen:]
    return list(struct.unpack("<%d%s" % (len(body) // struct.calcsize(kind), kind), body))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mnist_reference.py MODELS_DIR OUT_DIR")
    models, out = sys.argv[1], sys.argv[2]
    nodes, inits, inputs, outputs = load(os.path.join(models, "onnx", "mnist1_cntk2018.onnx"))
    assert len(inputs) == 1 and len(outputs) == 1, (inputs, outputs)
    for k in range(N_CASES):
        z = zipfile.ZipFile(os.path.join(models, "testdata",
                                         "mnist1_cntk2018_test_data_%d.npz" % k))
        x = torch.tensor(npy(z.read("inputs.npy")), dtype=torch.float32).reshape(1, 1, 28, 28)
        env = dict(inits)
        env[inputs[0]] = x
        with torch.no_grad():
            run(nodes, env)
        y = env[outputs[0]].reshape(-1)
        label = npy(z.read("outputs.npy"))
        print("case %d: scores %s, arg-max %d, label %d" % (
            k, [round(v, 3) for v in y.tolist()], int(y.argmax()), label.index(1)))
        with open(os.path.join(out, "mnist1_cntk2018_output_%d.bin" % k), "wb") as f:
            f.write(struct.pack("<%df" % y.numel(), *y.tolist()))


if __name__ == "__main__":
    main()
