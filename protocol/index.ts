/**
 * protocol — what crosses the wire between the server and its clients, and the names they share.
 * The web app imports this room and nothing else; it imports nothing of ours, only zod, so
 * it is safe in a browser bundle. Every other room may use it.
 */
export * from './vocabulary.js';
export * from './events.js';
export * from './dto.js';
export type * from './socket-events.js';
export { room } from './socket-events.js';
export * from './terminal-events.js';
export {
  checkPlainLanguage,
  distinctTerms,
  GlossarySchema,
  GlossaryEntrySchema,
  type Glossary,
  type GlossaryEntry,
  type JargonHit,
} from './plain-language.js';
export * from './selfpaced.js';
export * from './incidents.js';
