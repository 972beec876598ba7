// How a notice words a speed measurement (Vietnamese, decimal comma): measured, its uncertainty, the tolerance
// deducted, the speed judged, the limit and the stretch of road it was measured over.
import type { SpeedDetail } from '@phatnguoi/core/contracts/violation-event';

const vn = (x: number, digits = 1) => x.toFixed(digits).replace('.', ',');

export function speedCircumstances(s: SpeedDetail): string {
  return (
    `Tốc độ đo được ${vn(s.measuredKmh)} km/h (độ bất định đo ±${vn(s.uncertaintyKmh)} km/h); sau khi trừ sai số cho phép ${vn(s.toleranceKmh)} km/h ` +
    `còn ${vn(s.reducedKmh)} km/h; tốc độ tối đa cho phép ${s.limitKmh} km/h; vượt ${vn(s.excessKmh)} km/h ` +
    `(đo trên quãng đường ${vn(s.distanceM)} m trong ${vn(s.seconds, 2)} giây)`
  );
}
