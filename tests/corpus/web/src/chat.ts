import { InferenceClient } from "@huggingface/inference";

const client = new InferenceClient(process.env.HF_TOKEN);
const reply = await client.chatCompletion({
  model: "meta-llama/Llama-3.1-8B-Instruct:cerebras",
  messages: [{ role: "user", content: "Hello" }],
});
// await client.textToImage({ model: "org/commented-inference" });
const other = { model: "gpt-4o" };
