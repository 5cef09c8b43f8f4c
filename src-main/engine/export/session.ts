/**
 * Session files (.aex): everything needed to reopen a map without
 * retraining (dataset reference and fingerprint, model kind and weights,
 * codes, reconstruction errors, projection, view state, hyper-parameters)
 * in one file.
 *
 * Layout: 8-byte magic "AEXSESS1", u32 little-endian length of a UTF-8 JSON
 * header, the header, zero padding to a multiple of 8, then the body: the
 * float32 blobs the header lists by offset and length. The header carries
 * the body's length and SHA-256, so a truncated, padded or altered file is
 * refused with a clear error before anything is used. Files are written
 * atomically (temporary file + rename), so saving over a session never
 * leaves a partial one.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

import type { DatasetSource, EpochLog, ModelKind, ProjectParams, TrainParams } from '../../protocol.js';
import { MODEL_KINDS } from '../../protocol.js';
import type { Dataset } from '../datasets/types.js';
import { writeFileAtomic } from './csv.js';

const MAGIC = 'AEXSESS1';
/** Largest session file the engine reads (Node reads at most 2 GiB into one buffer). */
export const MAX_SESSION_BYTES = 2 ** 31 - 1;
/** The format version this code writes and reads. */
export const SESSION_VERSION = 1;

/** A trained model as stored: its kind, sizes and every weight in a fixed order. */
export interface SessionModel {
  kind: ModelKind;
  codeSize: number;
  /** The hyper-parameters the model was trained with. */
  params: TrainParams;
  epochs: EpochLog[];
  meanError: number;
  weights: { shape: number[]; data: Float32Array }[];
}

/** The content of a session. */
export interface SessionData {
  dataset: {
    source: DatasetSource;
    name: string;
    n: number;
    height: number;
    width: number;
    channels: number;
    /** SHA-256 of the pixels and labels: reopening checks the data did not change. */
    fingerprint: string;
  };
  model: SessionModel | null;
  /** n×codeSize codes. */
  codes: Float32Array | null;
  /** Per-item reconstruction errors. */
  errors: Float32Array | null;
  projection: { method: ProjectParams['method']; positions: Float32Array; params?: ProjectParams } | null;
  /** The front end's view (camera, hidden classes, theme...): opaque JSON. */
  view: Record<string, unknown> | null;
}

/** A session file that cannot be used; the message says why. */
export class SessionError extends Error {
  override name = 'SessionError';
}

/** SHA-256 (hex) of a dataset's pixels and labels. */
export function datasetFingerprint(
  ds: Pick<Dataset, 'pixels' | 'labels' | 'n' | 'height' | 'width' | 'channels'>,
): string {
  const h = createHash('sha256');
  h.update(`${ds.n}x${ds.height}x${ds.width}x${ds.channels}\n`);
  h.update(ds.pixels);
  h.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  return h.digest('hex');
}

interface BlobRef {
  offset: number;
  length: number;
}

interface Header {
  format: 'ae-explorer-session';
  version: number;
  savedAt: string;
  bodyLength: number;
  bodySha256: string;
  dataset: SessionData['dataset'];
  model: (Omit<SessionModel, 'weights'> & { weights: (BlobRef & { shape: number[] })[] }) | null;
  codes: BlobRef | null;
  errors: BlobRef | null;
  projection: { method: ProjectParams['method']; params?: ProjectParams; positions: BlobRef } | null;
  view: Record<string, unknown> | null;
}

