import { pipeline, AutoTokenizer } from '@huggingface/transformers';

const TOKENIZER = 'Xenova/bert-base-uncased';

// const old = await pipeline('sentiment-analysis', 'Xenova/commented-out');
/* pipeline('fill-mask', 'Xenova/in-block-comment') */
export const classifier = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');
export const captioner = await pipeline("image-to-text", "Xenova/vit-gpt2-image-captioning", { revision: "main" });
export const tokenizer = await AutoTokenizer.from_pretrained(TOKENIZER);
export const mine = await pipeline('feature-extraction', './models/local-embedder');
