import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { CaseDetail, ClaimResponse, ConfirmRequest, QueueResponse, RejectReason, RejectRequest } from '@phatnguoi/core/contracts/api/cases';
import type { SignalState } from '@phatnguoi/core/contracts/violation-event';
import { api, ApiError, apiUrl } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth';
import { ClipPlayer, SPEEDS, type ClipPlayerHandle } from '../../components/ClipPlayer';
import { ConfidenceMeter, DeadlineBadge, StatusBadge } from '../../components/DeadlineBadge';
import { ErrorNote } from '../../components/ErrorNote';
import { StillOverlay, type OverlayData } from '../../components/StillOverlay';
import { codeLabel, evidenceLabel } from '../../components/evidenceLabel';
import { CaseHistory, fineText, ruleText } from '../../components/caseText';
import { useI18n } from '../../i18n';
import { REJECT_REASONS } from '../../options';
import { useRouter } from '../../router';
import { evidenceOf, overlayFor, placeText } from './evidence';
import { IdentificationPanel } from '../../components/Identification';
import { EvidenceIntegrityAlert, evidenceBroken } from '../../components/EvidenceIntegrity';
import { plateForVehicle, plateKindOf } from '@phatnguoi/core/plates/entry';
import type { CaseVehicleType } from '@phatnguoi/core/contracts/api/common';

const VEHICLE_CHOICES: CaseVehicleType[] = ['car', 'motorbike', 'bus', 'truck'];

const CLAIM_RENEW_MS = 120_000;

function isTyping(el: Element | null): boolean {
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable);
}

