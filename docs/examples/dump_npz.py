# Dump one ArcFace case as a numpy .npz for `arcgrad check`, in float64: the arrays as arrays, the
# options as a JSON string in the member "case". For heads too large for JSON (100,000 classes).
# Usage: python3 dump_npz.py OUT.npz [N d C] [--compressed]   (default 4 8 6: a small case)
# test/check/fixtures/dump_npz.npz and dump_npz_compressed.npz are what it wrote with Debian's
# PyTorch 1.13 and numpy 1.24; docs/benchmarks.md checks a 512 x 512 x 100,000 head made with it.
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

args = [a for a in sys.argv[1:] if not a.startswith("--")]
out, (N, d, C) = args[0], (map(int, args[1:4]) if len(args) >= 4 else (4, 8, 6))
s, m2 = 64.0, 0.5
torch.manual_seed(0)
X = torch.randn(N, d, dtype=torch.float64, requires_grad=True)
W = torch.randn(C, d, dtype=torch.float64, requires_grad=True)
labels = torch.randint(0, C, (N,))
labels[-1] = -1  # an ignored row

# ArcFace with the margin inside autograd (exact gradients), the mean over the labelled rows.
cos = (F.normalize(X) @ F.normalize(W).T).clamp(-1, 1)
rows = torch.nonzero(labels != -1).squeeze(1)
target = torch.cos(torch.acos(cos[rows, labels[rows]]) + m2)
loss = F.cross_entropy(s * cos.index_put((rows, labels[rows]), target), labels, ignore_index=-1)
loss.backward()

with open(__file__, "rb") as f:  # ignored by arcgrad check: which script (which bytes of it) wrote the file
    producer = {"script": os.path.basename(__file__), "sha256": hashlib.sha256(f.read()).hexdigest(), "torch": torch.__version__}
save = np.savez_compressed if "--compressed" in sys.argv else np.savez
save(out, X=X.detach().numpy(), W=W.detach().numpy(), labels=labels.numpy(), loss=np.float64(loss.item()),
     dX=X.grad.numpy(), dW=W.grad.numpy(),
     case=json.dumps({"name": f"pytorch-arcface-{N}x{d}x{C}", "s": s, "m1": 1.0, "m2": m2, "m3": 0.0, "producer": producer}))
