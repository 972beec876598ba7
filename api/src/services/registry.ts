// Registry CSV imports as background jobs: the upload is streamed to a temporary file and into object storage (never
// held in memory), a `registry.import` job reads it back as a stream, parses it incrementally, and commits each
// batch of rows together with the import's progress (so a job that dies resumes after the last committed batch).
// Each bad line is reported with its line number and reason (the first 100 listed, all counted).
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { JobOutcome, Queues } from '@phatnguoi/core/queue';
import { REGISTRY_CSV_COLUMNS, type RegistryVehicle } from '@phatnguoi/core/contracts/api/registry';
import type { ImportStatus, RegistryImport } from '@phatnguoi/core/contracts/api/admin';
import { PLATE_COLOURS, CASE_VEHICLE_TYPES } from '@phatnguoi/core/contracts/api/common';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import type { UserPrincipal } from '../domain/principal';
import { isUuid } from './cases';
import { normalisePlateInput, plateKindOf } from '@phatnguoi/core/plates/entry';

/** RFC 4180 CSV read incrementally: quoted fields, doubled quotes, CRLF or LF, rows split across chunks. */
export class CsvParser {
  private row: string[] = [];
  private field = '';
  private quoted = false;
  /** A quote just closed inside a quoted field: a second quote next means a literal quote. */
  private quoteEnded = false;
  /** A CR ended the last row: a LF right after it belongs to the same line end. */
  private afterCr = false;

  /** The rows this chunk completes. */
  push(text: string): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.afterCr) {
        this.afterCr = false;
        if (ch === '\n') continue;
      }
      if (this.quoteEnded) {
        this.quoteEnded = false;
        if (ch === '"') {
          this.field += '"';
          this.quoted = true;
          continue;
        }
      }
      if (this.quoted) {
        if (ch === '"') {
          this.quoted = false;
          this.quoteEnded = true;
        } else this.field += ch;
      } else if (ch === '"') this.quoted = true;
      else if (ch === ',') {
        this.row.push(this.field);
        this.field = '';
      } else if (ch === '\n' || ch === '\r') {
        this.afterCr = ch === '\r';
        this.row.push(this.field);
        out.push(this.row);
        this.row = [];
        this.field = '';
      } else this.field += ch;
    }
    return out;
  }

  /** The last row when the text did not end with a line end. */
  end(): string[][] {
    if (this.field === '' && this.row.length === 0) return [];
    this.row.push(this.field);
    const last = this.row;
    this.row = [];
    this.field = '';
    return [last];
  }
}

/** Every row of a CSV text. */
export function parseCsv(text: string): string[][] {
  const p = new CsvParser();
  return [...p.push(text), ...p.end()];
}

/** Rejected lines listed in a report at most; the rest are counted (an 18 MB file of bad rows came back as 42 MB). */
export const MAX_REPORTED_REJECTIONS = 100;
/** A value quoted in a reason is cut to this many characters. */
const QUOTE_MAX = 40;
const quote = (v: string | undefined) => JSON.stringify((v ?? '').length > QUOTE_MAX ? `${(v ?? '').slice(0, QUOTE_MAX)}…` : (v ?? ''));

export interface RegistryRow {
  plate: string;
  plateColour: string;
  vehicleType: string;
  brand: string | null;
  colour: string | null;
  ownerName: string;
  idNumber: string;
  address: string;
  provinceCode: string;
  commune: string | null;
  email: string | null;
  phone: string | null;
}

