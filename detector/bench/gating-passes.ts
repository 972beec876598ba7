// npx tsx detector/bench/gating-passes.ts --video <mp4>... [--fps 5] [--frames 50] [--roi x1,y1,x2,y2] [--gating '<json>']...
// How many model passes per frame a gated config would run on a clip, without running the model: the tile plan of
// models/real-detector/detector.json over the region, each frame's luma thumbnail, and PassMemory's decisions
// (pass-gating.ts), for each --gating setting. The cost side of motion gating in seconds; its recall comes from
// `npm run eval:real -- --lead-in S` with the same setting.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Box, RgbImage } from '@phatnguoi/core/contracts/detection';
import { readDetectorConfig, parseDetectorConfig } from '../src/models/config';
import { DEFAULT_DETECTOR_CONFIG } from '../src/models/load-detector';
import { lumaThumb, PassMemory } from '../src/models/pass-gating';
import { planPasses, type Pass } from '../src/models/real-traffic';

const { values: args } = parseArgs({
  options: {
    video: { type: 'string', multiple: true },
    fps: { type: 'string', default: '5' },
    frames: { type: 'string', default: '50' },
    roi: { type: 'string' },
    gating: { type: 'string', multiple: true },
  },
});

function frames(video: string, fps: number, n: number): RgbImage[] {
  const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', video], {
    encoding: 'utf8',
  })
    .trim()
    .split(',')
    .map(Number) as [number, number];
  const out = execFileSync(
    'ffmpeg',
    ['-loglevel', 'error', '-i', video, '-vf', `fps=${fps}`, '-frames:v', String(n), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      maxBuffer: 2 ** 31,
    },
  );
  const size = width * height * 3;
  const list: RgbImage[] = [];
  for (let o = 0; o + size <= out.length; o += size) list.push({ data: new Uint8Array(out.buffer, out.byteOffset + o, size), width, height });
  return list;
}

async function main(): Promise<void> {
  if (!args.video?.length) throw new Error('--video <mp4> is required (repeatable)');
  const base = await readDetectorConfig(DEFAULT_DETECTOR_CONFIG);
  if (!base.tiling) throw new Error('the shipped config has no tiling');
  const settings = args.gating?.length ? args.gating : ['{}'];
  console.log(`passes per frame after each clip's first, at ${args.fps} fps (tile plan of ${path.relative(process.cwd(), DEFAULT_DETECTOR_CONFIG)})`);
  for (const video of args.video) {
    const list = frames(video, Number(args.fps), Number(args.frames));
    const roi: Box = args.roi ? (args.roi.split(',').map(Number) as Box) : [0, 0, list[0]!.width, list[0]!.height];
    const passes = planPasses(roi, base.input, base.tiling);
    const { width, height } = base.input;
    const scaleOf = (p: Pass) => Math.min(width / (p.region[2] - p.region[0]), height / (p.region[3] - p.region[1]));
    const cells: string[] = [];
    for (const s of settings) {
      const gating = parseDetectorConfig({ ...base, gating: JSON.parse(s) as object }).gating!;
      const memory = new PassMemory(gating);
      let ran = 0;
      list.forEach((image, i) => {
        const thumb = lumaThumb(image, gating.cell);
        const decisions = memory.plan(passes, thumb, scaleOf);
        memory.record(passes, decisions, thumb, new Map());
        if (i > 0) ran += decisions.filter((d) => d !== 'carried').length;
      });
      cells.push(`${s}: ${(ran / Math.max(1, list.length - 1)).toFixed(2)}`);
    }
    console.log(`${path.basename(video)} (${list.length} frames, ${passes.length} passes planned)\n  ${cells.join('\n  ')}`);
  }
}

main().catch((err) => {
  console.error(`gating-passes failed: ${(err as Error).message}`);
  process.exit(1);
});
