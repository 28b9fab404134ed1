/** From a warning's revisions and resolution to its CAP messages with their identifiers. */
import type { Resolution, Warning } from '@liandong/contracts';
import type { CapIssuer, CapMessage } from './cap.ts';
import type { CapLedger } from './ledger.repository.ts';
import { planMessages } from './plan.ts';

/** Every message of a warning, oldest first, each referencing all earlier ones. */
export async function capMessagesOf(
  ledger: CapLedger,
  issuer: CapIssuer,
  revisions: readonly Warning[],
  resolution: Resolution | null,
): Promise<CapMessage[]> {
  const plans = planMessages(revisions, resolution);
  const issued = await ledger.issue(issuer.code, plans);
  const out: CapMessage[] = [];
  for (const plan of plans) {
    const ref = issued.get(plan.part);
    if (!ref) throw new Error(`no identifier issued for ${plan.warningId} ${plan.part}`);
    out.push({
      plan: { ...plan, sent: ref.sent },
      identifier: ref.identifier,
      issuer,
      references: out.map((m) => ({ identifier: m.identifier, sent: m.plan.sent })),
    });
  }
  return out;
}