/** One data line checked (pure): the row to store, or why it is refused; null for a blank line. */
export function checkRegistryRow(r: string[]): { ok: true; row: RegistryRow } | { ok: false; reason: string } | null {
  if (r.length === 1 && r[0]!.trim() === '') return null;
  if (r.length !== REGISTRY_CSV_COLUMNS.length) return { ok: false, reason: `expected ${REGISTRY_CSV_COLUMNS.length} fields, got ${r.length}` };
  // text PostgreSQL can hold (no NUL), in NFC like every other text the api stores (plugins/input.ts)
  if (r.some((f) => f.includes('\u0000'))) return { ok: false, reason: 'contains a NUL character' };
  const [plateIn, colour, vtype, brand, vcolour, name, idNumber, address, province, commune, email, phone] = r.map((f) =>
    f.trim().normalize('NFC'),
  ) as string[];
  if (!(CASE_VEHICLE_TYPES as readonly string[]).includes(vtype!)) return { ok: false, reason: `unknown vehicle_type ${quote(vtype)}` };
  const plate = normalisePlateInput(plateIn!, plateKindOf(vtype!));
  if (!plate) return { ok: false, reason: `invalid plate ${quote(plateIn)}` };
  if (!(PLATE_COLOURS as readonly string[]).includes(colour!)) return { ok: false, reason: `unknown plate_colour ${quote(colour)}` };
  if (!name || !idNumber || !address) return { ok: false, reason: 'owner_name, owner_id_number and address are required' };
  if (!/^\d{2}$/.test(province!)) return { ok: false, reason: `province_code must be two digits, got ${quote(province)}` };
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return { ok: false, reason: `invalid email ${quote(email)}` };
  return {
    ok: true,
    row: {
      plate,
      plateColour: colour!,
      vehicleType: vtype!,
      brand: brand || null,
      colour: vcolour || null,
      ownerName: name,
      idNumber,
      address,
      provinceCode: province!,
      commune: commune || null,
      email: email || null,
      phone: phone || null,
    },
  };
}

async function upsertRegistryRow(tx: Queryable, r: RegistryRow, now: Date): Promise<void> {
  const o = await tx.query<{ id: string }>(
    `INSERT INTO registry_owners (full_name, id_number, address, province_code, commune, email, phone, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
     ON CONFLICT (id_number) DO UPDATE SET full_name = EXCLUDED.full_name, address = EXCLUDED.address, province_code = EXCLUDED.province_code,
       commune = EXCLUDED.commune, email = EXCLUDED.email, phone = EXCLUDED.phone, updated_at = EXCLUDED.updated_at RETURNING id`,
    [r.ownerName, r.idNumber, r.address, r.provinceCode, r.commune, r.email, r.phone, now],
  );
  await tx.query(
    `INSERT INTO registry_vehicles (plate, plate_colour, vehicle_type, brand, colour, owner_id, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (plate) DO UPDATE SET plate_colour = EXCLUDED.plate_colour, vehicle_type = EXCLUDED.vehicle_type, brand = EXCLUDED.brand,
       colour = EXCLUDED.colour, owner_id = EXCLUDED.owner_id, updated_at = EXCLUDED.updated_at`,
    [r.plate, r.plateColour, r.vehicleType, r.brand, r.colour, o.rows[0]!.id, now],
  );
}

