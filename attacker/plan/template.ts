/**
 * `{{name}}` templating for step parameters, checks and indicators. Facts are known at plan
 * time; `{{ip.node}}` (a node's address in the team's range) only once the range is resolved.
 */
import { ConfigError } from '../../core/index.js';

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g;

export interface TemplateScope {
  facts: Record<string, string>;
  /** node name → address in the team's range; absent in a dry run */
  ips?: Record<string, string>;
  /** logical node names of the scenario → range node names */
  nodes?: Record<string, string>;
  /** facts a step captures from an earlier step's output: known only while running */
  deferred?: Set<string>;
}

/** Names a template uses, e.g. ["victim", "ip.attacker"]. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Fills a template. Unknown facts are an error (a typo must not become an empty string in an
 * attack command); `{{ip.x}}` stays as written when `keepUnresolved` (dry runs).
 */
export function render(template: string, scope: TemplateScope, opts: { keepUnresolved?: boolean } = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name.startsWith('ip.')) {
      const [n, seg] = name.slice(3).split('.', 2) as [string, string | undefined];
      const node = resolveNodeName(n, scope.nodes) + (seg ? `.${seg}` : '');
      const ip = scope.ips?.[node];
      if (ip !== undefined) return ip;
      if (opts.keepUnresolved) return whole;
      throw new ConfigError(`{{${name}}}: node "${node}" has no address in this team's range`);
    }
    if (name.startsWith('node.')) return resolveNodeName(name.slice(5), scope.nodes);
    const v = scope.facts[name];
    if (v === undefined && scope.deferred?.has(name)) {
      if (opts.keepUnresolved) return whole;
      throw new ConfigError(`{{${name}}}: not captured yet (an earlier step captures it from its output)`);
    }
    if (v === undefined)
      throw new ConfigError(
        `{{${name}}}: no such fact (known: ${Object.keys(scope.facts).sort().join(', ') || 'none'})`,
      );
    return v;
  });
}

/** Renders every string inside a JSON-like value. */
export function renderDeep<T>(value: T, scope: TemplateScope, opts: { keepUnresolved?: boolean } = {}): T {
  if (typeof value === 'string') return render(value, scope, opts) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope, opts)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope, opts)])) as T;
  }
  return value;
}

export function resolveNodeName(name: string, nodes: Record<string, string> | undefined): string {
  return nodes?.[name] ?? name;
}
