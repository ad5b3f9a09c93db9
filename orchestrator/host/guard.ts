import { EngineError } from '../../core/index.js';
import { LABEL, type Engine } from '../docker/types.js';

/**
 * Shell: the `-D` lines (iptables-restore format) that delete the rules of family `t` (a shell word:
 * `$t`, `$1`) whose comment contains `pattern`, from both chains enshu writes to.
 */
const deletions = (t: string, pattern: string) =>
  `for chain in ENSHU-INPUT DOCKER-USER; do ${t} -w -S $chain 2>/dev/null | grep -F -- '${pattern}' | sed 's/^-A /-D /' || true; done`;

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

  /**
   * Puts the exercise's rules for `bridges` in place: in one `iptables-restore` transaction a
   * family, which drops the exercise's rules that are there and adds the whole set, so a converge
   * never leaves a moment without them and never doubles them. (One `iptables` run a rule cost 1.4
   * CPU-s and 1.4 s for 8 teams' 72 bridges; each run reads the whole ruleset.)
   */
  async apply(exercise: string, bridges: string[]): Promise<void> {
    if (bridges.length === 0) return;
    const c = `enshu:${exercise}`;
    const input = (br: string) => [
      `-A ENSHU-INPUT -i ${br} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment ${c} -j ACCEPT`,
      `-A ENSHU-INPUT -i ${br} -m comment --comment ${c} -j DROP`,
    ];
    const v4 = bridges.flatMap((br) => [
      ...input(br),
      `-I DOCKER-USER 1 -i ${br} -o ${br} -m physdev --physdev-is-bridged -m comment --comment ${c} -j ACCEPT`,
    ]);
    const v6 = bridges.flatMap(input);
    const script = [
      'for t in iptables ip6tables; do',
      '  $t -w -N ENSHU-INPUT 2>/dev/null || true',
      '  $t -w -C INPUT -j ENSHU-INPUT 2>/dev/null || $t -w -I INPUT 1 -j ENSHU-INPUT',
      'done',
      'iptables -w -n -L DOCKER-USER >/dev/null 2>&1 || iptables -w -N DOCKER-USER',
      // $1: iptables or ip6tables; stdin: the rules to add
      'restore() {',
      '  {',
      "    echo '*filter'",
      `    ${deletions('$1', `"${c}"`)}`,
      '    cat',
      '    echo COMMIT',
      '  } > /tmp/rules',
      '  $1-restore -w --noflush < /tmp/rules',
      '}',
      `restore iptables <<'RULES'`,
      ...v4,
      'RULES',
      `restore ip6tables <<'RULES'`,
      ...v6,
      'RULES',
    ];
    await this.run(script.join('\n'), `apply for ${exercise}`);
  }

  /** Removes the rules of one exercise, or of every exercise when `exercise` is undefined. */
  async remove(exercise?: string): Promise<number> {
    const pattern = exercise ? `"enshu:${exercise}"` : '"enshu:';
    const script = `
n=0
for t in iptables ip6tables; do
  ${deletions('$t', pattern)} > /tmp/rules
  # one transaction a family: a rule a time cost 6.5 s for 8 teams' 360 rules
  k=$(grep -c '^-D ' /tmp/rules || true)
  if [ "$k" -gt 0 ]; then
    { echo '*filter'; cat /tmp/rules; echo COMMIT; } | $t-restore -w --noflush
    n=$((n+k))
  fi
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
