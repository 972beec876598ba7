// Splits ffmpeg's image2pipe output (concatenated JPEGs) into frames. The pipe delivers arbitrary
// chunks, so the parser is a state machine that survives partial reads and resynchronises on
// garbage: it walks marker segments by their lengths (segment payloads may contain FF D9) and scans
// entropy-coded data for the EOI marker, where 0xFF is always followed by 0x00 or a marker.
import { Writable } from 'node:stream';

export interface JpegFrame {
  jpeg: Buffer;
  width: number;
  height: number;
}

export interface JpegParserOptions {
  /** A frame larger than this is discarded as corrupt (the parser resynchronises). */
  maxFrameBytes?: number;
}

const enum State {
  SeekSoi,
  Marker,
  LengthHi,
  LengthLo,
  Body,
  Entropy,
  EntropyFf,
}

export class JpegStreamParser {
  /** Bytes skipped or frames discarded because they were not well-formed JPEG. */
  corruptBytes = 0;
  corruptFrames = 0;
  frames = 0;

  private state = State.SeekSoi;
  private prevFf = false; // SeekSoi: last byte of the previous chunk was 0xFF
  private parts: Buffer[] = [];
  private frameBytes = 0;
  private marker = 0;
  private remaining = 0;
  private segmentPos = 0; // position inside the current segment body (for SOF dimensions)
  private width = 0;
  private height = 0;
  private readonly maxFrameBytes: number;

  constructor(
    private readonly onFrame: (frame: JpegFrame) => void,
    opts: JpegParserOptions = {},
  ) {
    this.maxFrameBytes = opts.maxFrameBytes ?? 32 * 1024 * 1024;
  }

