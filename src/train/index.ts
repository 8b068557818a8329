/**
 * `arcgrad/train`: the deterministic training loop and atomic checkpoints (format, encoding,
 * version). `train`, `saveCheckpoint` and `loadCheckpoint` are also in the root, with the
 * command line's progress bar (`trainProgress`).
 * @module arcgrad/train
 */
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint, type JsonValue, type SaveOptions } from './checkpoint.js';
export { identityBatchOrder, identityBatchesPerEpoch, type IdentityBatches } from './identity-batches.js';
export { epochSeed, train, type CheckpointOptions, type HeadLoss, type HeadStateAccess, type Progress, type TrainData, type TrainOptions, type TrainResult } from './loop.js';
