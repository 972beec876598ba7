// Child processes of an end-to-end run: each role started with `node --import tsx <entry>`, its output
// kept (the tail is printed when a test fails) and stopped with SIGTERM, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RoleProcess {
  name: string;
  child: ChildProcess;
  /** Every output line so far, prefixed with the role. */
  lines: string[];
  /** Resolves with the first line matching `re` (rejects when the process exits first or after `timeoutMs`). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited(): boolean;
  stop(timeoutMs?: number): Promise<number | null>;
}

export function startRole(name: string, entry: string, args: string[], env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(`[${name}] ${line}`);
      if (lines.length > 2000) lines.splice(0, 500);
      if (process.env.E2E_VERBOSE) process.stdout.write(`[${name}] ${line}\n`);
      for (const w of [...waiters]) {
        const m = w.re.exec(line);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  }
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    lines,
    waitForLine(re, timeoutMs = 120_000) {
      for (const l of lines) {
        const m = re.exec(l.slice(name.length + 3));
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no line matching ${re} within ${timeoutMs / 1000} s\n${lines.slice(-30).join('\n')}`)),
          timeoutMs,
        );
        void exit.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before printing ${re}\n${lines.slice(-30).join('\n')}`));
        });
        waiters.push({ re, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
