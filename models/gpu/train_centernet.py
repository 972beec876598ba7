#!/usr/bin/env python3
"""Optional accelerated trainer for the project's vehicle detector, on a CUDA machine with PyTorch.

The project trains its models with TF.js (`npm run train:detector`); nothing depends on this script. It exists
because a lent GPU trains the same network hundreds of times faster than the 2-core wasm trainer:

  1. reads a TF.js layers model (model.json + weights.bin) that the project wrote, e.g. the untrained network
     from `npm run train:detector -- --init-only --out DIR` or a trained one to continue from;
  2. builds the same network in PyTorch from its Keras topology (Conv2D, DepthwiseConv2D with TF "same" padding,
     BatchNormalization, ReLU, Add, UpSampling2D, Concatenate) and loads those weights;
  3. trains it on a simulator detector export (sim/EXPORT.md) with the TF.js trainer's examples (the scene's region
     of interest letterboxed, a jittered region, random crops of 30-100 % of the frame width), augmentation
     (flip, contrast, brightness, greyscale), CenterNet targets and loss (models/src/detector/targets.ts, loss.ts);
  4. writes weights.bin back in the TF.js layout next to an unchanged model.json, train-gpu.json (the run) and
     check-end.bin: the network's output on a fixed input, which `npm run train:detector -- --import DIR` compares
     with TF.js's before it takes the weights.

usage: python3 models/gpu/train_centernet.py --model DIR --data EXPORT/detector --out DIR [--minutes 8]
       python3 models/gpu/train_centernet.py --model DIR --data - --out - --check-only   (check-end.bin on the CPU)
"""
import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import roi_align

LABELS = ["motorbike", "car", "bus", "truck"]
CLASS_ALIASES = {"motorbike": "motorbike", "motorcycle": "motorbike", "car": "car", "taxi": "car", "bus": "bus", "truck": "truck"}
MAX_OCCLUDED = 0.7
MIN_VISIBLE_IN_VIEW = 0.5
CHECK_SHAPE = (1, 192, 320, 3)


