import { demoRequirements } from "../demo/demo-requirements.js";
import { runDemo } from "../demo/run-demo.js";
import { runProgramDemo } from "../demo/run-program-demo.js";
import { type Output, table } from "../output.js";
import { join } from "node:path";
import { CliUsageError, connectClient, localCredentials, stateDir } from "../stack-file.js";

/**
 * `voltstack demo` (`npm run demo`): the whole flow against the system `npm start` runs, on
 * its devnet or on the chain STACKS_API_URL named, once its callers and funds are checked.
 */
export async function demo(output: Output): Promise<void> {
  const { stack } = await connectClient(undefined);
  if (!stack) throw new CliUsageError("STACK_NOT_RUNNING", "The demo runs against the system `npm start` runs.");
  const credentials = await localCredentials();
  const caller = (name: string) => {
    const credential = credentials.find((candidate) => candidate.name === name)!;
    return { apiKey: credential.apiKey, principal: credential.principal };
  };
  const missing = await demoRequirements(stack.devnetUrl, credentials, stack.stakeholders);
  if (missing.length > 0) {
    throw new CliUsageError(
      "DEMO_ACCOUNTS_MISSING",
      `${missing.join("\n")}\nSee README.md, "Running against another chain" (the local devnet has all of them).`,
    );
  }
  const [first, second, third] = stack.stakeholders as [string, string, string];

  output.note("voltstack demo: two facilities, one frequency-regulation request, its revenue shared\n");
  const report = await runDemo({
    urls: stack.urls,
    devnetUrl: stack.devnetUrl,
    callers: { admin: caller("admin"), ownerA: caller("owner-1"), ownerB: caller("owner-2") },
    stakeholders: [first, second, third],
    log: (line) => output.note(line),
    progress: (label, work) => output.progress(`  … ${label}`, work),
  });

  output.note("\nand a small program: both facilities enrolled, two periods settled, the earnings paid\n");
  const program = await runProgramDemo({
    urls: stack.urls,
    devnetUrl: stack.devnetUrl,
    callers: { admin: caller("admin"), ownerA: caller("owner-1"), ownerB: caller("owner-2") },
    facilityIds: report.facilityIds,
    stakeholdersA: [first, second, third],
    traceId: report.traceId,
    log: (line) => output.note(line),
    progress: (label, work) => output.progress(`  … ${label}`, work),
  });

  const money = (ustx: string) => output.money(ustx);
  const nameOf = (principal: string) =>
    report.parties.find((party) => party.principal === principal)?.name ?? "stakeholder";
  output.result({ ...report, program }, () =>
    [
      "",
      `request ${report.requestId}: ${money(report.paymentUstx)} locked in escrow (${report.escrow.contract}) when it was created;`,
      `  on fulfilment ${money(report.payoutUstx)} paid into facility ${report.facilityIds[0]}'s pool and ` +
        `${money(report.refundUstx)} refunded to the requester ${report.requester};`,
      `  the pool distributed in ${report.distribution.distributionTxid}`,
      "",
      table(
        ["stakeholder", "address", "share", "before", "after", "received", "expected"],
        report.balances.map((balance) => [
          `${balance.name} (${balance.role})`,
          balance.stakeholder,
          `${balance.shareBps / 100} %`,
          money(balance.beforeUstx),
          money(balance.afterUstx),
          money(balance.receivedUstx),
          money(balance.expectedUstx),
        ]),
      ),
      "",
      report.conserved
        ? "conserved: the stakeholders received exactly the payout, each to the micro-STX"
        : "NOT CONSERVED: the payments differ from the contract's split",
      "",
      `program ${program.programId}: budget ${money(program.budgetUstx)}, settled ${money(program.settledUstx)}, ` +
        `refunded ${money(program.refundUstx)}`,
      table(
        ["stakeholder", "address", "received from the program"],
        Object.entries(program.receivedUstx).map(([principal, amount]) => [
          nameOf(principal),
          principal,
          money(amount),
        ]),
      ),
      program.conserved
        ? "conserved: the stakeholders received exactly what was settled, and settled + refunded = the budget"
        : "NOT CONSERVED: the program's payments and refund differ from its budget",
      program.lineVerified
        ? "a settlement line checked by its owner against the report hash on chain: verified"
        : "a settlement line did NOT verify against the report hash on chain",
      `trace id: ${report.traceId}: every request of this run carried it; every service's log lines of ` +
        `their work carry it (\`grep ${report.traceId} ${join(stateDir(), "logs")}/*.log\`), and so do its ` +
        "spans in your tracing backend when OTEL_EXPORTER_OTLP_ENDPOINT is set",
    ].join("\n"),
  );
  if (!report.conserved || !program.conserved || !program.lineVerified) process.exitCode = 1;
}
