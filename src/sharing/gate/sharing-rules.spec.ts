import type { DisclosureCategory } from '../../common/disclosure-category';
import type { SharingBasis } from '../../common/sharing-basis';
import type { FactAgreement, FactEnrolment, FactMandate, GateFacts } from './gate-facts';
import { SharingRules, type Perspective, type Recipient } from './sharing-rules';

/**
 * The sharing rules (docs/sharing-rules.md rules 5–11), one row per rule, evaluated in memory on
 * hand-made facts. The e2e specs check the same rules over HTTP and the property test against an
 * independent oracle; this table is where a rule change shows first, in one line.
 */
const NOW = new Date('2026-06-15T10:00:00Z');
const TODAY = '2026-06-15';
const HOUR = 3_600_000;
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR);

const EMPLOYER = 'e0000000-0000-4000-8000-000000000001';
const OTHER_EMPLOYER = 'e0000000-0000-4000-8000-000000000002';
const BROKER = 'b0000000-0000-4000-8000-000000000001';
const LEARNER = 'l0000000-0000-4000-8000-000000000001';
const COURSE = 'c0000000-0000-4000-8000-000000000001';

const employer: Recipient = { kind: 'EMPLOYER', id: EMPLOYER };
const broker: Recipient = { kind: 'BROKER', id: BROKER };

let seq = 0;
function agreement(basis: SharingBasis, over: Partial<FactAgreement> = {}): FactAgreement {
  seq++;
  return {
    id: `a${seq}`,
    agreementId: `g${seq}`,
    version: 1,
    recipientId: EMPLOYER,
    basis,
    categories: ['ENROLMENT_STATUS', 'PROGRESS', 'COMPLETION', 'CERTIFICATES'],
    learnerId: basis === 'PROCESSOR' || basis === 'LEGITIMATE_INTEREST' ? null : LEARNER,
    courseIds: null,
    validFrom: at(-24),
    validUntil: null,
    createdAt: at(-24 + seq / 1000),
    revokedAt: null,
    ...over,
  };
}

function mandate(over: Partial<FactMandate> = {}): FactMandate {
  return { id: 'm1', brokerId: BROKER, employerId: EMPLOYER, validFrom: at(-24), validUntil: null, revokedAt: null, permissions: ['ENROL', 'VIEW_RESULTS'], categories: ['PROGRESS', 'COMPLETION'], ...over };
}

interface World {
  agreements?: FactAgreement[];
  mandates?: FactMandate[];
  employment?: { startedOn: string; endedOn: string | null }[] | null;
  sponsor?: string | null;
  objectedTo?: string[];
  restricted?: boolean;
  erasedAt?: Date | null;
}

const activeEmployment = [{ startedOn: '2025-01-01', endedOn: null }];

function decide(world: World, recipient: Recipient, category: DisclosureCategory, perspective: Perspective = 'EXACT') {
  const enrolment: FactEnrolment = { id: 'n1', learnerId: LEARNER, courseId: COURSE, sponsorEmployerId: world.sponsor === undefined ? EMPLOYER : world.sponsor, enrolledById: EMPLOYER };
  const facts: GateFacts = {
    now: NOW,
    today: TODAY,
    learners: new Map([[LEARNER, { id: LEARNER, erasedAt: world.erasedAt ?? null }]]),
    employments: (world.employment === undefined ? activeEmployment : (world.employment ?? [])).map((e) => ({ learnerId: LEARNER, employerId: EMPLOYER, ...e })),
    enrolments: [enrolment],
    agreements: world.agreements ?? [],
    mandates: world.mandates ?? [],
    objections: new Map(world.objectedTo ? [[LEARNER, new Set(world.objectedTo)]] : []),
    restricted: new Set(world.restricted ? [LEARNER] : []),
  };
  const d = new SharingRules(facts, perspective).decide(recipient, enrolment, category);
  return d.allowed ? { allowed: true, basis: d.basis, onBehalfOf: d.onBehalfOf } : { allowed: false, reasons: d.reasons };
}

type Row = [rule: string, world: World, recipient: Recipient, category: DisclosureCategory, expected: ReturnType<typeof decide>];

