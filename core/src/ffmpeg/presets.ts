// Named ffmpeg argument presets. Every ffmpeg command line in the project is assembled from
// these, so a flag is chosen (and explained) once.

export type SourceKind = 'rtsp' | 'file';

export interface InputPresetOptions {
  /** Socket I/O timeout: ffmpeg gives up on a silent RTSP server after this long. */
  socketTimeoutMs?: number;
  /**
   * Decoder threads (`-threads` on the input); 0 or unset: ffmpeg's choice (one per core, frame
   * threading). A camera node decodes many streams at once, so one thread per stream avoids frame
   * threading's overhead (about 15-25 % of decode CPU for 1080p25 here, see bench/README.md) while a
   * single core still decodes 1080p25 H.264 several times faster than real time.
   */
  decodeThreads?: number;
}

function threadOptions(opts: InputPresetOptions): string[] {
  return opts.decodeThreads ? ['-threads', String(opts.decodeThreads)] : [];
}

/** How a source URL is read: RTSP cameras vs. files (looped, read at native rate for development). */
export function sourceKind(url: string): SourceKind {
  return /^rtsps?:\/\//i.test(url) ? 'rtsp' : 'file';
}

/** Input options for a live camera: RTSP over TCP, socket timeout, wall-clock timestamps. */
export function rtspInputPreset(opts: InputPresetOptions = {}): string[] {
  const timeoutUs = Math.round((opts.socketTimeoutMs ?? 5000) * 1000);
  return [
    '-rtsp_transport',
    'tcp', // UDP loses packets on busy links and is blocked by most NATs
    '-timeout',
    String(timeoutUs), // RTSP socket I/O timeout (microseconds)
    '-use_wallclock_as_timestamps',
    '1', // frame times are capture wall clock, not camera clock
    '-fflags',
    '+genpts+discardcorrupt',
    '-analyzeduration',
    '2000000',
    '-probesize',
    '2000000',
    ...threadOptions(opts),
  ];
}

/**
 * Input options for a file used as a camera in development: looped forever at native rate. No
 * wall-clock timestamps here: demuxers with a container start of 0 would not rebase them.
 */
export function fileInputPreset(opts: Pick<InputPresetOptions, 'decodeThreads'> = {}): string[] {
  return ['-re', '-stream_loop', '-1', '-fflags', '+genpts', ...threadOptions(opts)];
}

export function inputPreset(url: string, opts: InputPresetOptions = {}): string[] {
  return sourceKind(url) === 'rtsp' ? rtspInputPreset(opts) : fileInputPreset(opts);
}

/**
 * Process-wide options: no interactive stdin, no progress lines. Camera processes log at `info`
 * because the input summary carries the wall-clock start (`start: <epoch>`) that places the
 * segment ring on the clock; one-shot commands log errors only.
 */
export function globalPreset(level: 'error' | 'info' = 'error'): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', level];
}

/**
 * The input's start time from ffmpeg's input summary (info level), seconds: wall clock (epoch) for
 * inputs read with wall-clock timestamps, the container's own start (near 0) for files.
 * null when the line is not the summary.
 */
export function parseInputStart(stderrLine: string): number | null {
  const m = /Duration: .*, start: (-?\d+\.\d+)/.exec(stderrLine);
  const t = m ? Number(m[1]) : NaN;
  return Number.isFinite(t) ? t : null;
}

export interface SampleOptions {
  /** Frames per second to sample from the stream. */
  fps: number;
}

export interface FrameRingPresetOptions extends SampleOptions {
  /** Slots in the camera's ring: frame n of the run goes to slot `(firstSlot + n) % slots`. */
  slots: number;
  /** Slot of the run's first frame (the one after the last slot the previous run wrote). */
  firstSlot: number;
}

