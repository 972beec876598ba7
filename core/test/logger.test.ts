import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../src/logger';
import { UserError } from '../src/errors';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, destination: destination as unknown as NodeJS.WritableStream & { write(s: string): boolean } };
}

describe('createLogger', () => {
  it('writes structured JSON with the logger name and level label', () => {
    const out = capture();
    const log = createLogger('ingest', { level: 'info', destination: out.destination });
    log.info({ cameraId: 'c1' }, 'camera online');
    log.debug('not shown');
    expect(out.lines).toHaveLength(1);
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ name: 'ingest', level: 'info', cameraId: 'c1', msg: 'camera online' });
  });

  it('redacts secrets and owner personal data, keeping the rest', () => {
    const out = capture();
    const log = createLogger('api', { level: 'info', destination: out.destination });
    log.info(
      {
        password: 'hunter2',
        user: { token: 'abc', name: 'officer 1' },
        case: { plate: '30A-123.45', owner: { name: 'Nguyễn Văn A', address: '12 Lê Lợi' }, ownerPhone: '0912345678' },
        headers: { authorization: 'Bearer xyz' },
      },
      'case loaded',
    );
    const line = out.lines[0]!;
    for (const secret of ['hunter2', '"abc"', 'Nguyễn Văn A', '12 Lê Lợi', '0912345678', 'Bearer xyz']) expect(line).not.toContain(secret);
    const o = JSON.parse(line);
    expect(o.case.plate).toBe('30A-123.45');
    expect(o.user.name).toBe('officer 1');
    expect(o.password).toBe('[redacted]');
  });

  it('scrubs credentials inside URLs in fields, messages and errors', () => {
    const out = capture();
    const log = createLogger('ingest', { level: 'info', destination: out.destination });
    const url = 'rtsp://admin:Cam3ra!@10.0.0.5:554/stream1';
    log.info({ streamUrl: url }, 'connecting to %s', url);
    log.error({ err: new Error(`ffmpeg failed for ${url}`) }, 'capture failed');
    const text = out.lines.join('\n');
    expect(text).not.toContain('Cam3ra!');
    expect(text).toContain('rtsp://admin:***@10.0.0.5:554/stream1');
    expect(JSON.parse(out.lines[1]!).err.message).toContain('ffmpeg failed');
  });

  it('keeps error codes when logging our errors', () => {
    const out = capture();
    createLogger('api', { level: 'info', destination: out.destination }).info({ err: new UserError('bad_plate', 'plate format unknown') }, 'rejected');
    expect(JSON.parse(out.lines[0]!).err).toMatchObject({ type: 'UserError', code: 'bad_plate', message: 'plate format unknown', status: 400 });
  });

  it('logs plain data of library errors, not the live objects they carry', () => {
    const out = capture();
    class FakeClient {
      socket = { secret: 'x'.repeat(10_000) };
    }
    const err = Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET', client: new FakeClient() });
    createLogger('db', { level: 'info', destination: out.destination }).warn({ err }, 'idle connection failed');
    const logged = JSON.parse(out.lines[0]!).err;
    expect(logged).toMatchObject({ type: 'Error', code: 'ECONNRESET', client: '[FakeClient]' });
    expect(out.lines[0]!.length).toBeLessThan(2_000);
  });

  it('scrubSecrets hides presigned signatures', () => {
    expect(scrubSecrets('http://s3/b/k?X-Amz-Signature=deadbeef&X-Amz-Expires=60')).toBe('http://s3/b/k?X-Amz-Signature=***&X-Amz-Expires=60');
  });
});
