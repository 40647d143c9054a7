"""blueprint: the offline engine, checks, reports and CLI of genai-platform."""
