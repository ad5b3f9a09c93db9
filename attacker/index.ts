/**
 * attacker — the pseudo-attacker: scenarios as YAML, plans and ground truth derived from the
 * team's facts, the actions, and the per-team runner on its own scenario clock. Over core and
 * the range's `Engine` interface (types only): it acts through the engine it is handed and
 * refuses any container outside its own team's range.
 */
export {
  listScenarios,
  loadScenario,
  loadScenarioFile,
  scenariosDir,
  CheckedScenarioSchema,
  type ScenarioSummary,
} from './scenario/load.js';
export { ScenarioSchema, type Scenario, type Step } from './scenario/schema.js';
export { planFor, type Plan, type PlannedStep, type PlanContext } from './plan/plan.js';
export { groundTruth, type TruthContext } from './plan/truth.js';
export { render as renderTemplate } from './plan/template.js';
export { formatOffset } from './run/clock.js';
export { AttackRunner, SeedMismatchError, type RunnerOptions } from './run/runner.js';
export { RangeView, RefusedError } from './run/range-view.js';
export { restoreFromLog, type RestoredAttack, type RestoredStep } from './run/resume.js';
export { MemorySink, JsonlSink, dataDir, attackDir } from './run/sinks.js';
export { ACTIONS } from './actions/registry.js';
export { loadAtomic, findAtomicTest, fillAtomic, unsupportedReason } from './actions/atomic.js';
