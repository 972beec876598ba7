// Resolve a scenario reference from the command line: a catalogue name, `random:<seed>`, or a JSON file.
import { readFile } from 'node:fs/promises';
import { CATALOGUE, findScenario } from './catalogue';
import { randomScenario } from './random';
import { speedScenario } from './speed';
import { parseScenario, type Scenario } from './schema';

export interface ScenarioOverrides {
  width?: number;
  height?: number;
  fps?: number;
  durationS?: number;
  seed?: number;
}

export async function resolveScenario(ref: string, o: ScenarioOverrides = {}): Promise<Scenario> {
  let s: Scenario | undefined;
  const m = /^random[:-](\d+)$/.exec(ref);
  const speed = /^speed:(\d+)(?::(\d+))?(?::(\d+))?$/.exec(ref);
  if (m) s = randomScenario(Number(m[1]));
  else if (speed) s = speedScenario(Number(speed[1]), { ...(speed[2] ? { fps: Number(speed[2]) } : {}), ...(speed[3] ? { limitKmh: Number(speed[3]) } : {}) });
  else s = findScenario(ref);
  if (!s && /\.json$/i.test(ref)) s = parseScenario(JSON.parse(await readFile(ref, 'utf8')));
  if (!s)
    throw new Error(
      `unknown scenario "${ref}": use a catalogue name (${CATALOGUE.map((c) => c.name).join(', ')}), random:<seed>, speed:<seed>[:<fps>[:<limit>]], or a .json file`,
    );
  return parseScenario({
    ...s,
    ...(o.width ? { width: o.width } : {}),
    ...(o.height ? { height: o.height } : {}),
    ...(o.fps ? { fps: o.fps } : {}),
    ...(o.durationS ? { durationS: o.durationS } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
}
