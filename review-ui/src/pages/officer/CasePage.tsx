import { useCallback, useMemo, useRef, useState } from 'react';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { CaseDetail, ConfirmRequest, QueueResponse, RejectRequest } from '@phatnguoi/core/contracts/api/cases';
import type { SignalState } from '@phatnguoi/core/contracts/violation-event';
import { api, ApiError } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth';
import type { ClipPlayerHandle } from '../../components/ClipPlayer';
import { ConfidenceMeter, DeadlineBadge, StatusBadge } from '../../components/DeadlineBadge';
import { ErrorNote } from '../../components/ErrorNote';
import type { OverlayData } from '../../components/StillOverlay';
import { codeLabel } from '../../components/evidenceLabel';
import { CaseHistory } from '../../components/caseText';
import { useI18n } from '../../i18n';
import { useRouter } from '../../router';
import { evidenceOf, overlayFor, placeText } from './evidence';
import { IdentificationPanel } from '../../components/Identification';
import { EvidenceIntegrityAlert, evidenceBroken } from '../../components/EvidenceIntegrity';
import { CaseEvidencePanel } from './CaseEvidence';
import { CaseFacts } from './CaseFacts';
import { ClaimLine } from './ClaimLine';
import { PlateCorrection, usePlateEdit } from './PlateCorrection';
import { PlateCrops } from './PlateCrops';
import { RejectDialog } from './RejectDialog';
import { ShortcutHelp } from './ShortcutHelp';
import { useCaseClaim } from './useCaseClaim';
import { useDeskShortcuts } from './useDeskShortcuts';
import { useEvidenceReady } from './useEvidenceReady';

