import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@phatnguoi/core/testing/database';
import { casesFromDatabase } from '../src/eval/from-db';

// Real PostgreSQL: a `cases` table shaped like the api's (plus columns the evaluator does not know),
// in its own schema so it never collides with the api's migrations in the template.
let db: TestDatabase;
let url: string;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`CREATE SCHEMA simeval`);
  await db.pool.query(
    `CREATE TABLE simeval.cases (id serial PRIMARY KEY, camera_id text, type text, track_id text, occurred_at timestamptz, plate_text text, status text)`,
  );
  await db.pool.query(
    `INSERT INTO simeval.cases (camera_id, type, track_id, occurred_at, plate_text, status) VALUES
      ('cam-1', 'red_light', '7', '2026-01-01T00:00:05.5Z', '29-B1 123.45', 'new'),
      ('cam-1', 'wrong_lane', '9', '2026-01-01T00:00:12Z', NULL, 'new'),
      ('cam-2', 'red_light', '1', '2026-01-01T00:00:06Z', '30A-111.11', 'new'),
      ('cam-1', 'red_light', '3', '2026-01-01T01:00:00Z', NULL, 'new')`,
  );
  url = `${db.url}${db.url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c search_path=simeval')}`;
});
afterAll(async () => {
  await db?.drop();
});

describe('cases from the database', () => {
  it('reads one camera and time window, times relative to the video start', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const rows = await casesFromDatabase({ url, cameraId: 'cam-1', start, end: new Date('2026-01-01T00:01:00Z') });
    expect(rows).toEqual([
      { type: 'red_light', timeS: 5.5, trackId: '7', box: null, plateText: '29-B1 123.45' },
      { type: 'wrong_lane', timeS: 12, trackId: '9', box: null, plateText: null },
    ]);
  });

  it('fails clearly when there is no cases table', async () => {
    await expect(
      casesFromDatabase({
        url: db.url.includes('?') ? `${db.url}&options=-c%20search_path%3Dnowhere` : `${db.url}?options=-c%20search_path%3Dnowhere`,
        cameraId: 'cam-1',
        start: new Date(0),
        end: new Date(),
      }),
    ).rejects.toThrow(/no "cases" table/);
  });
});