  push(chunk: Buffer): void {
    let i = 0;
    let frameStart = this.state === State.SeekSoi ? -1 : 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case State.SeekSoi: {
          if (this.prevFf && chunk[i] === 0xd8) {
            // SOI split across chunks: the 0xFF was counted as corrupt; take it back.
            this.corruptBytes -= 1;
            this.startFrame();
            this.parts.push(Buffer.from([0xff]));
            this.frameBytes = 1;
            frameStart = i;
            i += 1;
            this.state = State.Marker;
            break;
          }
          const ff = chunk.indexOf(0xff, i);
          if (ff === -1) {
            this.corruptBytes += n - i;
            this.prevFf = false;
            i = n;
            break;
          }
          this.corruptBytes += ff - i;
          if (ff + 1 >= n) {
            this.prevFf = true;
            this.corruptBytes += 1;
            i = n;
            break;
          }
          if (chunk[ff + 1] === 0xd8) {
            this.startFrame();
            frameStart = ff;
            i = ff + 2;
            this.state = State.Marker;
          } else {
            this.corruptBytes += 1;
            i = ff + 1;
          }
          this.prevFf = false;
          break;
        }
        case State.Marker: {
          const b = chunk[i]!;
          if (this.marker !== 0xff) {
            if (b !== 0xff) {
              i = this.fail(chunk, frameStart, i);
              frameStart = -1;
              break;
            }
            this.marker = 0xff;
            i += 1;
            break;
          }
          i += 1;
          if (b === 0xff) break; // fill byte
          this.marker = b;
          if (b === 0xd9) {
            // EOI right after headers: an empty image is not a frame.
            i = this.fail(chunk, frameStart, i);
            frameStart = -1;
          } else if (b === 0x01 || (b >= 0xd0 && b <= 0xd7)) {
            this.marker = 0; // standalone markers, no length
          } else if (b === 0xd8) {
            i = this.restartAtSoi(frameStart, i - 1);
            frameStart = -1;
          } else if (b === 0x00) {
            i = this.fail(chunk, frameStart, i);
            frameStart = -1;
          } else {
            this.state = State.LengthHi;
          }
          break;
        }
        case State.LengthHi:
          this.remaining = chunk[i]! << 8;
          i += 1;
          this.state = State.LengthLo;
          break;
        case State.LengthLo: {
          this.remaining |= chunk[i]!;
          i += 1;
          if (this.remaining < 2) {
            i = this.fail(chunk, frameStart, i);
            frameStart = -1;
            break;
          }
          this.remaining -= 2;
          this.segmentPos = 0;
          this.state = this.remaining > 0 ? State.Body : this.afterSegment();
          break;
        }
        case State.Body: {
          const isSof = this.marker >= 0xc0 && this.marker <= 0xcf && this.marker !== 0xc4 && this.marker !== 0xc8 && this.marker !== 0xcc;
          if (isSof) {
            // SOF body: precision(1) height(2) width(2): read byte by byte (may straddle chunks).
            const b = chunk[i]!;
            if (this.segmentPos === 1) this.height = b << 8;
            else if (this.segmentPos === 2) this.height |= b;
            else if (this.segmentPos === 3) this.width = b << 8;
            else if (this.segmentPos === 4) this.width |= b;
            this.segmentPos += 1;
            this.remaining -= 1;
            i += 1;
          } else {
            const take = Math.min(this.remaining, n - i);
            this.remaining -= take;
            i += take;
          }
          if (this.remaining === 0) this.state = this.afterSegment();
          break;
        }
        case State.Entropy: {
          const ff = chunk.indexOf(0xff, i);
          if (ff === -1) {
            i = n;
          } else {
            i = ff + 1;
            this.state = State.EntropyFf;
          }
          break;
        }
        case State.EntropyFf: {
          const b = chunk[i]!;
          i += 1;
          if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) {
            this.state = State.Entropy;
          } else if (b === 0xff) {
            // stay: fill byte
          } else if (b === 0xd9) {
            this.emit(chunk, frameStart, i);
            frameStart = -1;
            this.state = State.SeekSoi;
          } else if (b === 0xd8) {
            i = this.restartAtSoi(frameStart, i - 1);
            frameStart = -1;
          } else {
            // Another marker segment between scans (progressive JPEG: DHT, SOS, ...).
            this.marker = b;
            this.state = State.LengthHi;
          }
          break;
        }
      }
      if (frameStart !== -1 && this.frameBytes + (i - frameStart) > this.maxFrameBytes) {
        i = this.fail(chunk, frameStart, i);
        frameStart = -1;
      }
    }
    if (frameStart !== -1 && this.state !== State.SeekSoi) {
      const part = chunk.subarray(frameStart);
      this.parts.push(part);
      this.frameBytes += part.length;
    }
  }

  /** Bytes of an unfinished frame at the end of the stream count as corrupt. */
  end(): void {
    if (this.state !== State.SeekSoi) {
      this.corruptFrames += 1;
      this.corruptBytes += this.frameBytes;
    }
    this.reset();
  }

  private afterSegment(): State {
    const wasSos = this.marker === 0xda;
    this.marker = 0;
    return wasSos ? State.Entropy : State.Marker;
  }

  private startFrame(): void {
    this.parts = [];
    this.frameBytes = 0;
    this.marker = 0;
    this.width = 0;
    this.height = 0;
  }

  private emit(chunk: Buffer, frameStart: number, end: number): void {
    const parts = this.parts;
    parts.push(chunk.subarray(Math.max(0, frameStart), end));
    const jpeg = parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
    const { width, height } = this;
    this.reset();
    if (width === 0 || height === 0) {
      this.corruptFrames += 1;
      this.corruptBytes += jpeg.length;
      return;
    }
    this.frames += 1;
    this.onFrame({ jpeg, width, height });
  }

  /** Drops the current frame and resumes searching for SOI at `resumeAt`. */
  private fail(_chunk: Buffer, frameStart: number, resumeAt: number): number {
    this.corruptFrames += 1;
    this.corruptBytes += this.frameBytes + (frameStart === -1 ? 0 : Math.max(0, resumeAt - frameStart));
    this.reset();
    return resumeAt;
  }

  /** An SOI inside a frame: the frame is cut short; a new one starts at the FF D8 whose D8 is at `d8`. */
  private restartAtSoi(frameStart: number, d8: number): number {
    this.fail(Buffer.alloc(0), frameStart, d8);
    this.corruptBytes += 1; // the FF, given back by the SOI branch of SeekSoi
    this.prevFf = true;
    return d8;
  }

  private reset(): void {
    this.parts = [];
    this.frameBytes = 0;
    this.state = State.SeekSoi;
    this.prevFf = false;
    this.marker = 0;
  }
}

/** A Writable for ffmpeg's stdout: never applies back-pressure, frames are handed over synchronously. */
export function jpegFrameSink(onFrame: (frame: JpegFrame) => void, opts: JpegParserOptions = {}): { sink: Writable; parser: JpegStreamParser } {
  const parser = new JpegStreamParser(onFrame, opts);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parser.push(chunk);
      cb();
    },
    final(cb) {
      parser.end();
      cb();
    },
  });
  return { sink, parser };
}
