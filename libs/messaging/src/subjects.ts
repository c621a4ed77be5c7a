import { MessagingError } from "./errors.js";

/**
 * Maps the logical subjects handlers and producers use ("service.fulfilled")
 * to the subjects on the wire, with an optional prefix so that several
 * environments (or test runs) can share one NATS account without their streams
 * overlapping. Stream and consumer names get the same prefix in a form NATS
 * accepts in a name.
 */
export class SubjectNaming {
  readonly prefix: string;
  constructor(prefix = "") {
    if (prefix !== "" && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(prefix)) {
      throw new MessagingError(
        "INVALID_SUBJECT_PREFIX",
        `Subject prefix "${prefix}" must be dot-separated tokens ending in a dot, such as "staging.".`,
      );
    }
    this.prefix = prefix;
  }

  /** The subject on the wire for a logical subject. */
  wire(subject: string): string {
    return `${this.prefix}${subject}`;
  }

  /** The logical subject of a subject on the wire. */
  logical(wireSubject: string): string {
    return wireSubject.startsWith(this.prefix) ? wireSubject.slice(this.prefix.length) : wireSubject;
  }

  /** A stream name with this prefix: "EVENTS" becomes "STAGING_EVENTS". */
  streamName(name: string): string {
    return toName(`${this.prefix}${name}`);
  }
}

/** The logical subject that carries the dead letters of a logical subject. */
export function deadLetterSubject(subject: string): string {
  return `dlq.${subject}`;
}

/**
 * The durable consumer name of one handler: stable across restarts and
 * replicas (so replicas share the consumer and KEDA can scale on its lag),
 * derived from the service and the logical subject it handles.
 */
export function durableName(service: string, subject: string): string {
  return toName(`${service}__${subject.replaceAll("*", "any").replaceAll(">", "all")}`);
}

function toName(text: string): string {
  // Stream and consumer names may not contain ".", "*", ">", whitespace or path separators.
  return text.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** Whether a concrete or wildcard subject falls under a stream subject filter. */
export function subjectMatches(filter: string, subject: string): boolean {
  const filterTokens = filter.split(".");
  const subjectTokens = subject.split(".");
  for (let i = 0; i < filterTokens.length; i += 1) {
    const token = filterTokens[i];
    if (token === ">") return subjectTokens.length > i;
    const candidate = subjectTokens[i];
    if (candidate === undefined) return false;
    if (token === "*") {
      if (candidate === ">") return false;
      continue;
    }
    if (token !== candidate) return false;
  }
  return filterTokens.length === subjectTokens.length;
}
