#!/usr/bin/python3
"""Synthetic 3-axis accelerometer recordings of hand gestures (the tinyaot gesture demo).

THE DATA ARE SYNTHETIC. No recording in this data set was made with a real sensor: every
window is computed from a simulated pen trajectory, so a model trained on it has learned this
generator, not real users. The numbers it reports (accuracy, confusion matrix) measure how
separable the simulated classes are, and stand in for a real data set only in shape and scale.

What a window is: 128 samples at 25 Hz (5.12 s) of x, y, z acceleration in units of g
(1 g = 9.80665 m/s^2), as a wrist- or wand-mounted MEMS accelerometer reports it: the specific
force f = R^T (a - g_vec), i.e. gravity included (a device at rest reads +1 g "up" in its own
frame). Array layout: float32 [N][128][3], row = time, column = axis.

Classes (label ids):
  0 wing      a "W" drawn in the air: four straight strokes (down, up, down, up)
  1 ring      a circle ("O"), clockwise as seen by the user in 3 of 4 recordings
  2 slope     an L-shaped stroke: a first stroke down (from vertical to diagonal down-left),
              then a horizontal stroke to the right (the magic-wand "slope")
  3 negative  anything else, in these proportions: rest, held or lying at any orientation
              (12 %); random arm motion (20 %); shaking at 2.5-8 Hz (15 %); wrist turns between
              poses (13 %); distractor strokes (40 %): open arcs of 60-200 degrees, one to three
              random strokes (two strokes are never a slope), two or three of the four strokes
              of a W

How a gesture window is made (the physics):
  1. A 2-D pen path in the drawing plane (x right, z up, in metres) from the class template:
     vertices jittered per recording (a user never draws the same W twice), size (0.12-0.5 m)
     and aspect ratio random; circle start angle, direction, ellipticity, radius wobble and
     closure (0.92-1.15 turns) random.
  2. Timing as a human draws: each stroke is a minimum-jerk sub-movement (Flash & Hogan);
     consecutive strokes overlap by 0-25 %, which rounds the corners; stroke durations follow
     stroke length with jitter; the whole gesture lasts 0.6-3.0 s, scaled with its size
     (bigger drawings are slower), at a random start offset in the window (up to 5 % of the
     gesture may fall outside it); the hand rests, with sway, before and after.
  3. The drawing plane is tilted (+-20 deg) and the hand wobbles slowly in depth; hand
     tremor (8-12 Hz, amplitude-modulated, 0.02-0.25 mm) and slow postural sway are added to
     the position; in 30 % of the recordings the body moves too (smooth random displacement,
     0.5-3 cm, below ~1.2 Hz).
  4. Acceleration is the second time derivative of that position (finite differences at
     200 Hz), smoothed (the arm and the sensor's own low-pass filter), in m/s^2.
  5. Orientation: the device sits in the hand at a random orientation around a nominal pose
     (roll +-50 deg, pitch +-45 deg, yaw +-35 deg), and it turns while drawing: it points
     roughly at the pen (pitch follows the pen height, yaw its sideways position, 0.3-2.5 rad
     per metre, i.e. anywhere from arm-drawn to wrist-drawn), twists a little (roll) and
     drifts slowly. Gravity (magnitude 1 g +-2 %, i.e. calibration error) is projected into
     this moving sensor frame, so the same gesture shows up differently on x, y, z.
  6. Sensor: per-axis scale error (+-3 %), per-axis bias (+-0.06 g), averaging down to
     25 Hz (the output-data-rate filter, with a random phase), white noise (0.004-0.04 g),
     full-scale clipping (+-2, 4 or 8 g) and quantisation to a 12-bit LSB of that range.

What it does NOT model (differences from a real data set):
  - real people: no recorded user, no left-handers drawing mirrored shapes, no fatigue, no
    change of style within a session, no gait model (body motion is smooth random motion);
  - the arm's kinematics: the device is a rigid body whose translation and rotation are
    simulated separately; there is no lever arm (centripetal and tangential acceleration of a
    wand tip swung from the wrist), no gyroscope, no magnetometer;
  - sensor non-idealities beyond scale, bias, noise, clipping and quantisation: no
    temperature drift, no cross-axis sensitivity, no dropped or duplicated samples, no
    clock jitter, no vibration from the environment;
  - the capture pipeline: windows are always full (no zero-filled history as in the TFLM
    magic-wand example, whose data are also in milli-g rather than g);
  - negative class coverage: real "not a gesture" data is unbounded; here it is the kinds
    of motion listed above.

Splits use different seeds (SPLIT_SEEDS), each with its own numpy Generator, so no split
shares generator state with another.

Usage:
  /usr/bin/python3 tools/gesture/generate.py --split test --per-class 2 --csv-dir DIR
      writes DIR/<class>_<k>.csv (t_s,x_g,y_g,z_g) for plotting
  /usr/bin/python3 tools/gesture/generate.py --split train --per-class 500 --npz out.npz
  /usr/bin/python3 tools/gesture/generate.py --split train --per-class 4000 --count 200 \
      --bin examples/gesture/calib_inputs.bin
      the calibration set of the demo: the first 200 recordings of the training split exactly as
      train.py generates it (its default --train-per-class 4000), raw float32
  /usr/bin/python3 tools/gesture/generate.py --stats
Needs numpy only.
"""

