import type { ExceptionFilter } from "@nestjs/common";
import { JetStreamExceptionFilter } from "./exception-filter.js";
import { JetStreamServer, type JetStreamServerOptions } from "./jetstream-server.js";

/**
 * A service's @EventPattern handlers on JetStream in the shape @voltstack/service-kit's
 * `eventConsumers` bootstrap option takes: the transport, and the filter that keeps a
 * handler's real error for the dead-letter store.
 */
export function jetStreamConsumers(options: JetStreamServerOptions): {
  transport: JetStreamServer;
  filters: ExceptionFilter[];
} {
  return { transport: new JetStreamServer(options), filters: [new JetStreamExceptionFilter()] };
}
