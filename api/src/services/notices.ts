// Issuing notices: number, PDF with hash, legal clock for the owner's response, outbox rows per channel.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, OperationalError } from '@phatnguoi/core/errors';
import { appendAudit } from '../audit/chain';
import { addDays, escalationDeadline, RESOLVE_DAYS } from '../domain/deadlines';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import type { BucketName } from '@phatnguoi/core/storage';
import type { UserPrincipal } from '../domain/principal';
import { renderNoticePdf, type NoticeData, type NoticeEvidence } from '../notices/pdf';
import { DEFAULT_NOTICE_FONTS, type NoticeFonts } from '../notices/fonts';
import { provinceOfPlateCode } from '../domain/provinces';
import { actorOf, applyTransition, isUuid, lockCase } from './cases';
import { fineFor, excessOf } from './fines';
import { storedEventParts, type StoredEventParts } from '@phatnguoi/core/contracts/violation-event';
import { ruleCircumstances, type LaneInfo } from '../domain/rule-text';
import { speedCircumstances } from '../domain/speed-text';
import { auditIntegrityFailure, checkObject, sha256Hex } from './integrity';
import { agencyScope } from '../domain/principal';
import { caseInScope } from '../repositories/cases';

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
    if (c.status !== 'approved')
      throw new ConflictError(`a ${c.status} case cannot get a notice; it must be approved first`, 'illegal_transition', { params: { status: c.status } });
    if (!c.owner_id) throw new ConflictError('the owner is unknown: identify the vehicle in the registry first (manual handling)', 'owner_unknown');
    const row = (await tx.query<{ type: string; event: unknown }>('SELECT type, event FROM cases WHERE id = $1', [caseId])).rows[0]!;
    const fine = await fineFor(tx, row.type, c.vehicle_type, c.occurred_at, excessOf(row.event));
    if (!fine) throw new ConflictError('no fine schedule entry is in force for this offence and date', 'no_fine_schedule');
    const now = clock.now();
    const ag = await tx.query<{ code: string }>('SELECT code FROM agencies WHERE id = $1', [c.agency_id]);
    const seq = await tx.query<{ n: string }>(`SELECT nextval('notice_number_seq') AS n`);
    // number / document symbol (TB: thông báo) - issuing unit, as Vietnamese administrative documents are numbered
    const number = `${seq.rows[0]!.n.padStart(6, '0')}/TB-${ag.rows[0]?.code ?? 'CA'}`;
    const resolveBy = addDays(now, RESOLVE_DAYS);
    const n = await tx.query<{ id: string }>(
      'INSERT INTO notices (case_id, number, issued_by, issued_at, resolve_by, fine_schedule_id) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id',
      [caseId, number, user.id, now, resolveBy, fine.id],
    );
    const noticeId = n.rows[0]!.id;
    await applyTransition(tx, clock, c, 'notify', actorOf(user), { noticeId, number });
    const responseDueAt = escalationDeadline(now);
    await tx.query(
      `INSERT INTO case_deadlines (case_id, kind, due_at) VALUES ($1, 'response_due', $2)
       ON CONFLICT (case_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, status = 'pending', fired_at = NULL`,
      [caseId, responseDueAt],
    );
    // notice_due stays pending until a channel delivers the notice (then it is 'met'): issuing is not sending.
    const owner = await tx.query<{ email: string | null; phone: string | null; address: string }>(
      'SELECT email, phone, address FROM registry_owners WHERE id = $1',
      [c.owner_id],
    );
    const o = owner.rows[0]!;
    const channels: { channel: string; recipient: string }[] = [{ channel: 'post', recipient: o.address }];
    if (o.email) channels.push({ channel: 'email', recipient: o.email });
    if (o.phone) channels.push({ channel: 'sms', recipient: o.phone });
    const deliveryIds: string[] = [];
    for (const ch of channels) {
      const d = await tx.query<{ id: string }>(
        'INSERT INTO deliveries (notice_id, channel, recipient, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) RETURNING id',
        [noticeId, ch.channel, ch.recipient, now],
      );
      deliveryIds.push(d.rows[0]!.id);
    }
    return { noticeId, number, resolveBy, responseDueAt, deliveryIds };
  });
}