def log(msg):
    print(f"[train:gpu {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- TF.js layers model <-> PyTorch ----------------------------------------------------------------------

def same_pad(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class KerasNet(nn.Module):
    """Runs a Keras functional topology (the layer kinds the project's networks use), NCHW inside."""

    def __init__(self, topology):
        super().__init__()
        cfg = topology["config"]
        self.order = []  # (name, kind, inbound names, options)
        self.mods = nn.ModuleDict()
        channels = {}
        for layer in cfg["layers"]:
            name, kind, c = layer["name"], layer["class_name"], layer["config"]
            inbound = [n[0] for n in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
            opts = {}
            if kind == "InputLayer":
                channels[name] = c["batch_input_shape"][3]
            elif kind in ("Conv2D", "DepthwiseConv2D"):
                if c.get("activation", "linear") != "linear" or c.get("dilation_rate", [1, 1]) != [1, 1]:
                    raise ValueError(f"{name}: only linear, undilated convolutions are supported")
                cin = channels[inbound[0]]
                k, s = c["kernel_size"], c["strides"]
                if kind == "Conv2D":
                    cout, groups = c["filters"], 1
                else:
                    cout, groups = cin * c.get("depth_multiplier", 1), cin
                self.mods[name] = nn.Conv2d(cin, cout, tuple(k), tuple(s), padding=0, groups=groups, bias=c["use_bias"])
                opts = {"k": k, "s": s, "same": c["padding"] == "same"}
                channels[name] = cout
            elif kind == "BatchNormalization":
                ch = channels[inbound[0]]
                self.mods[name] = nn.BatchNorm2d(ch, eps=c["epsilon"], momentum=1 - c["momentum"])
                channels[name] = ch
            elif kind == "ReLU":
                if c.get("max_value") is not None:
                    raise ValueError(f"{name}: capped ReLU is not supported")
                channels[name] = channels[inbound[0]]
            elif kind == "Add":
                channels[name] = channels[inbound[0]]
            elif kind == "UpSampling2D":
                if c.get("interpolation", "nearest") != "nearest":
                    raise ValueError(f"{name}: only nearest upsampling is supported")
                opts = {"size": c["size"]}
                channels[name] = channels[inbound[0]]
            elif kind == "Concatenate":
                if c["axis"] not in (-1, 3):
                    raise ValueError(f"{name}: only channel concatenation is supported")
                channels[name] = sum(channels[i] for i in inbound)
            else:
                raise ValueError(f"layer {name}: {kind} is not supported by this trainer")
            self.order.append((name, kind, inbound, opts))
        self.inputs = [n[0] for n in cfg["input_layers"]]
        self.outputs = [n[0] for n in cfg["output_layers"]]

    def forward(self, x):
        vals = {self.inputs[0]: x}
        for name, kind, inbound, opts in self.order:
            if kind == "InputLayer":
                continue
            a = vals[inbound[0]]
            if kind in ("Conv2D", "DepthwiseConv2D"):
                if opts["same"]:
                    (kh, kw), (sh, sw) = opts["k"], opts["s"]
                    top, bottom = same_pad(a.shape[2], kh, sh)
                    left, right = same_pad(a.shape[3], kw, sw)
                    if top or bottom or left or right:
                        a = F.pad(a, (left, right, top, bottom))
                y = self.mods[name](a)
            elif kind == "BatchNormalization":
                y = self.mods[name](a)
            elif kind == "ReLU":
                y = F.relu(a)
            elif kind == "Add":
                y = a
                for other in inbound[1:]:
                    y = y + vals[other]
            elif kind == "UpSampling2D":
                y = F.interpolate(a, scale_factor=tuple(opts["size"]), mode="nearest")
            elif kind == "Concatenate":
                y = torch.cat([vals[i] for i in inbound], dim=1)
            vals[name] = y
        return vals[self.outputs[0]]


def read_weights(model_dir, manifest):
    blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for group in manifest for p in group["paths"])
    return read_weights_blob(blob, manifest)


def read_weights_blob(blob, manifest):
    """name -> array from float32 weights laid out in the manifest's order."""
    out, offset = {}, 0
    for group in manifest:
        for w in group["weights"]:
            if w["dtype"] != "float32" or "quantization" in w:
                raise ValueError(f"{w['name']}: only float32 weights are supported")
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            out[w["name"]] = np.frombuffer(blob, dtype="<f4", count=n, offset=offset).reshape(w["shape"])
            offset += n * 4
    if offset != len(blob):
        raise ValueError(f"weights: {len(blob)} bytes, the manifest describes {offset}")
    return out


def tf_to_torch(net, weights):
    """Copies TF.js-layout weights into the network (kernels HWIO / HWC1 to OIHW)."""
    used = set()
    with torch.no_grad():
        for name, kind, _, _ in net.order:
            if kind == "Conv2D":
                m = net.mods[name]
                m.weight.copy_(torch.from_numpy(weights[f"{name}/kernel"].transpose(3, 2, 0, 1).copy()))
                used.add(f"{name}/kernel")
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy(weights[f"{name}/bias"].copy()))
                    used.add(f"{name}/bias")
            elif kind == "DepthwiseConv2D":
                m = net.mods[name]
                k = weights[f"{name}/depthwise_kernel"]  # [kh, kw, in, mult]
                m.weight.copy_(torch.from_numpy(k.transpose(2, 3, 0, 1).reshape(-1, 1, k.shape[0], k.shape[1]).copy()))
                used.add(f"{name}/depthwise_kernel")
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy(weights[f"{name}/bias"].copy()))
                    used.add(f"{name}/bias")
            elif kind == "BatchNormalization":
                m = net.mods[name]
                for tf_name, param in (("gamma", m.weight), ("beta", m.bias), ("moving_mean", m.running_mean), ("moving_variance", m.running_var)):
                    param.copy_(torch.from_numpy(weights[f"{name}/{tf_name}"].copy()))
                    used.add(f"{name}/{tf_name}")
    missing = set(weights) - used
    if missing:
        raise ValueError(f"weights not used by the topology: {sorted(missing)[:5]}")


