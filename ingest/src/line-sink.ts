// A Writable that hands over each complete line (without its newline) as it arrives: ffmpeg's list of
// finished frame files on stdout. Never applies back-pressure.
import { Writable } from 'node:stream';

export function lineSink(onLine: (line: string) => void, maxLineBytes = 4096): Writable {
  let pending = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _enc, cb) {
      // One chunk per frame in steady state: scan for newlines instead of split + regex per line.
      let text = typeof chunk === 'string' ? chunk : chunk.toString();
      if (pending) text = pending + text;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl; // \r\n
        if (end > start) onLine(text.slice(start, end));
        start = nl + 1;
      }
      pending = start === 0 ? text : text.slice(start);
      if (pending.length > maxLineBytes) pending = ''; // not a list: drop the runaway line
      cb();
    },
    final(cb) {
      if (pending) onLine(pending);
      pending = '';
      cb();
    },
  });
}
