// Field errors from the api in the reader's language. The api names each problem by JSON path (`$.lanes[1].signalHeadId`,
// or fastify's `body/plateText`) with an English message: TypeBox's standard messages, the geometry validator's own
// (core/src/contracts/camera-geometry.ts) or AJV's. Each known message maps to a dictionary key with its numbers and
// ids; the unit test runs the validator on broken geometries so a message changed there without a mapping here fails.
import type { Translate } from './index';

export interface FieldErrorLike {
  path: string;
  message: string;
}

type Rule = [RegExp, string, (m: RegExpMatchArray) => Record<string, string | number>];
const none = () => ({});
const n = (m: RegExpMatchArray) => ({ n: m[1]! });

const MESSAGES: Rule[] = [
  // TypeBox
  [/^Expected required property$/, 'valid.required', none],
  [/^Expected array length to be greater or equal to (\d+)$/, 'valid.minItems', n],
  [/^Expected array length to be less or equal to (\d+)$/, 'valid.maxItems', n],
  [/^Expected string length greater or equal to (\d+)$/, 'valid.minLength', n],
  [/^Expected string length less or equal to (\d+)$/, 'valid.maxLength', n],
  [/^Expected (?:number|integer) to be greater or equal to (\S+)$/, 'valid.minimum', n],
  [/^Expected (?:number|integer) to be less or equal to (\S+)$/, 'valid.maximum', n],
  [/^Expected (?:number|integer) to be greater than (\S+)$/, 'valid.exclusiveMinimum', n],
  [/^Expected (?:number|integer) to be less than (\S+)$/, 'valid.exclusiveMaximum', n],
  [/^Expected integer$/, 'valid.integer', none],
  [/^Expected number$/, 'valid.number', none],
  [/^Expected string$/, 'valid.string', none],
  [/^Expected boolean$/, 'valid.boolean', none],
  [/^Expected array$/, 'valid.array', none],
  [/^Expected (?:object|tuple.*)$/, 'valid.object', none],
  [/^Expected (?:union value|value to be .*|'.*'|".*"|\S+)$/, 'valid.choice', none],
  [/^Unexpected property$/, 'valid.unexpected', none],
  [/^Expected string to match /, 'valid.pattern', none],
  // camera geometry (semantic checks)
  [/^point \[(-?[\d.]+), (-?[\d.]+)\] is outside the (\d+)x(\d+) reference image$/, 'valid.outsideImage', (m) => ({ x: m[1]!, y: m[2]!, w: m[3]!, h: m[4]! })],
  [/^duplicate id "(.*)"$/, 'valid.duplicateId', (m) => ({ id: m[1]! })],
  [/^stop line is shorter than 2 pixels$/, 'valid.stopLineShort', none],
  [/^beforePoint lies on the stop line/, 'valid.beforeOnLine', none],
  [/^polygon has no area$/, 'valid.noArea', none],
  [/^polygon edges (\d+) and (\d+) intersect$/, 'valid.edgesCross', (m) => ({ a: m[1]!, b: m[2]! })],
  [/^direction vector is zero$/, 'valid.zeroDirection', none],
  [/^no stop line with id "(.*)"$/, 'valid.noStopLine', (m) => ({ id: m[1]! })],
  [/^a lane with a stop line needs the signal head/, 'valid.needsSignalHead', none],
  [/^no signal head with id "(.*)"$/, 'valid.noSignalHead', (m) => ({ id: m[1]! })],
  [/^direction points towards the before side of stop line "(.*)"$/, 'valid.directionBackwards', (m) => ({ id: m[1]! })],
  [/^signal head "(.*)" has no lamp "(.*)"$/, 'valid.noLamp', (m) => ({ head: m[1]!, lamp: m[2]! })],
  [/^lamp "(.*)" is not a green arrow$/, 'valid.notGreenArrow', (m) => ({ lamp: m[1]! })],
  [/^lane does not lead to "(.*)"$/, 'valid.turnNotLed', (m) => ({ turn: m[1]! })],
  [/^region needs x2 > x1 and y2 > y1$/, 'valid.regionOrder', none],
  [/^signal head has no round (\w+) lamp$/, 'valid.noRoundLamp', (m) => ({ colour: m[1]! })],
  [/^a speed zone needs the camera calibration/, 'valid.zoneNeedsCalibration', none],
  [/^class "(.*)" has two limits in this zone$/, 'valid.classTwoLimits', (m) => ({ cls: m[1]! })],
  [/^(?:the homography|the points|every point|every coordinate|at least \d+ (?:road )?points|three of the four points)/, 'valid.calibration', none],
  // AJV (fastify's route schemas)
  [/^must have required property/, 'valid.required', none],
  [/^must NOT have fewer than (\d+) characters$/, 'valid.minLength', n],
  [/^must NOT have more than (\d+) characters$/, 'valid.maxLength', n],
  [/^must NOT have fewer than (\d+) items$/, 'valid.minItems', n],
  [/^must NOT have more than (\d+) items$/, 'valid.maxItems', n],
  [/^must be >= (\S+)$/, 'valid.minimum', n],
  [/^must be <= (\S+)$/, 'valid.maximum', n],
  [/^must be > (\S+)$/, 'valid.exclusiveMinimum', n],
  [/^must be < (\S+)$/, 'valid.exclusiveMaximum', n],
  [/^must be integer$/, 'valid.integer', none],
  [/^must be number$/, 'valid.number', none],
  [/^must be string$/, 'valid.string', none],
  [/^must be boolean$/, 'valid.boolean', none],
  [/^must be array$/, 'valid.array', none],
  [/^must be object$/, 'valid.object', none],
  [/^must be equal to (?:one of the allowed values|constant)|^must match a schema in anyOf/, 'valid.choice', none],
  [/^must NOT have additional properties$/, 'valid.unexpected', none],
  [/^must match (?:pattern|format)/, 'valid.pattern', none],
];

