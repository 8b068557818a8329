/**
 * Example margins written with the public `defineMargin` API only: CurricularFace, AdaFace,
 * MagFace, ElasticFace-Arc and ElasticFace-Cos, each citing its paper and reference code, with the
 * paper's formula by default and the reference code's behaviour as `reference.overrides` (see each
 * file's header). Importing this module registers them, so that `arcgrad check` case files,
 * `arcgrad train --loss` and `arcgrad demo --losses` can name them.
 *
 * `arcgrad/margins`; also in the root (importing `arcgrad` registers them too).
 * @module arcgrad/margins
 */
import { registerMargin } from '../losses/define-margin.js';
import { adaFace } from './adaface.js';
import { curricularFace } from './curricularface.js';
import { elasticFaceArc, elasticFaceCos } from './elasticface.js';
import { magFace } from './magface.js';

export { adaFace, type AdaFaceParams, type AdaFaceState } from './adaface.js';
export { curricularFace, type CurricularFaceParams, type CurricularFaceState } from './curricularface.js';
export { elasticFaceArc, elasticFaceCos, elasticFaceMargins, type ElasticFaceParams, type ElasticFaceState } from './elasticface.js';
export { magFace, type MagFaceParams } from './magface.js';

/** The example margins, by name, in the order the demo's table lists them. */
export const exampleMargins = {
  /** {@link curricularFace} */
  curricularface: curricularFace,
  /** {@link adaFace} */
  adaface: adaFace,
  /** {@link magFace} */
  magface: magFace,
  /** {@link elasticFaceArc} */
  'elasticface-arc': elasticFaceArc,
  /** {@link elasticFaceCos} */
  'elasticface-cos': elasticFaceCos,
} as const;

for (const m of Object.values(exampleMargins)) registerMargin(m);
