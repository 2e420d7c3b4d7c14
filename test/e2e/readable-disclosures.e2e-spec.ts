import { LearnerNotifier } from '../../src/outbox/learner-notifier.service';
import { world } from '../factories/world';
import { countQueries } from '../utils/query-counter';
import { createTestApp, type TestApp } from '../utils/test-app';

const DAY = 86_400_000;
const HR_PAGE = `query HrSync { learners { nodes { id enrolments { id progressPercent completed } } } }`;

const READABLE = `recipientId recipient { id name } onBehalfOf { id name }
  items { enrolmentId courseId courseTitle
    categories { category label basis basisLabel basisDescription agreementVersionId onBehalfOf onBehalfOfOrganisation { id name }
      agreement { id agreementId version reference basis validFrom validUntil revokedAt supersededAt } } }`;
const DISCLOSURES = `query($first: Int, $locale: Locale) { disclosures(first: $first, locale: $locale) { nodes { id ${READABLE} } } }`;
const INBOX = `query($first: Int, $locale: Locale) { notifications(first: $first, locale: $locale) { nodes { id kind recipientId recipient { id name } onBehalfOf { name }
  basis basisLabel basisDescription courseTitle disclosureId disclosure { id ${READABLE} } } } }`;

/**
 * What the learner reads (docs/ledger-and-notifications.md, "What the learner reads"): who
 * received their data by name, on whose behalf a broker acted, the course, the categories and
 * bases in their own language beside the enum values, and the agreement version that allowed it.
 */
