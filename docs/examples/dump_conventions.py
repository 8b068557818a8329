# Dump cases of the peers' conventions for `arcgrad check` from PyTorch, in float64: SphereFace
# scaled by the feature norm (PML SphereFaceLoss), L-Softmax scaled by both norms (PML
# LargeMarginSoftmaxLoss), sub-center ArcFace with K = 3 (PML SubCenterArcFaceLoss), opensphere's
# ArcFace (clamp, angle cap, margin under no_grad) and opensphere's SphereFace2.
# Usage: python3 dump_conventions.py [OUT.json]   (default my-conventions.json; "-" writes to
# standard output). test/check/fixtures/dump_conventions.json is what it wrote with Debian's PyTorch 1.13.
import hashlib
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)
N, d, C, K = 6, 8, 5, 3
X = torch.randn(N, d, dtype=torch.float64, requires_grad=True)
labels = torch.tensor([0, 3, 1, 4, 2, 0])
rows = torch.arange(N)


def cosines(X, W):
    # Through F.normalize, so that dX and dW are gradients with respect to the raw X and W
    # (opensphere renormalizes W in place instead: its W gradient would be the one of W/|W|).
    return F.normalize(X) @ F.normalize(W).T


def psi_m4(c):
    # SphereFace's psi for m = 4: (-1)^k cos(4 theta) - 2k, cos(4 theta) = 8c^4 - 8c^2 + 1, k detached.
    k = torch.floor(4 * torch.acos(c.clamp(-1, 1)) / math.pi).detach()
    return (-1) ** k * (8 * c**4 - 8 * c**2 + 1) - 2 * k


def sphereface_feature_norm(X, W):
    # PML SphereFaceLoss(margin=4, scale=1): logits = |x_i| * scale * (cos, psi at the target).
    cos = cosines(X, W).clamp(-1, 1)
    logits = cos.index_put((rows, labels), psi_m4(cos[rows, labels]))
    return F.cross_entropy(logits * X.norm(dim=1, keepdim=True), labels)


def large_margin_softmax(X, W):
    # PML LargeMarginSoftmaxLoss(margin=4, scale=1): logits also times |w_j|.
    cos = cosines(X, W).clamp(-1, 1)
    logits = cos.index_put((rows, labels), psi_m4(cos[rows, labels]))
    return F.cross_entropy(logits * X.norm(dim=1, keepdim=True) * W.norm(dim=1), labels)


def subcenter_arcface(X, W, s=64.0, m=0.5):
    # PML SubCenterArcFaceLoss: W holds C*K rows (class j: rows j*K ... j*K + K - 1), cos = max over K;
    # ArcFace with PML's fallback where theta > pi - m: cos(theta) - m sin(m) (arcgrad's 'thmm').
    cos = cosines(X, W).clamp(-1, 1).view(N, C, K).max(dim=2).values
    c = cos[rows, labels]
    theta = torch.acos(c)
    target = torch.where(theta <= math.pi - m, torch.cos(theta + m), c - m * math.sin(m))
    return F.cross_entropy(s * cos.index_put((rows, labels), target), labels)


def opensphere_arcface(X, W, s=64.0, m=0.5):
    # opensphere ArcFace: theta from cos clamped to +-(1 - 1e-5), target theta + m capped at 3.14159,
    # the whole change computed under no_grad (straight-through).
    cos = cosines(X, W)
    with torch.no_grad():
        theta_m = torch.acos(cos.clamp(-1 + 1e-5, 1 - 1e-5))
        theta_m.scatter_(1, labels.view(-1, 1), m, reduce="add")
        theta_m.clamp_(1e-5, 3.14159)
        d_theta = torch.cos(theta_m) - cos
    return F.cross_entropy(s * (cos + d_theta), labels)


