// Named ffmpeg argument presets. Every ffmpeg command line in the project is assembled from
// these, so a flag is chosen (and explained) once.

export type SourceKind = 'rtsp' | 'file';

export interface InputPresetOptions {
  /** Socket I/O timeout: ffmpeg gives up on a silent RTSP server after this long. */
  socketTimeoutMs?: number;
}

/** How a source URL is read: RTSP cameras vs. files (looped, read at native rate for development). */
export function sourceKind(url: string): SourceKind {
  return /^rtsps?:\/\//i.test(url) ? 'rtsp' : 'file';
}

/** Input options for a live camera: RTSP over TCP, socket timeout, wall-clock timestamps. */
export function rtspInputPreset(opts: InputPresetOptions = {}): string[] {
  const timeoutUs = Math.round((opts.socketTimeoutMs ?? 5000) * 1000);
  return [
    '-rtsp_transport', 'tcp', // UDP loses packets on busy links and is blocked by most NATs
    '-timeout', String(timeoutUs), // RTSP socket I/O timeout (microseconds)
    '-use_wallclock_as_timestamps', '1', // frame times are capture wall clock, not camera clock
    '-fflags', '+genpts+discardcorrupt',
    '-analyzeduration', '2000000',
    '-probesize', '2000000',
  ];
}

/**
 * Input options for a file used as a camera in development: looped forever at native rate. No
 * wall-clock timestamps here: demuxers with a container start of 0 would not rebase them.
 */
export function fileInputPreset(): string[] {
  return ['-re', '-stream_loop', '-1', '-fflags', '+genpts'];
}

export function inputPreset(url: string, opts: InputPresetOptions = {}): string[] {
  return sourceKind(url) === 'rtsp' ? rtspInputPreset(opts) : fileInputPreset();
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
  /** JPEG quality on ffmpeg's 2 (best) .. 31 scale. */
  jpegQuality?: number;
  /**
   * `full` (default): convert the camera's limited-range YUV to the full range JPEG decoders expect
   * (correct contrast; costs a colour conversion per sampled frame). `limited`: encode the decoded
   * planes as they are (about 4 ms less per 1080p frame here; decoders that ignore ffmpeg's range tag,
   * libjpeg/sharp among them, show slightly flat contrast).
   */
  range?: 'full' | 'limited';
}

/** Output options: first video stream sampled to `fps`, encoded as a sequence of JPEGs on a pipe. */
export function sampledJpegPipePreset(opts: SampleOptions): string[] {
  return [
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    '-vf', `fps=${opts.fps}`,
    '-c:v', 'mjpeg',
    ...(opts.range === 'limited' ? ['-strict', 'unofficial'] : ['-pix_fmt', 'yuvj420p']),
    '-q:v', String(opts.jpegQuality ?? 5),
    '-f', 'image2pipe',
    '-flush_packets', '1',
  ];
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
 * (add `parseInputStart` for wall-clock times). No `-copyts`: with epoch timestamps the JPEG
 * output's frame-rate logic would fill the gap from zero with duplicates.
 */
export function segmentRingPreset(opts: SegmentOptions): string[] {
  return [
    '-map', '0:v:0',
    '-c', 'copy',
    '-f', 'segment',
    '-segment_format', 'mpegts',
    '-segment_time', String(opts.segmentSeconds),
    '-segment_atclocktime', '1',
    '-reset_timestamps', '1',
    '-segment_wrap', String(opts.wrap),
    '-segment_list', opts.listFile,
    '-segment_list_type', 'csv',
    '-segment_list_size', String(Math.max(1, opts.wrap - 2)), // listed files are never the next to be overwritten
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
    '-ss', startSeconds.toFixed(4),
    '-t', durationSeconds.toFixed(4),
    '-map', '0:v:0',
    '-c', 'copy',
    '-avoid_negative_ts', 'make_zero',
    '-movflags', '+faststart',
    '-f', 'mp4',
  ];
}
