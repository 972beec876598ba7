import type { viLamps } from './vi-lamps';

// English for vi-lamps.ts (same keys; the type makes a missing one a compile error).
export const enLamps: Record<keyof typeof viLamps, string> = {
  'lamps.title': 'What the lamp reader sees',
  'lamps.none': 'No detector readings for this lamp yet.',
  'lamps.levels': 'Learned brightness: unlit {unlit}, lit {lit}',
  'lamps.notLearned': 'not learned',
  'lamps.threshold': 'Counted as lit from: {threshold}',
  'lamps.litCount': 'Lit in {lit} of the last {n} frames',
  'lamps.last': 'Last frame: brightness {brightness}, lamp colour {hue}%, {state}',
  'lamps.lit': 'lit',
  'lamps.unlit': 'unlit',
  'lamps.chart': 'Brightness of lamp {lamp} over the last {n} frames against its threshold',
  'lamps.verdictOk': 'Lit and unlit are clearly apart ({contrast}): the region sits on the lamp.',
  'lamps.verdictWeak': 'Lit and unlit differ by only {contrast}: check that the region sits on the lamp.',
  'lamps.verdictNeverLit': 'Not yet seen lit: if the lamp did light meanwhile, the region may be off the lamp.',
  'lamps.updatedAt': 'Detector readings as of {time}',
  'lamps.noDetector': 'No detector has run on this camera yet, so there are no lamp readings.',
  'lamps.loadFailed': 'Could not load the lamp readings.',
};
