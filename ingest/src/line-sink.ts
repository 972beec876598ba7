// A Writable that hands over each complete line (without its newline) as it arrives: ffmpeg's
// progress blocks on stdout. Never applies back-pressure.
import { Writable } from 'node:stream';

export function lineSink(onLine: (line: string) => void, maxLineBytes = 4096): Writable {
  let pending = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _enc, cb) {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      if (pending.length > maxLineBytes) pending = ''; // not a list: drop the runaway line
      for (const line of parts) {
        const l = line.replace(/\r$/, '');
        if (l) onLine(l);
      }
      cb();
    },
    final(cb) {
      if (pending) onLine(pending);
      pending = '';
      cb();
    },
  });
}
