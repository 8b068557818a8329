#!/usr/bin/env node
// Why does ArcFace seed 1 of the full glyph comparison (bench/glyphs-full.json) fail on unseen
// identities while it learns the training identities? This retrains ArcFace at exactly those
// settings through the demo's own `trainGlyphsRun` (so the numbers must equal the comparison's
// bit for bit), looks at the model at every epoch end (`GlyphsRunInspector`: a checkpoint per
// epoch, read back) and measures the embedding's geometry. docs/glyphs.md, "Why ArcFace seed 1
// fails on unseen identities", reports what it printed.
//
// Run after `npm run build` (the glyphs data must be in the cache: `npx arcgrad data glyphs`):
//   node bench/glyphs-collapse.mjs --seeds 1,0 --out DIR [--reference RUNS_DIR]
//   node bench/glyphs-collapse.mjs --from DIR/collapse.json[,DIR2/collapse.json] --figure docs/figures/glyphs-collapse.svg
//   node bench/glyphs-collapse.mjs --analyze DIR --seeds 1,0   (hypothesis checks on the saved final embeddings)
// --reference: the runs/ folder of `arcgrad demo --settings bench/glyphs-full.json`, to check the
// reproduction (rank-1, verification, TAR@FAR and the loss curve, compared exactly).
//
// Measures (embeddings L2-normalized unless said otherwise; every one deterministic):
// - genuine cosines: every same-identity pair of the set; impostor cosines: 400,000 random
//   different-identity pairs drawn with Random(0); mean and quantiles;
// - participation ratio (Σλ)²/Σλ² of the covariance eigenvalues (Jacobi), raw and normalized;
// - norms of the raw (batch-normed) embeddings;
// - nearest class centre ŵ_j = argmax_j cos(x, w_j): how many distinct j the set maps to, the share
//   of the most used centre and of the 10 most used, the effective number exp(entropy), and the
//   mean angle to it (training images: also θ_y, the angle to their own centre);
// - variance decomposition of the normalized embeddings: share of the total variance between
//   identity means and between font means (a set of identities × fonts, one image each);
// - the model: PReLU slopes, hidden units that never activate on a set, BN γ and running variance,
//   per-dimension variance share, the norms of W's rows, their participation ratio and the angle
//   of each centre to its nearest other centre.
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createBackend } from '../dist/backend/select.js';
import { shutdownFastPool } from '../dist/backend/wasm/pool.js';
import { loadGlyphs } from '../dist/data/glyphs.js';
import { GLYPHS_SETTINGS, glyphsSets, trainGlyphsRun, validateGlyphsSettings, glyphsRunJson } from '../dist/demo/glyphs.js';
import { rankOneIdentification } from '../dist/eval/open-set.js';
import { renderVegaLite } from '../dist/report/vega.js';
import { Random } from '../dist/tensor/random.js';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), argv[i + 1]?.startsWith('--') ? '' : (argv[i + 1] ?? '')]] : [])));
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
const IMPOSTOR_PAIRS = 400_000;
const TRAIN_STRIDE = 6; // per-epoch training measures on every 6th training image (4,334 of 26,000); the final model on all

function writeAtomic(path, text) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function normalized(e, dim) {
  const out = new Float64Array(e.length);
  for (let i = 0; i < e.length / dim; i++) {
    let n = 0;
    for (let k = 0; k < dim; k++) n += e[i * dim + k] ** 2;
    n = Math.sqrt(n);
    for (let k = 0; k < dim; k++) out[i * dim + k] = e[i * dim + k] / n;
  }
  return out;
}

function dot(a, i, b, j, dim) {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[i * dim + k] * b[j * dim + k];
  return s;
}

function summary(values) {
  const v = Float64Array.from(values).sort();
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { count: v.length, mean, quantiles: Object.fromEntries(QUANTILES.map((q) => [q, v[Math.min(v.length - 1, Math.floor(q * v.length))]])) };
}

/** Eigenvalues of a symmetric n×n matrix (cyclic Jacobi), descending. */
function eigenvalues(a, n) {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]).sort((x, y) => y - x);
}

