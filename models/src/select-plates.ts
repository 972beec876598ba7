// Scores candidate plate-reader weights on a larger end-to-end-like validation set than training uses
// (models/src/plates/e2e-val.ts, seeds 720_001+: disjoint from training, its held-out set and eval-plates),
// to choose between checkpoints of different runs. Evaluation figures come from eval-plates, not from here.
//   npx tsx models/src/select-plates.ts [--counts 1000,600,400,400] <model.json> [<model.json> ...]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initTf } from '@phatnguoi/detector/tf/runtime';
import { loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';
import { buildEndToEndValSet, scoreEndToEnd } from './plates/e2e-val';

const SELECT_SEED = 720_001;

const { values: args, positionals } = parseArgs({
  options: { counts: { type: 'string', default: '1000,600,400,400' } },
  allowPositionals: true,
});

async function main(): Promise<void> {
  if (positionals.length === 0) throw new Error('give one or more model.json paths');
  await initTf();
  const [square, oneLine, motorbike, clean] = args.counts!.split(',').map(Number) as [number, number, number, number];
  const t0 = Date.now();
  const set = await buildEndToEndValSet({ square, oneLine, motorbike, clean }, SELECT_SEED);
  console.log(
    `validation set (seeds ${SELECT_SEED}+): ${set.crops.length} vehicle crops, ${set.clean.texts.length} clean crops (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log('| model | square | one-line | motorbike | clean one-line | clean two-line | mean |');
  console.log('|---|---|---|---|---|---|---|');
  for (const p of positionals) {
    const model = await loadLayersModelFromFile(p);
    const { groups: g, score } = await scoreEndToEnd(model, set);
    model.dispose();
    const f = (v: number | undefined): string => (v === undefined ? '-' : (100 * v).toFixed(1) + '%');
    console.log(
      `| ${path.relative(process.cwd(), p)} | ${f(g.square)} | ${f(g['one-line'])} | ${f(g.motorbike)} | ${f(g['clean one-line'])} | ${f(g['clean two-line'])} | ${(100 * score).toFixed(2)} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
