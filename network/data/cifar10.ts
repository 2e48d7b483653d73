/**
 * CIFAR-10 from a local folder in the dataset's binary format
 * (https://www.cs.toronto.edu/~kriz/cifar.html, "CIFAR-10 binary version"):
 * `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, each a sequence of records of
 * 1 label byte followed by 3,072 pixel bytes — the 1,024 red values of the 32 × 32 image row by
 * row, then the green, then the blue.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Split } from './dataset.ts';
import { takeRows } from './dataset.ts';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';

/** A loading problem the CLI reports as one line (missing folder, wrong format). */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

/**
 * Reads one CIFAR-10 binary file into images `[N, 32, 32, 3]` (channels last, values / 255) and
 * labels. `limit` keeps only the first records.
 * @throws DatasetError when the file's size is not a whole number of records or a label is not 0–9.
 */
export function readCifarBatch(file: string, limit = Infinity): Split {
  const bytes = readFileSync(file);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DatasetError(`${file} is not a CIFAR-10 binary batch: its size ${bytes.length} is not a multiple of ${RECORD} bytes (1 label + 3072 pixels)`);
  }
  const N = Math.min(bytes.length / RECORD, limit);
  const x = new Float64Array(N * 3 * PLANE);
  const y = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const record = n * RECORD;
    const label = bytes[record]!;
    if (label > 9) throw new DatasetError(`${file}: record ${n} has label ${label}; CIFAR-10 labels are 0–9`);
    y[n] = label;
    // The file stores planes (R, G, B), each row-major; the kit's images are channels last.
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < PLANE; p++) x[(n * PLANE + p) * 3 + c] = bytes[record + 1 + c * PLANE + p]! / 255;
    }
  }
  return { x: { shape: [N, SIDE, SIDE, 3], data: x }, y };
}

/** Concatenates splits along the first axis. */
function concat(parts: Split[]): Split {
  const N = parts.reduce((s, p) => s + p.y.length, 0);
  const rest = parts[0]!.x.shape.slice(1);
  const row = rest.reduce((p, d) => p * d, 1);
  const x = new Float64Array(N * row);
  const y = new Int32Array(N);
  let n = 0;
  for (const p of parts) {
    x.set(p.x.data, n * row);
    y.set(p.y, n);
    n += p.y.length;
  }
  return { x: { shape: [N, ...rest], data: x }, y };
}

/**
 * CIFAR-10 from `dir` (the folder holding the `.bin` files, or its parent holding
 * `cifar-10-batches-bin/`). As in CS231n, the last `val` training images (default 1,000) are the
 * validation split and `test_batch.bin` is the test split.
 *
 * @param options.limit keep at most this many training images (after the validation split) and
 *   this many test images — the full set is 1.2 GB as float64.
 * @throws DatasetError naming the folder and the missing files.
 */
export function loadCifar10(dir: string, options: { val?: number; limit?: number } = {}): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`CIFAR-10 folder not found: ${dir}`);
  const folder = existsSync(join(dir, 'cifar-10-batches-bin')) ? join(dir, 'cifar-10-batches-bin') : dir;
  const missing = [...TRAIN_FILES, TEST_FILE].filter((f) => !existsSync(join(folder, f)));
  if (missing.length > 0) {
    throw new DatasetError(`${folder} is missing ${missing.join(', ')} (expected the CIFAR-10 binary version: data_batch_1.bin … data_batch_5.bin, test_batch.bin)`);
  }
  const limit = options.limit ?? Infinity;
  const valWanted = options.val ?? 1000;
  const parts: Split[] = [];
  let have = 0;
  for (const f of TRAIN_FILES) {
    if (have >= limit + valWanted) break;
    const part = readCifarBatch(join(folder, f), limit + valWanted - have);
    parts.push(part);
    have += part.y.length;
  }
  const all = concat(parts);
  const N = all.y.length;
  // Small folders (tests, excerpts) keep at least 4/5 of their images for training.
  const val = Math.min(valWanted, Math.floor(N / 5));
  const index = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
  return {
    name: 'cifar10',
    classes: CIFAR10_CLASSES,
    train: takeRows(all, index(0, Math.min(N - val, limit))),
    val: takeRows(all, index(N - val, N)),
    test: readCifarBatch(join(folder, TEST_FILE), limit),
  };
}
