// The embedded S3 endpoint as its own process (the stack runs it so, to restart it alone when it dies):
//   node --import tsx core/src/embedded/s3-server.ts <dir> [port]
// Prints "listening <port>" once it accepts requests; SIGTERM/SIGINT close it.
import { startEmbeddedS3 } from './s3';

const [dir, port] = process.argv.slice(2);
if (!dir) {
  console.error('usage: s3-server.ts <dir> [port]');
  process.exit(2);
}
const s3 = await startEmbeddedS3({ dir, port: port ? Number(port) : 0 });
process.stdout.write(`listening ${s3.s3.port}\n`);
const close = () => void s3.stop().finally(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
