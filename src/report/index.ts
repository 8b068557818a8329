/**
 * `arcgrad/report`: the papers' figures (target logit against θ, decision boundaries, embeddings
 * on the circle, θ histograms, ROC) as Vega-Lite specs and SVG, their curves, and the
 * self-contained report. Drawing needs the optional packages vega and vega-lite
 * (`npm install vega vega-lite`); without them `renderVegaLite` throws a MissingExtraError
 * naming that command. The curves alone need nothing.
 * @module arcgrad/report
 */
export { FIGURE_CONFIG, renderVegaLite } from './vega.js';
export {
  ARCFACE_FALLBACK_CURVES, LOSS_CURVES, decisionBoundary, definedMarginCurves, targetLogitCurves, targetProbabilityCurve,
  type BoundaryLine, type Curve, type DecisionBoundary, type MarginCurveSpec,
} from './curves.js';
export { marginGeometryFigures, writeMarginGeometryFigures } from './margin-figures.js';
export {
  DECISION_BOUNDARY_SERIES, TRAINING_WINDOW_DEGREES, angleHistogramFigure, decisionBoundaryFigure, embeddingScatterFigure, rocFigure, targetLogitFigure,
  type AngleStage, type CurvePanel, type DecisionBoundaryOptions, type RocSeries, type ScatterArc, type ScatterOptions, type ScatterPanel, type TargetLogitOptions,
} from './figures.js';
export { formatNumber, renderReport, writeReport, type RenderedReport, type ReportFigure, type ReportInput, type ReportTable } from './report.js';
