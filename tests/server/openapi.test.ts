/**
 * The OpenAPI document of the exercise server, checked from outside the code that makes it: a
 * real server on loopback serves it, an independent OpenAPI 3.1 validator accepts it, every route
 * it lists declares a success schema, and every route that works without a range is called as a
 * class would call it (instructor, organizer, trainee) with its answer checked by ajv against
 * that route's schema in the served document. Routes that need a container engine are called
 * too; their error answer is checked against the documented error, and they are listed by name
 * so a new route cannot slip through unchecked. No engine: the exercise is marked provisioned
 * in the store, the real scenario gives the ground truth, the real rules score.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { describe, test, beforeAll, afterAll } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { accessRouteFactory, attackPort, reportingPort, scoringPort } from '../../server/index.js';
import { ADMIN, startServer, type Running } from './helpers.js';

const EX = 'oa-doc';
const SCENARIO = 'a-phishing-c2-exfil';
/** what the range view and log search answer on a server without a container engine */
const RANGE_MISSING = 502;
const ORGANIZER = { user: 'oa-organizer', password: 'oa-organizer-password' };
/** Routes whose success needs a built range (or a running attacker in one): checked for their error answer only. */
const NEEDS_RANGE = new Set([
  'post /api/exercises/{exercise}/provision',
  'post /api/exercises/{exercise}/teams/{team}/skip',
  'post /api/exercises/{exercise}/teams/{team}/replay',
  'post /api/exercises/{exercise}/teams/{team}/restart-attack',
  'post /api/exercises/{exercise}/teams/{team}/reset',
  'get /api/exercises/{exercise}/range',
  'get /api/exercises/{exercise}/teams/{team}/range',
  'get /api/exercises/{exercise}/teams/{team}/logs',
  // a self-paced seat's clock needs its range built
  'post /api/selfpaced/me/start',
  'post /api/selfpaced/me/pause',
  // the PDF is the web app's report page printed by Chromium: the UI walk checks the file itself
  'get /api/exercises/{exercise}/report.pdf',
]);

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-openapi-'));
let run: Running;
let doc: Doc;
let ajv: Ajv2020;
let admin: string;
let organizer: string;
let trainee: string;
let other: string;
/** operations (`get /api/...`) whose success answer was checked against the document */
const succeeded = new Set<string>();
/** operations whose error answer was checked */
const failed = new Set<string>();

const openApiPath = (p: string) => p.replace(/:([A-Za-z]+)/g, '{$1}');
const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * JSON Schema lets an object carry properties its schema does not name; the document is stricter
 * in intent (the answer is exactly what it lists). Every object schema that does not say what
 * extra properties may be is closed here, so an undocumented field in an answer fails the check.
 * Objects combined by allOf are closed at the allOf, where all their properties are seen.
 */
function closed(s: unknown, inAllOf = false): unknown {
  if (Array.isArray(s)) return s.map((x) => closed(x, inAllOf));
  if (!s || typeof s !== 'object') return s;
  const o = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' || k === 'patternProperties')
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, x]) => [p, closed(x)]));
    else if (k === 'items' || k === 'additionalProperties' || k === 'prefixItems' || k === 'not') out[k] = closed(v);
    else if (k === 'allOf') out[k] = closed(v, true);
    else if (k === 'oneOf' || k === 'anyOf') out[k] = closed(v, inAllOf);
    else out[k] = v;
  }
  const open = o.additionalProperties === undefined && o.unevaluatedProperties === undefined;
  if (!inAllOf && open && (o.properties || o.allOf)) out.unevaluatedProperties = false;
  return out;
}

function closedDoc(d: Doc): Doc {
  const c = structuredClone(d);
  for (const [name, s] of Object.entries(c.components.schemas)) c.components.schemas[name] = closed(s) as Schema;
  for (const ops of Object.values(c.paths)) {
    for (const op of Object.values(ops)) {
      for (const r of Object.values(op.responses))
        for (const m of Object.values(r.content ?? {})) if (m.schema) m.schema = closed(m.schema) as Schema;
    }
  }
  return c;
}

/** The one 2xx status an operation declares. */
function successOf(op: Operation): string {
  const codes = Object.keys(op.responses).filter((c) => /^2\d\d$/.test(c));
  assert.equal(codes.length, 1, `one success status, got ${codes.join(', ')}`);
  return codes[0]!;
}

