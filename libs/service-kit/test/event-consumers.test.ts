import {
  Catch,
  Controller,
  Inject,
  Injectable,
  type INestApplication,
  Module,
  type OnApplicationBootstrap,
  type RpcExceptionFilter,
} from "@nestjs/common";
import { EventPattern, Server } from "@nestjs/microservices";
import { lastValueFrom, type Observable, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import { ShutdownHooks, startTestService } from "@voltstack/service-kit";

/** A transport that records what the kit does with it. */
class RecordingTransport extends Server {
  constructor(
    private readonly log: string[],
    private readonly failure?: Error,
  ) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.log.push("transport listening");
    callback(this.failure);
  }

  close(): void {
    this.log.push("transport closed");
  }

  on(): void {}

  unwrap<T>(): T {
    return undefined as T;
  }

  handle(pattern: string, data: unknown): Promise<unknown> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    return handler(data).then((result) => lastValueFrom(this.transformToObservable(result)));
  }
}

class HandlerFailure extends Error {}

@Catch()
class PassThroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

const LOG = Symbol("LOG");

@Controller()
class SampleEvents {
  @EventPattern<string>("sample.happened")
  onHappened(): void {
    throw new HandlerFailure("the handler's own error");
  }
}

@Injectable()
class Relay implements OnApplicationBootstrap {
  constructor(
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
    @Inject(LOG) private readonly log: string[],
  ) {
    hooks.register("relay", async () => void log.push("relay drained"), "drain");
  }

  onApplicationBootstrap(): void {
    this.log.push("relay started");
  }
}

function sampleModule(log: string[]) {
  @Module({ controllers: [SampleEvents], providers: [{ provide: LOG, useValue: log }, Relay] })
  class EventsModule {}
  return EventsModule;
}

describe("bootstrapService's event consumers", () => {
  it("starts the transport once, with its own filters, and stops it before the drain phase", async () => {
    const log: string[] = [];
    const transport = new RecordingTransport(log);
    const service = await startTestService(sampleModule(log), {
      eventConsumers: () => ({ transport, filters: [new PassThroughFilter()] }),
    });
    expect(log).toEqual(["relay started", "transport listening"]);
    await expect(transport.handle("sample.happened", {})).rejects.toBeInstanceOf(HandlerFailure);
    await service.close();
    // Nest closes the transport once more when it disposes of the application.
    expect(log).toEqual([
      "relay started",
      "transport listening",
      "transport closed",
      "relay drained",
      "transport closed",
    ]);
  });

  it("closes the application when the transport cannot start", async () => {
    const log: string[] = [];
    let started: INestApplication | undefined;
    await expect(
      startTestService(sampleModule(log), {
        eventConsumers: (app) => {
          started = app;
          return { transport: new RecordingTransport(log, new Error("no NATS")) };
        },
      }),
    ).rejects.toThrow("no NATS");
    expect(started?.getHttpServer().listening).toBe(false);
    expect(log).toContain("relay drained");
  });
});
