// Registry CSV imports (issue 22, item 6, in part): an 18.7 MB file of bad rows came back as a 42 MB reply echoing
// the input and held the event loop. The file is now read by a background job as a stream; its report is bounded
// and quotes at most 40 characters of a value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRegistryCsv, loginAs, startHarness, type Harness } from '../helpers';
import { MAX_REPORTED_REJECTIONS } from '../../src/services/registry';

let h: Harness;
let admin = '';
beforeAll(async () => {
  h = await startHarness();
  admin = await loginAs(h.app, 'admin1');
});
afterAll(async () => h?.close());

const HEADER = 'plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone\n';

describe('registry import report (item 6)', () => {
  it('many bad rows give a bounded report that does not echo the input; good rows are still imported', async () => {
    const long = 'X'.repeat(2000);
    const bad = Array.from({ length: 3000 }, (_, i) => `${long}${i},white,car,,,A,${i},x,63,,,`).join('\n');
    const good = '63A-555.55,white,car,,,Chủ Xe,082099999999,1 Đường A,63,,,';
    const body = `${HEADER}${bad}\n${good}\n`;
    const report = await importRegistryCsv(h, admin, body, 'bad-rows.csv');
    expect(report.status).toBe('done');
    expect(report.accepted).toBe(1);
    expect(report.rejectedCount).toBe(3000);
    expect(report.rejected).toHaveLength(MAX_REPORTED_REJECTIONS);
    expect(report.rejected[0]).toEqual({ line: 2, reason: `invalid plate "${'X'.repeat(40)}…"` });
    expect(JSON.stringify(report).length).toBeLessThan(20_000);
    expect(report.bytesRead).toBe(report.bytesTotal);
    expect(body.length).toBeGreaterThan(6_000_000);
    const audit = (await h.db.pool.query("SELECT data FROM audit_log WHERE action = 'registry.import' ORDER BY seq DESC LIMIT 1")).rows[0];
    expect(audit.data).toEqual({ fileName: 'bad-rows.csv', accepted: 1, rejected: 3000 });
  });
});
