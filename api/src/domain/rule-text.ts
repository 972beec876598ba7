// How a notice words what the rule saw (Vietnamese, decimal comma), from the detector event's structured rule
// detail, not its `summary` (an English line for logs). Vehicle classes as the notice names them.
const vn = (x: number, digits = 1) => x.toFixed(digits).replace('.', ',');

const VEHICLES: Record<string, string> = {
  car: 'ô tô',
  motorbike: 'xe máy',
  bus: 'xe khách',
  truck: 'xe tải',
  bicycle: 'xe đạp',
  pedestrian: 'người đi bộ',
};
const TURNS: Record<string, string> = { straight: 'đi thẳng', left: 'rẽ trái', right: 'rẽ phải', u_turn: 'quay đầu' };

interface StoredRuleEvent {
  vehicleClass?: unknown;
  signalState?: { round?: unknown } | null;
  ruleDetail?: {
    rule?: unknown;
    laneId?: unknown;
    stopLineId?: unknown;
    solidLineId?: unknown;
    secondsAfterRed?: unknown;
    turn?: unknown;
    distancePx?: unknown;
  };
}

/** What the camera geometry says of the offence's lane (absent when the case's geometry has no such lane). */
export interface LaneInfo {
  name?: string;
  allowedClasses?: readonly string[];
  turns?: readonly string[];
}

/** The lane in words: its human name from the geometry, else its movements ("làn đi thẳng, rẽ phải"), else its id. */
export function laneName(laneId: string | null, lane: LaneInfo | undefined): string {
  if (lane?.name) return lane.name;
  const turns = (lane?.turns ?? []).map((t) => TURNS[t]).filter(Boolean);
  if (turns.length > 0) return `làn ${turns.join(', ')}`;
  return `làn “${laneId ?? ''}”`;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The circumstances of a red-light, wrong-lane or wrong-way offence in Vietnamese; null for a rule it does not
 * know (speeding has its own wording in speed-text.ts), so the notice then gives only the offence's name.
 */
export function ruleCircumstances(event: StoredRuleEvent | null | undefined, lane?: LaneInfo): string | null {
  const rd = event?.ruleDetail;
  if (!rd) return null;
  const vehicle = VEHICLES[str(event?.vehicleClass) ?? ''] ?? 'phương tiện';
  switch (rd.rule) {
    case 'redLightRule': {
      const line = str(rd.stopLineId) ?? '';
      const turn = TURNS[str(rd.turn) ?? ''];
      const text =
        event?.signalState?.round === 'yellow'
          ? `Vượt vạch dừng ${line} khi đèn vàng`
          : `Vượt vạch dừng ${line} ${vn(num(rd.secondsAfterRed) ?? 0)} giây sau khi đèn chuyển đỏ`;
      return turn ? `${text} (hướng đi: ${turn})` : text;
    }
    case 'laneClassRule': {
      const allowed = (lane?.allowedClasses ?? []).map((c) => VEHICLES[c] ?? c);
      const name = laneName(str(rd.laneId), lane);
      return allowed.length > 0
        ? `${vehicle[0]!.toUpperCase()}${vehicle.slice(1)} đi vào ${name}, làn chỉ dành cho ${allowed.join(', ')}`
        : `${vehicle[0]!.toUpperCase()}${vehicle.slice(1)} đi vào ${name}, làn không dành cho loại xe này`;
    }
    case 'solidLineRule':
      return `Vượt qua vạch kẻ liền ${str(rd.solidLineId) ?? ''}`;
    case 'wrongWayRule':
      return `Đi ngược chiều ${laneName(str(rd.laneId), lane)} (quãng đường ${Math.round(num(rd.distancePx) ?? 0)} điểm ảnh trên hình)`;
    default:
      return null;
  }
}
