"""Every side effect of the lifecycle: records, names register, read model, outbox."""
