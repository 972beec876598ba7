// A tiny process that outlives the stack only to clean up after it: the stack tells it (on its stdin) the process
// groups it starts; when that pipe closes without the stack having untracked them (the stack was killed, even with
// SIGKILL), it ends each group: SIGTERM, then SIGKILL 5 s later. Plain JavaScript run by `node -e`, so it starts
// in milliseconds and needs nothing from the repository.
import { spawn } from 'node:child_process';

const SCRIPT = `
const groups = new Set();
let buf = '';
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const pid = Number(line.slice(1));
    if (!(pid > 1)) continue;
    if (line[0] === '+') groups.add(pid);
    else if (line[0] === '-') groups.delete(pid);
  }
});
const signal = (sig) => { for (const pid of groups) { try { process.kill(-pid, sig); } catch {} } };
process.stdin.on('end', () => {
  if (groups.size === 0) process.exit(0);
  signal('SIGTERM');
  setTimeout(() => { signal('SIGKILL'); process.exit(0); }, 5000);
});
process.stdin.on('error', () => process.stdin.emit('end'));
`;

export interface Watchdog {
  /** A process group (its leader's pid) to end should the stack die. */
  track(pid: number): void;
  /** The group has been stopped by the stack itself. */
  untrack(pid: number): void;
  /** The stack is done: the watchdog exits (ending any group still tracked). */
  close(): void;
}

export function startWatchdog(): Watchdog {
  const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.unref();
  const stdin = child.stdin!;
  stdin.on('error', () => undefined);
  (stdin as unknown as { unref?: () => void }).unref?.();
  const send = (line: string) => {
    if (!stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    track: (pid) => send(`+${pid}`),
    untrack: (pid) => send(`-${pid}`),
    close: () => stdin.end(),
  };
}
