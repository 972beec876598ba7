// The one place that starts ffmpeg/ffprobe: callers pass preset argument lists and get a handle back.
// ffmpeg runs are spawned directly; fluent-ffmpeg (no longer maintained upstream) only backs `probe`.
import ffmpeg from 'fluent-ffmpeg';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { redactText } from './redact';

const execFileAsync = promisify(execFile);

/** util-linux `setpriv` (Linux), used to tie an ffmpeg's life to this process; null where absent. */
const SETPRIV = process.platform === 'linux' ? (['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null) : null;

export interface FfmpegInput {
  source: string;
  options: string[];
}

export interface FfmpegOutput {
  /** File path or URL; omit to write to `stdout` (which must then be given). */
  target?: string;
  options: string[];
}

export interface FfmpegSpec {
  inputs: FfmpegInput[];
  outputs: FfmpegOutput[];
  globalOptions?: string[];
  /** Receives ffmpeg's stdout (the output without a target). */
  stdout?: Writable;
  /**
   * Each stderr line, credentials redacted. Return true for a line that is data rather than a message
   * (`showinfo` lines): it is then not kept for the exit report, which is for ffmpeg's messages.
   */
  onStderr?: (line: string) => boolean | void;
  /** How many recent stderr lines to keep for the exit report. */
  keepStderrLines?: number;
  /**
   * Kill ffmpeg when this process dies (Linux: `setpriv --pdeathsig KILL`, which execs ffmpeg under the
   * same pid). For long runs whose outputs are files: an ffmpeg writing only to a pipe dies of the
   * broken pipe anyway, one writing files would go on decoding and writing forever.
   */
  dieWithParent?: boolean;
  /** Environment variables to set for ffmpeg on top of this process's (see `frameRingEnvironment`). */
  env?: Record<string, string>;
}

export interface FfmpegExit {
  /** null when ffmpeg ended normally. */
  error: string | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last stderr lines, credentials redacted. */
  stderr: string[];
}

export interface FfmpegHandle {
  /** Process id once started (undefined before the 'start' step or when spawning failed). */
  readonly pid: () => number | undefined;
  readonly started: Promise<void>;
  readonly exited: Promise<FfmpegExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<FfmpegExit>;
}

/** The argument list: global options, then per input its options and `-i`, then per output its options and target. */
export function ffmpegArgs(spec: FfmpegSpec): string[] {
  const args: string[] = [...(spec.globalOptions ?? [])];
  for (const input of spec.inputs) args.push(...input.options, '-i', input.source);
  if (spec.outputs.some((o) => o.target !== undefined)) args.push('-y');
  for (const output of spec.outputs) {
    if (output.target === undefined && !spec.stdout) throw new Error('ffmpeg output without target needs spec.stdout');
    args.push(...output.options, output.target ?? 'pipe:1');
  }
  return args;
}

/** The last stderr lines that are neither indented nor `[component]` lines (ffmpeg's own error summary). */
function errorSummary(lines: readonly string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('[')) out.length = 0;
    else out.push(line);
  }
  return out.join('\n');
}

/**
 * Starts one ffmpeg process. The promise `exited` always resolves (never rejects), and only once the
 * process itself has exited and its stdout and stderr are closed: its result comes from the exit code.
 *
 * This spawns ffmpeg directly rather than through fluent-ffmpeg's `run()`: with a stream output,
 * fluent-ffmpeg reports "Output stream closed" and kills ffmpeg when the output stream closes and the
 * process has not reported its exit within 20 ms. A reader that drains ffmpeg's stdout to the end
 * closes that stream before ffmpeg's exit is seen, so on a loaded machine a complete, successful
 * decode was reported (and sometimes killed) as a failure.
 */
