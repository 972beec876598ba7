import type { PublicCaseResponse } from '@phatnguoi/core/contracts/api/lookup';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { evidenceLabel } from '../../components/evidenceLabel';
import { useI18n } from '../../i18n';
import { ViolationCard } from './LookupPage';

const KIND_ORDER = ['clip', 'scene_before', 'scene_after', 'vehicle_crop', 'plate_crop'];
const kindRank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);

/** The page a notice's QR code opens: the published facts and the evidence of that one case. */
export default function PublicCasePage({ params }: { params: Record<string, string> }) {
  const { t } = useI18n();
  const token = params.ref!;
  const res = useApi((signal) => call('GET /api/public/cases/:token', { params: { token }, signal }), token);
  if (res.error)
    return (
      <section className="citizen">
        <h1>{t('citizen.caseTitle')}</h1>
        <p role="alert" className="error">
          {t('citizen.badLink')}
        </p>
      </section>
    );
  if (!res.data) return <p aria-busy="true">{t('app.loading')}</p>;
  const { violation, evidence, expiresInSeconds } = res.data;
  return (
    <section className="citizen">
      <h1>{t('citizen.caseTitle')}</h1>
      <ViolationCard v={violation} />
      <h2>{t('citizen.evidence')}</h2>
      <p className="hint">{t('citizen.linkExpires', { min: Math.max(1, Math.floor(expiresInSeconds / 60)) })}</p>
      <EvidenceList evidence={evidence} />
    </section>
  );
}

/** Evidence items in their usual order (clip, scenes, crops), each with its SHA-256 for the owner to check. */
export function EvidenceList({ evidence }: { evidence: PublicCaseResponse['evidence'] }) {
  const { t } = useI18n();
  const sorted = [...evidence].sort((a, b) => kindRank(a.kind) - kindRank(b.kind));
  return (
    <ul className="public-evidence">
      {sorted.map((e) => (
        <li key={e.sha256}>
          <figure>
            {e.contentType.startsWith('video/') ? (
              <video src={e.url} controls muted playsInline preload="metadata" aria-label={evidenceLabel(t, e.kind)} />
            ) : (
              <img src={e.url} alt={evidenceLabel(t, e.kind)} loading="lazy" className={e.kind.endsWith('_crop') ? 'crop' : undefined} />
            )}
            <figcaption>
              {evidenceLabel(t, e.kind)}
              <br />
              <small>
                {t('citizen.hash')}: <code className="hash">{e.sha256}</code>
              </small>
            </figcaption>
          </figure>
        </li>
      ))}
    </ul>
  );
}
