// `npm run demo` (stack/src/stack.ts demo) as a user runs it: no configuration besides free ports and a fresh
// data folder. It must come up with two simulated cameras online, answer /health, print the UI URL and the demo
// logins, and Ctrl-C (SIGINT, delivered twice at once as under npm) must stop every process it started, cleanly (roles,
// RTSP servers, ffmpeg, redis-server).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../src/processes';

const dataDir = mkdtempSync(join(tmpdir(), 'pn-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every process below `pid` (children, grandchildren, ...). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}

/** Still running: exists and is not a zombie (an exited process that this container's init has not reaped yet). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it('starts with no configuration, two simulated cameras online, health answers; Ctrl-C leaves nothing running', { timeout: 300_000 }, async () => {
    const apiPort = await freePort();
    const camPort = 20_000 + Math.floor(Math.random() * 20_000);
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, API_PORT: String(apiPort), DEMO_CAMERA_PORT: String(camPort), NO_COLOR: '1' };
    for (const k of [
      'DATABASE_URL',
      'REDIS_URL',
      'S3_ENDPOINT',
      'S3_ACCESS_KEY',
      'S3_SECRET_KEY',
      'NODE_ENV',
      'QUEUE_PREFIX',
      'DEMO_SCENARIO',
      'DEMO_SCENARIOS',
    ])
      delete env[k];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'stack/src/stack.ts'), 'demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const output: string[] = [];
    for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => output.push(l));
    const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms: number) => {
      const end = Date.now() + ms;
      while (!(await check())) {
        if (child.exitCode !== null) throw new Error(`demo exited (${child.exitCode}) before ${what}:\n${output.slice(-40).join('\n')}`);
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${output.slice(-40).join('\n')}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    let started: number[] = [];
    try {
      await waitFor('the stack to start', () => output.some((l) => l.includes('Ctrl-C stops everything')), 240_000);
      const text = output.join('\n');
      expect(text).toContain(`review UI and API: http://localhost:${apiPort}/`);
      expect(text).toMatch(/demo logins: officer canbo1 \/ \S+/);
      expect(text).toContain(
        `2 simulated cameras: red-light-runners at rtsp://127.0.0.1:${camPort}/cam, car-in-motorbike-lane at rtsp://127.0.0.1:${camPort + 1}/cam`,
      );
      await waitFor('/health', async () => (await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => null))?.ok === true, 90_000);
      const body = (await (await fetch(`http://127.0.0.1:${apiPort}/health`)).json()) as { status: string };
      expect(body.status).toBe('ok');
      // Both simulated cameras deliver frames (ingest reports them online).
      await waitFor('both simulated cameras online', () => output.filter((l) => /camera state .*state=online/.test(l)).length >= 2, 90_000);
      started = descendants(child.pid!);
      expect(started.length).toBeGreaterThan(5);
    } finally {
      // Ctrl-C on `npm run demo` reaches the stack twice at once (from the terminal, and passed on by npm): one
      // clean stop, not the second Ctrl-C's kill.
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGINT'), 50);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    expect(child.exitCode).toBe(0);
    expect(output.join('\n')).toContain('[stack] stopped');
    expect(output.join('\n')).not.toContain('killing everything now');
    // Nothing it started is left behind (roles, RTSP servers, ffmpeg, the private redis-server).
    // Processes killed by their parents on the way out may take a moment to exit on a loaded machine.
    for (let i = 0; i < 30 && started.some(alive); i++) await new Promise((r) => setTimeout(r, 500));
    const commandOf = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '(gone)';
      }
    };
    const left = started.filter(alive).map((pid) => `${pid} ${commandOf(pid)}`);
    expect(left).toEqual([]);
  });
});
