// The prompt version in every entry's reproducibility record: change it when prompts change.
export const promptVersion = "2026-12-01.1";