import argparse
import os
import sys

import numpy as np

CLASSES = ("wing", "ring", "slope", "negative")
FS = 25.0            # output sample rate, Hz
N_SAMPLES = 128      # samples per window
OVERSAMPLE = 8       # internal simulation at 200 Hz
FS_HI = FS * OVERSAMPLE
N_HI = N_SAMPLES * OVERSAMPLE
G0 = 9.80665         # m/s^2 per g
SPLIT_SEEDS = {"train": 71001, "val": 72002, "test": 73003}

T_HI = np.arange(N_HI) / FS_HI


# ---------------------------------------------------------------- small helpers

def gaussian_smooth(x, sigma_s, axis=0):
    """Smooth along `axis` with a Gaussian of sigma `sigma_s` seconds (edge-padded)."""
    sigma = sigma_s * FS_HI
    if sigma < 0.3:
        return x
    half = int(np.ceil(4 * sigma))
    k = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    k /= k.sum()
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, 0)
    pad = np.concatenate([np.repeat(x[:1], half, 0), x, np.repeat(x[-1:], half, 0)], 0)
    flat = pad.reshape(pad.shape[0], -1)
    out = np.stack([np.convolve(flat[:, j], k, mode="valid") for j in range(flat.shape[1])], 1)
    return np.moveaxis(out.reshape((x.shape[0],) + x.shape[1:]), 0, axis)


def smooth_noise(rng, cutoff_hz, dims=1):
    """Band-limited random signal (N_HI x dims), zero mean, unit std per dim: white noise
    through a Gaussian low-pass (sigma 1 / (2 pi cutoff)), filtered in the frequency domain
    over twice the window length, then cropped (so the ends do not wrap around)."""
    n = 2 * N_HI
    w = rng.standard_normal((n, dims))
    sigma = 1.0 / (2 * np.pi * cutoff_hz)
    f = np.fft.rfftfreq(n, 1 / FS_HI)
    s = np.fft.irfft(np.fft.rfft(w, axis=0) * np.exp(-0.5 * (2 * np.pi * f * sigma) ** 2)[:, None],
                     n, axis=0)[:N_HI]
    s -= s.mean(0)
    s /= s.std(0) + 1e-12
    return s


def min_jerk(tau):
    """Minimum-jerk position profile 0 -> 1 for tau in [0, 1] (clamped outside)."""
    tau = np.clip(tau, 0.0, 1.0)
    return tau ** 3 * (10 - 15 * tau + 6 * tau ** 2)


def rot_xyz(ax, ay, az):
    """Rotation matrices R = Rz(az) Ry(ay) Rx(ax); angles in radians, scalars or arrays (n,)."""
    ax, ay, az = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (ax, ay, az)))
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    r = np.empty(ax.shape + (3, 3))
    r[..., 0, 0] = cz * cy
    r[..., 0, 1] = cz * sy * sx - sz * cx
    r[..., 0, 2] = cz * sy * cx + sz * sx
    r[..., 1, 0] = sz * cy
    r[..., 1, 1] = sz * sy * sx + cz * cx
    r[..., 1, 2] = sz * sy * cx - cz * sx
    r[..., 2, 0] = -sy
    r[..., 2, 1] = cy * sx
    r[..., 2, 2] = cy * cx
    return r


