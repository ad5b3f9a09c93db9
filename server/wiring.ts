/**
 * Binds the server's ports to the real attacker and scoring rules. Kept out of index.ts:
 * attacker/ imports the orchestrator's index, so importing it from there would be a cycle.
 */
import { AttackRunner, groundTruth, listScenarios, loadScenario, type Scenario } from '../attacker/index.js';
import { scenarioIncidents } from './incidents/scenario-port.js';
import {
  aggregateResults,
  liveYearlyRows,
  parseYearlyCsv,
  yearlyCsv,
  yearlyTable,
  computeDeadlines,
  computeScores,
  freezeTime,
  loadGlossary,
  loadRules,
  resultsCsv,
  statsCsv,
  teamTimeline,
  ScoreFold,
  type Rules,
  type ScoreItem,
  type TeamResult,
} from '../scoreboard/index.js';
import { type Glossary } from '../protocol/index.js';
import type { AttackPort, ScoringPort, TeamScore } from './ports.js';
import type { ReportingPort } from './results.js';

export function attackPort(): AttackPort {
  const cache = new Map<string, Scenario>();
  const scenario = (id: string) => {
    let s = cache.get(id);
    if (!s) cache.set(id, (s = loadScenario(id)));
    return s;
  };
  return {
    listScenarios: () => listScenarios(),
    groundTruth: (id, ctx) => groundTruth(scenario(id), ctx),
    runner: (o) => new AttackRunner({ ...o, scenario: scenario(o.scenario) }),
    incidents: (id, ctx) => scenarioIncidents(scenario(id), ctx),
  };
}

/** Scores from scoreboard's pure rules: the course's rules and the glossary are read once and cached. */
export function scoringPort(): ScoringPort {
  const rules = new Map<string, Rules>();
  const rulesOf = (course: string) => {
    let r = rules.get(course);
    if (!r) rules.set(course, (r = loadRules(course)));
    return r;
  };
  let glossary: Glossary | undefined;
  const view = (r: TeamResult): TeamScore => ({
    team: r.team,
    total: r.total,
    phases: r.phases,
    rank: r.rank,
    detail: r.items,
  });
  return {
    fold: (ctx) => {
      glossary ??= loadGlossary();
      const f = new ScoreFold({ rules: rulesOf(ctx.course), truth: Object.fromEntries(ctx.truths), glossary });
      return {
        add: (e) => void f.add(e),
        scores: (now) => f.scores(now.toISOString()).map(view),
        scoresOf: (teams, now) => f.scoresOf(teams, now.toISOString()).map((r) => view({ ...r, rank: 0 })),
        deadlines: (team, now) => f.deadlines(team, now.toISOString()),
      };
    },
    compute: (events, ctx) => {
      glossary ??= loadGlossary();
      return computeScores(events, {
        rules: rulesOf(ctx.course),
        truth: Object.fromEntries(ctx.truths),
        glossary,
        now: ctx.now.toISOString(),
      }).map(view);
    },
    visibility: (course) => {
      const r = rulesOf(course);
      return {
        traineesSeeRanking: r.visibility.traineesSeeRanking,
        afterActionForTrainees: r.visibility.afterActionForTrainees,
        firstDeadlineMinutes: r.reporting.firstDeadlineMinutes,
        updateIntervalMinutes: r.reporting.updateIntervalMinutes,
      };
    },
    freezeAt: (events, course, endsAt) => freezeTime(events, { rules: rulesOf(course), ...(endsAt ? { endsAt } : {}) }),
    deadlines: (events, ctx) =>
      computeDeadlines(
        events.filter((e) => !('team' in e) || e.team === ctx.team),
        ctx.team,
        { rules: rulesOf(ctx.course), truth: Object.fromEntries(ctx.truths) },
        ctx.now.toISOString(),
      ),
  };
}

/** Organizer figures, CSV and the after-action timeline from scoreboard's pure helpers. */
export function reportingPort(): ReportingPort {
  return {
    stats: (results) => ({ stats: aggregateResults(results) }),
    statsCsv: (results) => statsCsv(results, { bom: true }),
    yearly: (stats, imported) => yearlyTable([...imported, ...liveYearlyRows(stats)]),
    yearlyCsv: (table, lang) => yearlyCsv(table, lang, { bom: true }),
    parseYearly: (csv) => parseYearlyCsv(csv),
    resultsCsv: (result) => resultsCsv(result, { bom: true }),
    timeline: (events, team, truth, items) => ({
      team,
      entries: teamTimeline(events, team, truth, (items ?? []) as ScoreItem[]),
    }),
  };
}
