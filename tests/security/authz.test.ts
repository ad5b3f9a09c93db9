/**
 * The authorization matrix: every operation in the served OpenAPI document (`GET /api/docs`) is
 * called as each of six callers, and the answer's status class is checked against the table below.
 * The table is written out by hand (not derived from the document's `x-roles`), so a route whose
 * roles change, or a new route, fails here until someone decides what it should allow; the test
 * also checks the table against `x-roles`.
 *
 * Callers (a fresh token per call, so logout and the like change nothing for the next call):
 *   nobody      no token
 *   own         trainee of team t01 (every :team in the URLs is t01)
 *   other       trainee of team t02 of the same exercise
 *   organizer   staff, read-only
 *   instructor  staff, everything
 *   demoted     the token an instructor got before another instructor made them an organizer
 *
 * Expected: 'ok' = the caller is let through: neither 401 nor 403 nor 500 (the call is made with
 * an empty JSON body `{}` where a body is expected, so an allowed caller gets 400 and nothing
 * changes; without one it is a 2xx, or 404/409/502 where the state or the missing engine says
 * so); 401 = not authenticated; 403 = authenticated but not allowed.
 */
import { strict as assert } from 'node:assert';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { exerciseWithTeams, secureServer, type Secured } from './helpers.js';

const EX = 'authz';
type Who = 'nobody' | 'own' | 'other' | 'organizer' | 'instructor' | 'demoted';
type Expect = 'ok' | 401 | 403;
const WHO: Who[] = ['nobody', 'own', 'other', 'organizer', 'instructor', 'demoted'];

//                         nobody own  other organizer instructor demoted
const row = (...e: Expect[]) => Object.fromEntries(WHO.map((w, i) => [w, e[i]!])) as Record<Who, Expect>;
/** no token needed */
const PUBLIC = row('ok', 'ok', 'ok', 'ok', 'ok', 'ok');
/** any signed-in caller (trainees see only their own exercise: the one in the URL here) */
const ANYONE = row(401, 'ok', 'ok', 'ok', 'ok', 401);
/** any signed-in caller, but trainees only for their own team */
const TEAM_READ = row(401, 'ok', 403, 'ok', 'ok', 401);
/** staff reading */
const STAFF = row(401, 403, 403, 'ok', 'ok', 401);
/** instructors only */
const INSTRUCTOR = row(401, 403, 403, 403, 'ok', 401);
/** a team's own members act (and instructors on their behalf); organizers never act */
const TEAM_ACT = row(401, 'ok', 403, 403, 'ok', 401);
/** only the team itself (buying a hint spends its points) */
const TEAM_ONLY = row(401, 'ok', 403, 403, 403, 401);
/** a self-paced trainee's own seat: trainees only (these two have no seat: null to read, 404 to act) */
const SEAT = row(401, 'ok', 'ok', 403, 403, 401);

const TABLE: Record<string, Record<Who, Expect>> = {
  'get /api/health': PUBLIC,
  'get /api/courses': STAFF,
  'post /api/selfpaced/windows': INSTRUCTOR,
  'get /api/selfpaced/windows': STAFF,
  'post /api/selfpaced/windows/{window}/close': INSTRUCTOR,
  // public like a join: the code is the credential, and it gives only a seat of one's own
  'post /api/selfpaced/register': PUBLIC,
  'get /api/selfpaced/me': SEAT,
  'post /api/selfpaced/me/start': SEAT,
  'post /api/selfpaced/me/pause': SEAT,
  'post /api/selfpaced/me/finish': SEAT,
  'get /api/docs': PUBLIC,
  'post /api/auth/login': PUBLIC,
  // public, but an organizer presenting their token is refused: organizers never join a team
  'post /api/auth/join': row('ok', 'ok', 'ok', 403, 'ok', 'ok'),
  'post /api/auth/logout': ANYONE,
  'post /api/auth/password': STAFF,
  'get /api/me': ANYONE,
  'get /api/users': INSTRUCTOR,
  'post /api/users': INSTRUCTOR,
  'delete /api/users/{user}': INSTRUCTOR,
  'get /api/exercises': ANYONE,
  'post /api/exercises': INSTRUCTOR,
  'get /api/exercises/{exercise}': ANYONE,
  'post /api/exercises/{exercise}/provision': INSTRUCTOR,
  'post /api/exercises/{exercise}/start': INSTRUCTOR,
  'post /api/exercises/{exercise}/pause': INSTRUCTOR,
  'post /api/exercises/{exercise}/resume': INSTRUCTOR,
  'post /api/exercises/{exercise}/end': INSTRUCTOR,
  'post /api/exercises/{exercise}/archive': INSTRUCTOR,
  'post /api/exercises/{exercise}/speed': INSTRUCTOR,
  'post /api/exercises/{exercise}/events': INSTRUCTOR,
  'get /api/exercises/{exercise}/events': ANYONE,
  'get /api/exercises/{exercise}/scores': ANYONE,
  'get /api/exercises/{exercise}/results': STAFF,
  'get /api/exercises/{exercise}/range': STAFF,
  'get /api/exercises/{exercise}/teams/{team}': TEAM_READ,
  'get /api/exercises/{exercise}/teams/{team}/score': TEAM_READ,
  'get /api/exercises/{exercise}/teams/{team}/timeline': TEAM_READ,
  'get /api/exercises/{exercise}/teams/{team}/hints': TEAM_READ,
  'get /api/exercises/{exercise}/teams/{team}/range': TEAM_READ,
  'get /api/exercises/{exercise}/teams/{team}/logs': TEAM_READ,
  'post /api/exercises/{exercise}/teams/{team}/findings': TEAM_ACT,
  'post /api/exercises/{exercise}/teams/{team}/actions': TEAM_ACT,
  'post /api/exercises/{exercise}/teams/{team}/reports': TEAM_ACT,
  'post /api/exercises/{exercise}/teams/{team}/recoveries': TEAM_ACT,
  'post /api/exercises/{exercise}/teams/{team}/hints/buy': TEAM_ONLY,
  'post /api/exercises/{exercise}/teams/{team}/hints/release': INSTRUCTOR,
  'post /api/exercises/{exercise}/teams/{team}/reports/{report}/grade': INSTRUCTOR,
  'post /api/exercises/{exercise}/teams/{team}/skip': INSTRUCTOR,
  'post /api/exercises/{exercise}/teams/{team}/replay': INSTRUCTOR,
  'post /api/exercises/{exercise}/teams/{team}/restart-attack': INSTRUCTOR,
  'post /api/exercises/{exercise}/teams/{team}/reset': INSTRUCTOR,
  'get /api/glossary': ANYONE,
  'get /api/stats': STAFF,
  'get /api/stats/yearly': STAFF,
  // organizers keep the statistics: importing past years' figures is theirs too
  'post /api/stats/yearly': STAFF,
  'get /api/scenarios': STAFF,
  // the after-action PDF: staff (404 here: this server does not serve the built web app)
  'get /api/exercises/{exercise}/report.pdf': STAFF,
  // what reached the team from outside: alerts, injects, the vendor's answers
  'get /api/exercises/{exercise}/teams/{team}/incidents': TEAM_READ,
  'post /api/exercises/{exercise}/teams/{team}/vendor': TEAM_ACT,
  'post /api/exercises/{exercise}/injects': INSTRUCTOR,
};

