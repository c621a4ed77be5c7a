/// <reference path="../../node_modules/@stacks/clarinet-sdk/vitest-helpers/src/global.d.ts" />
/// <reference path="../../node_modules/@stacks/clarinet-sdk/vitest-helpers/src/vitest.d.ts" />
