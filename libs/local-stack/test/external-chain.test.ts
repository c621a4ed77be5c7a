import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { externalChainFromEnv, StackConfigError } from "../src/index.js";

// Addresses of throwaway keys: none is a devnet account.
const ADMIN = "ST22EHHP2WX228ZJCBTANXT281Y36VPQFT71N5JKA";
const OWNER = "ST3Q37NXSS7GFMPJPHD4Z8T2375YNWDAFA901E3BD";
const DEPLOYER = "ST18BQ7S73PYW336M9C8HM0CJF3P35MC87SG36GP8";
const DEVNET_DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";

const keys = (...principals: string[]) =>
  JSON.stringify(principals.map((principal, index) => ({ principal, privateKeyFile: `/keys/${index}` })));

const testnet = {
  STACKS_API_URL: "https://api.testnet.hiro.so",
  STACKS_NETWORK: "testnet",
  CONTRACT_DEPLOYER: DEPLOYER,
};

/** Each service its own admin key, as signing leases want on a real network. */
const ownKeys = {
  VERIFICATION_SIGNER_KEYS: keys("ST330YHF36EHXSTBKHAHQD5MJEMX291P9XESHJM32"),
  CAPACITY_SIGNER_KEYS: keys(OWNER),
  FLOW_SIGNER_KEYS: keys("ST2NT48P314B6QRM4VHK176CRA59JBV407RV1SDAH"),
  GRID_SIGNER_KEYS: keys(ADMIN),
  REVENUE_SIGNER_KEYS: keys("ST1CJW4EAV9V3PP2HNS5ZSPJ7PAFFBVM2YZQYCQCF"),
};

function refusal(env: Record<string, string>): string {
  try {
    externalChainFromEnv(env);
  } catch (error) {
    if (error instanceof StackConfigError) return error.code;
    throw error;
  }
  return "accepted";
}

