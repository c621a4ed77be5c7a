/** Injection tokens of the service's infrastructure (explicit: the build emits no decorator metadata). */
export const PRISMA = Symbol("PRISMA");
export const PG_POOL = Symbol("PG_POOL");
export const NATS_CONNECTION = Symbol("NATS_CONNECTION");
export const STACKS_CHAIN = Symbol("STACKS_CHAIN");
export const SIGNER_KEYS = Symbol("SIGNER_KEYS");
export const TRANSACTION_JOURNAL = Symbol("TRANSACTION_JOURNAL");
