// Live messages the api pushes as server-sent events: for each stream, its event names and the JSON each carries.
// The api writes every frame with `sseFrame` and the UI opens streams with `liveStream` (review-ui/src/api/client.ts),
// both typed by `LiveStreams`, so a change here breaks both type checks. The Redis messages the api relays
// (ingest's `CameraStatus` on `camera-status`, the detector's `DetectorStatsMessage` on `detector-stats`) are contracts
// of the camera node: core/src/camera-node/channels.ts.
import { Type, type Static } from '@sinclair/typebox';
import type { CameraStatusMessage, StatsSnapshot } from './stats';

/** The agency's open caseload count: `ready` once the stream is open, `changed` when a case came, moved or was claimed. */
export const CaseloadEvent = Type.Object({ total: Type.Integer({ minimum: 0 }) });
export type CaseloadEvent = Static<typeof CaseloadEvent>;

export interface LiveStreams {
  /** The operations wall: `snapshot` every few seconds, `camera` on each status message from ingest or the detector. */
  '/api/stats/stream': { snapshot: StatsSnapshot; camera: CameraStatusMessage };
  /** The review queue: reload in place when the agency's cases changed. */
  '/api/cases/events': { ready: CaseloadEvent; changed: CaseloadEvent };
}
export type LiveStream = keyof LiveStreams;

/** One server-sent event of a stream, its data as JSON: `event: <name>\ndata: <json>\n\n`. */
export function sseFrame<S extends LiveStream, E extends keyof LiveStreams[S] & string>(_stream: S, event: E, data: LiveStreams[S][E]): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