def torch_to_tf(net, manifest):
    """The network's weights as one little-endian float32 blob in the manifest's order."""
    parts = []
    for group in manifest:
        for w in group["weights"]:
            layer, what = w["name"].rsplit("/", 1)
            m = net.mods[layer]
            if what == "kernel":
                a = m.weight.detach().cpu().numpy().transpose(2, 3, 1, 0)
            elif what == "depthwise_kernel":
                kh, kw = w["shape"][0], w["shape"][1]
                a = m.weight.detach().cpu().numpy().reshape(w["shape"][2], w["shape"][3], kh, kw).transpose(2, 3, 0, 1)
            elif what == "bias":
                a = m.bias.detach().cpu().numpy()
            else:
                a = {"gamma": m.weight, "beta": m.bias, "moving_mean": m.running_mean, "moving_variance": m.running_var}[what].detach().cpu().numpy()
            if list(a.shape) != list(w["shape"]):
                raise ValueError(f"{w['name']}: shape {a.shape} is not {w['shape']}")
            parts.append(np.ascontiguousarray(a, dtype="<f4").tobytes())
    return b"".join(parts)


def check_output(net, device):
    """Output (NHWC, flattened) on the fixed input x[i] = (i * 7919 mod 256) / 255 that the TF.js check uses."""
    n = int(np.prod(CHECK_SHAPE))
    x = ((np.arange(n, dtype=np.int64) * 7919) % 256).astype(np.float32) / 255
    x = torch.from_numpy(x.reshape(CHECK_SHAPE)).permute(0, 3, 1, 2).to(device)
    net.eval()
    tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False  # full float32, as TF.js computes
    with torch.no_grad():
        y = net(x).permute(0, 2, 3, 1).contiguous().cpu().numpy()
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32
    return y.astype("<f4").tobytes()


# ---- data -----------------------------------------------------------------------------------------------

def read_export(data_dir):
    frames = []
    for f in sorted(os.listdir(data_dir)):
        if not f.endswith(".jsonl"):
            continue
        for line in open(os.path.join(data_dir, f)):
            if not line.strip():
                continue
            o = json.loads(line)
            objs = []
            for b in o.get("boxes", o.get("objects", [])):
                label = CLASS_ALIASES.get(b["cls"])
                if label is None or b.get("occluded", 0) > MAX_OCCLUDED:
                    continue
                objs.append(list(b["box"]) + [LABELS.index(label)])
            frames.append({"image": os.path.join(data_dir, o["image"]), "w": o["width"], "h": o["height"],
                           "group": str(o.get("scenario", f)), "roi": o.get("roi") or [0, 0, o["width"], o["height"]], "objects": objs})
    if not frames:
        raise SystemExit(f"{data_dir}: no frames (expected labels.jsonl from `npm run sim -- export --what detector`)")
    return frames


def split_by_group(frames, fraction):
    """The TF.js trainer's split (models/src/detector/dataset.ts splitByGroup): every k-th scene to validation."""
    groups = sorted({f["group"] for f in frames})
    n_val = max(1, round(len(groups) * fraction))
    step = len(groups) / n_val
    val = {groups[int(i * step + step / 2)] for i in range(n_val)}
    return [f for f in frames if f["group"] not in val], [f for f in frames if f["group"] in val]


class GpuFrames:
    """All frames decoded once into GPU memory, with their boxes padded into one tensor."""

    def __init__(self, frames, device):
        sizes = {(f["w"], f["h"]) for f in frames}
        if len(sizes) != 1:
            raise SystemExit(f"frames of one size expected, got {sorted(sizes)[:3]}")
        self.W, self.H = sizes.pop()

        def load(f):
            img = cv2.imread(f["image"], cv2.IMREAD_COLOR)
            if img is None:
                raise SystemExit(f"cannot read {f['image']}")
            return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)

        with ThreadPoolExecutor(16) as pool:
            imgs = list(pool.map(load, frames))
        u8 = torch.from_numpy(np.stack(imgs)).to(device)  # N,H,W,3
        self.images = u8.permute(0, 3, 1, 2).float().contiguous()  # N,3,H,W, 0-255
        m = max(1, max(len(f["objects"]) for f in frames))
        obj = torch.zeros(len(frames), m, 6)
        for i, f in enumerate(frames):
            for j, o in enumerate(f["objects"]):
                obj[i, j, :5] = torch.tensor(o)
                obj[i, j, 5] = 1
        self.objects = obj.to(device)
        self.roi = torch.tensor([f["roi"] for f in frames], dtype=torch.float32, device=device)
        self.n = len(frames)


