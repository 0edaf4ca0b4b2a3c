namespace AlertHealer.Storage;

// The store could not durably write; callers answer 503 so the sender retries.
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
