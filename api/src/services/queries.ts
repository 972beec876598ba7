// Read models for the back office: review queue and case detail.
import type { Queryable } from '@phatnguoi/core/db';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { CaseDetail, CaseSummary, EvidenceItem, QueueQuery } from '@phatnguoi/core/contracts/api/cases';
import type { BucketName } from '@phatnguoi/core/storage';
import type { StorageLike } from '../deps';
import { isAtRisk } from '../domain/deadlines';
import { isUuid } from './cases';
import { fineFor, excessOf } from './fines';
import { storedEventParts } from '@phatnguoi/core/contracts/violation-event';
import { checkEvidence, type StoredEvidence } from './integrity';
import { probe } from '@phatnguoi/core/ffmpeg/process';

/** Clip frame rates by the clip's SHA-256 (evidence never changes, so a rate once probed holds). */
const clipFpsCache = new Map<string, number | null>();
const CLIP_FPS_CACHE_MAX = 5000;
const CLIP_PROBE_MS = 3000;

/** Frame rate of a stored clip (frames / duration from ffprobe); null when it cannot be told in time. */
export async function clipFrameRate(sha256: string, url: string | null): Promise<number | null> {
  if (clipFpsCache.has(sha256)) return clipFpsCache.get(sha256)!;
  if (!url) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), CLIP_PROBE_MS)));
  const probed = probe(url)
    .then((p) => {
      const v = p.streams.find((st) => st.codecType === 'video');
      const fps = v?.frames && p.durationSeconds ? v.frames / p.durationSeconds : null;
      return fps && Number.isFinite(fps) && fps > 0 && fps <= 240 ? Math.round(fps * 100) / 100 : null;
    })
    .catch(() => null);
  const fps = await Promise.race([probed, timeout]).finally(() => clearTimeout(timer));
  if (fps !== null) {
    if (clipFpsCache.size >= CLIP_FPS_CACHE_MAX) clipFpsCache.delete(clipFpsCache.keys().next().value!);
    clipFpsCache.set(sha256, fps);
  }
  return fps;
}

const SUMMARY_COLUMNS = `c.id, c.status, c.type, c.camera_id, cam.name AS camera_name, cam.name || CASE WHEN cam.address <> '' THEN ', ' || cam.address ELSE '' END AS place,
  c.agency_id, c.occurred_at, c.created_at, c.vehicle_type, c.plate_text, c.plate_colour, c.plate_confidence, c.plate_needs_manual, c.plate_original,
  c.manual_handling, c.manual_reason, cu.username AS claimed_by, c.claimed_until, c.notice_due_at, c.overdue,
  EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.case_id = c.id AND ce.integrity <> 'ok') AS evidence_tampered`;

interface SummaryRow {
  id: string;
  status: CaseSummary['status'];
  type: CaseSummary['type'];
  camera_id: string;
  camera_name: string;
  place: string;
  agency_id: string;
  occurred_at: Date;
  created_at: Date;
  vehicle_type: CaseSummary['vehicleType'];
  plate_text: string | null;
  plate_colour: CaseSummary['plate']['colour'];
  plate_confidence: number;
  plate_needs_manual: boolean;
  plate_original: string | null;
  manual_handling: boolean;
  manual_reason: string | null;
  claimed_by: string | null;
  claimed_until: Date | null;
  notice_due_at: Date;
  overdue: boolean;
  evidence_tampered: boolean;
}

function toSummary(r: SummaryRow, now: Date): CaseSummary {
  const claimLive = r.claimed_until && r.claimed_until > now;
  return {
    id: r.id,
    status: r.status,
    type: r.type,
    cameraId: r.camera_id,
    cameraName: r.camera_name,
    place: r.place,
    agencyId: r.agency_id,
    occurredAt: r.occurred_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    vehicleType: r.vehicle_type,
    plate: {
      text: r.plate_text,
      colour: r.plate_colour,
      confidence: r.plate_confidence,
      needsManualEntry: r.plate_needs_manual,
      originalText: r.plate_original,
    },
    manualHandling: r.manual_handling,
    manualReason: r.manual_reason,
    claimedBy: claimLive ? r.claimed_by : null,
    claimedUntil: claimLive && r.claimed_until ? r.claimed_until.toISOString() : null,
    noticeDueAt: r.notice_due_at.toISOString(),
    atRisk: isAtRisk(r.status, r.notice_due_at, now),
    overdue: r.overdue,
    evidenceTampered: r.evidence_tampered,
  };
}

/** A page bound: the default when absent; a UserError unless it is a whole number within [min, max]. */
export function pageNumber(v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new UserError('invalid_number', `must be a whole number from ${min} to ${max}`, 400, { details: { params: { min, max } } });
  return v;
}

