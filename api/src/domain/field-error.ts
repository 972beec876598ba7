// A user error on one field of a request: the message names the field, and `errors` carries it (as a JSON path) for
// the form that sent it (api/src/plugins/errors.ts passes `details.errors` on).
import { UserError } from '@phatnguoi/core/errors';

export function fieldError(code: string, field: string, message: string): UserError {
  return new UserError(code, `${field}: ${message}`, 400, { details: { errors: [{ path: `/${field}`, message }] } });
}
