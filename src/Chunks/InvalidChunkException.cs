namespace Orleans.Loki.Chunks;

/// <summary>Chunk or entry-batch bytes are malformed, truncated or fail a checksum.</summary>
public sealed class InvalidChunkException : Exception
{
    public InvalidChunkException()
    {
    }

    public InvalidChunkException(string message)
        : base(message)
    {
    }

    public InvalidChunkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failure at <paramref name="offset"/> in the input.</summary>
    public InvalidChunkException(string message, long offset)
        : base($"{message} (at offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the input where the failure was found, or -1 when not known.</summary>
    public long Offset { get; } = -1;
}
