// Frame references: how sampled frames travel from ingest to the detector without the bytes
// passing through Redis. Ingest writes each JPEG into a fixed ring of slot files on a local
// volume and XADDs this reference to `frames:<cameraId>`; the detector on the same node reads
// the reference, then the slot. A slot overwritten before it was read is a dropped frame.

/** A sampled frame, by reference. `path` points into the frame ring; the bytes live there only. */
export interface FrameRef {
  cameraId: string;
  /** Per-camera sequence number: increases by one per frame written; restarts never reuse one. */
  seq: number;
  /** Capture time, wall clock, ISO 8601 with milliseconds. */
  capturedAt: string;
  /** Ring slot that holds the JPEG: `seq % ringSlots`. */
  slot: number;
  /** Absolute path of the slot file. */
  path: string;
  width: number;
  height: number;
}

/** Redis stream that carries a camera's frame references, in order. */
export function frameStreamKey(cameraId: string, prefix = ''): string {
  return `${prefix}frames:${cameraId}`;
}

/** Redis pub/sub channel for camera status changes (see `CameraStatus`). */
export const CAMERA_STATUS_CHANNEL = 'camera-status';

export const CAMERA_STATES = ['starting', 'online', 'reconnecting', 'offline', 'stopped'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

/** What ingest publishes on `camera-status` and stores in the `camera_status` table. */
export interface CameraStatus {
  cameraId: string;
  state: CameraState;
  /** Short, credential-free reason for the last failure (null while healthy). */
  lastError: string | null;
  /** Machine-readable class of the last failure. */
  lastErrorCode: CameraErrorCode | null;
  /** Frames per second written over the last status window. */
  fps: number;
  framesTotal: number;
  /** Frames sampled but not delivered because downstream (disk ring or Redis) was behind. */
  framesDropped: number;
  /** Restarts of this camera's ffmpeg since the lease was taken. */
  restarts: number;
  lastFrameAt: string | null;
  holder: string;
  node: string;
  updatedAt: string;
}

export const CAMERA_ERROR_CODES = [
  'unreachable',
  'not_found',
  'unauthorized',
  'no_video',
  'corrupt_stream',
  'stalled',
  'ffmpeg_exited',
  'bad_source',
] as const;
export type CameraErrorCode = (typeof CAMERA_ERROR_CODES)[number];

/**
 * Slot file layout: a plain JPEG whose first segment after SOI is a COM (0xFFFE) segment carrying
 * `FRAME_HEADER_MAGIC`, the sequence number (u64 BE) and the capture time (f64 BE, epoch ms).
 * The file stays a valid JPEG for any decoder; a reader compares the sequence with the reference
 * it holds to detect a slot that was overwritten.
 */
export const FRAME_HEADER_MAGIC = 'PNRG';
/** SOI(2) + COM marker(2) + length(2) + magic(4) + seq(8) + time(8). */
export const FRAME_HEADER_BYTES = 26;

export function encodeFrameHeader(seq: number, capturedAtMs: number): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header[0] = 0xff;
  header[1] = 0xd8;
  header[2] = 0xff;
  header[3] = 0xfe;
  header.writeUInt16BE(FRAME_HEADER_BYTES - 4, 4); // segment length counts itself, not the marker
  header.write(FRAME_HEADER_MAGIC, 6, 'ascii');
  header.writeBigUInt64BE(BigInt(seq), 10);
  header.writeDoubleBE(capturedAtMs, 18);
  return header;
}

/** Reads the header of a slot file; null when the bytes are not a ring frame. */
export function decodeFrameHeader(bytes: Uint8Array): { seq: number; capturedAtMs: number } | null {
  if (bytes.length < FRAME_HEADER_BYTES) return null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] !== 0xff || buf[1] !== 0xd8 || buf[2] !== 0xff || buf[3] !== 0xfe) return null;
  if (buf.readUInt16BE(4) !== FRAME_HEADER_BYTES - 4) return null;
  if (buf.toString('ascii', 6, 10) !== FRAME_HEADER_MAGIC) return null;
  return { seq: Number(buf.readBigUInt64BE(10)), capturedAtMs: buf.readDoubleBE(18) };
}

/** Stream entry fields <-> FrameRef (Redis stream values are strings). */
export function frameRefToFields(ref: FrameRef): string[] {
  return [
    'cameraId', ref.cameraId,
    'seq', String(ref.seq),
    'capturedAt', ref.capturedAt,
    'slot', String(ref.slot),
    'path', ref.path,
    'width', String(ref.width),
    'height', String(ref.height),
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
  if (!cameraId || !capturedAt || !path) return null;
  if (![seq, slot, width, height].every(Number.isInteger)) return null;
  return { cameraId, seq, capturedAt, slot, path, width, height };
}

/** What `readFrames` yields: a frame to process, or a count of frames lost before it. */
export type FrameEvent =
  | { kind: 'frame'; id: string; ref: FrameRef; jpeg: Buffer }
  | { kind: 'dropped'; id: string; count: number; reason: 'overwritten' | 'trimmed' | 'gap' };