function rowMean(e, dim) {
  const n = e.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += e[i * dim + k] / n;
  return mean;
}

/** The mean and the (n − 1)-normalized covariance [dim × dim] of the rows of `e`. */
function covariance(e, dim) {
  const n = e.length / dim;
  const mean = rowMean(e, dim);
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) row[k] = e[i * dim + k] - mean[k];
    for (let p = 0; p < dim; p++) for (let q = p; q < dim; q++) cov[p * dim + q] += row[p] * row[q];
  }
  for (let p = 0; p < dim; p++) for (let q = p; q < dim; q++) cov[q * dim + p] = cov[p * dim + q] /= n - 1;
  return { mean, cov };
}

function covarianceSpectrum(e, dim) {
  const { mean, cov } = covariance(e, dim);
  const lambda = eigenvalues(cov, dim).map((x) => Math.max(x, 0));
  const total = lambda.reduce((a, b) => a + b, 0);
  const pr = total ** 2 / lambda.reduce((a, b) => a + b * b, 0);
  const dimVar = Array.from({ length: dim }, (_, k) => cov[k * dim + k]);
  const maxDimShare = Math.max(...dimVar) / total;
  const meanNorm = Math.sqrt(mean.reduce((a, b) => a + b * b, 0));
  return { participationRatio: pr, topShares: lambda.slice(0, 5).map((x) => x / total), maxDimensionShare: maxDimShare, totalVariance: total, meanVectorNorm: meanNorm };
}

/** Share of the variance of the rows between the means of each group (labels) — of identity, of font. */
/** The rows' mean and, per group, the count and sum of its rows. */
function groupSums(e, dim, groups) {
  const sums = new Map();
  for (let i = 0; i < e.length / dim; i++) {
    let s = sums.get(groups[i]);
    if (s === undefined) sums.set(groups[i], (s = { n: 0, v: new Float64Array(dim) }));
    s.n++;
    for (let k = 0; k < dim; k++) s.v[k] += e[i * dim + k];
  }
  return { mean: rowMean(e, dim), sums };
}

function betweenShare(e, dim, groups) {
  const n = e.length / dim;
  const { mean, sums } = groupSums(e, dim, groups);
  let total = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) total += (e[i * dim + k] - mean[k]) ** 2;
  let between = 0;
  for (const { n: c, v } of sums.values()) for (let k = 0; k < dim; k++) between += c * (v[k] / c - mean[k]) ** 2;
  return between / total;
}

function cosines(u, dim, labels) {
  const n = labels.length;
  const byLabel = new Map();
  for (let i = 0; i < n; i++) (byLabel.get(labels[i]) ?? byLabel.set(labels[i], []).get(labels[i])).push(i);
  const genuine = [];
  for (const rows of byLabel.values()) for (let a = 0; a < rows.length; a++) for (let b = a + 1; b < rows.length; b++) genuine.push(dot(u, rows[a], u, rows[b], dim));
  const rng = new Random(0);
  const impostor = [];
  while (impostor.length < IMPOSTOR_PAIRS) {
    const i = Math.floor(rng.uniform() * n);
    const j = Math.floor(rng.uniform() * n);
    if (labels[i] !== labels[j]) impostor.push(dot(u, i, u, j, dim));
  }
  return { genuine: summary(genuine), impostor: summary(impostor) };
}

