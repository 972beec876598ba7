// Offline detection on a video file: the simulator's evaluation command and the full-run test call
// this. Frames are decoded with ffmpeg at the sampling rate and go through the same CameraPipeline as
// live frames. Without `storage` the violations carry no evidence.
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { parseGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box, TrackPlate, VehicleDetector } from '@phatnguoi/core/contracts/detection';
import type { ViolationEvent, ViolationType } from '@phatnguoi/core/contracts/violation-event';
import type { Storage } from '@phatnguoi/core/storage';
import type { Logger } from '@phatnguoi/core/logger';
import { CameraPipeline, type PlatePort } from './pipeline/camera-pipeline';
import type { RulesConfig } from './rules/types';
import type { TrackerConfig } from './tracking/tracker';
import type { ClipSource } from './evidence/evidence';
import { videoFileClips } from './evidence/video-file-clips';
import { decodeVideoFrames, videoSize } from './pipeline/video-frames';

export interface OfflineOptions {
  /** The vehicle detector; default: the model DETECTOR_CONFIG names, else the project's trained model (`loadDetector()`). */
  detector?: VehicleDetector;
  /** Sampling rate, frames per second (default 5, the legal minimum for evidence). */
  fps?: number;
  cameraId?: string;
  location?: string;
  /** Wall-clock time of the video's first frame (default: 2026-01-01T00:00:00Z, so results are reproducible). */
  startTime?: Date;
  /**
   * Sequence number of the first sampled frame (default 0); the others follow, as a live camera's frames keep
   * counting. Track ids derive from it, so two runs of one video on one camera with different first numbers give
   * distinct violations (idempotency keys) instead of the same ones twice.
   */
  firstSeq?: number;
  plates?: PlatePort;
  rules?: Partial<RulesConfig>;
  tracker?: Partial<TrackerConfig>;
  /** Store evidence (stills, and clips cut from the video unless `clips` is false). */
  storage?: Pick<Storage, 'put' | 'putFile'>;
  clips?: ClipSource | false;
  /** Each event as it is emitted (e.g. enqueue it). */
  sink?: (event: ViolationEvent) => Promise<void>;
  /** Stop after this many seconds of video. */
  maxSeconds?: number;
  /** Called after each frame with its time in the video (seconds) and the video's duration (null when unknown): for progress lines. */
  onFrame?: (timeS: number, durationS: number | null) => void;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
}

export interface OfflineViolation {
  type: ViolationType;
  trackId: string;
  /** Seconds from the start of the video. */
  time: number;
  box: Box;
  plate: TrackPlate;
  phaseId: string;
  event: ViolationEvent;
}

export interface OfflineResult {
  violations: OfflineViolation[];
  /** Signal state per head as the rules judge each frame (once settled), one sample per frame (for light-state accuracy). */
  lights: { timeS: number; headId: string; round: string; source: string }[];
  frames: number;
  /** Violations the rules found but not emitted because the frames of their own evidence contradict them. */
  suppressed: number;
  detector: string;
  /** Milliseconds per frame: whole pipeline, and the detector alone. */
  msPerFrame: number;
  detectMsPerFrame: number;
  /** Milliseconds per frame by stage (signal reading, tracking, plate reading, rules, evidence + emission). */
  stageMsPerFrame: { signal: number; track: number; plates: number; rules: number; emit: number };
}

