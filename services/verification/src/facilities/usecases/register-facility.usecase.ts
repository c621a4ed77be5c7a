import { Inject, Injectable } from "@nestjs/common";
import type { FacilityWrite } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { VerificationChainWriter } from "../../chain/verification-chain-writer.js";

export interface RegisterFacilityCommand {
  caller: Caller;
  owner: string;
  name: string;
  location: string;
  capacityKwh: number;
  maxPowerKw: number;
}

/** An owner registers a facility; the contract makes the signer its owner and the facility pending. */
@Injectable()
export class RegisterFacilityUseCase {
  constructor(@Inject(VerificationChainWriter) private readonly writer: VerificationChainWriter) {}

  execute(command: RegisterFacilityCommand): Promise<FacilityWrite> {
    return withSpan("verification register-facility", { "voltstack.owner": command.owner }, async () => {
      const result = await this.writer.write(command.caller, command.owner, (registry) =>
        registry.registerFacility({
          name: command.name,
          location: command.location,
          capacityKwh: BigInt(command.capacityKwh),
          maxPowerKw: BigInt(command.maxPowerKw),
        }),
      );
      return { facilityId: Number(result.value), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
