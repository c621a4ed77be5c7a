import { checkDeployedSources, ChainError, deploymentStartHeight, readDeploymentRecord } from "@voltstack/chain";

type Env = Record<string, string | undefined>;

const isSet = (value: string | undefined): value is string => value !== undefined && value !== "";

/**
 * The environment a chain service validates, completed from the deployment record
 * that DEPLOYMENT_RECORD names (`deployments/<network>.json`, written by
 * `voltstack deploy`): CONTRACT_DEPLOYER from its deployer, CHAIN_SYNC_FROM_HEIGHT
 * from the block of its first contract and STACKS_NETWORK from its network. A
 * variable that is set wins over the record. Throws a ChainError when the record
 * cannot be read, is for another network than STACKS_NETWORK, or holds sources
 * other than the contracts this build ships (DEPLOYED_SOURCE_MISMATCH): the service
 * would otherwise decode and sign for contracts it was not written for.
 * Without DEPLOYMENT_RECORD the environment is returned as it is.
 */
export function applyDeploymentRecord(env: Env = process.env, options: { contractsDir?: string } = {}): Env {
  const path = env.DEPLOYMENT_RECORD;
  if (!isSet(path)) return env;
  const record = readDeploymentRecord(path);
  if (isSet(env.STACKS_NETWORK) && env.STACKS_NETWORK !== record.network) {
    throw new ChainError(
      "DEPLOYMENT_NETWORK_MISMATCH",
      `STACKS_NETWORK is ${env.STACKS_NETWORK} but the deployment record ${path} is for ${record.network}.`,
      { path, configured: env.STACKS_NETWORK, recorded: record.network },
    );
  }
  checkDeployedSources(record, options);
  return {
    ...env,
    STACKS_NETWORK: record.network,
    CONTRACT_DEPLOYER: isSet(env.CONTRACT_DEPLOYER) ? env.CONTRACT_DEPLOYER : record.deployer,
    CHAIN_SYNC_FROM_HEIGHT: isSet(env.CHAIN_SYNC_FROM_HEIGHT)
      ? env.CHAIN_SYNC_FROM_HEIGHT
      : String(deploymentStartHeight(record)),
  };
}
