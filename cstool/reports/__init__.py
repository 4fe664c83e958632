"""What people read: rendering (tables, JSON, CSV, Markdown, masking), ticket views,
audit statistics and their tables, QA samples and the shift handover."""
