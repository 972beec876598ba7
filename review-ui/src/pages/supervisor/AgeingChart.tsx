import type { StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { api } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { StackedBarChart } from '../../components/charts';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';

/** The ageing tab's chart: open cases by how soon their deadline falls. */
export function AgeingChart() {
  const { t } = useI18n();
  const stats = useApi((signal) => api.get<StatsSnapshot>(paths.stats, undefined, signal), 'ageing');
  if (stats.error) return <ErrorNote error={stats.error} />;
  if (!stats.data) return null;
  const a = stats.data.ageing;
  const series = [{ key: 'n', label: t('queue.total', { n: '' }).trim() }];
  return (
    <StackedBarChart
      title={t('sup.ageingChart')}
      series={series}
      height={140}
      data={[
        { label: t('sup.ageOverdue'), values: { n: a.overdue } },
        { label: t('sup.age1d'), values: { n: a.due1d } },
        { label: t('sup.age3d'), values: { n: a.due3d } },
        { label: t('sup.ageLater'), values: { n: a.later } },
      ]}
    />
  );
}
