// What every request's parsed parts (params, query, body) must hold before a handler sees them, whatever the
// route's schema says: text PostgreSQL and JSON can carry, numbers SQL can carry. Checked in one preHandler hook
// (after schema validation and coercion), so no route can forget it.
//
// - U+0000: PostgreSQL text cannot hold it (it failed in the query as a 500).
// - A lone UTF-16 surrogate (`"\ud800"` in JSON): not Unicode text; PostgreSQL refuses it inside jsonb (the audit
//   entry) and it would become U+FFFD elsewhere, so what was stored would differ from what was sent.
// - Non-finite or unsafe numbers: JSON `1e999` parses to Infinity and the query string coerces `Infinity` to a
//   number; an integer schema without a maximum lets both through.
// Text that passes is normalised to NFC (Vietnamese typed as NFD by some keyboards matches the same row), except
// passwords: a password is compared as typed.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { UserError } from '@phatnguoi/core/errors';

export type InputProblem = 'nul' | 'surrogate' | 'number';

/** Fields whose text is kept exactly as sent (hashed or compared, never shown). */
const VERBATIM_KEYS = new Set(['password']);

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** First problem found in a string, or null. */
export function textProblem(s: string): InputProblem | null {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'surrogate';
  return null;
}

/** First problem in a parsed value (iterative, so 5,000-deep nesting is safe); null when it is clean. */
export function inputProblem(value: unknown): InputProblem | null {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) return p;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return 'number';
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = textProblem(k);
        if (p) return p;
        stack.push(x);
      }
    }
  }
  return null;
}

/** Whether any string (key or value) contains U+0000. */
export function containsNul(value: unknown): boolean {
  return inputProblem(value) === 'nul';
}

/** The same value with every string (keys included) in NFC, except the values of VERBATIM_KEYS; objects are rebuilt in place. */
export function normaliseText<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (value === null || typeof value !== 'object') return value;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const x: unknown = o[i];
        if (typeof x === 'string') o[i] = x.normalize('NFC');
        else if (x !== null && typeof x === 'object') stack.push(x);
      }
      continue;
    }
    const rec = o as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const x = rec[k];
      const nk = k.normalize('NFC');
      let nx: unknown = x;
      if (typeof x === 'string' && !VERBATIM_KEYS.has(k)) nx = x.normalize('NFC');
      else if (x !== null && typeof x === 'object') stack.push(x);
      if (nk !== k) {
        delete rec[k];
        rec[nk] = nx;
      } else if (nx !== x) rec[k] = nx;
    }
  }
  return value;
}

function inputError(p: InputProblem): UserError {
  switch (p) {
    case 'nul':
      return new UserError('invalid_characters', 'the request contains a NUL character (U+0000)');
    case 'surrogate':
      return new UserError('invalid_characters', 'the request contains text that is not valid Unicode (a lone UTF-16 surrogate)');
    case 'number':
      return new UserError('invalid_number', 'the request contains a number that is not finite or too large (e.g. 1e999, Infinity)');
  }
}

export default fp(
  async (app: FastifyInstance) => {
    app.addHook('preHandler', async (request) => {
      // An upload handed to its route as a stream (registry CSV) is checked by whoever reads it, line by line.
      const body = request.body instanceof Readable ? undefined : request.body;
      for (const part of [request.params, request.query, body]) {
        const p = inputProblem(part);
        if (p) throw inputError(p);
      }
      if (request.query && typeof request.query === 'object') normaliseText(request.query);
      if (body !== undefined && body !== null) {
        request.body = typeof request.body === 'string' ? request.body.normalize('NFC') : normaliseText(request.body);
      }
    });
  },
  { name: 'input-checks' },
);
