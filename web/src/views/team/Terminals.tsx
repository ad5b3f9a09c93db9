import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Empty, Panel } from '../../components/States.js';
import { TerminalView } from '../../components/Terminal.js';
import { roleLabel } from '../../components/NetworkMap.js';
import type { RangeView } from './range.js';

export function Terminals({ ex, team, range }: { ex: string; team: string; range?: RangeView }) {
  const { t } = useI18n();
  const [tabs, setTabs] = useState<{ id: number; node: string; user?: string }[]>([]);
  const [active, setActive] = useState<number>();
  const [node, setNode] = useState('');
  const [user, setUser] = useState('');
  // only the nodes the team may open (the range view lists, per node, the users it may open it as)
  const nodes = useMemo(() => (range?.nodes ?? []).filter((n) => n.users.length > 0), [range]);
  const users = nodes.find((n) => n.node === node)?.users ?? [];
  useEffect(() => {
    if (!node && nodes[0]) setNode(nodes[0].node);
  }, [nodes, node]);
  const open = (e: FormEvent) => {
    e.preventDefault();
    const id = Date.now();
    setTabs((ts) => [...ts, { id, node, ...(user ? { user } : {}) }]);
    setActive(id);
  };
  const host = location.hostname;
  return (
    <Panel title={t('ws.terminals')} id="terminals">
      <form className="inline" onSubmit={open}>
        <label htmlFor="term-node">{t('term.node')}</label>
        <select
          id="term-node"
          value={node}
          onChange={(e) => {
            setNode(e.target.value);
            setUser('');
          }}
        >
          {nodes.map((n) => (
            <option key={n.node} value={n.node}>
              {n.node} — {roleLabel(t, n.role)}
            </option>
          ))}
        </select>
        <label htmlFor="term-user">{t('term.user')}</label>
        <select id="term-user" value={user} onChange={(e) => setUser(e.target.value)}>
          <option value="">{users[0] ?? 'root'}</option>
          {users.slice(1).map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!node}>
          {t('term.open')}
        </button>
      </form>
      <p className="note">{t('term.copyHint')}</p>
      <p className="note">
        {t('term.ssh', { command: `ssh -p 2222 ${team}+${node || 'pc1'}${user ? `+${user}` : ''}@${host}` })}
      </p>
      {tabs.length === 0 ? (
        <Empty>{t('term.none')}</Empty>
      ) : (
        <>
          <div role="tablist" className="tabs small" aria-label={t('ws.terminals')}>
            {tabs.map((x) => (
              <span key={x.id} className="tab">
                <button role="tab" type="button" aria-selected={active === x.id} onClick={() => setActive(x.id)}>
                  {x.node}
                  {x.user ? ` (${x.user})` : ''}
                </button>
                <button
                  type="button"
                  aria-label={`${t('term.close')} ${x.node}`}
                  onClick={() => setTabs((ts) => ts.filter((y) => y.id !== x.id))}
                >
                  ×
                </button>
              </span>
            ))}
          </div>
          {tabs.map((x) => (
            <TerminalView
              key={x.id}
              exercise={ex}
              team={team}
              node={x.node}
              {...(x.user ? { user: x.user } : {})}
              active={active === x.id}
            />
          ))}
        </>
      )}
    </Panel>
  );
}
