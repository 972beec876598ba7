// Citizens signed in through a VNeID-backed provider: the session carries the identity number the provider
// asserted, and every query below starts from it. A citizen sees the published cases against the vehicles the
// registry has in their name (evidence, status, deadlines, where to resolve) and may record, for a case with a
// notice, who was driving or a complaint (Circular 73/2024 Art. 24.2). Nothing else: not other owners' cases, not
// unpublished ones, not what the desk recorded.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { CitizenCase, CitizenOverview, CitizenResponseRequest } from '@phatnguoi/core/contracts/api/sign-in';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import { newToken, tokenHash } from '../domain/tokens';
import { PUBLIC_COLUMNS, PUBLISHED, publicEvidence, toPublic, type PublicRow } from '../services/public-case';
import type { PublicDirectory } from '../services/public-directory';
import { mapCitizenClaims, maskIdNumber } from './claims';
import type { ProviderTokens } from './client';
import { SignInRefused } from './login-state';
import type { CitizenOidcSettings } from './settings';
import { auditRefusal } from './staff';

export const CITIZEN_COOKIE = 'pn_citizen';
/** Online responses one case takes at most (a signed-in citizen cannot flood the desk). */
export const MAX_ONLINE_RESPONSES = 10;
const EVIDENCE_LINK_SECONDS = 300;

export interface Citizen {
  hash: string;
  idNumber: string;
  name: string;
  idToken: string | null;
}

const actorOf = (idNumber: string) => `citizen:${maskIdNumber(idNumber)}`;

export async function citizenSignIn(db: Db, clock: Clock, s: CitizenOidcSettings, tokens: ProviderTokens): Promise<{ token: string; expiresAt: Date }> {
  const m = mapCitizenClaims(tokens.claims, s);
  if (!m.ok) {
    await auditRefusal(db, clock, 'citizen.refused', s.issuer, typeof tokens.claims.sub === 'string' ? tokens.claims.sub : null, { reason: m.reason });
    throw new SignInRefused(m.reason, `sign-in refused: ${m.reason}`);
  }
  const now = clock.now();
  const token = newToken();
  const expiresAt = new Date(now.getTime() + s.sessionTtlSeconds * 1000);
  await withTransaction(db, async (tx) => {
    await tx.query(
      'INSERT INTO citizen_sessions (token_hash, issuer, subject, id_number, display_name, id_token, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
      [tokenHash(token), s.issuer, m.subject, m.idNumber, m.name, tokens.idToken, now, expiresAt],
    );
    await appendAudit(tx, {
      at: now,
      actorId: null,
      actor: actorOf(m.idNumber),
      action: 'citizen.login',
      entity: 'oidc',
      entityId: `${s.issuer}#${m.subject}`,
      data: { issuer: s.issuer },
    });
  });
  return { token, expiresAt };
}

export async function citizenOf(db: Queryable, clock: Clock, token: string | undefined): Promise<Citizen | null> {
  if (!token || token.length > 200) return null;
  const hash = tokenHash(token);
  const { rows } = await db.query<{ id_number: string; display_name: string; id_token: string | null }>(
    'SELECT id_number, display_name, id_token FROM citizen_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2',
    [hash, clock.now()],
  );
  const r = rows[0];
  return r ? { hash, idNumber: r.id_number, name: r.display_name, idToken: r.id_token } : null;
}

/** Ends the session; its ID token (the provider's end-session hint) is returned. */
export async function endCitizenSession(db: Db, clock: Clock, c: Citizen): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.query('UPDATE citizen_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [c.hash, clock.now()]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: actorOf(c.idNumber),
      action: 'citizen.logout',
      entity: 'citizen',
      entityId: maskIdNumber(c.idNumber),
      data: {},
    });
  });
}

type OwnCaseRow = PublicRow & { number: string | null; issued_at: Date | null; resolve_by: Date | null };

/**
 * The published cases against the vehicles registered to this identity number; a case identified to another
 * owner (the vehicle changed hands) is not theirs.
 */
const OWN_CASES_SQL = `SELECT ${PUBLIC_COLUMNS}, n.number, n.issued_at, n.resolve_by
  FROM registry_owners o
  JOIN registry_vehicles v ON v.owner_id = o.id
  JOIN cases c ON c.plate_text = v.plate AND (c.owner_id IS NULL OR c.owner_id = o.id)
  LEFT JOIN notices n ON n.case_id = c.id
  WHERE o.id_number = $1 AND ${PUBLISHED} AND ($2::uuid IS NULL OR c.id = $2)
  ORDER BY c.occurred_at DESC LIMIT 200`;

