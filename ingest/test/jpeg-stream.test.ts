import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { JpegStreamParser, type JpegFrame } from '../src/jpeg-stream';

async function makeJpeg(width: number, height: number, seed: number, progressive = false): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + seed * 97 + ((i / 7) | 0)) & 0xff; // busy pixels: lots of 0xFF in entropy data
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .withMetadata({ exif: { IFD0: { ImageDescription: 'x\u00ff\u00d9y' } } }) // an EOI-looking byte pair inside a header segment
    .jpeg({ quality: 90, progressive })
    .toBuffer();
}

function feed(stream: Buffer, chunkSize: number): { frames: JpegFrame[]; parser: JpegStreamParser } {
  const frames: JpegFrame[] = [];
  const parser = new JpegStreamParser((f) => frames.push(f));
  for (let i = 0; i < stream.length; i += chunkSize) parser.push(stream.subarray(i, i + chunkSize));
  return { frames, parser };
}

describe('JpegStreamParser', () => {
  let jpegs: Buffer[];
  beforeAll(async () => {
    jpegs = [await makeJpeg(64, 48, 1), await makeJpeg(33, 17, 2), await makeJpeg(128, 96, 3, true)];
  });

  it('splits concatenated JPEGs at any chunk size, with dimensions', () => {
    const stream = Buffer.concat([...jpegs, ...jpegs]);
    for (const size of [1, 2, 3, 5, 64, 1000, 4096, stream.length]) {
      const { frames, parser } = feed(stream, size);
      expect(frames.map((f) => f.jpeg.length), `chunk ${size}`).toEqual([...jpegs, ...jpegs].map((j) => j.length));
      expect(frames.every((f, i) => f.jpeg.equals([...jpegs, ...jpegs][i]!))).toBe(true);
      expect(frames.map((f) => [f.width, f.height])).toEqual([[64, 48], [33, 17], [128, 96], [64, 48], [33, 17], [128, 96]]);
      expect(parser.corruptBytes).toBe(0);
      expect(parser.corruptFrames).toBe(0);
    }
  });

  it('skips garbage and truncated frames and resynchronises on the next SOI', () => {
    const [a, b, c] = jpegs as [Buffer, Buffer, Buffer];
    const garbage = Buffer.from([0x00, 0xff, 0x12, 0xff, 0xff, 0x34, 0xd9, 0xff]);
    const truncated = a.subarray(0, Math.floor(a.length / 2));
    const stream = Buffer.concat([garbage, a, garbage, truncated, b, Buffer.from('not a jpeg'), c]);
    for (const size of [1, 7, 256, stream.length]) {
      const { frames, parser } = feed(stream, size);
      // The truncated frame runs into b's SOI inside its entropy data: it is dropped, b survives.
      expect(frames.map((f) => f.jpeg.length), `chunk ${size}`).toEqual([a.length, b.length, c.length]);
      expect(parser.corruptFrames).toBe(1);
      expect(parser.corruptBytes).toBeGreaterThan(0);
    }
  });

  it('drops a frame larger than the limit and keeps going', () => {
    const [a, b] = jpegs as [Buffer, Buffer];
    const frames: JpegFrame[] = [];
    const parser = new JpegStreamParser((f) => frames.push(f), { maxFrameBytes: b.length + 10 });
    const big = a.length > b.length ? a : b;
    const small = a.length > b.length ? b : a;
    const p2 = new JpegStreamParser((f) => frames.push(f), { maxFrameBytes: small.length + 10 });
    p2.push(Buffer.concat([big, small]));
    expect(frames.map((f) => f.jpeg.length)).toEqual([small.length]);
    expect(p2.corruptFrames).toBe(1);
    expect(parser.frames).toBe(0);
  });

  it('counts an unfinished frame at end of stream as corrupt', () => {
    const { frames, parser } = feed(jpegs[0]!.subarray(0, 100), 10);
    parser.end();
    expect(frames).toHaveLength(0);
    expect(parser.corruptFrames).toBe(1);
  });
});
