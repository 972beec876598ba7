import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { LoginRequest, UserSummary } from '@phatnguoi/core/contracts/api/auth';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { ApiError, call, onUnauthorized } from './api/client';

interface AuthState {
  user: UserSummary | null;
  /** True until the first session check has answered. */
  loading: boolean;
  /** Asks the api who is signed in (once); until it answers, `loading` is true. */
  ensureSession: () => void;
  login: (req: LoginRequest) => Promise<UserSummary>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserSummary | null>(null);
  // The session is checked only when a back-office page needs it: citizen pages never call /auth/me.
  const [status, setStatus] = useState<'unknown' | 'checking' | 'done'>('unknown');

  const started = useRef(false);
  const ensureSession = useCallback(() => {
    if (started.current) return;
    started.current = true;
    setStatus('checking');
    // /session answers 200 with null when nobody is signed in: the login page makes no failing request
    call('GET /api/session')
      .then((me) => setUser(me.user))
      .catch((e: unknown) => {
        if (!(e instanceof ApiError)) console.error(e);
        setUser(null);
      })
      .finally(() => setStatus('done'));
  }, []);

  useEffect(() => onUnauthorized(() => setUser(null)), []);
  const loading = status !== 'done';

  const login = useCallback(async (req: LoginRequest) => {
    const res = await call('POST /api/auth/login', { body: req });
    setUser(res.user);
    setStatus('done');
    return res.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      // A session from the identity provider ends there too: the browser goes on to its end-session page.
      const res = await call('POST /api/auth/logout');
      if (res.endSessionUrl) window.location.assign(res.endSessionUrl);
    } finally {
      setUser(null);
    }
  }, []);

  const value = useMemo(() => ({ user, loading, ensureSession, login, logout }), [user, loading, ensureSession, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** Where each role lands after login. */
export const HOME_OF: Record<Role, string> = {
  officer: '/officer',
  supervisor: '/supervisor',
  operator: '/ops',
  admin: '/admin/cameras',
};
