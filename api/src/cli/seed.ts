// npm run -w api seed: demo agency, users per role (passwords printed), cameras, registry owners and
// cases in every state of the workflow. Safe to run again (agencies, users and owners are upserted;
// cases are keyed by their idempotency key).
import { loadConfig } from '@phatnguoi/core/config';
import { createPool, withTransaction } from '@phatnguoi/core/db';
import { createStorage } from '@phatnguoi/core/storage';
import sharp from 'sharp';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { systemClock } from '../clock';
import { createCaseFromEvent, type Actor } from '../services/cases';
import { createAgency, createCamera, createRegistryEntry, createUser, demoEvent, storeDemoEvidence } from '../seed/demo';
import { appendAudit } from '../audit/chain';
import { seedSimulatedOwners } from '../seed/demo-registry';

const config = loadConfig();
const db = createPool(config.databaseUrl, { max: 2, applicationName: 'api-seed' });
const password = (role: string) => process.env.SEED_PASSWORD ?? `demo-${role}-2025`;

const agency = await createAgency(db, { code: 'PC08-TG', name: 'Phòng CSGT Công an tỉnh Tiền Giang', provinceCode: '63', phone: '0273 3872 000', address: '1 Lê Lợi, phường 1, TP Mỹ Tho, Tiền Giang' });
await createAgency(db, { code: 'CAX-MT-P1', name: 'Công an phường 1, TP Mỹ Tho', provinceCode: '63', commune: 'Phường 1', phone: '0273 3870 111', address: '10 Hùng Vương, TP Mỹ Tho', kind: 'commune_police' });
await createAgency(db, { code: 'PC08-HCM', name: 'Phòng CSGT Công an TP Hồ Chí Minh', provinceCode: '79', phone: '028 3920 0000', address: '459 Trần Hưng Đạo, Quận 1, TP HCM' });

const existing = await db.query<{ id: string }>('SELECT id FROM cameras WHERE agency_id = $1', [agency]);
if (existing.rows.length < 3) {
  await createCamera(db, { agencyId: agency, name: 'Ngã tư Lê Lợi - Hùng Vương', address: 'TP Mỹ Tho, Tiền Giang', lat: 10.3597, lng: 106.3654 });
  await createCamera(db, { agencyId: agency, name: 'Vòng xoay Ấp Bắc', address: 'QL1A, TP Mỹ Tho', lat: 10.3702, lng: 106.3501 });
  await createCamera(db, { agencyId: agency, name: 'Cầu Rạch Miễu (đầu Tiền Giang)', address: 'QL60, Châu Thành', lat: 10.3287, lng: 106.3416 });
}
// Same order on every run, so the demo cases keep their identity.
const cameras = (await db.query<{ id: string }>('SELECT id FROM cameras WHERE agency_id = $1 ORDER BY name, id', [agency])).rows.map((r) => r.id);

const users: { username: string; role: Role; agencyId: string | null; displayName: string }[] = [
  { username: 'canbo1', role: 'officer', agencyId: agency, displayName: 'Cán bộ Nguyễn Văn An' },
  { username: 'canbo2', role: 'officer', agencyId: agency, displayName: 'Cán bộ Lê Thị Bình' },
  { username: 'chihuy1', role: 'supervisor', agencyId: agency, displayName: 'Chỉ huy Trần Văn Cường' },
  { username: 'chihuy2', role: 'supervisor', agencyId: agency, displayName: 'Chỉ huy Phạm Thị Dung' },
  { username: 'vanhanh', role: 'operator', agencyId: null, displayName: 'Trực ban IOC' },
  { username: 'quantri', role: 'admin', agencyId: null, displayName: 'Quản trị hệ thống' },
];
const ids: Record<string, string> = {};
for (const u of users) ids[u.username] = await createUser(db, { ...u, password: password(u.role) });

const owners = [
  { plate: '63A-123.45', vehicleType: 'car', ownerName: 'Nguyễn Văn Hùng', address: '12 Ấp Bắc, phường 5, TP Mỹ Tho', provinceCode: '63', email: 'hung@example.vn', phone: '0901000001' },
  { plate: '63A-678.90', vehicleType: 'car', ownerName: 'Công ty TNHH Vận tải Mekong', address: '88 QL1A, Châu Thành, Tiền Giang', provinceCode: '63', plateColour: 'yellow', email: null, phone: '0901000002' },
  { plate: '51G-246.80', vehicleType: 'car', ownerName: 'Trần Thị Lan', address: '20 Nguyễn Huệ, Quận 1, TP HCM', provinceCode: '79', email: 'lan@example.vn', phone: null },
  { plate: '63-B1 234.56', vehicleType: 'motorbike', ownerName: 'Lê Văn Tám', address: '5 Trưng Trắc, phường 1, TP Mỹ Tho', provinceCode: '63', email: null, phone: '0901000004' },
  { plate: '63-K1 111.22', vehicleType: 'motorbike', ownerName: 'Võ Thị Mai', address: '7 Lý Thường Kiệt, TP Mỹ Tho', provinceCode: '63', email: 'mai@example.vn', phone: '0901000005' },
  { plate: '59-T1 202.45', vehicleType: 'motorbike', ownerName: 'Đặng Quốc Bảo', address: '3 Lê Lai, Quận 1, TP HCM', provinceCode: '79', email: null, phone: '0901000006' },
];
for (const [i, o] of owners.entries()) await createRegistryEntry(db, { ...o, idNumber: `0820900000${String(i + 1).padStart(2, '0')}` });
console.log(`registry: ${(await seedSimulatedOwners(db)).vehicles} owners of the simulated vehicles`);

