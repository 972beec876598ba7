import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { CaseDetail, EvidenceItem } from '@phatnguoi/core/contracts/api/cases';
import type { SignalState } from '@phatnguoi/core/contracts/violation-event';
import type { OverlayData } from '../../components/StillOverlay';

/** Evidence is recorded at 5 fps or more; step at 10 fps when the api could not tell the clip's own rate. */
export const DEFAULT_CLIP_FPS = 10;

const STILL_ORDER = ['scene_before', 'scene_after'];

export interface CaseEvidence {
  clip: EvidenceItem | null;
  stills: EvidenceItem[];
  plateCrop: EvidenceItem | null;
  vehicleCrop: EvidenceItem | null;
  fps: number;
}

export function evidenceOf(c: Pick<CaseDetail, 'evidence'> & Partial<Pick<CaseDetail, 'clipFps'>>): CaseEvidence {
  const byKind = (k: string) => c.evidence.find((e) => e.kind === k) ?? null;
  const stills = c.evidence.filter((e) => STILL_ORDER.includes(e.kind)).sort((a, b) => STILL_ORDER.indexOf(a.kind) - STILL_ORDER.indexOf(b.kind));
  return { clip: byKind('clip'), stills, plateCrop: byKind('plate_crop'), vehicleCrop: byKind('vehicle_crop'), fps: c.clipFps ?? DEFAULT_CLIP_FPS };
}

/**
 * What to draw over the stills. The case carries the signal state; the stop line and lane come from the
 * camera's geometry (the lane the rule named when the case says so, else the single lane in view).
 */
export function overlayFor(c: CaseDetail, geometry: CameraGeometry | null, signal: SignalState | null): OverlayData {
  const laneId = c.ruleDetail?.laneId ?? null;
  const lane = geometry ? (geometry.lanes.find((l) => l.id === laneId) ?? (geometry.lanes.length === 1 ? geometry.lanes[0]! : null)) : null;
  const stopId = c.ruleDetail?.stopLineId ?? lane?.stopLineId ?? null;
  const stopLine = geometry ? (geometry.stopLines.find((s) => s.id === stopId) ?? (geometry.stopLines.length === 1 ? geometry.stopLines[0]! : null)) : null;
  return {
    box: c.box ?? null,
    frameSize: c.ruleDetail?.frameSize ?? null,
    lane,
    stopLine,
    geometryReference: geometry?.reference ?? null,
    signal,
  };
}

/** The case's place already starts with the camera name when the api composes it; avoid saying it twice. */
export function placeText(c: Pick<CaseDetail, 'cameraName' | 'place'>): string {
  return c.place.startsWith(c.cameraName) ? c.place : `${c.cameraName} · ${c.place}`;
}

/** The place without the camera name in front (for lists that show the camera name already). */
export function placeDetail(c: Pick<CaseDetail, 'cameraName' | 'place'>): string {
  return c.place.startsWith(c.cameraName) ? c.place.slice(c.cameraName.length).replace(/^[\s,·–-]+/, '') : c.place;
}
