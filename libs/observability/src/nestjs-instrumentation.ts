import { InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import { NestInstrumentation } from "@opentelemetry/instrumentation-nestjs-core";

// instrumentation-nestjs-core 0.70, the last release on the OpenTelemetry line
// that runs on Node 20, stops at Nest 11. Nest 12 keeps the two methods it
// wraps (NestFactoryStatic.create in nest-factory.js, RouterExecutionContext.create
// in router/router-execution-context.js); otlp-export.test.ts proves the spans.
const NEST_VERSIONS = [">=4.0.0 <13"];

/** NestJS instrumentation (app creation, request handlers) that accepts Nest 12. */
export class NestJsInstrumentation extends NestInstrumentation {
  override init(): InstrumentationNodeModuleDefinition {
    const definition = new InstrumentationNodeModuleDefinition(NestInstrumentation.COMPONENT, NEST_VERSIONS);
    definition.files.push(
      this.getNestFactoryFileInstrumentation(NEST_VERSIONS),
      this.getRouterExecutionContextFileInstrumentation(NEST_VERSIONS),
    );
    return definition;
  }
}