def views_for(kind, roi, W, H, aspect, gen):
    """View boxes [B,4] in image pixels: 0 = region of interest, 1 = jittered region, 2 = random crop."""
    b = roi.shape[0]
    dev = roi.device
    u = torch.rand(b, 5, device=dev, generator=gen)
    # jittered region of interest: ±20 % size, ±10 % shift
    s = 0.8 + 0.4 * u[:, 0]
    w = (roi[:, 2] - roi[:, 0]) * s
    h = (roi[:, 3] - roi[:, 1]) * s
    cx = (roi[:, 0] + roi[:, 2]) / 2 + (u[:, 1] - 0.5) * 0.2 * w
    cy = (roi[:, 1] + roi[:, 3]) / 2 + (u[:, 2] - 0.5) * 0.2 * h
    jit = torch.stack([(cx - w / 2).clamp(min=0), (cy - h / 2).clamp(min=0), (cx + w / 2).clamp(max=W), (cy + h / 2).clamp(max=H)], 1)
    # random crop of the model's aspect ratio, 30-100 % of the frame width
    cw = W * (0.3 + 0.7 * u[:, 3])
    ch = cw / aspect
    over = ch > H
    ch = torch.where(over, torch.full_like(ch, H), ch)
    cw = torch.where(over, ch * aspect, cw)
    x = u[:, 4] * (W - cw)
    y = torch.rand(b, device=dev, generator=gen) * (H - ch)
    crop = torch.stack([x, y, x + cw, y + ch], 1)
    k = kind.view(-1, 1)
    return torch.where(k == 0, roi, torch.where(k == 1, jit, crop))


