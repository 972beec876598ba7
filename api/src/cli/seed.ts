// npm run -w api seed: the demo's data. Agencies, users per role (passwords printed), one camera per simulated scene
// the demo serves (DEMO_SCENARIOS on DEMO_CAMERA_PORT, core/src/demo-cameras.ts), registry owners, and cases that the
// detector's pipeline produced from those scenes (api/src/seed/scene-cases.ts: clip, stills, crops, its own rule
// text), some moved along the workflow so every screen has something to show. `npm run demo` renders the scenes first;
// run alone, the seed needs them rendered (`npm run sim -- render <scenario>`).
// Safe to run again: nothing is created twice, and a password changed since the last run is kept.
//   seed.ts            everything
//   seed.ts --no-cases everything but the scene cases (quick: what `npm run demo` runs before starting the roles)
//   seed.ts --cases    the scene cases (with the cameras they belong to; the demo runs it beside the roles)
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import argon2 from 'argon2';
import { loadConfig } from '@phatnguoi/core/config';
import { createPool, withTransaction } from '@phatnguoi/core/db';
import { createStorage } from '@phatnguoi/core/storage';
import { DEMO_AGENCY_CODE, demoCameras, demoScene, upsertDemoCameras } from '@phatnguoi/core/demo-cameras';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { systemClock } from '../clock';
import type { Actor } from '../services/cases';
import { createAgency, createRegistryEntry, ensureUser } from '../seed/demo';
import { registerScenePlates, seedSceneCases } from '../seed/scene-cases';
import { appendAudit, useAuditMacKey } from '../audit/chain';
import { loadAuditAnchorSettings } from '../settings';
import { seedSimulatedOwners } from '../seed/demo-registry';

const config = loadConfig();
useAuditMacKey(loadAuditAnchorSettings().key);
const db = createPool(config.databaseUrl, { max: 2, applicationName: 'api-seed' });
const password = (role: string) => process.env.SEED_PASSWORD ?? `demo-${role}-2025`;
const say = (line: string) => console.log(line);
const { values: flags } = parseArgs({ options: { 'no-cases': { type: 'boolean' }, cases: { type: 'boolean' } } });
if (flags['no-cases'] && flags.cases) throw new Error('seed: --no-cases and --cases exclude each other');
const withCases = !flags['no-cases'];
const basics = !flags.cases;

