/**
 * An independent float64 reference of the margin head, written with plain loops and the
 * closed-form gradient — no tape, no ops — so that the tape's composition can be checked against
 * something that shares none of its code:
 *
 *   dL/dz = (softmax(z) − onehot)/V,   dL/dcos θ_ij = s·dz_ij (·f′ at the target),
 *   through the clamp, the matmul and the normalization Jacobian (I − x̂x̂ᵀ)/‖x‖.
 */
export interface ReferenceOptions {
  s: number;
  m1: number;
  m2: number;
  m3: number;
  gradient: 'exact' | 'straight-through';
  fallback: 'none' | 'thmm' | 'easy' | 'clamp' | 'psi';
  lambda: number;
  threshold: number;
  eps: number;
}

export const defaults: ReferenceOptions = { s: 64, m1: 1, m2: 0, m3: 0, gradient: 'exact', fallback: 'none', lambda: 0, threshold: 0, eps: 1e-12 };

/** f(θ) written from the formulas in the issue, policy by policy. */
export function referenceTarget(c: number, o: ReferenceOptions): number {
  const theta = Math.acos(c);
  const phi = o.m1 * theta + o.m2;
  switch (o.fallback) {
    case 'none':
      return Math.cos(phi) - o.m3;
    case 'thmm':
      return c > Math.cos(Math.PI - o.m2) ? Math.cos(phi) - o.m3 : c - o.m2 * Math.sin(Math.PI - o.m2) - o.m3;
    case 'easy':
      return c > 0 ? Math.cos(phi) - o.m3 : c;
    case 'clamp':
      return Math.cos(Math.min(phi, Math.PI)) - o.m3;
    case 'psi': {
      const k = Math.floor(phi / Math.PI);
      return (k % 2 === 0 ? 1 : -1) * Math.cos(phi) - 2 * k - o.m3;
    }
  }
}

/** df/dc away from c = ±1, by the chain rule through θ = arccos c. */
export function referenceSlope(c: number, o: ReferenceOptions): number {
  const theta = Math.acos(c);
  const phi = o.m1 * theta + o.m2;
  const dfdtheta = -o.m1 * Math.sin(phi); // d cos(φ)/dθ
  const dthetadc = -1 / Math.sqrt(1 - c * c);
  switch (o.fallback) {
    case 'thmm':
      if (!(c > Math.cos(Math.PI - o.m2))) return 1;
      break;
    case 'easy':
      if (!(c > 0)) return 1;
      break;
    case 'clamp':
      if (phi >= Math.PI) return 0;
      break;
    case 'psi': {
      const k = Math.floor(phi / Math.PI);
      return (k % 2 === 0 ? 1 : -1) * dfdtheta * dthetadc;
    }
  }
  return dfdtheta * dthetadc;
}

/** Loss, dX and dW of the margin head (X: n×d, W: c×d, row-major). */
export function referenceHead(
  X: number[], W: number[], labels: number[], n: number, d: number, C: number, o: ReferenceOptions,
): { loss: number; dX: number[]; dW: number[] } {
  const normalize = (M: number[], rows: number) => {
    const hat: number[] = [];
    const norms: number[] = [];
    for (let i = 0; i < rows; i++) {
      let r = 0;
      for (let k = 0; k < d; k++) r += M[i * d + k] ** 2;
      r = Math.sqrt(r);
      norms.push(r);
      for (let k = 0; k < d; k++) hat.push(M[i * d + k] / Math.max(r, o.eps));
    }
    return { hat, norms };
  };
  const xs = normalize(X, n);
  const ws = normalize(W, C);
  const raw: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < C; j++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += xs.hat[i * d + k] * ws.hat[j * d + k];
    raw.push(dot);
  }
  const cos = raw.map((v) => Math.min(Math.max(v, -1), 1));
  const keep = cos.map((v, idx) => (o.threshold > 0 && v > o.threshold && idx % C !== labels[Math.floor(idx / C)] ? 0 : 1));
  const cf = cos.map((v, idx) => v * keep[idx]);
  const V = labels.filter((l) => l !== -1).length;
  const z = cf.map((v) => o.s * v);
  const slope: number[] = new Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    if (labels[i] === -1) continue;
    const c = cf[i * C + labels[i]];
    const f = referenceTarget(c, o);
    z[i * C + labels[i]] = (o.s * (o.lambda * c + f)) / (1 + o.lambda);
    slope[i] = o.gradient === 'straight-through' ? 1 : (o.lambda + referenceSlope(c, o)) / (1 + o.lambda);
  }
  let loss = 0;
  const dcos = new Array(n * C).fill(0);
  for (let i = 0; i < n; i++) {
    if (labels[i] === -1) continue;
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, z[i * C + j]);
    let sumExp = 0;
    let others = 0;
    for (let j = 0; j < C; j++) sumExp += Math.exp(z[i * C + j] - m);
    for (let j = 0; j < C; j++) if (j !== labels[i]) others += Math.exp(z[i * C + j] - m) / sumExp;
    // log p_y = −log1p(Σ_{j≠y} e^{z_j − z_y}) keeps its digits when p_y ≈ 1 (so does −Σ_{j≠y} p_j).
    let otherRatio = 0;
    for (let j = 0; j < C; j++) if (j !== labels[i]) otherRatio += Math.exp(z[i * C + j] - z[i * C + labels[i]]);
    loss += Math.log1p(otherRatio) / V;
    for (let j = 0; j < C; j++) {
      const p = Math.exp(z[i * C + j] - m) / sumExp;
      const dz = (j === labels[i] ? -others : p) / V;
      const local = j === labels[i] ? slope[i] : 1;
      const idx = i * C + j;
      dcos[idx] = o.s * dz * local * keep[idx] * (raw[idx] >= -1 && raw[idx] <= 1 ? 1 : 0);
    }
  }
  const back = (hat: number[], norms: number[], rows: number, dHat: number[]) => {
    const out: number[] = [];
    for (let i = 0; i < rows; i++) {
      let radial = 0;
      for (let k = 0; k < d; k++) radial += hat[i * d + k] * dHat[i * d + k];
      for (let k = 0; k < d; k++) {
        out.push(norms[i] > o.eps ? (dHat[i * d + k] - hat[i * d + k] * radial) / norms[i] : dHat[i * d + k] / o.eps);
      }
    }
    return out;
  };
  const dXhat = new Array(n * d).fill(0);
  const dWhat = new Array(C * d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < C; j++) for (let k = 0; k < d; k++) {
    dXhat[i * d + k] += dcos[i * C + j] * ws.hat[j * d + k];
    dWhat[j * d + k] += dcos[i * C + j] * xs.hat[i * d + k];
  }
  return { loss, dX: back(xs.hat, xs.norms, n, dXhat), dW: back(ws.hat, ws.norms, C, dWhat) };
}