interface ImportRow {
  id: string;
  status: ImportStatus;
  file_name: string;
  object_key: string;
  bytes_total: string;
  bytes_read: string;
  rows_read: number;
  accepted: number;
  rejected_count: number;
  rejected: { line: number; reason: string }[];
  error: string | null;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
  finished_at: Date | null;
}
const SELECT_IMPORTS = 'SELECT i.*, u.username AS created_by_name FROM registry_imports i LEFT JOIN users u ON u.id = i.created_by';
const toImport = (r: ImportRow): RegistryImport => ({
  id: r.id,
  status: r.status,
  fileName: r.file_name,
  bytesTotal: Number(r.bytes_total),
  bytesRead: Number(r.bytes_read),
  rowsRead: r.rows_read,
  accepted: r.accepted,
  rejectedCount: r.rejected_count,
  rejected: r.rejected,
  error: r.error,
  createdBy: r.created_by_name,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

export async function listImports(q: Queryable, limit = 20): Promise<RegistryImport[]> {
  return (await q.query<ImportRow>(`${SELECT_IMPORTS} ORDER BY i.created_at DESC LIMIT $1`, [limit])).rows.map(toImport);
}

export async function getImport(q: Queryable, id: string): Promise<RegistryImport> {
  const r = isUuid(id) ? (await q.query<ImportRow>(`${SELECT_IMPORTS} WHERE i.id = $1`, [id])).rows[0] : undefined;
  if (!r) throw new NotFoundError('no such import');
  return toImport(r);
}

export interface ImportDeps {
  db: Db;
  storage: Pick<StorageLike, 'putFile' | 'getStream' | 'remove'>;
  queues: Pick<Queues, 'enqueue'>;
  clock: Clock;
}

/**
 * Takes an upload: the body is streamed to a temporary file (refused past `maxBytes` with 413, nothing kept),
 * stored in the `imports` bucket, recorded as a queued import (audited) and handed to the `registry.import` job.
 */
export async function startRegistryImport(d: ImportDeps, admin: UserPrincipal, fileName: string, body: Readable, maxBytes: number): Promise<RegistryImport> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-import-'));
  try {
    const file = join(dir, 'upload.csv');
    let size = 0;
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > maxBytes)
            done(
              new UserError('import_too_large', `the file is larger than ${maxBytes} bytes`, 413, { details: { params: { mb: Math.floor(maxBytes / 1e6) } } }),
            );
          else done(null, chunk);
        },
      }),
      createWriteStream(file),
    );
    if (size === 0) throw new UserError('empty_import', 'the file is empty');
    const id = randomUUID();
    const key = `registry/${id}.csv`;
    await d.storage.putFile('imports', key, file, 'text/csv');
    await withTransaction(d.db, async (tx) => {
      const now = d.clock.now();
      await tx.query('INSERT INTO registry_imports (id, file_name, object_key, bytes_total, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)', [
        id,
        fileName,
        key,
        size,
        admin.id,
        now,
      ]);
      await appendAudit(tx, {
        at: now,
        actorId: admin.id,
        actor: admin.username,
        action: 'registry.import_started',
        entity: 'registry_import',
        entityId: id,
        data: { fileName, bytes: size },
      });
    });
    try {
      await d.queues.enqueue('registry.import', { importId: id });
    } catch (err) {
      await d.db.query(
        `UPDATE registry_imports SET status = 'failed', error = 'the job queue is not reachable: upload again', finished_at = $2 WHERE id = $1`,
        [id, d.clock.now()],
      );
      throw err;
    }
    return getImport(d.db, id);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rows committed together with the import's progress. */
const BATCH_ROWS = 500;

/**
 * The `registry.import` job: reads the stored file as a stream, checks each line, upserts good rows and records
 * refused ones, committing every BATCH_ROWS lines with the progress. A retried job skips the lines already
 * committed. A wrong header fails the import at once (the user must fix the file). The finish is audited in the
 * name of the administrator who uploaded the file; then the uploaded file is removed from storage.
 */
