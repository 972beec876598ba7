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

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The circumstances of a red-light, wrong-lane or wrong-way offence in Vietnamese; null for a rule it does not
 * know (speeding has its own wording in speed-text.ts), so the notice then gives only the offence's name.
 */
export function ruleCircumstances(event: StoredRuleEvent | null | undefined, allowedClasses?: readonly string[]): string | null {
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
      const allowed = (allowedClasses ?? []).map((c) => VEHICLES[c] ?? c);
      const lane = str(rd.laneId) ?? '';
      return allowed.length > 0
        ? `${vehicle[0]!.toUpperCase()}${vehicle.slice(1)} đi vào làn ${lane}, làn chỉ dành cho ${allowed.join(', ')}`
        : `${vehicle[0]!.toUpperCase()}${vehicle.slice(1)} đi vào làn ${lane}, làn không dành cho loại xe này`;
    }
    case 'solidLineRule':
      return `Vượt qua vạch kẻ liền ${str(rd.solidLineId) ?? ''}`;
    case 'wrongWayRule':
      return `Đi ngược chiều làn ${str(rd.laneId) ?? ''} (quãng đường ${Math.round(num(rd.distancePx) ?? 0)} điểm ảnh trên hình)`;
    default:
      return null;
  }
}
