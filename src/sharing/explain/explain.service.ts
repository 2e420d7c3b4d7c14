import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor';
import { DomainError } from '../../common/errors/domain-error';
import { OrganisationEntity } from '../../organisations/organisation.entity';
import type { ExplainArgs, ExplanationModel } from './explain.model';
import { GateFactsLoader } from '../gate/gate-facts.loader';
import { GatedView } from '../gate/request-view';
import { SharingRules, type Recipient } from '../gate/sharing-rules';

/**
 * Explain: which agreement allows a (learner, enrolment, category) for a recipient, or every
 * reason it is withheld — with the same rules object the gate uses, so it can never disagree.
 */
@Injectable()
export class ExplainService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly loader: GateFactsLoader,
  ) {}

  async explain(actor: Actor, args: ExplainArgs): Promise<ExplanationModel> {
    const asRecipient = actor.kind === 'EMPLOYER_CLIENT' || actor.kind === 'BROKER_CLIENT';
    if (actor.kind === 'LEARNER' && args.learnerId !== actor.learnerId) throw DomainError.notFound('Learner');
    const recipient: Recipient = asRecipient
      ? { kind: actor.kind === 'EMPLOYER_CLIENT' ? 'EMPLOYER' : 'BROKER', id: actor.organisationId! }
      : await this.recipient(args.recipientId);

    // A recipient explains only what it may know exists: a visible learner and a listed enrolment.
    const page = asRecipient
      ? await this.loader.page(recipient, { limit: 1, learnerIds: [args.learnerId] })
      : await this.loader.forLearners(recipient, [args.learnerId]);
    if (page.learners.length === 0) throw DomainError.notFound('Learner');
    const enrolment = page.enrolments.find((e) => e.id === args.enrolmentId);
    if (!enrolment) throw DomainError.notFound('Enrolment');
    if (asRecipient) {
      const view = new GatedView(recipient);
      view.add(page);
      if (view.listed([enrolment]).length === 0) throw DomainError.notFound('Enrolment');
    }

    const decision = new SharingRules(page.facts, asRecipient ? 'RECIPIENT' : 'EXACT').decide(recipient, enrolment, args.category);
    if (decision.allowed) {
      return {
        category: args.category,
        recipientId: recipient.id,
        allowed: true,
        basis: decision.basis,
        agreementId: decision.agreement.agreementId,
        agreementVersionId: decision.agreement.id,
        agreementVersion: decision.agreement.version,
        onBehalfOfId: decision.onBehalfOf,
        reasons: [],
      };
    }
    // The learner and staff see the exact reasons; a recipient the masked ones (the rules' perspective).
    return { category: args.category, recipientId: recipient.id, allowed: false, basis: null, agreementId: null, agreementVersionId: null, agreementVersion: null, onBehalfOfId: null, reasons: decision.reasons };
  }

  private async recipient(id: string | undefined): Promise<Recipient> {
    if (!id) throw DomainError.badInput('recipientId', 'is required: whose view should be explained?');
    const org = await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id });
    if (!org || org.kind === 'PROVIDER') throw DomainError.badInput('recipientId', 'must be the id of an employer or broker');
    return { kind: org.kind, id: org.id };
  }
}