/** Nearest class centre of every row: which centres, how concentrated, at what angle (degrees). */
function nearestCentres(u, dim, w, classes, labels) {
  const wn = normalized(w, dim);
  const n = u.length / dim;
  const counts = new Int32Array(classes);
  let angle = 0;
  let own = 0;
  let ownHits = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestCos = -Infinity;
    for (let j = 0; j < classes; j++) {
      const c = dot(u, i, wn, j, dim);
      if (c > bestCos) [best, bestCos] = [j, c];
    }
    counts[best]++;
    angle += Math.acos(Math.min(1, bestCos));
    if (labels !== undefined) {
      own += Math.acos(Math.max(-1, Math.min(1, dot(u, i, wn, labels[i], dim))));
      if (best === labels[i]) ownHits++;
    }
  }
  const sorted = Array.from(counts).sort((a, b) => b - a);
  const entropy = -sorted.filter((c) => c > 0).reduce((a, c) => a + (c / n) * Math.log(c / n), 0);
  const deg = 180 / Math.PI;
  return {
    images: n,
    distinct: sorted.filter((c) => c > 0).length,
    topShare: sorted[0] / n,
    top10Share: sorted.slice(0, 10).reduce((a, b) => a + b, 0) / n,
    effectiveCentres: Math.exp(entropy),
    meanAngleToNearestDeg: (angle / n) * deg,
    ...(labels === undefined ? {} : { meanThetaYDeg: (own / n) * deg, closedSetAccuracy: ownHits / n }),
  };
}

/** Float32 copies of the final embeddings and centres (for `--analyze`; not committed: megabytes). */
function saveArrays(prefix, arrays) {
  for (const [name, a] of Object.entries(arrays)) writeFileSync(`${prefix}.${name}.f32`, Buffer.from(Float32Array.from(a).buffer));
}

function strided(set, stride) {
  const rows = Array.from({ length: Math.ceil(set.count / stride) }, (_, i) => i * stride);
  const x = new Float64Array(rows.length * set.pixels);
  rows.forEach((r, i) => x.set(set.x.subarray(r * set.pixels, (r + 1) * set.pixels), i * set.pixels));
  return { ...set, count: rows.length, x, labels: Int32Array.from(rows, (r) => set.labels[r]), fonts: Int32Array.from(rows, (r) => set.fonts[r]), copies: Int32Array.from(rows, (r) => set.copies[r]) };
}

/** Hidden-layer facts: PReLU slopes, units that never activate (pre-activation ≤ 0 on every image of the set). */
function hiddenUnits(params, set) {
  const w = params['fc0.w'].toTypedArray();
  const b = params['fc0.b'].toTypedArray();
  const [out, inp] = params['fc0.w'].shape;
  const everPositive = new Uint8Array(out);
  for (let i = 0; i < set.count; i++) {
    for (let o = 0; o < out; o++) {
      if (everPositive[o]) continue;
      let s = b[o];
      for (let k = 0; k < inp; k++) s += set.x[i * inp + k] * w[o * inp + k];
      if (s > 0) everPositive[o] = 1;
    }
  }
  return { units: out, neverActive: out - everPositive.reduce((a, v) => a + v, 0) };
}

function modelFacts(snapshot, classes, dim, sets) {
  const p = snapshot.model.params;
  const alpha = Array.from(p['act0.alpha'].toTypedArray());
  const gamma = Array.from(p['bn.gamma'].toTypedArray()).map(Math.abs);
  const runVar = Array.from(snapshot.model.state['bn.var'].toTypedArray());
  const w = snapshot.w;
  const norms = Array.from({ length: classes }, (_, j) => Math.sqrt(dot(w, j, w, j, dim)));
  const wn = normalized(w, dim);
  const nearestOther = [];
  for (let j = 0; j < classes; j++) {
    let best = -Infinity;
    for (let k = 0; k < classes; k++) if (k !== j) best = Math.max(best, dot(wn, j, wn, k, dim));
    nearestOther.push((Math.acos(Math.min(1, best)) * 180) / Math.PI);
  }
  return {
    preluAlpha: summary(alpha),
    hidden: { train: hiddenUnits(p, sets.trainSample), unseen: hiddenUnits(p, sets.unseen) },
    bnGammaAbs: summary(gamma),
    bnRunningVar: summary(runVar),
    wRowNorm: summary(norms),
    wSpectrum: covarianceSpectrum(wn, dim),
    wNearestOtherCentreDeg: summary(nearestOther),
  };
}

