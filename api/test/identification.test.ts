// Vehicle identification as a workflow step (Circular 73/2024 Art. 24.1), against real PostgreSQL, Redis and S3:
// an unknown plate blocks approval until the vehicle is picked in the registry, its owner entered, or the case routed;
// search by partial plate, type and colour; access per role and agency; every step audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, startHarness, type Harness } from './helpers';
import { demoEvent } from '../src/seed/demo';
import { createCaseFromEvent } from '../src/services/cases';
import { verifyAuditChain } from '../src/audit/chain';
import { demoOwnerOf, seedSimulatedOwners, simulatedVehicles } from '../src/seed/demo-registry';

let h: Harness;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'officer2', 'super1', 'super2', 'officerhn', 'operator1']) tokens[u] = await loginAs(h.app, u);
});
afterAll(async () => h?.close());

const req = (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  h.app.inject({ method, url, headers: bearer(tokens[user]!), ...(payload ? { payload } : {}) });

async function newCase(plate: string, vehicleClass: 'car' | 'motorbike'): Promise<string> {
  const ev = demoEvent({ cameraId: h.ids.camera, plate, vehicleClass, occurredAt: new Date(Date.now() - 3600_000) });
  return (await createCaseFromEvent(h.db.pool, h.clock, ev)).caseId;
}

async function confirmAs(user: string, id: string) {
  expect((await req(user, 'POST', `/api/cases/${id}/claim`)).statusCode).toBe(200);
  const res = await req(user, 'POST', `/api/cases/${id}/confirm`, {});
  expect(res.statusCode).toBe(200);
}

describe('vehicle identification', () => {
  it('an unknown plate says so, blocks approval, and is identified by picking a registry vehicle found by partial plate', async () => {
    await h.db.pool.query(
      `INSERT INTO registry_owners (full_name, id_number, address, province_code, email, phone) VALUES ('Phạm Văn Đúng', '082090000077', '9 Hùng Vương, Mỹ Tho', '63', 'dung@example.vn', '0900000077')`,
    );
    await h.db.pool.query(`INSERT INTO registry_vehicles (plate, plate_colour, vehicle_type, brand, colour, owner_id)
                           SELECT '63A-555.21', 'white', 'car', 'Toyota Vios', 'Đỏ', id FROM registry_owners WHERE id_number = '082090000077'`);
    // the detector misread one digit: 63A-555.27 is not registered
    const id = await newCase('63A-555.27', 'car');
    const before = (await req('officer1', 'GET', `/api/cases/${id}/identification`)).json() as { state: string; vehicle: unknown };
    expect(before).toMatchObject({ state: 'not_in_registry', vehicle: null });
    await confirmAs('officer1', id);
    const blocked = await req('super1', 'POST', `/api/cases/${id}/approve`, {});
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ error: 'owner_unknown' });

    const search = await req('super1', 'GET', `/api/registry/search?plate=${encodeURIComponent('555.2')}&vehicleType=car&colour=%C4%91%E1%BB%8F&caseId=${id}`);
    expect(search.statusCode).toBe(200);
    const hits = (search.json() as { items: { vehicle: { plate: string; brand: string }; owner: { fullName: string } }[] }).items;
    expect(hits.map((x) => x.vehicle.plate)).toEqual(['63A-555.21']);
    expect(hits[0]!.owner.fullName).toBe('Phạm Văn Đúng');
    // a colour that does not match finds nothing
    const none = await req('super1', 'GET', `/api/registry/search?plate=5552&colour=${encodeURIComponent('Trắng')}`);
    expect((none.json() as { items: unknown[] }).items).toEqual([]);

    const picked = await req('super1', 'POST', `/api/cases/${id}/identify`, { method: 'registry', plate: '63A-555.21', note: 'số cuối đọc sai' });
    expect(picked.statusCode).toBe(200);
    expect(picked.json()).toMatchObject({ identification: { state: 'identified', vehicle: { plate: '63A-555.21', brand: 'Toyota Vios', colour: 'Đỏ' } } });
    const row = (await h.db.pool.query('SELECT plate_text, plate_original, manual_handling, owner_id IS NOT NULL AS has_owner FROM cases WHERE id = $1', [id]))
      .rows[0];
    expect(row).toEqual({ plate_text: '63A-555.21', plate_original: '63A-555.27', manual_handling: false, has_owner: true });
    expect((await req('super1', 'POST', `/api/cases/${id}/approve`, {})).json()).toMatchObject({ status: 'approved' });
    const actions = (await h.db.pool.query(`SELECT action, data FROM audit_log WHERE entity = 'case' AND entity_id = $1 ORDER BY seq`, [id])).rows;
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['registry.searched', 'case.owner_identified', 'case.approve']));
    expect(actions.find((a) => a.action === 'case.owner_identified')!.data).toMatchObject({
      method: 'registry',
      plate: '63A-555.21',
      previousPlate: '63A-555.27',
    });
  });

  it('an officer enters the owner from the registration papers; bad fields are refused and change nothing', async () => {
    const id = await newCase('63-C1 777.01', 'motorbike');
    expect((await req('officer1', 'POST', `/api/cases/${id}/claim`)).statusCode).toBe(200);
    const owner = {
      fullName: 'Lâm Thị Hồng',
      idNumber: '082190000555',
      address: '14 Nguyễn Trãi, phường 2, TP Mỹ Tho',
      provinceCode: '63',
      phone: '0911222333',
      email: 'hong@example.vn',
    };
    const bad = await req('officer1', 'POST', `/api/cases/${id}/identify`, {
      method: 'manual',
      plateColour: 'white',
      owner: { ...owner, idNumber: '12ab' },
      note: 'Giấy đăng ký xe',
    });
    expect(bad.statusCode).toBe(400);
    const noNote = await req('officer1', 'POST', `/api/cases/${id}/identify`, { method: 'manual', plateColour: 'white', owner });
    expect(noNote.statusCode).toBe(400);
    expect((await h.db.pool.query(`SELECT count(*)::int AS n FROM registry_vehicles WHERE plate = '63-C1 777.01'`)).rows[0].n).toBe(0);
    // another officer of the agency may not touch a case held by the first
    expect((await req('officer2', 'POST', `/api/cases/${id}/identify`, { method: 'manual', plateColour: 'white', owner, note: 'x' })).statusCode).toBe(409);
    // nor an officer of another agency (the case does not exist for them)
    expect((await req('officerhn', 'POST', `/api/cases/${id}/identify`, { method: 'manual', plateColour: 'white', owner, note: 'x' })).statusCode).toBe(404);
    expect((await req('operator1', 'GET', '/api/registry/search?plate=63C1')).statusCode).toBe(403);

    const ok = await req('officer1', 'POST', `/api/cases/${id}/identify`, {
      method: 'manual',
      plateColour: 'white',
      brand: 'Honda Vision',
      colour: 'Trắng',
      owner,
      note: 'Giấy đăng ký xe do chủ xe xuất trình',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      identification: { state: 'identified', vehicle: { plate: '63-C1 777.01', vehicleType: 'motorbike', source: 'manual' } },
    });
    const v = (await h.db.pool.query(`SELECT source, entered_by FROM registry_vehicles WHERE plate = '63-C1 777.01'`)).rows[0];
    expect(v).toEqual({ source: 'manual', entered_by: h.ids.users.officer1 });
    // entering it twice is refused: it is in the registry now
    expect((await req('officer1', 'POST', `/api/cases/${id}/identify`, { method: 'manual', plateColour: 'white', owner, note: 'x' })).json()).toMatchObject({
      error: 'plate_in_registry',
    });
  });

  it("a case is routed to the police of the owner's locality, who then see it; the notice still needs the owner", async () => {
    const id = await newCase('63A-444.44', 'car');
    const units = (await req('officer1', 'GET', '/api/police-units')).json() as { items: { id: string; code: string }[] };
    const hn = units.items.find((u) => u.code === 'PC08-HN')!;
    expect((await req('officerhn', 'GET', `/api/cases/${id}`)).statusCode).toBe(404);
    const missingReason = await req('officer1', 'POST', `/api/cases/${id}/route`, { agencyId: hn.id });
    expect(missingReason.statusCode).toBe(400);
    const routed = await req('officer1', 'POST', `/api/cases/${id}/route`, { agencyId: hn.id, reason: 'Chủ xe cư trú tại Hà Nội' });
    expect(routed.statusCode).toBe(200);
    expect(routed.json()).toMatchObject({ identification: { routed: true, resolvingAgency: { code: 'PC08-HN' } } });
    expect((await req('officerhn', 'GET', `/api/cases/${id}`)).statusCode).toBe(200);
    // routed without a known owner: approval may go ahead (the receiving unit identifies the owner); the notice may not
    await confirmAs('officer1', id);
    expect((await req('super1', 'POST', `/api/cases/${id}/approve`, {})).json()).toMatchObject({ status: 'approved' });
    expect((await req('super1', 'POST', `/api/cases/${id}/notice`)).json()).toMatchObject({ error: 'owner_unknown' });
    const audit = (await h.db.pool.query(`SELECT data FROM audit_log WHERE entity_id = $1 AND action = 'case.routed'`, [id])).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0].data).toMatchObject({ to: hn.id, reason: 'Chủ xe cư trú tại Hà Nội' });
    expect(await verifyAuditChain(h.db.pool)).toMatchObject({ ok: true });
  });

  it('the demo registry holds the owners of the simulated vehicles, the same on every run', async () => {
    const vehicles = await simulatedVehicles(['red-light-runners'], '/nonexistent');
    expect(vehicles.length).toBeGreaterThan(10);
    const first = await seedSimulatedOwners(h.db.pool, ['red-light-runners'], '/nonexistent');
    const again = await seedSimulatedOwners(h.db.pool, ['red-light-runners'], '/nonexistent');
    expect(first.added).toBe(vehicles.length);
    expect(again.added).toBe(0);
    const v = vehicles[0]!;
    const row = (
      await h.db.pool.query(
        `SELECT o.full_name, o.email, o.phone, v.source FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = $1`,
        [v.plate],
      )
    ).rows[0];
    expect(row).toEqual({ full_name: demoOwnerOf(v).fullName, email: demoOwnerOf(v).email, phone: demoOwnerOf(v).phone, source: 'demo' });
    // a live case with a simulated plate is identified at once
    const id = await newCase(v.plate, v.vehicleType === 'motorbike' ? 'motorbike' : 'car');
    expect(((await req('officer1', 'GET', `/api/cases/${id}/identification`)).json() as { state: string }).state).toBe('identified');
  });
});
