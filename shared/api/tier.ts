// The entry tiers: how long and how thorough an entry is (S: 10,000+ words in 6 sections). One
// definition for the API, the validators, the pipeline and the node's scheduler.
export const tiers = ["S", "A", "B"] as const;
export type Tier = (typeof tiers)[number];

export const isTier = (value: unknown): value is Tier => typeof value === "string" && (tiers as readonly string[]).includes(value);
