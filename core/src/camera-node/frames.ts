// Frame references: how sampled frames travel from ingest to the detector without the bytes
// passing through Redis. Ingest keeps a fixed ring of slot files per camera on a local memory volume
// (tmpfs); ffmpeg writes each sampled frame's raw pixels into the next slot, in place, and ingest
// XADDs this reference to `frames:<cameraId>`; the detector on the same node reads the reference,
// then the slot. A slot overwritten before it was read is a dropped frame.
//
// One frame format: raw I420 (`yuv420p`: 8-bit, limited range, BT.601 as ffmpeg converts it, planes
// Y (w x h), U and V (ceil(w/2) x ceil(h/2)) without padding), full camera resolution. Nothing is
// compressed on the way: ffmpeg writes each sampled frame straight into the ring volume (no encoding,
// no bytes through ingest's process: the JPEG encode of every sampled 1080p frame cost ingest ~50 %
// over bare decoding, see bench/README.md) and the detector does no decoding; JPEG is made only where
// a picture leaves the node (evidence stills, snapshots).

/** Pixel format of every ring frame. */
export type FrameFormat = 'yuv420p';
export const FRAME_FORMAT: FrameFormat = 'yuv420p';

/** A sampled frame, by reference. `path` points into the frame ring; the bytes live there only. */
export interface FrameRef {
  cameraId: string;
  /** Per-camera sequence number: increases by one per frame written; restarts never reuse one. */
  seq: number;
  /** Capture time, wall clock, ISO 8601 with milliseconds. */
  capturedAt: string;
  /** Ring slot that holds the frame. */
  slot: number;
  /** Absolute path of the slot file. */
  path: string;
  width: number;
  height: number;
  /**
   * Pixel layout of the slot's payload (see `FrameFormat`). Ingest always sets it; it is absent only in
   * references written before raw frames (JPEG slots), which `readFrames` counts as dropped.
   */
  format?: FrameFormat;
  /**
   * ISO time by which a read of the slot must have finished. ffmpeg rewrites slots in place, with no
   * signal before it starts; but it cannot start on the slot's next frame before a frame of that time
   * has arrived from the camera, `slots` sampling intervals after this one was captured. Ingest sets
   * this a few intervals short of that, and a read that ends later counts the slot as overwritten, so
   * a frame is never read half-rewritten. Absent for slots written whole and renamed into place.
   */
  readBy?: string;
}

/** A frame's pixels as read from its slot (`data` is exactly `frameBytes(width, height)` long). */
export interface RawFrame {
  format: FrameFormat;
  width: number;
  height: number;
  data: Buffer;
}

/** Bytes of one I420 frame: a full-size Y plane and two quarter-size chroma planes (odd sizes round up). */
export function frameBytes(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/**
 * Slot file layout: the frame's I420 planes, exactly `frameBytes(width, height)`, then a 32-byte
 * trailer that ingest writes once ffmpeg has finished the frame. Trailer, big-endian: magic `PNRF`
 * (4), trailer length (u16, 32), format code (u16, 1 = yuv420p), width (u32), height (u32), sequence
 * number (u64), capture time (f64, epoch ms). `ffplay -f rawvideo -pixel_format yuv420p -video_size
 * WxH 0007.frame` shows the picture; a ring reader compares the trailer's sequence with the
 * reference it holds to detect a slot that was overwritten.
 */
export const SLOT_TRAILER_MAGIC = 'PNRF';
export const SLOT_TRAILER_BYTES = 32;
const FORMAT_CODES: Record<FrameFormat, number> = { yuv420p: 1 };

export interface SlotTrailer {
  format: FrameFormat;
  width: number;
  height: number;
  seq: number;
  capturedAtMs: number;
}

export function encodeSlotTrailer(t: SlotTrailer): Buffer {
  const out = Buffer.alloc(SLOT_TRAILER_BYTES);
  out.write(SLOT_TRAILER_MAGIC, 0, 'ascii');
  out.writeUInt16BE(SLOT_TRAILER_BYTES, 4);
  out.writeUInt16BE(FORMAT_CODES[t.format], 6);
  out.writeUInt32BE(t.width, 8);
  out.writeUInt32BE(t.height, 12);
  out.writeBigUInt64BE(BigInt(t.seq), 16);
  out.writeDoubleBE(t.capturedAtMs, 24);
  return out;
}

/** Reads the trailer at the end of a slot file; null when the bytes do not end in one. */
export function decodeSlotTrailer(bytes: Uint8Array): SlotTrailer | null {
  if (bytes.length < SLOT_TRAILER_BYTES) return null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset + bytes.byteLength - SLOT_TRAILER_BYTES, SLOT_TRAILER_BYTES);
  if (buf.toString('ascii', 0, 4) !== SLOT_TRAILER_MAGIC || buf.readUInt16BE(4) !== SLOT_TRAILER_BYTES) return null;
  const format = (Object.keys(FORMAT_CODES) as FrameFormat[]).find((f) => FORMAT_CODES[f] === buf.readUInt16BE(6));
  if (!format) return null;
  return { format, width: buf.readUInt32BE(8), height: buf.readUInt32BE(12), seq: Number(buf.readBigUInt64BE(16)), capturedAtMs: buf.readDoubleBE(24) };
}

