# Dump ArcFace cases for `arcgrad check` from PyTorch, in float64.
# Usage: python3 dump_case.py [OUT.json]   (default my-arcface.json; "-" writes to standard
# output, for `python3 dump_case.py - | npx arcgrad check -`). A template to adapt to your code;
# test/check/fixtures/dump_case.json is what it wrote with Debian's PyTorch 1.13.
import hashlib
import json
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)
N, d, C, s, m2 = 4, 8, 5, 64.0, 0.5
X = torch.randn(N, d, dtype=torch.float64, requires_grad=True)
W = torch.randn(C, d, dtype=torch.float64, requires_grad=True)
labels = torch.tensor([0, 3, -1, 4])  # -1: an ignored row


def logits_exact(X, W, labels):
    # The margin inside autograd: the true derivative of cos(acos(c) + m2).
    cos = (F.normalize(X) @ F.normalize(W).T).clamp(-1, 1)
    rows = torch.nonzero(labels != -1).squeeze(1)
    target = torch.cos(torch.acos(cos[rows, labels[rows]]) + m2)
    return s * cos.index_put((rows, labels[rows]), target)


def logits_insightface(X, W, labels):
    # insightface arcface_torch (since Dec 2022): the margin under no_grad, in place.
    logits = (F.normalize(X) @ F.normalize(W).T).clamp(-1, 1)
    index = torch.where(labels != -1)[0]
    target_logit = logits[index, labels[index].view(-1)]
    with torch.no_grad():
        target_logit.arccos_()
        logits.arccos_()
        logits[index, labels[index].view(-1)] = target_logit + m2
        logits.cos_()
    return logits * s


cases = []
for name, make, gradient in [
    ("pytorch-arcface-exact", logits_exact, "exact"),
    ("pytorch-arcface-insightface", logits_insightface, "straight-through"),
]:
    X.grad, W.grad = None, None
    loss = F.cross_entropy(make(X, W, labels), labels, ignore_index=-1)
    loss.backward()
    cases.append({
        "name": name, "N": N, "d": d, "C": C,
        "s": s, "m1": 1.0, "m2": m2, "m3": 0.0, "gradient": gradient,
        "X": X.detach().flatten().tolist(), "W": W.detach().flatten().tolist(),
        "labels": labels.tolist(), "loss": loss.item(),
        "dX": X.grad.flatten().tolist(), "dW": W.grad.flatten().tolist(),
    })

# "producer" is ignored by arcgrad check: it records which script (and which bytes of it) wrote the file.
with open(__file__, "rb") as f:
    producer = {"script": os.path.basename(__file__), "sha256": hashlib.sha256(f.read()).hexdigest(), "torch": torch.__version__}
out = sys.argv[1] if len(sys.argv) > 1 else "my-arcface.json"
with (sys.stdout if out == "-" else open(out, "w")) as f:
    json.dump({"producer": producer, "cases": cases}, f)
