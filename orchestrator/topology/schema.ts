import { z } from 'zod';

const NAME = /^[a-z][a-z0-9-]{0,23}$/;
const name = z.string().regex(NAME, 'must be lower-case letters, digits and "-", starting with a letter, at most 24 characters');

/** Linux capabilities a role may be granted; anything broader (e.g. ALL) is refused. */
export const CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'SYS_PTRACE', 'AUDIT_WRITE'] as const;

/** `10.{team}.1.0/24`: the `{team}` placeholder makes every team's copy use its own subnets. */
const subnetTemplate = z
  .string()
  .regex(/^[0-9{}a-z.]+\/\d{1,2}$/, 'must look like "10.{team}.1.0/24"')
  .refine((s) => s.includes('{team}'), 'must contain {team} so teams get separate subnets');

const hostAddress = z.union([
  z.number().int().min(1, 'host number must be at least 1'),
  z.string().regex(/^[0-9{}a-z.]+$/, 'must be a host number or an address template like "10.{team}.1.10"'),
]);

export const SegmentSchema = z
  .object({
    name,
    purpose: z.string().min(1),
    subnet: subnetTemplate,
    /** Host number of the address Docker gives the host bridge; never a node's. Defaults to the last usable. */
    bridgeHost: z.number().int().min(1).optional(),
  })
  .strict();

export const InterfaceSchema = z
  .object({
    segment: name,
    address: hostAddress,
  })
  .strict();

export const HealthSchema = z
  .object({
    command: z.string().min(1),
    timeoutSeconds: z.number().positive().max(900).default(120),
  })
  .strict();

export const AccountSchema = z
  .object({
    user: z.string().regex(/^[a-z_][a-z0-9_-]{0,30}$/, 'must be a valid Unix user name'),
    password: z.string().min(1),
    sudo: z.boolean().default(false),
    fullName: z.string().optional(),
  })
  .strict();

export const NodeSchema = z
  .object({
    name,
    role: name,
    title: z.string().optional(),
    interfaces: z.array(InterfaceSchema).min(1, 'a node needs at least one interface'),
    /** Name of the node that routes for this one (its address on a shared segment), or "none". */
    gateway: z.union([name, z.literal('none')]).default('none'),
    capabilities: z.array(z.enum(CAPABILITIES)).default([]),
    health: HealthSchema.optional(),
    env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'environment names are UPPER_CASE'), z.string()).default({}),
    accounts: z.array(AccountSchema).default([]),
    memoryMiB: z.number().int().min(16).max(8192).optional(),
  })
  .strict();

export const TopologySchema = z
  .object({
    id: name,
    title: z.string().min(1),
    description: z.string().optional(),
    segments: z.array(SegmentSchema).min(1, 'a topology needs at least one segment'),
    nodes: z.array(NodeSchema).min(1, 'a topology needs at least one node'),
  })
  .strict();

export type TopologyInput = z.input<typeof TopologySchema>;
export type Topology = z.output<typeof TopologySchema>;
export type Segment = z.output<typeof SegmentSchema>;
export type TopologyNode = z.output<typeof NodeSchema>;
export type Capability = (typeof CAPABILITIES)[number];
