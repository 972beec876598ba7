// A case's texts in the reader's language, from structured data rather than the detector's English one-liner:
// the rule that fired, the fine, the history of who did what.
import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { hasMessage, useI18n, type MessageKey, type Translate } from '../i18n';

type Format = (n: number, digits?: number) => string;

function vehicleName(t: Translate, cls: string): string {
  const key = `vehicle.${cls}`;
  return hasMessage(key) ? t(key) : t('vehicle.unknown');
}

/**
 * A lane as a case names it: its human name from the camera geometry, else its movements in words ("làn đi thẳng, rẽ
 * phải"); by its id only when the caller has no geometry.
 */
export function laneName(t: Translate, laneId: string | null, geometry?: CameraGeometry | null): string {
  const lane = geometry?.lanes.find((l) => l.id === laneId);
  if (lane?.name) return lane.name;
  if (lane) return t('lane.described', { turns: lane.turns.map((turn) => t(`turn.${turn}` as MessageKey).toLocaleLowerCase()).join(', ') });
  return t('lane.byId', { id: laneId ?? '—' });
}

/**
 * What the rule saw, in words: built from `ruleDetail` (and, for a lane class offence, the lane's allowed classes
 * from the camera geometry when the caller has it). Unknown rules fall back to the offence's name.
 */
export function ruleText(
  c: Pick<CaseDetail, 'type' | 'vehicleType' | 'ruleDetail' | 'signal'>,
  t: Translate,
  formatNumber: Format,
  geometry?: CameraGeometry | null,
): string {
  const rd = c.ruleDetail;
  const offence = t(`vtype.${c.type}` as MessageKey);
  if (!rd?.rule) return offence;
  const id = (v: string | null | undefined) => v ?? '—';
  switch (rd.rule) {
    case 'redLightRule': {
      const round = c.signal?.round;
      const text =
        round === 'yellow'
          ? t('rule.yellow', { line: id(rd.stopLineId) })
          : t('rule.redLight', { line: id(rd.stopLineId), seconds: formatNumber(rd.secondsAfterRed ?? 0, 1) });
      const turnKey = `turn.${rd.turn}`;
      return rd.turn && hasMessage(turnKey) ? `${text} (${t('rule.turn', { turn: t(turnKey).toLocaleLowerCase() })})` : text;
    }
    case 'laneClassRule': {
      const vehicle = vehicleName(t, c.vehicleType);
      const allowed = geometry?.lanes.find((l) => l.id === rd.laneId)?.allowedClasses;
      const lane = laneName(t, rd.laneId, geometry);
      return allowed && allowed.length > 0
        ? t('rule.laneClass', { vehicle, lane, allowed: allowed.map((a) => vehicleName(t, a).toLocaleLowerCase()).join(', ') })
        : t('rule.laneClassShort', { vehicle, lane });
    }
    case 'solidLineRule':
      return t('rule.solidLine', { line: id(rd.solidLineId) });
    case 'wrongWayRule':
      return t('rule.wrongWay', { lane: laneName(t, rd.laneId, geometry), px: formatNumber(Math.round(rd.distancePx ?? 0)) });
    case 'speedingRule':
      return rd.speed
        ? t('rule.speeding', {
            reduced: formatNumber(rd.speed.reducedKmh, 1),
            tolerance: formatNumber(rd.speed.toleranceKmh, 1),
            limit: formatNumber(rd.speed.limitKmh),
          })
        : offence;
    default:
      return offence;
  }
}

/** The fine band and, when the offence deducts any, the licence points (no bare "−0"). */
export function fineText(fine: NonNullable<CaseDetail['fine']>, t: Translate, formatNumber: Format): string {
  const range = t('fine.range', { min: formatNumber(fine.fineMin), max: formatNumber(fine.fineMax) });
  return [`${fine.description} (${fine.article})`, range, fine.points > 0 ? t('fine.points', { n: formatNumber(fine.points) }) : null]
    .filter(Boolean)
    .join(' · ');
}

/** One history entry's action in words; an action the dictionary does not know yet reads "other action". */
export function historyAction(t: Translate, action: string): string {
  const key = `history.${action}`;
  return hasMessage(key) ? t(key) : t('history.other');
}

/** Who acted: a user name as stored (not translated), the detector and the system in words. */
function actorName(t: Translate, actor: string | null): string {
  if (actor === null) return t('case.system');
  if (actor === 'detector') return t('history.actor.detector');
  return actor;
}

export function CaseHistory({ c }: { c: Pick<CaseDetail, 'history'> }) {
  const { t, formatDateTime } = useI18n();
  if (c.history.length === 0) return null;
  return (
    <details className="history">
      <summary>{t('case.history')}</summary>
      <ol>
        {c.history.map((h, i) => {
          const data = (h.data ?? {}) as { from?: unknown; to?: unknown };
          const plateChange = h.action === 'case.plate_corrected' && typeof data.to === 'string';
          return (
            <li key={i} data-action={h.action}>
              <time dateTime={h.at}>{formatDateTime(h.at)}</time> ·{' '}
              <span translate={h.actor && h.actor !== 'detector' ? 'no' : undefined}>{actorName(t, h.actor)}</span> · {historyAction(t, h.action)}
              {plateChange && (
                <>
                  {': '}
                  <span translate="no">{t('history.plateChange', { from: typeof data.from === 'string' ? data.from : '—', to: data.to as string })}</span>
                </>
              )}
            </li>
          );
        })}
      </ol>
    </details>
  );
}
