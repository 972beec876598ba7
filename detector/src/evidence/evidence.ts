// Evidence for one violation: clip (a few seconds before to a few after), scene before the line,
// scene after, vehicle crop and plate crop, each stored with its SHA-256 taken at capture.
import type { CameraGeometry, Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box, TrackPlate, VehicleClass } from '@phatnguoi/core/contracts/detection';
import type { EvidenceFile, EvidenceKind, SignalColour } from '@phatnguoi/core/contracts/violation-event';
import { Buckets, type BucketName, type Storage } from '@phatnguoi/core/storage';
import type { RuleViolation } from '../rules/types';
import type { Track } from '../tracking/tracker';
import { formatLocalTime } from './overlay';
import { renderCrop, renderScene, type StillSource } from './render';

export interface StoredFrame {
  seq: number;
  capturedAtMs: number;
  width: number;
  height: number;
  /** Packed RGB while the frame is recent; a JPEG (encoding) once it is older and kept for evidence. */
  pixels: { kind: 'rgb'; data: Uint8Array } | { kind: 'jpeg'; data: Promise<Buffer> };
}

/** Recent frames by seq, oldest first (a Map keeps insertion order). */
export type FrameStore = Map<number, StoredFrame>;

/** Evidence may show a frame this far in time from the one asked for when that one is no longer kept. */
export const NEAREST_FRAME_MS = 1000;

/** The frame `seq`, or the stored frame nearest to it in time within NEAREST_FRAME_MS; null when none. */
export function frameNear(frames: FrameStore, seq: number, atMs: number): StoredFrame | null {
  const exact = frames.get(seq);
  if (exact) return exact;
  let best: StoredFrame | null = null;
  for (const f of frames.values()) {
    const d = Math.abs(f.capturedAtMs - atMs);
    if (d <= NEAREST_FRAME_MS && (!best || d < Math.abs(best.capturedAtMs - atMs))) best = f;
  }
  return best;
}

/**
 * Cuts an evidence clip covering [fromMs, toMs] (wall clock) and stores it with its SHA-256; `key` is the
 * object key to use when the source chooses none itself. Null when the footage is gone.
 */
export interface ClipSource {
  cutClip(fromMs: number, toMs: number, key: string): Promise<EvidenceFile | null>;
}

export const OFFENCE_TEXT: Record<RuleViolation['type'], string> = {
  red_light: 'Vượt đèn đỏ / Red light',
  wrong_lane: 'Sai làn đường / Wrong lane',
  wrong_way: 'Đi ngược chiều / Wrong way',
  speeding: 'Quá tốc độ / Speeding',
};

/** The vehicle type as the stills print it, Vietnamese first. */
export const VEHICLE_TEXT: Record<VehicleClass, string> = {
  car: 'Ô tô / car',
  motorbike: 'Xe máy / motorbike',
  bus: 'Xe khách / bus',
  truck: 'Xe tải / truck',
  bicycle: 'Xe đạp / bicycle',
  pedestrian: 'Người đi bộ / pedestrian',
};

export interface EvidenceInput {
  storage: Pick<Storage, 'put' | 'putFile'>;
  frames: FrameStore;
  clips?: ClipSource;
  clipBeforeSeconds: number;
  clipAfterSeconds: number;
  key: string;
  cameraId: string;
  location: string;
  violation: RuleViolation;
  track: Track;
  /** Geometry scaled to the frames. */
  geometry: CameraGeometry;
  signal: SignalColour;
  plate: TrackPlate;
  plateRead: { seq: number; box: Box } | null;
  vehicleClass: VehicleClass;
}

/** Object keys: `<cameraId>/<date>/<idempotency key>/<kind>.<ext>` — a retried emission overwrites, never duplicates. */
export function evidenceKey(cameraId: string, occurredAtMs: number, key: string, name: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._@-]/g, '_');
  const day = new Date(occurredAtMs + 7 * 3600_000).toISOString().slice(0, 10);
  return `${safe(cameraId)}/${day}/${safe(key)}/${name}`;
}

function linesFor(v: RuleViolation, g: CameraGeometry): { points: Point[]; label?: string }[] {
  if (v.speed) {
    // The two measured positions (ground points of the first and last box) and the road between them.
    const ground = (b: Box): Point => [(b[0] + b[2]) / 2, b[3]];
    return [{ points: [ground(v.speed.from.box), ground(v.speed.to.box)], label: `${v.speed.distanceM.toFixed(1)} m / ${v.speed.seconds.toFixed(2)} s` }];
  }
  if (v.stopLineId) {
    const s = g.stopLines.find((x) => x.id === v.stopLineId);
    return s ? [{ points: [s.a, s.b], label: 'Vạch dừng / Stop line' }] : [];
  }
  if (v.solidLineId) {
    const s = g.solidLines.find((x) => x.id === v.solidLineId);
    return s ? [{ points: s.points, label: 'Vạch liền / Solid line' }] : [];
  }
  const lane = g.lanes.find((l) => l.id === v.laneId);
  return lane ? [{ points: [...lane.polygon, lane.polygon[0]!], label: `Làn / Lane ${lane.id}` }] : [];
}

