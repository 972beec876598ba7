// Wires the real services from the validated config and settings: PostgreSQL pool, Redis, S3 storage, BullMQ queues,
// the api's job workers, SMTP mailer and SMS gateway. Every dependency of the production app is set here; settings
// are read (and a bad one stops start-up, with every problem named) before any connection is opened.
import nodemailer from 'nodemailer';
import type { Config } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { channelSubscriber, createRedis } from '@phatnguoi/core/redis';
import { createStorage } from '@phatnguoi/core/storage';
import { createQueues, startWorkers, type Workers } from '@phatnguoi/core/queue';
import { createLogger } from '@phatnguoi/core/logger';
import { unconfiguredMailer, unconfiguredSms, type AppDeps, type Mailer, type SmsGateway } from './deps';
import { systemClock } from './clock';
import type { ApiSettings } from './settings';
import { sealStoredCameraPasswords } from '@phatnguoi/core/camera-secrets';
import { writeCheckpoint } from './audit/anchor';
import { useAuditMacKey } from './audit/chain';
import { API_QUEUES, apiJobHandlers, sweepDueDeadlines, sweepOutbox } from './jobs/handlers';
import { sweepDueReports } from './services/report-schedules';
import { retentionPurgeDue } from './services/retention';
import { requeueStalledImports } from './services/payments';
import { smsSink, startMailCatcher } from './outbox/catcher';

const log = createLogger('api-runtime');

/** SMS over the operator's HTTP gateway (SMS_GATEWAY_URL, JSON {to, text}). */
export function httpSmsGateway(url: string, token?: string): SmsGateway {
  return {
    async send(to, text) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ to, text }),
      });
      if (!res.ok) {
        // 4xx (bad number, refused content) will not get better by retrying; 429 and 5xx may
        throw Object.assign(new Error(`SMS gateway answered ${res.status}`), { permanent: res.status >= 400 && res.status < 500 && res.status !== 429 });
      }
      const body = (await res.json().catch(() => ({}))) as { id?: string };
      return { id: body.id ?? '' };
    },
  };
}

export interface Runtime {
  deps: AppDeps;
  close(): Promise<void>;
}

/** The production wiring: `settings` come from `loadApiSettings` (validated before this opens anything). */
export async function createRuntime(config: Config, settings: ApiSettings, opts: { workers: boolean }): Promise<Runtime> {
  const anchor = settings.audit;
  // Every audit entry this process writes carries its MAC under AUDIT_HMAC_KEY (audit/chain.ts).
  useAuditMacKey(anchor.key);
  const db = createPool(config.databaseUrl, { applicationName: 'api' });
  // Camera passwords still in the clear (before migration 0420) are sealed; a CAMERA_SECRET_KEY that does not open
  // the ones sealed before stops the start here, not every camera later.
  const sealed = await sealStoredCameraPasswords(db, settings.options.cameraSecretKey);
  if (sealed > 0) log.info({ cameras: sealed }, 'camera stream passwords sealed with CAMERA_SECRET_KEY');
  const redis = createRedis(config.redisUrl, { name: 'api' });
  const sub = createRedis(config.redisUrl, { name: 'api-sub', blocking: true });
  const storage = createStorage(config);
  // Storage away at start-up must not keep the api down: cases and lookups work without it; evidence
  // links and notices retry (notice.render job) until it is back.
  await storage.ensureBuckets().catch((err: unknown) => log.warn({ err }, 'object storage not reachable at start-up'));
  const queues = createQueues(config);
  // Development without a mail server or SMS gateway (the demo): a local mail catcher and SMS sink receive what
  // the outbox really sends, shown on the review UI's outbox page. OUTBOX_CATCHER=0 turns it off.
  const { outbox } = settings;
  const catcher = !outbox.smtpUrl && outbox.catcher ? await startMailCatcher(db) : null;
  const smtpUrl = outbox.smtpUrl ?? catcher?.url;
  // Neither configured nor caught: each send fails and the delivery says why (retried, shown on the case).
  const mailer: Mailer = smtpUrl ? (nodemailer.createTransport(smtpUrl) as unknown as Mailer) : unconfiguredMailer;
  const sms = outbox.smsGateway ? httpSmsGateway(outbox.smsGateway.url, outbox.smsGateway.token ?? undefined) : outbox.catcher ? smsSink(db) : unconfiguredSms;
  if (catcher) log.info({ smtp: catcher.url }, 'demo outbox: notices are delivered to the local mail catcher and SMS sink (outbox page)');
  const deps: AppDeps = {
    db,
    redis,
    storage,
    queues,
    mailer,
    sms,
    clock: systemClock,
    signIn: settings.signIn,
    subscribe: channelSubscriber(sub),
    options: settings.options,
  };
  let workers: Workers | null = null;
  let sweep: NodeJS.Timeout | null = null;
  let checkpoints: NodeJS.Timeout | null = null;
  if (opts.workers && anchor.key) {
    const key = anchor.key;
    // Signed audit checkpoints in object storage: the chain's anchor outside the database (audit/anchor.ts).
    checkpoints = setInterval(() => {
      void writeCheckpoint(db, storage, key, new Date()).catch((err: unknown) => log.warn({ err }, 'audit checkpoint not written'));
    }, anchor.everySeconds * 1000);
  } else if (opts.workers && config.env === 'production') {
    log.warn('AUDIT_HMAC_KEY is not set: the audit chain has no anchor outside the database');
  }
  if (opts.workers) {
    workers = await startWorkers(config, apiJobHandlers(deps), { queues: API_QUEUES, concurrency: { violations: 4, outbox: 2 } });
    // Safety net for delayed jobs lost with Redis: fire what is overdue every minute.
    sweep = setInterval(() => {
      void sweepDueDeadlines(deps).catch((err: unknown) => log.warn({ err }, 'deadline sweep failed'));
      void sweepOutbox(deps).catch((err: unknown) => log.warn({ err }, 'outbox sweep failed'));
      void sweepDueReports(deps).catch((err: unknown) => log.warn({ err }, 'report schedule sweep failed'));
      void requeueStalledImports(deps).catch((err: unknown) => log.warn({ err }, 'payment import sweep failed'));
      const day = retentionPurgeDue(new Date());
      if (day) void queues.enqueue('retention.purge', { day }).catch((err: unknown) => log.warn({ err }, 'retention purge not queued'));
    }, 60_000);
  }
  return {
    deps,
    async close() {
      if (sweep) clearInterval(sweep);
      await catcher?.close();
      if (checkpoints) clearInterval(checkpoints);
      await workers?.close();
      await queues.close();
      sub.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      await db.end();
    },
  };
}