export async function citizenOverview(db: Db, clock: Clock, storage: StorageLike, dir: PublicDirectory, c: Citizen): Promise<CitizenOverview> {
  const vehicles = await db.query<{
    plate: string;
    vehicle_type: CitizenOverview['vehicles'][number]['vehicleType'];
    plate_colour: CitizenOverview['vehicles'][number]['plateColour'];
    brand: string | null;
    colour: string | null;
  }>(
    `SELECT v.plate, v.vehicle_type, v.plate_colour, v.brand, v.colour FROM registry_owners o JOIN registry_vehicles v ON v.owner_id = o.id
      WHERE o.id_number = $1 ORDER BY v.plate`,
    [c.idNumber],
  );
  const { rows } = await db.query<OwnCaseRow>(OWN_CASES_SQL, [c.idNumber, null]);
  const published = await toPublic(dir, rows);
  const ids = rows.map((r) => r.id);
  const [deadlines, responses] = await Promise.all([
    db.query<{ case_id: string; kind: string; due_at: Date }>(
      `SELECT case_id, kind, due_at FROM case_deadlines WHERE case_id = ANY($1::uuid[]) AND status = 'pending' AND kind IN ('response_due', 'limitation') ORDER BY due_at`,
      [ids],
    ),
    db.query<{ case_id: string; kind: 'response' | 'complaint'; driver_name: string | null; text: string; recorded_at: Date }>(
      `SELECT case_id, kind, driver_name, text, recorded_at FROM owner_responses WHERE case_id = ANY($1::uuid[]) AND citizen_id_number = $2 ORDER BY recorded_at`,
      [ids, c.idNumber],
    ),
  ]);
  const cases: CitizenCase[] = await Promise.all(
    rows.map(async (r, i) => ({
      id: r.id,
      violation: published[i]!,
      noticeNumber: r.number,
      noticeIssuedAt: r.issued_at?.toISOString() ?? null,
      deadlines: [
        ...deadlines.rows
          .filter((d) => d.case_id === r.id && d.kind === 'response_due')
          .map((d) => ({ kind: 'respond_by' as const, dueAt: d.due_at.toISOString() })),
        ...(r.resolve_by ? [{ kind: 'resolve_by' as const, dueAt: r.resolve_by.toISOString() }] : []),
        ...deadlines.rows
          .filter((d) => d.case_id === r.id && d.kind === 'limitation')
          .map((d) => ({ kind: 'limitation' as const, dueAt: d.due_at.toISOString() })),
      ],
      evidence: await publicEvidence(db, clock, storage, r.id, 'citizen view', EVIDENCE_LINK_SECONDS),
      responses: responses.rows
        .filter((x) => x.case_id === r.id)
        .map((x) => ({
          kind: x.kind === 'response' ? ('driver' as const) : ('complaint' as const),
          driverName: x.driver_name,
          text: x.text,
          recordedAt: x.recorded_at.toISOString(),
        })),
      canRespond: r.status === 'notified' || r.status === 'escalated',
    })),
  );
  return {
    name: c.name,
    idNumberMasked: maskIdNumber(c.idNumber),
    expiresInSeconds: EVIDENCE_LINK_SECONDS,
    vehicles: vehicles.rows.map((v) => ({ plate: v.plate, vehicleType: v.vehicle_type, plateColour: v.plate_colour, brand: v.brand, colour: v.colour })),
    cases,
  };
}

/**
 * The owner's response recorded online, with the effect of one recorded at the desk: the 20-day escalation no
 * longer applies and warnings are lifted. Another owner's case is "not found" (no hint that it exists).
 */
export async function recordCitizenResponse(db: Db, clock: Clock, c: Citizen, caseId: string, body: CitizenResponseRequest): Promise<void> {
  if (body.kind === 'driver' && !body.driverName)
    throw new UserError('driver_name_required', 'name the person who was driving', 400, {
      details: { errors: [{ path: '/driverName', message: 'name the person who was driving' }] },
    });
  await withTransaction(db, async (tx) => {
    const own = await tx.query<OwnCaseRow>(OWN_CASES_SQL, [c.idNumber, caseId]);
    const r = own.rows[0];
    if (!r) throw new NotFoundError("no such case among your vehicles' cases");
    await tx.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
    const status = (await tx.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0]!.status;
    if (status !== 'notified' && status !== 'escalated')
      throw new ConflictError('a response can be recorded once the notice is sent, and not after the case is closed', 'no_notice');
    const n = await tx.query<{ n: string }>('SELECT count(*) AS n FROM owner_responses WHERE case_id = $1 AND recorded_by IS NULL', [caseId]);
    if (Number(n.rows[0]!.n) >= MAX_ONLINE_RESPONSES)
      throw new ConflictError(`this case already has ${MAX_ONLINE_RESPONSES} responses recorded online; contact the resolving unit`, 'too_many_responses');
    const now = clock.now();
    const kind = body.kind === 'driver' ? 'response' : 'complaint';
    await tx.query(
      `INSERT INTO owner_responses (case_id, kind, driver_name, driver_id_number, text, recorded_by, citizen_id_number, recorded_at)
       VALUES ($1,$2,$3,$4,$5,NULL,$6,$7)`,
      [caseId, kind, body.driverName ?? null, body.driverIdNumber ?? null, body.text, c.idNumber, now],
    );
    await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1 AND kind = 'response_due' AND status = 'pending'`, [caseId]);
    await tx.query('UPDATE case_warnings SET lifted_at = $2 WHERE case_id = $1 AND lifted_at IS NULL', [caseId, now]);
    await appendAudit(tx, {
      at: now,
      actorId: null,
      actor: actorOf(c.idNumber),
      action: `case.owner_${kind}`,
      entity: 'case',
      entityId: caseId,
      data: { online: true, driverName: body.driverName ?? null },
    });
  });
}