describe("npm start against a chain named by STACKS_API_URL", () => {
  it("starts its own devnet when STACKS_API_URL is not set", () => {
    expect(externalChainFromEnv({ SIGNER_KEYS: keys(ADMIN) })).toBeUndefined();
  });

  it("refuses a chain whose network it cannot tell", () => {
    expect(refusal({ STACKS_API_URL: "https://api.testnet.hiro.so", SIGNER_KEYS: keys(ADMIN) })).toBe(
      "STACKS_NETWORK_REQUIRED",
    );
  });

  it("refuses to start a service without signer keys rather than invent any", () => {
    expect(refusal({ ...testnet })).toBe("SIGNER_KEYS_REQUIRED");
    expect(refusal({ ...testnet, ...ownKeys, GRID_SIGNER_KEYS: "" })).toBe("SIGNER_KEYS_REQUIRED");
  });

  it("refuses one key in two services while signing leases are on, and allows it when they are off", () => {
    expect(refusal({ ...testnet, SIGNER_KEYS: keys(ADMIN) })).toBe("SIGNER_KEY_SHARED");
    expect(refusal({ ...testnet, SIGNER_KEYS: keys(ADMIN), SIGNING_LEASE: "off" })).toBe("accepted");
    // A devnet runs without leases: one key may sign in every service.
    expect(refusal({ ...testnet, STACKS_NETWORK: "devnet", SIGNER_KEYS: keys(ADMIN) })).toBe("accepted");
  });

  it("hands a service its own signer pools, and refuses one for a principal it holds no key for or a key in two services", () => {
    const poolKeys = ["ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC", "ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND"];
    const pools = (principal: string, members: string[]) =>
      JSON.stringify([
        {
          principal,
          keys: members.map((member, index) => ({ principal: member, privateKeyFile: `/pool/${index}` })),
          principalSigns: false,
        },
      ]);
    const chain = externalChainFromEnv({ ...testnet, ...ownKeys, GRID_SIGNER_POOLS: pools(ADMIN, poolKeys) });
    expect(chain?.signerPools).toEqual({
      grid: [
        {
          principal: ADMIN,
          keys: poolKeys.map((member, index) => ({ principal: member, privateKeyFile: `/pool/${index}` })),
          principalSigns: false,
        },
      ],
    });
    expect(externalChainFromEnv({ ...testnet, ...ownKeys })?.signerPools).toBeUndefined();
    expect(refusal({ ...testnet, ...ownKeys, GRID_SIGNER_POOLS: pools(OWNER, poolKeys) })).toBe("STACK_CONFIG_INVALID");
    expect(refusal({ ...testnet, ...ownKeys, GRID_SIGNER_POOLS: "[{}]" })).toBe("STACK_CONFIG_INVALID");
    // A pool key that another service signs with would be leased by one process only.
    expect(refusal({ ...testnet, ...ownKeys, GRID_SIGNER_POOLS: pools(ADMIN, [OWNER]) })).toBe("SIGNER_KEY_SHARED");
  });

  it("refuses contracts followed under the devnet's public deployer on a real network", () => {
    expect(refusal({ ...testnet, ...ownKeys, CONTRACT_DEPLOYER: DEVNET_DEPLOYER })).toBe("DEVNET_DEPLOYER_REFUSED");
    expect(refusal({ ...testnet, ...ownKeys, CONTRACT_DEPLOYER: "" })).toBe("CONTRACT_DEPLOYER_REQUIRED");
  });

  it("takes the network and deployer from the deployment record, and refuses one for another network", async () => {
    const dir = await mkdtemp(join(tmpdir(), "voltstack-record-"));
    try {
      const record = join(dir, "testnet.json");
      await writeFile(record, JSON.stringify({ network: "testnet", deployer: DEPLOYER, contracts: [] }));
      const chain = externalChainFromEnv({
        STACKS_API_URL: "https://api.testnet.hiro.so",
        DEPLOYMENT_RECORD: record,
        ...ownKeys,
      });
      expect(chain).toMatchObject({ network: "testnet", deploymentRecord: record });
      expect(chain).not.toHaveProperty("contractDeployer");
      expect(
        refusal({ STACKS_API_URL: "https://x.example", STACKS_NETWORK: "mainnet", DEPLOYMENT_RECORD: record }),
      ).toBe("DEPLOYMENT_NETWORK_MISMATCH");
      expect(refusal({ STACKS_API_URL: "https://x.example", DEPLOYMENT_RECORD: join(dir, "absent.json") })).toBe(
        "DEPLOYMENT_RECORD_UNREADABLE",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives each service a fifth of a hosted API's limit unless the budget is set", () => {
    expect(externalChainFromEnv({ ...testnet, ...ownKeys })?.requestsPerMinute).toBe(10);
    expect(externalChainFromEnv({ ...testnet, ...ownKeys, STACKS_API_KEY: "k" })?.requestsPerMinute).toBe(50);
    expect(
      externalChainFromEnv({ ...testnet, ...ownKeys, STACKS_API_REQUESTS_PER_MINUTE: "0" })?.requestsPerMinute,
    ).toBe(0);
  });

  it("reads the operator's callers and stakeholders, and refuses malformed ones", () => {
    const chain = externalChainFromEnv({
      ...testnet,
      ...ownKeys,
      VOLTSTACK_CALLERS: JSON.stringify([{ name: "admin", role: "admin", principal: ADMIN }]),
      VOLTSTACK_STAKEHOLDERS: `${OWNER}, ${DEPLOYER}`,
    });
    expect(chain?.callers).toEqual([{ name: "admin", role: "admin", principal: ADMIN }]);
    expect(chain?.stakeholders).toEqual([OWNER, DEPLOYER]);
    expect(refusal({ ...testnet, ...ownKeys, VOLTSTACK_CALLERS: '[{"name":"admin","role":"root"}]' })).toBe(
      "STACK_CONFIG_INVALID",
    );
    expect(refusal({ ...testnet, SIGNER_KEYS: '[{"principal":"ST1","privateKey":"abc"}]' })).toBe(
      "STACK_CONFIG_INVALID",
    );
  });
});
