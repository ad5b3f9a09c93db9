/** REST client: bearer token from the session, JSON in and out, errors as ApiError with the server's message. */
import type { Principal } from '../../protocol/index.js';

export type Session = Principal & { token: string; teamName?: string };

const KEY = 'enshu.session';

export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

function detailText(detail: unknown): string {
  if (!detail) return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail))
    return detail
      .map((d) =>
        typeof d === 'object' && d && 'message' in d
          ? `${(d as { path?: unknown[] }).path?.join('.') ?? ''} ${(d as { message: string }).message}`
          : String(d),
      )
      .join('; ');
  return '';
}

export async function api<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token = loadSession()?.token,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new ApiError(0, err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; detail?: unknown };
    const extra = detailText(e.detail);
    throw new ApiError(res.status, `${e.error ?? res.statusText}${extra ? ` (${extra})` : ''}`, e.detail);
  }
  return json as T;
}

/** Downloads a server export with the token (links cannot carry the Authorization header). */
export async function download(path: string, filename: string): Promise<void> {
  const token = loadSession()?.token;
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError(res.status, res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
