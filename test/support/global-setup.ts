// Runs once before the suite: fail fast, with the fix, when the test model is missing.
import { assertTestModel } from "./models.ts";

export default function setup(): void {
  assertTestModel();
}
