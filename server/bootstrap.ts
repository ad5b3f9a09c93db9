import { randomBytes } from 'node:crypto';
import type { Store } from './store/index.js';

/**
 * First administrator. ENSHU_ADMIN_PASSWORD (and optionally ENSHU_ADMIN_USER, default "admin")
 * sets an instructor's password on every start; without it, a store with no users gets an
 * "admin" instructor with a random password that is printed once to the console.
 */
export function bootstrapAdmin(store: Store, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  const user = env.ENSHU_ADMIN_USER || 'admin';
  if (env.ENSHU_ADMIN_PASSWORD) {
    store.auth.putUser(user, 'instructor', env.ENSHU_ADMIN_PASSWORD);
    return;
  }
  if (store.auth.userCount() > 0) return;
  const password = randomBytes(12).toString('base64url');
  store.auth.putUser(user, 'instructor', password);
  log(`first run: log in as "${user}" with password "${password}" (shown once; set ENSHU_ADMIN_PASSWORD to choose it)`);
}
