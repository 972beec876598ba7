// Vietnamese messages naming a lane in case texts (its human name from the geometry, else a description) and the
// geometry editor's lane name field. Spread into `vi` (vi.ts); en-lanes.ts has the same keys.
export const viLanes = {
  'geo.laneName': 'Tên làn',
  'geo.laneNameHint': 'Tên in trên hồ sơ vi phạm và thông báo, ví dụ “làn xe máy”. Để trống: mô tả theo hướng đi của làn.',
  'lane.described': 'làn {turns}',
  'lane.byId': 'làn “{id}”',
};
