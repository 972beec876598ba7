import { hasMessage, type Translate } from '../i18n';

/**
 * Evidence kinds are open-ended strings in the case; known ones get their translated name. A red-light case's scenes
 * are named by the stop line (`evidence.scene_before.red_light`), other offences' by the start and end of the offence.
 */
export function evidenceLabel(t: Translate, kind: string, violationType?: string): string {
  const key = `evidence.${kind}`;
  const forType = `${key}.${violationType}`;
  if (violationType && hasMessage(forType)) return t(forType);
  return hasMessage(key) ? t(key) : t('evidence.other');
}

/** A translated label for an open-ended code from the api (`prefix.code`), or the code itself when unknown. */
export function codeLabel(t: Translate, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
}
