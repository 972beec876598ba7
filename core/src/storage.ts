// Object storage through the `minio` client (MinIO in production, s3rver when embedded or in tests).
// Every write records the SHA-256 of its bytes in the object's metadata and returns it, so evidence
// hashes are taken at capture and tampering is detectable later (verify()).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat as fsStat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import * as Minio from 'minio';
import type { Config, S3Config } from './config';
import { NotFoundError, OperationalError, UserError } from './errors';

/** Logical buckets; the real bucket name is `<S3_BUCKET_PREFIX><logical>`. Store the logical name in rows and events. */
export const Buckets = {
  frames: 'frames',
  clips: 'clips',
  evidence: 'evidence',
  notices: 'notices',
  snapshots: 'snapshots',
  /** Signed audit-chain checkpoints (api/src/audit/anchor.ts): the chain's anchor outside PostgreSQL. */
  audit: 'audit',
  /** Uploaded files read by background jobs (registry CSV imports). */
  imports: 'imports',
} as const;
export type BucketName = (typeof Buckets)[keyof typeof Buckets];
export const BUCKET_NAMES: readonly BucketName[] = Object.values(Buckets);

export interface PutResult {
  sha256: string;
  size: number;
}

export interface ObjectStat {
  size: number;
  contentType: string;
  /** SHA-256 recorded when the object was written (undefined for objects written by other tools). */
  sha256?: string;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

export type Body = Buffer | Uint8Array | string | Readable;

export interface Storage {
  /** Creates every bucket that does not exist yet. Call once at start-up. */
  ensureBuckets(): Promise<void>;
  put(bucket: BucketName, key: string, body: Body, contentType: string, metadata?: Record<string, string>): Promise<PutResult>;
  /** Uploads a local file (e.g. a clip cut by ffmpeg), hashing it first. */
  putFile(bucket: BucketName, key: string, path: string, contentType: string, metadata?: Record<string, string>): Promise<PutResult>;
  get(bucket: BucketName, key: string): Promise<Buffer>;
  getStream(bucket: BucketName, key: string): Promise<Readable>;
  stat(bucket: BucketName, key: string): Promise<ObjectStat>;
  exists(bucket: BucketName, key: string): Promise<boolean>;
  /** Re-hashes the stored bytes and compares with the expected (or recorded) SHA-256. */
  verify(bucket: BucketName, key: string, expectedSha256?: string): Promise<{ ok: boolean; expected: string | undefined; actual: string }>;
  /** A URL anyone holding it can GET for `seconds` (uses S3_PUBLIC_URL when set). */
  presignedGet(bucket: BucketName, key: string, seconds: number, opts?: { downloadName?: string }): Promise<string>;
  remove(bucket: BucketName, key: string): Promise<void>;
  /** The objects under `prefix` (recursively), in no particular order. */
  list(bucket: BucketName, prefix: string): Promise<ListedObject[]>;
  /** The real bucket name behind a logical one. */
  bucketName(bucket: BucketName): string;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date | null;
}

/** Largest body accepted from a stream (collected in memory so it can be hashed before upload). */
const MAX_STREAM_BYTES = 1024 * 1024 * 1024;

function minioClient(s3: S3Config, endpoint?: URL): Minio.Client {
  const useSSL = endpoint ? endpoint.protocol === 'https:' : s3.useSSL;
  return new Minio.Client({
    endPoint: endpoint ? endpoint.hostname : s3.endPoint,
    port: endpoint ? (endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80) : s3.port,
    useSSL,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    pathStyle: true,
  });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > MAX_STREAM_BYTES) throw new UserError('object_too_large', `object larger than ${MAX_STREAM_BYTES} bytes`, 413);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function toBuffer(body: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE' || code === 'EAI_AGAIN';
}

/** Maps client errors to our classes: missing objects are NotFoundError, an unreachable endpoint is retryable. */
function classify(err: unknown, what: string): never {
  if (isNotFound(err)) throw new NotFoundError(`${what} not found`, 'object_not_found');
  if (isUnavailable(err)) throw new OperationalError('storage_unavailable', `object storage unavailable (${what})`, { cause: err });
  throw err;
}

export function createStorage(config: Pick<Config, 's3'>): Storage {
  return createStorageWithClient(config);
}

/** Storage and its S3 client, for tests that write behind the adapter's back (tamper checks); roles use `createStorage`. */
export function createStorageWithClient(config: Pick<Config, 's3'>): Storage & { readonly client: Minio.Client } {
  const s3 = config.s3;
  const client = minioClient(s3);
  const publicClient = s3.publicUrl ? minioClient(s3, new URL(s3.publicUrl)) : client;
  const bucketName = (b: BucketName) => {
    if (!BUCKET_NAMES.includes(b)) throw new UserError('unknown_bucket', `unknown bucket ${String(b)}`);
    return `${s3.bucketPrefix}${b}`;
  };
  const describe = (b: BucketName, key: string) => `${b}/${key}`;

  async function putBuffer(bucket: BucketName, key: string, buf: Buffer, contentType: string, metadata: Record<string, string> = {}): Promise<PutResult> {
    const hash = sha256(buf);
    try {
      await client.putObject(bucketName(bucket), key, buf, buf.length, { ...metadata, 'Content-Type': contentType, 'X-Amz-Meta-Sha256': hash });
    } catch (err) {
      classify(err, describe(bucket, key));
    }
    return { sha256: hash, size: buf.length };
  }

  const storage: Storage & { readonly client: Minio.Client } = {
    client,
    bucketName,

    async list(bucket, prefix) {
      const out: ListedObject[] = [];
      try {
        for await (const o of client.listObjectsV2(bucketName(bucket), prefix, true) as AsyncIterable<{ name?: string; size?: number; lastModified?: Date }>) {
          if (o.name) out.push({ key: o.name, size: o.size ?? 0, lastModified: o.lastModified ?? null });
        }
      } catch (err) {
        classify(err, describe(bucket, prefix));
      }
      return out;
    },

    async ensureBuckets() {
      for (const b of BUCKET_NAMES) {
        const name = bucketName(b);
        try {
          if (!(await client.bucketExists(name))) await client.makeBucket(name, s3.region);
        } catch (err) {
          // Two replicas starting together both see "missing"; the loser's create fails harmlessly.
          const code = (err as { code?: string }).code;
          if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') continue;
          classify(err, `bucket ${name}`);
        }
      }
    },

    async put(bucket, key, body, contentType, metadata) {
      const buf = typeof body === 'string' || body instanceof Uint8Array ? toBuffer(body) : await collect(body);
      return putBuffer(bucket, key, buf, contentType, metadata);
    },

    async putFile(bucket, key, path, contentType, metadata = {}) {
      const [hash, info] = await Promise.all([sha256OfFile(path), fsStat(path)]);
      try {
        await client.putObject(bucketName(bucket), key, createReadStream(path), info.size, {
          ...metadata,
          'Content-Type': contentType,
          'X-Amz-Meta-Sha256': hash,
        });
      } catch (err) {
        classify(err, describe(bucket, key));
      }
      return { sha256: hash, size: info.size };
    },

    async getStream(bucket, key) {
      try {
        return await client.getObject(bucketName(bucket), key);
      } catch (err) {
        classify(err, describe(bucket, key));
      }
    },

    async get(bucket, key) {
      return collect(await storage.getStream(bucket, key));
    },

    async stat(bucket, key) {
      try {
        const st = await client.statObject(bucketName(bucket), key);
        const meta: Record<string, string> = {};
        for (const [k, v] of Object.entries(st.metaData ?? {})) meta[k.toLowerCase()] = String(v);
        const recorded = meta['sha256'] ?? meta['x-amz-meta-sha256'];
        return {
          size: st.size,
          contentType: meta['content-type'] ?? 'application/octet-stream',
          ...(recorded ? { sha256: recorded } : {}),
          etag: st.etag,
          lastModified: st.lastModified,
          metadata: meta,
        };
      } catch (err) {
        classify(err, describe(bucket, key));
      }
    },

    async exists(bucket, key) {
      try {
        await client.statObject(bucketName(bucket), key);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        classify(err, describe(bucket, key));
      }
    },

    async verify(bucket, key, expectedSha256) {
      const expected = expectedSha256 ?? (await storage.stat(bucket, key)).sha256;
      const h = createHash('sha256');
      for await (const chunk of await storage.getStream(bucket, key)) h.update(chunk as Buffer);
      const actual = h.digest('hex');
      return { ok: expected !== undefined && expected === actual, expected, actual };
    },

    async presignedGet(bucket, key, seconds, opts = {}) {
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 24 * 3600) {
        throw new UserError('bad_expiry', 'presigned URL lifetime must be 1 s to 7 days');
      }
      const headers: Record<string, string> = {};
      if (opts.downloadName) {
        headers['response-content-disposition'] = `attachment; filename="${opts.downloadName.replace(/["\\\r\n]/g, '_')}"`;
      }
      return publicClient.presignedGetObject(bucketName(bucket), key, seconds, headers);
    },

    async remove(bucket, key) {
      try {
        await client.removeObject(bucketName(bucket), key);
      } catch (err) {
        classify(err, describe(bucket, key));
      }
    },
  };
  return storage;
}
