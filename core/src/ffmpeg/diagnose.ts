// Turns ffmpeg's stderr into a short, credential-free reason and a code a dashboard can act on.
import type { CameraErrorCode } from '../camera-node/channels';
import { redactText } from './redact';

export interface FfmpegDiagnosis {
  code: CameraErrorCode;
  message: string;
}

const RULES: { code: CameraErrorCode; pattern: RegExp; message: string }[] = [
  { code: 'unauthorized', pattern: /401 Unauthorized|authorization failed|403 Forbidden/i, message: 'camera rejected the credentials (401)' },
  { code: 'not_found', pattern: /404 Not Found|454 Session Not Found/i, message: 'stream path not found on the camera (404)' },
  {
    code: 'unreachable',
    pattern:
      /Connection refused|Connection timed out|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Operation timed out|Connection reset by peer|End of file|Broken pipe/i,
    message: 'camera unreachable',
  },
  {
    code: 'no_video',
    pattern: /matches no streams|does not contain any stream|Output file #\d+ does not contain|no video stream/i,
    message: 'stream has no video track',
  },
  {
    code: 'corrupt_stream',
    pattern:
      /Invalid data found|non-existing PPS|non-existing SPS|decode_slice_header error|no frame!|error while decoding|Could not find codec parameters|corrupt|Invalid NAL unit|missing picture/i,
    message: 'stream data cannot be decoded',
  },
  { code: 'bad_source', pattern: /No such file or directory|Protocol not found|Invalid argument/i, message: 'source cannot be opened' },
];

/** Picks the most specific reason from the last stderr lines (credentials already redacted or redacted here). */
export function diagnoseFfmpeg(stderr: readonly string[], exitMessage?: string | null): FfmpegDiagnosis {
  const text = redactText([...stderr, exitMessage ?? ''].join('\n'));
  for (const rule of RULES) {
    const m = rule.pattern.exec(text);
    if (m) return { code: rule.code, message: `${rule.message}: ${lineAround(text, m.index)}` };
  }
  const last = stderr.filter((l) => l.trim()).at(-1);
  return { code: 'ffmpeg_exited', message: redactText(last ? `ffmpeg exited: ${last.trim()}` : (exitMessage ?? 'ffmpeg exited')) };
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text
    .slice(start, end === -1 ? undefined : end)
    .trim()
    .slice(0, 200);
}
