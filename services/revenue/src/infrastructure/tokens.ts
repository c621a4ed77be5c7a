// Injection tokens (explicit: the build emits no decorator metadata). The shared infrastructure's come from
// @voltstack/chain-sync; the service's own follow.
export {
  DEAD_LETTER_STORE,
  NATS_CONNECTION,
  PG_POOL,
  PRISMA,
  SIGNER_KEYS,
  STACKS_CHAIN,
  TRANSACTION_JOURNAL,
} from "@voltstack/chain-sync";
export const DISTRIBUTION_HOOKS = Symbol("DISTRIBUTION_HOOKS");