/** Everything printed on a notice (owner identity included: the notice goes to the owner only). */
export async function noticeData(
  q: Queryable,
  noticeId: string,
  publicBaseUrl: string,
  storage: StorageLike | undefined,
): Promise<{ data: NoticeData; caseId: string; tampered: string[] }> {
  const n = await q.query<{ case_id: string; number: string; issued_at: Date; resolve_by: Date; issuer_name: string; issuer_role: string }>(
    `SELECT n.case_id, n.number, n.issued_at, n.resolve_by, u.display_name AS issuer_name, u.role AS issuer_role
       FROM notices n JOIN users u ON u.id = n.issued_by WHERE n.id = $1`,
    [noticeId],
  );
  const row = n.rows[0];
  if (!row) throw new NotFoundError('no such notice');
  const out = await caseNoticeData(
    q,
    row.case_id,
    { number: row.number, issuedAt: row.issued_at, resolveBy: row.resolve_by, issuer: { name: row.issuer_name, role: row.issuer_role } },
    publicBaseUrl,
    null,
    storage,
  );
  return { data: out.data, caseId: out.caseId, tampered: out.tampered };
}

/** Title printed above the issuing officer's name. */
function issuerTitle(role: string): string {
  return role === 'supervisor' ? 'Lãnh đạo phê duyệt' : role === 'admin' ? 'Quản trị hệ thống' : 'Cán bộ phát hành';
}

/** The unit above an agency: its parent's name, else the provincial police named in its own name. */
function parentUnitOf(name: string, parent: string | null): string | null {
  if (parent) return parent;
  const m = /(Công an (?:tỉnh|thành phố|TP\.?) .+)$/iu.exec(name);
  return m && m[1] !== name ? m[1]! : null;
}

/** Where a unit issues its documents: the last part of its address (the province), else the province of its code. */
function issuePlaceOf(address: string | null, provinceCode: string): string {
  const last = address
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .at(-1);
  return last ?? provinceOfPlateCode(provinceCode) ?? 'Việt Nam';
}

