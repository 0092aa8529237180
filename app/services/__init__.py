"""Use cases: one function per user intent. Each owns its transaction and writes audit + outbox."""
