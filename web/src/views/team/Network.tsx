import { useI18n } from '../../i18n/index.js';
import { Async, Panel } from '../../components/States.js';
import { NetworkMap } from '../../components/NetworkMap.js';
import type { RangeView } from './range.js';

export function Network({ range }: { range: { value?: RangeView; error?: string; reload: () => void } }) {
  const { t } = useI18n();
  return (
    <Panel title={t('ws.network')} id="network">
      <Async value={range.value} error={range.error} retry={range.reload}>
        {(r) => <NetworkMap range={r} />}
      </Async>
    </Panel>
  );
}
