import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LoginRequest, LoginResponse, UserSummary } from '@phatnguoi/core/contracts/api/auth';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { api, ApiError, onUnauthorized } from './api/client';

interface AuthState {
  user: UserSummary | null;
  /** True until the first session check has answered. */
  loading: boolean;
  login: (req: LoginRequest) => Promise<UserSummary>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserSummary | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    api
      .get<UserSummary | { user: UserSummary }>('/auth/me')
      .then((me) => live && setUser('user' in me ? me.user : me))
      .catch((e: unknown) => {
        if (!(e instanceof ApiError)) console.error(e);
        if (live) setUser(null);
      })
      .finally(() => live && setLoading(false));
    const off = onUnauthorized(() => setUser(null));
    return () => {
      live = false;
      off();
    };
  }, []);

  const login = useCallback(async (req: LoginRequest) => {
    const res = await api.post<LoginResponse>('/auth/login', req);
    setUser(res.user);
    return res.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } finally {
      setUser(null);
    }
  }, []);

  const value = useMemo(() => ({ user, loading, login, logout }), [user, loading, login, logout]);
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
