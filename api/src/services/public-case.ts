// What a citizen may see of a case (Circular 73/2024 Art. 24: the published fields, never owner identity) and its
// evidence as short-lived links, only items that still hash as recorded. Shared by the public lookup, the QR link
// and the signed-in citizen's own cases.
import type { Db } from '@phatnguoi/core/db';
import type { PublicViolation } from '@phatnguoi/core/contracts/api/lookup';
import type { BucketName } from '@phatnguoi/core/storage';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import { auditIntegrityFailure, checkObject } from './integrity';
import type { PublicDirectory } from './public-directory';

export const PUBLIC_COLUMNS = 'c.id, c.camera_id, c.agency_id, c.resolving_agency_id, c.type, c.vehicle_type, c.plate_text, c.plate_colour, c.occurred_at, c.status';
export const PUBLISHED = "c.status IN ('approved', 'notified', 'escalated', 'resolved', 'lapsed')";

export interface PublicRow {
  id: string; camera_id: string; agency_id: string; resolving_agency_id: string | null; type: string;
  vehicle_type: PublicViolation['vehicleType']; plate_text: string; plate_colour: PublicViolation['plateColour']; occurred_at: Date; status: string;
}

export async function toPublic(dir: PublicDirectory, rows: PublicRow[]): Promise<PublicViolation[]> {
  await dir.ensure({ cameraIds: rows.map((r) => r.camera_id), agencyIds: rows.flatMap((r) => [r.agency_id, r.resolving_agency_id ?? r.agency_id]) });
  return rows.map((r) => {
    const resolving = dir.agency(r.resolving_agency_id ?? r.agency_id);
    return {
      vehicleType: r.vehicle_type, plate: r.plate_text, plateColour: r.plate_colour, occurredAt: r.occurred_at.toISOString(), place: dir.place(r.camera_id),
      offence: dir.offence(r.type, r.vehicle_type, r.occurred_at), status: r.status === 'approved' ? 'pending_notice' : (r.status as PublicViolation['status']),
      detectingUnit: dir.agency(r.agency_id).name, resolvingUnit: resolving.name, resolvingPhone: resolving.phone, resolvingAddress: resolving.address,
    };
  });
}

export interface PublicEvidence { kind: string; contentType: string; sha256: string; url: string }

/** The case's evidence as links valid `seconds`; an item replaced in storage is left out and the failure audited. */
export async function publicEvidence(db: Db, clock: Clock, storage: StorageLike | undefined, caseId: string, use: string, seconds: number): Promise<PublicEvidence[]> {
  if (!storage) return [];
  const ev = await db.query<{ kind: string; bucket: string; key: string; sha256: string; content_type: string }>(
    'SELECT kind, bucket, key, sha256, content_type FROM case_evidence WHERE case_id = $1 ORDER BY captured_at, kind', [caseId]);
  const checked = await Promise.all(ev.rows.map(async (e) => ({ e, integrity: (await checkObject(storage, e.bucket, e.key, e.sha256)).integrity })));
  const bad = checked.filter((c) => c.integrity !== 'ok');
  if (bad.length > 0) await auditIntegrityFailure(db, clock, { id: null, name: 'citizen' }, 'case', caseId, { use, items: bad.map((b) => ({ kind: b.e.kind, integrity: b.integrity })) });
  return Promise.all(checked.filter((c) => c.integrity === 'ok').map(async ({ e }) => ({
    kind: e.kind, contentType: e.content_type, sha256: e.sha256, url: await storage.presignedGet(e.bucket as BucketName, e.key, seconds),
  })));
}
