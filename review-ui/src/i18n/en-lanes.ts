import type { viLanes } from './vi-lanes';

// English for vi-lanes.ts (same keys; the type makes a missing one a compile error).
export const enLanes: Record<keyof typeof viLanes, string> = {
  'geo.laneName': 'Lane name',
  'geo.laneNameHint': 'Printed on cases and notices, Vietnamese first, e.g. “làn xe máy”. Empty: the lane is described by its movements.',
  'lane.described': 'the lane for {turns}',
  'lane.byId': 'lane “{id}”',
};
