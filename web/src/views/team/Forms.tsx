import type { ReportDeadlines } from '../../../../protocol/index.js';
import { useI18n } from '../../i18n/index.js';
import { Panel } from '../../components/States.js';
import { ReportClock } from './ReportClock.js';
import { FindingForm } from './FindingForm.js';
import { ActionForm } from './ActionForm.js';
import { ReportForm } from './ReportForm.js';
import { RecoveryForm } from './RecoveryForm.js';

/** What the team sends in: findings, actions taken, incident reports (against the report clock) and recoveries. */
export function Forms({
  ex,
  team,
  deadlines,
  nodes,
}: {
  ex: string;
  team: string;
  /** the team's report deadlines, as the server computes them */
  deadlines: ReportDeadlines | undefined;
  nodes: string[];
}) {
  const { t } = useI18n();
  const base = `/api/exercises/${ex}/teams/${team}`;
  return (
    <Panel title={t('ws.forms')} id="forms">
      <ReportClock deadlines={deadlines} />
      <div className="grid two">
        <FindingForm base={base} />
        <ActionForm base={base} nodes={nodes} />
        <ReportForm base={base} deadlines={deadlines} />
        <RecoveryForm base={base} />
      </div>
    </Panel>
  );
}
