// The simnet that holds the chain state, and how a devnet block runs in it.
// A devnet block is one simnet block: first one fee transfer per sender (the
// sum of that sender's fees in the block, paid to a sink address), then each
// transaction's payload in order. A transaction aborted by its post-conditions
// (or by a runtime error) is replayed as fee-only: its fee is paid, its payload
// does not run. The same function runs live blocks and replays the log, so a
// rebuilt simnet reaches the same state.
import { initSimnet, tx, type Simnet, type Tx } from "@stacks/clarinet-sdk";
import type { ClarityValue } from "@stacks/transactions";
import { emptyProjectEpoch } from "./contract-deploy.js";
import type { DecodedTransaction } from "./transaction-decoder.js";

export type { Simnet };

export interface SimnetEvent {
  event: string;
  data: { raw_value?: string; value?: unknown; [key: string]: unknown };
}

export interface SimnetCallResult {
  result: ClarityValue;
  events: SimnetEvent[];
}

/** Where fees go: the testnet boot address, which no key controls. */
export const FEE_SINK = "ST000000000000000000002AMW42H";

export interface BlockEntry {
  decoded: DecodedTransaction;
  feeOnly: boolean;
}

/**
 * Runs the simnet with console output silenced: the SDK prints every print
 * event and runtime error to stdout, which would flood a server's log.
 */
export function quietly<T>(run: () => T): T {
  const { log, error, warn, info } = console;
  const silent = () => undefined;
  console.log = silent;
  console.error = silent;
  console.warn = silent;
  console.info = silent;
  try {
    return run();
  } finally {
    console.log = log;
    console.error = error;
    console.warn = warn;
    console.info = info;
  }
}

/**
 * A fresh simnet with the manifest's contracts deployed (never the SDK's shared
 * instance). An empty project's simnet is moved to the epoch its contracts will
 * need, the same way every time, so a rebuild replays onto the same heights.
 */
export async function createSimnet(manifestPath: string): Promise<Simnet> {
  const simnet = await initSimnet(manifestPath, true);
  const epoch = emptyProjectEpoch(manifestPath);
  if (epoch !== undefined) quietly(() => simnet.setEpoch(epoch as Parameters<Simnet["setEpoch"]>[0]));
  return simnet;
}

/** Mines empty blocks until the simnet reaches the height. */
export function advanceTo(simnet: Simnet, height: number): void {
  if (simnet.blockHeight < height) quietly(() => simnet.mineEmptyBlocks(height - simnet.blockHeight));
}

function payloadTx(decoded: DecodedTransaction): Tx {
  const { payload, sender } = decoded;
  switch (payload.kind) {
    case "contract_call":
      return tx.callPublicFn(payload.contractId, payload.functionName, payload.args as never, sender);
    case "token_transfer":
      return tx.transferSTX(Number(payload.amountUstx), payload.recipient, sender);
    case "smart_contract":
      return tx.deployContract(
        payload.contractName,
        payload.source,
        payload.clarityVersion === null ? null : { clarityVersion: payload.clarityVersion as never },
        sender,
      );
  }
}

/**
 * Mines one simnet block for these entries and returns, per entry, the payload's
 * result, or undefined for fee-only entries. Throws when the simnet throws (a
 * runtime error); the simnet's state is then undefined and must be rebuilt.
 */
export function executeBlock(simnet: Simnet, entries: readonly BlockEntry[]): (SimnetCallResult | undefined)[] {
  const fees = new Map<string, bigint>();
  for (const { decoded } of entries) fees.set(decoded.sender, (fees.get(decoded.sender) ?? 0n) + decoded.feeUstx);
  const txs: Tx[] = [];
  for (const [sender, feeUstx] of fees) {
    if (feeUstx > 0n) txs.push(tx.transferSTX(Number(feeUstx), FEE_SINK, sender));
  }
  const firstPayload = txs.length;
  const payloadIndex: (number | undefined)[] = entries.map((entry) => {
    if (entry.feeOnly) return undefined;
    txs.push(payloadTx(entry.decoded));
    return txs.length - 1;
  });
  if (txs.length === 0) {
    quietly(() => simnet.mineEmptyBlock());
    return entries.map(() => undefined);
  }
  const results = quietly(() => simnet.mineBlock(txs));
  for (let index = 0; index < firstPayload; index += 1) {
    const feeResult = results[index];
    if (!feeResult || feeResult.result.type !== "ok") {
      throw new Error("FEE_TRANSFER_FAILED: a sender could not pay the fees of its transactions in this block");
    }
  }
  return payloadIndex.map((index) => {
    if (index === undefined) return undefined;
    const outcome = results[index]!;
    return { result: outcome.result as unknown as ClarityValue, events: outcome.events as SimnetEvent[] };
  });
}
