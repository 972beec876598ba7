import { useI18n } from '../../i18n';

/** The officer desk's keyboard shortcuts, shown with `?`. */
export function ShortcutHelp() {
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
