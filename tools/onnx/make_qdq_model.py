#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write a small quantized model in ONNX's QDQ form, and reference data for it.

Run with Debian's interpreter and packages (python3-numpy, python3-onnx):
    /usr/bin/python3 tools/onnx/make_qdq_model.py tests/data/onnx

The graph is what quantization tools (onnxruntime's quantize_static) emit: float input,
QuantizeLinear/DequantizeLinear around every tensor, int8 weights quantized per output
channel (Conv) or per tensor (Gemm), int32 biases at scale input_scale * weight_scale:
    x -> Q/DQ -> Conv(DQ(w), DQ(b)) -> Relu -> Q/DQ -> MaxPool -> Q/DQ -> Flatten
      -> Gemm(DQ(w2), DQ(b2)) -> Q/DQ -> y
tinyaot turns it into int8 CONV_2D, MAX_POOL_2D and FULLY_CONNECTED with TFLite's integer
arithmetic. The reference outputs are ONNX's float QDQ semantics (dequantize, compute in
float, quantize with ties to even), computed here with numpy; integer arithmetic may differ
from it by a quantization step, so the test compares within two steps of the output scale.

Writes qdq_cnn.onnx, qdq_cnn_input_K.bin (float32 [1,3,8,8]), qdq_cnn_output_K.bin
(float32 [1,10]) and prints the output scale.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

N_CASES = 3
rng = np.random.default_rng(7)


def quantize(x, scale, zp, lo=-128, hi=127):
    return np.clip(np.rint(x / scale) + zp, lo, hi).astype(np.int64)


def qdq(x, scale, zp):
    return ((quantize(x, scale, zp) - zp) * scale).astype(np.float32)


def conv2d(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, o, h, wd), np.float64)
    for i in range(h):
        for j in range(wd):
            patch = xp[:, :, i:i + kh, j:j + kw].astype(np.float64)
            out[:, :, i, j] = np.tensordot(patch, w.astype(np.float64), axes=([1, 2, 3], [1, 2, 3]))
    return (out + b.reshape(1, -1, 1, 1)).astype(np.float32)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out_dir, exist_ok=True)
    sx, zx = 0.02, 0
    w_f = rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32)
    sw = (np.abs(w_f).reshape(8, -1).max(axis=1) / 127).astype(np.float32)
    w_q = np.clip(np.rint(w_f / sw.reshape(8, 1, 1, 1)), -127, 127).astype(np.int8)
    b_q = rng.integers(-2000, 2000, 8).astype(np.int32)
    sb = (sx * sw).astype(np.float32)
    s1, z1 = 0.03, -128
    w2_f = rng.normal(0, 0.1, (10, 8 * 4 * 4)).astype(np.float32)
    sw2 = np.float32(np.abs(w2_f).max() / 127)
    w2_q = np.clip(np.rint(w2_f / sw2), -127, 127).astype(np.int8)
    b2_q = rng.integers(-500, 500, 10).astype(np.int32)
    sb2 = np.float32(s1 * sw2)
    s2, z2 = 0.05, 3

    inits = []

    def init(name, arr):
        t = numpy_helper.from_array(arr, name)
        inits.append(t)
        return name

    init("sx", np.array(sx, np.float32)), init("zx", np.array(zx, np.int8))
    init("w_q", w_q), init("sw", sw), init("zw", np.zeros(8, np.int8))
    init("b_q", b_q), init("sb", sb), init("zb", np.zeros(8, np.int32))
    init("s1", np.array(s1, np.float32)), init("z1", np.array(z1, np.int8))
    init("w2_q", w2_q), init("sw2", np.array(sw2, np.float32)), init("zw2", np.array(0, np.int8))
    init("b2_q", b2_q), init("sb2", np.array(sb2, np.float32)), init("zb2", np.array(0, np.int32))
    init("s2", np.array(s2, np.float32)), init("z2", np.array(z2, np.int8))
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["x_q"]),
        helper.make_node("DequantizeLinear", ["x_q", "sx", "zx"], ["x_dq"]),
        helper.make_node("DequantizeLinear", ["w_q", "sw", "zw"], ["w"], axis=0),
        helper.make_node("DequantizeLinear", ["b_q", "sb", "zb"], ["b"], axis=0),
        helper.make_node("Conv", ["x_dq", "w", "b"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("QuantizeLinear", ["r", "s1", "z1"], ["r_q"]),
        helper.make_node("DequantizeLinear", ["r_q", "s1", "z1"], ["r_dq"]),
        helper.make_node("MaxPool", ["r_dq"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("QuantizeLinear", ["p", "s1", "z1"], ["p_q"]),
        helper.make_node("DequantizeLinear", ["p_q", "s1", "z1"], ["p_dq"]),
        helper.make_node("Flatten", ["p_dq"], ["f"]),
        helper.make_node("DequantizeLinear", ["w2_q", "sw2", "zw2"], ["w2"]),
        helper.make_node("DequantizeLinear", ["b2_q", "sb2", "zb2"], ["b2"]),
        helper.make_node("Gemm", ["f", "w2", "b2"], ["g"], transB=1),
        helper.make_node("QuantizeLinear", ["g", "s2", "z2"], ["g_q"]),
        helper.make_node("DequantizeLinear", ["g_q", "s2", "z2"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "qdq_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="tinyaot make_qdq_model.py")
    model.ir_version = 7
    onnx.checker.check_model(model)
    path = os.path.join(out_dir, "qdq_cnn.onnx")
    onnx.save(model, path)

    w = (w_q.astype(np.float32) * sw.reshape(8, 1, 1, 1)).astype(np.float32)
    b = (b_q.astype(np.float32) * sb).astype(np.float32)
    w2 = (w2_q.astype(np.float32) * sw2).astype(np.float32)
    b2 = (b2_q.astype(np.float32) * sb2).astype(np.float32)
    for k in range(N_CASES):
        x = rng.normal(0, 1, (1, 3, 8, 8)).astype(np.float32)
        h = qdq(x, sx, zx)
        h = qdq(np.maximum(conv2d(h, w, b, 1), 0), s1, z1)
        h = h.reshape(1, 8, 4, 2, 4, 2).max(axis=(3, 5))
        h = qdq(h, s1, z1).reshape(1, -1)
        y = qdq((h.astype(np.float64) @ w2.T.astype(np.float64) + b2).astype(np.float32), s2, z2)
        x.astype("<f4").tofile(os.path.join(out_dir, f"qdq_cnn_input_{k}.bin"))
        y.astype("<f4").tofile(os.path.join(out_dir, f"qdq_cnn_output_{k}.bin"))
    print(f"wrote {path} and {N_CASES} reference cases; output scale {s2}")


if __name__ == "__main__":
    main()
