import { randomBytes } from 'node:crypto';
import { createLogger } from '../core/index.js';
import type { Store } from './store/index.js';

const log = createLogger('server');

/**
 * First administrator. ENSHU_ADMIN_PASSWORD (and optionally ENSHU_ADMIN_USER, default "admin")
 * sets an instructor's password on every start; without it, a store with no users gets an
 * "admin" instructor with a random password that is shown once: a warning in the server's log
 * (fields `user` and `password`), or on stderr as a plain line if the log level hides warnings.
 */
export function bootstrapAdmin(store: Store, env: NodeJS.ProcessEnv): void {
  const user = env.ENSHU_ADMIN_USER || 'admin';
  if (env.ENSHU_ADMIN_PASSWORD) {
    store.auth.putUser(user, 'instructor', env.ENSHU_ADMIN_PASSWORD);
    return;
  }
  if (store.auth.userCount() > 0) return;
  const password = randomBytes(12).toString('base64url');
  store.auth.putUser(user, 'instructor', password);
  const line = `first run: log in as "${user}" with password "${password}" (shown once; set ENSHU_ADMIN_PASSWORD to choose it)`;
  if (log.isLevelEnabled('warn')) log.warn({ user, password }, line);
  // never lost to a quiet log level: nobody could log in otherwise
  else process.stderr.write(`${line}\n`);
}