/**
 * Output options for the frame ring: the first video stream sampled to `fps`, full resolution, raw
 * I420 (`yuv420p`, the H.264 decoder's own output: no conversion), each frame written by ffmpeg
 * straight into its slot file (the target, a `%04d.frame` pattern in the camera's ring folder) over the
 * frame that was there, without truncating the file: rewriting pages a tmpfs file already has costs a
 * third of filling fresh ones, which was most of what ingest cost over bare decoding (bench/README.md).
 * - Slot numbers: the image2 muxer names each file after the packet's pts (`-frame_pts`), and the
 *   `setts` bitstream filter sets that pts to the slot; dts stays increasing (far below pts) so the
 *   muxer has nothing to complain about. `-fps_mode passthrough`: one file per sampled frame, nothing
 *   duplicated or dropped after the `fps` filter.
 * - Frame times: `fps` puts its output on an exact grid (frame n at the first frame's time + n / fps,
 *   gaps in the stream filled with repeats), so only the first frame's time and size are needed: a
 *   `showinfo` on a branch that keeps that one frame logs it (`parseShowinfoFrame`). Nothing is logged
 *   per frame, which would wake ingest several times per frame.
 * - That a frame is complete is told by `progressPreset`'s `frame=<count>` on stdout: frames encoded
 *   so far (ffmpeg 5.1 muxes synchronously; `-threads 1` keeps the raw encoder from holding frames in
 *   threads), of which `setts` holds the newest back (`FRAME_RING_HELD_FRAMES`) until the next one
 *   arrives or the run ends (`progress=end`).
 * Streams in another pixel format (full-range `yuvj420p`, 4:2:2, 10-bit) are converted to I420.
 */
export function frameRingPreset(opts: FrameRingPresetOptions): string[] {
  if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new Error('frame ring needs a whole number of slots');
  if (!Number.isInteger(opts.firstSlot) || opts.firstSlot < 0 || opts.firstSlot >= opts.slots)
    throw new Error(`first slot ${opts.firstSlot} is not in 0..${opts.slots - 1}`);
  return [
    '-filter_complex',
    `[0:v:0]fps=${opts.fps},split[ring][first];[first]trim=end_frame=1,showinfo=checksum=0,nullsink`,
    '-map',
    '[ring]',
    '-fps_mode',
    'passthrough',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'rawvideo',
    '-threads',
    '1',
    '-bsf:v',
    `setts=pts=mod(N+${opts.firstSlot}\\,${opts.slots}):dts=N-1000000000`,
    '-f',
    'image2',
    '-frame_pts',
    '1',
    '-protocol_opts',
    'truncate=0',
  ];
}

/**
 * Frames counted in `frame=` that are not written yet: the `setts` filter reads one packet ahead
 * (it offers the next packet's time to its expressions), so it passes a packet on when the next one
 * arrives, or at the end of the run.
 */
export const FRAME_RING_HELD_FRAMES = 1;

/**
 * Environment for an ffmpeg that writes the frame ring: glibc's allocator keeps freed memory up to
 * 32 MiB a block in the heap (`mmap_threshold`) and does not hand the heap's free top back to the
 * kernel below 64 MiB (`trim_threshold`). With glibc's adaptive defaults, the raw encoder's
 * frame-sized packet buffers (3.1 MB at 1080p) kept going back to the kernel and being faulted in
 * again, ~25 page faults a frame, each ~12 µs in a VM; fixed thresholds made ffmpeg ~3 % cheaper
 * (bench/README.md). Other C libraries ignore the variable. Tunables already set are kept.
 */
export function frameRingEnvironment(inherited: string | undefined = process.env.GLIBC_TUNABLES): Record<string, string> {
  const tunables = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864';
  return { GLIBC_TUNABLES: inherited ? `${inherited}:${tunables}` : tunables };
}

/** Global options: `key=value` progress blocks on stdout every `periodSeconds` (see `parseProgress`). */
export function progressPreset(periodSeconds: number): string[] {
  return ['-progress', 'pipe:1', '-stats_period', String(periodSeconds)];
}

