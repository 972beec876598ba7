// Small process helpers shared by the CLI, test helpers and tests.

/** Whether a process with this pid exists (signal 0 probes without sending; EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