/** what each path parameter is in the calls */
const PARAMS: Record<string, string> = { exercise: EX, team: 't01', report: 'no-such-report', user: 'no-such-user' };

interface Op {
  'x-roles': string[] | 'public';
  requestBody?: unknown;
}
let run: Secured;
let doc: { paths: Record<string, Record<string, Op>> };
let demotedToken: string;

beforeAll(async () => {
  run = await secureServer('authz');
  await exerciseWithTeams(run, EX);
  const { auth } = run.server.store;
  auth.putUser('mx-organizer', 'organizer', 'mx-organizer-password');
  auth.putUser('mx-demoted', 'instructor', 'mx-demoted-password');
  const login = await run.api<{ token: string }>('POST', '/api/auth/login', {
    user: 'mx-demoted',
    password: 'mx-demoted-password',
  });
  assert.equal(login.status, 200, login.text);
  demotedToken = login.body.token;
  const demote = await run.api(
    'POST',
    '/api/users',
    { name: 'mx-demoted', role: 'organizer', password: 'mx-demoted-password' },
    run.admin(),
  );
  assert.equal(demote.status, 200, demote.text);
  doc = (await run.api<typeof doc>('GET', '/api/docs')).body;
});
afterAll(async () => run?.stop());

function tokenFor(who: Who): string | undefined {
  const { auth } = run.server.store;
  switch (who) {
    case 'nobody':
      return undefined;
    case 'own':
      return auth.issue({ role: 'trainee', subject: 'alice', exercise: EX, team: 't01' });
    case 'other':
      return auth.issue({ role: 'trainee', subject: 'bob', exercise: EX, team: 't02' });
    case 'organizer':
      return auth.issue({ role: 'organizer', subject: 'mx-organizer' });
    case 'instructor':
      return run.admin();
    case 'demoted':
      return demotedToken;
  }
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));

describe('authorization matrix', () => {
  test('the table names every operation in the document, and only those', () => {
    const inDoc = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    assert.deepEqual(inDoc, Object.keys(TABLE).sort());
  });

  test('the table agrees with the roles the document publishes (x-roles)', () => {
    for (const { method, path, op } of operations()) {
      const t = TABLE[`${method} ${path}`]!;
      const roles = op['x-roles'];
      const key = `${method} ${path}`;
      if (roles === 'public') {
        assert.equal(t.nobody, 'ok', key);
        continue;
      }
      assert.equal(t.nobody, 401, key);
      assert.equal(t.demoted, 401, key);
      assert.equal(t.instructor === 'ok', roles.includes('instructor'), `${key}: instructor`);
      assert.equal(t.organizer === 'ok', roles.includes('organizer'), `${key}: organizer`);
      assert.equal(t.own === 'ok', roles.includes('trainee'), `${key}: trainee`);
    }
  });

  test('every operation × every caller answers as the table says', async () => {
    const wrong: string[] = [];
    // instructors last on each route: their calls may move the exercise (pause, end, archive)
    const order: Who[] = ['nobody', 'demoted', 'own', 'other', 'organizer', 'instructor'];
    for (const { method, path, op } of operations()) {
      const url = path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(PARAMS[k] ?? k));
      for (const who of order) {
        const want = TABLE[`${method} ${path}`]![who];
        const res = await run.api(method.toUpperCase(), url, op.requestBody ? {} : undefined, tokenFor(who));
        const got = res.status;
        const ok = want === 'ok' ? got !== 401 && got !== 403 && got !== 500 : got === want;
        if (!ok)
          wrong.push(`${method.toUpperCase()} ${url} as ${who}: ${got}, expected ${want} — ${res.text.slice(0, 160)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