def random_rotation(rng):
    """Uniformly random 3-D rotation (device lying anywhere)."""
    q = rng.standard_normal(4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def deg(lo, hi, rng):
    return np.deg2rad(rng.uniform(lo, hi))


# ---------------------------------------------------------------- pen paths (2-D, metres)

def strokes_path(rng, verts, duration, start):
    """Superposition of minimum-jerk strokes through `verts` (k x 2), in the drawing plane.

    Stroke durations follow stroke length^0.6 with +-20 % jitter; consecutive strokes overlap
    by 0-25 % (corner rounding). Returns (N_HI x 2) positions relative to verts[0].
    """
    d = np.diff(verts, axis=0)
    lens = np.linalg.norm(d, axis=1)
    w = lens ** 0.6 * rng.uniform(0.8, 1.2, len(lens))
    overlap = rng.uniform(0.0, 0.25)
    # total time = sum(T) - overlap * sum(T[1:]) = duration
    scale = duration / (w.sum() - overlap * w[1:].sum())
    durs = w * scale
    p = np.zeros((N_HI, 2))
    t0 = start
    for i in range(len(d)):
        p += np.outer(min_jerk((T_HI - t0) / durs[i]), d[i])
        t0 += durs[i] * (1 - overlap)
    return p


def path_wing(rng, size):
    width = size * rng.uniform(0.9, 1.5)
    height = size * rng.uniform(0.5, 0.9)
    mid = rng.uniform(0.25, 1.0)                     # height of the middle peak
    v = np.array([[-0.5, 1.0], [-0.25, 0.0], [0.0, mid], [0.25, 0.0], [0.5, 1.0]])
    v[:, 0] += rng.uniform(-0.08, 0.08, 5)
    v[:, 1] += rng.uniform(-0.15, 0.15, 5)
    v *= [width, height]
    return v


def path_slope(rng, size):
    height = size * rng.uniform(0.6, 1.0)
    width = size * rng.uniform(0.5, 1.0)
    top_x = rng.uniform(0.0, 0.7) * height           # 0: a vertical L, 0.7: a diagonal
    v = np.array([[top_x, height], [0.0, 0.0], [width, 0.0]])
    v[1:] += rng.uniform(-0.04, 0.04, (2, 2)) * size
    v[2, 1] += rng.uniform(-0.12, 0.12) * width      # bottom stroke not quite level
    return v


def ring_path(rng, size, duration, start, sweep=None):
    r = 0.5 * size * rng.uniform(0.7, 1.1)
    aspect = rng.uniform(0.75, 1.3)
    theta0 = np.deg2rad(90 + rng.uniform(-50, 50))   # start near the top
    direction = -1.0 if rng.uniform() < 0.75 else 1.0  # clockwise mostly
    if sweep is None:
        sweep = 2 * np.pi * rng.uniform(0.92, 1.15)  # under- or over-closed
    th = theta0 + direction * sweep * min_jerk((T_HI - start) / duration)
    rr = r * (1 + 0.08 * smooth_noise(rng, 1.0)[:, 0])
    p = np.stack([aspect * rr * np.cos(th), rr * np.sin(th) / aspect], 1)
    return p - p[0]


# ---------------------------------------------------------------- world -> sensor

def hold_orientation(rng):
    """Angles of the device in the hand around a nominal pose (plausible range)."""
    return deg(-50, 50, rng), deg(-45, 45, rng), deg(-35, 35, rng)


def rest_motion(rng, held=True):
    """Postural sway and hand tremor (positions, N_HI x 3, metres)."""
    if not held:
        return np.zeros((N_HI, 3))
    sway = smooth_noise(rng, rng.uniform(0.3, 1.0), 3) * rng.uniform(0.001, 0.006)
    f = rng.uniform(8.0, 12.0) + 0.3 * smooth_noise(rng, 0.5)[:, 0]
    phase = 2 * np.pi * np.cumsum(f) / FS_HI + rng.uniform(0, 2 * np.pi)
    env = np.clip(1 + 0.4 * smooth_noise(rng, 0.7)[:, 0], 0.2, None)
    amp = rng.uniform(0.00002, 0.00025)
    direction = rng.standard_normal(3)
    direction /= np.linalg.norm(direction)
    trem = (amp * env * np.sin(phase))[:, None] * (0.6 * direction + 0.4 * rng.standard_normal(3))
    return sway + trem


def sense(rng, pos, rot):
    """Accelerometer output (N_SAMPLES x 3, g) for world positions pos (N_HI x 3, m)
    and device-to-world rotations rot (N_HI x 3 x 3)."""
    pos = gaussian_smooth(pos, 0.004)
    acc = np.gradient(np.gradient(pos, 1 / FS_HI, axis=0), 1 / FS_HI, axis=0)
    acc = gaussian_smooth(acc, rng.uniform(0.008, 0.02))       # arm + sensor low-pass
    gmag = rng.uniform(0.98, 1.02)
    f_world = acc / G0 + np.array([0.0, 0.0, gmag])             # specific force, g
    f_dev = np.einsum("nji,nj->ni", rot, f_world)               # R^T f
    f_dev = f_dev * rng.uniform(0.97, 1.03, 3) + rng.uniform(-0.06, 0.06, 3)
    # ODR filter: average OVERSAMPLE samples per output sample, random phase
    shift = rng.integers(0, OVERSAMPLE)
    f_dev = np.roll(f_dev, -shift, axis=0)
    f_dev[N_HI - shift:] = f_dev[N_HI - shift - 1]
    out = f_dev.reshape(N_SAMPLES, OVERSAMPLE, 3).mean(1)
    out += rng.standard_normal(out.shape) * rng.uniform(0.004, 0.04)
    full_scale = rng.choice([2.0, 4.0, 8.0], p=[0.2, 0.6, 0.2])
    lsb = 2 * full_scale / 4096.0                                # 12-bit output
    out = np.clip(np.round(out / lsb) * lsb, -full_scale, full_scale - lsb)
    return out.astype(np.float32)


def drawn(rng, path2d):
    """Embed a 2-D pen path in 3-D, add hand motion and orientation, return sensor data."""
    tilt_x, tilt_z = deg(-20, 20, rng), deg(-20, 20, rng)
    plane = rot_xyz(tilt_x, 0.0, tilt_z)
    p3 = np.stack([path2d[:, 0], np.zeros(N_HI), path2d[:, 1]], 1) @ plane.T
    p3[:, 1] += smooth_noise(rng, 0.8)[:, 0] * rng.uniform(0.005, 0.03)   # depth wobble
    p3 += rest_motion(rng)
    if rng.uniform() < 0.3:                                      # the body moves too
        p3 += smooth_noise(rng, rng.uniform(0.3, 1.2), 3) * rng.uniform(0.005, 0.03)
    # orientation: in-hand pose + wrist pivot + slow drift. The device points (along world y)
    # roughly at the pen: pen up -> pitch up (about x), pen right -> yaw right (about -z), by
    # how much depends on how much the user draws with the wrist rather than the arm; a
    # sideways move also twists the wrist a little (roll about y, either sign).
    r0, p0, y0 = hold_orientation(rng)
    rel = p3 - p3.mean(0)
    pitch_gain, yaw_gain = rng.uniform(0.3, 2.5, 2)               # rad per metre
    roll_gain = rng.uniform(-0.8, 0.8)
    drift = smooth_noise(rng, 0.4, 3) * np.deg2rad(rng.uniform(1, 6))
    ax = r0 + pitch_gain * rel[:, 2] + drift[:, 0]
    ay = p0 + roll_gain * rel[:, 0] + drift[:, 1]
    az = y0 - yaw_gain * rel[:, 0] + drift[:, 2]
    return sense(rng, p3, rot_xyz(ax, ay, az))


def timing(rng, size, base):
    """Gesture duration (bigger is slower) and start offset, seconds. Up to 5 % of the
    gesture may fall outside the window (start or end cut off)."""
    dur = base * (size / 0.35) ** 0.5 * rng.uniform(0.6, 1.5)
    dur = float(np.clip(dur, 0.6, 3.0))
    start = rng.uniform(-0.05 * dur, N_SAMPLES / FS - 0.95 * dur)
    return dur, start


# ---------------------------------------------------------------- classes

def make_wing(rng):
    size = rng.uniform(0.15, 0.5)
    dur, start = timing(rng, size, 2.0)
    return drawn(rng, strokes_path(rng, path_wing(rng, size), dur, start))


def make_ring(rng):
    size = rng.uniform(0.12, 0.45)
    dur, start = timing(rng, size, 1.5)
    return drawn(rng, ring_path(rng, size, dur, start))


def make_slope(rng):
    size = rng.uniform(0.15, 0.5)
    dur, start = timing(rng, size, 1.4)
    return drawn(rng, strokes_path(rng, path_slope(rng, size), dur, start))


def looks_like_slope(verts):
    d = np.diff(verts, axis=0)
    if len(d) != 2:
        return False
    a1 = np.degrees(np.arctan2(d[0, 1], d[0, 0])) % 360
    a2 = np.degrees(np.arctan2(d[1, 1], d[1, 0])) % 360
    return 200 <= a1 <= 300 and (a2 <= 40 or a2 >= 320)


def make_negative(rng):
    """Returns (recording, kind of negative)."""
    kind = rng.choice(["rest", "random", "shake", "turn", "stroke"],
                      p=[0.12, 0.2, 0.15, 0.13, 0.4])
    if kind == "rest":
        held = rng.uniform() < 0.6
        if held:
            r0, p0, y0 = hold_orientation(rng)
            rot = rot_xyz(r0, p0, y0)
        else:
            rot = random_rotation(rng)
        rot = np.broadcast_to(rot, (N_HI, 3, 3))
        return sense(rng, rest_motion(rng, held), rot), "rest"
    if kind == "random":
        # reaching, waving, carrying: band-limited motion with a changing orientation
        pos = smooth_noise(rng, rng.uniform(0.3, 2.0), 3) * rng.uniform(0.03, 0.3)
        pos += rest_motion(rng)
        r0, p0, y0 = hold_orientation(rng)
        ang = smooth_noise(rng, rng.uniform(0.2, 1.0), 3) * np.deg2rad(rng.uniform(5, 45))
        return sense(rng, pos, rot_xyz(r0 + ang[:, 0], p0 + ang[:, 1], y0 + ang[:, 2])), "random"
    if kind == "shake":
        f = rng.uniform(2.5, 8.0)
        acc_peak = rng.uniform(0.4, 3.0) * G0
        amp = acc_peak / (2 * np.pi * f) ** 2
        dur = rng.uniform(0.5, 3.5)
        start = rng.uniform(0.0, N_SAMPLES / FS - dur)
        env = min_jerk((T_HI - start) / 0.2) * (1 - min_jerk((T_HI - start - dur + 0.2) / 0.2))
        direction = rng.standard_normal(3)
        direction /= np.linalg.norm(direction)
        pos = np.outer(amp * env * np.sin(2 * np.pi * f * T_HI + rng.uniform(0, 6.3)), direction)
        pos += rest_motion(rng)
        r0, p0, y0 = hold_orientation(rng)
        wob = np.deg2rad(rng.uniform(0, 25)) * env * np.sin(2 * np.pi * f * T_HI + rng.uniform(0, 6.3))
        return sense(rng, pos, rot_xyz(r0 + wob, p0 + 0.5 * wob, y0)), "shake"
    if kind == "turn":
        # wrist turns between poses: gravity moves between axes, little translation
        n = rng.integers(1, 4)
        angles = np.zeros((N_HI, 3))
        for _ in range(n):
            t0 = rng.uniform(0, N_SAMPLES / FS - 0.4)
            td = rng.uniform(0.3, 1.5)
            angles += np.outer(min_jerk((T_HI - t0) / td), np.deg2rad(rng.uniform(-90, 90, 3)))
        r0, p0, y0 = hold_orientation(rng)
        pos = rest_motion(rng) + smooth_noise(rng, 1.0, 3) * rng.uniform(0.0, 0.03)
        return sense(rng, pos, rot_xyz(r0 + angles[:, 0], p0 + angles[:, 1], y0 + angles[:, 2])), "turn"
    # distractor strokes: an open arc, one to three random strokes (two strokes are never a
    # slope), or part of a W (two or three of its four strokes)
    size = rng.uniform(0.12, 0.5)
    sub = rng.uniform()
    if sub < 0.25:
        dur, start = timing(rng, size, 1.0)
        return drawn(rng, ring_path(rng, size, dur * 0.6, start, sweep=np.deg2rad(rng.uniform(60, 200)))), "arc"
    if sub >= 0.85:
        n = rng.integers(2, 4)
        v = path_wing(rng, size)
        v = v[:n + 1] if rng.uniform() < 0.5 else v[4 - n:]
        dur, start = timing(rng, size, 0.5 * n)
        return drawn(rng, strokes_path(rng, v, dur, start)), "partial_wing"
    k = 2 if sub < 0.45 else 3 if sub < 0.7 else 4
    while True:
        verts = np.cumsum(np.vstack([np.zeros(2), rng.uniform(-1, 1, (k - 1, 2))]), 0) * size
        if np.all(np.linalg.norm(np.diff(verts, axis=0), axis=1) > 0.3 * size) and not looks_like_slope(verts):
            break
    dur, start = timing(rng, size, 0.6 * (k - 1))
    return drawn(rng, strokes_path(rng, verts, dur, start)), "strokes%d" % (k - 1)


MAKERS = (make_wing, make_ring, make_slope, make_negative)


def generate(per_class, seed, with_kind=False):
    """Balanced, shuffled set: X float32 [4*per_class, 128, 3] in g, y uint8 [4*per_class]
    (and, with_kind, the kind of each recording: the class name, or the kind of negative)."""
    rng = np.random.default_rng(seed)
    xs, ys, kinds = [], [], []
    for label, make in enumerate(MAKERS):
        for _ in range(per_class):
            r = make(rng)
            r, kind = r if isinstance(r, tuple) else (r, CLASSES[label])
            xs.append(r)
            ys.append(label)
            kinds.append(kind)
    x = np.stack(xs).astype(np.float32)
    y = np.array(ys, dtype=np.uint8)
    order = rng.permutation(len(y))
    if with_kind:
        return x[order], y[order], np.array(kinds)[order]
    return x[order], y[order]


def generate_split(split, per_class, with_kind=False):
    return generate(per_class, SPLIT_SEEDS[split], with_kind)


def write_csv(path, rec):
    with open(path, "w") as f:
        f.write("t_s,x_g,y_g,z_g\n")
        for i, (x, y, z) in enumerate(rec):
            f.write("%.2f,%.4f,%.4f,%.4f\n" % (i / FS, x, y, z))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=sorted(SPLIT_SEEDS), default="test")
    ap.add_argument("--per-class", type=int, default=2)
    ap.add_argument("--csv-dir", help="write the first --per-class recordings of each class as CSV")
    ap.add_argument("--npz", help="write X (float32 [N,128,3], g) and y (uint8) to this .npz")
    ap.add_argument("--bin", help="write the first --count recordings, in split order, as raw "
                    "float32 little-endian [N,128,3] (a calibration set for tinyaot quantize)")
    ap.add_argument("--count", type=int, default=200, help="recordings --bin writes")
    ap.add_argument("--stats", action="store_true", help="print per-class statistics")
    a = ap.parse_args(argv)
    x, y = generate_split(a.split, a.per_class)
    if a.csv_dir:
        os.makedirs(a.csv_dir, exist_ok=True)
        for c, name in enumerate(CLASSES):
            for k, i in enumerate(np.flatnonzero(y == c)):
                p = os.path.join(a.csv_dir, "%s_%d.csv" % (name, k))
                write_csv(p, x[i])
                print(p)
    if a.npz:
        np.savez_compressed(a.npz, X=x, y=y)
        print("%s: X %s y %s" % (a.npz, x.shape, y.shape))
    if a.bin:
        if not 0 < a.count <= len(y):
            raise SystemExit("--count must be between 1 and %d" % len(y))
        x[: a.count].astype("<f4").tofile(a.bin)
        print("%s: %d recordings of %s, classes %s" % (
            a.bin, a.count, a.split, np.bincount(y[: a.count], minlength=len(CLASSES)).tolist()))
    if a.stats or not (a.csv_dir or a.npz or a.bin):
        for c, name in enumerate(CLASSES):
            xc = x[y == c]
            dyn = np.linalg.norm(xc, axis=2) - 1.0
            print("%-9s n=%4d mean %s  std %s  |a|-1 g: p95 %.2f max %.2f" % (
                name, len(xc), np.round(xc.mean((0, 1)), 2), np.round(xc.std((0, 1)), 2),
                np.percentile(np.abs(dyn), 95), np.abs(dyn).max()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
