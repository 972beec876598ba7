// The demo's local mail catcher and SMS sink: with no SMTP_URL / SMS_GATEWAY_URL in development, the api really
// delivers notices over SMTP (nodemailer → this server on loopback) and to an SMS sink, and keeps what arrived in
// `outbox_catcher`, which the review UI's outbox page shows. Never started in production.
import { createServer, type Server, type Socket } from 'node:net';
import type { Db } from '@phatnguoi/core/db';
import nodemailer from 'nodemailer';
import type { Mailer, SmsGateway } from '../deps';

export interface MailCatcher {
  url: string;
  close(): Promise<void>;
}

export interface ParsedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/** RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`) in a header value. */
export function decodeHeader(v: string): string {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, data: string) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
    return decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8');
  });
}

function decodeQuotedPrintable(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i]!;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes);
}

function splitHead(part: string): { headers: Map<string, string>; body: string } {
  const at = part.search(/\r?\n\r?\n/);
  const head = at < 0 ? part : part.slice(0, at);
  const body = at < 0 ? '' : part.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
  }
  return { headers, body };
}

function param(header: string | undefined, name: string): string | null {
  if (!header) return null;
  const m = new RegExp(`${name}\\*?=(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  const v = m ? (m[1] ?? m[2] ?? null) : null;
  return v && /^utf-8''/i.test(v) ? decodeURIComponent(v.replace(/^utf-8''/i, '')) : v;
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  const e = (encoding ?? '7bit').toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (e === 'quoted-printable') return decodeQuotedPrintable(body);
  return Buffer.from(body, 'utf8');
}

/** The parts of a message as nodemailer writes it: headers, a text/plain body, attachments (multipart/mixed). */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHead(raw);
  const out: ParsedMail = {
    from: decodeHeader(headers.get('from') ?? ''),
    to: decodeHeader(headers.get('to') ?? ''),
    subject: decodeHeader(headers.get('subject') ?? ''),
    text: '',
    attachments: [],
  };
  const walk = (h: Map<string, string>, b: string) => {
    const type = h.get('content-type') ?? 'text/plain';
    const boundary = /^multipart\//i.test(type) ? param(type, 'boundary') : null;
    if (boundary) {
      for (const part of b.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const p = splitHead(part.replace(/^\r?\n/, ''));
        walk(p.headers, p.body);
      }
      return;
    }
    const content = decodeBody(b, h.get('content-transfer-encoding'));
    const disposition = h.get('content-disposition') ?? '';
    const filename = param(disposition, 'filename') ?? param(type, 'name');
    if (/^attachment/i.test(disposition) || filename) {
      out.attachments.push({ filename: decodeHeader(filename ?? 'tep-dinh-kem'), contentType: type.split(';')[0]!.trim(), content });
    } else if (/^text\/plain/i.test(type) && !out.text) out.text = content.toString('utf8').replace(/\r\n/g, '\n').trimEnd();
  };
  walk(headers, body);
  return out;
}

/** An SMTP server on loopback (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that stores every message it accepts. */
export async function startMailCatcher(db: Db): Promise<MailCatcher> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('latin1');
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let from = '';
    let to: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 phatnguoi-mail-catcher ESMTP');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line !== '.') {
            data.push(line.startsWith('..') ? line.slice(1) : line);
            continue;
          }
          inData = false;
          const raw = Buffer.from(data.join('\r\n'), 'latin1').toString('utf8');
          data = [];
          const mail = parseMail(raw);
          // answer only once the message is stored: "250" means delivered
          socket.pause();
          void db
            .query(`INSERT INTO outbox_catcher (channel, sender, recipient, subject, body, raw) VALUES ('email', $1, $2, $3, $4, $5)`, [
              from,
              to.join(', '),
              mail.subject,
              mail.text,
              raw,
            ])
            .then(
              () => reply('250 2.0.0 delivered'),
              () => reply('451 4.3.0 could not store the message'),
            )
            .finally(() => socket.resume());
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') socket.write('250-phatnguoi-mail-catcher\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 26214400\r\n');
        else if (cmd === 'HELO') reply('250 phatnguoi-mail-catcher');
        else if (cmd === 'MAIL') {
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          reply('250 2.1.0 ok');
        } else if (cmd === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          reply('250 2.1.5 ok');
        } else if (cmd === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (cmd === 'RSET' || cmd === 'NOOP') reply('250 ok');
        else if (cmd === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 5.5.2 not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An SMS "gateway" that keeps each message in the outbox catcher; numbers that are not Vietnamese mobiles are refused for good. */
export function smsSink(db: Db): SmsGateway {
  return {
    async send(to, text) {
      if (!/^(\+84|0)\d{9,10}$/.test(to.replace(/[ .]/g, ''))) throw Object.assign(new Error(`not a mobile number: ${to}`), { permanent: true });
      const { rows } = await db.query<{ id: string }>(`INSERT INTO outbox_catcher (channel, recipient, body) VALUES ('sms', $1, $2) RETURNING id`, [to, text]);
      return { id: rows[0]!.id };
    },
  };
}

/**
 * The demo's outbox as the app's mailer and SMS gateway: nodemailer over SMTP to a mail catcher of its own and the
 * SMS sink, so what is sent really travels and lands in `outbox_catcher` (tests that build the app use it too).
 */
export async function catcherOutbox(db: Db): Promise<{ mailer: Mailer; sms: SmsGateway; close(): Promise<void> }> {
  const catcher = await startMailCatcher(db);
  return { mailer: nodemailer.createTransport(catcher.url) as unknown as Mailer, sms: smsSink(db), close: () => catcher.close() };
}
