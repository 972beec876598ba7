// Public surface of the ingest workspace. What a camera node shares (frame-ring reader, segment ring and clips,
// leases, heartbeat, Redis names) lives in core/src/camera-node; ingest offers its writer side: the frame-ring
// writer (tests and simulated sources write frames with it), the service, its settings and the test camera
// (also `@phatnguoi/ingest/test-camera`, which loads nothing else).
export { FrameRingWriter, FrameRingRun, progressPeriodSeconds, type FrameRingOptions } from './frame-ring';
export { startTestCamera, type TestCamera, type TestCameraOptions } from './test-camera/index';
export { loadIngestSettings, type IngestSettings } from './settings';
export { readStoredStatus } from './camera-status';
export { IngestService, INGEST_ROLE } from './ingest-service';