export function startFfmpeg(spec: FfmpegSpec): FfmpegHandle {
  const keep = spec.keepStderrLines ?? 40;
  const stderr: string[] = [];
  const args = ffmpegArgs(spec);

  let resolveExit!: (e: FfmpegExit) => void;
  const exited = new Promise<FfmpegExit>((r) => (resolveExit = r));
  let done = false;
  let streamError: string | null = null;
  const finish = (error: string | null, code: number | null, signal: NodeJS.Signals | null) => {
    if (done) return;
    done = true;
    resolveExit({ error: error ? redactText(error) : null, code, signal, stderr: [...stderr] });
  };

  const pushLine = (line: string) => {
    const clean = redactText(line);
    if (spec.onStderr?.(clean) === true) return;
    stderr.push(clean);
    if (stderr.length > keep) stderr.shift();
  };

  let proc: ChildProcess;
  try {
    const ffmpegPath = process.env.FFMPEG_PATH || 'ffmpeg';
    const [cmd, argv] = spec.dieWithParent && SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', ffmpegPath, ...args]] : [ffmpegPath, args];
    const env = spec.env ? { ...process.env, ...spec.env } : undefined;
    proc = spawn(cmd, argv, { stdio: ['ignore', spec.stdout ? 'pipe' : 'ignore', 'pipe'], windowsHide: true, env });
  } catch (err) {
    finish((err as Error).message || 'ffmpeg failed to start', null, null);
    return { pid: () => undefined, started: Promise.resolve(), exited, stop: () => exited };
  }
  const started = Promise.resolve();

  let pending = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    const parts = (pending + chunk).split(/\r\n|\r|\n/);
    pending = parts.pop() ?? '';
    for (const line of parts) if (line) pushLine(line);
  });
  proc.stderr!.on('end', () => {
    if (pending) pushLine(pending);
    pending = '';
  });

  if (spec.stdout && proc.stdout) {
    const target = spec.stdout;
    proc.stdout.pipe(target);
    // The reader gave up (destroyed its stream): nobody drains ffmpeg's stdout any more, so stop it.
    target.on('error', (err: Error) => {
      streamError ??= `Output stream error: ${err.message}`;
      proc.stdout?.unpipe(target);
      proc.kill('SIGKILL');
    });
  }

  proc.on('error', (err: Error) => finish(err.message || 'ffmpeg failed', null, null)); // e.g. ENOENT
  // 'close': the process exited and its stdio streams are closed (every stdout byte was handed on).
  proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
    if (streamError) return finish(streamError, code, signal);
    if (signal) return finish(`ffmpeg was killed with signal ${signal}`, code, signal);
    if (code) {
      const summary = errorSummary(stderr);
      return finish(`ffmpeg exited with code ${code}${summary ? `: ${summary}` : ''}`, code, signal);
    }
    finish(null, code, signal);
  });

  const stop = async (graceMs = 2000): Promise<FfmpegExit> => {
    if (!done) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      timer.unref();
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  return { pid: () => proc.pid, started, exited, stop };
}

/** Runs ffmpeg to completion; rejects with the redacted stderr tail when it fails. */
export async function runFfmpeg(spec: Omit<FfmpegSpec, 'stdout'>): Promise<void> {
  const result = await startFfmpeg(spec).exited;
  if (result.error) {
    const detail = result.stderr
      .filter((l) => l.trim())
      .slice(-5)
      .join(' | ');
    throw new Error(`${result.error}${detail ? `: ${detail}` : ''}`);
  }
}

export interface ProbeResult {
  durationSeconds: number | null;
  streams: { codecType: string; codecName: string | null; width: number | null; height: number | null; frames: number | null }[];
}

/** ffprobe a file: container duration and stream summary. */
export function probe(file: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err, data) => {
      if (err) return reject(new Error(redactText(String((err as Error).message ?? err))));
      const duration = Number(data.format.duration);
      resolve({
        durationSeconds: Number.isFinite(duration) ? duration : null,
        streams: data.streams.map((s) => ({
          codecType: s.codec_type ?? 'unknown',
          codecName: s.codec_name ?? null,
          width: s.width ?? null,
          height: s.height ?? null,
          frames: s.nb_frames !== undefined && s.nb_frames !== 'N/A' ? Number(s.nb_frames) : null,
        })),
      });
    });
  });
}

/**
 * Keyframe times (seconds, in the file's own timeline) of the first video stream. Reads packets and
 * decodes nothing; fluent-ffmpeg's ffprobe wrapper does not parse packet sections, so this one calls
 * ffprobe itself.
 */
export async function keyframeTimes(file: string): Promise<number[]> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file];
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('ffprobe', args, { maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    throw new Error(redactText(String((err as Error).message)));
  }
  const times: number[] = [];
  for (const line of stdout.split('\n')) {
    const [pts, flags] = line.split(',');
    const t = Number(pts);
    if (flags?.startsWith('K') && pts !== '' && Number.isFinite(t)) times.push(t);
  }
  return times;
}