// Evidence stills when storage answers; cases without evidence otherwise.
let storage: ReturnType<typeof createStorage> | null = createStorage(config);
try {
  await storage.ensureBuckets();
} catch {
  storage = null;
}
async function still(label: string, key: string, at: Date) {
  if (!storage) return [];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360" fill="#2d3b4a"/><rect x="0" y="250" width="640" height="6" fill="#fff"/><circle cx="600" cy="40" r="18" fill="#e33"/><text x="30" y="60" font-size="28" fill="#fff">${label}</text><text x="30" y="330" font-size="18" fill="#ccc">${at.toISOString()}</text></svg>`;
  const jpeg = await sharp(Buffer.from(svg)).jpeg().toBuffer();
  return [await storeDemoEvidence(storage, key, jpeg, at)];
}

const plates: [string | null, 'car' | 'motorbike', number][] = [
  ['63A-123.45', 'car', 0.95], ['63-B1 234.56', 'motorbike', 0.91], ['63-K1 111.22', 'motorbike', 0.62], ['51G-246.80', 'car', 0.88],
  [null, 'motorbike', 0.2], ['63A-999.01', 'car', 0.9], ['63A-678.90', 'car', 0.97], ['59-T1 202.45', 'motorbike', 0.83],
];
const now = systemClock.now();
let created = 0;
const caseIds: string[] = [];
for (let i = 0; i < 24; i++) {
  const [plate, cls, conf] = plates[i % plates.length]!;
  const occurredAt = new Date(now.getTime() - (i * 7 + 1) * 3600_000);
  const camera = cameras[i % cameras.length]!;
  const trackId = `seed-${i}`;
  const types = ['red_light', 'wrong_lane', 'wrong_way'] as const;
  const ev = demoEvent({ cameraId: camera, trackId, plate, confidence: conf, vehicleClass: cls, occurredAt: new Date(Math.floor(occurredAt.getTime() / 3600_000) * 3600_000 - i * 1000), type: types[i % 3]! });
  // Stable identity across runs (the times move with the clock): the same demo case is never created twice.
  ev.phaseId = `seed-${i}`;
  ev.idempotencyKey = `${ev.cameraId}:${ev.trackId}:${ev.type}:${ev.phaseId}`;
  ev.evidence = await still(plate ?? 'không đọc được biển', `seed/${trackId}/scene_after.jpg`, new Date(ev.occurredAt));
  const out = await createCaseFromEvent(db, systemClock, ev);
  if (out.created) created += 1;
  caseIds.push(out.caseId);
}

// Move some cases along the workflow so every screen has something to show.
const officer: Actor = { id: ids.canbo1!, name: 'canbo1' };
const supervisor: Actor = { id: ids.chihuy1!, name: 'chihuy1' };
async function advance(caseId: string, to: 'confirmed' | 'approved' | 'rejected') {
  await withTransaction(db, async (tx) => {
    const c = await tx.query<{ status: string; plate_text: string | null }>('SELECT status, plate_text FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
    if (c.rows[0]?.status !== 'detected' || (to !== 'rejected' && !c.rows[0].plate_text)) return;
    const at = systemClock.now();
    if (to === 'rejected') {
      await tx.query(`UPDATE cases SET status = 'rejected', rejected_by = $2, rejected_reason = 'image_unclear', updated_at = $3 WHERE id = $1`, [caseId, officer.id, at]);
      await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1`, [caseId]);
    } else {
      await tx.query(`UPDATE cases SET status = 'confirmed', confirmed_by = $2, confirmed_at = $3, updated_at = $3 WHERE id = $1`, [caseId, officer.id, at]);
      await appendAudit(tx, { at, actorId: officer.id, actor: officer.name, action: 'case.confirm', entity: 'case', entityId: caseId, data: { from: 'detected', to: 'confirmed', seed: true } });
      if (to === 'approved') {
        await tx.query(`UPDATE cases SET status = 'approved', approved_by = $2, approved_at = $3 WHERE id = $1`, [caseId, supervisor.id, at]);
        await appendAudit(tx, { at, actorId: supervisor.id, actor: supervisor.name, action: 'case.approve', entity: 'case', entityId: caseId, data: { from: 'confirmed', to: 'approved', seed: true } });
        return;
      }
      return;
    }
    await appendAudit(tx, { at, actorId: officer.id, actor: officer.name, action: 'case.reject', entity: 'case', entityId: caseId, data: { from: 'detected', to: 'rejected', reason: 'image_unclear', seed: true } });
  });
}
for (const i of [8, 9, 10, 11]) await advance(caseIds[i]!, 'confirmed');
for (const i of [12, 13, 14, 15]) await advance(caseIds[i]!, 'approved');
await advance(caseIds[16]!, 'rejected');

console.log(`seeded: agency PC08-TG, ${cameras.length} cameras, ${owners.length} registry vehicles, ${created} new cases (${caseIds.length} in the demo set)`);
console.log('demo users (username / password / role):');
for (const u of users) console.log(`  ${u.username.padEnd(8)} ${password(u.role).padEnd(22)} ${u.role}`);
console.log('note: deadlines of seeded cases are stored in case_deadlines; the api worker fires them when due (minute sweep).');
await db.end();