/** The measured speed as the stills print it: measurement, tolerance, the speed judged and the limit. */
export function speedText(s: NonNullable<RuleViolation['speed']>): string {
  const n = (x: number) => x.toFixed(1);
  return `Đo / Measured ${n(s.measuredKmh)} ± ${n(s.uncertaintyKmh)} km/h − ${n(s.toleranceKmh)} = ${n(s.reducedKmh)} km/h · Giới hạn / Limit ${s.limitKmh} km/h`;
}

export async function buildEvidence(input: EvidenceInput): Promise<EvidenceFile[]> {
  const { violation: v, storage } = input;
  const occurredMs = Math.round(v.t * 1000);
  const files: EvidenceFile[] = [];
  const store = async (kind: EvidenceKind, bucket: BucketName, name: string, body: Buffer, contentType: string, capturedAtMs: number) => {
    const key = evidenceKey(input.cameraId, occurredMs, input.key, name);
    const { sha256, size } = await storage.put(bucket, key, body, contentType, { 'evidence-kind': kind });
    files.push({ kind, bucket, key, sha256, size, contentType, capturedAt: new Date(capturedAtMs).toISOString() });
  };
  // The frame a still is made from: the one asked for, or the nearest kept one (older frames are thinned out), with
  // the vehicle's box in that frame.
  const frameOf = async (seq: number, exact = false): Promise<(StillSource & { capturedAtMs: number; seq: number }) | null> => {
    const at = input.track.history.find((p) => p.seq === seq);
    const f = exact ? (input.frames.get(seq) ?? null) : frameNear(input.frames, seq, at ? at.t * 1000 : occurredMs);
    if (!f) return null;
    const pixels = f.pixels.kind === 'rgb' ? f.pixels : { kind: 'jpeg' as const, data: await f.pixels.data };
    return { pixels, width: f.width, height: f.height, capturedAtMs: f.capturedAtMs, seq: f.seq };
  };
  const boxAtSeq = (seq: number): Box => input.track.history.find((p) => p.seq === seq)?.box ?? v.box;
  const header = (ms: number) => [
    `${formatLocalTime(ms)} · ${input.location}`,
    `${OFFENCE_TEXT[v.type]} · ${VEHICLE_TEXT[input.vehicleClass]}${input.plate.text ? ` · ${input.plate.text}` : ''} · camera ${input.cameraId}`,
    ...(v.speed ? [speedText(v.speed)] : []),
  ];
  const lines = linesFor(v, input.geometry);

  if (input.clips) {
    const clip = await input.clips.cutClip(
      occurredMs - input.clipBeforeSeconds * 1000,
      occurredMs + input.clipAfterSeconds * 1000,
      evidenceKey(input.cameraId, occurredMs, input.key, 'clip.mp4'),
    );
    if (clip) files.push(clip);
  }
  for (const [kind, seq] of [
    ['scene_before', v.beforeSeq],
    ['scene_after', v.afterSeq],
  ] as const) {
    const f = await frameOf(seq);
    if (!f) continue;
    const body = await renderScene(f, { vehicleBox: boxAtSeq(f.seq), lines, signal: v.signalHeadId ? input.signal : null, text: header(f.capturedAtMs) });
    await store(kind, Buckets.evidence, `${kind}.jpg`, body, 'image/jpeg', f.capturedAtMs);
  }
  const vf = await frameOf(v.seq);
  if (vf) {
    const body = await renderCrop(vf, boxAtSeq(vf.seq), { text: [formatLocalTime(vf.capturedAtMs), VEHICLE_TEXT[input.vehicleClass]] });
    await store('vehicle_crop', Buckets.evidence, 'vehicle_crop.jpg', body, 'image/jpeg', vf.capturedAtMs);
  }
  if (input.plateRead) {
    const pf = await frameOf(input.plateRead.seq, true); // the plate box belongs to that very frame
    if (pf) {
      const body = await renderCrop(pf, input.plateRead.box, { margin: 0.3, minSide: 96, text: [input.plate.text ?? '?'] });
      await store('plate_crop', Buckets.evidence, 'plate_crop.jpg', body, 'image/jpeg', pf.capturedAtMs);
    }
  }
  return files;
}
