// Thin fetch wrapper. `call` takes an endpoint of core's endpoint table by its key ('GET /api/cases/:id') and infers
// what it sends and answers from the table's schemas (type-only imports: no schema code reaches the bundle), so a
// contract change breaks this type check.
import type { ErrorResponse, FieldError } from '@phatnguoi/core/contracts/api/common';
import type { EndpointKey, EndpointRequest, EndpointResponse } from '@phatnguoi/core/contracts/api/endpoints';
import type { LiveStream, LiveStreams } from '@phatnguoi/core/contracts/api/live';

export const API_PREFIX = '/api';

/** A field error the server attaches to a 400 (ErrorResponse `errors`, e.g. camera geometry), named by JSON path. */
export type { FieldError };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly fieldErrors: FieldError[],
    /** Values the code's sentence names (the plate, the limit, the case status). */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

function isFieldErrorList(v: unknown): v is FieldError[] {
  return (
    Array.isArray(v) &&
    v.every((e) => e && typeof e === 'object' && typeof (e as FieldError).path === 'string' && typeof (e as FieldError).message === 'string')
  );
}

async function toError(res: Response): Promise<ApiError> {
  let body: Partial<ErrorResponse> = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON (proxy error page): fall back to the status text
  }
  const fields = isFieldErrorList(body.errors) ? body.errors : [];
  const params = body.params && typeof body.params === 'object' ? body.params : {};
  return new ApiError(res.status, body.error ?? `HTTP_${res.status}`, body.message ?? res.statusText, body.requestId ?? null, fields, params);
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Listeners told when any request comes back 401, so the shell can send the user to the login page. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

async function request<T>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; file?: { body: Blob; contentType: string }; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.file) headers['content-type'] = opts.file.contentType;
  const res = await fetch(API_PREFIX + withQuery(path, opts.query), {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.file ? opts.file.body : opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !path.startsWith('/auth/login')) unauthorizedListeners.forEach((fn) => fn());
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

type CallOptions<K extends EndpointKey> = EndpointRequest<K> & { signal?: AbortSignal };
/** The options argument may be left out when the endpoint needs neither path parameters nor a body. */
type CallArgs<K extends EndpointKey> = Record<never, never> extends CallOptions<K> ? [options?: CallOptions<K>] : [options: CallOptions<K>];

/** The path of an endpoint with its parameters filled in: ('/api/cases/:id', { id }) → '/api/cases/<id>'. */
export function endpointPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`missing path parameter ${name} of ${path}`);
    return encodeURIComponent(String(v));
  });
}

/** Calls an endpoint of the table: `await call('POST /api/cases/:id/confirm', { params: { id }, body: { note } })`. */
export function call<K extends EndpointKey>(key: K, ...[options]: CallArgs<K>): Promise<EndpointResponse<K>> {
  const [method, path] = key.split(' ') as [string, string];
  const o = (options ?? {}) as {
    params?: Record<string, string | number>;
    query?: Query;
    body?: unknown;
    file?: { body: Blob; contentType: string };
    signal?: AbortSignal;
  };
  const body = o.body === undefined && !o.file && method !== 'GET' ? {} : o.body;
  return request<EndpointResponse<K>>(method, endpointPath(path, o.params).slice(API_PREFIX.length), { query: o.query, body, file: o.file, signal: o.signal });
}

/**
 * Opens a server-sent event stream of core's live contract and hands each event's data, parsed, to its handler
 * (a malformed event is skipped). EventSource reconnects by itself after a drop; close the returned source when done.
 */
export function liveStream<S extends LiveStream>(
  stream: S,
  handlers: { [E in keyof LiveStreams[S] & string]?: (data: LiveStreams[S][E]) => void },
  on: { open?: () => void; error?: () => void } = {},
): EventSource {
  const es = new EventSource(stream, { withCredentials: true });
  if (on.open) es.onopen = on.open;
  if (on.error) es.onerror = on.error;
  for (const [event, handle] of Object.entries(handlers) as [string, ((data: unknown) => void) | undefined][]) {
    es.addEventListener(event, (ev: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      handle?.(data);
    });
  }
  return es;
}

/** URL of an api resource, for <a href>, <img src> and EventSource. */
export function apiUrl(path: string, query?: Query): string {
  return API_PREFIX + withQuery(path, query);
}