try {
  try {
    await createStorage(config).ensureBuckets();
  } catch (err) {
    throw new Error(
      `object storage (${config.s3.endPoint}:${config.s3.port}) did not answer: ${(err as Error).message}; the demo cases keep their evidence there`,
    );
  }

  const agency = await createAgency(db, {
    code: DEMO_AGENCY_CODE,
    name: 'Phòng CSGT Công an tỉnh Tiền Giang',
    provinceCode: '63',
    phone: '0273 3872 000',
    address: '1 Lê Lợi, phường 1, TP Mỹ Tho, Tiền Giang',
  });
  await createAgency(db, {
    code: 'CAX-MT-P1',
    name: 'Công an phường 1, TP Mỹ Tho',
    provinceCode: '63',
    commune: 'Phường 1',
    phone: '0273 3870 111',
    address: '10 Hùng Vương, TP Mỹ Tho',
    kind: 'commune_police',
  });
  await createAgency(db, {
    code: 'PC08-HCM',
    name: 'Phòng CSGT Công an TP Hồ Chí Minh',
    provinceCode: '79',
    phone: '028 3920 0000',
    address: '459 Trần Hưng Đạo, Quận 1, TP HCM',
  });

  const users: { username: string; role: Role; agencyId: string | null; displayName: string }[] = [
    { username: 'canbo1', role: 'officer', agencyId: agency, displayName: 'Cán bộ Nguyễn Văn An' },
    { username: 'canbo2', role: 'officer', agencyId: agency, displayName: 'Cán bộ Lê Thị Bình' },
    { username: 'chihuy1', role: 'supervisor', agencyId: agency, displayName: 'Chỉ huy Trần Văn Cường' },
    { username: 'chihuy2', role: 'supervisor', agencyId: agency, displayName: 'Chỉ huy Phạm Thị Dung' },
    { username: 'vanhanh', role: 'operator', agencyId: null, displayName: 'Trực ban IOC' },
    { username: 'quantri', role: 'admin', agencyId: null, displayName: 'Quản trị hệ thống' },
  ];
  const ids: Record<string, string> = {};
  const kept: string[] = [];
  for (const u of users) {
    const r = await ensureUser(db, { ...u, password: password(u.role) });
    ids[u.username] = r.id;
    if (!r.created) {
      const hash = (await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [r.id])).rows[0]!.password_hash;
      if (!(await argon2.verify(hash, password(u.role)).catch(() => false))) kept.push(u.username);
    }
  }

  // Owners with e-mail and phone for notices; the scenes' own vehicles are registered below.
  const owners = [
    {
      plate: '63A-123.45',
      vehicleType: 'car',
      ownerName: 'Nguyễn Văn Hùng',
      address: '12 Ấp Bắc, phường 5, TP Mỹ Tho',
      provinceCode: '63',
      email: 'hung@example.vn',
      phone: '0901000001',
    },
    {
      plate: '63A-678.90',
      vehicleType: 'car',
      ownerName: 'Công ty TNHH Vận tải Mekong',
      address: '88 QL1A, Châu Thành, Tiền Giang',
      provinceCode: '63',
      plateColour: 'yellow',
      email: null,
      phone: '0901000002',
    },
    {
      plate: '51G-246.80',
      vehicleType: 'car',
      ownerName: 'Trần Thị Lan',
      address: '20 Nguyễn Huệ, Quận 1, TP HCM',
      provinceCode: '79',
      email: 'lan@example.vn',
      phone: null,
    },
    {
      plate: '63-B1 234.56',
      vehicleType: 'motorbike',
      ownerName: 'Lê Văn Tám',
      address: '5 Trưng Trắc, phường 1, TP Mỹ Tho',
      provinceCode: '63',
      email: null,
      phone: '0901000004',
    },
    {
      plate: '63-K1 111.22',
      vehicleType: 'motorbike',
      ownerName: 'Võ Thị Mai',
      address: '7 Lý Thường Kiệt, TP Mỹ Tho',
      provinceCode: '63',
      email: 'mai@example.vn',
      phone: '0901000005',
    },
    {
      plate: '59-T1 202.45',
      vehicleType: 'motorbike',
      ownerName: 'Đặng Quốc Bảo',
      address: '3 Lê Lai, Quận 1, TP HCM',
      provinceCode: '79',
      email: null,
      phone: '0901000006',
    },
  ];
  for (const [i, o] of owners.entries()) await createRegistryEntry(db, { ...o, idNumber: `0820900000${String(i + 1).padStart(2, '0')}` });

  // One camera per simulated scene, at the address the demo serves it on.
  const scenes = demoCameras(process.env);
  const cameraIds = await upsertDemoCameras(db, agency, scenes);
  let sceneVehicles = 0;
  for (const c of scenes) {
    const scene = demoScene(c);
    if (scene.rendered) sceneVehicles += await registerScenePlates(db, scene.truth);
  }
  say(`registry: ${(await seedSimulatedOwners(db)).vehicles} owners of the simulated vehicles`);
  if (basics) {
    say(
      `seeded: agency ${DEMO_AGENCY_CODE}, ${scenes.length} simulated cameras (${scenes.map((c) => `${c.name}: ${c.scenario} at ${c.url}`).join('; ')}), ${owners.length} registry owners and ${sceneVehicles} vehicles of the scenes`,
    );
    say('demo users (username / password / role):');
    for (const u of users)
      say(`  ${u.username.padEnd(8)} ${(kept.includes(u.username) ? '(changed by a user; kept)' : password(u.role)).padEnd(26)} ${u.role}`);
  }
  if (withCases) await seedCases(ids, scenes, cameraIds);
} finally {
  await db.end();
}

