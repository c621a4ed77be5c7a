import { Cl, type ClarityValue, ClarityType, cvToHex } from "@stacks/transactions";
import { chainConfirmationSeconds, chainTransactions } from "./chain-metrics.js";
import { ChainError, TransactionFailedError } from "./chain-error.js";
import { decodeHex } from "./clarity-decoding.js";
import { ConfirmationTracker, type ConfirmationOptions, type FinalTransaction } from "./confirmation-tracker.js";
import type { ContractCall, SubmittedTransaction } from "./contract-call.js";
import { ContractError, lookupErrorConstant } from "./contract-error.js";
import type { ContractKey } from "./contract-names.js";
import { type ContractDirectory, type ContractsConfig, contractKeyOf, resolveContracts } from "./contracts-config.js";
import { DEFAULT_FEE_POLICY, FeeEstimator, type FeePolicy } from "./fee-estimator.js";
import { type NetworkConfig, type ResolvedNetwork, resolveNetwork } from "./network-config.js";
import { decodePrintEvent, type PrintEvent } from "./print-events.js";
import { type CallSender, SenderPool, singleSender } from "./sender-pool.js";
import { type Signer, type SignerConfig, signerFromConfig } from "./signer.js";
import { DEFAULT_REQUEST_BUDGET, RequestBudget, type RequestBudgetOptions } from "./request-budget.js";
import { type ApiEvent, type FetchFn, StacksApi } from "./stacks-api.js";
import { inSpan } from "./tracing.js";
import { TransactionSender, type TransactionSenderOptions } from "./transaction-sender.js";

export interface ChainConfig extends NetworkConfig {
  contracts: ContractsConfig;
  fees?: Partial<FeePolicy>;
  confirmation?: ConfirmationOptions;
  sender?: TransactionSenderOptions;
  requestTimeoutMs?: number;
  /** The Stacks API key, sent as `x-api-key`. */
  apiKey?: string;
  /** This process's share of the API's rate limit. */
  requestBudget?: Partial<RequestBudgetOptions>;
  /** Replaces the global fetch (a proxy-aware one, or a stub in unit tests). */
  fetch?: FetchFn;
}

/** A successful call: its ok value, its block and our contracts' print events, decoded, in order. */
export interface CallOutcome {
  txid: string;
  sender: string;
  nonce: bigint;
  blockHeight: number;
  result: ClarityValue;
  events: PrintEvent[];
}

/** The entry point: one per process and network; it owns the HTTP client, fee estimator and confirmation tracker. */
export class StacksChain {
  readonly network: ResolvedNetwork;
  readonly contracts: ContractDirectory;
  readonly api: StacksApi;
  readonly fees: FeeEstimator;
  readonly tracker: ConfirmationTracker;
  #networkCheck: Promise<void> | undefined;
  #networkMismatch: ChainError | undefined;

  constructor(readonly config: ChainConfig) {
    this.network = resolveNetwork(config);
    this.contracts = resolveContracts(config.contracts);
    this.api = new StacksApi({
      url: this.network.url,
      fetch: config.fetch,
      requestTimeoutMs: config.requestTimeoutMs,
      apiKey: config.apiKey,
      budget: new RequestBudget({ ...DEFAULT_REQUEST_BUDGET, ...config.requestBudget }),
    });
    this.fees = new FeeEstimator(this.api, { ...DEFAULT_FEE_POLICY, ...config.fees });
    this.tracker = new ConfirmationTracker(this.api, config.confirmation);
  }

