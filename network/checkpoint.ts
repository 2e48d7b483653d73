/**
 * Checkpoints as JSON files: the model's architecture and parameters, the preprocessing it was
 * trained with, and the solver's state (optimizer moments, histories, best parameters), enough to
 * evaluate the model or to continue training exactly where it stopped.
 *
 * Tensors are stored as `{ "shape": [...], "float64": "<base64 of the little-endian doubles>" }`:
 * exact (no decimal round trip) and about half the size of a list of numbers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isTensor, type Tensor } from '../lib/index.ts';

export const CHECKPOINT_FORMAT = 'gradlab-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** A checkpoint that cannot be read; the CLI reports it as one line. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

interface EncodedTensor {
  shape: number[];
  float64: string;
}

function isEncodedTensor(v: unknown): v is EncodedTensor {
  return typeof v === 'object' && v !== null && Array.isArray((v as EncodedTensor).shape) && typeof (v as EncodedTensor).float64 === 'string';
}

/** Replaces every tensor inside `value` (at any depth) by its encoded form; other values are kept. */
export function encodeTensors(value: unknown): unknown {
  if (isTensor(value)) {
    const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    // NOTE: typed arrays use the platform's byte order; every platform Node runs on is little-endian.
    return { shape: [...value.shape], float64: Buffer.from(bytes).toString('base64') };
  }
  if (Array.isArray(value)) return value.map(encodeTensors);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeTensors(v)]));
  }
  return value;
}

/** The inverse of `encodeTensors`. */
export function decodeTensors(value: unknown): unknown {
  if (isEncodedTensor(value)) {
    const bytes = Buffer.from(value.float64, 'base64');
    const size = value.shape.reduce((p, d) => p * d, 1);
    if (bytes.length !== size * 8) throw new CheckpointError(`a tensor of shape [${value.shape.join(', ')}] holds ${bytes.length} bytes instead of ${size * 8}`);
    const data = new Float64Array(size);
    new Uint8Array(data.buffer).set(bytes);
    return { shape: value.shape, data } satisfies Tensor;
  }
  if (Array.isArray(value)) return value.map(decodeTensors);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeTensors(v)]));
  }
  return value;
}

/** Writes `body` (any JSON-able object holding tensors) with the format header. */
export function saveCheckpoint(path: string, body: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  const doc = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, savedAt: new Date().toISOString(), ...body };
  writeFileSync(path, JSON.stringify(encodeTensors(doc)));
}

/**
 * Reads a checkpoint written by `saveCheckpoint`.
 * @throws CheckpointError for a missing file, invalid JSON, or another format or version.
 */
export function loadCheckpoint(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CheckpointError(`checkpoint not found: ${path}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CheckpointError(`${path} is not a checkpoint (not valid JSON)`);
  }
  const header = doc as { format?: unknown; version?: unknown };
  if (typeof doc !== 'object' || doc === null || header.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${path} is not a gradlab checkpoint (no "format": "${CHECKPOINT_FORMAT}")`);
  }
  if (header.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${path} is a version ${String(header.version)} checkpoint; this trainer reads version ${CHECKPOINT_VERSION}`);
  }
  return decodeTensors(doc) as Record<string, unknown>;
}
