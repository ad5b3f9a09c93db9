/**
 * A team's range drawn as people draw a network diagram (layout in map-layout.ts): segments as
 * bands with their nodes, the FW in the middle, one wire from each band to the FW. Labels are in
 * the reader's language (segment and role names from the dictionaries, never the topology's mixed
 * titles); − / + / fit zoom the drawing inside a scrolling frame.
 */
import { useState } from 'react';
import { useI18n, type MessageKey, type T } from '../i18n/index.js';
import { layoutMap } from './map-layout.js';

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

export function healthKey(n: { state: string; health: string }): MessageKey {
  if (n.state !== 'running') return 'health.unknown';
  return (
    ['healthy', 'unhealthy', 'starting', 'none'].includes(n.health) ? `health.${n.health}` : 'health.unknown'
  ) as MessageKey;
}

const SEGMENTS = [
  'internet',
  'dmz',
  'business',
  'business2',
  'bizsrv',
  'core',
  'rnd',
  'closed',
  'soc',
  'inetside',
  'lgwan',
  'mynumber',
  'office',
  'servers',
];
const ROLES = [
  'fw',
  'attacker',
  'web',
  'dns',
  'proxy',
  'terminal',
  'file',
  'sanitizer',
  'ad',
  'mail',
  'dhcp',
  'orders',
  'research',
  'soc',
];

/** A segment's name in the reader's language (the topology's own name when the dictionary has none). */
export const segmentLabel = (t: T, name: string): string =>
  SEGMENTS.includes(name) ? t(`seg.${name}` as MessageKey) : name;
/** What a node is, in the reader's language ("Mail server"), from its role. */
export const roleLabel = (t: T, role: string): string =>
  ROLES.includes(role) ? t(`role.${role}` as MessageKey) : role;

const ZOOMS = [0.6, 0.8, 1, 1.25, 1.5, 2];

export function NetworkMap({ range }: { range: MapRange; compact?: boolean }) {
  const { t } = useI18n();
  // undefined: fit the frame's width; otherwise a factor of the natural size (1 = 1 px a unit)
  const [zoom, setZoom] = useState<number | undefined>(undefined);
  const L = layoutMap(range);
  const step = (d: 1 | -1) => {
    const cur = zoom ?? 1;
    const i = ZOOMS.findIndex((z) => z >= cur);
    setZoom(ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, (i < 0 ? ZOOMS.length - 1 : i) + d))]);
  };
  const health = (n: MapNode) => healthKey(n).replace('.', '-');
  return (
    <div className="netmap-frame">
      <div className="zoom no-print" role="group" aria-label={t('map.zoom')}>
        <button type="button" onClick={() => step(-1)} aria-label={t('map.zoomOut')}>
          −
        </button>
        <button type="button" onClick={() => step(1)} aria-label={t('map.zoomIn')}>
          +
        </button>
        <button type="button" onClick={() => setZoom(undefined)} aria-pressed={zoom === undefined}>
          {t('map.fit')}
        </button>
      </div>
      <div className="netmap-scroll">
        <svg
          className="netmap"
          viewBox={`0 0 ${L.width} ${L.height}`}
          style={zoom === undefined ? { width: '100%', maxWidth: L.width * 1.4 } : { width: L.width * zoom }}
          role="img"
          aria-label={t('ws.network')}
          data-testid={`map-${range.team}`}
        >
          {L.bands.map((b) => (
            <g key={b.segment} data-segment={b.segment}>
              <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={6} className="segment" />
              <text x={b.x + 8} y={b.y + 15} className="seg-name">
                {segmentLabel(t, b.segment)}
              </text>
              <text x={b.x + 8} y={b.y + 28} className="seg-sub">
                {b.subnet}
              </text>
            </g>
          ))}
          {L.wires.map((w) => (
            <g key={w.segment}>
              <line x1={w.x1} y1={w.y1} x2={w.x2} y2={w.y2} className="wire" data-wire={w.segment} />
              {w.ip && (
                <text x={(w.x1 + w.x2) / 2} y={w.y1 - 4} textAnchor="middle" className="wire-ip" aria-label={w.ip}>
                  .{w.ip.split('.').pop()}
                </text>
              )}
            </g>
          ))}
          {L.routers.map((r) => (
            <g key={r.node.node} data-node={r.node.node}>
              <rect x={r.x} y={r.y} width={r.w} height={r.h} rx={8} className={`node router ${health(r.node)}`} />
              <text x={r.x + r.w / 2} y={r.y + r.h / 2 - 4} textAnchor="middle" className="label">
                {r.node.node}
              </text>
              <text x={r.x + r.w / 2} y={r.y + r.h / 2 + 12} textAnchor="middle" className="health">
                {t(healthKey(r.node))}
              </text>
            </g>
          ))}
          {L.hosts.map((h) => (
            <g key={h.node.node} data-node={h.node.node}>
              <title>{`${h.node.node} · ${roleLabel(t, h.node.role)} · ${h.ip}`}</title>
              <rect x={h.x} y={h.y} width={h.w} height={h.h} rx={4} className={`node ${health(h.node)}`} />
              <text x={h.x + 6} y={h.y + 15} className="label">
                {h.node.node}
              </text>
              <text x={h.x + h.w - 6} y={h.y + 15} textAnchor="end" className="health">
                {t(healthKey(h.node))}
              </text>
              <text x={h.x + 6} y={h.y + 30} className="role">
                {roleLabel(t, h.node.role)}
              </text>
              <text x={h.x + h.w - 6} y={h.y + 30} textAnchor="end" className="ip">
                {h.ip}
              </text>
            </g>
          ))}
        </svg>
      </div>
    </div>
  );
}