/** Serialises a session to bytes. */
export function encodeSession(s: SessionData): Uint8Array {
  const blobs: Float32Array[] = [];
  let offset = 0;
  const add = (a: Float32Array): BlobRef => {
    blobs.push(a);
    const ref = { offset, length: a.length };
    offset += a.byteLength;
    return ref;
  };
  const header: Omit<Header, 'bodyLength' | 'bodySha256'> = {
    format: 'ae-explorer-session',
    version: SESSION_VERSION,
    savedAt: new Date().toISOString(),
    dataset: s.dataset,
    model: s.model ? { ...s.model, weights: s.model.weights.map((w) => ({ shape: w.shape, ...add(w.data) })) } : null,
    codes: s.codes ? add(s.codes) : null,
    errors: s.errors ? add(s.errors) : null,
    projection: s.projection
      ? {
          method: s.projection.method,
          ...(s.projection.params ? { params: s.projection.params } : {}),
          positions: add(s.projection.positions),
        }
      : null,
    view: s.view,
  };
  const body = new Uint8Array(offset);
  let o = 0;
  for (const b of blobs) {
    body.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), o);
    o += b.byteLength;
  }
  const full: Header = {
    ...header,
    bodyLength: body.length,
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
  const json = new TextEncoder().encode(JSON.stringify(full));
  const start = align8(12 + json.length);
  const out = new Uint8Array(start + body.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(body, start);
  return out;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Parses and checks session bytes; throws SessionError naming the problem. */
export function decodeSession(bytes: Uint8Array): SessionData {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw new SessionError('not an AE Explorer session file (wrong signature)');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.length)
    throw new SessionError('the session file is truncated (its header is incomplete)');
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength))) as Header;
  } catch {
    throw new SessionError('the session file is damaged (its header is not valid JSON)');
  }
  if (!h || h.format !== 'ae-explorer-session')
    throw new SessionError('not an AE Explorer session file (wrong format field)');
  if (h.version !== SESSION_VERSION)
    throw new SessionError(
      `the session file has format version ${String(h.version)}; this AE Explorer reads version ${SESSION_VERSION}`,
    );
  const start = align8(12 + headerLength);
  if (!Number.isInteger(h.bodyLength) || bytes.length !== start + h.bodyLength)
    throw new SessionError(
      `the session file is ${bytes.length < start + h.bodyLength ? 'truncated' : 'longer than it should be'} (${bytes.length} bytes, expected ${start + h.bodyLength})`,
    );
  const body = bytes.subarray(start);
  if (createHash('sha256').update(body).digest('hex') !== h.bodySha256)
    throw new SessionError('the session file is damaged (its data does not match its checksum)');
  const aligned = new Uint8Array(body); // copy: Float32Array views need 4-byte alignment
  const blob = (ref: BlobRef, what: string): Float32Array => {
    if (
      !ref ||
      !Number.isInteger(ref.offset) ||
      !Number.isInteger(ref.length) ||
      ref.offset < 0 ||
      ref.length < 0 ||
      ref.offset % 4
    )
      throw new SessionError(`the session file is damaged (bad reference to ${what})`);
    if (ref.offset + ref.length * 4 > aligned.length)
      throw new SessionError(`the session file is damaged (${what} lies outside the data)`);
    return new Float32Array(aligned.buffer, ref.offset, ref.length);
  };
  const d = h.dataset;
  if (
    !d ||
    !d.source ||
    !['mnist', 'folder'].includes(d.source.kind) ||
    !Number.isInteger(d.n) ||
    d.n <= 0 ||
    typeof d.fingerprint !== 'string'
  )
    throw new SessionError('the session file is damaged (bad dataset reference)');
  let model: SessionModel | null = null;
  if (h.model) {
    if (!MODEL_KINDS.includes(h.model.kind) || !Number.isInteger(h.model.codeSize) || !Array.isArray(h.model.weights))
      throw new SessionError('the session file is damaged (bad model description)');
    model = {
      ...h.model,
      weights: h.model.weights.map((w, i) => {
        const data = blob(w, `weight ${i}`);
        if (!Array.isArray(w.shape) || w.shape.reduce((a, b) => a * b, 1) !== data.length)
          throw new SessionError(`the session file is damaged (weight ${i} has the wrong size)`);
        return { shape: w.shape, data };
      }),
    };
  }
  const codes = h.codes ? blob(h.codes, 'the codes') : null;
  if (codes && model && codes.length !== d.n * model.codeSize)
    throw new SessionError('the session file is damaged (codes of the wrong size)');
  const errors = h.errors ? blob(h.errors, 'the errors') : null;
  if (errors && errors.length !== d.n) throw new SessionError('the session file is damaged (errors of the wrong size)');
  let projection: SessionData['projection'] = null;
  if (h.projection) {
    if (!['tsne', 'pca', 'umap'].includes(h.projection.method))
      throw new SessionError(`the session file is damaged (unknown projection "${String(h.projection.method)}")`);
    const positions = blob(h.projection.positions, 'the projection');
    if (positions.length !== 2 * d.n)
      throw new SessionError('the session file is damaged (projection of the wrong size)');
    projection = {
      method: h.projection.method,
      positions,
      ...(h.projection.params ? { params: h.projection.params } : {}),
    };
  }
  return { dataset: d, model, codes, errors, projection, view: h.view ?? null };
}

/** Writes a session file atomically. */
export async function writeSession(file: string, s: SessionData): Promise<number> {
  const bytes = encodeSession(s);
  await writeFileAtomic(file, bytes);
  return bytes.length;
}

/** Reads and checks a session file; throws SessionError (or a file-system error) naming the file. */
export async function readSession(file: string): Promise<SessionData> {
  let bytes: Uint8Array;
  try {
    // A device or a pipe (/dev/zero) would be read without end: only regular files of a bounded size.
    const info = await stat(file);
    if (!info.isFile()) throw new SessionError(`${file}: not a session file (not a regular file)`);
    if (info.size > MAX_SESSION_BYTES)
      throw new SessionError(`${file}: too large for a session (${info.size} bytes, at most ${MAX_SESSION_BYTES})`);
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof SessionError) throw e;
    throw new SessionError(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    return decodeSession(bytes);
  } catch (e) {
    throw new SessionError(`${file}: ${(e as Error).message}`);
  }
}
