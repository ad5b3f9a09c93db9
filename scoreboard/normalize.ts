/**
 * Indicator normalisation: trainees write what they saw in a log or a tool, in whatever form it
 * came (upper-case hashes, `EXAMPLE.com.`, a full URL for a domain, `010.000.000.005`,
 * `10.0.0.5:8080`, defanged `hxxp://evil[.]example`). Equal things must compare equal.
 */
import type { IndicatorType } from '../protocol/index.js';

function refang(s: string): string {
  return s
    .trim()
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/^hxxp(s?):\/\//i, 'http$1://')
    .replace(/^(["'`<])(.*)(["'`>])$/s, '$2');
}

/** A dotted-quad IPv4 in canonical form, from forms with leading zeros, a port, a /32 or an IPv6-mapped prefix. */
export function normalizeIp(raw: string): string {
  let s = refang(raw).toLowerCase();
  s = s.replace(/^::ffff:/, '').replace(/\/(32|128)$/, '');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::\d{1,5})?$/.exec(s);
  if (v4) {
    const parts = v4.slice(1, 5).map((p) => Number.parseInt(p, 10));
    if (parts.every((n) => n >= 0 && n <= 255)) return parts.join('.');
  }
  const bracketed = /^\[([0-9a-f:]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  return s;
}

export function normalizeDomain(raw: string): string {
  return refang(raw).toLowerCase().replace(/\.+$/, '');
}

/** Host of a URL-ish string (with or without scheme), or undefined. */
function urlParts(raw: string): { host: string; rest: string } | undefined {
  let s = refang(raw);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `http://${s}`;
  try {
    const u = new URL(s);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    let path = u.pathname.replace(/\/+$/, '');
    if (path === '') path = '';
    return {
      host: /^[\d.]+$/.test(host) ? normalizeIp(host) : normalizeDomain(host),
      rest: `${u.port ? `:${u.port}` : ''}${path}${u.search}`,
    };
  } catch {
    return undefined;
  }
}

export function normalizeUrl(raw: string): string {
  const p = urlParts(raw);
  return p ? `${p.host}${p.rest}` : refang(raw).toLowerCase();
}

export function normalizeHash(raw: string): string {
  return refang(raw)
    .toLowerCase()
    .replace(/^(md5|sha1|sha256|sha512)[:=]/, '');
}

export function normalizePort(raw: string): string {
  const m = /^(\d{1,5})(?:\/(?:tcp|udp))?$/i.exec(refang(raw).replace(/^port\s*/i, ''));
  return m ? String(Number.parseInt(m[1]!, 10)) : refang(raw).toLowerCase();
}

function collapse(s: string): string {
  return refang(s).toLowerCase().replace(/\s+/g, ' ');
}

/**
 * Normalized forms already computed: every finding is matched against every indicator of its
 * team's ground truth, so the same truth values are normalized over and over. A pure function's
 * memo, bounded per type (values are at most 500 characters) so submitted junk cannot grow it
 * without limit.
 */
const normalized = new Map<IndicatorType, Map<string, string>>();
const NORMALIZED_MAX = 10_000;

/** Canonical form of an indicator value of a type (what equality is decided on). */
export function normalizeIndicator(type: IndicatorType, value: string): string {
  let byValue = normalized.get(type);
  if (!byValue) normalized.set(type, (byValue = new Map()));
  let n = byValue.get(value);
  if (n === undefined) {
    if (byValue.size >= NORMALIZED_MAX) byValue.clear();
    byValue.set(value, (n = normalizeUncached(type, value)));
  }
  return n;
}

function normalizeUncached(type: IndicatorType, value: string): string {
  switch (type) {
    case 'ip':
      return normalizeIp(value);
    case 'domain':
      return normalizeDomain(value);
    case 'url':
      return normalizeUrl(value);
    case 'hash':
      return normalizeHash(value);
    case 'port':
      return normalizePort(value);
    case 'email':
      return refang(value)
        .toLowerCase()
        .replace(/^mailto:/, '');
    // Windows-style DOMAIN\user and user@domain name the same account
    case 'account':
      return refang(value).toLowerCase().replace(/^.*\\/, '').replace(/@.*$/, '');
    case 'file':
      return refang(value).replace(/\/+$/, '');
    case 'process':
      return refang(value).replace(/^.*\//, '').toLowerCase();
    case 'log':
      return collapse(value);
  }
}

export interface IndicatorLike {
  type: IndicatorType;
  value: string;
}

/**
 * Whether a submitted indicator names a ground-truth one. Besides equal types: a URL names the
 * domain (or address) it points at and a domain names the URLs on it; an address typed as a
 * domain still counts; a log finding counts when the submitted line contains the truth's text.
 */
export function indicatorMatches(found: IndicatorLike, truth: IndicatorLike): boolean {
  const t = truth.type;
  const f = found.type;
  if (f === t) {
    if (t === 'log') {
      const have = normalizeIndicator('log', found.value);
      const want = normalizeIndicator('log', truth.value);
      return want.length > 0 && have.includes(want);
    }
    if (t === 'file') {
      // a path counts; so does the bare file name when the truth is a path
      const have = normalizeIndicator('file', found.value);
      const want = normalizeIndicator('file', truth.value);
      return have === want || (!have.includes('/') && have === want.replace(/^.*\//, ''));
    }
    return normalizeIndicator(t, found.value) === normalizeIndicator(t, truth.value);
  }
  const hostOf = (i: IndicatorLike) =>
    i.type === 'url'
      ? urlParts(i.value)?.host
      : i.type === 'domain'
        ? normalizeDomain(i.value)
        : i.type === 'ip'
          ? normalizeIp(i.value)
          : undefined;
  const hostish = (x: IndicatorType) => x === 'url' || x === 'domain' || x === 'ip';
  if (hostish(f) && hostish(t)) {
    // an ip and a domain are only the same when written the same (an address typed as a domain)
    if (f !== 'url' && t !== 'url') return normalizeIp(found.value) === normalizeIp(truth.value);
    const a = hostOf(found);
    const b = hostOf(truth);
    // a URL finding against a host truth, or a host finding against a URL truth
    return !!a && a === b;
  }
  return false;
}
