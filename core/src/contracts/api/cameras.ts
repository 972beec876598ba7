// Camera setup schemas of the back-office API: camera list, geometry (the document itself is
// `CameraGeometrySchema` in contracts/camera-geometry.ts) and the field errors a refused geometry gets.
import { Type, type Static } from '@sinclair/typebox';
import type { FieldError as ValuesFieldError } from '../values';
import { IsoDateTime, Uuid } from './common';
import { DetectionFaultSchema } from './stats';

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

export const CameraList = Type.Object({ items: Type.Array(CameraSummary) });
export type CameraList = Static<typeof CameraList>;

/** A field error named by JSON path (e.g. `$.lanes[0].signalHeadId`), as `validateGeometry` reports it. */
export const FieldError = Type.Object({ path: Type.String(), message: Type.String() });
export type FieldError = Static<typeof FieldError> & ValuesFieldError;

/**
 * Snapshot sources, newest first: the camera's frame ring when its frames are on the api's node, then the
 * newest object under `<cameraId>/` in the `snapshots` bucket, then the scene_before still of its latest case.
 */
export const SNAPSHOT_SOURCES = ['frame_ring', 'snapshots', 'case_still'] as const;
export type SnapshotSource = (typeof SNAPSHOT_SOURCES)[number];
/** Response header naming the source of a snapshot. */
export const SNAPSHOT_SOURCE_HEADER = 'x-snapshot-source';
