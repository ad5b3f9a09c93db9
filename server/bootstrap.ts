import { randomBytes } from 'node:crypto';
import { ConfigError, createLogger } from '../core/index.js';
import { DEMO_PASSWORD, MIN_PASSWORD_LENGTH, type Store } from './store/index.js';

const log = createLogger('server');

/** Says `line` as a warning, or on stderr when the log level hides warnings: it must never be lost. */
function shout(line: string, fields: Record<string, unknown> = {}): void {
  if (log.isLevelEnabled('warn')) log.warn(fields, line);
  else process.stderr.write(`${line}\n`);
}

export const DEMO_WARNING =
  `THE DEMO PASSWORD "${DEMO_PASSWORD}" IS IN EFFECT: anyone who has read the README can log in as an ` +
  `instructor. Set ENSHU_ADMIN_PASSWORD to a password of your own (at least ${MIN_PASSWORD_LENGTH} characters) ` +
  `before trainees are on the network.`;

/**
 * First administrator. ENSHU_ADMIN_PASSWORD (and optionally ENSHU_ADMIN_USER, default "admin")
 * sets an instructor's password on every start; it must have at least 10 characters (a
 * ConfigError otherwise), and the demo password `enshu-demo` gets a loud warning. Without it, a
 * store with no users gets an "admin" instructor with a random password that is shown once: a
 * warning in the server's log (fields `user` and `password`), or on stderr as a plain line if the
 * log level hides warnings. Changing the password this way revokes the user's tokens.
 */
export function bootstrapAdmin(store: Store, env: NodeJS.ProcessEnv): void {
  const user = env.ENSHU_ADMIN_USER || 'admin';
  const chosen = env.ENSHU_ADMIN_PASSWORD;
  if (chosen !== undefined && chosen !== '') {
    assertAdminPassword(env);
    store.auth.putUser(user, 'instructor', chosen);
    if (chosen === DEMO_PASSWORD) shout(DEMO_WARNING, { user, demoPassword: true });
    return;
  }
  if (store.auth.userCount() > 0) return;
  const password = randomBytes(12).toString('base64url');
  store.auth.putUser(user, 'instructor', password);
  shout(
    `first run: log in as "${user}" with password "${password}" (shown once; set ENSHU_ADMIN_PASSWORD to choose it)`,
    { user, password },
  );
}

/** Refuses an ENSHU_ADMIN_PASSWORD shorter than 10 characters (a ConfigError saying so); unset is fine. */
export function assertAdminPassword(env: NodeJS.ProcessEnv): void {
  const chosen = env.ENSHU_ADMIN_PASSWORD;
  if (chosen && chosen.length < MIN_PASSWORD_LENGTH)
    throw new ConfigError(
      `ENSHU_ADMIN_PASSWORD has ${chosen.length} characters; it needs at least ${MIN_PASSWORD_LENGTH}`,
    );
}

/**
 * Start-up check for stores written earlier: warns loudly for every staff user whose password is
 * the demo password, even when ENSHU_ADMIN_PASSWORD is no longer set. Returns their names.
 */
export async function warnDemoPasswords(store: Store): Promise<string[]> {
  const users = await store.auth.usersWithPassword(DEMO_PASSWORD);
  if (users.length) shout(`${DEMO_WARNING} (users: ${users.join(', ')})`, { users, demoPassword: true });
  return users;
}
