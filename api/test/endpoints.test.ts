// The endpoint table of core's contracts (what the UI's client types its calls with) against the routes the app
// registers: each entry is a route with the same schema objects for its params, query, body and success answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSchema } from '@sinclair/typebox';
import { endpoints, type Endpoint } from '@phatnguoi/core/contracts/api/endpoints';
import { startHarness, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => h?.close());

describe('endpoint table', () => {
  it('names registered routes with the very schemas the routes validate and answer with', () => {
    const problems: string[] = [];
    for (const [key, entry] of Object.entries(endpoints) as [string, Endpoint][]) {
      const [method, url] = key.split(' ') as [string, string];
      const route = h.app.routeTable.find((r) => r.method === method && r.url === url);
      if (!route) {
        problems.push(`${key}: no such route`);
        continue;
      }
      const schema = (route.schema ?? {}) as { params?: TSchema; querystring?: TSchema; body?: TSchema; response?: Record<number, TSchema> };
      if (schema.params !== entry.params) problems.push(`${key}: params differ`);
      if (schema.querystring !== entry.query) problems.push(`${key}: query differs`);
      if (schema.body !== entry.body) problems.push(`${key}: body differs`);
      const answer = schema.response?.[entry.status ?? 200];
      // a route that may also answer a file (a report as CSV, XLSX or PDF) declares a union of the JSON answer and the file
      const json = answer && (answer === entry.response || (answer.anyOf as TSchema[] | undefined)?.includes(entry.response));
      if (!json) problems.push(`${key}: the ${entry.status ?? 200} answer differs`);
    }
    expect(problems).toEqual([]);
  });

  it('a changed schema is told apart (the check compares the objects themselves)', () => {
    const route = h.app.routeTable.find((r) => r.method === 'GET' && r.url === '/api/cases/:id');
    expect((route?.schema as { response: Record<number, unknown> }).response[200]).toBe(endpoints['GET /api/cases/:id'].response);
    expect((route?.schema as { response: Record<number, unknown> }).response[200]).not.toBe(endpoints['GET /api/cases'].response);
  });
});
