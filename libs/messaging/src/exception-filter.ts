import { Catch, type RpcExceptionFilter } from "@nestjs/common";
import { type Observable, throwError } from "rxjs";

/**
 * Hands a handler's error to the JetStream transport unchanged. Without it
 * Nest's default filter logs any error that is not an RpcException and passes
 * on only "Internal server error", so dead letters would lose the real cause.
 * Register it with `app.useGlobalFilters(new JetStreamExceptionFilter())`.
 */
@Catch()
export class JetStreamExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