def make_batch(data, idx, kind, mw, mh, gen, augment=True):
    """Model inputs [B,3,mh,mw] (0-1) and boxes in model pixels, as preprocess.ts letterboxes a view."""
    dev = data.images.device
    b = idx.shape[0]
    view = views_for(kind, data.roi[idx], data.W, data.H, mw / mh, gen)
    # clampRoi: whole pixels inside the image
    x1 = view[:, 0].floor().clamp(0, data.W - 1)
    y1 = view[:, 1].floor().clamp(0, data.H - 1)
    x2 = torch.maximum(x1 + 1, view[:, 2].ceil().clamp(max=data.W))
    y2 = torch.maximum(y1 + 1, view[:, 3].ceil().clamp(max=data.H))
    rw, rh = x2 - x1, y2 - y1
    s = torch.minimum(mw / rw, mh / rh)
    w = (rw * s).round().clamp(1, mw)
    h = (rh * s).round().clamp(1, mh)
    pad_x = ((mw - w) / 2).floor()
    pad_y = ((mh - h) / 2).floor()
    sx, sy = w / rw, h / rh
    # Sample the letterboxed canvas: model pixel p maps to image x1 + (p - pad) / scale.
    boxes = torch.stack([idx.float(), x1 - pad_x / sx, y1 - pad_y / sy,
                         x1 + (mw - pad_x) / sx, y1 + (mh - pad_y) / sy], 1)
    img = roi_align(data.images, boxes, output_size=(mh, mw), spatial_scale=1.0, sampling_ratio=2, aligned=True)
    cols = torch.arange(mw, device=dev).view(1, mw)
    rows = torch.arange(mh, device=dev).view(1, mh)
    inside = ((cols >= pad_x.view(-1, 1)) & (cols < (pad_x + w).view(-1, 1))).view(b, 1, 1, mw) & \
             ((rows >= pad_y.view(-1, 1)) & (rows < (pad_y + h).view(-1, 1))).view(b, 1, mh, 1)
    img = img * inside  # letterbox padding is 0
    # boxes: clip to the view, keep those at least half visible, map to model pixels
    o = data.objects[idx]  # B,M,6
    bx1 = torch.maximum(o[..., 0], x1.view(-1, 1))
    by1 = torch.maximum(o[..., 1], y1.view(-1, 1))
    bx2 = torch.minimum(o[..., 2], x2.view(-1, 1))
    by2 = torch.minimum(o[..., 3], y2.view(-1, 1))
    area = ((o[..., 2] - o[..., 0]) * (o[..., 3] - o[..., 1])).clamp(min=1e-6)
    vis = ((bx2 - bx1).clamp(min=0) * (by2 - by1).clamp(min=0)) / area
    mx1 = (bx1 - x1.view(-1, 1)) * sx.view(-1, 1) + pad_x.view(-1, 1)
    my1 = (by1 - y1.view(-1, 1)) * sy.view(-1, 1) + pad_y.view(-1, 1)
    mx2 = (bx2 - x1.view(-1, 1)) * sx.view(-1, 1) + pad_x.view(-1, 1)
    my2 = (by2 - y1.view(-1, 1)) * sy.view(-1, 1) + pad_y.view(-1, 1)
    keep = (o[..., 5] > 0) & (bx2 > bx1) & (by2 > by1) & (vis >= MIN_VISIBLE_IN_VIEW) & (mx2 - mx1 >= 2) & (my2 - my1 >= 2)
    if augment:
        u = torch.rand(b, 4, device=dev, generator=gen)
        flip = u[:, 0] < 0.5
        img = torch.where(flip.view(-1, 1, 1, 1), img.flip(3), img)
        fx1 = torch.where(flip.view(-1, 1), mw - mx2, mx1)
        fx2 = torch.where(flip.view(-1, 1), mw - mx1, mx2)
        mx1, mx2 = fx1, fx2
        contrast = (0.7 + 0.6 * u[:, 1]).view(-1, 1, 1, 1)
        bright = ((u[:, 2] - 0.5) * 60).view(-1, 1, 1, 1)
        grey = (u[:, 3] < 0.1).view(-1, 1, 1, 1)
        lum = (img[:, 0:1] * 0.299 + img[:, 1:2] * 0.587 + img[:, 2:3] * 0.114).expand_as(img)
        img = torch.where(grey, lum, img)
        img = ((img - 128) * contrast + 128 + bright).clamp(0, 255)
    bi = torch.arange(b, device=dev).view(-1, 1).expand_as(keep)[keep]
    mboxes = torch.stack([mx1[keep], my1[keep], mx2[keep], my2[keep]], 1)
    return img / 255, bi, mboxes, o[..., 4][keep].long()


def draw_targets(b, bi, boxes, cls, gw, gh, stride, nc):
    """targets.ts drawTargets, vectorised: Gaussian heat per class, log size and offset at centre cells."""
    dev = boxes.device
    heat = torch.zeros(b * nc, gh * gw, device=dev)
    reg = torch.zeros(b * gh * gw, 4, device=dev)
    mask = torch.zeros(b * gh * gw, device=dev)
    if boxes.shape[0] == 0:
        return heat.view(b, nc, gh, gw), reg.view(b, gh, gw, 4).permute(0, 3, 1, 2), mask.view(b, 1, gh, gw)
    wc = (boxes[:, 2] - boxes[:, 0]) / stride
    hc = (boxes[:, 3] - boxes[:, 1]) / stride
    gx = (boxes[:, 0] + boxes[:, 2]) / 2 / stride
    gy = (boxes[:, 1] + boxes[:, 3]) / 2 / stride
    ix = gx.floor().clamp(0, gw - 1)
    iy = gy.floor().clamp(0, gh - 1)
    sxg = (wc / 6).clamp(min=0.5)
    syg = (hc / 6).clamp(min=0.5)
    xs = torch.arange(gw, device=dev).view(1, 1, gw).float()
    ys = torch.arange(gh, device=dev).view(1, gh, 1).float()
    dx = xs - ix.view(-1, 1, 1)
    dy = ys - iy.view(-1, 1, 1)
    g = torch.exp(-dx ** 2 / (2 * sxg.view(-1, 1, 1) ** 2) - dy ** 2 / (2 * syg.view(-1, 1, 1) ** 2))
    window = (dx.abs() <= torch.ceil(3 * sxg).view(-1, 1, 1)) & (dy.abs() <= torch.ceil(3 * syg).view(-1, 1, 1))
    g = (g * window).view(-1, gh * gw)
    heat.index_reduce_(0, bi * nc + cls, g, "amax", include_self=True)
    centre = (iy * gw + ix).long()
    heat[bi * nc + cls, centre] = 1
    # a shared centre cell goes to the smallest box (drawn last in targets.ts)
    cell = bi * gh * gw + centre
    area = wc * hc
    smallest = torch.full((b * gh * gw,), float("inf"), device=dev).scatter_reduce(0, cell, area, "amin")
    win = area <= smallest[cell]
    reg[cell[win]] = torch.stack([wc.log(), hc.log(), gx - ix, gy - iy], 1)[win]
    mask[cell] = 1
    return heat.view(b, nc, gh, gw), reg.view(b, gh, gw, 4).permute(0, 3, 1, 2), mask.view(b, 1, gh, gw)


