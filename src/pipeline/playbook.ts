/**
 * The stored playbook as the decision context takes it. Here rather than in the store: the store
 * knows its rows, not the engines' input (docs/ARCHITECTURE.md: store/ imports nothing from engines/).
 */
import type { PlaybookInput } from '../engines/context.ts';
import { type Playbook, playbookFields } from '../store/index.ts';

/** The seller's templates, facts, follow-up template and switches; the ladder only when the seller set one. */
export function contextPlaybook(p: Playbook): PlaybookInput {
  const fields = playbookFields(p);
  const out: PlaybookInput = { templates: fields.templates, info: fields.info };
  if (fields.sellerName !== null) out.sellerName = fields.sellerName;
  if (fields.followupTemplate !== null) out.followupTemplate = fields.followupTemplate;
  // A blank away message is no away message: the decision stays as it was without one.
  if (fields.awayMessage !== null && fields.awayMessage.trim() !== '') out.awayMessage = fields.awayMessage;
  if (p.updatedAtMs !== null) out.followupLadderMs = fields.followupLadderMs;
  if (fields.delivery !== null) out.delivery = fields.delivery;
  if (fields.payment !== null) out.payment = fields.payment;
  if (fields.pickup !== null) out.pickup = fields.pickup;
  if (fields.llm !== null) out.llm = fields.llm;
  if (fields.experiments.length > 0) out.experiments = fields.experiments;
  return out;
}