/** What a notice for this case prints; `agencyId` (when not null) limits it to cases of that detecting or resolving agency. */
async function caseNoticeData(
  q: Queryable,
  caseId: string,
  notice: { number: string; issuedAt: Date; resolveBy: Date; issuer: { name: string; role: string } },
  publicBaseUrl: string,
  agencyId: string | null,
  storage: StorageLike | undefined,
): Promise<{ data: NoticeData; caseId: string; status: string; tampered: string[] }> {
  const { rows } = await q.query<{
    case_id: string;
    status: string;
    vehicle_type: string;
    plate_text: string;
    plate_colour: string | null;
    rule_summary: string;
    occurred_at: Date;
    place: string;
    type: string;
    public_token: string;
    det_name: string;
    det_address: string | null;
    det_province: string;
    parent_name: string | null;
    res_name: string;
    res_address: string | null;
    res_phone: string | null;
    owner_name: string | null;
    owner_address: string | null;
    brand: string | null;
    colour: string | null;
    event: unknown;
    geometry: { lanes?: { id?: unknown; allowedClasses?: unknown }[] } | null;
  }>(
    `SELECT c.id AS case_id, c.status, c.vehicle_type, c.plate_text, c.plate_colour, c.occurred_at, c.rule_summary, c.event, cam.geometry,
            cam.name || CASE WHEN cam.address <> '' THEN ', ' || cam.address ELSE '' END AS place, c.type, c.public_token,
            da.name AS det_name, da.address AS det_address, da.province_code AS det_province, pa.name AS parent_name,
            ra.name AS res_name, ra.address AS res_address, ra.phone AS res_phone,
            o.full_name AS owner_name, o.address AS owner_address, v.brand, v.colour
       FROM cases c JOIN cameras cam ON cam.id = c.camera_id
       JOIN agencies da ON da.id = c.agency_id LEFT JOIN agencies pa ON pa.id = da.parent_id
       JOIN agencies ra ON ra.id = COALESCE(c.resolving_agency_id, c.agency_id)
       LEFT JOIN registry_owners o ON o.id = c.owner_id
       LEFT JOIN registry_vehicles v ON v.plate = c.plate_text AND v.owner_id = c.owner_id
      WHERE c.id = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`,
    [caseId, agencyId],
  );
  const r = rows[0];
  if (!r) throw new NotFoundError('no such case');
  if (r.owner_name === null || r.owner_address === null)
    throw new ConflictError('the owner is unknown: identify the vehicle in the registry first (manual handling)', 'owner_unknown');
  const parts = storedEventParts(r.event);
  const speed = parts.ruleDetail?.speed ?? null;
  const fine = await fineFor(q, r.type, r.vehicle_type, r.occurred_at, speed?.excessKmh ?? null);
  if (!fine) throw new ConflictError('no fine schedule entry', 'no_fine_schedule');
  const ev = await q.query<{ kind: string; bucket: string; key: string; sha256: string; content_type: string; captured_at: Date }>(
    'SELECT kind, bucket, key, sha256, content_type, captured_at FROM case_evidence WHERE case_id = $1 ORDER BY captured_at, kind',
    [r.case_id],
  );
  const tampered: string[] = [];
  const evidence: NoticeEvidence[] = await Promise.all(
    ev.rows.map(async (e) => {
      const image = e.content_type.startsWith('image/') && storage ? await storage.get(e.bucket as BucketName, e.key) : null;
      if (image && sha256Hex(image) !== e.sha256) tampered.push(e.key);
      return { kind: e.kind, sha256: e.sha256, capturedAt: e.captured_at, contentType: e.content_type, image };
    }),
  );
  const description = [r.brand, r.colour ? `màu ${r.colour.toLowerCase()}` : null].filter(Boolean).join(', ');
  return {
    caseId: r.case_id,
    status: r.status,
    tampered,
    data: {
      number: notice.number,
      issuedAt: notice.issuedAt,
      resolveBy: notice.resolveBy,
      parentUnit: parentUnitOf(r.det_name, r.parent_name),
      issuePlace: issuePlaceOf(r.det_address, r.det_province),
      vehicleType: r.vehicle_type,
      plate: r.plate_text,
      plateColour: r.plate_colour,
      vehicleDescription: description || null,
      occurredAt: r.occurred_at,
      place: r.place,
      violationType: r.type,
      circumstances: [
        fine.label,
        speed
          ? speedCircumstances(speed)
          : ruleCircumstances(
              { vehicleClass: parts.vehicleClass, signalState: parts.signal, ruleDetail: parts.ruleDetail ?? undefined },
              laneOf(r.geometry, parts),
            ),
      ]
        .filter(Boolean)
        .join(': '),
      offences: [
        {
          description: fine.description,
          article: fine.article,
          legalBasis: fine.legalBasis,
          fineMin: fine.fineMin,
          fineMax: fine.fineMax,
          points: fine.points,
        },
      ],
      detectingUnit: r.det_name,
      resolvingUnit: r.res_name,
      resolvingAddress: r.res_address ?? '',
      resolvingPhone: r.res_phone ?? '',
      ownerName: r.owner_name,
      ownerAddress: r.owner_address,
      lookupUrl: `${publicBaseUrl.replace(/\/$/, '')}/tra-cuu/${r.public_token}`,
      evidence,
      issuer: { name: notice.issuer.name, title: issuerTitle(notice.issuer.role) },
    },
  };
}

/** What the notice number field says on a preview: it is not a number, and never one of the sequence. */
export const PREVIEW_NUMBER = 'BẢN XEM TRƯỚC – CHƯA PHÁT HÀNH';

/**
 * The notice PDF of an approved case as it would be issued now, for the supervisor to check before issuing.
 * Nothing is stored, no number is taken from the sequence, no audit entry: the case does not change.
 */
export async function previewNotice(
  q: Queryable,
  clock: Clock,
  storage: StorageLike | undefined,
  user: { displayName: string; role: string; agencyId: string | null },
  caseId: string,
  publicBaseUrl: string,
  fonts: NoticeFonts = DEFAULT_NOTICE_FONTS,
): Promise<Buffer> {
  if (!isUuid(caseId)) throw new NotFoundError('no such case');
  const now = clock.now();
  const agencyId = user.role === 'admin' ? null : (user.agencyId ?? '00000000-0000-0000-0000-000000000000');
  const { data, status } = await caseNoticeData(
    q,
    caseId,
    { number: PREVIEW_NUMBER, issuedAt: now, resolveBy: addDays(now, RESOLVE_DAYS), issuer: { name: user.displayName, role: user.role } },
    publicBaseUrl,
    agencyId,
    storage,
  );
  if (status !== 'approved')
    throw new ConflictError(`a ${status} case has no notice to preview; it must be approved (and not yet notified)`, 'illegal_transition', {
      params: { status },
    });
  return renderNoticePdf(data, fonts);
}