def sphereface2_bias(r, m, t, alpha):
    # opensphere's initial bias for C classes.
    z = alpha / ((1 - alpha) * (C - 1))
    ay, ai = r * (2 * 0.5**t - 1 - m), r * (2 * 0.5**t - 1 + m)
    return math.log(2 * z) - ai - math.log(1 - z + math.sqrt((1 - z) ** 2 + 4 * z * math.exp(ay - ai)))


def opensphere_sphereface2(X, W, r=40.0, m=0.4, t=3.0, alpha=0.7, lw=50.0):
    # opensphere SphereFace2 (SphereFace2-C): one binary classifier per class, g and the margin under no_grad.
    cos = cosines(X, W)
    one_hot = torch.zeros_like(cos).scatter_(1, labels.view(-1, 1), 1.0)
    with torch.no_grad():
        g = 2 * ((cos + 1) / 2) ** t - 1 - m * (2 * one_hot - 1)
        d_theta = g - cos
    logits = r * (cos + d_theta) + sphereface2_bias(r, m, t, alpha)
    weight = lw * C / r * (alpha * one_hot + (1 - alpha) * (1 - one_hot))
    return F.binary_cross_entropy_with_logits(logits, one_hot, weight=weight)


cases = []
for name, loss_of, rows_of_W, fields in [
    ("pytorch-pml-sphereface", sphereface_feature_norm, C,
     {"s": 1.0, "m1": 4.0, "m2": 0.0, "m3": 0.0, "fallback": "psi", "scaleByFeatureNorm": True}),
    ("pytorch-pml-large-margin-softmax", large_margin_softmax, C,
     {"s": 1.0, "m1": 4.0, "m2": 0.0, "m3": 0.0, "fallback": "psi", "scaleByFeatureNorm": True, "scaleByWeightNorm": True}),
    ("pytorch-pml-subcenter-arcface", subcenter_arcface, C * K,
     {"s": 64.0, "m1": 1.0, "m2": 0.5, "m3": 0.0, "fallback": "thmm", "subCenters": K}),
    ("pytorch-opensphere-arcface", opensphere_arcface, C,
     {"s": 64.0, "m1": 1.0, "m2": 0.5, "m3": 0.0, "gradient": "straight-through", "cosineEpsilon": 1e-5, "angleCap": 3.14159}),
    ("pytorch-opensphere-sphereface2", opensphere_sphereface2, C,
     {"head": "sphereface2", "r": 40.0, "m": 0.4, "t": 3.0, "alpha": 0.7, "lw": 50.0,
      "b": sphereface2_bias(40.0, 0.4, 3.0, 0.7), "gradient": "straight-through"}),
]:
    W = torch.randn(rows_of_W, d, dtype=torch.float64, requires_grad=True)
    X.grad = None
    if name == "pytorch-opensphere-arcface":
        # Rows where the clamp and the cap bite: a target at cos = -1 (theta + m beyond the cap),
        # a non-target at cos = 1 (clamped to 1 - 1e-5).
        with torch.no_grad():
            X[1] = -W[labels[1]]
            X[2] = W[(labels[2] + 1) % C]
    loss = loss_of(X, W)
    loss.backward()
    cases.append({
        "name": name, "N": N, "d": d, "C": C, **fields,
        "X": X.detach().flatten().tolist(), "W": W.detach().flatten().tolist(),
        "labels": labels.tolist(), "loss": loss.item(),
        "dX": X.grad.flatten().tolist(), "dW": W.grad.flatten().tolist(),
    })

# "producer" is ignored by arcgrad check: it records which script (and which bytes of it) wrote the file.
with open(__file__, "rb") as f:
    producer = {"script": os.path.basename(__file__), "sha256": hashlib.sha256(f.read()).hexdigest(), "torch": torch.__version__}
out = sys.argv[1] if len(sys.argv) > 1 else "my-conventions.json"
with (sys.stdout if out == "-" else open(out, "w")) as f:
    json.dump({"producer": producer, "cases": cases}, f)
