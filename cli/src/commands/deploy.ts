// `voltstack deploy --network <n> --deployer-key-file <file> [--api-url <url>] [--plan]`
import { fileURLToPath } from "node:url";
import type { NetworkName } from "@voltstack/chain";
import { deployContracts, type DeployReport } from "../deploy/deploy-contracts.js";
import { DEPLOY_USAGE } from "../deploy/deploy-usage.js";
import { formatStx, type Output, table } from "../output.js";
import { CliUsageError } from "../stack-file.js";

/** The repository this CLI belongs to: the contracts it deploys are the ones the services are built with. */
const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const STATE_TEXT = { deployed: "already deployed", "to-deploy": "to deploy", "deployed-now": "deployed" } as const;

function render(report: DeployReport): string {
  const lines = [
    `${report.plan ? "Plan for" : "Deployment on"} ${report.network} via ${report.apiUrl}, deployer ${report.deployer}`,
    "",
    table(
      ["#", "contract", "state", "clarity", "source sha256", "nonce", "fee", "txid", "block"],
      report.contracts.map((contract, index) => [
        index + 1,
        contract.contractId,
        STATE_TEXT[contract.state],
        contract.clarityVersion,
        `${contract.sourceSha256.slice(0, 16)}…`,
        contract.nonce,
        contract.feeUstx === undefined ? undefined : formatStx(contract.feeUstx),
        contract.txid === undefined ? undefined : (contract.txid ?? "(unknown)"),
        contract.blockHeight,
      ]),
    ),
    "",
    "Deployment cost against the block limit (simnet):",
    table(
      ["contract", "runtime %", "read count %", "write count %", "write length %", "highest"],
      report.costs.map((cost) => {
        const share = (dimension: keyof typeof cost.costs) =>
          ((cost.costs[dimension] / cost.limit[dimension]) * 100).toFixed(3);
        return [
          cost.name,
          share("runtime"),
          share("readCount"),
          share("writeCount"),
          share("writeLength"),
          `${cost.percentOfBlock.toFixed(3)} % ${cost.worst}`,
        ];
      }),
    ),
    "",
  ];
  const toDeploy = report.contracts.filter((contract) => contract.state === "to-deploy").length;
  if (report.plan) {
    lines.push(
      toDeploy === 0
        ? "Nothing to deploy: every contract is on chain with this source."
        : `Would deploy ${toDeploy} contract(s) and write ${report.recordPath}. Nothing was sent.`,
    );
  } else if (report.contracts.every((contract) => contract.state === "deployed")) {
    lines.push(
      `Nothing to deploy: every contract is on chain with this source.${report.recordWritten ? ` Wrote ${report.recordPath}.` : ""}`,
    );
  } else {
    lines.push(`Recorded in ${report.recordPath}.`);
  }
  return lines.join("\n");
}

function required(flags: Record<string, string | boolean | undefined>, name: string): string {
  const value = flags[name];
  if (typeof value !== "string" || value === "") {
    throw new CliUsageError("MISSING_ARGUMENT", `--${name} is required.\nusage: voltstack ${DEPLOY_USAGE}`);
  }
  return value;
}

export async function deploy(flags: Record<string, string | boolean | undefined>, output: Output): Promise<void> {
  const network = required(flags, "network");
  if (network !== "devnet" && network !== "testnet" && network !== "mainnet") {
    throw new CliUsageError("INVALID_ARGUMENT", `--network must be devnet, testnet or mainnet, not "${network}".`);
  }
  const maxFee = flags["max-fee-ustx"];
  if (maxFee !== undefined && (typeof maxFee !== "string" || !/^\d+$/.test(maxFee))) {
    throw new CliUsageError("INVALID_ARGUMENT", "--max-fee-ustx must be a whole number of micro-STX.");
  }
  const report = await deployContracts({
    network: network as NetworkName,
    keyFile: required(flags, "deployer-key-file"),
    root: REPOSITORY_ROOT,
    plan: flags.plan === true,
    ...(typeof flags["api-url"] === "string" ? { apiUrl: flags["api-url"] } : {}),
    ...(typeof flags.record === "string" ? { recordPath: flags.record } : {}),
    ...(typeof maxFee === "string" ? { maxFeeUstx: BigInt(maxFee) } : {}),
    ...(process.env.STACKS_API_KEY ? { apiKey: process.env.STACKS_API_KEY } : {}),
    progress: (label, work) => output.progress(label, work),
    note: (line) => output.note(line),
  });
  output.result(report, () => render(report));
}
