// The tokenizer of the static model, in the Hugging Face tokenizers format (tokenizer.json) that
// transformers.js and the Python `tokenizers` library both read: a WordLevel model over the GloVe
// vocabulary, NFKC, accent stripping and lowercasing (GloVe 6B is lowercased; NFKC also turns the house
// style's no-break-space indent into plain spaces), and BERT's pre-tokenizer, which splits on
// whitespace and Unicode punctuation as GloVe's tokenizer did.

export const PAD_TOKEN = "[PAD]";
export const UNK_TOKEN = "[UNK]";
/** Ids 0 and 1 are the special tokens; GloVe word i has id i + SPECIAL_TOKENS. */
export const SPECIAL_TOKENS = 2;
/** No positional limit exists in a bag-of-tokens model; this caps a single text's token count. */
export const MODEL_MAX_LENGTH = 8192;

export function tokenizerJson(words: readonly string[]): object {
  const vocab: Record<string, number> = { [PAD_TOKEN]: 0, [UNK_TOKEN]: 1 };
  words.forEach((word, i) => {
    // GloVe has no duplicates; keep the first (most frequent) if a future source does.
    if (!(word in vocab)) vocab[word] = i + SPECIAL_TOKENS;
  });
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(0, PAD_TOKEN), special(1, UNK_TOKEN)],
    normalizer: { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab, unk_token: UNK_TOKEN },
  };
}

export function tokenizerConfigJson(): object {
  return {
    tokenizer_class: "PreTrainedTokenizer",
    model_max_length: MODEL_MAX_LENGTH,
    pad_token: PAD_TOKEN,
    unk_token: UNK_TOKEN,
    do_lower_case: true,
    clean_up_tokenization_spaces: false,
  };
}

export function specialTokensMapJson(): object {
  return { pad_token: PAD_TOKEN, unk_token: UNK_TOKEN };
}
