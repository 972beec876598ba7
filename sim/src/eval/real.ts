// Real-footage evaluation: clips whose geometry was drawn by eye and whose violations were judged by eye
// (labels in sim/real-labels/, media kept outside the repository). Lamp state is scored on every frame of
// the clip against the per-frame light-state CSVs of ../shared/data/real-dev; violations go through the
// detector's offline runner and the same evaluator as the simulator's held-out set.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CameraGeometry, Rect } from '@phatnguoi/core/contracts/camera-geometry';
import type { TruthFile } from '../truth';
import type { TruthFrame } from '../render/compose';
import type { TruthViolation } from '../world/violations';
import type { ViolationType } from '@phatnguoi/core/contracts/violation-event';

export interface RealLabel {
  clip: string;
  fps: number;
  lightStates: string;
  headId: string;
  geometry: CameraGeometry;
  violations: { id: string; type: ViolationType; timeS: number; startS: number; endS: number; vehicle: string }[];
  notCounted: string[];
}

export interface LightRow {
  frame: number;
  t: number;
  /** `red`, `yellow`, `green`, `dark` or `red+green` (a transition frame where both glow). */
  state: string;
  /** The right-turn arrow (`green`/`off`), where the clip has one. */
  arrow: string | null;
}

export async function loadRealLabels(dir: string): Promise<{ name: string; label: RealLabel }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no label files (*.json) in ${dir}`);
  const out = [];
  for (const f of files) {
    const label = JSON.parse(await readFile(join(dir, f), 'utf8')) as RealLabel;
    for (const k of ['clip', 'fps', 'lightStates', 'headId', 'geometry', 'violations'] as const) {
      if (label[k] === undefined) throw new Error(`${join(dir, f)}: missing "${k}"`);
    }
    out.push({ name: f.replace(/\.json$/, ''), label });
  }
  return out;
}

/** Parses a light-state CSV (first line a `#` comment, then a header with frame, pts_time, state, right_arrow). */
export function parseLightStates(text: string): LightRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
  const header = lines.shift()?.split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const [fi, ti, si, ai] = [col('frame'), col('pts_time'), col('state'), col('right_arrow')];
  if (fi < 0 || ti < 0 || si < 0) throw new Error('light-state CSV: needs the columns frame, pts_time and state');
  return lines.map((line) => {
    const cells = line.split(',');
    return { frame: Number(cells[fi]), t: Number(cells[ti]), state: cells[si]!, arrow: ai >= 0 && cells[ai] ? cells[ai]! : null };
  });
}

/**
 * A truth object the simulator's evaluator accepts: the label's violations (no per-frame boxes: predictions match
 * by type and time) and the light state of every frame. Transition frames where two lamps glow are left unjudged.
 */
export function realTruth(label: RealLabel, rows: LightRow[]): Pick<TruthFile, 'frames' | 'video' | 'violations'> {
  const frames: TruthFrame[] = rows.map((r) => ({
    index: r.frame,
    t: r.t,
    objects: [],
    lights:
      r.state === 'red' || r.state === 'yellow' || r.state === 'green'
        ? [{ headId: label.headId, round: r.state, arrow: r.arrow === 'green' ? 'green' : r.arrow === 'off' ? 'off' : null, countdown: null, lit: true }]
        : r.state === 'dark'
          ? [{ headId: label.headId, round: 'red', arrow: null, countdown: null, lit: false }]
          : [],
  }));
  const last = rows[rows.length - 1];
  const violations: TruthViolation[] = label.violations.map((v) => ({
    id: v.id,
    type: v.type,
    trackId: v.id,
    timeS: v.timeS,
    startS: v.startS,
    endS: v.endS,
    frame: Math.round(v.timeS * label.fps),
    box: null,
    plateText: '',
    rule: v.vehicle,
  }));
  return {
    frames,
    video: {
      width: label.geometry.reference.width,
      height: label.geometry.reference.height,
      fps: label.fps,
      frames: rows.length,
      durationS: last ? last.t : 0,
    },
    violations,
  };
}

/** The label's geometry with every lamp region moved by (dx, dy) and grown by `pad` px on each side (robustness checks). */
export function perturbLamps(geometry: CameraGeometry, dx: number, dy: number, pad: number): CameraGeometry {
  const { width, height } = geometry.reference;
  const move = (r: Rect): Rect => [
    Math.max(0, r[0] + dx - pad),
    Math.max(0, r[1] + dy - pad),
    Math.min(width, r[2] + dx + pad),
    Math.min(height, r[3] + dy + pad),
  ];
  return { ...geometry, signalHeads: geometry.signalHeads.map((h) => ({ ...h, lamps: h.lamps.map((l) => ({ ...l, region: move(l.region) })) })) };
}

export interface ArrowScore {
  judged: number;
  correct: number;
}

/** Arrow state per frame: predicted arrows lit against the CSV's right_arrow column. */
export function scoreArrows(rows: LightRow[], predicted: { timeS: number; arrowsLit: string[] }[], fps: number, arrowLampId: string): ArrowScore {
  const byFrame = new Map(rows.map((r) => [r.frame, r]));
  const s = { judged: 0, correct: 0 };
  for (const p of predicted) {
    const r = byFrame.get(Math.round(p.timeS * fps));
    if (!r || r.arrow === null) continue;
    s.judged++;
    if ((r.arrow === 'green') === p.arrowsLit.includes(arrowLampId)) s.correct++;
  }
  return s;
}
