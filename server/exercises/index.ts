/** The exercise service and the types its callers need; the parts behind it stay private to this folder. */
export { ExerciseService } from './service.js';
export type { ExerciseHooks, ExerciseServiceOptions } from './context.js';
export type { Runtime } from './attacks.js';
export type { SubmissionBody } from './submissions.js';
export { courseScenarios, checkScenarioForCourse } from './course-scenarios.js';