async function seedCases(ids: Record<string, string>, scenes: ReturnType<typeof demoCameras>, cameraIds: string[]): Promise<void> {
  const storage = createStorage(config);
  const created = await db.query<{ id: string; created_at: Date }>('SELECT id, created_at FROM cameras WHERE id = ANY($1::uuid[])', [cameraIds]);
  const createdAt = new Map(created.rows.map((r) => [r.id, r.created_at]));
  const cases = await seedSceneCases({
    db,
    clock: systemClock,
    storage,
    cacheDir: join(config.dataDir, 'demo-seed'),
    cameras: scenes.map((c, i) => ({ id: cameraIds[i]!, name: c.name, address: c.address, scenario: c.scenario, createdAt: createdAt.get(cameraIds[i]!)! })),
    say,
  });

  // Move the oldest cases along the workflow so every screen has something to show; the newest stay in the queue.
  // Only a case still as the detector left it is moved, so a second run (or an officer's decision) is never undone.
  const officer: Actor = { id: ids.canbo1!, name: 'canbo1' };
  const supervisor: Actor = { id: ids.chihuy1!, name: 'chihuy1' };
  async function advance(caseId: string, to: 'confirmed' | 'approved' | 'rejected'): Promise<boolean> {
    return withTransaction(db, async (tx) => {
      const c = await tx.query<{ status: string; plate_text: string | null }>('SELECT status, plate_text FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
      if (c.rows[0]?.status !== 'detected' || (to !== 'rejected' && !c.rows[0].plate_text)) return false;
      const at = systemClock.now();
      if (to === 'rejected') {
        await tx.query(`UPDATE cases SET status = 'rejected', rejected_by = $2, rejected_reason = 'image_unclear', updated_at = $3 WHERE id = $1`, [
          caseId,
          officer.id,
          at,
        ]);
        await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1`, [caseId]);
        await appendAudit(tx, {
          at,
          actorId: officer.id,
          actor: officer.name,
          action: 'case.reject',
          entity: 'case',
          entityId: caseId,
          data: { from: 'detected', to: 'rejected', reason: 'image_unclear', seed: true },
        });
        return true;
      }
      await tx.query(`UPDATE cases SET status = 'confirmed', confirmed_by = $2, confirmed_at = $3, updated_at = $3 WHERE id = $1`, [caseId, officer.id, at]);
      await appendAudit(tx, {
        at,
        actorId: officer.id,
        actor: officer.name,
        action: 'case.confirm',
        entity: 'case',
        entityId: caseId,
        data: { from: 'detected', to: 'confirmed', seed: true },
      });
      if (to === 'approved') {
        await tx.query(`UPDATE cases SET status = 'approved', approved_by = $2, approved_at = $3 WHERE id = $1`, [caseId, supervisor.id, at]);
        await appendAudit(tx, {
          at,
          actorId: supervisor.id,
          actor: supervisor.name,
          action: 'case.approve',
          entity: 'case',
          entityId: caseId,
          data: { from: 'confirmed', to: 'approved', seed: true },
        });
      }
      return true;
    });
  }
  // The oldest cases with a plate read: approved, then confirmed; the oldest unread one rejected (the same choice on
  // every run, and advance() leaves a case alone once it has moved).
  {
    const rows = (await db.query<{ id: string; plate_text: string | null }>('SELECT id, plate_text FROM cases WHERE id = ANY($1::uuid[])', [cases.caseIds]))
      .rows;
    const plateOf = new Map(rows.map((r) => [r.id, r.plate_text]));
    const read = cases.caseIds.filter((id) => plateOf.get(id));
    const unread = cases.caseIds.filter((id) => !plateOf.get(id));
    const keepInQueue = Math.ceil(cases.caseIds.length / 3);
    const movable = read.slice(0, Math.max(0, read.length - keepInQueue));
    const plan: [string, 'approved' | 'confirmed' | 'rejected'][] = [
      ...movable.slice(0, Math.ceil(movable.length / 2)).map((id) => [id, 'approved'] as [string, 'approved']),
      ...movable.slice(Math.ceil(movable.length / 2)).map((id) => [id, 'confirmed'] as [string, 'confirmed']),
      ...(unread.length > 1 ? [[unread[0]!, 'rejected'] as [string, 'rejected']] : []),
    ];
    for (const [id, to] of plan) await advance(id, to);
  }

  const byStatus = (
    await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM cases WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status', [
      cases.caseIds,
    ])
  ).rows;
  say(
    `seeded cases from the scenes: ${cases.created} new (${cases.caseIds.length} in all: ${byStatus.map((r) => `${r.n} ${r.status}`).join(', ') || 'none'}); deadlines are in case_deadlines, the api worker fires them when due`,
  );
}
