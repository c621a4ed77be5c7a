export { type DemoCallers, type DemoOptions, type DemoReport, runDemo } from "./demo/run-demo.js";
export { expectedSplit } from "./demo/revenue-split.js";
export { type ProgramDemoOptions, type ProgramDemoReport, runProgramDemo } from "./demo/run-program-demo.js";
