// Detector model config: which model file, how to feed it (preprocessing), how to read its outputs (head)
// and how its labels map onto the system's vehicle classes. One JSON file per model; see README.md here.
import { readFile } from 'node:fs/promises';
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
      type: Type.Literal('nanodet', { description: 'Per stride: class scores [1,N,C] (sigmoid applied) and box distributions [1,N,4·(regMax+1)], matched to strides by N.' }),
      strides: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, default: [8, 16, 32] }),
      regMax: Type.Integer({ minimum: 1, default: 7, description: 'Bins per side minus one.' }),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('centernet', { description: "The project's own model: one output [1, H/s, W/s, C+4]: C heatmap logits, log size (w, h in strides), centre offset (x, y in strides)." }),
      stride: Type.Integer({ minimum: 1, default: 8 }),
    },
    strict,
  ),
]);

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
    iouThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'Per-class NMS overlap limit.' }),
    maxDetections: Type.Integer({ minimum: 1, default: 100 }),
  },
  strict,
);

export type InputSpec = Static<typeof InputSpecSchema>;
export type HeadSpec = Static<typeof HeadSchema>;
export type DetectorConfig = Static<typeof DetectorConfigSchema>;
/** What callers write: every field with a default may be left out. */
export type DetectorConfigInput = Omit<Partial<DetectorConfig>, 'input' | 'head'> &
  Pick<DetectorConfig, 'name' | 'format' | 'modelPath' | 'labels'> & {
    input: Partial<InputSpec> & Pick<InputSpec, 'width' | 'height'>;
    head: Partial<HeadSpec> & Pick<HeadSpec, 'type'>;
  };

export class DetectorConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
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
  }
  if (problems.length > 0) throw new DetectorConfigError([...new Set(problems)], source);
  return withDefaults as DetectorConfig;
}

/** Reads a config file; `modelPath` is resolved against the file's folder. */
export async function readDetectorConfig(configPath: string): Promise<DetectorConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (err) {
    throw new DetectorConfigError([(err as Error).message], configPath);
  }
  const cfg = parseDetectorConfig(json, configPath);
  return { ...cfg, modelPath: path.resolve(path.dirname(configPath), cfg.modelPath) };
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