export async function runRegistryImport(d: Omit<ImportDeps, 'queues'>, importId: string): Promise<JobOutcome> {
  const started = await d.db.query<ImportRow>(
    `UPDATE registry_imports SET status = 'running', started_at = COALESCE(started_at, $2) WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
    [importId, d.clock.now()],
  );
  const imp = started.rows[0];
  if (!imp) return { status: 'skipped', reason: 'not pending' };
  const stream = await d.storage.getStream('imports', imp.object_key);
  const decoder = new TextDecoder('utf-8');
  const parser = new CsvParser();
  let line = 0; // line number of the last row read (the header is line 1)
  let bytesRead = 0;
  let accepted = imp.accepted;
  let rejectedCount = imp.rejected_count;
  const listed = [...imp.rejected];
  let batch: { line: number; fields: string[] }[] = [];

  const commit = async (finished: boolean) => {
    const now = d.clock.now();
    await withTransaction(d.db, async (tx) => {
      for (const { line: n, fields } of batch) {
        const c = checkRegistryRow(fields);
        if (!c) continue;
        if (c.ok) {
          await upsertRegistryRow(tx, c.row, now);
          accepted += 1;
        } else {
          rejectedCount += 1;
          if (listed.length < MAX_REPORTED_REJECTIONS) listed.push({ line: n, reason: c.reason });
        }
      }
      await tx.query(
        `UPDATE registry_imports SET rows_read = $2, bytes_read = $3, accepted = $4, rejected_count = $5, rejected = $6,
           status = CASE WHEN $7 THEN 'done' ELSE status END, finished_at = CASE WHEN $7 THEN $8::timestamptz ELSE NULL END WHERE id = $1`,
        [importId, Math.max(0, line - 1), bytesRead, accepted, rejectedCount, JSON.stringify(listed), finished, now],
      );
      if (finished) {
        await appendAudit(tx, {
          at: now,
          actorId: imp.created_by,
          actor: imp.created_by_name ?? null,
          action: 'registry.import',
          entity: 'registry_import',
          entityId: importId,
          data: { fileName: imp.file_name, accepted, rejected: rejectedCount },
        });
      }
    });
    batch = [];
  };

  const take = async (rows: string[][]): Promise<'bad_header' | void> => {
    for (const fields of rows) {
      line += 1;
      if (line === 1) {
        const header = fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim().toLowerCase());
        if (REGISTRY_CSV_COLUMNS.some((c, i) => header[i] !== c)) return 'bad_header';
        continue;
      }
      if (line - 1 <= imp.rows_read) continue; // committed by an earlier attempt
      batch.push({ line, fields });
      if (batch.length >= BATCH_ROWS) await commit(false);
    }
  };

  const failOnHeader = async (): Promise<JobOutcome> => {
    stream.destroy();
    await withTransaction(d.db, async (tx) => {
      const now = d.clock.now();
      await tx.query(`UPDATE registry_imports SET status = 'failed', error = $2, bytes_read = $3, finished_at = $4 WHERE id = $1`, [
        importId,
        `the first line must be: ${REGISTRY_CSV_COLUMNS.join(',')}`,
        bytesRead,
        now,
      ]);
      await appendAudit(tx, {
        at: now,
        actorId: imp.created_by,
        actor: imp.created_by_name ?? null,
        action: 'registry.import_failed',
        entity: 'registry_import',
        entityId: importId,
        data: { reason: 'bad_csv_header' },
      });
    });
    await forget();
    return { status: 'done', result: 'bad_csv_header' };
  };
  // The uploaded file holds owners' personal data: once the import has ended its copy in storage goes.
  const forget = () => d.storage.remove('imports', imp.object_key).catch(() => undefined);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    if ((await take(parser.push(decoder.decode(chunk, { stream: true })))) === 'bad_header') return failOnHeader();
  }
  if ((await take([...parser.push(decoder.decode()), ...parser.end()])) === 'bad_header' || line === 0) return failOnHeader();
  await commit(true);
  await forget();
  return { status: 'done', accepted, rejected: rejectedCount };
}

/**
 * The registered vehicle and owner of a plate typed by an officer (400 for a plate that is none, 404 when it is not
 * registered). Every look at personal data is written to the audit log.
 */
export async function viewRegistryVehicle(db: Db, clock: Clock, user: UserPrincipal, plateInput: string): Promise<RegistryVehicle> {
  const plate = normalisePlateInput(plateInput);
  if (!plate) throw new UserError('invalid_plate', `"${plateInput}" is not a valid plate`, 400, { details: { params: { plate: plateInput, kind: 'any' } } });
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{
      plate: string;
      plate_colour: RegistryVehicle['plateColour'];
      vehicle_type: RegistryVehicle['vehicleType'];
      brand: string | null;
      colour: string | null;
      full_name: string;
      address: string;
      province_code: string;
      commune: string | null;
      email: string | null;
      phone: string | null;
    }>(
      `SELECT v.plate, v.plate_colour, v.vehicle_type, v.brand, v.colour, o.full_name, o.address, o.province_code, o.commune, o.email, o.phone
         FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = $1`,
      [plate],
    );
    const r = rows[0];
    if (!r) throw new NotFoundError(`${plate} is not in the registry`, 'plate_not_in_registry', { params: { plate } });
    await appendAudit(tx, {
      at: clock.now(),
      actorId: user.id,
      actor: user.username,
      action: 'registry.viewed',
      entity: 'registry',
      entityId: plate,
      data: {},
    });
    return {
      plate: r.plate,
      plateColour: r.plate_colour,
      vehicleType: r.vehicle_type,
      brand: r.brand,
      colour: r.colour,
      owner: { fullName: r.full_name, address: r.address, provinceCode: r.province_code, commune: r.commune, email: r.email, phone: r.phone },
    };
  });
}
