import type { DomainEvent } from "@voltstack/events";

const USTX_PER_STX = 1_000_000n;

/** 23750001n -> "23.750001 STX". */
export function formatStx(amountUstx: bigint): string {
  const whole = amountUstx / USTX_PER_STX;
  const fraction = (amountUstx % USTX_PER_STX).toString().padStart(6, "0").replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""} STX`;
}

/** ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM -> "ST1PQ…PGZGM". */
function shortPrincipal(principal: string): string {
  return principal.length > 12 ? `${principal.slice(0, 5)}…${principal.slice(-5)}` : principal;
}

function whatHappened(event: DomainEvent): string {
  switch (event.type) {
    case "revenue.distributed": {
      const { payload } = event;
      const payments = payload.payments
        .map((payment) => `${shortPrincipal(payment.stakeholder)} ${formatStx(payment.amountUstx)}`)
        .join(", ");
      return (
        `facility ${payload.facilityId}: distribution ${payload.distributionId} paid ${formatStx(payload.amountUstx)} ` +
        `to ${payload.paymentCount} stakeholder${payload.paymentCount === 1 ? "" : "s"} (${payments})`
      );
    }
    case "service.fulfilled": {
      const { payload } = event;
      const performance = (payload.performanceBps / 100).toFixed(2);
      return (
        `request ${payload.requestId} at facility ${payload.facilityId} fulfilled at ${performance} %: ` +
        `${formatStx(payload.payoutUstx)} to the facility's revenue pool, ` +
        `${formatStx(payload.refundUstx)} back to ${shortPrincipal(payload.requester)}`
      );
    }
    default: {
      const about = [
        event.facilityId === null ? "" : `facility ${event.facilityId}`,
        event.requestId === null ? "" : `request ${event.requestId}`,
      ].filter((part) => part !== "");
      return about.length > 0 ? about.join(", ") : "no facility or request";
    }
  }
}

/** One readable line: when, what, and where on chain it was confirmed. */
export function describeEvent(event: DomainEvent): string {
  const chain = event.chain ? `block ${event.chain.blockHeight}, tx ${event.chain.txId.slice(0, 10)}…` : "off chain";
  return `${event.occurredAt}  ${event.type}  ${whatHappened(event)}  [${chain}; event ${event.eventId}]`;
}
