"""aiospo-ci: find the AI models a repository uses, enrich them from the Hugging Face Hub,
judge them with Rego policies, and report where engineers look."""

__version__ = "0.1.0"
