// The geometry editor's lamp tool: what the detector's lamp reader sees in each lamp region (the levels the lamp
// learned unlit and lit, and its last readings against the lit threshold), so an admin can tell whether a drawn
// region sits on its lamp: on the lamp, lit and unlit readings sit far apart; off it, they barely differ.
import type { CameraLamps, LampHistory } from '@phatnguoi/core/contracts/api/cameras';
import type { Rect } from '@phatnguoi/core/contracts/camera-geometry';
import { useI18n, type MessageKey } from '../i18n';

/** The readings of one lamp of a head, if the detector has any. */
export function lampOf(lamps: CameraLamps | null | undefined, headId: string, lampId: string): LampHistory | undefined {
  return lamps?.heads.find((h) => h.headId === headId)?.lamps.find((l) => l.lampId === lampId);
}

/** Lit minus unlit learned brightness below which a region probably misses its lamp (the reader needs 30 to tell them apart). */
export const WEAK_CONTRAST = 40;

const BAR_COLOUR: Record<string, string> = { red: '#ff1744', yellow: '#ffd600', green: '#00e676' };

/** What the learned levels say about the region: on the lamp, lit and unlit barely apart, or never seen lit. */
export function lampVerdict(lamp: LampHistory): { key: MessageKey; contrast: number | null } | null {
  if (lamp.readings.length === 0) return null;
  if (lamp.litLevel === null) return { key: 'lamps.verdictNeverLit', contrast: null };
  if (lamp.unlitLevel === null) return null;
  const contrast = Math.round(lamp.litLevel - lamp.unlitLevel);
  return { key: contrast >= WEAK_CONTRAST ? 'lamps.verdictOk' : 'lamps.verdictWeak', contrast };
}

/** Bars of the last readings' brightness (0..255), the lit ones in the lamp's colour, with the latest threshold dashed. */
function Bars({
  lamp,
  colour,
  x,
  y,
  width,
  height,
  label,
}: {
  lamp: LampHistory;
  colour: string;
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
}) {
  const n = lamp.readings.length;
  const w = width / Math.max(1, n);
  const yOf = (v: number) => y + height - (Math.max(0, Math.min(255, v)) / 255) * height;
  const threshold = lamp.readings.at(-1)?.threshold;
  return (
    <g role={label ? 'img' : undefined} aria-label={label} aria-hidden={label ? undefined : true} data-lamp-bars={lamp.lampId}>
      <rect x={x} y={y} width={width} height={height} fill="rgba(0,0,0,0.55)" />
      {lamp.readings.map((r, i) => (
        <rect
          key={i}
          x={x + i * w}
          y={yOf(r.brightness)}
          width={Math.max(0.5, w * 0.8)}
          height={y + height - yOf(r.brightness)}
          fill={r.lit ? (BAR_COLOUR[colour] ?? '#fff') : '#9e9e9e'}
          data-lit={r.lit}
        />
      ))}
      {threshold !== undefined && (
        <line x1={x} x2={x + width} y1={yOf(threshold)} y2={yOf(threshold)} stroke="#fff" strokeDasharray="2 2" strokeWidth={Math.max(0.5, height / 40)} />
      )}
    </g>
  );
}

/** The readings drawn on the canvas beside a lamp region (left of it when the region is in the right half of the picture). */
export function LampBarsOnCanvas({ lamp, colour, region, imageWidth }: { lamp: LampHistory; colour: string; region: Rect; imageWidth: number }) {
  const h = Math.abs(region[3] - region[1]);
  const width = Math.max(h * 2, 24);
  const right = Math.max(region[0], region[2]);
  const left = Math.min(region[0], region[2]);
  const x = right + width + 4 <= imageWidth ? right + 2 : left - width - 2;
  return <Bars lamp={lamp} colour={colour} x={x} y={Math.min(region[1], region[3])} width={width} height={h} />;
}

/** The panel under a lamp's fields: learned levels, threshold, how often it read lit, the last reading and the verdict. */
export function LampReadingsPanel({ lamp, lampId, colour }: { lamp: LampHistory | undefined; lampId: string; colour: string }) {
  const { t, formatNumber } = useI18n();
  if (!lamp || lamp.readings.length === 0) {
    return (
      <p className="hint lamp-readings" data-lamp-readings={lampId}>
        {t('lamps.none')}
      </p>
    );
  }
  const level = (v: number | null) => (v === null ? t('lamps.notLearned') : formatNumber(Math.round(v)));
  const last = lamp.readings.at(-1)!;
  const lit = lamp.readings.filter((r) => r.lit).length;
  const verdict = lampVerdict(lamp);
  return (
    <div className="lamp-readings" data-lamp-readings={lampId}>
      <h4>{t('lamps.title')}</h4>
      <svg viewBox="0 0 200 48" className="lamp-chart">
        <Bars lamp={lamp} colour={colour} x={0} y={0} width={200} height={48} label={t('lamps.chart', { lamp: lampId, n: lamp.readings.length })} />
      </svg>
      <ul>
        <li data-testid={`lamp-levels-${lampId}`}>{t('lamps.levels', { unlit: level(lamp.unlitLevel), lit: level(lamp.litLevel) })}</li>
        <li>{t('lamps.threshold', { threshold: formatNumber(Math.round(last.threshold)) })}</li>
        <li data-testid={`lamp-lit-${lampId}`}>{t('lamps.litCount', { lit, n: lamp.readings.length })}</li>
        <li>
          {t('lamps.last', {
            brightness: formatNumber(Math.round(last.brightness)),
            hue: formatNumber(Math.round(last.hueMatch * 100)),
            state: t(last.lit ? 'lamps.lit' : 'lamps.unlit'),
          })}
        </li>
      </ul>
      {verdict && (
        <p className={verdict.key === 'lamps.verdictOk' ? 'lamp-verdict ok' : 'lamp-verdict warn'} data-testid={`lamp-verdict-${lampId}`}>
          {t(verdict.key, { contrast: verdict.contrast === null ? '' : formatNumber(verdict.contrast) })}
        </p>
      )}
    </div>
  );
}
