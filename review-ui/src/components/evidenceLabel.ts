import { hasMessage, type Translate } from '../i18n';

/** Evidence kinds are open-ended strings in the case; known ones get their translated name. */
export function evidenceLabel(t: Translate, kind: string): string {
  const key = `evidence.${kind}`;
  return hasMessage(key) ? t(key) : t('evidence.other');
}

/** A translated label for an open-ended code from the api (`prefix.code`), or the code itself when unknown. */
export function codeLabel(t: Translate, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
}