  /**
   * Refuses a node or API of another network than the configured one: signatures would
   * carry the wrong chain id, and addresses the wrong version. Asks the node once; a
   * mismatch is remembered (NETWORK_MISMATCH every time), an unreachable node asked again.
   */
  assertNetwork(): Promise<void> {
    this.#networkCheck ??= this.#checkNetwork().catch((error: unknown) => {
      if (!(error instanceof ChainError && error.code === "NETWORK_MISMATCH")) this.#networkCheck = undefined;
      throw error;
    });
    return this.#networkCheck;
  }

  /** The network check's outcome so far: undefined until the node answered it. */
  get networkMismatch(): ChainError | undefined {
    return this.#networkMismatch;
  }

  async #checkNetwork(): Promise<void> {
    const expected = this.network.stacksNetwork.chainId;
    const { networkId } = await this.api.getNodeInfo();
    if (networkId !== expected) {
      this.#networkMismatch = new ChainError(
        "NETWORK_MISMATCH",
        `The node at ${this.network.url} serves network id ${networkId}, but STACKS_NETWORK is ${this.network.name} (chain id ${expected}).`,
        { url: this.network.url, network: this.network.name, expectedChainId: expected, nodeNetworkId: networkId },
      );
      throw this.#networkMismatch;
    }
  }

  async signer(config: SignerConfig): Promise<Signer> {
    return signerFromConfig(config, this.network.stacksNetwork);
  }

  /**
   * A started sender for one signer (its nonce read from the node). Unless configured
   * otherwise, nonce gaps it holds nothing for are filled with `approve-facility u0`,
   * which always fails with ERR_FACILITY_NOT_FOUND (ids start at 1) and changes nothing.
   */
  async sender(signer: Signer, options: TransactionSenderOptions = {}): Promise<TransactionSender> {
    const gapFiller: ContractCall = {
      contract: this.contracts["facility-registry"],
      functionName: "approve-facility",
      functionArgs: [Cl.uint(0)],
      postConditions: [],
    };
    const sender = new TransactionSender(this.api, this.network.stacksNetwork, signer, this.fees, {
      gapFiller,
      ...this.config.sender,
      ...options,
    });
    await sender.start();
    return sender;
  }

  /** One signer as a CallSender, or several with the same role as a pool. */
  async callSender(signers: Signer | Signer[], options: TransactionSenderOptions = {}): Promise<CallSender> {
    const list = Array.isArray(signers) ? signers : [signers];
    const senders = await Promise.all(list.map((s) => this.sender(s, options)));
    return senders.length === 1 ? singleSender(senders[0] as TransactionSender) : new SenderPool(senders);
  }

  /** Signs, broadcasts and follows a call to a final state; throws ContractError or TransactionFailedError unless it succeeded. */
  async execute(sender: CallSender, call: ContractCall, options: ConfirmationOptions = {}): Promise<CallOutcome> {
    return inSpan(
      `chain.call ${call.contract.name}::${call.functionName}`,
      { "chain.contract": call.contract.id, "chain.function": call.functionName },
      async (span) => {
        const labels = { contract: call.contract.name, function: call.functionName };
        const startedAt = performance.now();
        const recordOutcome = (outcome: string) => {
          chainTransactions.inc({ ...labels, outcome });
          chainConfirmationSeconds.observe({ ...labels, outcome }, (performance.now() - startedAt) / 1000);
        };
        let submitted: SubmittedTransaction;
        try {
          await this.assertNetwork();
          submitted = await sender.submit(call);
        } catch (error) {
          chainTransactions.inc({ ...labels, outcome: "not_submitted" });
          throw error;
        }
        span.setAttributes({
          "chain.txid": submitted.txid,
          "chain.sender": submitted.sender,
          "chain.nonce": Number(submitted.nonce),
        });
        const owner = sender.senderFor(submitted.sender);
        const final = await this.tracker
          .waitFor(submitted.txid, options, owner ? (txid) => owner.recover(txid) : undefined, {
            sender: submitted.sender,
            nonce: submitted.nonce,
          })
          .catch((error: unknown) => {
            recordOutcome("timeout");
            throw error;
          });
        recordOutcome(final.status);
        owner?.markFinal(submitted.txid);
        if (final.txid !== submitted.txid) {
          owner?.markFinal(final.txid);
          span.setAttribute("chain.txid", final.txid);
        }
        span.setAttribute("chain.status", final.status);
        return { ...this.outcomeOf(call, final), sender: submitted.sender, nonce: submitted.nonce };
      },
    );
  }

  /** Maps a final transaction to its outcome or its typed error. */
  outcomeOf(call: ContractCall, final: FinalTransaction): Omit<CallOutcome, "sender" | "nonce"> {
    if (final.status === "success" && final.result?.type === ClarityType.ResponseOk) {
      return {
        txid: final.txid,
        blockHeight: final.blockHeight as number,
        result: final.result.value,
        events: this.printEvents(final.events),
      };
    }
    if (final.status === "abort_by_response" && final.result?.type === ClarityType.ResponseErr) {
      const value = final.result.value;
      const errorNumber = value.type === ClarityType.UInt ? BigInt(value.value) : -1n;
      const known = errorNumber >= 0n ? lookupErrorConstant(errorNumber, call.contract.key) : undefined;
      throw new ContractError(
        known?.name ?? "UNKNOWN_CONTRACT_ERROR",
        known?.contract,
        errorNumber,
        final.txid,
        call.contract.id,
        call.functionName,
      );
    }
    throw new TransactionFailedError(final.txid, final.status, final.resultRepr);
  }

  /** The print events of our contracts among a transaction's events, in event order. */
  printEvents(events: ApiEvent[]): PrintEvent[] {
    const decoded: PrintEvent[] = [];
    for (const event of [...events].sort((a, b) => a.event_index - b.event_index)) {
      const log = event.contract_log;
      if (event.event_type !== "smart_contract_log" || !log || log.topic !== "print") continue;
      const key = contractKeyOf(this.contracts, log.contract_id);
      if (key) decoded.push(decodePrintEvent(key, log.contract_id, decodeHex(log.value.hex)));
    }
    return decoded;
  }

  async readOnly(
    contract: ContractKey,
    functionName: string,
    args: ClarityValue[],
    senderAddress?: string,
  ): Promise<ClarityValue> {
    const ref = this.contracts[contract];
    return inSpan(
      `chain.read ${ref.name}::${functionName}`,
      { "chain.contract": ref.id, "chain.function": functionName },
      () =>
        this.api.callReadOnly(
          ref.address,
          ref.name,
          functionName,
          args.map((a) => cvToHex(a)),
          senderAddress ?? ref.address,
        ),
    );
  }
}