describe('the ledger as the learner reads it', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let providerId: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    providerId = (await w.organisation('PROVIDER', 'Leerhuis')).id;
  });
  afterAll(() => t.close());

  /**
   * An employer whose HR portal reads PROGRESS and COMPLETION of one employee's sponsored course
   * under a processing agreement, and a broker that enrolled the employee on another course for
   * that employer and reads it through its mandate.
   */
  async function scene(locale: 'nl' | 'en') {
    const tag = Math.random().toString(36).slice(2, 7);
    const employer = await w.organisation('EMPLOYER', `Zorggroep Noord ${tag}`);
    const broker = await w.organisation('BROKER', `Opleidingsbureau Brug ${tag}`);
    const learner = await w.learner({ locale });
    await w.employment(learner.id, employer.id, { startedOn: '2020-01-01' });
    const course = await w.course({ title: `Medisch rekenen ${tag}` });
    const brokeredCourse = await w.course({ title: `Wondzorg ${tag}` });
    const enrolment = await w.enrolment(learner.id, course.id, providerId, { sponsorEmployerId: employer.id, progressPercent: 60, status: 'IN_PROGRESS' });
    const brokered = await w.enrolment(learner.id, brokeredCourse.id, broker.id, { sponsorEmployerId: employer.id, progressPercent: 30, status: 'IN_PROGRESS' });
    const validFrom = new Date(Date.now() - 10 * DAY);
    const validUntil = new Date(Date.now() + 365 * DAY);
    const agreement = await w.agreement({
      recipientId: employer.id,
      basis: 'PROCESSOR',
      categories: ['PROGRESS', 'COMPLETION'],
      reference: `VWO-2025-017-${tag}`,
      validFrom,
      validUntil,
    });
    await w.mandate(broker.id, employer.id, { categories: ['PROGRESS', 'COMPLETION'] });
    const hr = t.token((await w.apiClient(employer)).claims);
    const brokerToken = t.token((await w.apiClient(broker)).claims);
    const learnerToken = t.token({ sub: learner.id, kind: 'LEARNER' });
    for (const token of [hr, brokerToken]) expect((await t.gql(token, HR_PAGE)).errors).toBeUndefined();
    return { employer, broker, learner, course, brokeredCourse, enrolment, brokered, agreement, validFrom, validUntil, hr, brokerToken, learnerToken };
  }

  const byRecipient = (nodes: any[], recipientId: string) => nodes.filter((n) => n.recipientId === recipientId);

  it("nl: names, the course, Dutch words beside the enum values, and the agreement version, in disclosures and in the inbox", async () => {
    const s = await scene('nl');
    const res = await t.gql(s.learnerToken, DISCLOSURES);
    expect(res.errors).toBeUndefined();
    const nodes = res.data.disclosures.nodes;
    expect(nodes).toHaveLength(2);

    const agreementRef = {
      id: s.agreement.id,
      agreementId: s.agreement.agreementId,
      version: 1,
      reference: s.agreement.reference,
      basis: 'PROCESSOR',
      validFrom: s.validFrom.toISOString(),
      validUntil: s.validUntil.toISOString(),
      revokedAt: null,
      supersededAt: null,
    };
    const processor = {
      basis: 'PROCESSOR',
      basisLabel: 'Verwerkersovereenkomst',
      basisDescription: 'wij verwerken deze gegevens in opdracht van uw werkgever (verwerkersovereenkomst)',
      agreementVersionId: s.agreement.id,
      agreement: agreementRef,
    };

    const [toEmployer] = byRecipient(nodes, s.employer.id);
    expect(toEmployer).toMatchObject({ recipient: { id: s.employer.id, name: s.employer.name }, onBehalfOf: [] });
    const employerItem = toEmployer.items.find((i: any) => i.enrolmentId === s.enrolment.id);
    expect(employerItem).toMatchObject({ courseId: s.course.id, courseTitle: s.course.title });
    expect(employerItem.categories).toEqual([
      { category: 'PROGRESS', label: 'voortgang', ...processor, onBehalfOf: null, onBehalfOfOrganisation: null },
      { category: 'COMPLETION', label: 'afronding', ...processor, onBehalfOf: null, onBehalfOfOrganisation: null },
    ]);

    // The broker's read: its own name, and the employer it acted for.
    const [toBroker] = byRecipient(nodes, s.broker.id);
    const principal = { id: s.employer.id, name: s.employer.name };
    expect(toBroker).toMatchObject({ recipient: { id: s.broker.id, name: s.broker.name }, onBehalfOf: [principal] });
    const brokerItem = toBroker.items.find((i: any) => i.enrolmentId === s.brokered.id);
    expect(brokerItem).toMatchObject({ courseId: s.brokeredCourse.id, courseTitle: s.brokeredCourse.title });
    expect(brokerItem.categories).toEqual([
      { category: 'PROGRESS', label: 'voortgang', ...processor, onBehalfOf: s.employer.id, onBehalfOfOrganisation: principal },
      { category: 'COMPLETION', label: 'afronding', ...processor, onBehalfOf: s.employer.id, onBehalfOfOrganisation: principal },
    ]);

    // The inbox: each DISCLOSURE with its readable ledger entry; the recipient named either way.
    const inbox = await t.gql(s.learnerToken, INBOX);
    expect(inbox.errors).toBeUndefined();
    const notes = inbox.data.notifications.nodes;
    expect(notes).toHaveLength(2);
    for (const n of notes) {
      expect(n.kind).toBe('DISCLOSURE');
      const entry = nodes.find((d: any) => d.id === n.disclosureId);
      expect(n.disclosure).toEqual(entry);
      expect(n.recipient).toEqual(entry.recipient);
      expect(n).toMatchObject({ basisLabel: null, courseTitle: null, onBehalfOf: null });
    }
  });

  it('nl: other events name the recipient, the basis in words and the course', async () => {
    const s = await scene('nl');
    const consent = await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }`, {
      i: { recipientId: s.employer.id, categories: ['ACCREDITATION'], consentTextVersion: 'v3' },
    });
    expect(consent.errors).toBeUndefined();
    await t.db.transaction((em) => t.app.get(LearnerNotifier).inform(em, [s.learner.id], 'ENROLLED', { recipientId: s.broker.id, employerId: s.employer.id, courseId: s.brokeredCourse.id }));

    const inbox = await t.gql(s.learnerToken, INBOX);
    expect(inbox.errors).toBeUndefined();
    const events = inbox.data.notifications.nodes.filter((n: any) => n.kind !== 'DISCLOSURE');
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'CONSENT_RECORDED',
        recipient: { id: s.employer.id, name: s.employer.name },
        basis: 'CONSENT',
        basisLabel: 'Toestemming',
        basisDescription: 'uw toestemming',
        courseTitle: null,
        disclosure: null,
      }),
      expect.objectContaining({
        kind: 'ENROLLED',
        recipient: { id: s.broker.id, name: s.broker.name },
        onBehalfOf: { name: s.employer.name },
        basisLabel: null,
        courseTitle: s.brokeredCourse.title,
        disclosure: null,
      }),
    ]);
  });

  it('en: the same in English; and a learner may ask for the other language', async () => {
    const s = await scene('en');
    const res = await t.gql(s.learnerToken, DISCLOSURES);
    expect(res.errors).toBeUndefined();
    const [toBroker] = byRecipient(res.data.disclosures.nodes, s.broker.id);
    expect(toBroker.onBehalfOf).toEqual([{ id: s.employer.id, name: s.employer.name }]);
    expect(toBroker.items[0].categories[0]).toMatchObject({
      category: 'PROGRESS',
      label: 'progress',
      basis: 'PROCESSOR',
      basisLabel: 'Processing agreement',
      basisDescription: 'we process this data on behalf of your employer (processing agreement)',
    });
    const inbox = await t.gql(s.learnerToken, INBOX);
    expect(inbox.data.notifications.nodes[0].disclosure.items[0].categories[0].label).toBe('progress');

    const dutch = await t.gql(s.learnerToken, DISCLOSURES, { locale: 'nl' });
    expect(dutch.data.disclosures.nodes[0].items[0].categories[0]).toMatchObject({ label: 'voortgang', basisLabel: 'Verwerkersovereenkomst' });
    const dutchInbox = await t.gql(s.learnerToken, INBOX, { locale: 'nl' });
    expect(dutchInbox.data.notifications.nodes[0].disclosure.items[0].categories[0].label).toBe('voortgang');
  });

  it("an employer's and a broker's view of their own disclosures is as before, with names and English words beside it", async () => {
    const s = await scene('nl');
    const before = `{ disclosures { nodes { learnerId recipientId items { enrolmentId courseId categories { category basis agreementId agreementVersionId agreementVersion onBehalfOf } } } } }`;
    const asEmployer = await t.gql(s.hr, before);
    expect(asEmployer.errors).toBeUndefined();
    const grant = { basis: 'PROCESSOR', agreementId: s.agreement.agreementId, agreementVersionId: s.agreement.id, agreementVersion: 1 };
    const categories = [
      { category: 'PROGRESS', ...grant, onBehalfOf: null },
      { category: 'COMPLETION', ...grant, onBehalfOf: null },
    ];
    // Both enrolments are the employer's to see: the one it sponsors, and the one the broker made for it.
    expect(asEmployer.data.disclosures.nodes.filter((d: any) => d.learnerId === s.learner.id)).toEqual([
      {
        learnerId: s.learner.id,
        recipientId: s.employer.id,
        items: expect.arrayContaining([
          { enrolmentId: s.enrolment.id, courseId: s.course.id, categories },
          { enrolmentId: s.brokered.id, courseId: s.brokeredCourse.id, categories },
        ]),
      },
    ]);
    expect(asEmployer.data.disclosures.nodes.find((d: any) => d.learnerId === s.learner.id).items).toHaveLength(2);
    // Only its own entries: the broker's read of the same learner is not among them.
    expect(asEmployer.data.disclosures.nodes.every((d: any) => d.recipientId === s.employer.id)).toBe(true);

    const readable = await t.gql(s.hr, DISCLOSURES);
    const [mine] = readable.data.disclosures.nodes.filter((d: any) => d.items.some((i: any) => i.enrolmentId === s.enrolment.id));
    expect(mine.recipient).toEqual({ id: s.employer.id, name: s.employer.name });
    expect(mine.items[0].categories[0]).toMatchObject({ label: 'progress', basisLabel: 'Processing agreement', agreement: { reference: s.agreement.reference } });

    const asBroker = await t.gql(s.brokerToken, DISCLOSURES);
    expect(asBroker.errors).toBeUndefined();
    expect(asBroker.data.disclosures.nodes.every((d: any) => d.recipientId === s.broker.id)).toBe(true);
    expect(asBroker.data.disclosures.nodes[0].onBehalfOf).toEqual([{ id: s.employer.id, name: s.employer.name }]);
  });

  it('a page of many entries costs the same number of queries as a page of a few: names, titles and versions are batched', async () => {
    // One learner, read by three employers (each its own agreement and course) and a broker, many times over.
    const learner = await w.learner({ locale: 'nl' });
    const readers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const employer = await w.organisation('EMPLOYER');
      await w.employment(learner.id, employer.id, { startedOn: '2020-01-01' });
      const course = await w.course();
      await w.enrolment(learner.id, course.id, providerId, { sponsorEmployerId: employer.id, progressPercent: 10 * i, status: 'IN_PROGRESS' });
      await w.agreement({ recipientId: employer.id, basis: i === 0 ? 'PROCESSOR' : 'LEGITIMATE_INTEREST', categories: ['PROGRESS', 'COMPLETION'] });
      readers.push(t.token((await w.apiClient(employer)).claims));
      if (i === 0) {
        const broker = await w.organisation('BROKER');
        await w.mandate(broker.id, employer.id, { categories: ['PROGRESS'] });
        await w.enrolment(learner.id, (await w.course()).id, broker.id, { sponsorEmployerId: employer.id, progressPercent: 5, status: 'IN_PROGRESS' });
        readers.push(t.token((await w.apiClient(broker)).claims));
      }
    }
    for (let round = 0; round < 15; round++) for (const token of readers) expect((await t.gql(token, HR_PAGE)).errors).toBeUndefined();
    const learnerToken = t.token({ sub: learner.id, kind: 'LEARNER' });

    const measure = async (query: string, field: 'disclosures' | 'notifications', first: number) => {
      const { result, queries } = await countQueries(t.app, () => t.gql(learnerToken, query, { first }));
      expect(result.errors).toBeUndefined();
      expect(result.data[field].nodes).toHaveLength(first);
      return queries.length;
    };
    for (const [query, field] of [
      [DISCLOSURES, 'disclosures'],
      [INBOX, 'notifications'],
    ] as const) {
      const small = await measure(query, field, 4);
      const large = await measure(query, field, 60);
      expect({ field, large }).toEqual({ field, large: small });
      // locale, page, (entries,) names, principals, titles, versions: a handful, whatever the page size
      expect(large).toBeLessThanOrEqual(8);
    }
  });
});
