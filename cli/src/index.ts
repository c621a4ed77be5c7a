export { type DemoCallers, type DemoOptions, type DemoReport, runDemo } from "./demo/run-demo.js";
export { expectedSplit } from "./demo/revenue-split.js";
