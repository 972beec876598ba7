// The one place that starts ffmpeg/ffprobe. fluent-ffmpeg is no longer maintained upstream, so it
// stays behind this small interface: callers pass preset argument lists and get a handle back.
import ffmpeg from 'fluent-ffmpeg';
import { execFile } from 'node:child_process';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { redactText } from './redact';

const execFileAsync = promisify(execFile);

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
  /** Each stderr line, credentials redacted. */
  onStderr?: (line: string) => void;
  /** How many recent stderr lines to keep for the exit report. */
  keepStderrLines?: number;
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

function exitCode(message: string | null): number | null {
  const m = message ? /exited with code (\d+)/.exec(message) : null;
  return m ? Number(m[1]) : null;
}

function exitSignal(message: string | null): NodeJS.Signals | null {
  const m = message ? /killed with signal (SIG[A-Z0-9]+)/.exec(message) : null;
  return m ? (m[1] as NodeJS.Signals) : null;
}

/** Starts one ffmpeg process. The promise `exited` always resolves (never rejects). */
export function startFfmpeg(spec: FfmpegSpec): FfmpegHandle {
  const keep = spec.keepStderrLines ?? 40;
  const stderr: string[] = [];
  const command = ffmpeg({ stdoutLines: keep });
  // fluent-ffmpeg has no public slot for global options; ffmpeg accepts them before the first input.
  spec.inputs.forEach((input, i) => {
    command.input(input.source).inputOptions(i === 0 ? [...(spec.globalOptions ?? []), ...input.options] : input.options);
  });
  for (const output of spec.outputs) {
    const target = output.target ?? spec.stdout;
    if (!target) throw new Error('ffmpeg output without target needs spec.stdout');
    command.output(target as string).outputOptions(output.options);
  }

  let proc: { pid?: number; kill(signal?: NodeJS.Signals): boolean } | undefined;
  let resolveStarted!: () => void;
  const started = new Promise<void>((r) => (resolveStarted = r));
  let resolveExit!: (e: FfmpegExit) => void;
  const exited = new Promise<FfmpegExit>((r) => (resolveExit = r));
  let done = false;
  const finish = (error: string | null) => {
    if (done) return;
    done = true;
    resolveStarted();
    resolveExit({ error: error ? redactText(error) : null, code: exitCode(error), signal: exitSignal(error), stderr: [...stderr] });
  };

  command.on('start', () => {
    proc = (command as unknown as { ffmpegProc?: typeof proc }).ffmpegProc;
    resolveStarted();
  });
  command.on('stderr', (line: string) => {
    const clean = redactText(line);
    stderr.push(clean);
    if (stderr.length > keep) stderr.shift();
    spec.onStderr?.(clean);
  });
  command.on('error', (err: Error) => finish(err.message || 'ffmpeg failed'));
  command.on('end', () => finish(null));
  command.run();

  const stop = async (graceMs = 2000): Promise<FfmpegExit> => {
    if (!done) {
      await started;
      proc?.kill('SIGTERM');
      const timer = setTimeout(() => proc?.kill('SIGKILL'), graceMs);
      timer.unref();
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  return { pid: () => proc?.pid, started, exited, stop };
}

/** Runs ffmpeg to completion; rejects with the redacted stderr tail when it fails. */
export async function runFfmpeg(spec: Omit<FfmpegSpec, 'stdout'>): Promise<void> {
  const result = await startFfmpeg(spec).exited;
  if (result.error) {
    const detail = result.stderr.filter((l) => l.trim()).slice(-5).join(' | ');
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