/** The geometry of one set's embeddings `e` (raw) under the model's centres `w`. */
function geometry(e, dim, set, w, classes, labels, detailed) {
  const u = normalized(e, dim);
  const norms = Array.from({ length: set.count }, (_, i) => Math.sqrt(dot(e, i, e, i, dim)));
  return {
    ...(detailed ? { cosines: cosines(u, dim, set.labels), norms: summary(norms), rawSpectrum: covarianceSpectrum(e, dim) } : { meanNorm: norms.reduce((a, b) => a + b, 0) / norms.length }),
    spectrum: covarianceSpectrum(u, dim),
    identityShare: betweenShare(u, dim, set.labels),
    fontShare: betweenShare(u, dim, set.fonts),
    nearest: nearestCentres(u, dim, w, classes, labels),
  };
}

async function figure(result, path) {
  const values = result.seeds.flatMap((r) =>
    r.epochs.flatMap((e) => [
      { seed: `seed ${r.seed}`, epoch: e.epoch + 1, panel: 'unseen rank-1 (%)', value: 100 * e.unseenRank1 },
      { seed: `seed ${r.seed}`, epoch: e.epoch + 1, panel: 'held-out fonts rank-1 (%)', value: 100 * e.heldOutRank1 },
      { seed: `seed ${r.seed}`, epoch: e.epoch + 1, panel: 'training loss (mean per epoch)', value: e.loss },
    ]),
  );
  const svg = await renderVegaLite({
    title: 'ArcFace (s = 64, m2 = 0.5) on glyphs, full settings: per epoch',
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: ['unseen rank-1 (%)', 'held-out fonts rank-1 (%)', 'training loss (mean per epoch)'] } },
    spec: {
      width: 240,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'seed', type: 'nominal', title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
  writeAtomic(path, svg);
  console.log(`figure: ${path}`);
}

function settingsOf() {
  // --smoke: the quick settings (two fixture fonts, rendered into a cache folder under the OS's temp
  // folder) at 2 epochs, only to try the script (seconds); the numbers mean nothing
  return args.smoke !== undefined
    ? { ...GLYPHS_SETTINGS.quick, epochs: 2 }
    : validateGlyphsSettings(JSON.parse(readFileSync('bench/glyphs-full.json', 'utf8')), 'bench/glyphs-full.json');
}

function loadData(settings) {
  return loadGlyphs({ fonts: settings.fonts, spec: settings.data, log: (l) => console.log(l), ...(args.smoke !== undefined ? { cacheDir: join(tmpdir(), 'arcgrad-collapse-smoke') } : {}) });
}

/** An orthonormal basis (Gram–Schmidt, directions below 1e-9 of their norm dropped) of the rows `vectors`. */
function orthonormalBasis(vectors, dim) {
  const basis = [];
  for (const v0 of vectors) {
    const v = Float64Array.from(v0);
    const before = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    for (const b of basis) {
      const c = v.reduce((a, x, k) => a + x * b[k], 0);
      for (let k = 0; k < dim; k++) v[k] -= c * b[k];
    }
    const n = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    if (n > 1e-9 * before) basis.push(v.map((x) => x / n));
  }
  return basis;
}

/** Rows of `u` with the span of `basis` projected out, re-normalized. */
function projectOut(u, dim, basis) {
  const out = Float64Array.from(u);
  for (let i = 0; i < u.length / dim; i++) {
    for (const b of basis) {
      let c = 0;
      for (let k = 0; k < dim; k++) c += out[i * dim + k] * b[k];
      for (let k = 0; k < dim; k++) out[i * dim + k] -= c * b[k];
    }
  }
  return normalized(out, dim);
}

/** Centred group means of the rows of `u` (one per group). */
function groupMeans(u, dim, groups) {
  const { mean, sums } = groupSums(u, dim, groups);
  return [...sums.values()].map(({ n: c, v }) => v.map((x, k) => x / c - mean[k]));
}

/** The top `k` principal directions of the rows of `u` (power iteration with deflation, seeded). */
function principalDirections(u, dim, k) {
  const { cov } = covariance(u, dim);
  const rng = new Random(1);
  const found = [];
  for (let j = 0; j < k; j++) {
    let v = Float64Array.from({ length: dim }, () => rng.uniform() - 0.5);
    for (let it = 0; it < 500; it++) {
      const next = new Float64Array(dim);
      for (let p = 0; p < dim; p++) for (let q = 0; q < dim; q++) next[p] += cov[p * dim + q] * v[q];
      for (const b of found) {
        const c = next.reduce((a, x, d) => a + x * b[d], 0);
        for (let d = 0; d < dim; d++) next[d] -= c * b[d];
      }
      const norm = Math.sqrt(next.reduce((a, x) => a + x * x, 0));
      v = next.map((x) => x / norm);
    }
    found.push(v);
  }
  return found;
}

/**
 * Hypothesis checks on the saved final embeddings of each seed (`--analyze DIR`): unseen rank-1
 * after projecting out (a) the directions of the 13 training fonts' mean embeddings, measured on
 * the training images only (no unseen label is used), (b) as many random directions (seeded),
 * (c) as many top principal directions of the training embeddings; the font and identity
 * variance shares after (a); the dominant direction (top principal direction of the raw training
 * embeddings): its share, its angle to the mean class centre, rank-1 without it, each font's side
 * of it; and unseen rank-1 with each font as the gallery.
 */
async function analyze(dir, seedsToCheck) {
  const settings = settingsOf();
  const data = loadData(settings);
  const sets = glyphsSets(settings, data);
  const dim = settings.embedding;
  const read = (seed, name) => Float64Array.from(new Float32Array(readFileSync(join(dir, `arcface-seed${seed}.${name}.f32`)).buffer.slice(0)));
  const rank1 = (u) => rankOneIdentification(u, dim, sets.unseen.labels, sets.unseen.gallery).rank1;
  const report = { machine: { cpu: cpus()[0]?.model, cores: cpus().length, load: loadavg(), date: new Date().toISOString() }, seeds: [] };
  for (const seed of seedsToCheck) {
    const unseen = normalized(read(seed, 'unseen'), dim);
    const train = normalized(read(seed, 'train'), dim);
    const fontBasis = orthonormalBasis(groupMeans(train, dim, sets.train.fonts), dim);
    const k = fontBasis.length;
    const rng = new Random(2);
    const randomBasis = orthonormalBasis(Array.from({ length: k }, () => Array.from({ length: dim }, () => rng.uniform() - 0.5)), dim);
    const pcBasis = principalDirections(train, dim, k);
    const withoutFonts = projectOut(unseen, dim, fontBasis);
    const row = {
      seed,
      fontDirections: k,
      unseenRank1: rank1(unseen),
      withoutTrainingFontDirections: rank1(withoutFonts),
      withoutRandomDirections: rank1(projectOut(unseen, dim, randomBasis)),
      withoutTopPrincipalDirections: rank1(projectOut(unseen, dim, pcBasis)),
      shares: { identity: betweenShare(unseen, dim, sets.unseen.labels), font: betweenShare(unseen, dim, sets.unseen.fonts) },
      sharesWithoutFonts: { identity: betweenShare(withoutFonts, dim, sets.unseen.labels), font: betweenShare(withoutFonts, dim, sets.unseen.fonts) },
      trainShares: { identity: betweenShare(train, dim, sets.train.labels), font: betweenShare(train, dim, sets.train.fonts) },
    };
    // the dominant direction: the top principal direction of the raw training embeddings
    const rawTrain = read(seed, 'train');
    const [top] = principalDirections(rawTrain, dim, 1);
    const w = normalized(read(seed, 'w'), dim);
    const wMean = new Float64Array(dim);
    for (let j = 0; j < w.length / dim; j++) for (let k = 0; k < dim; k++) wMean[k] += w[j * dim + k] / (w.length / dim);
    const wMeanNorm = Math.sqrt(wMean.reduce((a, x) => a + x * x, 0));
    const perFont = (u, raw, set) => {
      const fonts = [...new Set(set.fonts)].sort((a, b) => a - b);
      return fonts.map((f) => {
        let n = 0, proj = 0, positive = 0, norm = 0;
        for (let i = 0; i < set.count; i++) {
          if (set.fonts[i] !== f) continue;
          const c = dot(u, i, top, 0, dim);
          n++;
          proj += c;
          if (c > 0) positive++;
          norm += Math.sqrt(dot(raw, i, raw, i, dim));
        }
        return { font: data.manifest.fonts[f].name.replace('@fontsource/', ''), meanCosToTop: proj / n, positiveShare: positive / n, meanNorm: norm / n };
      });
    };
    const rawUnseen = read(seed, 'unseen');
    row.dominant = {
      rawTrainTopShare: covarianceSpectrum(rawTrain, dim).topShares[0],
      cosWithMeanCentre: Math.abs(top.reduce((a, x, k) => a + x * wMean[k], 0)) / wMeanNorm,
      meanCentreNorm: wMeanNorm,
      unseenRank1WithoutIt: rank1(projectOut(unseen, dim, [top])),
      unseenPerFont: perFont(unseen, rawUnseen, sets.unseen),
    };
    // the protocol's gallery is the first training font's image; rank-1 with each font as the gallery instead
    row.unseenRank1ByGalleryFont = [...new Set(sets.unseen.fonts)].sort((a, b) => a - b).map((f) => ({
      font: data.manifest.fonts[f].name.replace('@fontsource/', ''),
      protocolGallery: f === sets.split.trainFonts[0],
      rank1: rankOneIdentification(unseen, dim, sets.unseen.labels, Array.from(sets.unseen.fonts, (g, i) => g === f && sets.unseen.copies[i] === 0)).rank1,
    }));
    console.log(JSON.stringify(row));
    report.seeds.push(row);
  }
  writeAtomic(join(dir, 'analyze.json'), JSON.stringify(report, null, 1));
}

if (args.analyze !== undefined) {
  await analyze(args.analyze, (args.seeds ?? '1,0').split(',').map(Number));
  process.exit(0);
}

if (args.from !== undefined) {
  // one or more collapse.json files (comma-separated), e.g. one per seed
  const parts = args.from.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const result = { ...parts[0], seeds: parts.flatMap((p) => p.seeds).filter((r) => r.epochs.length === r.run.config.optim.epochs) };
  if (args.figure !== undefined) await figure(result, args.figure);
  process.exit(0);
}

const out = resolve(args.out ?? 'out/glyphs-collapse');
mkdirSync(out, { recursive: true });
const seeds = (args.seeds ?? '1,0').split(',').map(Number);
const settings = settingsOf();
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, loadBefore: loadavg(), date: new Date().toISOString(), node: process.version };
console.log(JSON.stringify(machine));
const data = loadData(settings);
const sets = glyphsSets(settings, data);
const classes = sets.split.train.length;
const dim = settings.embedding;
const trainSample = strided(sets.train, TRAIN_STRIDE);
// a training or held-out-fonts image's label is its class (its position in split.train: glyphImages)
const [trainClasses, trainSampleClasses, heldOutClasses] = [sets.train.labels, trainSample.labels, sets.heldOut.labels];
console.log(`train ${sets.train.count} images (${classes} classes), unseen ${sets.unseen.count}, held-out fonts ${sets.heldOut.count}`);
const backend = await createBackend(settings.backend);
const result = { machine, settings: args.smoke !== undefined ? 'smoke' : 'bench/glyphs-full.json', loss: 'arcface', seeds: [] };
try {
  for (const seed of seeds) {
    const epochs = [];
    let final;
    const started = performance.now();
    const run = trainGlyphsRun(settings, sets, 'arcface', seed, backend, undefined, {
      onEpoch(snap) {
        if (args['final-only'] !== undefined && snap.epoch !== settings.epochs - 1) return;
        const t0 = performance.now();
        const unseen = snap.embed(sets.unseen);
        const heldOut = snap.embed(sets.heldOut);
        const train = snap.embed(trainSample);
        const row = {
          epoch: snap.epoch,
          loss: snap.loss,
          unseenRank1: rankOneIdentification(unseen, dim, sets.unseen.labels, sets.unseen.gallery).rank1,
          // (the smoke settings hold out one font: no probes there)
          heldOutRank1: sets.heldOut.gallery.every(Boolean) ? null : rankOneIdentification(heldOut, dim, sets.heldOut.labels, sets.heldOut.gallery).rank1,
          unseen: geometry(unseen, dim, sets.unseen, snap.w, classes, undefined, false),
          heldOut: { spectrum: covarianceSpectrum(normalized(heldOut, dim), dim), nearest: nearestCentres(normalized(heldOut, dim), dim, snap.w, classes, heldOutClasses) },
          train: geometry(train, dim, trainSample, snap.w, classes, trainSampleClasses, false),
        };
        epochs.push(row);
        const f = (x) => x.toFixed(3);
        console.log(
          `seed ${seed} epoch ${snap.epoch + 1}: loss ${f(row.loss)} unseen rank-1 ${f(row.unseenRank1)} held-out rank-1 ${row.heldOutRank1?.toFixed(3)} ` +
            `unseen PR ${f(row.unseen.spectrum.participationRatio)} id/font share ${f(row.unseen.identityShare)}/${f(row.unseen.fontShare)} ` +
            `unseen→distinct centres ${row.unseen.nearest.distinct} (top1 ${f(row.unseen.nearest.topShare)}, eff ${row.unseen.nearest.effectiveCentres.toFixed(1)}) ` +
            `angle to nearest: unseen ${row.unseen.nearest.meanAngleToNearestDeg.toFixed(1)}° train ${row.train.nearest.meanAngleToNearestDeg.toFixed(1)}° (θ_y ${row.train.nearest.meanThetaYDeg.toFixed(1)}°) ` +
            `[${((performance.now() - t0) / 1000).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}]`,
        );
        if (snap.epoch === settings.epochs - 1) {
          const trainAll = snap.embed(sets.train);
          saveArrays(join(out, `arcface-seed${seed}`), { unseen, heldOut, train: trainAll, w: snap.w });
          final = {
            unseen: geometry(unseen, dim, sets.unseen, snap.w, classes, undefined, true),
            heldOut: geometry(heldOut, dim, sets.heldOut, snap.w, classes, heldOutClasses, true),
            train: geometry(trainAll, dim, sets.train, snap.w, classes, trainClasses, true),
            model: modelFacts(snap, classes, dim, { trainSample, unseen: sets.unseen }),
          };
        }
      },
    });
    const summaryJson = glyphsRunJson(run);
    const entry = { seed, wallSeconds: (performance.now() - started) / 1000, trainSeconds: run.trainSeconds, run: summaryJson, meanThetaYDeg: (run.angles.reduce((a, b) => a + b, 0) / run.angles.length) * (180 / Math.PI), epochs, final };
    console.log(`seed ${seed}: unseen rank-1 ${run.unseen.identification.rank1} verification ${run.unseen.verification.accuracy.mean} TAR@FAR=1e-3 ${run.unseen.allPairs.points[0].tar} held-out rank-1 ${run.heldOut.identification.rank1} final loss ${run.lossCurve.at(-1)} mean θ_y ${entry.meanThetaYDeg.toFixed(2)}° (train ${run.trainSeconds.toFixed(1)} s)`);
    if (args.reference !== undefined) {
      const ref = JSON.parse(readFileSync(join(args.reference, `arcface-seed${seed}.json`), 'utf8'));
      const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      const checks = { unseen: same(ref.unseen, summaryJson.unseen), heldOutFonts: same(ref.heldOutFonts, summaryJson.heldOutFonts), lossCurve: same(ref.lossCurve, summaryJson.lossCurve), steps: ref.steps === summaryJson.steps };
      entry.reproduces = checks;
      console.log(`seed ${seed} reproduces ${args.reference}: ${JSON.stringify(checks)}`);
    }
    result.seeds.push(entry);
    result.machine.loadAfter = loadavg();
    writeAtomic(join(out, 'collapse.json'), JSON.stringify(result, null, 1));
  }
} finally {
  shutdownFastPool();
}
console.log(`wrote ${join(out, 'collapse.json')}`);
if (args.figure !== undefined) await figure(result, args.figure);
