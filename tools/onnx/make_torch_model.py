#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Build a small CNN with PyTorch, export it to ONNX, and write reference data.

Run with Debian's interpreter and packages (python3-torch, python3-numpy, python3-onnx):
    /usr/bin/python3 tools/onnx/make_torch_model.py tests/data/onnx

Writes into the output folder:
    torch_cnn.onnx            the exported model (opset 13): Conv, BatchNormalization (after
                              a Conv, after a pooling and after a Gemm), Relu, MaxPool,
                              depthwise Conv, Clip (ReLU6), GlobalAveragePool, Flatten, Gemm,
                              Softmax
    torch_cnn_input_K.bin     reference inputs, float32 [1, 3, 16, 16], little endian
    torch_cnn_output_K.bin    PyTorch's outputs for them, float32 [1, 10]
The weights are random but fixed (seeded), and the batch-norm statistics are set to values
away from the identity so that folding them into the convolutions is exercised.
"""
import os
import sys

import numpy as np
import torch
from torch import nn

N_CASES = 3


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.bn_pool = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.pw = nn.Conv2d(8, 16, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(16, 12)
        self.bn_fc = nn.BatchNorm1d(12)
        self.fc2 = nn.Linear(12, 10)

    def forward(self, x):
        x = self.bn_pool(self.pool(torch.relu(self.bn1(self.conv1(x)))))
        x = nn.functional.relu6(self.bn2(self.dw(x)))
        x = torch.relu(self.pw(x))
        x = torch.flatten(self.gap(x), 1)
        x = torch.relu(self.bn_fc(self.fc1(x)))
        return torch.softmax(self.fc2(x), dim=1)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    model = SmallCnn()
    with torch.no_grad():
        for bn in (model.bn1, model.bn_pool, model.bn2, model.bn_fc):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
    model.eval()
    example = torch.randn(1, 3, 16, 16)
    path = os.path.join(out_dir, "torch_cnn.onnx")
    torch.onnx.export(model, example, path, opset_version=13, input_names=["image"],
                      output_names=["probabilities"], do_constant_folding=True,
                      training=torch.onnx.TrainingMode.PRESERVE)
    with torch.no_grad():
        for k in range(N_CASES):
            x = torch.randn(1, 3, 16, 16)
            y = model(x)
            x.numpy().astype("<f4").tofile(os.path.join(out_dir, f"torch_cnn_input_{k}.bin"))
            y.numpy().astype("<f4").tofile(os.path.join(out_dir, f"torch_cnn_output_{k}.bin"))
    print(f"wrote {path} and {N_CASES} reference cases")


if __name__ == "__main__":
    main()
