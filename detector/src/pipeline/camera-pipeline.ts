// One camera's detection pipeline, frame by frame and in order:
//   frame → signal state (lamps or controller) → vehicle detector → tracker → plate reads → rules
//   → (a few seconds later, when the clip's "after" part exists) evidence → violation event.
// I/O is injected (detector, plate reader, storage, clip source, sink), so the same pipeline runs
// live (main.ts), offline on a video (offline.ts) and in tests.
import sharp from 'sharp';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box, Detection, PlateRead, RgbImage, TrackPlate, VehicleClass, VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { violationIdempotencyKey, type EvidenceFile, type SignalState, type ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import type { Storage } from '@phatnguoi/core/storage';
import type { Logger } from '@phatnguoi/core/logger';
import { detectionRoi, scaleGeometry } from '../geometry/geometry';
import { DEFAULT_RULES_CONFIG, evaluateTrack, scaleRulesConfig, type RulesConfig, type RuleViolation, type SignalHistory } from '../rules';
import { DEFAULT_LAMP_READER_CONFIG, LampReader, type LampReaderConfig, type LampReaderSnapshot, type LampReading } from '../signal/lamp-reader';
import {
  DEFAULT_SMOOTHER_CONFIG,
  observationFromLamps,
  SignalTimeline,
  type SignalObservation,
  type SignalSmootherConfig,
  type SignalTimelineSnapshot,
} from '../signal/signal-state';
import { Tracker, trackClass, lastPoint, type Track, type TrackerConfig, type TrackPoint } from '../tracking/tracker';
import { DEFAULT_DUPLICATE_CONFIG, duplicateOf, evidenceContradiction, type DuplicateConfig, type ViolationVehicle } from '../rules/consistency';
import { counterflowChain, type DetectionFrame } from '../rules/counterflow';
import { atRegionEdge } from '../rules/track-geometry';
import { buildEvidence, type ClipSource, type FrameStore } from '../evidence/evidence';
import { isFrameAware } from './truth-replay-detector';
import { LAMP_HISTORY_FRAMES, type StoredLampFrame } from '@phatnguoi/core/camera-node/lamp-history';

export interface PipelineFrame {
  seq: number;
  capturedAtMs: number;
  image: RgbImage;
  /** Seconds since the start of the video (offline), for frame-aware detectors. */
  videoTime?: number;
}

/** Plate reading as the pipeline needs it; adapted from detector/src/plates by the caller. */
export interface PlatePort {
  read(image: RgbImage, vehicleBox: Box, cls: VehicleClass): Promise<PlateRead | null>;
  vote(reads: PlateRead[]): TrackPlate;
}

/** Detections kept for wrong way through a crowd, seconds. */
const COUNTERFLOW_WINDOW_SECONDS = 4;

export const NO_PLATE: TrackPlate = { text: null, layout: null, colour: null, confidence: 0, needsManualEntry: true, reads: 0 };

export interface CameraPipelineOptions {
  cameraId: string;
  /** Geometry at its reference resolution; scaled to each frame's size. */
  geometry: CameraGeometry;
  detector: VehicleDetector;
  /** Location burned into the evidence (camera name and address). */
  location: string;
  rules?: Partial<RulesConfig>;
  tracker?: Partial<TrackerConfig>;
  smoother?: Partial<SignalSmootherConfig>;
  lampReader?: Partial<LampReaderConfig>;
  plates?: PlatePort;
  /** Read plates of a track on every n-th frame while its box is at least `plateMinHeight` px tall. */
  plateEveryFrames?: number;
  plateMinHeight?: number;
  plateMaxReads?: number;
  /** Where evidence goes; without it events carry no evidence (offline evaluation). */
  storage?: Pick<Storage, 'put' | 'putFile'>;
  clips?: ClipSource;
  clipBeforeSeconds?: number;
  clipAfterSeconds?: number;
  /** Wait this long after a violation before emitting it (more plate reads; the clip's end recorded). Default: clipAfterSeconds. */
  emitDelaySeconds?: number;
  /** Called with each event, in order (live: enqueue `violation.created`). */
  sink?: (event: ViolationEvent) => Promise<void>;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** How far back the rules look in a track's history, seconds (default 30). */
  ruleWindowSeconds?: number;
  /** Capture time of the video's first frame, for frame-aware (truth-replay) detectors; default: the first frame seen. */
  videoStartMs?: number;
  /**
   * Frames are kept as raw pixels this long (default 2 s: what a violation found now needs for its stills); older
   * ones are JPEG-encoded and kept only if evidence may need them: frames of plate reads and of pending violations,
   * and every `keepEveryFrames`-th one (default 5, one a second at 5 fps) for stills from further back.
   */
  rawFrameSeconds?: number;
  keepEveryFrames?: number;
  /** When a later violation is the same vehicle reported again (track fragments, loops, cuts, restarts). */
  duplicates?: Partial<DuplicateConfig>;
  /** Mean absolute change of a frame's grey thumbnail (0..255) from the previous one that marks a cut or loop. */
  cutThreshold?: number;
  /**
   * A violation this close (seconds) to a cut or loop is not emitted: its approach, or the signal's onset, lies on the
   * other side, so its evidence cannot show it (default 1, the simulator truth's CUT_MARGIN_S).
   */
  cutMarginSeconds?: number;
}

interface Reported extends ViolationVehicle {
  track: Track;
}

/** An emitted violation with its timing in the source (offline evaluation compares these with truth). */
export interface DetectedViolation {
  event: ViolationEvent;
  /** Seconds of the violation since the first frame's capture time. */
  time: number;
}

export interface PipelineSnapshot {
  version: 1;
  lastSeq: number;
  lastMs: number;
  firstMs: number | null;
  tracks: Track[];
  timelines: Record<string, SignalTimelineSnapshot>;
  emittedKeys: Record<string, string[]>;
  plateReads: Record<string, PlateObservation[]>;
  pending: { key: string; violation: RuleViolation; track: Track; readyAtMs: number }[];
  /** Learned lamp levels per signal head (absent in snapshots of older versions). */
  lampLevels?: Record<string, LampReaderSnapshot>;
  /** The last frames of lamp readings per signal head: the api serves them to the geometry editor's lamp tool. */
  lampFrames?: Record<string, LampFrame[]>;
}

/** What the lamp reader saw in one frame (the geometry editor shows the last few per lamp). */
export interface LampFrame extends StoredLampFrame {
  readings: LampReading[];
}

interface PendingViolation {
  key: string;
  violation: RuleViolation;
  track: Track;
  readyAtMs: number;
}

interface PlateObservation {
  read: PlateRead;
  seq: number;
}

/** A detector that keeps per-stream memory (TfVehicleDetector with `gating`) hands each camera its own; others are shared as they are. */
function streamOf(d: VehicleDetector): VehicleDetector {
  const withStreams = d as VehicleDetector & { forStream?: () => VehicleDetector };
  return typeof withStreams.forStream === 'function' ? withStreams.forStream() : d;
}

export class CameraPipeline {
  private readonly tracker: Tracker;
  /** The detector bound to this camera's stream (a gated detector remembers its passes per stream). */
  private readonly detector: VehicleDetector;
  private readonly timelines = new Map<string, SignalTimeline>();
  private readonly lampReaders = new Map<string, LampReader>();
  private readonly lampFrames = new Map<string, LampFrame[]>();
  private readonly frames: FrameStore = new Map();
  private readonly plateReads = new Map<string, PlateObservation[]>();
  private readonly emittedKeys = new Map<string, Set<string>>();
  private readonly pending: PendingViolation[] = [];
  private readonly liveTracks = new Map<string, Track>();
  private scaled: { width: number; height: number; geometry: CameraGeometry; rules: RulesConfig; roi: Box } | null = null;
  private firstMs: number | null = null;
  private readonly reported: Reported[] = [];
  private thumb: Float32Array | null = null;
  /** The last seconds of confident detections, for wrong way through a crowd (rules/counterflow.ts). */
  private readonly recentDetections: DetectionFrame[] = [];
  /** Times (seconds) of the discontinuities seen recently (cuts, loops). */
  private readonly cutTimes: number[] = [];
  private lastSeq = -1;
  private lastMs = 0;
  readonly rulesConfig: RulesConfig;
  /** `detectedFrames` counts frames through the detector, at the same moment as `detections` (live rates stay consistent). */
  readonly stats = {
    frames: 0,
    detectedFrames: 0,
    detections: 0,
    violations: 0,
    suppressed: 0,
    duplicates: 0,
    cuts: 0,
    plateReads: 0,
    detectMs: 0,
    pipelineMs: 0,
    signalMs: 0,
    trackMs: 0,
    plateMs: 0,
    rulesMs: 0,
    emitMs: 0,
  };

  constructor(private readonly opts: CameraPipelineOptions) {
    this.detector = streamOf(opts.detector);
    this.rulesConfig = { ...DEFAULT_RULES_CONFIG, ...opts.rules };
    // Track ids are "<birth seq>-<n>": unique per camera for ever (ingest never reuses a seq), and the
    // same when frames are replayed after a crash, so a replayed violation has the same idempotency key.
    this.tracker = new Tracker(opts.tracker);
    const smoother = { ...DEFAULT_SMOOTHER_CONFIG, ...opts.smoother };
    const lampConfig = { ...DEFAULT_LAMP_READER_CONFIG, ...opts.lampReader };
    for (const head of opts.geometry.signalHeads) {
      this.timelines.set(head.id, new SignalTimeline(smoother));
      this.lampReaders.set(head.id, new LampReader(head, lampConfig));
    }
  }

  get cameraId(): string {
    return this.opts.cameraId;
  }

  /** Frames held for evidence: recent ones as raw pixels, older ones as JPEG (memory and encoding cost). */
  get framesKept(): { raw: number; jpeg: number; seqs: number[] } {
    const all = [...this.frames.values()];
    return { raw: all.filter((f) => f.pixels.kind === 'rgb').length, jpeg: all.filter((f) => f.pixels.kind === 'jpeg').length, seqs: all.map((f) => f.seq) };
  }

  /** A phase change pushed by the signal controller (overrides vision for that head from now on). */
  controllerSignal(headId: string, obs: SignalObservation, atMs: number): boolean {
    const tl = this.timelines.get(headId);
    if (!tl) return false;
    tl.controller(atMs / 1000, obs);
    return true;
  }

  signalHistory(headId: string): SignalHistory | undefined {
    return this.timelines.get(headId);
  }

  /** The lamp readings of the last frames of a head, oldest first (what the reader sees, per lamp). */
  lampHistory(headId: string): LampFrame[] {
    return [...(this.lampFrames.get(headId) ?? [])];
  }

  /**
   * Everything a restarted detector needs to continue after the last processed frame as if it had
   * never stopped: tracks (same ids, so re-processed frames give the same idempotency keys), signal
   * history, violations already sent per track and violations waiting for their clip. Frames are not
   * included: a pending violation restored without its frames gets the evidence still available.
   */
  snapshot(): PipelineSnapshot {
    return {
      version: 1,
      lastSeq: this.lastSeq,
      lastMs: this.lastMs,
      firstMs: this.firstMs,
      tracks: this.tracker.snapshot(),
      timelines: Object.fromEntries([...this.timelines].map(([id, tl]) => [id, tl.snapshot()])),
      emittedKeys: Object.fromEntries([...this.emittedKeys].map(([id, keys]) => [id, [...keys]])),
      plateReads: Object.fromEntries(this.plateReads),
      pending: this.pending.map((p) => ({
        key: p.key,
        violation: p.violation,
        track: { ...p.track, history: p.track.history.slice(-150) },
        readyAtMs: p.readyAtMs,
      })),
      lampLevels: Object.fromEntries([...this.lampReaders].map(([id, r]) => [id, r.snapshot()])),
      lampFrames: Object.fromEntries([...this.lampFrames].map(([id, frames]) => [id, [...frames]])),
    };
  }

  restore(snap: PipelineSnapshot): void {
    if (snap.version !== 1) throw new Error(`unsupported pipeline snapshot version ${String(snap.version)}`);
    this.lastSeq = snap.lastSeq;
    this.lastMs = snap.lastMs;
    this.firstMs = snap.firstMs;
    this.tracker.restore(snap.tracks);
    this.liveTracks.clear();
    for (const tr of snap.tracks) if (tr.confirmed) this.liveTracks.set(tr.id, tr);
    for (const [id, tl] of Object.entries(snap.timelines)) this.timelines.get(id)?.restore(tl);
    for (const [id, levels] of Object.entries(snap.lampLevels ?? {})) this.lampReaders.get(id)?.restore(levels);
    this.lampFrames.clear();
    for (const [id, frames] of Object.entries(snap.lampFrames ?? {})) if (this.lampReaders.has(id)) this.lampFrames.set(id, frames.slice(-LAMP_HISTORY_FRAMES));
    this.emittedKeys.clear();
    for (const [id, keys] of Object.entries(snap.emittedKeys)) this.emittedKeys.set(id, new Set(keys));
    this.plateReads.clear();
    for (const [id, reads] of Object.entries(snap.plateReads)) this.plateReads.set(id, reads);
    this.pending.splice(0, this.pending.length, ...snap.pending.map((p) => ({ ...p, track: this.liveTracks.get(p.track.id) ?? p.track })));
  }

  private geometryFor(width: number, height: number) {
    if (!this.scaled || this.scaled.width !== width || this.scaled.height !== height) {
      const geometry = scaleGeometry(this.opts.geometry, width, height);
      this.scaled = { width, height, geometry, rules: scaleRulesConfig(this.rulesConfig, height), roi: detectionRoi(geometry) };
    }
    return this.scaled;
  }

  async processFrame(frame: PipelineFrame): Promise<DetectedViolation[]> {
    const started = performance.now();
    if (frame.seq <= this.lastSeq) {
      this.opts.logger?.warn({ cameraId: this.cameraId, seq: frame.seq, lastSeq: this.lastSeq }, 'frame out of order or repeated; skipped');
      return [];
    }
    const { image } = frame;
    const t = frame.capturedAtMs / 1000;
    this.firstMs ??= this.opts.videoStartMs ?? frame.capturedAtMs;
    this.lastSeq = frame.seq;
    this.lastMs = frame.capturedAtMs;
    const g = this.geometryFor(image.width, image.height);
    this.storeFrame(frame);

    const s0 = performance.now();
    const lampObservations = g.geometry.signalHeads.map((head) => {
      // Lamps are read (and keep learning) even under a controller feed, so the editor can show them.
      const readings = this.lampReaders.get(head.id)!.read(image, head);
      const obs = observationFromLamps(head, readings);
      const recent = this.lampFrames.get(head.id) ?? [];
      recent.push({ t, readings, round: obs.round, arrowsLit: obs.arrowsLit });
      if (recent.length > LAMP_HISTORY_FRAMES) recent.shift();
      this.lampFrames.set(head.id, recent);
      return { tl: this.timelines.get(head.id)!, obs };
    });
    this.stats.signalMs += performance.now() - s0;

    const d0 = performance.now();
    const detections: Detection[] = isFrameAware(this.opts.detector)
      ? await this.opts.detector.detectAt(image, { seq: frame.seq, videoTime: frame.videoTime ?? (frame.capturedAtMs - this.firstMs) / 1000 }, g.roi)
      : await this.detector.detect(image, g.roi);
    this.stats.detectMs += performance.now() - d0;
    this.stats.detections += detections.length;
    this.stats.detectedFrames++;

    const t0 = performance.now();
    // isCut first: it keeps the previous frame's thumbnail current.
    if (this.isCut(image) || this.tracksBroken(t, detections)) {
      // A cut or a loop in the stream: no vehicle continues across it. Tracks end here (rules decide them now).
      this.stats.cuts++;
      this.cutTimes.push(t);
      while (this.cutTimes.length > 0 && t - this.cutTimes[0]! > 120) this.cutTimes.shift();
      this.opts.logger?.info({ cameraId: this.cameraId, seq: frame.seq }, 'stream discontinuity (cut or loop): tracks ended');
      this.recentDetections.length = 0;
      const cut = this.tracker.flush();
      for (const tr of cut) this.liveTracks.delete(tr.id);
      this.evaluate(cut, true, g);
      // The signal state is established anew from this frame on: no vehicle after the jump is judged by a red onset before it.
      for (const { tl } of lampObservations) tl.discontinuity(t);
    }
    const s1 = performance.now();
    for (const { tl, obs } of lampObservations) {
      if (tl.source === 'vision') tl.observe(t, obs);
      else tl.advance(t);
    }
    const observeMs = performance.now() - s1;
    this.stats.signalMs += observeMs;
    const { updated, ended } = this.tracker.update(frame.seq, t, detections);
    for (const tr of updated) this.liveTracks.set(tr.id, tr);
    for (const tr of ended) this.liveTracks.delete(tr.id);
    const t1 = performance.now();
    await this.readPlates(frame, updated);
    const t2 = performance.now();
    this.evaluate(updated, false, g);
    this.evaluate(ended, true, g);
    this.counterflow(frame.seq, t, detections, g);
    const t3 = performance.now();
    const out = await this.emitReady(frame.capturedAtMs);
    this.stats.trackMs += t1 - t0 - observeMs;
    this.stats.plateMs += t2 - t1;
    this.stats.rulesMs += t3 - t2;
    this.stats.emitMs += performance.now() - t3;
    this.stats.frames++;
    this.stats.pipelineMs += performance.now() - started;
    return out;
  }

  /** End of input: ends every track, decides pending rules and emits every violation left. */
  async finish(): Promise<DetectedViolation[]> {
    const ended = this.tracker.flush();
    for (const tr of ended) this.liveTracks.delete(tr.id);
    if (this.scaled) this.evaluate(ended, true, this.scaled);
    return this.emitReady(Infinity);
  }

  /**
   * Whether this frame's vehicles break off from the previous frame's: a cut or loop within the same camera's
   * footage (the background is the same, so the thumbnail hardly changes) loses most tracks at once while as many
   * vehicles appear from nowhere. Traffic never does that between two frames.
   */
  private tracksBroken(t: number, detections: Detection[]): boolean {
    const c = this.tracker.continuity(t, detections);
    return c.seen >= 3 && c.continued <= 0.5 * c.seen && c.unexplained >= Math.max(3, 0.5 * c.detections);
  }

  /** Whether a violation at time t lies within the margin of a cut or loop (its evidence would straddle it). */
  private nearDiscontinuity(t: number): string | null {
    const margin = this.opts.cutMarginSeconds ?? 1;
    const cut = this.cutTimes.find((c) => Math.abs(t - c) < margin);
    return cut === undefined ? null : `within ${margin} s of a stream discontinuity (cut or loop at ${(cut - (this.firstMs ?? 0) / 1000).toFixed(1)} s)`;
  }

  /** Whether this frame is a cut from the previous one (a coarse grey thumbnail changed nearly everywhere). */
  private isCut(image: RgbImage): boolean {
    const W = 16;
    const H = 9;
    const thumb = new Float32Array(W * H);
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        let sum = 0;
        let n = 0;
        for (let dy = 0; dy < 4; dy++) {
          for (let dx = 0; dx < 4; dx++) {
            const x = Math.min(image.width - 1, Math.floor(((i + (dx + 0.5) / 4) * image.width) / W));
            const y = Math.min(image.height - 1, Math.floor(((j + (dy + 0.5) / 4) * image.height) / H));
            const k = (y * image.width + x) * 3;
            sum += (image.data[k]! + image.data[k + 1]! + image.data[k + 2]!) / 3;
            n++;
          }
        }
        thumb[j * W + i] = sum / n;
      }
    }
    const prev = this.thumb;
    this.thumb = thumb;
    if (!prev) return false;
    let diff = 0;
    for (let k = 0; k < thumb.length; k++) diff += Math.abs(thumb[k]! - prev[k]!);
    return diff / thumb.length > (this.opts.cutThreshold ?? 35);
  }

  private storeFrame(frame: PipelineFrame) {
    const { image } = frame;
    this.frames.set(frame.seq, {
      seq: frame.seq,
      capturedAtMs: frame.capturedAtMs,
      width: image.width,
      height: image.height,
      pixels: { kind: 'rgb', data: image.data },
    });
    const rawMs = (this.opts.rawFrameSeconds ?? 2) * 1000;
    const every = this.opts.keepEveryFrames ?? 5;
    // Keep what evidence may still need: the clip window plus the longest rule look-back.
    const keepMs =
      ((this.opts.clipBeforeSeconds ?? 3) + (this.opts.emitDelaySeconds ?? this.opts.clipAfterSeconds ?? 3) + this.rulesConfig.laneDwellSeconds + 6) * 1000;
    const neededFrom = Math.min(...this.pending.map((p) => p.violation.beforeSeq), frame.seq);
    const wanted = new Set<number>();
    for (const p of this.pending) wanted.add(p.violation.beforeSeq).add(p.violation.afterSeq).add(p.violation.seq);
    for (const reads of this.plateReads.values()) for (const r of reads) wanted.add(r.seq);
    for (const [seq, f] of this.frames) {
      const age = frame.capturedAtMs - f.capturedAtMs;
      if (age <= rawMs) break;
      if (seq < neededFrom && age > keepMs) {
        this.frames.delete(seq);
      } else if (f.pixels.kind === 'rgb') {
        if (wanted.has(seq) || seq % every === 0) {
          const { data } = f.pixels;
          const jpeg = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width: f.width, height: f.height, channels: 3 } })
            .jpeg({ quality: 90 })
            .toBuffer();
          jpeg.catch(() => undefined); // failures surface when the evidence needs the frame
          f.pixels = { kind: 'jpeg', data: jpeg };
        } else {
          this.frames.delete(seq);
        }
      }
    }
  }

  private async readPlates(frame: PipelineFrame, tracks: Track[]) {
    const plates = this.opts.plates;
    if (!plates) return;
    const every = this.opts.plateEveryFrames ?? 2;
    const minH = this.opts.plateMinHeight ?? 40;
    const maxReads = this.opts.plateMaxReads ?? 10;
    for (const tr of tracks) {
      const p = lastPoint(tr);
      const reads = this.plateReads.get(tr.id) ?? [];
      if (reads.length >= maxReads || p.box[3] - p.box[1] < minH || tr.hits % every !== 0) continue;
      try {
        const read = await plates.read(frame.image, p.box, trackClass(tr));
        if (read) {
          reads.push({ read, seq: frame.seq });
          this.plateReads.set(tr.id, reads);
          this.stats.plateReads++;
        }
      } catch (err) {
        this.opts.logger?.warn({ cameraId: this.cameraId, trackId: tr.id, err: (err as Error).message }, 'plate read failed');
      }
    }
  }

  private evaluate(tracks: Track[], ended: boolean, g: { geometry: CameraGeometry; rules: RulesConfig; width: number; height: number; roi: Box }) {
    // A box cut off by the frame edge has no trustworthy ground point (its bottom centre slides as the
    // vehicle leaves the picture): the rules only see observations fully inside the frame.
    const inside = (b: Box) => b[0] > 1 && b[1] > 1 && b[2] < g.width - 1 && b[3] < g.height - 1;
    for (const tr of tracks) {
      // Rules look back at most ruleWindowSeconds: a vehicle queued at a red light for a minute keeps its
      // whole history for the tracker, but a crossing is decided within seconds.
      const from = lastPoint(tr).t - (this.opts.ruleWindowSeconds ?? 30);
      const points = tr.history.filter((p) => p.t >= from && inside(p.box));
      const view = {
        id: tr.id,
        cls: trackClass(tr),
        points,
        ended,
        // A track whose last box reaches the edge of the detector's region went out of sight (it was not lost in view).
        ...(ended && atRegionEdge(lastPoint(tr).box, g.roi, 2 * g.rules.jitterPx) ? { leftView: true } : {}),
      };
      const violations = points.length > 0 ? evaluateTrack(view, g.geometry, (id) => this.timelines.get(id), g.rules) : [];
      for (const v of violations) {
        const key = violationIdempotencyKey({ cameraId: this.cameraId, trackId: tr.id, type: v.type, phaseId: v.phaseId });
        // One red-light violation per vehicle per signal phase; one wrong-lane (class or solid line) and
        // one wrong-way violation per vehicle: crossing into a forbidden lane is one offence, not two.
        const dedupe = v.type === 'red_light' ? key : `type:${v.type}`;
        const seen = this.emittedKeys.get(tr.id) ?? new Set<string>();
        if (seen.has(dedupe)) continue;
        seen.add(dedupe);
        this.emittedKeys.set(tr.id, seen);
        this.pending.push({ key, violation: v, track: tr, readyAtMs: v.t * 1000 + (this.opts.emitDelaySeconds ?? this.opts.clipAfterSeconds ?? 3) * 1000 });
      }
      if (ended && !this.pending.some((p) => p.track === tr)) {
        this.emittedKeys.delete(tr.id);
        this.plateReads.delete(tr.id);
      }
    }
  }

  /**
   * Wrong way through a crowd (rules/counterflow.ts): the movement followed detection by detection when the tracker
   * handed it from one track to the next. Reported under the track that holds its latest box, once per vehicle.
   */
  private counterflow(seq: number, t: number, detections: Detection[], g: { geometry: CameraGeometry; rules: RulesConfig; width: number; height: number }) {
    const confident = detections.filter((d) => d.score >= this.tracker.config.highScore);
    this.recentDetections.push({ seq, t, detections: confident });
    while (this.recentDetections.length > 0 && t - this.recentDetections[0]!.t > COUNTERFLOW_WINDOW_SECONDS) this.recentDetections.shift();
    if (this.recentDetections.length < 2) return;
    const inside = (b: Box) => b[0] > 1 && b[1] > 1 && b[2] < g.width - 1 && b[3] < g.height - 1;
    const frames = this.recentDetections.map((f) => ({ ...f, detections: f.detections.filter((d) => inside(d.box)) }));
    for (const lane of g.geometry.lanes) {
      const chain = counterflowChain(frames, lane, g.rules);
      if (!chain) continue;
      // Which tracks hold the chain's boxes (the tracker keeps each detection's box in its history).
      const owners = new Map<Box, Track>();
      for (const tr of this.tracker.liveTracks) for (const p of tr.history.slice(-60)) owners.set(p.box, tr);
      const tracks = chain.points.map((p) => owners.get(p.det.box)).filter((tr): tr is Track => tr !== undefined);
      const owner = owners.get(chain.points.at(-1)!.det.box);
      if (!owner || !owner.confirmed) continue;
      // The same vehicle already reported or waiting (by the track rule, or by an earlier chain).
      const flagged = (tr: Track) => this.emittedKeys.get(tr.id)?.has('type:wrong_way') ?? false;
      if (tracks.some(flagged) || this.pending.some((p) => p.violation.type === 'wrong_way' && tracks.includes(p.track))) continue;
      const first = chain.points[0]!;
      const last = chain.points.at(-1)!;
      const history: TrackPoint[] = chain.points.map((p) => ({ seq: p.seq, t: p.t, box: p.box, cls: p.det.cls, score: p.det.score }));
      const track: Track = { ...owner, history, classVotes: { ...owner.classVotes } };
      const v: RuleViolation = {
        type: 'wrong_way',
        rule: 'wrongWayRule',
        phaseId: `lane:${lane.id}`,
        summary: `Drove ${Math.round(chain.against)} px against the direction of lane ${lane.id}`,
        t: first.t,
        seq: last.seq,
        box: last.box,
        laneId: lane.id,
        signalHeadId: lane.signalHeadId ?? null,
        signal: null,
        beforeSeq: first.seq,
        afterSeq: last.seq,
        distancePx: chain.against,
      };
      for (const tr of tracks) this.emittedKeys.set(tr.id, (this.emittedKeys.get(tr.id) ?? new Set<string>()).add('type:wrong_way'));
      const key = violationIdempotencyKey({ cameraId: this.cameraId, trackId: owner.id, type: v.type, phaseId: v.phaseId });
      this.pending.push({ key, violation: v, track, readyAtMs: v.t * 1000 + (this.opts.emitDelaySeconds ?? this.opts.clipAfterSeconds ?? 3) * 1000 });
    }
  }

  private async emitReady(nowMs: number): Promise<DetectedViolation[]> {
    const ready = this.pending.filter((p) => p.readyAtMs <= nowMs).sort((a, b) => a.violation.t - b.violation.t);
    const out: DetectedViolation[] = [];
    for (const p of ready) {
      const v = p.violation;
      const why =
        this.nearDiscontinuity(v.t) ??
        evidenceContradiction(v, p.track.history, this.scaled?.geometry ?? this.opts.geometry, v.signalHeadId ? this.timelines.get(v.signalHeadId) : undefined);
      const reads = this.plateReads.get(p.track.id) ?? [];
      const plate = this.opts.plates && reads.length > 0 ? this.opts.plates.vote(reads.map((r) => r.read)) : { ...NO_PLATE, reads: reads.length };
      this.reported.splice(
        0,
        this.reported.findIndex((r) => v.t - r.t <= (this.opts.duplicates?.plateWindowSeconds ?? DEFAULT_DUPLICATE_CONFIG.plateWindowSeconds)) >>> 0,
      );
      const vehicle = {
        type: v.type,
        phaseId: v.phaseId,
        t: v.t,
        box: v.box,
        cls: trackClass(p.track),
        plate: plate.text,
        ...(v.secondsAfterRed !== undefined ? { secondsAfterRed: v.secondsAfterRed } : {}),
      };
      const dup = why
        ? null
        : duplicateOf(
            { ...vehicle, first: p.track.history[0]! },
            this.reported.filter((r) => r.track.id !== p.track.id).map((r) => ({ ...r, lastT: lastPoint(r.track).t, lastBox: lastPoint(r.track).box })),
            { ...DEFAULT_DUPLICATE_CONFIG, ...this.opts.duplicates },
            this.cutTimes,
          );
      if (why || dup) {
        // Not a case: its own evidence would contradict it, or the vehicle was reported already.
        this.pending.splice(this.pending.indexOf(p), 1);
        if (why) this.stats.suppressed++;
        else this.stats.duplicates++;
        this.opts.logger?.info(
          { cameraId: this.cameraId, key: p.key, type: v.type, reason: why ?? `same vehicle as ${dup!.track.id}` },
          why ? 'violation contradicted by its evidence; not emitted' : 'violation of a vehicle already reported; not emitted',
        );
        continue;
      }
      this.reported.push({ ...vehicle, track: p.track });
      const event = await this.buildEvent(p, plate);
      if (this.opts.sink) await this.opts.sink(event);
      // Only now is the violation safe: drop it from pending (a crash before this replays its frames).
      this.pending.splice(this.pending.indexOf(p), 1);
      if (!this.liveTracks.has(p.track.id) && !this.pending.some((q) => q.track === p.track)) {
        this.emittedKeys.delete(p.track.id);
        this.plateReads.delete(p.track.id);
      }
      this.stats.violations++;
      out.push({ event, time: p.violation.t - (this.firstMs ?? 0) / 1000 });
      this.opts.logger?.info({ cameraId: this.cameraId, key: p.key, type: p.violation.type }, 'violation');
    }
    return out;
  }

  private signalStateOf(v: RuleViolation): SignalState {
    const head = this.opts.geometry.signalHeads.find((h) => h.id === v.signalHeadId);
    if (!head) return { signalHeadId: null, round: 'unknown', arrows: [], since: null, source: 'none' };
    const s = v.signal ?? this.timelines.get(head.id)!.at(v.t);
    return {
      signalHeadId: head.id,
      round: s.round,
      arrows: head.lamps
        .filter((l) => l.shape !== 'round' && l.colour === 'green')
        .map((l) => ({ lampId: l.id, shape: l.shape, lit: s.arrowsLit.includes(l.id) })),
      since: s.roundSince !== null ? new Date(s.roundSince * 1000).toISOString() : null,
      source: s.source,
    };
  }

  /** `plate`: the track's voted plate (voted once in emitReady, where the duplicate check needs it too). */
  private async buildEvent(p: PendingViolation, plate: TrackPlate): Promise<ViolationEvent> {
    const v = p.violation;
    const reads = this.plateReads.get(p.track.id) ?? [];
    const signalState = this.signalStateOf(v);
    const vehicleClass = trackClass(p.track);
    const base = {
      idempotencyKey: p.key,
      cameraId: this.cameraId,
      trackId: p.track.id,
      type: v.type,
      phaseId: v.phaseId,
      occurredAt: new Date(Math.round(v.t * 1000)).toISOString(),
      vehicleClass,
      box: v.box.map((x) => Math.round(x * 10) / 10) as Box,
      signalState,
      plate,
    };
    let evidence: EvidenceFile[] = [];
    if (this.opts.storage) {
      // The plate crop comes from the frame of the read that agrees with the vote and is most confident.
      const best = reads.filter((r) => plate.text === null || r.read.text === plate.text).sort((a, b) => b.read.confidence - a.read.confidence)[0];
      evidence = await buildEvidence({
        storage: this.opts.storage,
        frames: this.frames,
        clips: this.opts.clips,
        clipBeforeSeconds: this.opts.clipBeforeSeconds ?? 3,
        clipAfterSeconds: this.opts.clipAfterSeconds ?? 3,
        key: p.key,
        cameraId: this.cameraId,
        location: this.opts.location,
        violation: v,
        track: p.track,
        geometry: this.scaled?.geometry ?? this.opts.geometry,
        signal: signalState.round,
        plate,
        plateRead: best ? { seq: best.seq, box: best.read.box } : null,
        vehicleClass,
      });
    }
    const frameSize = this.scaled ? ([this.scaled.width, this.scaled.height] as [number, number]) : ([0, 0] as [number, number]);
    return {
      ...base,
      evidence,
      ruleDetail: {
        rule: v.rule,
        summary: v.summary,
        laneId: v.laneId,
        ...(v.stopLineId !== undefined ? { stopLineId: v.stopLineId } : {}),
        ...(v.solidLineId !== undefined ? { solidLineId: v.solidLineId } : {}),
        ...(v.secondsAfterRed !== undefined ? { secondsAfterRed: Math.round(v.secondsAfterRed * 1000) / 1000 } : {}),
        ...(v.turn !== undefined ? { turn: v.turn } : {}),
        ...(v.distancePx !== undefined ? { distancePx: Math.round(v.distancePx) } : {}),
        ...(v.speed !== undefined ? { speed: v.speed } : {}),
        frameSize,
        frameSeq: v.seq,
      },
      detector: this.opts.detector.name,
      createdAt: new Date().toISOString(),
    };
  }

  /** Time of the last processed frame (ms), for callers that flush on idle. */
  get lastFrameMs(): number {
    return this.lastMs;
  }
}