export async function detectViolationsInVideo(videoPath: string, geometryJson: CameraGeometry | unknown, opts: OfflineOptions = {}): Promise<OfflineResult> {
  const geometry = parseGeometry(geometryJson);
  const fps = opts.fps ?? 5;
  const startMs = (opts.startTime ?? new Date('2026-01-01T00:00:00Z')).getTime();
  let detector = opts.detector;
  let ownDetector = false;
  if (!detector) {
    const { loadDetector } = await import('./models/load-detector');
    detector = await loadDetector(process.env.DETECTOR_CONFIG || undefined);
    ownDetector = true;
  }
  const { duration } = await videoSize(videoPath);
  const clips = opts.clips === false || !opts.storage ? undefined : (opts.clips ?? videoFileClips(videoPath, startMs, duration, opts.storage));
  const pipeline = new CameraPipeline({
    cameraId: opts.cameraId ?? 'offline',
    geometry,
    detector,
    location: opts.location ?? videoPath.split('/').pop() ?? 'video',
    ...(opts.rules ? { rules: opts.rules } : {}),
    ...(opts.tracker ? { tracker: opts.tracker } : {}),
    ...(opts.plates ? { plates: opts.plates } : {}),
    ...(opts.storage ? { storage: opts.storage } : {}),
    ...(clips ? { clips } : {}),
    ...(opts.sink ? { sink: opts.sink } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const found = [];
  const lights: OfflineResult['lights'] = [];
  // The light state of a frame is recorded once it is settled (a new colour is confirmed a frame or two
  // later and dated back to its first frame), i.e. the state the rules judge that frame by.
  const unsettled: { timeS: number; t: number }[] = [];
  const recordSettledLights = (all: boolean) => {
    while (unsettled.length > 0) {
      const { timeS, t } = unsettled[0]!;
      const histories = geometry.signalHeads.map((head) => ({ head, h: pipeline.signalHistory(head.id)! }));
      if (!all && histories.some(({ h }) => h.knownUntil < t)) return;
      for (const { head, h } of histories) {
        const s = h.at(t);
        lights.push({ timeS, headId: head.id, round: s.round, source: s.source });
      }
      unsettled.shift();
    }
  };
  let frames = 0;
  try {
    for await (const f of decodeVideoFrames(videoPath, fps)) {
      if (opts.maxSeconds !== undefined && f.time > opts.maxSeconds) break;
      const capturedAtMs = startMs + Math.round(f.time * 1000);
      found.push(...(await pipeline.processFrame({ seq: (opts.firstSeq ?? 0) + f.index, capturedAtMs, image: f.image, videoTime: f.time })));
      unsettled.push({ timeS: f.time, t: capturedAtMs / 1000 });
      recordSettledLights(false);
      frames++;
      opts.onFrame?.(f.time, duration);
    }
    recordSettledLights(true);
    found.push(...(await pipeline.finish()));
  } finally {
    if (ownDetector) detector.dispose();
  }
  return {
    violations: found.map(({ event, time }) => ({
      type: event.type,
      trackId: event.trackId,
      time,
      box: event.box,
      plate: event.plate,
      phaseId: event.phaseId,
      event,
    })),
    lights,
    frames,
    suppressed: pipeline.stats.suppressed,
    detector: detector.name,
    msPerFrame: frames ? pipeline.stats.pipelineMs / frames : 0,
    detectMsPerFrame: frames ? pipeline.stats.detectMs / frames : 0,
    stageMsPerFrame: {
      signal: pipeline.stats.signalMs / Math.max(1, frames),
      track: pipeline.stats.trackMs / Math.max(1, frames),
      plates: pipeline.stats.plateMs / Math.max(1, frames),
      rules: pipeline.stats.rulesMs / Math.max(1, frames),
      emit: pipeline.stats.emitMs / Math.max(1, frames),
    },
  };
}

export interface SignalFrame {
  timeS: number;
  headId: string;
  /** Settled state the rules judge this frame by. */
  round: string;
  arrowsLit: string[];
  source: string;
}

/**
 * Signal reading alone on a video (every decoded frame at `fps`, default the legal 5): the same lamp reader and
 * signal timeline as the pipeline, without the vehicle detector. For light-state accuracy on real clips.
 */
export async function readSignalsInVideo(
  videoPath: string,
  geometryJson: CameraGeometry | unknown,
  opts: { fps?: number; startTime?: Date } = {},
): Promise<SignalFrame[]> {
  const geometry = parseGeometry(geometryJson);
  const fps = opts.fps ?? 5;
  const startMs = (opts.startTime ?? new Date('2026-01-01T00:00:00Z')).getTime();
  const { scaleGeometry } = await import('./geometry/geometry');
  const { LampReader } = await import('./signal/lamp-reader');
  const { observationFromLamps, SignalTimeline } = await import('./signal/signal-state');
  const heads = geometry.signalHeads.map((head) => ({ id: head.id, reader: new LampReader(head), timeline: new SignalTimeline() }));
  const out: SignalFrame[] = [];
  const unsettled: { timeS: number; t: number }[] = [];
  const settle = (all: boolean) => {
    while (unsettled.length > 0) {
      const { timeS, t } = unsettled[0]!;
      if (!all && heads.some((h) => h.timeline.knownUntil < t)) return;
      for (const h of heads) {
        const s = h.timeline.at(t);
        out.push({ timeS, headId: h.id, round: s.round, arrowsLit: s.arrowsLit, source: s.source });
      }
      unsettled.shift();
    }
  };
  let scaled: CameraGeometry | null = null;
  for await (const f of decodeVideoFrames(videoPath, fps)) {
    scaled ??= scaleGeometry(geometry, f.image.width, f.image.height);
    const t = (startMs + Math.round(f.time * 1000)) / 1000;
    for (const [i, h] of heads.entries()) {
      const head = scaled.signalHeads[i]!;
      h.timeline.observe(t, observationFromLamps(head, h.reader.read(f.image, head)));
    }
    unsettled.push({ timeS: f.time, t });
    settle(false);
  }
  settle(true);
  return out;
}