function operation(method: string, path: string): Operation {
  const op = doc.paths[openApiPath(path)]?.[method];
  assert.ok(op, `${method.toUpperCase()} ${path} is not in the document`);
  return op;
}

const validators = new Map<string, ValidateFunction>();
/** ajv's validator for the JSON schema at `at` (a pointer into the served document), refs resolved in it. */
function validatorAt(at: string): ValidateFunction {
  let v = validators.get(at);
  if (!v) {
    v = ajv.getSchema(`openapi.json#${at}`);
    assert.ok(v, `no schema at ${at}`);
    validators.set(at, v);
  }
  return v;
}

function check(what: string, v: ValidateFunction, body: unknown): void {
  if (v(body)) return;
  const errors = (v.errors ?? [])
    .map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
  assert.fail(`${what} does not match its schema:\n${errors}\n${JSON.stringify(body).slice(0, 2000)}`);
}

interface Call {
  token?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/** Calls a route by its express path and checks the answer against the document: success status and schema. */
async function call<T = Record<string, unknown>>(
  method: 'get' | 'post' | 'delete',
  path: string,
  c: Call = {},
): Promise<T> {
  const op = operation(method, path);
  const code = successOf(op);
  const url =
    path.replace(/:([A-Za-z]+)/g, (_, k: string) =>
      encodeURIComponent(c.params?.[k] ?? (k === 'exercise' ? EX : 'missing-' + k)),
    ) + (c.query ? `?${new URLSearchParams(c.query)}` : '');
  const res = await run.api<T>(method.toUpperCase(), url, c.body, c.token);
  assert.equal(String(res.status), code, `${method.toUpperCase()} ${url}: ${res.status} ${res.text.slice(0, 500)}`);
  const at = `/paths/${pointer(openApiPath(path))}/${method}/responses/${code}/content/application~1json/schema`;
  check(`${method.toUpperCase()} ${url}`, validatorAt(at), res.body);
  succeeded.add(`${method} ${openApiPath(path)}`);
  return res.body;
}

/**
 * Calls a route expecting an error status; the `{error, detail}` body is checked against the
 * response the document gives that status.
 */
async function callFails(method: 'get' | 'post', path: string, status: number, c: Call = {}): Promise<void> {
  const op = operation(method, path);
  const url = path.replace(/:([A-Za-z]+)/g, (_, k: string) =>
    encodeURIComponent(c.params?.[k] ?? (k === 'exercise' ? EX : 'missing-' + k)),
  );
  const res = await run.api(method.toUpperCase(), url, c.body, c.token);
  assert.equal(res.status, status, `${method.toUpperCase()} ${url}: ${res.status} ${res.text.slice(0, 500)}`);
  const declared = op.responses[String(status)] ?? op.responses.default;
  assert.ok(declared, `${method.toUpperCase()} ${path} documents no ${status} (and no default)`);
  const ref = declared.$ref;
  const at = ref
    ? `${ref.slice(1)}/content/application~1json/schema`
    : `/paths/${pointer(openApiPath(path))}/${method}/responses/${op.responses[String(status)] ? status : 'default'}/content/application~1json/schema`;
  check(`${method.toUpperCase()} ${url} (${status})`, validatorAt(at), res.body);
  failed.add(`${method} ${openApiPath(path)}`);
}

beforeAll(async () => {
  // the trainee-access routes (glossary, range view, log search) as `enshu serve` mounts them, without an engine
  run = await startServer({
    dataDir,
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
    extraRoutes: accessRouteFactory(undefined),
    limits: { loginPerMinute: 1000, submissionsPerMinute: 1000 },
  });
  const res = await run.api<Doc>('GET', '/api/docs');
  assert.equal(res.status, 200, res.text);
  doc = res.body;
  ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  // the whole document is one schema resource, so `#/components/schemas/…` refs resolve inside it
  ajv.addSchema(closedDoc(doc), 'openapi.json');
});

afterAll(async () => {
  await run?.server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document (independent validator)', async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    assert.ok(res.valid, `invalid OpenAPI document: ${JSON.stringify(res.errors, null, 1)?.slice(0, 4000)}`);
    assert.equal(validator.version, '3.1');
    assert.equal(doc.openapi, '3.1.0');
  });

