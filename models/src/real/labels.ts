// Label files of real frames (one frame per JSON file; format in models/EVAL-REAL.md): parsed and checked, every
// problem of a folder reported at once. Pure: the caller reads the files.
import type { Box, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { VEHICLE_CLASSES } from '@phatnguoi/core/contracts/detection';

export interface FrameLabel {
  /** The label file's name (for messages). */
  file: string;
  /** A clip in the media folder and the frame in it (frame_index, or pts_time converted with the clip's frame rate)... */
  clip?: string;
  frameIndex?: number;
  ptsTime?: number;
  /** ...or a still image in the media folder. */
  image?: string;
  /** Frame size the boxes refer to (checked against the media when given). */
  width?: number;
  height?: number;
  /** Detection region handed to the detector; truth and predictions whose centre lies outside it are not scored. */
  roi?: Box;
  boxes: Array<{ cls: VehicleClass; box: Box }>;
}

const isBox = (b: unknown): b is Box =>
  Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number' && Number.isFinite(v)) && b[2] > b[0] && b[3] > b[1];

/** One label file's JSON → a FrameLabel, or the list of what is wrong with it. */
export function parseFrameLabel(file: string, json: unknown): FrameLabel | string[] {
  const problems: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [`${file}: not a JSON object`];
  const o = json as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' && (o[k] as string).length > 0 ? (o[k] as string) : undefined);
  const num = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
  const label: FrameLabel = { file, clip: str('clip'), image: str('image'), width: num('width'), height: num('height'), boxes: [] };
  if (!label.clip === !label.image) problems.push(`${file}: give either "clip" (with "frame_index" or "pts_time") or "image"`);
  if (label.clip) {
    label.frameIndex = num('frame_index');
    label.ptsTime = num('pts_time');
    if (label.frameIndex === undefined && label.ptsTime === undefined) problems.push(`${file}: a clip label needs "frame_index" or "pts_time"`);
    if (label.frameIndex !== undefined && (!Number.isInteger(label.frameIndex) || label.frameIndex < 0))
      problems.push(`${file}: "frame_index" must be an integer ≥ 0`);
  }
  if (o.roi !== undefined) {
    if (isBox(o.roi)) label.roi = o.roi;
    else problems.push(`${file}: "roi" must be [x1, y1, x2, y2] with x2 > x1, y2 > y1`);
  }
  if (!Array.isArray(o.boxes)) problems.push(`${file}: "boxes" must be an array`);
  else {
    o.boxes.forEach((b: unknown, i) => {
      const e = b as { cls?: unknown; box?: unknown };
      if (typeof e?.cls !== 'string' || !(VEHICLE_CLASSES as readonly string[]).includes(e.cls)) {
        problems.push(`${file}: boxes[${i}].cls must be one of ${VEHICLE_CLASSES.join(', ')}`);
      } else if (!isBox(e.box)) {
        problems.push(`${file}: boxes[${i}].box must be [x1, y1, x2, y2] pixels with x2 > x1, y2 > y1`);
      } else label.boxes.push({ cls: e.cls as VehicleClass, box: e.box });
    });
  }
  return problems.length > 0 ? problems : label;
}

/** Every *.json of a folder (sorted by name) parsed; throws one error listing every problem. */
export async function readLabelFolder(dir: string, names: string[], read: (name: string) => Promise<string>): Promise<FrameLabel[]> {
  const files = names.filter((n) => n.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no label files (*.json) in ${dir}`);
  const labels: FrameLabel[] = [];
  const problems: string[] = [];
  for (const f of files) {
    let json: unknown;
    try {
      json = JSON.parse(await read(f));
    } catch (err) {
      problems.push(`${f}: ${(err as Error).message}`);
      continue;
    }
    const r = parseFrameLabel(f, json);
    if (Array.isArray(r)) problems.push(...r);
    else labels.push(r);
  }
  if (problems.length > 0) throw new Error(`bad label files in ${dir}:\n  ${problems.join('\n  ')}`);
  return labels;
}
