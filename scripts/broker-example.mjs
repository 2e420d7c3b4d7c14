#!/usr/bin/env node
// A broker's integration, end to end, against `npm start` (demo data):
//   1. get a token with client credentials,
//   2. enrol two employees of the mandating employer (idempotent: run it twice),
//   3. read back what the mandate allows, with the reason for everything withheld.
// Usage: node scripts/broker-example.mjs [http://localhost:3000]
const base = process.argv[2] ?? process.env.API_URL ?? 'http://localhost:3000';
const EMPLOYER_ID = '00000000-0000-4000-8000-000000000002'; // Zorggroep Rivierenland in the demo data

const tokenResponse = await fetch(`${base}/oauth/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo-broker', client_secret: 'demo-broker-secret' }),
});
if (!tokenResponse.ok) throw new Error(`token: ${tokenResponse.status} ${await tokenResponse.text()}`);
const { access_token: token } = await tokenResponse.json();

async function graphql(query, variables) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors, null, 2));
  return body.data;
}

const enrolled = await graphql(
  `mutation Enrol($input: EnrolLearnersInput!) {
     enrolLearners(input: $input) { replayed outcomes { row outcome learnerId enrolmentId errors { field message } } }
   }`,
  {
    input: {
      employerId: EMPLOYER_ID,
      idempotencyKey: 'example-batch-2026-12',
      rows: [
        { email: 'fatima.el-amrani@example.nl', name: 'Fatima El Amrani', employeeNumber: 'E2001', locale: 'nl', courseCode: 'BHV-2026', startDate: '2027-01-11' },
        { email: 'tom.baker@example.nl', name: 'Tom Baker', employeeNumber: 'E2002', locale: 'en', courseCode: 'MED-REK', startDate: '2027-01-11' },
        { email: 'not-an-email', name: 'Broken Row', employeeNumber: 'E2003', courseCode: 'BHV-2026', startDate: '2027-01-11' },
      ],
    },
  },
);
console.log('enrolLearners:', JSON.stringify(enrolled.enrolLearners, null, 2));

const page = await graphql(`query BrokerRead {
  learners(first: 50) {
    nodes { name employeeNumber enrolments { course { code } status startsOn progressPercent completed withheld { field reason } } }
    pageInfo { endCursor hasNextPage }
  }
}`);
console.log('learners:', JSON.stringify(page.learners, null, 2));
