// Pieces every console screen shares: the sub-navigation, a labelled field with its error, and field errors
// from a refused request, translated by field name.
import { useState, type ReactNode } from 'react';
import { ApiError, type FieldError } from '../../api/client';
import { hasMessage, useI18n, type MessageKey } from '../../i18n';
import { fieldErrorText } from '../../i18n/field-errors';
import { Link } from '../../router';
import './admin.css';

const SECTIONS: { to: string; label: MessageKey }[] = [
  { to: '/admin/cameras', label: 'adm.nav.cameras' },
  { to: '/admin/users', label: 'adm.nav.users' },
  { to: '/admin/agencies', label: 'adm.nav.agencies' },
  { to: '/admin/fines', label: 'adm.nav.fines' },
  { to: '/admin/registry', label: 'adm.nav.import' },
  { to: '/admin/tokens', label: 'adm.nav.tokens' },
  { to: '/admin/retention', label: 'adm.nav.retention' },
];

export function AdminNav() {
  const { t } = useI18n();
  return (
    <nav className="admin-nav" aria-label={t('adm.nav')}>
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.to}>
            <Link to={s.to}>{t(s.label)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | null; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** aria attributes of an input whose field may carry an error. */
export function invalidProps(id: string, error: string | null | undefined) {
  return error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
}

/**
 * Field errors of the last refused request, each translated through `<prefix><path>`, or, for a field without a
 * sentence of its own, the server's message mapped to the dictionary (never shown in English).
 */
export function useFieldErrors(prefix: string) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const errorFor = (path: string): string | null => {
    const e = errors.find((x) => x.path === path);
    if (!e) return null;
    const key = `${prefix}${path}`;
    return hasMessage(key) ? t(key) : fieldErrorText(t, e.message);
  };
  const take = (err: unknown) => setErrors(err instanceof ApiError ? err.fieldErrors : []);
  return { errors, errorFor, take, clear: () => setErrors([]) };
}
