/**
 * Where each part of a range's network diagram goes, as plain geometry (no React), so that a test
 * can check the drawing: segments are horizontal bands in two columns, the FW a tall box in the
 * middle, and each band is wired to the FW by one horizontal line across the empty gutter between
 * them, so no wire ever crosses a node's box. Sizes are CSS pixels at zoom 1 and chosen so the
 * whole diagram of the 18-node range is about 580 px wide: readable at 1366×768 without zooming.
 */
export interface LayoutNode {
  node: string;
  role: string;
  health: string;
  state: string;
  ips: Record<string, string>;
}
export interface LayoutRange<N extends LayoutNode = LayoutNode> {
  segments: { name: string; subnet: string }[];
  nodes: N[];
}
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface MapLayout<N extends LayoutNode = LayoutNode> {
  width: number;
  height: number;
  bands: (Box & { segment: string; subnet: string; side: 'left' | 'right' })[];
  hosts: (Box & { node: N; segment: string; ip: string })[];
  routers: (Box & { node: N })[];
  wires: { segment: string; x1: number; y1: number; x2: number; y2: number; ip?: string }[];
}

export const SIZES = {
  pad: 8,
  bandW: 190,
  gutter: 58,
  fwW: 68,
  header: 34,
  nodeH: 36,
  nodePitch: 42,
  bandGap: 12,
} as const;

/** The nodes that join segments (the FW, or any node with addresses in several of them). */
export function isRouter(n: LayoutNode): boolean {
  return n.role === 'fw' || Object.keys(n.ips).length > 2;
}

export function layoutMap<N extends LayoutNode>(range: LayoutRange<N>): MapLayout<N> {
  const S = SIZES;
  const routers = range.nodes.filter(isRouter);
  const hosts = range.nodes.filter((n) => !isRouter(n));
  // a node with two addresses (not a router) is drawn once, in its first segment's band
  const home = (n: LayoutNode) => range.segments.find((s) => n.ips[s.name])?.name;
  const members = (seg: string): N[] => hosts.filter((h) => home(h) === seg);
  const bandH = (seg: string) => S.header + Math.max(0, members(seg).length) * S.nodePitch + 6;
  // split the segments, in their order, where the two columns come out closest in height
  const heights = range.segments.map((s) => bandH(s.name) + S.bandGap);
  const total = heights.reduce((a, b) => a + b, 0);
  let split = 0;
  let best = Infinity;
  for (let i = 0, acc = 0; i <= heights.length; i++) {
    const diff = Math.abs(total - 2 * acc);
    if (diff < best) [best, split] = [diff, i];
    acc += heights[i] ?? 0;
  }
  const xLeft = S.pad;
  const xFw = S.pad + S.bandW + S.gutter;
  const xRight = xFw + S.fwW + S.gutter;
  const width = xRight + S.bandW + S.pad;
  const bands: MapLayout<N>['bands'] = [];
  const placed: MapLayout<N>['hosts'] = [];
  const column = (segs: LayoutRange['segments'], x: number, side: 'left' | 'right') => {
    let y = S.pad;
    for (const s of segs) {
      const h = bandH(s.name);
      bands.push({ x, y, w: S.bandW, h, segment: s.name, subnet: s.subnet, side });
      members(s.name).forEach((n, j) =>
        placed.push({
          x: x + 6,
          y: y + S.header + j * S.nodePitch,
          w: S.bandW - 12,
          h: S.nodeH,
          node: n,
          segment: s.name,
          ip: Object.values(n.ips).join(' / '),
        }),
      );
      y += h + S.bandGap;
    }
    return y;
  };
  const hLeft = column(range.segments.slice(0, split), xLeft, 'left');
  const hRight = column(range.segments.slice(split), xRight, 'right');
  const height = Math.max(hLeft, hRight, 120) + S.pad - S.bandGap;
  // each band is wired at the middle of its header, where no node box is
  const wireY = (b: (typeof bands)[number]) => b.y + S.header / 2;
  const ys = bands.map(wireY);
  const top = Math.min(...ys, height / 2 - 40) - 14;
  const bottom = Math.max(...ys, height / 2 + 40) + 14;
  const routerBoxes: MapLayout<N>['routers'] = routers.map((n, i) => {
    // several routers share the middle column, one above the other
    const h = (bottom - top) / routers.length;
    return { x: xFw, y: top + i * h, w: S.fwW, h: h - (routers.length > 1 ? 6 : 0), node: n };
  });
  const wires: MapLayout<N>['wires'] = [];
  for (const b of bands) {
    const r = routerBoxes.find((x) => x.node.ips[b.segment]);
    if (!r) continue;
    const y = wireY(b);
    const [x1, x2] = b.side === 'left' ? [b.x + b.w, r.x] : [r.x + r.w, b.x];
    wires.push({ segment: b.segment, x1, y1: y, x2, y2: y, ip: r.node.ips[b.segment] });
  }
  return { width, height, bands, hosts: placed, routers: routerBoxes, wires };
}

/** Whether a straight wire passes through the inside of a box (touching its border does not count). */
export function crosses(w: { x1: number; y1: number; x2: number; y2: number }, b: Box): boolean {
  const [l, r, t, btm] = [b.x + 0.5, b.x + b.w - 0.5, b.y + 0.5, b.y + b.h - 0.5];
  // Liang–Barsky clipping of the segment against the shrunken box
  let t0 = 0;
  let t1 = 1;
  const dx = w.x2 - w.x1;
  const dy = w.y2 - w.y1;
  for (const [p, q] of [
    [-dx, w.x1 - l],
    [dx, r - w.x1],
    [-dy, w.y1 - t],
    [dy, btm - w.y1],
  ] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const u = q / p;
      if (p < 0) t0 = Math.max(t0, u);
      else t1 = Math.min(t1, u);
    }
  }
  return t0 < t1;
}
