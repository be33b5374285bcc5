#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Export small PyTorch models written the usual way, whose ONNX form computes shapes.

Run with Debian's interpreter and packages (python3-torch, python3-numpy, python3-onnx):
    /usr/bin/python3 tools/onnx/export_patterns.py tests/data/onnx

torch.onnx.export turns these idioms into shape arithmetic (Shape, Gather, Unsqueeze,
Slice, Cast, ConstantOfShape, Concat, Reshape of computed shapes) or into Slice / Split /
Gather of activations; tinyaot must fold the first kind at compile time and run the second.
The later patterns are the layers of issue 16's list that MCU-sized models use: HardSwish and
HardSigmoid (a MobileNetV3 block), x.mean((2, 3)), Resize (nearest and bilinear),
ConvTranspose, bidirectional LSTM (two layers) and GRU, GELU (Erf) with LayerNorm, and
PReLU, ELU and LogSoftmax.
Each pattern is exported at opsets 11, 13 and 17 (the forms differ: attributes become
inputs at 13). Writes into the output folder, for each PATTERN and OPSET:
    pat_PATTERN_oOPSET.onnx      the model
    pat_PATTERN_input.bin        one reference input, float32, little endian (shared by the
                                 opsets; the shape is in PATTERNS below)
    pat_PATTERN_output.bin       PyTorch's output for it, float32
The dynamic-batch pattern is exported with a symbolic batch axis and its input has batch 2:
it compiles only with --input-shape x=2,... (tests/onnx/patterns.sh gives it).
Weights are random but fixed (seeded).
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

OPSETS = (11, 13, 17)


class Pad(nn.Module):
    """F.pad with asymmetric pads between two convolutions."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 4, 3)
        self.c2 = nn.Conv2d(4, 3, 3)

    def forward(self, x):
        return self.c2(F.pad(torch.relu(self.c1(x)), (1, 2, 0, 1)))


class ZeroPad(nn.Module):
    """nn.ZeroPad2d in front of a convolution."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((2, 1, 1, 2))
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(self.pad(x))


class DynBatch(nn.Module):
    """A CNN classifier whose batch axis is dynamic in the export (x.view(x.size(0), -1))."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 5)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(x.view(x.size(0), -1))


class Flatten2(nn.Module):
    """flatten(start_dim=2): feature maps to a sequence, then a linear layer per position."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        y = torch.relu(self.conv(x)).flatten(start_dim=2)  # [N, 6, H*W]
        return self.fc(y.transpose(1, 2))


class Index(nn.Module):
    """y[:, 0, :] and y[:, -1] picks (class token, last step), and a strided crop y[:, 1:-1:2]."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 6)

    def forward(self, x):  # x: [N, T, 8]
        y = torch.tanh(self.fc(x))
        return torch.cat([y[:, 0, :] + y[:, -1], y[:, 1:-1:2].flatten(1)], dim=1)


class Chunk(nn.Module):
    """Gated linear unit with chunk, and a split into unequal parts."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 1)

    def forward(self, x):
        a, b = self.conv(x).chunk(2, dim=1)
        g = a * torch.sigmoid(b)
        p, q = torch.split(g, [1, 3], dim=1)
        return torch.cat([q, p * 2.0], dim=1)


class HardSwishSe(nn.Module):
    """A MobileNetV3 block: Hardswish, then squeeze-excite with mean and Hardsigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.act = nn.Hardswish()
        self.fc1 = nn.Conv2d(8, 4, 1)
        self.fc2 = nn.Conv2d(4, 8, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        y = self.act(self.conv(x))
        s = self.gate(self.fc2(torch.relu(self.fc1(y.mean((2, 3), keepdim=True)))))
        return y * s


class MeanPool(nn.Module):
    """Global pooling written x.mean((2, 3)), then a classifier."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


class Upsample(nn.Module):
    """A decoder: nearest and bilinear F.interpolate, and a ConvTranspose2d."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.up = nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1)
        self.out = nn.Conv2d(3, 2, 1)

    def forward(self, x):
        y = F.interpolate(torch.relu(self.conv(x)), scale_factor=2, mode="nearest")
        y = torch.relu(self.up(y))
        return self.out(F.interpolate(y, scale_factor=0.5, mode="bilinear", align_corners=False))


class BiLstm(nn.Module):
    """Two bidirectional LSTM layers (batch first), the last step's features classified."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 5, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(10, 3)

    def forward(self, x):  # x: [N, T, 6]
        y, _ = self.lstm(x)
        return self.fc(y[:, -1])


class BiGru(nn.Module):
    """A bidirectional GRU (time first), its final states of both directions classified."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6, bidirectional=True)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):  # x: [T, N, 4]
        y, h = self.gru(x)
        return torch.cat([self.fc(torch.cat([h[0], h[1]], dim=1)), y.mean(0)], dim=1)


class GeluNorm(nn.Module):
    """A transformer feed-forward block: LayerNorm, Linear, GELU (Erf), Linear, residual."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(8)
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 8)

    def forward(self, x):  # x: [N, T, 8]
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class Acts(nn.Module):
    """PReLU and ELU after convolutions, LogSoftmax at the end."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3)
        self.prelu = nn.PReLU(4)
        self.c2 = nn.Conv2d(4, 4, 3)
        self.fc = nn.Linear(4 * 2 * 2, 5)

    def forward(self, x):
        y = F.elu(self.c2(self.prelu(self.c1(x))), alpha=0.7)
        return F.log_softmax(self.fc(y.flatten(1)), dim=1)


# name: (module, input shape, dynamic axes or None)
PATTERNS = {
    "pad": (Pad, (1, 2, 7, 6), None),
    "zeropad": (ZeroPad, (1, 3, 5, 5), None),
    "dynbatch": (DynBatch, (2, 1, 8, 8), {"x": {0: "batch"}, "y": {0: "batch"}}),
    "flatten2": (Flatten2, (1, 3, 4, 5), None),
    "index": (Index, (1, 5, 8), None),
    "chunk": (Chunk, (1, 3, 4, 4), None),
    "hswish": (HardSwishSe, (1, 3, 5, 5), None),
    "mean": (MeanPool, (1, 3, 6, 6), None),
    "upsample": (Upsample, (1, 2, 4, 4), None),
    "lstm": (BiLstm, (1, 7, 6), None),
    "gru": (BiGru, (5, 1, 4), None),
    "gelu": (GeluNorm, (1, 3, 8), None),
    "acts": (Acts, (1, 3, 6, 6), None),
}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out_dir, exist_ok=True)
    for name, (cls, shape, dyn) in PATTERNS.items():
        torch.manual_seed(0)
        model = cls().eval()
        with torch.no_grad():  # PReLU's slopes start equal: make them differ
            for mod in model.modules():
                if isinstance(mod, nn.PReLU):
                    mod.weight.uniform_(-0.5, 0.5)
        x = torch.randn(*shape)
        with torch.no_grad():
            y = model(x)
        x.numpy().astype("<f4").tofile(os.path.join(out_dir, f"pat_{name}_input.bin"))
        y.numpy().astype("<f4").tofile(os.path.join(out_dir, f"pat_{name}_output.bin"))
        for opset in OPSETS:
            path = os.path.join(out_dir, f"pat_{name}_o{opset}.onnx")
            torch.onnx.export(model, x, path, opset_version=opset, input_names=["x"],
                              output_names=["y"], dynamic_axes=dyn)
        print(f"{name}: input {list(shape)}, output {list(y.shape)}")


if __name__ == "__main__":
    main()
