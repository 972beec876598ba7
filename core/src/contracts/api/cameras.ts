// Camera setup schemas of the back-office API: camera list, geometry (the document itself is
// `CameraGeometrySchema` in contracts/camera-geometry.ts) and the field errors a refused geometry gets.
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, Uuid } from './common';
import { DetectionFaultSchema } from './stats';
import type { CameraGeometry } from '../camera-geometry';

/** One camera as the admin's camera list shows it. */
export const CameraSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  address: Type.String(),
  agencyId: Uuid,
  agencyName: Type.String(),
  enabled: Type.Boolean(),
  /** Whether a geometry document is stored (the detector skips rules without one). */
  hasGeometry: Type.Boolean(),
  /** Ingest state from `camera_status` (starting, online, reconnecting, offline, stopped), `unknown` without a report. */
  state: Type.String(),
  /** Online and reported within the last minute. */
  online: Type.Boolean(),
  /** Online but detection does not run on it (why: see `DETECTION_FAULTS`), else null; as on the ops wall. */
  detectionFault: DetectionFaultSchema,
  /** The detector's reason when it gave one. */
  detectionError: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([IsoDateTime, Type.Null()]),
});
export type CameraSummary = Static<typeof CameraSummary>;

/**
 * The body of a geometry save: typed as a CameraGeometry for the UI, accepted as anything by the route and checked by
 * validateGeometry, so every problem comes back as a field error.
 */
export const CameraGeometryBody = Type.Unsafe<CameraGeometry>(Type.Unknown({ description: 'a CameraGeometry document' }));

export const CameraList = Type.Object({ items: Type.Array(CameraSummary) });
export type CameraList = Static<typeof CameraList>;

/**
 * Snapshot sources, newest first: the camera's frame ring when its frames are on the api's node, then the
 * newest object under `<cameraId>/` in the `snapshots` bucket, then the scene_before still of its latest case.
 */
export const SNAPSHOT_SOURCES = ['frame_ring', 'snapshots', 'case_still'] as const;
export type SnapshotSource = (typeof SNAPSHOT_SOURCES)[number];
/** Response header naming the source of a snapshot. */
export const SNAPSHOT_SOURCE_HEADER = 'x-snapshot-source';

/** One lamp's reading in one frame (the lamp tool of the geometry editor). */
export const LampReadingSchema = Type.Object({
  at: IsoDateTime,
  /** Mean value of the region's brightest pixels, 0..255. */
  brightness: Type.Number(),
  /** Brightness at or above which the lamp counted as lit in that frame. */
  threshold: Type.Number(),
  /** Fraction of the saturated pixels in and around the region that have the lamp's colour, 0..1. */
  hueMatch: Type.Number(),
  lit: Type.Boolean(),
  /** Mean RGB of the region's brightest pixels. */
  rgb: Type.Tuple([Type.Number(), Type.Number(), Type.Number()]),
});
export type LampReading = Static<typeof LampReadingSchema>;

/** What the detector sees of one lamp region: the levels it learned and its recent readings, oldest first. */
export const LampHistorySchema = Type.Object({
  lampId: Type.String(),
  /** Brightness the lamp was learned to show unlit and lit (null until seen). */
  unlitLevel: Type.Union([Type.Number(), Type.Null()]),
  litLevel: Type.Union([Type.Number(), Type.Null()]),
  readings: Type.Array(LampReadingSchema),
});
export type LampHistory = Static<typeof LampHistorySchema>;

/** The lamp reading of a camera's signal heads, from the detector's last saved state. */
export const CameraLamps = Type.Object({
  /** When the detector last saved its state for this camera; null when no detector has run on it. */
  updatedAt: Type.Union([IsoDateTime, Type.Null()]),
  heads: Type.Array(
    Type.Object({
      headId: Type.String(),
      lamps: Type.Array(LampHistorySchema),
      /** The round lamp state read in each of those frames (red, yellow, green, dark, unknown). */
      states: Type.Array(Type.Object({ at: IsoDateTime, round: Type.String() })),
    }),
  ),
});
export type CameraLamps = Static<typeof CameraLamps>;
