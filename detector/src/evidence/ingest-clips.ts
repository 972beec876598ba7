// Live clip source: ingest's segment ring on this node (stream copy, stored with its SHA-256 by ingest's cutClip).
import type { Storage } from '@phatnguoi/core/storage';
import { cutClip } from '@phatnguoi/core/camera-node/clips';
import type { ClipSource } from './evidence';

export function ingestClips(cameraId: string, storage: Storage, segmentDir: string, log?: { warn(obj: object, msg: string): void }): ClipSource {
  return {
    async cutClip(fromMs, toMs) {
      try {
        const c = await cutClip({ cameraId, from: fromMs, to: toMs }, { storage, segmentDir, maxWaitMs: 5_000 });
        if (!c.complete)
          log?.warn({ cameraId, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }, 'evidence clip does not cover the whole window');
        return { kind: 'clip', bucket: c.bucket, key: c.key, sha256: c.sha256, size: c.size, contentType: c.contentType, capturedAt: c.startedAt };
      } catch (err) {
        // No footage (camera down, ring overwritten): the case still has its stills.
        log?.warn({ cameraId, err: (err as Error).message }, 'no evidence clip');
        return null;
      }
    },
  };
}
