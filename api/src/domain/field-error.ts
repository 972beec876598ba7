// A user error on one field of a request: the message names the field, and `errors` carries it (as a JSON path) for
// the form that sent it (api/src/plugins/errors.ts passes `details.errors` on).
import { UserError } from '@phatnguoi/core/errors';

/** `params`: the values the code's sentence in the UI names (e.g. the allowed range). */
export function fieldError(code: string, field: string, message: string, params?: Record<string, string | number>): UserError {
  return new UserError(code, `${field}: ${message}`, 400, { details: { errors: [{ path: `/${field}`, message }], ...(params ? { params } : {}) } });
}
