// Speeds of every vehicle that crossed a camera's calibrated speed zone in a video, fined or not, with each
// measurement's uncertainty: for checking a calibration on real footage (`npm run eval -- --real-speed`). The
// detector, tracker and measurement are the pipeline's; the speeds are reported whatever the posted limit.
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { parseGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { VehicleClass, VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { detectionRoi, scaleGeometry } from './geometry/geometry';
import { decodeVideoFrames, videoSize } from './pipeline/video-frames';
import { DEFAULT_SPEED_MEASURE, measureSpeed, type SpeedMeasureConfig } from './rules/speed';
import { speedCalibration, zonePassage } from './rules/speeding';
import { DEFAULT_RULES_CONFIG, scaleRulesConfig } from './rules/types';
import { Tracker, trackClass, type Track, type TrackPoint } from './tracking/tracker';

export interface TrackSpeed {
  trackId: string;
  cls: VehicleClass;
  zoneId: string;
  /** Video time of the first and last position measured, seconds. */
  fromS: number;
  toS: number;
  distanceM: number;
  kmh: number;
  /** One standard deviation, km/h. */
  sigmaKmh: number;
  points: number;
}

/** The speed of each track through each speed zone of the geometry (tracks never in a zone, or too briefly, left out). */
export function trackSpeeds(
  tracks: readonly { id: string; cls: VehicleClass; points: readonly TrackPoint[] }[],
  geometry: CameraGeometry,
  measure: SpeedMeasureConfig = DEFAULT_SPEED_MEASURE,
): TrackSpeed[] {
  const cal = speedCalibration(geometry);
  if (!cal) throw new Error('the geometry has no speed calibration');
  const out: TrackSpeed[] = [];
  for (const zone of geometry.speedZones ?? []) {
    for (const tr of tracks) {
      const passage = zonePassage({ ...tr, ended: true }, zone);
      if (typeof passage === 'string') continue;
      const m = measureSpeed(passage, cal.calibration, { ...measure, windowDistanceM: Number.POSITIVE_INFINITY });
      if (!m) continue;
      out.push({
        trackId: tr.id,
        cls: tr.cls,
        zoneId: zone.id,
        fromS: m.from.t,
        toS: m.to.t,
        distanceM: m.distanceM,
        kmh: m.kmh,
        sigmaKmh: m.sigmaKmh,
        points: m.points,
      });
    }
  }
  return out.sort((a, b) => a.fromS - b.fromS);
}

/** Runs the detector and tracker over a video at `fps` and measures every track's speed through the speed zones. */
export async function trackSpeedsInVideo(videoPath: string, geometryJson: unknown, opts: { detector: VehicleDetector; fps: number }): Promise<TrackSpeed[]> {
  const { width, height } = await videoSize(videoPath);
  const geometry = scaleGeometry(parseGeometry(geometryJson), width, height);
  const roi = detectionRoi(geometry);
  const rules = scaleRulesConfig(DEFAULT_RULES_CONFIG, height);
  const tracker = new Tracker();
  const done: Track[] = [];
  for await (const f of decodeVideoFrames(videoPath, opts.fps)) {
    const { ended } = tracker.update(f.index, f.time, await opts.detector.detect(f.image, roi));
    done.push(...ended);
  }
  done.push(...tracker.flush());
  // As the pipeline does: a box cut by the frame edge has no trustworthy ground point.
  const inside = (p: TrackPoint) => p.box[0] > 1 && p.box[1] > 1 && p.box[2] < width - 1 && p.box[3] < height - 1;
  return trackSpeeds(
    done.map((tr) => ({ id: tr.id, cls: trackClass(tr), points: tr.history.filter(inside) })),
    geometry,
    rules.speeding.measure,
  );
}
