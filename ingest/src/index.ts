// Public surface of the ingest workspace for other roles (detector, simulator, e2e).
export { readFrames, readFrameSlot, readSlot, droppedKey, FrameRingWriter, slotPath, cameraRingDir } from './frame-ring';
export { cutClip, MAX_CLIP_SECONDS, type ClipRequest, type ClipResult, type ClipDeps } from './clips';
export { startTestCamera, type TestCamera, type TestCameraOptions } from './test-camera/index';
export { loadIngestSettings, type IngestSettings } from './settings';
export { cameraStatusChannel, readStoredStatus } from './camera-status';
export { takeLease, renewLeases, releaseLeases, planLeases, loadCameras, heartbeat, retireHolder, type LeaseIdentity } from './camera-lease';
export { IngestService, INGEST_ROLE } from './ingest-service';
