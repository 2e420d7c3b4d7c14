/** The benchmark's page: 500 learners with every gated field (docs/benchmarks.md). */
export const PAGE_QUERY = `query Page($after: String) { learners(first: 500, after: $after) { nodes { id name employeeNumber enrolments { id courseId status enrolledAt startedAt startsOn progressPercent lastActivityAt timeSpentMinutes completedAt completed assessmentResults { assessmentName attemptedAt score maxScore passed } certificates { number issuedAt expiresAt accreditationPoints } accreditationPointsEarned withheld { field reason } } } pageInfo { endCursor hasNextPage } } }`;

/**
 * Pages read one at a time before any figure of a page is taken (`npm run bench`, its connections
 * phase, `bench:profile`). A freshly started API is slow for its first ~20–30 pages — V8
 * optimising the hot code and sizing its heap: in one probe the gated page's p50 over ten
 * alternating pairs was 160, 134, 115, 121 and 110 ms in turn. Until the twelfth session of
 * round 3 the figures were taken after two or three, so they measured a server still warming up
 * (docs/benchmarks.md, "Round 3, twelfth session"); `npm run bench` reports the first pages after
 * a start as a figure of their own.
 */
export const WARMUP_PAGES = 20;
