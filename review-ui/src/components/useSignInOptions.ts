import { useEffect, useState } from 'react';
import type { SignInOptions } from '@phatnguoi/core/contracts/api/sign-in';
import { call } from '../api/client';
import type { MessageKey } from '../i18n';

/** Which ways of signing in the api offers (null until it answers; an error counts as password sign-in only). */
export function useSignInOptions(): SignInOptions | null {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  useEffect(() => {
    let live = true;
    call('GET /api/auth/options')
      .then((o) => live && setOptions(o))
      .catch(() => live && setOptions({ staffProvider: false, local: 'on', citizenProvider: false }));
    return () => {
      live = false;
    };
  }, []);
  return options;
}

/** The message key explaining a refused provider sign-in (the callback's ?error=). */
export function signInErrorKey(code: string): MessageKey {
  const known = [
    'state_missing',
    'state_mismatch',
    'state_unknown',
    'state_expired',
    'provider_error',
    'provider_unavailable',
    'token_refused',
    'no_subject',
    'no_username',
    'no_role',
    'no_agency',
    'unknown_agency',
    'deactivated',
    'username_taken',
    'no_id_number',
  ];
  return `oidc.error.${known.includes(code) ? code : 'other'}` as MessageKey;
}