/** Renders and stores the notice PDF with its hash. Idempotent: a notice already stored is left alone. */
export async function renderNotice(
  db: Db,
  clock: Clock,
  storage: StorageLike | undefined,
  noticeId: string,
  publicBaseUrl: string,
  fonts: NoticeFonts = DEFAULT_NOTICE_FONTS,
): Promise<{ sha256: string; size: number; key: string } | 'already'> {
  const existing = await db.query<{ sha256: string | null }>('SELECT sha256 FROM notices WHERE id = $1', [noticeId]);
  if (!existing.rows[0]) throw new NotFoundError('no such notice');
  if (existing.rows[0].sha256) return 'already';
  if (!storage) throw new OperationalError('storage_unconfigured', 'object storage is not configured');
  const { data, caseId, tampered } = await noticeData(db, noticeId, publicBaseUrl, storage);
  // The photos printed on the notice must be the evidence as captured.
  if (tampered.length) {
    await auditIntegrityFailure(db, clock, { id: null, name: 'system' }, 'notice', noticeId, { use: 'attached to notice', keys: tampered });
    throw new ConflictError('an evidence photo does not match its recorded hash; the notice is not rendered', 'evidence_tampered');
  }
  const pdf = await renderNoticePdf(data, fonts);
  const key = `${caseId}/${noticeId}.pdf`;
  const put = await storage.put('notices', key, pdf, 'application/pdf');
  await withTransaction(db, async (tx) => {
    await tx.query('UPDATE notices SET bucket = $2, key = $3, sha256 = $4, size = $5 WHERE id = $1 AND sha256 IS NULL', [
      noticeId,
      'notices',
      key,
      put.sha256,
      put.size,
    ]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: 'system',
      action: 'notice.stored',
      entity: 'notice',
      entityId: noticeId,
      data: { key, sha256: put.sha256, size: put.size },
    });
  });
  return { sha256: put.sha256, size: put.size, key };
}

/** The stored PDF's SHA-256 of an issued notice ('' while it is not rendered yet). */
export async function storedNoticeHash(q: Queryable, noticeId: string): Promise<string> {
  const { rows } = await q.query<{ sha256: string | null }>('SELECT sha256 FROM notices WHERE id = $1', [noticeId]);
  return rows[0]?.sha256 ?? '';
}

/**
 * An issued notice's PDF as stored, for a user whose agency scope holds its case; a PDF that no longer hashes as
 * recorded is refused (409 notice_tampered) and the refusal audited.
 */
export async function storedNoticePdf(
  db: Db,
  clock: Clock,
  storage: StorageLike,
  user: UserPrincipal,
  noticeId: string,
): Promise<{ number: string; pdf: Buffer }> {
  const { rows } = await db.query<{ bucket: string; key: string; number: string; sha256: string }>(
    `SELECT n.bucket, n.key, n.number, n.sha256 FROM notices n JOIN cases c ON c.id = n.case_id
      WHERE n.id = $1 AND n.sha256 IS NOT NULL AND ${caseInScope(2)}`,
    [noticeId, agencyScope(user)],
  );
  const n = rows[0];
  if (!n) throw new NotFoundError('no such notice');
  const { integrity, body: pdf } = await checkObject(storage, n.bucket, n.key, n.sha256);
  if (integrity !== 'ok' || !pdf) {
    await auditIntegrityFailure(db, clock, actorOf(user), 'notice', noticeId, { use: 'served', integrity });
    throw new ConflictError(`the stored notice does not match its recorded hash (${integrity}); it is not served`, 'notice_tampered');
  }
  return { number: n.number, pdf };
}

/** The case's lane from its camera's current geometry: its name, the classes it allows and its turns (for the notice's wording). */
function laneOf(
  geometry: { lanes?: { id?: unknown; name?: unknown; allowedClasses?: unknown; turns?: unknown }[] } | null,
  event: StoredEventParts,
): LaneInfo | undefined {
  const laneId = event.ruleDetail?.laneId;
  const lane = geometry?.lanes?.find((l) => l.id === laneId);
  if (!lane) return undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : undefined);
  return {
    ...(typeof lane.name === 'string' && lane.name ? { name: lane.name } : {}),
    ...(strings(lane.allowedClasses) ? { allowedClasses: strings(lane.allowedClasses) } : {}),
    ...(strings(lane.turns) ? { turns: strings(lane.turns) } : {}),
  };
}
