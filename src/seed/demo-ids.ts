/** Fixed ids of the demo data set, so docs and examples can name them. */
const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const DEMO = {
  providerId: id(1),
  employerId: id(2),
  brokerId: id(3),
  otherEmployerId: id(4),
  hrPortal: { clientId: 'demo-hr-portal', secret: 'demo-hr-portal-secret' },
  broker: { clientId: 'demo-broker', secret: 'demo-broker-secret' },
  learningPlatform: { clientId: 'demo-learning-platform', secret: 'demo-learning-platform-secret' },
  learnerId: (n: number) => id(0x100 + n),
  courseId: (n: number) => id(0x200 + n),
  mandateId: id(0x300),
  staffSubject: 'staff:demo',
} as const;
