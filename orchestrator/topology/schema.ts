import { z } from 'zod';

const NAME = /^[a-z][a-z0-9-]{0,23}$/;
const name = z
  .string()
  .regex(NAME, 'must be lower-case letters, digits and "-", starting with a letter, at most 24 characters');

/** Linux capabilities a role may be granted; anything broader (e.g. ALL) is refused. */
export const CAPABILITIES = [
  'NET_ADMIN',
  'NET_RAW',
  'NET_BIND_SERVICE',
  'SYS_ADMIN',
  'SYS_PTRACE',
  'AUDIT_WRITE',
] as const;

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
    /** Host numbers the range's DHCP server leases from on this segment (through the FW's relay). */
    dhcp: z
      .object({ first: z.number().int().min(1), last: z.number().int().min(1) })
      .strict()
      .refine((d) => d.first <= d.last, 'dhcp.first must not be above dhcp.last')
      .optional(),
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

/** A place in the range a firewall rule talks about: "any", a segment name or a node name. */
const place = z.union([name, z.literal('any')]);
const places = z.union([place, z.array(place).min(1)]).transform((p) => (Array.isArray(p) ? p : [p]));

export const FirewallRuleSchema = z
  .object({
    from: places.default('any'),
    to: places.default('any'),
    proto: z.enum(['tcp', 'udp', 'icmp', 'any']).default('any'),
    ports: z.array(z.number().int().min(1).max(65535)).min(1).optional(),
    action: z.enum(['accept', 'block']).default('accept'),
    comment: z.string().optional(),
  })
  .strict()
  .refine((r) => !r.ports || r.proto === 'tcp' || r.proto === 'udp', {
    message: 'ports need proto tcp or udp',
    path: ['ports'],
  });

/**
 * Forwarding rules of a fw node, first match wins. Anything no rule accepts is blocked and
 * logged. Without this section the FW forwards everything (and logs nothing).
 */
export const FirewallSchema = z
  .object({
    rules: z.array(FirewallRuleSchema).default([]),
  })
  .strict();

/**
 * What a trainee team may do on a node (instructors may always open every node, as any user).
 * Without this section a node is closed to trainees; the pseudo-attacker's hosts (role
 * `attacker`) are also hidden. `users` names the node's `accounts` a team may log in as, and
 * `staff` stands for the node's staff accounts from the team's facts (`staffAccounts: true`);
 * `root: true` where the course has the team administer the node (kill processes, remove
 * files, change FW rules).
 */
export const TraineeAccessSchema = z
  .object({
    /** may a team open a shell here (browser terminal, SSH gateway) */
    open: z.boolean(),
    /** may a team log in as root */
    root: z.boolean().default(false),
    /** which users a team may log in as: `all` accounts (staff included), or a list */
    users: z
      .union([
        z.literal('all'),
        z.array(z.string().regex(/^[a-z_][a-z0-9_-]{0,30}$/, 'must be an account of the node or "staff"')),
      ])
      .default('all'),
    /** shown in the team's range view (map, addresses, terminals); false for the attacker's side */
    visible: z.boolean().default(true),
  })
  .strict();

/** Staff of the team's facts a node knows about: every department, or some. */
const staffSelection = z.union([z.literal('all'), z.array(z.string().regex(/^[a-z]+$/)).min(1)]);

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
    /**
     * Caps on what the node's processes may take, over its role's defaults
     * (orchestrator/lifecycle/limits.ts): one team's fork bomb or memory hog must not starve the others.
     */
    limits: z
      .object({
        memoryMiB: z.number().int().min(16).max(8192).optional(),
        pids: z.number().int().min(32).max(32768).optional(),
        cpus: z.number().min(0.05).max(64).optional(),
      })
      .strict()
      .optional(),
    firewall: FirewallSchema.optional(),
    /** Staff (from the team's facts) handed to the node as ENSHU_STAFF_B64. */
    staff: staffSelection.optional(),
    /** Also create those staff members as Unix accounts on the node (e.g. mailboxes). */
    staffAccounts: z.boolean().default(false),
    /** Take an address from the range's DHCP server (see topologies/roles/base/02-dhcp). */
    dhcp: z.boolean().default(false),
    /** What a trainee team may do here (see TraineeAccessSchema); absent: closed to trainees. */
    trainee: TraineeAccessSchema.optional(),
  })
  .strict();

/** A name of the range's simulated Internet (or of the organisation), served by the dns node. */
export const DnsNameSchema = z
  .object({
    name: z
      .string()
      .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a lower-case host name like www.news.example'),
    node: name,
  })
  .strict();

export const TopologySchema = z
  .object({
    id: name,
    title: z.string().min(1),
    description: z.string().optional(),
    /** The organisation's DNS zone; every node is <node>.<domain>. Keep to reserved names (.example, .test). */
    domain: z
      .string()
      .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS domain like city.example')
      .optional(),
    /** Further names the dns node answers (the range's Internet: attacker sites, news, …). */
    names: z.array(DnsNameSchema).default([]),
    segments: z.array(SegmentSchema).min(1, 'a topology needs at least one segment'),
    nodes: z.array(NodeSchema).min(1, 'a topology needs at least one node'),
  })
  .strict();

export type TopologyInput = z.input<typeof TopologySchema>;
export type Topology = z.output<typeof TopologySchema>;
export type Segment = z.output<typeof SegmentSchema>;
export type TopologyNode = z.output<typeof NodeSchema>;
export type FirewallRule = z.output<typeof FirewallRuleSchema>;
export type TraineeAccess = z.output<typeof TraineeAccessSchema>;
export type Capability = (typeof CAPABILITIES)[number];
