/**
 * Incidents as they really arrive (issue #17): SOC alerts ingested from the team's SOC node,
 * injects (scenario-timed and by hand) and the vendor as a partner. One `attachIncidents` builds
 * the parts, follows the event log, and gives the routes to mount.
 */
import type { Engine, Topology } from '../../orchestrator/index.js';
import type { StoredEvent } from '../../protocol/index.js';
import type { AttackPort } from '../ports.js';
import type { RouteSpec } from '../routes.js';
import type { Store } from '../store/index.js';
import { AlertIngest } from './alerts.js';
import { InjectService } from './injects.js';
import { incidentRoutes } from './routes.js';
import { ScenarioIncidentsCache } from './scenario-incidents.js';
import { VendorDesk } from './vendor.js';

export { INCIDENT_TYPES, incidentItem, incidentItems, isIncident } from './view.js';
export { AlertIngest, InjectService, VendorDesk };

export interface Incidents {
  routes: RouteSpec[];
  alerts: AlertIngest | undefined;
  injects: InjectService;
  vendor: VendorDesk;
  /** sends and answers what came due while the server was down */
  recover(): void;
  close(): Promise<void>;
}

export function attachIncidents(o: {
  store: Store;
  now: () => Date;
  attack?: AttackPort | undefined;
  engine?: Engine | undefined;
  topology?: ((exercise: string) => Topology | undefined) | undefined;
  alertIntervalMs?: number | undefined;
}): Incidents {
  const scenario = new ScenarioIncidentsCache(o.store, o.attack);
  const injects = new InjectService(o.store, scenario, o.now);
  const vendor = new VendorDesk(o.store, scenario, o.now);
  const alerts =
    o.engine && o.topology ? new AlertIngest(o.store, o.engine, o.topology, o.now, o.alertIntervalMs) : undefined;
  alerts?.start();
  // appends made while handling an append are queued, so each listener sees the log in order
  const off = o.store.events.onAppend((e: StoredEvent) => {
    queueMicrotask(() => {
      injects.onEvent(e);
      vendor.onEvent(e);
    });
  });
  return {
    routes: incidentRoutes(o.store, injects, vendor),
    alerts,
    injects,
    vendor,
    recover: () => {
      for (const x of o.store.exercises.list())
        if (x.state === 'running' || x.state === 'paused')
          for (const t of o.store.exercises.teams(x.id)) {
            injects.consider(x.id, t.id);
            vendor.consider(x.id, t.id);
          }
    },
    close: async () => {
      off();
      injects.close();
      vendor.close();
      await alerts?.close();
    },
  };
}
