// One error handler: 4xx messages go to the client, 5xx become a generic message with the request id.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FieldError } from '@phatnguoi/core/contracts/values';

interface ClassifiedError {
  status: number;
  code: string;
  message: string;
  /** Field errors of a refused document (4xx only), each named by JSON path. */
  errors?: FieldError[];
  /** Values the code's sentence names (`details.params` of a user error): the UI words the error from its code and these. */
  params?: Record<string, string | number>;
}

/** `details.errors` of a user error, when it is a list of `{ path, message }` (capped, strings only). */
function fieldErrorsOf(details: unknown): FieldError[] | undefined {
  const list = (details as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(list)) return undefined;
  const out = list
    .filter(
      (e): e is FieldError =>
        !!e && typeof e === 'object' && typeof (e as { path?: unknown }).path === 'string' && typeof (e as { message?: unknown }).message === 'string',
    )
    .slice(0, 200)
    .map((e) => ({ path: e.path.slice(0, 300), message: e.message.slice(0, 500) }));
  return out.length > 0 ? out : undefined;
}

/** `details.params` of a user error: strings (capped) and finite numbers only, at most 10. */
function paramsOf(details: unknown): Record<string, string | number> | undefined {
  const params = (details as { params?: unknown } | undefined)?.params;
  if (!params || typeof params !== 'object') return undefined;
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params).slice(0, 10)) {
    if (typeof v === 'string') out[k] = v.slice(0, 200);
    else if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Who is at fault: a user error (status 4xx, message shown) or anything else (a bug or an outage: 5xx). */
export function classifyError(err: unknown): ClassifiedError {
  const e = err as Partial<FastifyError> & { status?: number; code?: string; validation?: unknown; details?: unknown };
  if (e && typeof e === 'object') {
    if (e.validation) {
      return { status: 400, code: 'validation', message: e.message ?? 'invalid request' };
    }
    const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
    if (status >= 400 && status < 500) {
      // AppErrors carry their own lowercase code; fastify's FST_ERR_* codes are mapped by status.
      const code = typeof e.code === 'string' && !e.code.startsWith('FST_') ? e.code : httpCode(status);
      const errors = fieldErrorsOf(e.details);
      const params = paramsOf(e.details);
      return { status, code, message: e.message ?? 'bad request', ...(errors ? { errors } : {}), ...(params ? { params } : {}) };
    }
    if (status === 503) return { status, code: 'unavailable', message: 'service temporarily unavailable, try again' };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}

function httpCode(status: number): string {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return 'bad_request';
  }
}

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, request, reply) => {
      const c = classifyError(err);
      if (c.status >= 500) request.log.error({ err }, 'request failed');
      else request.log.info({ code: c.code, status: c.status, msg: c.message }, 'request refused');
      const body: Record<string, unknown> = {
        error: c.code,
        message: c.message,
        requestId: request.id,
        ...(c.errors ? { errors: c.errors } : {}),
        ...(c.params ? { params: c.params } : {}),
      };
      void reply.status(c.status).send(body);
    });
  },
  { name: 'errors' },
);