export default function CasePage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const { t, formatDateTime, formatNumber } = useI18n();
  const { user } = useAuth();
  const { navigate } = useRouter();
  const detail = useApi((signal) => api.get<CaseDetail>(paths.case(id), undefined, signal), id);
  const c = detail.data;
  const reloadDetail = detail.reload;
  const geometry = useApi<CameraGeometry | null>(
    (signal) => (c ? api.get<CameraGeometry>(paths.cameraGeometry(c.cameraId), undefined, signal).catch(() => null) : Promise.resolve(null)),
    c?.cameraId ?? '',
  );
  const [claim, setClaim] = useState<{ mine: boolean; by: string | null; until: string | null } | null>(null);
  const [claimError, setClaimError] = useState<Error | null>(null);
  const [plate, setPlate] = useState('');
  const [vehicleType, setVehicleType] = useState<string>('');
  const [zoom, setZoom] = useState<'plate' | 'vehicle' | null>(null);
  // Whether this page still holds the claim: a decision ends it, so leaving must not release it again (409).
  const holding = useRef(false);
  const [rejectOpen, setRejectOpen] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [showOverlay, setShowOverlay] = useState(true);
  const player = useRef<ClipPlayerHandle>(null);
  const plateInput = useRef<HTMLInputElement>(null);
  const speedIndex = useRef(2);

  // Evidence readiness: the clip's first frame and every still decoded. Exposed for the timing script.
  const [loaded, setLoaded] = useState<Set<string>>(new Set());
  const markLoaded = useCallback((k: string) => setLoaded((s) => (s.has(k) ? s : new Set(s).add(k))), []);
  useEffect(() => setLoaded(new Set()), [id]);

  useEffect(() => {
    if (c) {
      setPlate(c.plate.text ?? '');
      setVehicleType(c.vehicleType);
    }
  }, [c]);

  // What the typed plate will be stored as, or why it cannot be (checked before it reaches the server).
  const typedPlate = plate.trim();
  const plateChanged = !!c && (typedPlate.toUpperCase() !== (c.plate.text ?? '') || vehicleType !== c.vehicleType) && typedPlate !== '';
  const entry = useMemo(() => (typedPlate ? plateForVehicle(typedPlate, plateKindOf(vehicleType || 'car')) : null), [typedPlate, vehicleType]);

  // Claim the case while it is open (renewed), and release the claim when leaving it.
  const reviewable = c?.status === 'detected';
  useEffect(() => {
    if (!reviewable) return;
    let live = true;
    const take = () =>
      api
        .post<ClaimResponse>(paths.claim(id))
        .then((r) => live && ((holding.current = true), setClaim({ mine: true, by: r.claimedBy, until: r.claimedUntil }), setClaimError(null)))
        .catch((e: unknown) => {
          if (!live) return;
          if (e instanceof ApiError && e.status === 409) {
            // held by someone else: say who (from a fresh read of the case), not the server's English text
            setClaim({ mine: false, by: null, until: null });
            setClaimError(null);
            reloadDetail();
          } else setClaimError(e instanceof Error ? e : new Error(String(e)));
        });
    void take();
    const timer = window.setInterval(take, CLAIM_RENEW_MS);
    const release = () => {
      if (!holding.current) return;
      holding.current = false;
      // keepalive lets the release go out even while the tab closes
      void fetch(apiUrl(paths.release(id)), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        credentials: 'same-origin',
        keepalive: true,
      }).catch(() => undefined);
    };
    window.addEventListener('pagehide', release);
    return () => {
      live = false;
      window.clearInterval(timer);
      window.removeEventListener('pagehide', release);
      release();
      setClaim(null);
    };
  }, [id, reviewable, reloadDetail]);

  const ev = useMemo(() => (c ? evidenceOf(c) : null), [c]);
  const signal = (c?.signal ?? null) as SignalState | null;
  const overlay: OverlayData = useMemo(() => (c ? overlayFor(c, geometry.data ?? null, signal) : {}), [c, geometry.data, signal]);
  const needed = ev ? [ev.clip ? 'clip' : null, ...ev.stills.map((s) => s.id)].filter(Boolean).length : 0;
  const ready = !!ev && loaded.size >= needed;
  // When the evidence became visible (performance.now()), read by the case-open timing script.
  const [readyAt, setReadyAt] = useState<number | null>(null);
  useEffect(() => setReadyAt(null), [id]);
  useEffect(() => {
    if (ready) setReadyAt((v) => v ?? performance.now());
  }, [ready]);

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
      holding.current = false;
      setDone(t('case.confirmed'));
      detail.reload();
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
      if (e instanceof ApiError && e.status === 400) plateInput.current?.focus();
    } finally {
      setBusy(false);
    }
  }, [c, canAct, plateChanged, entry, typedPlate, vehicleType, id, t, detail]);

  const reject = useCallback(
    async (req: RejectRequest) => {
      setBusy(true);
      setActionError(null);
      try {
        await api.post(paths.reject(id), req);
        holding.current = false;
        setRejectOpen(false);
        setDone(t('case.rejected'));
        detail.reload();
      } catch (e) {
        setActionError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        setBusy(false);
      }
    },
    [id, t, detail],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (rejectOpen) return; // the dialog handles its own keys
      if (isTyping(document.activeElement)) {
        if (e.key === 'Escape') (document.activeElement as HTMLElement).blur();
        if (e.key === 'Enter' && document.activeElement === plateInput.current) {
          e.preventDefault();
          void confirm();
        }
        return;
      }
      const k = e.key;
      if (k === 'c' || k === 'C') void confirm();
      else if ((k === 'r' || k === 'R') && canAct) setRejectOpen(true);
      else if (k === 'p' || k === 'P') {
        e.preventDefault();
        plateInput.current?.focus();
        plateInput.current?.select();
      } else if (k === 'n' || k === 'N') void goNext();
      else if (k === ' ' && !(document.activeElement instanceof HTMLButtonElement)) {
        e.preventDefault();
        player.current?.togglePlay();
      } else if (k === ',') player.current?.step(-1);
      else if (k === '.') player.current?.step(1);
      else if (k === '[' || k === ']') {
        speedIndex.current = Math.min(SPEEDS.length - 1, Math.max(0, speedIndex.current + (k === ']' ? 1 : -1)));
        player.current?.setSpeed(SPEEDS[speedIndex.current]!);
      } else if (k === 'o' || k === 'O') setShowOverlay((v) => !v);
      else if (k === '?') setShowHelp((v) => !v);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [confirm, canAct, goNext, rejectOpen]);

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
        <p className="claim" data-testid="claim" aria-live="polite">
          {!reviewable
            ? null
            : claim?.mine
              ? t('claim.mine', { until: claim.until ? formatDateTime(claim.until) : '' })
              : claim
                ? t('claim.other', { user: c.claimedBy ?? '—' })
                : t('claim.taking')}
          {claim?.mine && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => navigate('/officer')}>
                {t('claim.release')}
              </button>
            </>
          )}
          {claimError && !claim?.mine && <ErrorNote error={claimError} />}
        </p>
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
        <section className="evidence" aria-label={t('case.evidence')}>
          {ev.clip?.url ? (
            <ClipPlayer ref={player} src={ev.clip.url} fps={ev.fps} label={t('case.clip')} onReady={() => markLoaded('clip')} />
          ) : (
            <p>{t('case.noClip')}</p>
          )}
          <div className="stills">
            {ev.stills.map((s) =>
              s.url ? (
                <StillOverlay
                  key={s.id}
                  src={s.url}
                  alt={evidenceLabel(t, s.kind, c.type)}
                  overlay={overlay}
                  showOverlay={showOverlay}
                  onLoad={() => markLoaded(s.id)}
                />
              ) : null,
            )}
          </div>
          <label className="check">
            <input type="checkbox" checked={showOverlay} onChange={(e) => setShowOverlay(e.target.checked)} /> {t('case.showOverlay')} (O)
          </label>
        </section>

        <section className="decision" aria-label={t('case.decision')}>
          <div className="plate-box">
            <h2>{t('case.plate')}</h2>
            <div className="side-by-side">
              <div className="crops">
                {ev.plateCrop?.url ? (
                  <button
                    type="button"
                    className="zoom-toggle"
                    aria-pressed={zoom === 'plate'}
                    aria-label={`${t('evidence.plate_crop')}: ${zoom === 'plate' ? t('desk.unzoom') : t('desk.zoom')}`}
                    onClick={() => setZoom(zoom === 'plate' ? null : 'plate')}
                  >
                    <img
                      className={`plate-crop${zoom === 'plate' ? ' zoomed' : ''}`}
                      src={ev.plateCrop.url}
                      alt={t('evidence.plate_crop')}
                      onLoad={() => markLoaded(ev.plateCrop!.id)}
                    />
                  </button>
                ) : (
                  <p>{t('case.noPlateCrop')}</p>
                )}
                {ev.vehicleCrop?.url && (
                  <button
                    type="button"
                    className="zoom-toggle"
                    aria-pressed={zoom === 'vehicle'}
                    aria-label={`${t('evidence.vehicle_crop')}: ${zoom === 'vehicle' ? t('desk.unzoom') : t('desk.zoom')}`}
                    onClick={() => setZoom(zoom === 'vehicle' ? null : 'vehicle')}
                  >
                    <img
                      className={`vehicle-crop${zoom === 'vehicle' ? ' zoomed' : ''}`}
                      src={ev.vehicleCrop.url}
                      alt={t('evidence.vehicle_crop')}
                      onLoad={() => markLoaded(ev.vehicleCrop!.id)}
                    />
                  </button>
                )}
              </div>
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
            <div className="field">
              <label htmlFor="plate-input">{t('plate.correct')} (P)</label>
              <input
                id="plate-input"
                ref={plateInput}
                value={plate}
                onChange={(e) => setPlate(e.target.value)}
                disabled={!canAct}
                autoComplete="off"
                spellCheck={false}
                aria-describedby="plate-help"
                aria-invalid={(actionError instanceof ApiError && actionError.status === 400) || (plateChanged && entry?.ok === false)}
              />
              <label htmlFor="vehicle-type">{t('desk.vehicleType')}</label>{' '}
              <select id="vehicle-type" value={vehicleType} onChange={(e) => setVehicleType(e.target.value)} disabled={!canAct}>
                {[...new Set([...VEHICLE_CHOICES, c.vehicleType])].map((v) => (
                  <option key={v} value={v}>
                    {t(`vehicle.${v}`)}
                  </option>
                ))}
              </select>
              <small id="plate-help">{t('plate.help')}</small>
              {plateChanged && entry && (
                <p className={entry.ok ? 'hint' : 'error'} role={entry.ok ? undefined : 'alert'} data-testid="plate-check">
                  {entry.ok
                    ? t('desk.plateWillBe', { plate: entry.plate })
                    : t('desk.plateInvalid', {
                        plate: typedPlate,
                        vehicle: t(`vehicle.${vehicleType}` as Parameters<typeof t>[0]).toLowerCase(),
                        why:
                          entry.reason === 'format'
                            ? t('desk.why.format')
                            : plateKindOf(vehicleType) === 'motorbike'
                              ? t('desk.why.carOnMoto')
                              : t('desk.why.motoOnCar'),
                      })}
                </p>
              )}
            </div>
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
          <dl className="facts">
            <dt>{t('case.vehicle')}</dt>
            <dd>{t(`vehicle.${c.vehicleType}`)}</dd>
            <dt>{t('case.rule')}</dt>
            <dd data-testid="rule-text">{ruleText(c, t, formatNumber, geometry.data)}</dd>
            {signal && (
              <>
                <dt>{t('case.signal')}</dt>
                <dd>
                  {t(`light.${signal.round}`)}
                  {signal.since && ` · ${t('case.since', { at: formatDateTime(signal.since) })}`}
                </dd>
              </>
            )}
            {c.ruleDetail?.speed && (
              <>
                <dt>{t('case.speed')}</dt>
                <dd>
                  {t('case.speedMeasured', {
                    measured: formatNumber(c.ruleDetail.speed.measuredKmh, 1),
                    sigma: formatNumber(c.ruleDetail.speed.uncertaintyKmh, 1),
                    tolerance: formatNumber(c.ruleDetail.speed.toleranceKmh, 1),
                    reduced: formatNumber(c.ruleDetail.speed.reducedKmh, 1),
                    limit: c.ruleDetail.speed.limitKmh,
                    distance: formatNumber(c.ruleDetail.speed.distanceM, 1),
                    seconds: formatNumber(c.ruleDetail.speed.seconds, 2),
                  })}
                </dd>
              </>
            )}
            {c.fine && (
              <>
                <dt>{t('case.fine')}</dt>
                <dd data-testid="fine-text">{fineText(c.fine, t, formatNumber)}</dd>
              </>
            )}
            {c.rejection && (
              <>
                <dt>{t('case.rejection')}</dt>
                <dd>
                  {t(`reject.${c.rejection.reason}`)} {c.rejection.text}
                </dd>
              </>
            )}
          </dl>
          <CaseHistory c={c} />
        </section>
      </div>
      {rejectOpen && <RejectDialog busy={busy} onCancel={() => setRejectOpen(false)} onSubmit={(r) => void reject(r)} />}
    </article>
  );
}

