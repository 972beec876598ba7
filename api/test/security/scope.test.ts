// Live messages scoped to the caller's agency (issue 22, item 5): a supervisor of one agency got another
// agency's camera events (state, last error with host and port) on /api/stats/stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { bearer, loginAs, startHarness, type Harness } from '../helpers';

let h: Harness;
let base = '';
beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => h?.close());

/** An open SSE stream and everything read from it so far. */
async function openStream(token: string) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/stats/stream`, { headers: bearer(token), signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const s = {
    text: '',
    close: () => ac.abort(),
    async until(needle: string) {
      while (!s.text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        s.text += new TextDecoder().decode(value);
      }
    },
  };
  await s.until('event: snapshot');
  return s;
}

describe('live stream scoping (item 5)', () => {
  it("a supervisor gets only their agency's camera messages; an operator gets all", async () => {
    const hn = await openStream(await loginAs(h.app, 'superhn'));
    const tg = await openStream(await loginAs(h.app, 'super1'));
    const ops = await openStream(await loginAs(h.app, 'operator1'));
    try {
      const secret = 'rtsp://10.20.30.40:554 refused';
      await h.redis.publish(
        `${h.channelPrefix}camera-status`,
        JSON.stringify({ cameraId: h.ids.camera, state: 'reconnecting', fps: 0, framesDropped: 0, lastError: secret }),
      );
      await h.redis.publish(
        `${h.channelPrefix}detector-stats`,
        JSON.stringify({ cameraId: h.ids.camera, detectionsPerSecond: 3, framesPerSecond: 5, backend: 'wasm' }),
      );
      // A message for a camera id that is no camera goes to unscoped streams only.
      await h.redis.publish(
        `${h.channelPrefix}camera-status`,
        JSON.stringify({ cameraId: 'not-a-camera', state: 'online', fps: 1, framesDropped: 0, lastError: null }),
      );
      await h.redis.publish(
        `${h.channelPrefix}camera-status`,
        JSON.stringify({ cameraId: h.ids.otherCamera, state: 'online', fps: 5, framesDropped: 0, lastError: null }),
      );
      // Messages are delivered in order: once the last one is there, the earlier ones would have been too.
      const last = `event: camera\ndata: {"cameraId":"${h.ids.otherCamera}"`;
      await hn.until(last);
      await ops.until(last);
      await tg.until(`"cameraId":"${h.ids.camera}","state":"reconnecting"`);
      await tg.until('"detectionsPerSecond":3');
      const hnEvents = hn.text.split('\n\n').filter((e) => e.startsWith('event: camera'));
      expect(hnEvents.length).toBeGreaterThan(0);
      expect(hnEvents.join('\n')).not.toContain(h.ids.camera);
      expect(hn.text).not.toContain(secret);
      expect(hn.text).not.toContain('not-a-camera');
      expect(tg.text).not.toContain('not-a-camera');
      expect(ops.text).toContain(secret);
      expect(ops.text).toContain('not-a-camera');
      // The snapshots are scoped too.
      const snap = hn.text.split('\n\n').find((e) => e.startsWith('event: snapshot'))!;
      expect(snap).toContain(h.ids.otherCamera);
      expect(snap).not.toContain(h.ids.camera);
    } finally {
      hn.close();
      tg.close();
      ops.close();
    }
  });
});
