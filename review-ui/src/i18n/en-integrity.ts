// English messages of evidence integrity (keys of vi-integrity.ts).
import type { viIntegrity } from './vi-integrity';

export const enIntegrity: Record<keyof typeof viIntegrity, string> = {
  'integrity.badge': 'Evidence altered',
  'integrity.badgeTitle': 'The last check found an evidence file that does not match the hash recorded at capture',
  'integrity.title': 'Evidence does not match the hash recorded at capture',
  'integrity.tampered': '{file} (file {name}): recorded hash {expected}…, the stored file hashes {found}…',
  'integrity.missing': '{file} (file {name}): recorded hash {expected}…, the file is no longer in storage',
  'integrity.blocked': 'The case is blocked: it cannot be confirmed, approved, previewed or noticed while its evidence is not intact.',
  'integrity.todo':
    'What to do: do not rely on the images shown; tell the system administrator at once so the original file is restored from backup and the change investigated. Each detection is recorded in the audit log.',
};