/** A slot file's bytes for `frame`: the planes, then the trailer. */
export function slotFileBytes(frame: Pick<RawFrame, 'width' | 'height' | 'data'>, seq: number, capturedAtMs: number): Buffer {
  return Buffer.concat([frame.data, encodeSlotTrailer({ format: FRAME_FORMAT, width: frame.width, height: frame.height, seq, capturedAtMs })]);
}

/** What a slot file read whole holds for the reference it was read for. */
export type SlotContent =
  | { kind: 'frame'; frame: RawFrame }
  /** The slot holds another frame (or none): the referenced one was overwritten. */
  | { kind: 'overwritten' }
  /** The slot holds the referenced frame's trailer but not a whole, consistent frame. */
  | { kind: 'corrupt'; reason: string };

/** `readAtMs`: when the read of `bytes` ended (now, by default); past the reference's `readBy` the bytes are not trusted. */
export function slotContent(bytes: Buffer, ref: Pick<FrameRef, 'seq' | 'width' | 'height' | 'format' | 'readBy'>, readAtMs = Date.now()): SlotContent {
  if (ref.readBy !== undefined && !(readAtMs <= Date.parse(ref.readBy))) return { kind: 'overwritten' };
  const t = decodeSlotTrailer(bytes);
  if (!t || t.seq !== ref.seq) return { kind: 'overwritten' };
  if (t.format !== ref.format || t.width !== ref.width || t.height !== ref.height) {
    return { kind: 'corrupt', reason: `slot holds ${t.format} ${t.width}x${t.height}, reference says ${String(ref.format)} ${ref.width}x${ref.height}` };
  }
  const size = frameBytes(t.width, t.height) + SLOT_TRAILER_BYTES;
  if (bytes.length !== size) return { kind: 'corrupt', reason: `slot has ${bytes.length} bytes, a ${t.width}x${t.height} frame needs ${size}` };
  return { kind: 'frame', frame: { format: t.format, width: t.width, height: t.height, data: bytes.subarray(0, frameBytes(t.width, t.height)) } };
}

/** Stream entry fields <-> FrameRef (Redis stream values are strings). */
export function frameRefToFields(ref: FrameRef): string[] {
  return [
    'cameraId',
    ref.cameraId,
    'seq',
    String(ref.seq),
    'capturedAt',
    ref.capturedAt,
    'slot',
    String(ref.slot),
    'path',
    ref.path,
    'width',
    String(ref.width),
    'height',
    String(ref.height),
    ...(ref.format ? ['format', ref.format] : []),
    ...(ref.readBy ? ['readBy', ref.readBy] : []),
  ];
}

export function frameRefFromFields(fields: string[]): FrameRef | null {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const cameraId = map.get('cameraId');
  const capturedAt = map.get('capturedAt');
  const path = map.get('path');
  const seq = Number(map.get('seq'));
  const slot = Number(map.get('slot'));
  const width = Number(map.get('width'));
  const height = Number(map.get('height'));
  const format = map.get('format');
  const readBy = map.get('readBy');
  if (!cameraId || !capturedAt || !path) return null;
  if (format !== undefined && format !== FRAME_FORMAT) return null; // a format this version cannot read
  if (![seq, slot, width, height].every(Number.isInteger)) return null;
  if (readBy !== undefined && !Number.isFinite(Date.parse(readBy))) return null;
  return { cameraId, seq, capturedAt, slot, path, width, height, ...(format ? { format } : {}), ...(readBy ? { readBy } : {}) };
}

/** What `readFrames` yields: a frame to process, or a count of frames lost before it. */
export type FrameEvent =
  | { kind: 'frame'; id: string; ref: FrameRef; frame: RawFrame }
  /** The slot holds this frame's header but not a whole frame (damaged ring file): skip it, count it. */
  | { kind: 'corrupt'; id: string; ref: FrameRef; reason: string }
  | { kind: 'dropped'; id: string; count: number; reason: 'overwritten' | 'trimmed' | 'gap' };