  test('lists every mounted route', () => {
    for (const r of run.server.routes)
      assert.ok(doc.paths[openApiPath(r.path)]?.[r.method], `${r.method.toUpperCase()} ${r.path} missing`);
  });

  test('gives every route one success status with a JSON schema that says something', () => {
    let n = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const code = successOf(op);
        // a file answer (the after-action PDF) has no JSON schema: it names its content type instead
        if (op.responses[code]?.content?.['application/pdf']) continue;
        const schema = op.responses[code]?.content?.['application/json']?.schema;
        assert.ok(
          schema && Object.keys(schema).length > 0,
          `${method.toUpperCase()} ${path}: no schema for its ${code} answer`,
        );
        const target =
          typeof schema.$ref === 'string'
            ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]
            : schema;
        assert.ok(
          target && Object.keys(target).length > 0,
          `${method.toUpperCase()} ${path}: ${String(schema.$ref)} is empty or missing`,
        );
        // compiling each one also proves every $ref in it resolves
        validatorAt(`/paths/${pointer(path)}/${method}/responses/${code}/content/application~1json/schema`);
        n++;
      }
    }
    assert.ok(n >= 30, `only ${n} operations`);
  });
});

describe('every route answers as documented', () => {
  let exercise: { teams: { id: string; joinCode: string }[] };
  let reportId: string;

  test('health, docs, login, users, me', async () => {
    await call('get', '/api/health');
    await call('get', '/api/docs');
    admin = (await call<{ token: string }>('post', '/api/auth/login', { body: ADMIN })).token;
    await call('post', '/api/users', {
      token: admin,
      body: { name: ORGANIZER.user, role: 'organizer', password: ORGANIZER.password },
    });
    organizer = (await call<{ token: string }>('post', '/api/auth/login', { body: ORGANIZER })).token;
    await call('get', '/api/users', { token: admin });
    await call('get', '/api/me', { token: organizer });
  });

  test('create an exercise, start it, teams join', async () => {
    await call('post', '/api/exercises', {
      token: admin,
      body: {
        id: EX,
        course: 'A',
        scenario: SCENARIO,
        seed: 3,
        schedule: { start: '2026-11-26T09:00:00+09:00' },
        teams: [{ name: 'Blue', members: ['alice'] }, { name: 'Red' }],
      },
    });
    await call('get', '/api/exercises', { token: admin });
    exercise = await call('get', '/api/exercises/:exercise', { token: admin });
    // no engine here: the range is not what this file tests, so the exercise is marked provisioned in the store
    run.server.store.exercises.transition(EX, 'provisioning');
    run.server.store.exercises.transition(EX, 'ready');
    await call('post', '/api/exercises/:exercise/start', { token: admin });
    trainee = (
      await call<{ token: string }>('post', '/api/auth/join', {
        body: { code: exercise.teams[0]!.joinCode, name: 'alice' },
      })
    ).token;
    other = (
      await call<{ token: string }>('post', '/api/auth/join', {
        body: { code: exercise.teams[1]!.joinCode, name: 'bob' },
      })
    ).token;
    await call('get', '/api/me', { token: trainee });
    await call('get', '/api/exercises', { token: trainee });
    await call('get', '/api/exercises/:exercise', { token: trainee });
  });

  test('the attack’s events go in; a team submits a finding, an action, a report and a recovery', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const step = (id: string, impact = false) => ({
      type: 'attack.step',
      team: 't01',
      scenario: SCENARIO,
      step: id,
      technique: 'T1041',
      tactic: 'exfiltration',
      at,
      startedAt: at,
      endedAt: at,
      outcome: 'succeeded',
      impact,
    });
    await call('post', '/api/exercises/:exercise/events', {
      token: admin,
      body: { events: [step('phishing-mail'), step('exfiltrate', true)] },
    });
    const t = { params: { team: 't01' }, token: trainee };
    await call('post', '/api/exercises/:exercise/teams/:team/findings', {
      ...t,
      body: { indicatorType: 'email', value: 'invoice@share-drop.example', text: 'the mail' },
    });
    await call('post', '/api/exercises/:exercise/teams/:team/findings', { ...t, body: { technique: 'T1566.001' } });
    await call('post', '/api/exercises/:exercise/teams/:team/actions', {
      ...t,
      body: { node: 'pc', what: 'cut the network cable' },
    });
    const report = await call<{ event: { id: string } }>('post', '/api/exercises/:exercise/teams/:team/reports', {
      ...t,
      body: {
        kind: 'first',
        language: 'en',
        fields: {
          occurredAt: 'today around 9:00',
          affected: 'files of General Affairs',
          cause: 'a mail attachment that ran a program',
          outlook: 'restored by this evening',
          alternatives: 'use the phone desk meanwhile',
          actions: 'we cut the connection',
        },
      },
    });
    reportId = report.event.id;
    await call('post', '/api/exercises/:exercise/teams/:team/recoveries', { ...t, body: { what: 'reimaged the PC' } });
  });

  test('hints: the lists, a release and a purchase', async () => {
    const t = { params: { team: 't01' } };
    const staffList = await call<{ steps: { step: string; hints: { id: string }[] }[] }>(
      'get',
      '/api/exercises/:exercise/teams/:team/hints',
      { ...t, token: admin },
    );
    const withHints = staffList.steps.filter((s) => s.hints.length);
    assert.ok(withHints.length >= 2, 'the scenario has hints on two steps');
    await call('post', '/api/exercises/:exercise/teams/:team/hints/release', {
      ...t,
      token: admin,
      body: { step: withHints[0]!.step, hint: withHints[0]!.hints[0]!.id },
    });
    // trainees name a step by the opaque reference of their own list (steps their attack reached), never by its id
    const theirs = await call<{ steps: { step: string; hints: { id: string; got?: string }[] }[] }>(
      'get',
      '/api/exercises/:exercise/teams/:team/hints',
      { ...t, token: trainee },
    );
    const buyable = theirs.steps.find((s) => s.hints.some((h) => !h.got))!;
    assert.ok(buyable, 'a reached step has a hint to buy');
    await call('post', '/api/exercises/:exercise/teams/:team/hints/buy', {
      ...t,
      token: trainee,
      body: { step: buyable.step, hint: buyable.hints.find((h) => !h.got)!.id },
    });
    const mine = await call<{ steps: { hints: { got?: string; text?: unknown }[] }[] }>(
      'get',
      '/api/exercises/:exercise/teams/:team/hints',
      { ...t, token: trainee },
    );
    assert.ok(
      mine.steps.some((s) => s.hints.some((h) => h.got === 'bought' && h.text)),
      'the bought hint is shown with its text',
    );
  });

  test('the instructor grades the report; the speed changes; the exercise pauses and resumes', async () => {
    await call('post', '/api/exercises/:exercise/teams/:team/reports/:report/grade', {
      token: admin,
      params: { team: 't01', report: reportId },
      body: { grade: 0.5, comment: 'clear' },
    });
    await call('post', '/api/exercises/:exercise/speed', { token: admin, body: { speed: 2 } });
    await call('post', '/api/exercises/:exercise/pause', { token: admin });
    await call('post', '/api/exercises/:exercise/resume', { token: admin });
  });

  test('the log, scores and snapshots, for staff and trainees', async () => {
    const all = await call<{ events: { seq: number }[] }>('get', '/api/exercises/:exercise/events', { token: admin });
    assert.ok(all.events.length >= 10);
    const later = await call<{ events: { seq: number }[] }>('get', '/api/exercises/:exercise/events', {
      token: admin,
      query: { after: String(all.events[2]!.seq) },
    });
    assert.equal(later.events.length, all.events.length - 3);
    await call('get', '/api/exercises/:exercise/events', { token: trainee });
    const scores = await call<{ scores: { team: string; detail?: unknown[] }[] }>(
      'get',
      '/api/exercises/:exercise/scores',
      { token: admin },
    );
    assert.ok(scores.scores.find((s) => s.team === 't01')?.detail?.length, 't01 has score items');
    await call('get', '/api/exercises/:exercise/scores', { token: trainee });
    await call('get', '/api/exercises/:exercise/scores', { token: other });
    for (const token of [admin, organizer, trainee]) {
      await call('get', '/api/exercises/:exercise/teams/:team', { token, params: { team: 't01' } });
      await call('get', '/api/exercises/:exercise/teams/:team/score', { token, params: { team: 't01' } });
    }
  });

  test('organizer views: timeline, results and statistics, in JSON and CSV', async () => {
    const timeline = await call<{ entries: unknown[] }>('get', '/api/exercises/:exercise/teams/:team/timeline', {
      token: organizer,
      params: { team: 't01' },
    });
    assert.ok(timeline.entries.length > 0);
    await call('get', '/api/exercises/:exercise/teams/:team/timeline', { token: trainee, params: { team: 't01' } });
    await call('get', '/api/exercises/:exercise/results', { token: organizer });
    await call('get', '/api/exercises/:exercise/results', { token: organizer, query: { format: 'json' } });
    const stats = await call<{ stats: unknown[] }>('get', '/api/stats', { token: organizer });
    assert.ok(stats.stats.length > 0);
    // the seed-shaped yearly table (#14): an import of past years, then the table with them
    const imported = await call<{ imported: number }>('post', '/api/stats/yearly', {
      token: organizer,
      body: { csv: 'fiscal_year,course,sessions,participants\n2021,,105,2454\n' },
    });
    assert.equal(imported.imported, 1);
    const yearly = await call<{ table: { years: { fiscalYear: number; sessions: number }[] } }>(
      'get',
      '/api/stats/yearly',
      { token: organizer },
    );
    assert.deepEqual(yearly.table.years[0], { fiscalYear: 2021, rows: [], sessions: 105, participants: 2454 });
    await callFails('post', '/api/stats/yearly', 400, { token: organizer, body: { csv: 'fiscal_year\nx\n' } });
    for (const [path, ex] of [
      ['/api/exercises/:exercise/results', EX],
      ['/api/stats', undefined],
    ] as const) {
      const op = operation('get', path);
      assert.ok(op.responses[successOf(op)]?.content?.['text/csv'], `${path} documents its CSV answer`);
      const res = await fetch(`${run.url}${path.replace(':exercise', ex ?? '')}?format=csv`, {
        headers: { authorization: `Bearer ${organizer}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      assert.ok((await res.text()).length > 0);
    }
  });

  test('routes that need a range answer with the documented error', async () => {
    await callFails('post', '/api/exercises/:exercise/provision', 409, { token: admin });
    await callFails('post', '/api/exercises/:exercise/teams/:team/skip', 409, {
      token: admin,
      params: { team: 't01' },
      body: { step: 'discovery' },
    });
    await callFails('post', '/api/exercises/:exercise/teams/:team/replay', 409, {
      token: admin,
      params: { team: 't01' },
      body: { step: 'discovery' },
    });
    await callFails('post', '/api/exercises/:exercise/teams/:team/restart-attack', 409, {
      token: admin,
      params: { team: 't01' },
    });
    await callFails('post', '/api/exercises/:exercise/teams/:team/reset', 409, {
      token: admin,
      params: { team: 't01' },
      body: {},
    });
    await callFails('get', '/api/exercises/:exercise/range', RANGE_MISSING, { token: admin });
    await callFails('get', '/api/exercises/:exercise/teams/:team/range', RANGE_MISSING, {
      token: trainee,
      params: { team: 't01' },
    });
    await callFails('get', '/api/exercises/:exercise/teams/:team/logs', RANGE_MISSING, {
      token: trainee,
      params: { team: 't01' },
    });
    // no web app is served here: no report page to print
    await callFails('get', '/api/exercises/:exercise/report.pdf', 404, { token: organizer });
  });

  test('the scenarios each course offers for a new exercise', async () => {
    const c = await call<{ courses: Record<string, { id: string }[]> }>('get', '/api/scenarios', { token: admin });
    assert.equal(c.courses.A?.[0]?.id, SCENARIO);
  });

  test('the glossary the report form checks against', async () => {
    const g = await call<{ ja: unknown[]; en: unknown[] }>('get', '/api/glossary', { token: trainee });
    assert.ok(g.ja.length > 0 && g.en.length > 0);
  });

  test('errors answer with the documented error body', async () => {
    await callFails('get', '/api/me', 401);
    await callFails('post', '/api/exercises/:exercise/teams/:team/findings', 403, {
      token: trainee,
      params: { team: 't02' },
      body: { technique: 'T1566' },
    });
    await callFails('post', '/api/exercises/:exercise/teams/:team/findings', 400, {
      token: trainee,
      params: { team: 't01' },
      body: { text: 'neither an indicator nor a technique' },
    });
    await callFails('get', '/api/exercises/:exercise/teams/:team/score', 404, {
      token: admin,
      params: { team: 't09' },
    });
  });

  test('sessions: a password change, a logout, a user deleted', async () => {
    const temp = { user: 'oa-temp', password: 'oa-temp-password' };
    await call('post', '/api/users', {
      token: admin,
      body: { name: temp.user, role: 'instructor', password: temp.password },
    });
    const first = (await call<{ token: string }>('post', '/api/auth/login', { body: temp })).token;
    const { token } = await call<{ token: string }>('post', '/api/auth/password', {
      token: first,
      body: { current: temp.password, password: 'oa-temp-password-2' },
    });
    await call('post', '/api/auth/logout', { token });
    await call('delete', '/api/users/:user', { token: admin, params: { user: temp.user } });
  });

  test('the exercise ends and is archived', async () => {
    await call('post', '/api/exercises/:exercise/end', { token: admin });
    await call('post', '/api/exercises/:exercise/archive', { token: admin });
    await call('get', '/api/stats', { token: organizer });
  });

  test('courses and self-paced windows: open, list, register, a seat, finish, close', async () => {
    await call('get', '/api/courses', { token: organizer });
    const now = Date.now();
    const { window } = await call<{ window: { code: string } }>('post', '/api/selfpaced/windows', {
      token: admin,
      body: {
        id: 'oa-win',
        course: 'online-intro',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 3600_000).toISOString(),
        capacity: 1,
      },
    });
    await call('get', '/api/selfpaced/windows', { token: organizer });
    // no engine here: the seat's range cannot be built, so the seat is `failed` and its clock refuses
    const seat = await call<{ token: string }>('post', '/api/selfpaced/register', {
      body: { code: window.code, name: 'carol' },
    });
    await call('get', '/api/selfpaced/me', { token: seat.token });
    await callFails('post', '/api/selfpaced/me/start', 409, { token: seat.token });
    await callFails('post', '/api/selfpaced/me/pause', 409, { token: seat.token });
    await call('post', '/api/selfpaced/me/finish', { token: seat.token });
    await call('post', '/api/selfpaced/windows/:window/close', { token: admin, params: { window: 'oa-win' } });
  });

  test('incidents: an inject to every team, the team’s panel, a question to the vendor', async () => {
    await call('post', '/api/exercises/:exercise/injects', {
      token: admin,
      body: { teams: 'all', kind: 'management', from: '総務部長', message: { ja: '状況を報告してください。' } },
    });
    await call('get', '/api/exercises/:exercise/teams/:team/incidents', { token: trainee, params: { team: 't01' } });
    // course C's scenario has a vendor to ask (A Solutions); course A's has none
    const VX = 'oa-vendor';
    const vx = await call<{ teams: { joinCode: string }[] }>('post', '/api/exercises', {
      token: admin,
      body: { id: VX, course: 'C', scenario: 'c-ad-lateral-rd-exfil', seed: 4, teams: [{ name: 'Green' }] },
    });
    run.server.store.exercises.transition(VX, 'provisioning');
    run.server.store.exercises.transition(VX, 'ready');
    await call('post', '/api/exercises/:exercise/start', { token: admin, params: { exercise: VX } });
    const carol = (
      await call<{ token: string }>('post', '/api/auth/join', { body: { code: vx.teams[0]!.joinCode, name: 'carol' } })
    ).token;
    await call('post', '/api/exercises/:exercise/teams/:team/vendor', {
      token: carol,
      params: { exercise: VX, team: 't01' },
      body: { topic: 'ad-service-accounts', question: 'サービスアカウントの設定を教えてください。' },
    });
  });

  test('every operation in the document was called: its success checked, or its error where it needs a range', () => {
    const all = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const unchecked = all.filter((op) => !succeeded.has(op) && !(NEEDS_RANGE.has(op) && failed.has(op)));
    assert.deepEqual(unchecked, [], 'operations whose answer no test checked');
    for (const op of NEEDS_RANGE)
      assert.ok(all.includes(op), `${op} is listed as needing a range but is not in the document`);
  });
});
