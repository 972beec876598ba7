// `npx tsx ingest/src/test-camera/cli.ts [--file video.mp4 | --pattern] [--port 8554] [--path /cam] [--user u --password p]`
// Serves a test RTSP camera until Ctrl-C and prints its URL.
import { parseArgs } from 'node:util';
import { startTestCamera } from './index';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    pattern: { type: 'boolean' },
    port: { type: 'string', default: '8554' },
    path: { type: 'string', default: '/cam' },
    user: { type: 'string' },
    password: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    fps: { type: 'string' },
  },
});

const camera = await startTestCamera({
  ...(values.file ? { file: values.file } : { pattern: true }),
  port: Number(values.port),
  path: values.path,
  ...(values.user !== undefined ? { user: values.user, password: values.password ?? '' } : {}),
  ...(values.width ? { width: Number(values.width) } : {}),
  ...(values.height ? { height: Number(values.height) } : {}),
  ...(values.fps ? { fps: Number(values.fps) } : {}),
});
console.log(`serving ${camera.publicUrl}${values.user !== undefined ? ' (basic auth)' : ''}`);
const stop = async () => {
  await camera.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