/** The dictionary key and values of a field error's message; `valid.invalid` when the message is not a known one. */
export function fieldErrorKey(message: string): { key: string; vars: Record<string, string | number> } {
  for (const [re, key, vars] of MESSAGES) {
    const m = message.match(re);
    if (m) return { key, vars: vars(m) };
  }
  return { key: 'valid.invalid', vars: {} };
}

export function fieldErrorText(t: Translate, message: string): string {
  const { key, vars } = fieldErrorKey(message);
  return t(key as Parameters<Translate>[0], vars);
}

/** Array members of the geometry named as things, counted from 1 as a person counts. */
const MEMBERS: Record<string, string> = {
  stopLines: 'field.stopLines',
  lanes: 'field.lanes',
  solidLines: 'field.solidLines',
  signalHeads: 'field.signalHeads',
  lamps: 'field.lamps',
  speedZones: 'field.speedZones',
  limits: 'field.limits',
  arrowPermits: 'field.arrowPermits',
};
/** Properties named by the label the form gives them. */
const PROPERTIES: Record<string, string> = {
  id: 'geo.id',
  approach: 'geo.approach',
  name: 'geo.laneName',
  a: 'geo.handle.a',
  b: 'geo.handle.b',
  beforePoint: 'geo.handle.beforePoint',
  polygon: 'field.polygon',
  direction: 'geo.directionDeg',
  allowedClasses: 'geo.allowedClasses',
  turns: 'geo.turns',
  stopLineId: 'geo.stopLineRef',
  signalHeadId: 'geo.signalHeadRef',
  kind: 'geo.solidKind',
  colour: 'geo.lampColour',
  shape: 'geo.lampShape',
  points: 'field.points',
  calibration: 'field.calibration',
  reference: 'field.reference',
  lampId: 'geo.lamp',
  limitKmh: 'calib.limit',
  stopLines: 'geo.stopLine',
  lanes: 'geo.lane',
  solidLines: 'geo.solidLine',
  signalHeads: 'geo.signalHead',
  speedZones: 'calib.zone',
};

/**
 * A JSON path (`$.lanes[1].signalHeadId`) or a fastify one (`body/plateText`) in words: "Làn 2 › Cột đèn điều khiển làn".
 * A property the form has no label for keeps its name.
 */
export function fieldLabel(t: Translate, path: string): string {
  const parts = path
    .replace(/^\$/, '')
    .replace(/^(?:body|querystring|params)\/?/, '')
    .split(/[./]|(?=\[)/)
    .filter(Boolean);
  if (parts.length === 0) return t('field.root');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const index = /^\[(\d+)\]$/.exec(p);
    if (index) continue;
    const next = /^\[(\d+)\]$/.exec(parts[i + 1] ?? '');
    if (next && MEMBERS[p]) out.push(t(MEMBERS[p] as Parameters<Translate>[0], { n: Number(next[1]) + 1 }));
    else if (PROPERTIES[p]) out.push(t(PROPERTIES[p] as Parameters<Translate>[0]));
    else out.push(t('field.other', { name: p }));
  }
  return out.join(' › ');
}

/** fastify's validation message (`body/plateText must NOT have fewer than 1 characters`) as a field error. */
export function splitValidationMessage(message: string): FieldErrorLike | null {
  const m = /^((?:body|querystring|params)\S*) (must .*)$/.exec(message);
  return m ? { path: m[1]!, message: m[2]! } : null;
}
