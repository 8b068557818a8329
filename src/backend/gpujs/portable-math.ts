/**
 * acos, cos and sin for kernels compiled to a GPU (WGSL, GLSL), written with +, −, ×, floor,
 * abs and sqrt only, so that their float32 accuracy is ours and not the driver's.
 *
 * Why. WGSL lets `cos`/`sin` be off by 2⁻¹¹ ≈ 4.9e-4 absolute on [−π, π] and `acos` by 4096 ulp
 * (it inherits atan2's bound); GLSL ES says nothing at all. These are not hypothetical: on Dawn
 * over SwiftShader, gpu.js's `Math.acos` was off by 6.8e-5 and `Math.cos` by 1.9e-4 (`node bench/webgpu-math.mjs`
 * measures the adapter at hand), which moved an ArcFace loss at s = 32.5 by
 * 2.2e-3 — twenty times the float32 tolerance of `arcgrad check`. +, −, × are correctly rounded in
 * WGSL, sqrt is within a few ulp, so these functions are within a few float32 ulp everywhere.
 *
 * How (Cephes single precision, S. L. Moshier, acosf.c/asinf.c/sinf.c):
 *   asin(a), 0 ≤ a ≤ ½:  a + a·z·P(z), z = a², P a degree-4 minimax polynomial;
 *   acos(x) = π/2 ∓ asin(|x|)             for |x| ≤ ½,
 *   acos(x) = 2·asin(√((1 − x)/2))        for x > ½ (1 − x is exact there: no cancellation near θ = 0),
 *   acos(x) = π − 2·asin(√((1 + x)/2))    for x < −½;
 *   cos, sin: j = ⌊|x|·4/π⌋ rounded up to even, r = |x| − j·π/4 in three parts (π/4 = DP1 + DP2 + DP3,
 *   DP1 with 8 significant bits, so j·DP1 is exact for j < 2¹⁶), then the sine or cosine polynomial
 *   on |r| ≤ π/4 by the octant j mod 8, with the sign of the octant.
 * Octant arithmetic uses floor and products with ½ and ⅛ (exact), never `%` or a division.
 *
 * These are kernel helpers in the JavaScript subset gpu.js translates; `portableKernelSource`
 * rewrites a kernel's `Math.acos/cos/sin` calls to them. On the CPU (float64, and gpu.js's cpu and
 * webasm modes, which call JavaScript's Math) nothing is rewritten.
 */

/** acos(x) for x ∈ [−1, 1] (NaN outside, and for NaN). */
export function arcgradAcos(x: number): number {
  const a = Math.abs(x);
  let z = a * a;
  let r = a;
  if (a > 0.5) {
    z = 0.5 * (1 - a);
    r = Math.sqrt(z);
  }
  // asin(r) for r ∈ [0, ½]
  const p = ((((0.042163199048 * z + 0.024181311049) * z + 0.045470025998) * z + 0.074953002686) * z + 0.16666752422) * z * r + r;
  if (a > 0.5) {
    if (x < 0) {
      return 3.141592653589793 - 2 * p;
    }
    return 2 * p;
  }
  if (x < 0) {
    return 1.5707963267948966 + p;
  }
  return 1.5707963267948966 - p;
}

/** cos(x); accurate to a few float32 ulp for |x| up to about 10⁴ (the kernels use |x| ≤ 4π). */
export function arcgradCos(x: number): number {
  return arcgradSinOfOctants(Math.abs(x), 2, 1); // cos x = sin(|x| + 2·π/4)
}

/** sin(x); accurate to a few float32 ulp for |x| up to about 10⁴ (the kernels use |x| ≤ 4π). */
export function arcgradSin(x: number): number {
  let sign = 1;
  if (x < 0) {
    sign = -1;
  }
  return arcgradSinOfOctants(Math.abs(x), 0, sign);
}

/**
 * sign·sin(a + shift·π/4) for a ≥ 0 and an even shift: a is reduced by its own octant count j
 * (exactly, as in the file header) and the shift only moves the octant, so cos loses nothing to
 * the π/2 it adds.
 */
export function arcgradSinOfOctants(a: number, shift: number, sign: number): number {
  let j = Math.floor(a * 1.2732395447351628);
  j = j + (j - 2 * Math.floor(j * 0.5)); // odd → next even
  const r = a - j * 0.78515625 - j * 2.4187564849853515625e-4 - j * 3.77489497744594108e-8;
  const k = j + shift;
  let octant = k - 8 * Math.floor(k * 0.125);
  let s = sign;
  if (octant > 3) {
    octant = octant - 4;
    s = -s;
  }
  const z = r * r;
  let v = 0;
  if (octant > 1 - 0.5 && octant < 2 + 0.5) {
    v = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 0.04166664568298827) * z * z - 0.5 * z + 1;
  } else {
    v = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 0.16666654611) * z * r + r;
  }
  return s * v;
}

/** The helpers, for a kernel's `functions` setting. */
export const PORTABLE_MATH: readonly Function[] = [arcgradAcos, arcgradCos, arcgradSin, arcgradSinOfOctants];

const REWRITES: Readonly<Record<string, string>> = { acos: arcgradAcos.name, cos: arcgradCos.name, sin: arcgradSin.name };

/** `source` (a kernel or helper function's text) with its Math.acos/cos/sin calls made portable. */
export function portableKernelSource(source: string): string {
  return source.replace(/\bMath\.(acos|cos|sin)\s*\(/g, (_, f: string) => `${REWRITES[f]}(`);
}

