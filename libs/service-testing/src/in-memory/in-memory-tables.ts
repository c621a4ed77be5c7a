/** A row as a projection writes it: column name to value. */
export type Row = Record<string, unknown>;

type Where = Record<string, unknown>;
type OrderBy = Record<string, "asc" | "desc">;

const OPERATORS = new Set(["equals", "not", "in", "gt", "gte", "lt", "lte"]);

/**
 * The tables a projection writes through its Prisma transaction client, kept in memory,
 * for specs of the projection's arithmetic without a database. Each table answers the
 * delegate calls projections make (create, createMany, upsert, update, updateMany,
 * deleteMany, count, findUnique, findMany, aggregate with _sum) for the filters they use:
 * equality, compound unique keys, gt/gte/lt/lte/in/not, OR and AND; updates take values,
 * `increment` and `decrement`. `defaults`, per table, are what a create that leaves a
 * column out writes in it: the schema's @default, null for an optional column.
 */
export class InMemoryTables {
  readonly #tables = new Map<string, Row[]>();

  constructor(private readonly defaults: Record<string, Row> = {}) {}

  /** The client to hand to the projection, typed as the service's transaction client. */
  client<Tx>(): Tx {
    return new Proxy(
      {},
      { get: (_target, table) => (typeof table === "string" ? this.#delegate(table) : undefined) },
    ) as Tx;
  }

  /** A copy of a table's rows, in the order they were created. */
  rows(table: string): Row[] {
    return this.#table(table).map((row) => ({ ...row }));
  }

  /** The one row of `table` matching `where`; fails unless there is exactly one. */
  row(table: string, where: Where = {}): Row {
    const found = this.#table(table).filter((row) => matches(row, where));
    if (found.length !== 1) throw new Error(`${found.length} rows of ${table} match ${shown(where)}`);
    return { ...found[0]! };
  }

  #table(name: string): Row[] {
    let rows = this.#tables.get(name);
    if (!rows) this.#tables.set(name, (rows = []));
    return rows;
  }

  #delegate(name: string) {
    const rows = this.#table(name);
    const create = (data: Row): Row => {
      const row = { ...this.defaults[name], ...defined(data) };
      rows.push(row);
      return { ...row };
    };
    const findFirst = (where: Where) => rows.find((row) => matches(row, where));
    return {
      create: async ({ data }: { data: Row }) => create(data),
      createMany: async ({ data }: { data: Row[] }) => ({ count: data.map(create).length }),
      upsert: async ({ where, create: created, update }: { where: Where; create: Row; update: Row }) => {
        const existing = findFirst(where);
        return existing ? { ...applyUpdate(existing, update) } : create(created);
      },
      update: async ({ where, data }: { where: Where; data: Row }) => {
        const existing = findFirst(where);
        if (!existing) throw new Error(`no row of ${name} matches ${shown(where)}`);
        return { ...applyUpdate(existing, data) };
      },
      updateMany: async ({ where = {}, data }: { where?: Where; data: Row }) => {
        const found = rows.filter((row) => matches(row, where));
        for (const row of found) applyUpdate(row, data);
        return { count: found.length };
      },
      deleteMany: async ({ where = {} }: { where?: Where } = {}) => {
        const kept = rows.filter((row) => !matches(row, where));
        const count = rows.length - kept.length;
        rows.splice(0, rows.length, ...kept);
        return { count };
      },
      count: async ({ where = {} }: { where?: Where } = {}) => rows.filter((row) => matches(row, where)).length,
      findUnique: async ({ where, select }: { where: Where; select?: Record<string, boolean> }) => {
        const found = findFirst(where);
        return found ? selected(found, select) : null;
      },
      findMany: async ({ where = {}, orderBy }: { where?: Where; orderBy?: OrderBy } = {}) =>
        sorted(
          rows.filter((row) => matches(row, where)),
          orderBy,
        ).map((row) => ({ ...row })),
      aggregate: async ({ where = {}, _sum = {} }: { where?: Where; _sum?: Record<string, boolean> }) => {
        const found = rows.filter((row) => matches(row, where));
        const sums = Object.fromEntries(
          Object.keys(_sum).map((column) => [
            column,
            // As in SQL, the sum of no rows is null.
            found.length === 0 ? null : found.map((row) => row[column]).reduce(add),
          ]),
        );
        return { _sum: sums };
      },
    };
  }
}

function defined(data: Row): Row {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}

function applyUpdate(row: Row, data: Row): Row {
  for (const [column, value] of Object.entries(defined(data))) {
    if (isPlainObject(value) && "increment" in value) row[column] = add(row[column], value.increment);
    else if (isPlainObject(value) && "decrement" in value) row[column] = add(row[column], negate(value.decrement));
    else row[column] = value;
  }
  return row;
}

function matches(row: Row, where: Where): boolean {
  return Object.entries(where).every(([key, condition]) => {
    if (condition === undefined) return true;
    if (key === "OR") return (condition as Where[]).some((branch) => matches(row, branch));
    if (key === "AND") return (condition as Where[]).every((branch) => matches(row, branch));
    if (isPlainObject(condition)) {
      const keys = Object.keys(condition);
      // A compound unique key (facilityId_operator: { facilityId, operator }) names columns of the row.
      if (!keys.every((operator) => OPERATORS.has(operator))) return matches(row, condition);
      return keys.every((operator) => satisfies(row[key], operator, condition[operator]));
    }
    return same(row[key], condition);
  });
}

function satisfies(value: unknown, operator: string, operand: unknown): boolean {
  switch (operator) {
    case "equals":
      return same(value, operand);
    case "not":
      return !same(value, operand);
    case "in":
      return (operand as unknown[]).some((candidate) => same(value, candidate));
    default: {
      if (value === null || value === undefined) return false;
      const [a, b] = [value as number | bigint, operand as number | bigint];
      return operator === "gt" ? a > b : operator === "gte" ? a >= b : operator === "lt" ? a < b : a <= b;
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === "bigint" || typeof b === "bigint") return BigInt(a as bigint) + BigInt(b as bigint);
  return (a as number) + (b as number);
}

function negate(value: unknown): unknown {
  return typeof value === "bigint" ? -value : -(value as number);
}

function selected(row: Row, select: Record<string, boolean> | undefined): Row {
  if (!select) return { ...row };
  return Object.fromEntries(Object.keys(select).map((column) => [column, row[column] ?? null]));
}

function sorted(rows: Row[], orderBy: OrderBy | undefined): Row[] {
  if (!orderBy) return rows;
  return [...rows].sort((a, b) => {
    for (const [column, direction] of Object.entries(orderBy)) {
      const [x, y] = [a[column] as number | bigint | string, b[column] as number | bigint | string];
      if (x !== y) return (x < y ? -1 : 1) * (direction === "asc" ? 1 : -1);
    }
    return 0;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

function shown(where: Where): string {
  return JSON.stringify(where, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
}
