// npm run build: type-checks every workspace and builds the UI, and reports all failures together.
// The workspaces whose build is a plain `tsc -p .` on the shared compiler options (tsconfig.base.json, nothing of
// their own) are checked as ONE TypeScript program over all their files: each workspace's own program would check the
// core (and whatever else it imports) again, nine times in all. Workspaces with options or steps of their own (the UI:
// DOM types, JSX, then the Vite build) run their `build` script as before, beside that check (two at a time).
// A workspace with no source files yet is skipped (tsc fails on an empty project), so an empty workspace never
// breaks the build.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE_DIRS = ['src', 'test', 'bench'];
const PLAIN_BUILD = 'tsc -p .';

function hasSources(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory() ? hasSources(p) : /\.(ts|tsx)$/.test(entry)) return true;
  }
  return false;
}

interface WorkspaceTsconfig {
  extends?: string;
  compilerOptions?: Record<string, unknown>;
  include?: string[];
}

/** The workspace's tsconfig include patterns as absolute paths, when it is a plain one (base options only); else null. */
export function plainIncludes(wsDir: string, tsconfig: WorkspaceTsconfig, baseConfig: string): string[] | null {
  if (!tsconfig.extends || resolve(wsDir, tsconfig.extends) !== baseConfig) return null;
  if (tsconfig.compilerOptions && Object.keys(tsconfig.compilerOptions).length > 0) return null;
  return (tsconfig.include ?? ['**/*']).map((p) => resolve(wsDir, p));
}

interface Job {
  name: string;
  command: string;
  args: string[];
}

/** Runs a job with its output collected, printed in one piece when it ends (jobs run side by side). */
function runJob(job: Job): Promise<boolean> {
  const started = Date.now();
  console.log(`── ${job.name}: started`);
  return new Promise((resolveJob) => {
    const child = spawn(job.command, job.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.once('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.once('close', (code) => {
      const text = Buffer.concat(out).toString().trimEnd();
      if (text) console.log(`\n── ${job.name}:\n${text}`);
      console.log(`── ${job.name}: ${code === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolveJob(code === 0);
    });
  });
}

async function main(): Promise<void> {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  const baseConfig = join(ROOT, 'tsconfig.base.json');
  const plain: { ws: string; include: string[] }[] = [];
  const jobs: Job[] = [];
  for (const ws of root.workspaces) {
    const dir = join(ROOT, ws);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const script = pkg.scripts?.build;
    if (!script) continue;
    const topLevelTs = readdirSync(dir).some((f) => /\.(ts|tsx)$/.test(f));
    if (!topLevelTs && !SOURCE_DIRS.some((d) => hasSources(join(dir, d)))) {
      console.log(`── ${ws}: no sources yet, skipped`);
      continue;
    }
    const include =
      script.trim() === PLAIN_BUILD ? plainIncludes(dir, JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as WorkspaceTsconfig, baseConfig) : null;
    if (include) plain.push({ ws, include });
    else jobs.push({ name: `${ws} (${script})`, command: 'npm', args: ['run', 'build', '--silent', '-w', ws] });
  }
  if (plain.length) {
    // One program for the plain workspaces, in a generated tsconfig under .tmp/ (ignored by git).
    const dir = join(ROOT, '.tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'tsconfig.workspaces.json');
    writeFileSync(file, `${JSON.stringify({ extends: baseConfig, include: plain.flatMap((p) => p.include) }, null, 2)}\n`);
    jobs.unshift({
      name: `type-check ${plain.map((p) => p.ws).join(', ')} (tsc, one program)`,
      command: process.execPath,
      args: [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', file],
    });
  }
  const results: boolean[] = [];
  // Two at a time: the type-check of the plain workspaces beside the other builds (the UI's).
  const queue = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      for (let job = queue.shift(); job; job = queue.shift()) results[jobs.indexOf(job)] = await runJob(job);
    }),
  );
  const failed = jobs.filter((_, i) => !results[i]).map((j) => j.name);
  if (failed.length) {
    console.error(`\nbuild failed in: ${failed.join('; ')}`);
    process.exit(1);
  }
  console.log('\nbuild ok');
}

// Run only as a program (a test imports plainIncludes).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