export default function CasePage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const { t, formatDateTime } = useI18n();
  const { user } = useAuth();
  const { navigate } = useRouter();
  const detail = useApi((signal) => api.get<CaseDetail>(paths.case(id), undefined, signal), id);
  const c = detail.data;
  const geometry = useApi<CameraGeometry | null>(
    (signal) => (c ? api.get<CameraGeometry>(paths.cameraGeometry(c.cameraId), undefined, signal).catch(() => null) : Promise.resolve(null)),
    c?.cameraId ?? '',
  );
  const edit = usePlateEdit(c);
  const { typedPlate, plateChanged, entry, vehicleType } = edit;
  const [rejectOpen, setRejectOpen] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [showOverlay, setShowOverlay] = useState(true);
  const player = useRef<ClipPlayerHandle>(null);
  const plateInput = useRef<HTMLInputElement>(null);

  const reviewable = c?.status === 'detected';
  const { claim, claimError, decided } = useCaseClaim(id, reviewable, detail.reload);

  const ev = useMemo(() => (c ? evidenceOf(c) : null), [c]);
  const { markLoaded, ready, readyAt } = useEvidenceReady(id, ev);
  const signal = (c?.signal ?? null) as SignalState | null;
  const overlay: OverlayData = useMemo(() => (c ? overlayFor(c, geometry.data ?? null, signal) : {}), [c, geometry.data, signal]);

  const goNext = useCallback(async () => {
    try {
      const q = await api.get<QueueResponse>(paths.queue, { status: 'detected', limit: 10 });
      const next = q.items.find((it) => it.id !== id && (!it.claimedBy || it.claimedBy === user?.username));
      navigate(next ? `/officer/cases/${next.id}` : '/officer');
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
    }
  }, [id, navigate, user]);

  // evidence that no longer hashes as recorded blocks the decision (the api refuses it too)
  const canAct = reviewable && claim?.mine === true && !busy && !!c && !evidenceBroken(c);

  const confirm = useCallback(async () => {
    if (!c || !canAct) return;
    setBusy(true);
    setActionError(null);
    const body: ConfirmRequest = {};
    if (plateChanged) {
      if (entry && !entry.ok) {
        setBusy(false);
        plateInput.current?.focus();
        return;
      }
      body.plateText = entry?.ok ? entry.plate : typedPlate;
      if (vehicleType !== c.vehicleType) body.vehicleType = vehicleType as ConfirmRequest['vehicleType'];
    }
    try {
      await api.post(paths.confirm(id), body);
      decided();
      setDone(t('case.confirmed'));
      detail.reload();
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
      if (e instanceof ApiError && e.status === 400) plateInput.current?.focus();
    } finally {
      setBusy(false);
    }
  }, [c, canAct, plateChanged, entry, typedPlate, vehicleType, id, t, detail, decided]);

  const reject = useCallback(
    async (req: RejectRequest) => {
      setBusy(true);
      setActionError(null);
      try {
        await api.post(paths.reject(id), req);
        decided();
        setRejectOpen(false);
        setDone(t('case.rejected'));
        detail.reload();
      } catch (e) {
        setActionError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        setBusy(false);
      }
    },
    [id, t, detail, decided],
  );

  useDeskShortcuts({ enabled: !rejectOpen, canAct, confirm, setRejectOpen, goNext, plateInput, player, setShowOverlay, setShowHelp });

  if (detail.error) return <ErrorNote error={detail.error} />;
  if (!c || !ev) return <p aria-busy="true">{t('app.loading')}</p>;

  return (
    <article
      className="case"
      data-case-id={c.id}
      data-evidence-ready={ready ? 'true' : 'false'}
      data-evidence-ready-at={readyAt ?? undefined}
      aria-labelledby="case-title"
    >
      <header className="case-head">
        <h1 id="case-title">
          {t(`vtype.${c.type}`)} · <span className="plate-text">{c.plate.text ?? t('plate.unread')}</span>
        </h1>
        <StatusBadge status={c.status} /> <DeadlineBadge c={c} />
        <p>
          {placeText(c)} · <time dateTime={c.occurredAt}>{formatDateTime(c.occurredAt)}</time>
        </p>
        <ClaimLine reviewable={reviewable} claim={claim} claimError={claimError} claimedBy={c.claimedBy} onRelease={() => navigate('/officer')} />
      </header>

      <EvidenceIntegrityAlert c={c} />

      {done && (
        <div role="status" className="done">
          {done}{' '}
          <button type="button" className="primary" onClick={() => void goNext()}>
            {t('case.next')} (N)
          </button>
        </div>
      )}

      <div className="case-grid">
        <CaseEvidencePanel c={c} ev={ev} overlay={overlay} showOverlay={showOverlay} onShowOverlay={setShowOverlay} playerRef={player} onLoad={markLoaded} />

        <section className="decision" aria-label={t('case.decision')}>
          <div className="plate-box">
            <h2>{t('case.plate')}</h2>
            <div className="side-by-side">
              <PlateCrops ev={ev} onLoad={markLoaded} />
              <IdentificationPanel
                caseId={c.id}
                plate={c.plate.text}
                vehicleType={c.vehicleType}
                editable={canAct}
                version={`${c.plate.text ?? ''}|${c.status}`}
                onChanged={() => detail.reload()}
              />
            </div>
            <p>
              {t('plate.read')}: <strong className="plate-text">{c.plate.text ?? t('plate.unread')}</strong> <ConfidenceMeter value={c.plate.confidence} />
              {c.plate.needsManualEntry && <span className="badge warn">{t('plate.manual')}</span>}
              {c.manualHandling && c.manualReason && c.manualReason !== 'plate_unread' && (
                <span className="badge warn">{codeLabel(t, 'manual', c.manualReason)}</span>
              )}
              {c.plate.originalText && <small> · {t('plate.original', { text: c.plate.originalText })}</small>}
            </p>
            <PlateCorrection
              edit={edit}
              caseVehicleType={c.vehicleType}
              disabled={!canAct}
              refused={actionError instanceof ApiError && actionError.status === 400}
              inputRef={plateInput}
            />
          </div>
          <ErrorNote error={actionError} />
          <div className="actions" role="group" aria-label={t('case.actions')}>
            <button type="button" className="primary" onClick={() => void confirm()} disabled={!canAct} aria-keyshortcuts="C">
              {t('case.confirm')} (C)
            </button>
            <button type="button" className="danger" onClick={() => setRejectOpen(true)} disabled={!canAct} aria-keyshortcuts="R">
              {t('case.reject')} (R)
            </button>
            <button type="button" onClick={() => void goNext()} aria-keyshortcuts="N">
              {t('case.next')} (N)
            </button>
            <button type="button" className="link" onClick={() => setShowHelp((v) => !v)} aria-expanded={showHelp} aria-keyshortcuts="?">
              {t('case.shortcuts')} (?)
            </button>
          </div>
          {showHelp && <ShortcutHelp />}
          <CaseFacts c={c} signal={signal} geometry={geometry.data} />
          <CaseHistory c={c} />
        </section>
      </div>
      {rejectOpen && <RejectDialog busy={busy} onCancel={() => setRejectOpen(false)} onSubmit={(r) => void reject(r)} />}
    </article>
  );
}
