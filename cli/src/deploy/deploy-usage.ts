/** The deploy command's synopsis, shared by its errors and `voltstack --help` (kept apart: --help loads no deploy code). */
export const DEPLOY_USAGE =
  "deploy --network devnet|testnet|mainnet --deployer-key-file <file> [--api-url <url>] [--plan] [--record <file>] [--max-fee-ustx <n>]";
