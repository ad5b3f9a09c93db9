import { createHash, createHmac } from 'node:crypto';

/**
 * Per-team facts: who works at the organisation, their accounts and passwords, the
 * documents on the file servers. Every team's range has the same shape but its own values,
 * so answers cannot be copied between teams; the same seed and team always give the same
 * facts, so the attacker, the scoreboard and a reset all agree with what the range holds.
 */
export interface Department {
  id: string;
  name: string;
  nameJa: string;
}

export interface StaffMember {
  user: string;
  familyName: string;
  givenName: string;
  fullName: string;
  fullNameJa: string;
  department: string;
  title: string;
  email: string;
  password: string;
}

export interface FactDocument {
  department: string;
  file: string;
  title: string;
  body: string;
}

export interface TeamFacts {
  seed: string;
  team: string;
  /** Seed handed to the team's nodes (staff simulator etc.): it reveals nothing of other teams. */
  teamSeed: string;
  departments: Department[];
  staff: StaffMember[];
  documents: FactDocument[];
  /** A per-team password for a named purpose, e.g. secret('pc-admin'). */
  secret(label: string): string;
}

export const DEPARTMENTS: Department[] = [
  { id: 'soumu', name: 'General Affairs', nameJa: '総務課' },
  { id: 'kikaku', name: 'Planning', nameJa: '企画課' },
  { id: 'kenkyu', name: 'Research and Development', nameJa: '研究開発課' },
];

export const STAFF_PER_DEPARTMENT = 4;

const FAMILY: [string, string][] = [
  ['sato', '佐藤'],
  ['suzuki', '鈴木'],
  ['takahashi', '高橋'],
  ['tanaka', '田中'],
  ['ito', '伊藤'],
  ['watanabe', '渡辺'],
  ['yamamoto', '山本'],
  ['nakamura', '中村'],
  ['kobayashi', '小林'],
  ['kato', '加藤'],
  ['yoshida', '吉田'],
  ['yamada', '山田'],
  ['sasaki', '佐々木'],
  ['yamaguchi', '山口'],
  ['matsumoto', '松本'],
  ['inoue', '井上'],
  ['kimura', '木村'],
  ['hayashi', '林'],
  ['shimizu', '清水'],
  ['yamazaki', '山崎'],
  ['mori', '森'],
  ['ikeda', '池田'],
  ['hashimoto', '橋本'],
  ['abe', '阿部'],
];
const GIVEN: [string, string][] = [
  ['hiroshi', '浩'],
  ['takeshi', '健'],
  ['akira', '明'],
  ['makoto', '誠'],
  ['yuki', '由紀'],
  ['yoko', '洋子'],
  ['kenji', '健二'],
  ['naoko', '直子'],
  ['daisuke', '大輔'],
  ['emi', '恵美'],
  ['shota', '翔太'],
  ['misaki', '美咲'],
  ['ryo', '亮'],
  ['ayaka', '彩花'],
  ['kazuya', '和也'],
  ['mai', '舞'],
  ['takumi', '拓海'],
  ['haruka', '遥'],
];
const TITLES = ['課長', '係長', '主任', '主事'];
const WORDS = [
  'Sakura',
  'Fuji',
  'Kaede',
  'Tsubaki',
  'Momiji',
  'Hikari',
  'Sora',
  'Umi',
  'Midori',
  'Kumo',
  'Yuzu',
  'Kiri',
];
const SYMBOLS = ['!', '#', '$', '%', '&', '+'];

/** A deterministic stream of numbers for one purpose of one team. */
function stream(seed: string, team: string, purpose: string) {
  let counter = 0;
  const pool: number[] = [];
  return (n: number): number => {
    if (pool.length === 0) {
      const h = createHash('sha256').update(`${seed}\u0000${team}\u0000${purpose}\u0000${counter++}`).digest();
      for (let i = 0; i + 4 <= h.length; i += 4) pool.push(h.readUInt32BE(i));
    }
    return pool.shift()! % n;
  };
}

function password(next: (n: number) => number): string {
  return `${WORDS[next(WORDS.length)]}${String(1000 + next(9000))}${SYMBOLS[next(SYMBOLS.length)]}`;
}

export function teamFacts(seed: string, team: string, domain = 'range.example'): TeamFacts {
  const next = stream(seed, team, 'staff');
  const used = new Set<string>();
  const staff: StaffMember[] = [];
  for (const d of DEPARTMENTS) {
    for (let i = 0; i < STAFF_PER_DEPARTMENT; i++) {
      let fam: [string, string];
      let giv: [string, string];
      let user: string;
      do {
        fam = FAMILY[next(FAMILY.length)]!;
        giv = GIVEN[next(GIVEN.length)]!;
        user = `${giv[0][0]}${fam[0]}`;
      } while (used.has(user));
      used.add(user);
      staff.push({
        user,
        familyName: fam[0],
        givenName: giv[0],
        fullName: `${cap(giv[0])} ${cap(fam[0])}`,
        fullNameJa: `${fam[1]} ${giv[1]}`,
        department: d.id,
        title: TITLES[Math.min(i, TITLES.length - 1)]!,
        email: `${user}@${domain}`,
        password: password(next),
      });
    }
  }
  const docNext = stream(seed, team, 'documents');
  const documents: FactDocument[] = DEPARTMENTS.flatMap((d) => {
    const head = staff.find((s) => s.department === d.id)!;
    const budget = (100 + docNext(900)) * 10_000;
    const meeting = `2026-${String(1 + docNext(12)).padStart(2, '0')}-${String(1 + docNext(28)).padStart(2, '0')}`;
    const code = `${d.id.slice(0, 2).toUpperCase()}-${String(docNext(100000)).padStart(5, '0')}`;
    return [
      {
        department: d.id,
        file: `${d.id}-budget.txt`,
        title: `${d.nameJa} 予算資料`,
        body: `${d.nameJa} 令和8年度 予算案\n担当: ${head.fullNameJa}\n総額: ${budget.toLocaleString('en-US')} 円\n管理番号: ${code}\n`,
      },
      {
        department: d.id,
        file: `${d.id}-minutes.txt`,
        title: `${d.nameJa} 会議議事録`,
        body: `${d.nameJa} 定例会議 議事録 (${meeting})\n出席: ${staff
          .filter((s) => s.department === d.id)
          .map((s) => s.fullNameJa)
          .join('、')}\n管理番号: ${code}\n`,
      },
    ];
  });
  const teamSeed = createHmac('sha256', seed).update(team).digest('hex').slice(0, 32);
  return {
    seed,
    team,
    teamSeed,
    departments: DEPARTMENTS,
    staff,
    documents,
    secret: (label: string) => password(stream(seed, team, `secret:${label}`)),
  };
}

/** `{secret:label}` in an account password or env value becomes the team's secret for that label. */
export function expandSecrets(text: string, facts: TeamFacts): string {
  return text.replace(/\{secret:([a-z0-9-]+)\}/g, (_, label: string) => facts.secret(label));
}

/** Staff as tab-separated lines: user, password, full name, 氏名, department, title, e-mail. */
export function staffLines(staff: StaffMember[]): string {
  return staff
    .map((s) => [s.user, s.password, s.fullName, s.fullNameJa, s.department, s.title, s.email].join('\t'))
    .join('\n');
}

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
