/**
 * The direction of enshu's rooms, checked in CI (`npm run check:layers`):
 *
 *   web ─► protocol ◄─ core ◄─ orchestrator (range) ◄─ attacker (Engine types only)
 *                        ▲            ▲                   ▲
 *                        └── scoreboard (scoring)         │
 *                                     server, cli ────────┘  (compose everything below)
 *
 * A room is a top-level folder with an index.ts; another room may import only that index.
 * No cycles, not even among one room's own files.
 */
const ROOMS = ['core', 'protocol', 'orchestrator', 'attacker', 'scoreboard', 'server', 'cli', 'web'];
const others = (...allowed) => ROOMS.filter((r) => !allowed.includes(r));
const into = (rooms) => `^(${rooms.join('|')})/`;

/** `from` may import only these rooms (besides itself) */
const ALLOWED = {
  protocol: [],
  core: ['protocol'],
  orchestrator: ['core', 'protocol'],
  attacker: ['core', 'protocol', 'orchestrator'],
  scoreboard: ['core', 'protocol'],
  server: ['core', 'protocol', 'orchestrator', 'attacker', 'scoreboard'],
  cli: ['core', 'protocol', 'orchestrator', 'attacker', 'scoreboard', 'server'],
  web: ['protocol'],
};

module.exports = {
  forbidden: [
    ...Object.entries(ALLOWED).map(([room, allowed]) => ({
      name: `layer-${room}`,
      comment: `${room}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (see .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: `^${room}/` },
      to: { path: into(others(room, ...allowed)) },
    })),
    {
      name: 'attacker-uses-engine-types-only',
      comment: 'the attacker acts through the Engine interface it is handed: it takes types from the range, never code',
      severity: 'error',
      from: { path: '^attacker/' },
      to: { path: '^orchestrator/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'one-public-surface',
      comment: 'another room is reached only through its index.ts',
      severity: 'error',
      from: { path: '^([^/]+)/' },
      to: {
        path: `^(${ROOMS.join('|')})/`,
        pathNot: [`^(${ROOMS.join('|')})/index\\.ts$`, '^$1/'],
      },
    },
    {
      name: 'no-own-index',
      comment: 'inside a room, import the file that defines a thing, not the room index (it invites cycles)',
      severity: 'error',
      from: { path: '^([^/]+)/.+' },
      to: { path: '^$1/index\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles anywhere',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'dockerode-in-the-driver-only',
      comment: 'only the Docker driver imports dockerode',
      severity: 'error',
      from: { pathNot: '^orchestrator/docker/dockerode-engine\\.ts$' },
      to: { path: 'node_modules/(dockerode|docker-modem)/' },
    },
    {
      name: 'web-is-browser-code',
      comment: 'the web bundle takes no Node built-ins',
      severity: 'error',
      from: { path: '^(web/src|protocol)/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
