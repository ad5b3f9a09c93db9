import { ConfigError, teamId, teamNumber } from '../../core/index.js';
import { LABEL, type Engine, type NetworkInfo } from '../docker/types.js';
import { overlaps, parseCidr } from '../topology/address.js';
import { planTeam } from '../topology/plan.js';
import type { Topology } from '../topology/schema.js';

/**
 * The number added to each team number in `{team}`. An existing exercise keeps its own;
 * a new one takes the lowest offset whose subnets collide with no network on the engine,
 * so several exercises (or courses) share one engine without overlapping.
 */
export async function addressOffset(
  engine: Engine,
  exercise: string,
  topology: Topology,
  teams: number,
  mine: NetworkInfo[] = [],
): Promise<number> {
  const adopted = mine.find((n) => n.labels[LABEL.slot] && n.labels[LABEL.team]);
  const others = (await engine.networks.list()).filter((n) => n.labels[LABEL.exercise] !== exercise);
  const taken = others
    .flatMap((n) => n.subnets.map((s) => ({ net: n.name, cidr: parseCidr(s) })))
    .filter((x) => x.cidr);
  const collides = (offset: number) => {
    for (let t = 1; t <= teams; t++) {
      const plan = planTeam(topology, exercise, teamId(t), t + offset);
      for (const n of plan.networks) {
        const c = parseCidr(n.subnet)!;
        const hit = taken.find((x) => overlaps(x.cidr!, c));
        if (hit) return `${n.subnet} (team ${plan.team}, ${n.segment}) overlaps network ${hit.net}`;
      }
    }
    return undefined;
  };
  if (adopted) {
    const offset = Number(adopted.labels[LABEL.slot]) - teamNumber(adopted.labels[LABEL.team]!);
    const clash = collides(offset);
    if (clash) throw new ConfigError(`cannot grow exercise ${exercise}: ${clash}`, { exercise });
    return offset;
  }
  for (let offset = 0; offset + teams <= 250; offset++) {
    try {
      if (!collides(offset)) return offset;
    } catch (err) {
      if (err instanceof ConfigError) break;
      throw err;
    }
  }
  throw new ConfigError(`no free address slots for ${teams} team(s) of ${topology.id} on this engine`, { exercise });
}
