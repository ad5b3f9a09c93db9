/** A drawing of one team's range: the FW in the middle row, one column per segment with its nodes. */
import { useI18n, type MessageKey } from '../i18n/index.js';

export interface MapNode {
  node: string;
  role: string;
  title: string;
  state: string;
  health: string;
  ips: Record<string, string>;
}
export interface MapRange {
  team: string;
  segments: { name: string; purpose: string; subnet: string }[];
  nodes: MapNode[];
}

const W = 220;
const ROW = 46;

export function healthKey(n: { state: string; health: string }): MessageKey {
  if (n.state !== 'running') return 'health.unknown';
  return (
    ['healthy', 'unhealthy', 'starting', 'none'].includes(n.health) ? `health.${n.health}` : 'health.unknown'
  ) as MessageKey;
}

export function NetworkMap({ range, compact }: { range: MapRange; compact?: boolean }) {
  const { t } = useI18n();
  const routers = range.nodes.filter((n) => Object.keys(n.ips).length > 1 || n.role === 'fw');
  const hosts = range.nodes.filter((n) => !routers.includes(n));
  const segs = range.segments;
  // Segments wrap into rows so a nine-segment range still reads at 1280 px.
  const perRow = Math.max(1, Math.min(segs.length, compact ? 3 : 4));
  const col = compact ? 180 : W;
  const width = Math.max(perRow, 3) * col + 20;
  const rows: { y: number; h: number; segs: typeof segs }[] = [];
  let y = 60;
  for (let i = 0; i < segs.length; i += perRow) {
    const part = segs.slice(i, i + perRow);
    const n = Math.max(1, ...part.map((s) => hosts.filter((h) => h.ips[s.name]).length));
    const h = 50 + n * ROW + 16;
    rows.push({ y, h, segs: part });
    y += h;
  }
  const height = y + 4;
  return (
    <svg
      className="netmap"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={t('ws.network')}
      data-testid={`map-${range.team}`}
    >
      {routers.map((r, i) => (
        <g key={r.node} data-node={r.node}>
          <rect
            x={width / 2 - 80 + i * 170}
            y={8}
            width={160}
            height={34}
            rx={6}
            className={`node ${healthKey(r).replace('.', '-')}`}
          />
          <text x={width / 2 + i * 170} y={30} textAnchor="middle" className="label">
            {r.node} · {t(healthKey(r))}
          </text>
        </g>
      ))}
      {rows.map((row) =>
        row.segs.map((s, i) => {
          const x = 10 + i * col;
          const members = hosts.filter((h) => h.ips[s.name]);
          return (
            <g key={s.name}>
              <line x1={width / 2} y1={42} x2={x + col / 2 - 5} y2={row.y + 4} className="wire" />
              <rect x={x} y={row.y + 4} width={col - 10} height={40} rx={4} className="segment" />
              <text x={x + 6} y={row.y + 20} className="seg-name">
                {s.name}
              </text>
              <text x={x + 6} y={row.y + 37} className="seg-sub">
                {s.subnet}
              </text>
              {members.map((h, j) => (
                <g key={h.node} data-node={h.node}>
                  <rect
                    x={x + 6}
                    y={row.y + 50 + j * ROW}
                    width={col - 22}
                    height={ROW - 8}
                    rx={4}
                    className={`node ${healthKey(h).replace('.', '-')}`}
                  />
                  <text x={x + 12} y={row.y + 66 + j * ROW} className="label">
                    {h.node} · {t(healthKey(h))}
                  </text>
                  <text x={x + 12} y={row.y + 81 + j * ROW} className="ip">
                    {h.ips[s.name]}
                  </text>
                </g>
              ))}
            </g>
          );
        }),
      )}
    </svg>
  );
}
