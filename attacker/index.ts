/** Public surface of the pseudo-attacker: scenarios, plans, ground truth, the per-team runner and the CLI. */
export { listScenarios, loadScenario, loadScenarioFile, scenariosDir, CheckedScenarioSchema, type ScenarioSummary } from './scenario/load.js';
export { ScenarioSchema, type Scenario, type Step } from './scenario/schema.js';
export { planFor, type Plan, type PlannedStep, type PlanContext } from './plan/plan.js';
export { groundTruth, type TruthContext } from './plan/truth.js';
export { render as renderTemplate } from './plan/template.js';
export { AttackRunner, SeedMismatchError, type RunnerOptions, type RunnerState, type RunnerStatus, type StepState, type StepStatus, type StopResult } from './run/runner.js';
export { RangeView, RefusedError } from './run/range-view.js';
export { restoreFromLog, type RestoredAttack, type RestoredStep } from './run/resume.js';
export { MemorySink, JsonlSink, dataDir } from './run/sinks.js';
export { ACTIONS } from './actions/registry.js';
export { loadAtomic, findAtomicTest, fillAtomic, unsupportedReason } from './actions/atomic.js';
export { registerAttackCommand, renderPlan, DEFAULT_SCENARIO } from './cli.js';