def centernet_loss(pred, heat, reg, mask, nc):
    """loss.ts centerNetLoss: penalty-reduced focal loss + L1 on size/offset at centre cells, per object."""
    logits, box = pred[:, :nc], pred[:, nc:]
    p = torch.sigmoid(logits)
    log_p = -F.softplus(-logits)
    log_1mp = -F.softplus(logits)
    pos = (heat >= 0.999).float()
    neg = 1 - pos
    num_pos = mask.sum().clamp(min=1)
    pos_term = (1 - p) ** 2 * log_p * pos
    neg_term = (1 - heat) ** 4 * p ** 2 * log_1mp * neg
    heat_loss = -(pos_term + neg_term).sum() / num_pos
    box_loss = ((box - reg).abs() * mask).sum() / num_pos
    return heat_loss + box_loss, heat_loss, box_loss


# ---- main -----------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="folder with model.json + weights.bin (start point)")
    ap.add_argument("--data", required=True, help="simulator detector export (labels.jsonl + images/)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=8)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--stride", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cuda", help="cuda, or cpu for a slow smoke test")
    ap.add_argument("--check-only", action="store_true", help="only write check-end.bin for --model into --model")
    args = ap.parse_args()
    if args.check_only:
        spec = json.load(open(os.path.join(args.model, "model.json")))
        net = KerasNet(spec["modelTopology"])
        tf_to_torch(net, read_weights(args.model, spec["weightsManifest"]))
        open(os.path.join(args.model, "check-end.bin"), "wb").write(check_output(net, torch.device("cpu")))
        return
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: use `npm run train:detector` (TF.js) on this machine instead")
    dev = torch.device(args.device)
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu"
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    started = time.time()

    spec = json.load(open(os.path.join(args.model, "model.json")))
    net = KerasNet(spec["modelTopology"]).to(dev)
    tf_to_torch(net, read_weights(args.model, spec["weightsManifest"]))
    net.to(dev)
    os.makedirs(args.out, exist_ok=True)
    in_shape = spec["modelTopology"]["config"]["layers"][0]["config"]["batch_input_shape"]
    mh, mw = in_shape[1], in_shape[2]
    nc = len(LABELS)
    gw, gh = mw // args.stride, mh // args.stride
    log(f"model {args.model}: {sum(p.numel() for p in net.parameters())} parameters, input {mw}x{mh}, device {device_name}")

    frames = read_export(args.data)
    train_frames, val_frames = split_by_group(frames, args.val_fraction)
    log(f"export {args.data}: {len(frames)} frames; train {len(train_frames)}, validation {len(val_frames)} (by scene)")
    train = GpuFrames(train_frames, dev)
    val = GpuFrames(val_frames, dev)
    log(f"decoded into GPU memory in {time.time() - started:.0f} s")

    gen = torch.Generator(device=dev)
    gen.manual_seed(args.seed)
    vgen = torch.Generator(device=dev)
    net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    budget = args.minutes * 60
    t0 = time.time()
    step, seen, ema = 0, 0, None
    history = []
    last_log = last_val = t0

    def validate():
        vgen.manual_seed(7)
        net.eval()
        tot = 0.0
        with torch.no_grad():
            for start in range(0, val.n, 128):
                idx = torch.arange(start, min(val.n, start + 128), device=dev)
                kind = torch.zeros_like(idx)  # the pipeline's view: the region of interest
                x, bi, boxes, cls = make_batch(val, idx, kind, mw, mh, vgen, augment=False)
                heat, reg, mask = draw_targets(idx.shape[0], bi, boxes, cls, gw, gh, args.stride, nc)
                loss, _, _ = centernet_loss(net(x.contiguous(memory_format=torch.channels_last)), heat, reg, mask, nc)
                tot += loss.item() * idx.shape[0]
        net.train()
        return tot / val.n

    net.train()
    while True:
        elapsed = time.time() - t0
        if elapsed > budget:
            break
        progress = elapsed / budget
        lr = args.lr * min(1, (step + 1) / 200) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(0, train.n, (args.batch,), device=dev, generator=gen)
        kind = torch.randint(0, 3, (args.batch,), device=dev, generator=gen)
        x, bi, boxes, cls = make_batch(train, idx, kind, mw, mh, gen)
        heat, reg, mask = draw_targets(args.batch, bi, boxes, cls, gw, gh, args.stride, nc)
        loss, hl, bl = centernet_loss(net(x.contiguous(memory_format=torch.channels_last)), heat, reg, mask, nc)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        seen += args.batch
        if step % 25 == 0:
            cur = (loss.item(), hl.item(), bl.item())
            if not math.isfinite(cur[0]):
                raise SystemExit(f"loss is {cur[0]} at step {step}: lower --lr")
            ema = cur if ema is None else tuple(0.95 * e + 0.05 * c for e, c in zip(ema, cur))
        now = time.time()
        if now - last_val > 60 or (now - t0 > budget):
            v = validate()
            history.append({"step": step, "minutes": round((now - t0) / 60, 2), "loss": ema[0] if ema else None, "val": v})
            last_val = now
            log(f"validation loss {v:.3f} at step {step}")
        if now - last_log > 15 and ema:
            rate = seen / (now - t0)
            log(f"step {step} loss {ema[0]:.3f} (heatmap {ema[1]:.3f}, box {ema[2]:.3f}) {rate:.0f} examples/s, lr {lr:.2e}, "
                f"{(now - t0) / 60:.1f}/{args.minutes:.1f} min")
            last_log = now
    v = validate()
    history.append({"step": step, "minutes": round((time.time() - t0) / 60, 2), "loss": ema[0] if ema else None, "val": v})
    final = torch_to_tf(net, spec["weightsManifest"])
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(spec, f)
    open(os.path.join(args.out, "weights.bin"), "wb").write(final)
    open(os.path.join(args.out, "check-end.bin"), "wb").write(check_output(net, dev))
    summary = {"steps": step, "examples": seen, "minutes": round((time.time() - t0) / 60, 2), "batch": args.batch, "lr": args.lr,
               "examplesPerSecond": round(seen / (time.time() - t0)), "validationLoss": v,
               "data": args.data, "trainFrames": len(train_frames), "trainScenes": len({f["group"] for f in train_frames}),
               "trainObjects": {l: sum(1 for f in train_frames for o in f["objects"] if o[4] == i) for i, l in enumerate(LABELS)},
               "validationFrames": len(val_frames), "device": device_name,
               "command": "python3 models/gpu/train_centernet.py " + " ".join(sys.argv[1:]), "history": history}
    json.dump(summary, open(os.path.join(args.out, "train-gpu.json"), "w"), indent=1)
    log(f"done: {step} steps, {seen} examples in {summary['minutes']} min ({summary['examplesPerSecond']} examples/s); "
        f"validation loss {v:.3f}; wrote {args.out}/model.json, weights.bin")



if __name__ == "__main__":
    main()
