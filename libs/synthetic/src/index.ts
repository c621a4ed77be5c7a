export { type Random, seededRandom } from "./random.js";
