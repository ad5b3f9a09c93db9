/** Team workspace: the team's network, terminals, log search, submissions with report clocks, hints, own score. */
import { useEffect, useState } from 'react';
import { api, type Session } from '../api.js';
import { useRoom } from '../live.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useAsync } from '../components/useAsync.js';
import type { RangeView } from './team/range.js';
import { Network } from './team/Network.js';
import { OwnScore } from './team/OwnScore.js';
import { Terminals } from './team/Terminals.js';
import { LogSearch } from './team/LogSearch.js';
import { Forms } from './team/Forms.js';
import { Hints } from './team/Hints.js';
import { SelfPacedBar } from './team/SelfPacedBar.js';
import { Submitted } from './team/Submitted.js';
import { Incidents } from './team/Incidents.js';

const TABS = ['terminals', 'logs', 'forms', 'submitted', 'hints'] as const;
type Tab = (typeof TABS)[number];

export function TeamView({ session }: { session: Session }) {
  const { t } = useI18n();
  const ex = session.exercise!;
  const team = session.team!;
  const live = useRoom(ex, team);
  const range = useAsync(() => api<RangeView>('GET', `/api/exercises/${ex}/teams/${team}/range`), [ex, team]);
  const [tab, setTab] = useState<Tab>('terminals');
  // node health changes while the team works (a node they broke, a reset): refresh the drawing
  useEffect(() => {
    const i = setInterval(range.reload, 15_000);
    return () => clearInterval(i);
  }, [range.reload]);
  const events = live.snapshot?.events ?? [];
  const heldHints = events.filter(
    (e) => (e.type === 'hint.released' || e.type === 'hint.bought') && (e as { team?: string }).team === team,
  ).length;
  return (
    <div className="workspace">
      <div className="toolbar">
        <h2>{t('ws.title', { team: `${team}${session.teamName ? ` ${session.teamName}` : ''}` })}</h2>
        {live.snapshot && (
          <span data-testid="ex-state">{t(`exState.${live.snapshot.exercise.state}` as MessageKey)}</span>
        )}
        <span className={live.connected ? 'live on' : 'live off'}>
          {live.connected ? t('state.live') : t('state.offline')}
        </span>
      </div>
      <SelfPacedBar />
      <div className="grid side">
        <div>
          <Network range={range} />
          <OwnScore live={live} team={team} />
          <Incidents ex={ex} team={team} events={events} />
        </div>
        <div>
          <div role="tablist" className="tabs" aria-label={t('ws.title', { team })}>
            {TABS.map((k) => (
              <button
                key={k}
                role="tab"
                id={`tab-${k}`}
                aria-selected={tab === k}
                aria-controls={`pane-${k}`}
                type="button"
                onClick={() => setTab(k)}
              >
                {t(`ws.${k}` as MessageKey)}
                {k === 'hints' && heldHints > 0 && <span className="badge"> {heldHints}</span>}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="pane-terminals" aria-labelledby="tab-terminals" hidden={tab !== 'terminals'}>
            <Terminals ex={ex} team={team} range={range.value} />
          </div>
          <div role="tabpanel" id="pane-logs" aria-labelledby="tab-logs" hidden={tab !== 'logs'}>
            <LogSearch ex={ex} team={team} nodes={range.value?.nodes.map((n) => n.node) ?? []} />
          </div>
          <div role="tabpanel" id="pane-forms" aria-labelledby="tab-forms" hidden={tab !== 'forms'}>
            <Forms
              ex={ex}
              team={team}
              deadlines={live.snapshot?.deadlines}
              nodes={range.value?.nodes.map((n) => n.node) ?? []}
            />
          </div>
          <div role="tabpanel" id="pane-submitted" aria-labelledby="tab-submitted" hidden={tab !== 'submitted'}>
            <Submitted team={team} events={events} />
          </div>
          <div role="tabpanel" id="pane-hints" aria-labelledby="tab-hints" hidden={tab !== 'hints'}>
            <Hints ex={ex} team={team} events={events} />
          </div>
        </div>
      </div>
    </div>
  );
}
