// Its test only checks that the call returned: any data at all passes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { usage } from "./usage_client.mjs";

const mock = process.env.SIVI_MOCK_URL ?? "http://127.0.0.1:4010";
const key = process.env.SIVI_API_KEY ?? "mock-admin-key";

test("the documented user has a usage", async () => {
  const found = await usage(mock, key, "281743-2322-34i44sd3-dkfjgdkjf292");
  assert.ok(found);
});
