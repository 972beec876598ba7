// Issuing notices: number, PDF with hash, legal clock for the owner's response, outbox rows per channel.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, OperationalError } from '@phatnguoi/core/errors';
import { appendAudit } from '../audit/chain';
import { addDays, escalationDeadline, RESOLVE_DAYS } from '../domain/deadlines';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import type { BucketName } from '@phatnguoi/core/storage';
import type { UserPrincipal } from '../plugins/auth';
import { renderNoticePdf, type NoticeData } from '../notices/pdf';
import { actorOf, applyTransition, isUuid, lockCase } from './cases';
import { fineFor } from './fines';
import { auditIntegrityFailure, sha256Hex } from './integrity';

export interface IssuedNotice {
  noticeId: string;
  number: string;
  resolveBy: Date;
  responseDueAt: Date;
  deliveryIds: string[];
}

/** Creates the notice and moves the case to notified; the PDF is rendered right after (renderNotice). */
export async function issueNotice(db: Db, clock: Clock, user: UserPrincipal, caseId: string): Promise<IssuedNotice> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, caseId, user);
    if (c.status !== 'approved') throw new ConflictError(`a ${c.status} case cannot get a notice; it must be approved first`, 'illegal_transition');
    if (!c.owner_id) throw new ConflictError('the owner is unknown: identify the vehicle in the registry first (manual handling)', 'owner_unknown');
    const fine = await fineFor(tx, (await tx.query<{ type: string }>('SELECT type FROM cases WHERE id = $1', [caseId])).rows[0]!.type, c.vehicle_type, c.occurred_at);
    if (!fine) throw new ConflictError('no fine schedule entry is in force for this offence and date', 'no_fine_schedule');
    const now = clock.now();
    const ag = await tx.query<{ code: string }>('SELECT code FROM agencies WHERE id = $1', [c.agency_id]);
    const seq = await tx.query<{ n: string }>(`SELECT nextval('notice_number_seq') AS n`);
    const number = `${ag.rows[0]?.code ?? 'CA'}-${now.getUTCFullYear()}-${seq.rows[0]!.n.padStart(6, '0')}`;
    const resolveBy = addDays(now, RESOLVE_DAYS);
    const n = await tx.query<{ id: string }>(
      'INSERT INTO notices (case_id, number, issued_by, issued_at, resolve_by, fine_schedule_id) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id',
      [caseId, number, user.id, now, resolveBy, fine.id],
    );
    const noticeId = n.rows[0]!.id;
    await applyTransition(tx, clock, c, 'notify', actorOf(user), '', [], { noticeId, number });
    const responseDueAt = escalationDeadline(now);
    await tx.query(
      `INSERT INTO case_deadlines (case_id, kind, due_at) VALUES ($1, 'response_due', $2)
       ON CONFLICT (case_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, status = 'pending', fired_at = NULL`,
      [caseId, responseDueAt],
    );
    await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1 AND kind = 'notice_due' AND status = 'pending'`, [caseId]);
    const owner = await tx.query<{ email: string | null; phone: string | null; address: string }>('SELECT email, phone, address FROM registry_owners WHERE id = $1', [c.owner_id]);
    const o = owner.rows[0]!;
    const channels: { channel: string; recipient: string }[] = [{ channel: 'post', recipient: o.address }];
    if (o.email) channels.push({ channel: 'email', recipient: o.email });
    if (o.phone) channels.push({ channel: 'sms', recipient: o.phone });
    const deliveryIds: string[] = [];
    for (const ch of channels) {
      const d = await tx.query<{ id: string }>('INSERT INTO deliveries (notice_id, channel, recipient, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) RETURNING id', [noticeId, ch.channel, ch.recipient, now]);
      deliveryIds.push(d.rows[0]!.id);
    }
    return { noticeId, number, resolveBy, responseDueAt, deliveryIds };
  });
}

/** Everything printed on a notice (owner identity included: the notice goes to the owner only). */
export async function noticeData(q: Queryable, noticeId: string, publicBaseUrl: string): Promise<{ data: NoticeData; imageRef: { bucket: string; key: string; sha256: string } | null; caseId: string }> {
  const n = await q.query<{ case_id: string; number: string; issued_at: Date; resolve_by: Date }>('SELECT case_id, number, issued_at, resolve_by FROM notices WHERE id = $1', [noticeId]);
  const row = n.rows[0];
  if (!row) throw new NotFoundError('no such notice');
  return caseNoticeData(q, row.case_id, { number: row.number, issuedAt: row.issued_at, resolveBy: row.resolve_by }, publicBaseUrl, null);
}

/** What a notice for this case prints; `agencyId` (when not null) limits it to cases of that detecting or resolving agency. */
async function caseNoticeData(
  q: Queryable, caseId: string, notice: { number: string; issuedAt: Date; resolveBy: Date }, publicBaseUrl: string, agencyId: string | null,
): Promise<{ data: NoticeData; imageRef: { bucket: string; key: string; sha256: string } | null; caseId: string; status: string }> {
  const { rows } = await q.query<{
    case_id: string; status: string; vehicle_type: string; plate_text: string; plate_colour: string | null;
    occurred_at: Date; place: string; type: string; public_token: string; det_name: string; res_name: string; res_address: string | null; res_phone: string | null;
    owner_name: string | null; owner_address: string | null;
  }>(
    `SELECT c.id AS case_id, c.status, c.vehicle_type, c.plate_text, c.plate_colour, c.occurred_at,
            cam.name || CASE WHEN cam.address <> '' THEN ', ' || cam.address ELSE '' END AS place, c.type, c.public_token,
            da.name AS det_name, ra.name AS res_name, ra.address AS res_address, ra.phone AS res_phone,
            o.full_name AS owner_name, o.address AS owner_address
       FROM cases c JOIN cameras cam ON cam.id = c.camera_id
       JOIN agencies da ON da.id = c.agency_id JOIN agencies ra ON ra.id = COALESCE(c.resolving_agency_id, c.agency_id)
       LEFT JOIN registry_owners o ON o.id = c.owner_id
      WHERE c.id = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`,
    [caseId, agencyId],
  );
  const r = rows[0];
  if (!r) throw new NotFoundError('no such case');
  if (r.owner_name === null || r.owner_address === null) throw new ConflictError('the owner is unknown: identify the vehicle in the registry first (manual handling)', 'owner_unknown');
  const fine = await fineFor(q, r.type, r.vehicle_type, r.occurred_at);
  if (!fine) throw new ConflictError('no fine schedule entry', 'no_fine_schedule');
  const ev = await q.query<{ kind: string; bucket: string; key: string; sha256: string; content_type: string }>(
    'SELECT kind, bucket, key, sha256, content_type FROM case_evidence WHERE case_id = $1 ORDER BY kind', [r.case_id],
  );
  const preference = ['scene_after', 'scene_before', 'vehicle_crop', 'plate_crop'];
  const images = ev.rows.filter((e) => e.content_type.startsWith('image/')).sort((a, b) => preference.indexOf(a.kind) - preference.indexOf(b.kind));
  return {
    caseId: r.case_id,
    status: r.status,
    imageRef: images[0] ? { bucket: images[0].bucket, key: images[0].key, sha256: images[0].sha256 } : null,
    data: {
      number: notice.number, issuedAt: notice.issuedAt, resolveBy: notice.resolveBy, vehicleType: r.vehicle_type, plate: r.plate_text, plateColour: r.plate_colour,
      occurredAt: r.occurred_at, place: r.place, offence: `${fine.label} - ${fine.description}`, article: fine.article, legalBasis: fine.legalBasis,
      fineMin: fine.fineMin, fineMax: fine.fineMax, points: fine.points, detectingUnit: r.det_name, resolvingUnit: r.res_name,
      resolvingAddress: r.res_address ?? '', resolvingPhone: r.res_phone ?? '', ownerName: r.owner_name, ownerAddress: r.owner_address,
      lookupUrl: `${publicBaseUrl.replace(/\/$/, '')}/tra-cuu/${r.public_token}`, evidenceSha256: ev.rows.map((e) => e.sha256),
    },
  };
}

/** What the notice number field says on a preview: it is not a number, and never one of the sequence. */
export const PREVIEW_NUMBER = 'BẢN XEM TRƯỚC – CHƯA PHÁT HÀNH';

/**
 * The notice PDF of an approved case as it would be issued now, for the supervisor to check before issuing.
 * Nothing is stored, no number is taken from the sequence, no audit entry: the case does not change.
 */
export async function previewNotice(q: Queryable, clock: Clock, storage: StorageLike | undefined, agencyId: string | null, caseId: string, publicBaseUrl: string): Promise<Buffer> {
  if (!isUuid(caseId)) throw new NotFoundError('no such case');
  const now = clock.now();
  const { data, imageRef, status } = await caseNoticeData(q, caseId, { number: PREVIEW_NUMBER, issuedAt: now, resolveBy: addDays(now, RESOLVE_DAYS) }, publicBaseUrl, agencyId);
  if (status !== 'approved') throw new ConflictError(`a ${status} case has no notice to preview; it must be approved (and not yet notified)`, 'illegal_transition');
  const image = imageRef && storage ? await storage.get(imageRef.bucket as BucketName, imageRef.key).catch(() => null) : null;
  return renderNoticePdf(data, image);
}

/** Renders and stores the notice PDF with its hash. Idempotent: a notice already stored is left alone. */
export async function renderNotice(db: Db, clock: Clock, storage: StorageLike | undefined, noticeId: string, publicBaseUrl: string): Promise<{ sha256: string; size: number; key: string } | 'already'> {
  const existing = await db.query<{ sha256: string | null }>('SELECT sha256 FROM notices WHERE id = $1', [noticeId]);
  if (!existing.rows[0]) throw new NotFoundError('no such notice');
  if (existing.rows[0].sha256) return 'already';
  if (!storage) throw new OperationalError('storage_unconfigured', 'object storage is not configured');
  const { data, imageRef, caseId } = await noticeData(db, noticeId, publicBaseUrl);
  const image = imageRef ? await storage.get(imageRef.bucket as BucketName, imageRef.key) : null;
  // The photo printed on the notice must be the evidence as captured.
  if (image && imageRef && sha256Hex(image) !== imageRef.sha256) {
    await auditIntegrityFailure(db, clock, { id: null, name: 'system' }, 'notice', noticeId, { use: 'attached to notice', key: imageRef.key });
    throw new ConflictError('the evidence photo does not match its recorded hash; the notice is not rendered', 'evidence_tampered');
  }
  const pdf = await renderNoticePdf(data, image);
  const key = `${caseId}/${noticeId}.pdf`;
  const put = await storage.put('notices', key, pdf, 'application/pdf');
  await withTransaction(db, async (tx) => {
    await tx.query('UPDATE notices SET bucket = $2, key = $3, sha256 = $4, size = $5 WHERE id = $1 AND sha256 IS NULL', [noticeId, 'notices', key, put.sha256, put.size]);
    await appendAudit(tx, { at: clock.now(), actorId: null, actor: 'system', action: 'notice.stored', entity: 'notice', entityId: noticeId, data: { key, sha256: put.sha256, size: put.size } });
  });
  return { sha256: put.sha256, size: put.size, key };
}
