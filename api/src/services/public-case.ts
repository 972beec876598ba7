// What a citizen may see of a case (Circular 73/2024 Art. 24: the published fields, never owner identity) and its
// evidence as short-lived links, only items that still hash as recorded (an item replaced in storage is left out and
// the failure audited). Shared by the public lookup, the QR link and the signed-in citizen's own cases. Only the
// published fields are read; the routes' response schemas strip anything else by construction.
import type { Db } from '@phatnguoi/core/db';
import { NotFoundError } from '@phatnguoi/core/errors';
import type { PublicCaseResponse, PublicViolation } from '@phatnguoi/core/contracts/api/lookup';
import type { BucketName } from '@phatnguoi/core/storage';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import { PUBLISHED_STATUSES } from '../domain/case-status';
import { speedDetailOf } from './fines';
import { auditIntegrityFailure, checkEvidence, type StoredEvidence } from './integrity';
import type { PublicDirectory } from './public-directory';

// The hot query reads the cases index only; places, units and offence labels come from PublicDirectory.
// A speeding case also reads its measurement from the stored event (the only part of it a citizen sees).
export const PUBLIC_COLUMNS = `c.id, c.camera_id, c.agency_id, c.resolving_agency_id, c.type, c.vehicle_type, c.plate_text, c.plate_colour, c.occurred_at, c.status,
  CASE WHEN c.type = 'speeding' THEN c.event #> '{ruleDetail,speed}' END AS speed`;
// a closed case leaves the lookup `public_days` after it closed (retention.purge sets unpublished_at)
export const PUBLISHED = `c.status IN (${PUBLISHED_STATUSES.map((st) => `'${st}'`).join(', ')}) AND c.unpublished_at IS NULL`;
const LOOKUP_SQL = `SELECT ${PUBLIC_COLUMNS} FROM cases c
  WHERE c.plate_text = $1 AND c.vehicle_type = ANY($2::text[]) AND ${PUBLISHED}
  ORDER BY c.occurred_at DESC LIMIT 100`;
const PUBLIC_CASE_SQL = `SELECT ${PUBLIC_COLUMNS} FROM cases c WHERE c.public_token = $1 AND ${PUBLISHED}`;

export interface PublicRow {
  id: string;
  camera_id: string;
  agency_id: string;
  resolving_agency_id: string | null;
  type: string;
  vehicle_type: PublicViolation['vehicleType'];
  plate_text: string;
  plate_colour: PublicViolation['plateColour'];
  occurred_at: Date;
  status: string;
  /** The stored speed measurement of a speeding case (validated by `speedDetailOf`); null for other offences. */
  speed: unknown;
}

export async function toPublic(dir: PublicDirectory, rows: PublicRow[]): Promise<PublicViolation[]> {
  await dir.ensure({ cameraIds: rows.map((r) => r.camera_id), agencyIds: rows.flatMap((r) => [r.agency_id, r.resolving_agency_id ?? r.agency_id]) });
  return rows.map((r) => {
    const resolving = dir.agency(r.resolving_agency_id ?? r.agency_id);
    const speed = speedDetailOf(r.speed);
    return {
      vehicleType: r.vehicle_type,
      plate: r.plate_text,
      plateColour: r.plate_colour,
      occurredAt: r.occurred_at.toISOString(),
      place: dir.place(r.camera_id),
      offence: dir.offence(r.type, r.vehicle_type, r.occurred_at, speed?.excessKmh ?? null),
      ...(speed
        ? {
            speed: {
              measuredKmh: speed.measuredKmh,
              uncertaintyKmh: speed.uncertaintyKmh,
              toleranceKmh: speed.toleranceKmh,
              reducedKmh: speed.reducedKmh,
              limitKmh: speed.limitKmh,
            },
          }
        : {}),
      status: r.status === 'approved' ? 'pending_notice' : (r.status as PublicViolation['status']),
      detectingUnit: dir.agency(r.agency_id).name,
      resolvingUnit: resolving.name,
      resolvingPhone: resolving.phone,
      resolvingAddress: resolving.address,
    };
  });
}

export interface PublicEvidence {
  kind: string;
  contentType: string;
  sha256: string;
  url: string;
}

/** The case's evidence as links valid `seconds`; an item replaced in storage is left out and the failure audited. */
export async function publicEvidence(db: Db, clock: Clock, storage: StorageLike, caseId: string, use: string, seconds: number): Promise<PublicEvidence[]> {
  const ev = await db.query<StoredEvidence & { kind: string; content_type: string }>(
    'SELECT id, kind, bucket, key, sha256, content_type FROM case_evidence WHERE case_id = $1 ORDER BY captured_at, kind',
    [caseId],
  );
  const checked = await Promise.all(ev.rows.map(async (e) => ({ e, integrity: (await checkEvidence(db, storage, e)).integrity })));
  const bad = checked.filter((c) => c.integrity !== 'ok');
  if (bad.length > 0)
    await auditIntegrityFailure(db, clock, { id: null, name: 'citizen' }, 'case', caseId, {
      use,
      items: bad.map((b) => ({ kind: b.e.kind, integrity: b.integrity })),
    });
  return Promise.all(
    checked
      .filter((c) => c.integrity === 'ok')
      .map(async ({ e }) => ({
        kind: e.kind,
        contentType: e.content_type,
        sha256: e.sha256,
        url: await storage.presignedGet(e.bucket as BucketName, e.key, seconds),
      })),
  );
}

/** Published cases of a canonical plate for a vehicle kind (car: cars, buses and trucks), newest first. */
export async function publishedCasesOfPlate(db: Db, dir: PublicDirectory, plate: string, vehicleType: 'car' | 'motorbike'): Promise<PublicViolation[]> {
  const types = vehicleType === 'motorbike' ? ['motorbike'] : ['car', 'bus', 'truck'];
  // Named (prepared) statement: planning this join costs far more than running it on the index.
  const { rows } = await db.query<PublicRow>({ name: 'public-lookup', text: LOOKUP_SQL, values: [plate, types] });
  return toPublic(dir, rows);
}

/** A published case by its public token, with links (valid `seconds`) to its intact evidence; 404 otherwise. */
export async function publishedCase(
  db: Db,
  clock: Clock,
  storage: StorageLike,
  dir: PublicDirectory,
  token: string,
  seconds: number,
): Promise<PublicCaseResponse> {
  const { rows } = await db.query<PublicRow>({ name: 'public-case', text: PUBLIC_CASE_SQL, values: [token] });
  const r = rows[0];
  if (!r) throw new NotFoundError('no such case');
  const evidence = await publicEvidence(db, clock, storage, r.id, 'public view', seconds);
  return { violation: (await toPublic(dir, [r]))[0]!, evidence, expiresInSeconds: seconds };
}