/** Review queue: oldest deadline first, then oldest violation; filtered to the caller's agency unless `agencyId` is null. */
export async function listQueue(q: Queryable, agencyId: string | null, query: QueueQuery, now: Date): Promise<{ items: CaseSummary[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (agencyId) add('c.agency_id = ?', agencyId);
  // a plate search without a status looks through every status (the agency's whole caseload)
  if (query.status || !query.plate) add('c.status = ?', query.status ?? 'detected');
  if (query.plate) {
    const chars = query.plate
      .normalize('NFC')
      .toUpperCase()
      .replace(/[^0-9A-ZĐ]/g, '');
    if (chars.length < 2) return { items: [], total: 0 };
    add(`regexp_replace(coalesce(c.plate_text, ''), '[^0-9A-ZĐ]', '', 'g') LIKE ?`, `%${chars}%`);
  }
  if (query.cameraName)
    add(
      `c.camera_id IN (SELECT id FROM cameras WHERE lower(name) LIKE ? ESCAPE '\\')`,
      `%${query.cameraName
        .normalize('NFC')
        .toLowerCase()
        .replace(/[\\%_]/g, (m) => `\\${m}`)}%`,
    );
  if (query.cameraId) {
    if (!isUuid(query.cameraId)) return { items: [], total: 0 };
    add('c.camera_id = ?', query.cameraId);
  }
  if (query.type) add('c.type = ?', query.type);
  if (query.from) add('c.occurred_at >= ?', new Date(query.from));
  if (query.to) add('c.occurred_at < ?', new Date(query.to));
  if (query.minConfidence !== undefined) add('c.plate_confidence >= ?', query.minConfidence);
  if (query.maxConfidence !== undefined) add('c.plate_confidence <= ?', query.maxConfidence);
  if (query.manualOnly) where.push('c.manual_handling');
  if (query.atRiskOnly) add(`c.notice_due_at <= ?`, new Date(now.getTime() + 3 * 86_400_000));
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await q.query<{ n: string }>(`SELECT count(*) AS n FROM cases c ${w}`, params);
  // Bind parameters, never SQL text: the schema bounds them, and this holds even if a caller skips it.
  const limit = pageNumber(query.limit, 50, 1, 200);
  const offset = pageNumber(query.offset, 0, 0, 100_000);
  const { rows } = await q.query<SummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM cases c JOIN cameras cam ON cam.id = c.camera_id LEFT JOIN users cu ON cu.id = c.claimed_by
     ${w} ORDER BY c.notice_due_at, c.occurred_at, c.id LIMIT $${params.length + 1}::int OFFSET $${params.length + 2}::int`,
    [...params, limit, offset],
  );
  return { items: rows.map((r) => toSummary(r, now)), total: Number(total.rows[0]!.n) };
}

/** An evidence item's integrity for the case detail: checked now and recorded, with the hash found when it differs. */
async function integrityOf(q: Queryable, storage: StorageLike, e: StoredEvidence): Promise<Pick<EvidenceItem, 'integrity' | 'foundSha256'>> {
  const { integrity, found } = await checkEvidence(q, storage, e);
  return { integrity, ...(found ? { foundSha256: found } : {}) };
}

export async function caseDetail(q: Queryable, id: string, agencyId: string | null, now: Date, storage: StorageLike | undefined): Promise<CaseDetail> {
  if (!isUuid(id)) throw new NotFoundError('no such case');
  const { rows } = await q.query<
    SummaryRow & {
      rule_summary: string;
      event: unknown;
      confirmed_by_name: string | null;
      confirmed_at: Date | null;
      approved_by_name: string | null;
      approved_at: Date | null;
      rejected_reason: NonNullable<CaseDetail['rejection']>['reason'] | null;
      rejected_text: string | null;
      owner_id: string | null;
      resolving_agency_id: string | null;
    }
  >(
    `SELECT ${SUMMARY_COLUMNS}, c.rule_summary, c.event, cb.username AS confirmed_by_name, c.confirmed_at, ab.username AS approved_by_name, c.approved_at,
            c.rejected_reason, c.rejected_text, c.owner_id, c.resolving_agency_id
       FROM cases c JOIN cameras cam ON cam.id = c.camera_id LEFT JOIN users cu ON cu.id = c.claimed_by
       LEFT JOIN users cb ON cb.id = c.confirmed_by LEFT JOIN users ab ON ab.id = c.approved_by
      WHERE c.id = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`,
    [id, agencyId],
  );
  const r = rows[0];
  if (!r) throw new NotFoundError('no such case');
  const ev = await q.query<{ id: string; kind: string; bucket: string; key: string; sha256: string; size: string; content_type: string; captured_at: Date }>(
    'SELECT id, kind, bucket, key, sha256, size, content_type, captured_at FROM case_evidence WHERE case_id = $1 ORDER BY captured_at, kind',
    [id],
  );
  const evidence = await Promise.all(
    ev.rows.map(async (e) => ({
      id: e.id,
      kind: e.kind,
      contentType: e.content_type,
      sha256: e.sha256,
      size: Number(e.size),
      capturedAt: e.captured_at.toISOString(),
      fileName: e.key.slice(e.key.lastIndexOf('/') + 1),
      url: storage ? await storage.presignedGet(e.bucket as BucketName, e.key, 300).catch(() => null) : null,
      ...(storage ? await integrityOf(q, storage, e) : {}),
    })),
  );
  const clip = evidence.find((e) => e.kind === 'clip');
  const clipFps = clip ? await clipFrameRate(clip.sha256, clip.url) : null;
  const fine = await fineFor(q, r.type, r.vehicle_type, r.occurred_at, excessOf(r.event));
  const owner = r.owner_id
    ? (
        await q.query<{ full_name: string; address: string; province_code: string; commune: string | null; email: string | null; phone: string | null }>(
          'SELECT full_name, address, province_code, commune, email, phone FROM registry_owners WHERE id = $1',
          [r.owner_id],
        )
      ).rows[0]
    : undefined;
  const notice = (
    await q.query<{ id: string; number: string; issued_at: Date; resolve_by: Date; sha256: string | null }>(
      'SELECT id, number, issued_at, resolve_by, sha256 FROM notices WHERE case_id = $1',
      [id],
    )
  ).rows[0];
  const deliveries = notice
    ? (
        await q.query<{ id: string; channel: string; status: string; attempts: number; last_error: string | null; sent_at: Date | null }>(
          'SELECT id, channel, status, attempts, last_error, sent_at FROM deliveries WHERE notice_id = $1 ORDER BY channel',
          [notice.id],
        )
      ).rows
    : [];
  const deadlines = await q.query<{ kind: string; due_at: Date; status: 'pending' | 'fired' | 'cancelled' | 'met'; fired_at: Date | null }>(
    'SELECT kind, due_at, status, fired_at FROM case_deadlines WHERE case_id = $1 ORDER BY due_at',
    [id],
  );
  const warnings = await q.query<{ target: string; created_at: Date; lifted_at: Date | null }>(
    'SELECT target, created_at, lifted_at FROM case_warnings WHERE case_id = $1 ORDER BY target',
    [id],
  );
  const history = await q.query<{ at: Date; actor: string | null; action: string; data: unknown }>(
    `SELECT at, actor, action, data FROM audit_log WHERE entity = 'case' AND entity_id = $1 ORDER BY seq`,
    [id],
  );
  return {
    ...toSummary(r, now),
    ruleSummary: r.rule_summary,
    ...storedEventParts(r.event),
    clipFps,
    evidence,
    // the files were just checked: that outcome, not the last one recorded, is the case's
    ...(storage ? { evidenceIntact: evidence.every((e) => e.integrity === 'ok'), evidenceTampered: evidence.some((e) => e.integrity !== 'ok') } : {}),
    confirmedBy: r.confirmed_by_name,
    confirmedAt: r.confirmed_at?.toISOString() ?? null,
    approvedBy: r.approved_by_name,
    approvedAt: r.approved_at?.toISOString() ?? null,
    rejection: r.rejected_reason ? { reason: r.rejected_reason, text: r.rejected_text } : null,
    fine: fine
      ? {
          offence: fine.offence,
          description: fine.description,
          article: fine.article,
          legalBasis: fine.legalBasis,
          fineMin: fine.fineMin,
          fineMax: fine.fineMax,
          points: fine.points,
        }
      : null,
    owner: owner
      ? { fullName: owner.full_name, address: owner.address, provinceCode: owner.province_code, commune: owner.commune, email: owner.email, phone: owner.phone }
      : null,
    resolvingAgencyId: r.resolving_agency_id,
    notice:
      notice && notice.sha256
        ? {
            id: notice.id,
            number: notice.number,
            issuedAt: notice.issued_at.toISOString(),
            resolveBy: notice.resolve_by.toISOString(),
            sha256: notice.sha256,
            deliveries: deliveries.map((d) => ({
              id: d.id,
              channel: d.channel,
              status: d.status,
              attempts: d.attempts,
              lastError: d.last_error,
              sentAt: d.sent_at?.toISOString() ?? null,
            })),
          }
        : null,
    deadlines: deadlines.rows.map((d) => ({ kind: d.kind, dueAt: d.due_at.toISOString(), status: d.status, firedAt: d.fired_at?.toISOString() ?? null })),
    warnings: warnings.rows.map((w) => ({ target: w.target, createdAt: w.created_at.toISOString(), liftedAt: w.lifted_at?.toISOString() ?? null })),
    history: history.rows.map((h) => ({ at: h.at.toISOString(), actor: h.actor, action: h.action, data: h.data })),
  };
}
