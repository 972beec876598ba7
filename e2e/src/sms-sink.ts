// A local SMS gateway for tests: accepts the api's `POST {to, text}` (SMS_GATEWAY_URL) and keeps each message.
import { createServer } from 'node:http';

export interface SmsSink {
  url: string;
  messages: { to: string; text: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

export async function startSmsSink(): Promise<SmsSink> {
  const messages: SmsSink['messages'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string };
        messages.push({ to: body.to, text: body.text, authorization: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sms-${messages.length}` }));
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