function ShortcutHelp() {
  const { t } = useI18n();
  const rows: [string, string][] = [
    ['C', t('case.confirm')],
    ['R', t('case.reject')],
    ['P', t('plate.correct')],
    ['N', t('case.next')],
    ['Space', t('clip.playPause')],
    [', / .', t('clip.stepFrames')],
    ['[ / ]', t('clip.speed')],
    ['O', t('case.showOverlay')],
  ];
  return (
    <table className="shortcuts">
      <caption>{t('case.shortcuts')}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">
              <kbd>{k}</kbd>
            </th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Modal dialog: reason required (radio list, arrow keys), free text required for "other"; Escape cancels. */
function RejectDialog({ busy, onCancel, onSubmit }: { busy: boolean; onCancel: () => void; onSubmit: (r: RejectRequest) => void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState<RejectReason | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    d?.querySelector<HTMLInputElement>('input[type=radio]')?.focus();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason) return setError(t('reject.needReason'));
    if (reason === 'other' && !text.trim()) return setError(t('reject.needText'));
    onSubmit({ reason, ...(text.trim() ? { text: text.trim() } : {}) });
  };
  return (
    <dialog
      ref={dialog}
      aria-labelledby="reject-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form
        onSubmit={submit}
        onKeyDown={(e) => {
          // digits pick a reason; Enter on a reason submits (a radio button has no implicit submission)
          const target = e.target as HTMLElement;
          if (target.tagName === 'TEXTAREA') return;
          const n = Number(e.key);
          if (Number.isInteger(n) && n >= 1 && n <= REJECT_REASONS.length) {
            e.preventDefault();
            setReason(REJECT_REASONS[n - 1]!);
            e.currentTarget.querySelectorAll<HTMLInputElement>('input[type=radio]')[n - 1]?.focus();
          } else if (e.key === 'Enter' && target instanceof HTMLInputElement && target.type === 'radio') {
            e.preventDefault();
            e.currentTarget.requestSubmit();
          }
        }}
      >
        <h2 id="reject-title">{t('case.reject')}</h2>
        <fieldset>
          <legend>{t('reject.reason')}</legend>
          {REJECT_REASONS.map((r, i) => (
            <label key={r} className="radio">
              <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} /> <kbd>{i + 1}</kbd> {t(`reject.${r}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="reject-text">{t('reject.text')}</label>
          <textarea id="reject-text" value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={1000} />
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            {t('reject.submit')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
