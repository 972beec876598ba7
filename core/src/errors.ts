// Errors carry a code and who is at fault, so every edge (HTTP handler, job worker, CLI) can decide
// the same way what to show, whether to retry and how loudly to log.

/** Who caused the failure: the caller (4xx, message shown), the environment (retried), or us (5xx, generic message). */
export type Fault = 'user' | 'operational' | 'bug';

export abstract class AppError extends Error {
  abstract readonly fault: Fault;
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, status: number, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    if (options?.details) this.details = options.details;
  }

  /** pino level that fits the fault: user mistakes are routine, operational trouble is a warning, bugs are errors. */
  get logLevel(): 'info' | 'warn' | 'error' {
    return this.fault === 'user' ? 'info' : this.fault === 'operational' ? 'warn' : 'error';
  }
}

/** The caller sent something wrong; the message is safe to show to them. Never retried. */
export class UserError extends AppError {
  readonly fault = 'user' as const;
  constructor(code: string, message: string, status = 400, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, status, options);
  }
}

export class UnauthorizedError extends UserError {
  constructor(message = 'Authentication required', code = 'unauthorized') {
    super(code, message, 401);
  }
}

export class ForbiddenError extends UserError {
  constructor(message = 'Forbidden', code = 'forbidden', details?: Record<string, unknown>) {
    super(code, message, 403, details ? { details } : undefined);
  }
}

export class NotFoundError extends UserError {
  constructor(message = 'Not found', code = 'not_found', details?: Record<string, unknown>) {
    super(code, message, 404, details ? { details } : undefined);
  }
}

export class ConflictError extends UserError {
  constructor(message = 'Conflict', code = 'conflict', details?: Record<string, unknown>) {
    super(code, message, 409, details ? { details } : undefined);
  }
}

/** Something outside us failed (database restarting, storage away, camera offline). Safe and useful to retry. */
export class OperationalError extends AppError {
  readonly fault = 'operational' as const;
  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown>; status?: number }) {
    super(code, message, options?.status ?? 503, options);
  }
}

/** A broken invariant in our own code. Shown to users only as a generic message with a request id. */
export class InternalError extends AppError {
  readonly fault = 'bug' as const;
  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, 500, options);
  }
}

/** Invalid or missing settings, all of them in one error (thrown once at start-up). */
export class ConfigError extends AppError {
  readonly fault = 'user' as const;
  readonly problems: readonly { variable: string; problem: string }[];
  constructor(problems: readonly { variable: string; problem: string }[]) {
    super(
      'invalid_config',
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n'),
      500,
    );
    this.problems = problems;
  }
}

/** A program the system needs (redis-server, ffmpeg, ...) is not installed. */
export class MissingPrerequisiteError extends AppError {
  readonly fault = 'user' as const;
  constructor(
    readonly program: string,
    readonly install: string,
  ) {
    super('missing_prerequisite', `${program} was not found on PATH. Install it: ${install}`, 500);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

export function isOperationalError(err: unknown): err is OperationalError {
  return err instanceof OperationalError;
}

/** Who is at fault for any thrown value; unknown errors count as bugs. */
export function faultOf(err: unknown): Fault {
  return err instanceof AppError ? err.fault : 'bug';
}

/** Whether a job or request that failed with this error may succeed when tried again. */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof UserError);
}
