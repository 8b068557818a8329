/**
 * `arcgrad/train`: the deterministic training loop, atomic checkpoints (format, encoding,
 * version) and the progress bar. `train`, `saveCheckpoint` and `loadCheckpoint` are also in the root.
 * @module arcgrad/train
 */
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint, type JsonValue, type SaveOptions } from './checkpoint.js';
export { epochSeed, train, type CheckpointOptions, type HeadLoss, type HeadStateAccess, type Progress, type TrainData, type TrainOptions, type TrainResult } from './loop.js';
export { ProgressBar, trainProgress, type ProgressBarOptions, type ProgressStream } from '../cli/progress.js';
