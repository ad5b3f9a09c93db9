import type { MapRange } from '../../components/NetworkMap.js';

/** The team's range as the server sends it: the map's nodes, each with the users a terminal may log in as. */
export type RangeView = Omit<MapRange, 'nodes'> & { nodes: (MapRange['nodes'][number] & { users: string[] })[] };
