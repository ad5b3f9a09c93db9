#!/usr/bin/env node
// Creates (or finds) the demo exercise on a running `enshu serve`, provisions its ranges and
// prints how to reach it. Used by `npm start`; safe to run again.
const base = process.env.ENSHU_URL ?? 'http://127.0.0.1:8080';
const user = process.env.ENSHU_ADMIN_USER ?? 'admin';
const password = process.env.ENSHU_ADMIN_PASSWORD;
const id = process.env.ENSHU_DEMO_ID ?? 'demo';

async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok)
    throw new Error(
      `${method} ${path}: ${res.status} ${data.error ?? ''} ${typeof data.detail === 'string' ? data.detail : JSON.stringify(data.detail ?? '')}`,
    );
  return data;
}

for (let i = 0; ; i++) {
  try {
    await call('GET', '/api/health');
    break;
  } catch (err) {
    if (i > 120) throw new Error(`the server at ${base} did not answer: ${err.message}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
const { token } = await call('POST', '/api/auth/login', undefined, { user, password });
let ex;
try {
  ex = await call('GET', `/api/exercises/${id}`, token);
} catch {
  ex = await call('POST', '/api/exercises', token, {
    id,
    title: 'Demo: course A, two teams',
    course: 'A',
    scenario: 'a-phishing-c2-exfil',
    teams: 2,
    seed: 1,
  });
}
const state = () => call('GET', `/api/exercises/${id}`, token).then((e) => e.state ?? e.exercise?.state);
if ((await state()) === 'created') await call('POST', `/api/exercises/${id}/provision`, token);
process.stderr.write('provisioning the demo ranges');
for (;;) {
  const s = await state();
  if (s !== 'provisioning' && s !== 'created') break;
  process.stderr.write('.');
  await new Promise((r) => setTimeout(r, 3000));
}
ex = await call('GET', `/api/exercises/${id}`, token);
const teams = ex.teams ?? ex.exercise?.teams ?? [];
console.log(`\nexercise ${id}: ${await state()}`);
console.log(`web UI:      ${base}/   (instructor: ${user} / the ENSHU_ADMIN_PASSWORD you set)`);
for (const t of teams)
  console.log(
    `team ${t.id ?? t.team}: join code ${t.joinCode ?? t.code}   ssh -p 2222 ${t.id ?? t.team}+pc1@127.0.0.1`,
  );