const rows: Row[] = [
  // Deny by default.
  ['no agreement at all', {}, employer, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['an agreement of another category', { agreements: [agreement('PROCESSOR', { categories: ['COMPLETION'] })] }, employer, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['an agreement for another course', { agreements: [agreement('STUDY_CONTRACT', { courseIds: ['other-course'] })] }, employer, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['an agreement of another employer', { agreements: [agreement('PROCESSOR', { recipientId: OTHER_EMPLOYER })] }, employer, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  // Rule 5: the window is half-open; a revocation counts from its own timestamp.
  ['processor in force', { agreements: [agreement('PROCESSOR')] }, employer, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: null }],
  ['starts exactly now', { agreements: [agreement('PROCESSOR', { validFrom: NOW })] }, employer, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: null }],
  ['starts in an hour', { agreements: [agreement('PROCESSOR', { validFrom: at(1) })] }, employer, 'PROGRESS', { allowed: false, reasons: ['AGREEMENT_NOT_YET_VALID'] }],
  ['ends exactly now', { agreements: [agreement('PROCESSOR', { validUntil: NOW })] }, employer, 'PROGRESS', { allowed: false, reasons: ['AGREEMENT_EXPIRED'] }],
  ['revoked an hour ago', { agreements: [agreement('PROCESSOR', { revokedAt: at(-1) })] }, employer, 'PROGRESS', { allowed: false, reasons: ['AGREEMENT_REVOKED'] }],
  ['revocation stamped later than now', { agreements: [agreement('PROCESSOR', { revokedAt: at(1) })] }, employer, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: null }],
  ['consent withdrawn', { agreements: [agreement('CONSENT', { revokedAt: at(-1) })] }, employer, 'PROGRESS', { allowed: false, reasons: ['CONSENT_WITHDRAWN'] }],
  // Rule 6: employment dates are calendar dates, the end date inclusive.
  ['processor, employment ended yesterday', { agreements: [agreement('PROCESSOR')], employment: [{ startedOn: '2025-01-01', endedOn: '2026-06-14' }] }, employer, 'PROGRESS', { allowed: false, reasons: ['EMPLOYMENT_ENDED'] }],
  ['processor, last day of employment today', { agreements: [agreement('PROCESSOR')], employment: [{ startedOn: '2025-01-01', endedOn: TODAY }] }, employer, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: null }],
  ['processor, employment starts tomorrow', { agreements: [agreement('PROCESSOR')], employment: [{ startedOn: '2026-06-16', endedOn: null }] }, employer, 'PROGRESS', { allowed: false, reasons: ['NO_EMPLOYMENT'] }],
  ['processor, never employed: an employee-wide agreement says nothing of a non-employee', { agreements: [agreement('PROCESSOR')], employment: null }, employer, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['employment ended and another not started yet: both reasons', { agreements: [agreement('PROCESSOR')], employment: [{ startedOn: '2025-01-01', endedOn: '2026-01-01' }, { startedOn: '2026-07-01', endedOn: null }] }, employer, 'PROGRESS', { allowed: false, reasons: ['EMPLOYMENT_ENDED', 'NO_EMPLOYMENT'] }],
  // Rule 7: restriction and erasure stop every basis.
  ['restricted', { agreements: [agreement('STUDY_CONTRACT')], restricted: true }, employer, 'PROGRESS', { allowed: false, reasons: ['RESTRICTED'] }],
  ['erased', { agreements: [agreement('CONSENT')], erasedAt: at(-1) }, employer, 'PROGRESS', { allowed: false, reasons: ['ERASED'] }],
  // Rule 8: each basis' own conditions (basis-rules.ts).
  ['processor, enrolment sponsored by someone else', { agreements: [agreement('PROCESSOR')], sponsor: OTHER_EMPLOYER }, employer, 'PROGRESS', { allowed: false, reasons: ['NOT_SPONSOR'] }],
  ['processor, not sponsored and employment ended', { agreements: [agreement('PROCESSOR')], sponsor: null, employment: [{ startedOn: '2025-01-01', endedOn: '2026-01-01' }] }, employer, 'PROGRESS', { allowed: false, reasons: ['NOT_SPONSOR', 'EMPLOYMENT_ENDED'] }],
  ['legitimate interest, not sponsored: still covers', { agreements: [agreement('LEGITIMATE_INTEREST')], sponsor: null }, employer, 'COMPLETION', { allowed: true, basis: 'LEGITIMATE_INTEREST', onBehalfOf: null }],
  ['legitimate interest, objected', { agreements: [agreement('LEGITIMATE_INTEREST')], objectedTo: [EMPLOYER] }, employer, 'COMPLETION', { allowed: false, reasons: ['OBJECTION'] }],
  ['legitimate interest, objected to another employer', { agreements: [agreement('LEGITIMATE_INTEREST')], objectedTo: [OTHER_EMPLOYER] }, employer, 'COMPLETION', { allowed: true, basis: 'LEGITIMATE_INTEREST', onBehalfOf: null }],
  ['an objection leaves the processor alone', { agreements: [agreement('PROCESSOR')], objectedTo: [EMPLOYER] }, employer, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: null }],
  ['study contract survives the end of employment', { agreements: [agreement('STUDY_CONTRACT')], employment: [{ startedOn: '2025-01-01', endedOn: '2026-01-01' }] }, employer, 'PROGRESS', { allowed: true, basis: 'STUDY_CONTRACT', onBehalfOf: null }],
  ['consent needs no employment', { agreements: [agreement('CONSENT')], employment: null }, employer, 'PROGRESS', { allowed: true, basis: 'CONSENT', onBehalfOf: null }],
  // Rule 9: the first basis in the order wins, then the oldest.
  ['processor beats consent', { agreements: [agreement('CONSENT'), agreement('PROCESSOR')] }, employer, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: null }],
  ['study contract beats legitimate interest', { agreements: [agreement('LEGITIMATE_INTEREST'), agreement('STUDY_CONTRACT')] }, employer, 'COMPLETION', { allowed: true, basis: 'STUDY_CONTRACT', onBehalfOf: null }],
  ['a blocked processor falls through to consent', { agreements: [agreement('PROCESSOR'), agreement('CONSENT')], sponsor: null }, employer, 'PROGRESS', { allowed: true, basis: 'CONSENT', onBehalfOf: null }],
  // Rule 10: brokers read through a VIEW_RESULTS mandate, or under their own consent.
  ['broker through a mandate', { agreements: [agreement('PROCESSOR')], mandates: [mandate()] }, broker, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: EMPLOYER }],
  ['broker, category not in the mandate', { agreements: [agreement('PROCESSOR')], mandates: [mandate()] }, broker, 'ENROLMENT_STATUS', { allowed: false, reasons: ['NO_MANDATE'] }],
  ['broker, mandate without VIEW_RESULTS', { agreements: [agreement('PROCESSOR')], mandates: [mandate({ permissions: ['ENROL'] })] }, broker, 'PROGRESS', { allowed: false, reasons: ['NO_MANDATE'] }],
  ['broker, mandate revoked: no mandate, no consent', { agreements: [agreement('PROCESSOR')], mandates: [mandate({ revokedAt: at(-1) })] }, broker, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['broker, enrol-only mandate from an employer the learner never worked for', { agreements: [agreement('PROCESSOR')], mandates: [mandate({ permissions: ['ENROL'] })], employment: null }, broker, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['an employer\'s consent does not reach its broker', { agreements: [agreement('CONSENT')], mandates: [mandate()] }, broker, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['broker, mandate in force but the employer may not see it', { agreements: [agreement('PROCESSOR')], mandates: [mandate()], sponsor: null }, broker, 'PROGRESS', { allowed: false, reasons: ['NOT_SPONSOR'] }],
  ['broker under its own consent', { agreements: [agreement('CONSENT', { recipientId: BROKER })] }, broker, 'PROGRESS', { allowed: true, basis: 'CONSENT', onBehalfOf: null }],
  ['the mandate route beats the broker\'s consent', { agreements: [agreement('PROCESSOR'), agreement('CONSENT', { recipientId: BROKER })], mandates: [mandate()] }, broker, 'PROGRESS', { allowed: true, basis: 'PROCESSOR', onBehalfOf: EMPLOYER }],
];

describe('sharing rules, one row per rule', () => {
  it.each(rows)('%s', (_rule, world, recipient, category, expected) => {
    expect(decide(world, recipient, category)).toEqual(expected);
  });
});

/** Rule 11: what a recipient reads of the learner's own choices. */
const recipientRows: Row[] = [
  ['an objection reads NOT_SHARED', { agreements: [agreement('LEGITIMATE_INTEREST')], objectedTo: [EMPLOYER] }, employer, 'COMPLETION', { allowed: false, reasons: ['NOT_SHARED'] }],
  ['a restriction reads NOT_SHARED', { agreements: [agreement('STUDY_CONTRACT')], restricted: true }, employer, 'PROGRESS', { allowed: false, reasons: ['NOT_SHARED'] }],
  ['a withdrawn consent adds nothing: NO_AGREEMENT', { agreements: [agreement('CONSENT', { revokedAt: at(-1) })] }, employer, 'PROGRESS', { allowed: false, reasons: ['NO_AGREEMENT'] }],
  ['a withdrawn consent beside an expired contract: only the contract speaks', { agreements: [agreement('CONSENT', { revokedAt: at(-1) }), agreement('STUDY_CONTRACT', { validUntil: at(-2) })] }, employer, 'PROGRESS', { allowed: false, reasons: ['AGREEMENT_EXPIRED'] }],
];

describe('sharing rules as a recipient reads them', () => {
  it.each(recipientRows)('%s', (_rule, world, recipient, category, expected) => {
    expect(decide(world, recipient, category, 'RECIPIENT')).toEqual(expected);
  });
});
