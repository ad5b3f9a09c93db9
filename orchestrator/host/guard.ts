import { EngineError } from '../../core/index.js';
import { LABEL, type Engine } from '../docker/types.js';

/**
 * Host rules that keep ranges in their place, applied in the engine host's own network
 * namespace (a one-shot container with NET_ADMIN), so they work for local and remote engines:
 *  - ENSHU-INPUT (jumped from INPUT): a range bridge may answer the host but never open a
 *    connection to it, so no range container reaches the host's services via the bridge address;
 *  - DOCKER-USER: accept frames bridged inside one range bridge, so the FW container can route
 *    between a team's internal segments (Docker drops routed traffic on internal networks).
 * Every rule carries the comment `enshu:<exercise>` and is removed by that comment.
 */
export class HostGuard {
  constructor(
    private readonly engine: Engine,
    private readonly image: string,
  ) {}

  private async run(script: string, what: string): Promise<string> {
    const res = await this.engine.runOnHost(this.image, `set -eu\n${script}`, { [LABEL.kind]: 'host-guard' });
    if (res.exitCode !== 0)
      throw new EngineError(`host firewall (${what}) failed: ${(res.stderr || res.stdout).trim()}`);
    return res.stdout;
  }

  async apply(exercise: string, bridges: string[]): Promise<void> {
    if (bridges.length === 0) return;
    const c = `enshu:${exercise}`;
    const lines = [
      'for t in iptables ip6tables; do',
      '  $t -w -N ENSHU-INPUT 2>/dev/null || true',
      '  $t -w -C INPUT -j ENSHU-INPUT 2>/dev/null || $t -w -I INPUT 1 -j ENSHU-INPUT',
      'done',
      'iptables -w -n -L DOCKER-USER >/dev/null 2>&1 || iptables -w -N DOCKER-USER',
    ];
    for (const br of bridges) {
      lines.push(
        'for t in iptables ip6tables; do',
        `  $t -w -C ENSHU-INPUT -i ${br} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment ${c} -j ACCEPT 2>/dev/null || $t -w -A ENSHU-INPUT -i ${br} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment ${c} -j ACCEPT`,
        `  $t -w -C ENSHU-INPUT -i ${br} -m comment --comment ${c} -j DROP 2>/dev/null || $t -w -A ENSHU-INPUT -i ${br} -m comment --comment ${c} -j DROP`,
        'done',
        `iptables -w -C DOCKER-USER -i ${br} -o ${br} -m physdev --physdev-is-bridged -m comment --comment ${c} -j ACCEPT 2>/dev/null || iptables -w -I DOCKER-USER 1 -i ${br} -o ${br} -m physdev --physdev-is-bridged -m comment --comment ${c} -j ACCEPT`,
      );
    }
    await this.run(lines.join('\n'), `apply for ${exercise}`);
  }

  /** Removes the rules of one exercise, or of every exercise when `exercise` is undefined. */
  async remove(exercise?: string): Promise<number> {
    const pattern = exercise ? `"enshu:${exercise}"` : '"enshu:';
    const script = `
n=0
for t in iptables ip6tables; do
  for chain in ENSHU-INPUT DOCKER-USER; do
    $t -w -S $chain 2>/dev/null | grep -F -- '${pattern}' | sed 's/^-A /-D /' > /tmp/rules || true
    while read -r rule; do
      [ -n "$rule" ] || continue
      eval "$t -w $rule" && n=$((n+1))
    done < /tmp/rules
  done
  if ! $t -w -S ENSHU-INPUT 2>/dev/null | grep -q '^-A'; then
    while $t -w -D INPUT -j ENSHU-INPUT 2>/dev/null; do :; done
    $t -w -X ENSHU-INPUT 2>/dev/null || true
  fi
done
echo $n`;
    const out = await this.run(script, exercise ? `remove for ${exercise}` : 'remove all');
    return Number(out.trim().split('\n').pop() ?? 0) || 0;
  }

  /** Every rule line enshu owns on the host (for status and tests). */
  async list(): Promise<string[]> {
    const out = await this.run(
      `for t in iptables ip6tables; do for c in INPUT ENSHU-INPUT DOCKER-USER; do $t -w -S $c 2>/dev/null | sed "s/^/$t /" | grep -E 'enshu:|ENSHU-INPUT' || true; done; done`,
      'list',
    );
    return out.split('\n').filter((l) => l.trim() !== '' && !/ -N ENSHU-INPUT$/.test(l));
  }
}
