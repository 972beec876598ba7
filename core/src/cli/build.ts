// npm run build: runs every workspace's `build` script (type-check with tsc; the UI also builds with Vite),
// in workspace order, and reports all failures together. A workspace with no source files yet is skipped
// (tsc fails on an empty project), so adding an empty workspace never breaks the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE_DIRS = ['src', 'test', 'bench'];

function hasSources(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory() ? hasSources(p) : /\.(ts|tsx)$/.test(entry)) return true;
  }
  return false;
}

const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
const failed: string[] = [];
for (const ws of root.workspaces) {
  const pkg = JSON.parse(readFileSync(join(ROOT, ws, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.build) continue;
  const topLevelTs = readdirSync(join(ROOT, ws)).some((f) => /\.(ts|tsx)$/.test(f));
  if (!topLevelTs && !SOURCE_DIRS.some((d) => hasSources(join(ROOT, ws, d)))) {
    console.log(`\n── ${ws}: no sources yet, skipped`);
    continue;
  }
  console.log(`\n── ${ws}: ${pkg.scripts.build}`);
  const started = Date.now();
  const r = spawnSync('npm', ['run', 'build', '--silent', '-w', ws], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) failed.push(ws);
  console.log(`── ${ws}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
if (failed.length) {
  console.error(`\nbuild failed in: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nbuild ok');
