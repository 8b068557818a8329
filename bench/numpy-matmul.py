"""128x512 . 512x10000 float32 matmul in numpy (OpenBLAS), for docs/benchmarks.md: prints the OpenBLAS
kernel (core name) and thread count, then the median and minimum of 31 products after 3 warm-ups.
Run: OPENBLAS_NUM_THREADS=1 python3 bench/numpy-matmul.py (and =2). Pair it with bench/wasm-matmul.mjs."""
import os, time, glob, ctypes, numpy as np
lib = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'scipy_openblas64', 'lib', '*.so*'))
lib = lib or glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*'))
core = '?'
for l in lib:
    try:
        so = ctypes.CDLL(l)
        for fn in ('scipy_openblas_get_corename64_', 'openblas_get_corename64_', 'openblas_get_corename'):
            if hasattr(so, fn):
                f = getattr(so, fn); f.restype = ctypes.c_char_p; core = f().decode(); break
        for fn in ('scipy_openblas_get_num_threads64_', 'openblas_get_num_threads64_', 'openblas_get_num_threads'):
            if hasattr(so, fn): nt = getattr(so, fn)(); break
    except OSError: pass
print('numpy', np.__version__, 'OpenBLAS core', core, 'threads', nt, 'OPENBLAS_NUM_THREADS', os.environ.get('OPENBLAS_NUM_THREADS'))
a = np.random.default_rng(0).standard_normal((128, 512), dtype=np.float32)
b = np.random.default_rng(1).standard_normal((512, 10000), dtype=np.float32)
for _ in range(3): a @ b
ts = []
for _ in range(31):
    t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
ts.sort(); med = ts[len(ts)//2]
print(f"median {med*1e3:.2f} ms = {2*128*512*10000/med/1e9:.1f} GFLOP/s; min {ts[0]*1e3:.2f} ms = {2*128*512*10000/ts[0]/1e9:.1f} GFLOP/s")
