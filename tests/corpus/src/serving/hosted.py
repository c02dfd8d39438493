"""Hosted API models: named in code, served by a provider."""

import boto3
import cohere
import litellm
import vertexai
from anthropic import Anthropic
from google import genai
from mistralai import Mistral
from openai import OpenAI
from vertexai.generative_models import GenerativeModel

openai_client = OpenAI()
answer = openai_client.chat.completions.create(model="gpt-4o-mini", messages=[])
vectors = openai_client.embeddings.create(model="text-embedding-3-small", input=["hi"])

claude = Anthropic()
reply = claude.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=512, messages=[])

gclient = genai.Client()
story = gclient.models.generate_content(model="gemini-2.0-flash", contents="hi")

vertexai.init(project="demo", location="us-central1")
gemini = GenerativeModel("gemini-1.5-pro")

mistral = Mistral(api_key="not-a-real-key")
chat = mistral.chat.complete(model="mistral-large-latest", messages=[])

co = cohere.ClientV2()
ranked = co.rerank(model="rerank-english-v3.0", query="q", documents=[])

bedrock = boto3.client("bedrock-runtime")
out = bedrock.invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body="{}")

routed = litellm.completion(model="groq/llama-3.1-8b-instant", messages=[])
