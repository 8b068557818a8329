"""The `train` workload of `arcgrad bench` in PyTorch, for docs/benchmarks.md: one float32 training
step (forward, backward, SGD lr 0.01) of an MLP 1024 -> 512 -> 128 (PReLU per channel, batch norm on
the embedding) under ArcFace (s = 64, m = 0.5, exact gradient) over C = 2,000 classes, batch 256,
on ONE thread. Prints the median and minimum of 31 timed steps after 5 warm-up steps.
Run: /usr/bin/python3 bench/torch-train-step.py (needs torch; Debian: apt install python3-torch)."""
import math, time
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(7)
n, d_in, hidden, emb, classes, s, m = 256, 1024, 512, 128, 2000, 64.0, 0.5
x = torch.randn(n, d_in)
y = torch.randint(0, classes, (n,))
model = torch.nn.Sequential(torch.nn.Linear(d_in, hidden), torch.nn.PReLU(hidden), torch.nn.Linear(hidden, emb), torch.nn.BatchNorm1d(emb, eps=1e-5))
w = torch.nn.Parameter(torch.randn(classes, emb))
opt = torch.optim.SGD(list(model.parameters()) + [w], lr=0.01)

def step():
    opt.zero_grad(set_to_none=True)
    e = model(x)
    cos = (F.normalize(e) @ F.normalize(w).t()).clamp(-1, 1)
    target = cos.gather(1, y[:, None])
    logits = cos.scatter(1, y[:, None], torch.cos(torch.acos(target.clamp(-1 + 1e-7, 1 - 1e-7)) + m))
    loss = F.cross_entropy(s * logits, y)
    loss.backward()
    opt.step()
    return loss.item()

for _ in range(5): step()
ts = []
for _ in range(31):
    t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
ts.sort()
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread: median {ts[15]*1e3:.1f} ms, min {ts[0]*1e3:.1f} ms per step")