/** A progress line: the frame count of the first video output (`frame=<n>`), or the run's last block ending (`progress=end`). */
export function parseProgress(line: string): { frames: number } | { end: true } | null {
  const l = line.trim();
  if (l === 'progress=end') return { end: true };
  const m = /^frame=(\d+)$/.exec(l);
  return m ? { frames: Number(m[1]) } : null;
}

export interface ShowinfoFrame {
  /** Frame time relative to the input start, seconds. */
  ptsTime: number;
  width: number;
  height: number;
}

/** A line `showinfo` logged (the frame, its colour details, its configuration). */
export function isShowinfoLine(stderrLine: string): boolean {
  return stderrLine.startsWith('[Parsed_showinfo_');
}

/** The frame in a `showinfo` stderr line; null for any other line (including showinfo's other lines). */
export function parseShowinfoFrame(stderrLine: string): ShowinfoFrame | null {
  if (!isShowinfoLine(stderrLine)) return null;
  const m = /\] n:\s*\d+ pts:\s*-?\d+ pts_time:(-?[\d.]+(?:e[-+]?\d+)?)\s.*? s:(\d+)x(\d+)/.exec(stderrLine);
  if (!m) return null;
  const ptsTime = Number(m[1]);
  const width = Number(m[2]);
  const height = Number(m[3]);
  return Number.isFinite(ptsTime) && width > 0 && height > 0 ? { ptsTime, width, height } : null;
}

/** Output options for the bare-decoding baseline: same sampling, frames thrown away. */
export function sampledDiscardPreset(opts: SampleOptions): string[] {
  return ['-map', '0:v:0', '-an', '-vf', `fps=${opts.fps}`, '-f', 'null'];
}

export interface SegmentOptions {
  /** Target segment length; segments cut at the first keyframe after each wall-clock multiple. */
  segmentSeconds: number;
  /** File names wrap after this many segments (a fixed ring of files). */
  wrap: number;
  /** CSV list of finished segments: `file,startSeconds,endSeconds` relative to the input start. */
  listFile: string;
}

/**
 * Output options for the evidence ring: the first video stream copied (no re-encode) into MPEG-TS
 * segments cut near wall-clock multiples, listed with start and end relative to the input start
 * (add `parseInputStart` for wall-clock times). No `-copyts`: with epoch timestamps the sampled
 * output's frame-rate logic would fill the gap from zero with duplicates.
 */
export function segmentRingPreset(opts: SegmentOptions): string[] {
  return [
    '-map',
    '0:v:0',
    '-c',
    'copy',
    '-f',
    'segment',
    '-segment_format',
    'mpegts',
    '-segment_time',
    String(opts.segmentSeconds),
    '-segment_atclocktime',
    '1',
    '-reset_timestamps',
    '1',
    '-segment_wrap',
    String(opts.wrap),
    '-segment_list',
    opts.listFile,
    '-segment_list_type',
    'csv',
    '-segment_list_size',
    String(Math.max(1, opts.wrap - 2)), // listed files are never the next to be overwritten
  ];
}

/** Input options for joining ring segments: concat demuxer over a list of local files. */
export function concatInputPreset(): string[] {
  return ['-f', 'concat', '-safe', '0'];
}

/**
 * Output options for an evidence clip: stream copy into an MP4 that starts playing without a full
 * download. The start is an output-side `-ss` (packets before it are read and dropped, exact to the
 * packet; demuxer seeking in MPEG-TS lands on an earlier keyframe); pass a keyframe time, or the clip
 * starts at the next keyframe.
 */
export function clipOutputPreset(startSeconds: number, durationSeconds: number): string[] {
  return [
    '-ss',
    startSeconds.toFixed(4),
    '-t',
    durationSeconds.toFixed(4),
    '-map',
    '0:v:0',
    '-c',
    'copy',
    '-avoid_negative_ts',
    'make_zero',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ];
}

/**
 * Output options for one JPEG of the stream on stdout (the admin's stream test before a camera is saved):
 * the first decoded video frame, full size, high quality.
 */
export function snapshotPreset(): string[] {
  return ['-map', '0:v:0', '-an', '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2pipe'];
}
