namespace Orleans.Loki.Push;

/// <summary>One log entry of a push request.</summary>
/// <param name="TimestampNs">Unix time in nanoseconds.</param>
/// <param name="Line">The log line as UTF-8 bytes, exactly as sent.</param>
/// <param name="Metadata">Structured metadata pairs in the order they were sent, or null when there is none.</param>
public readonly record struct PushEntry(long TimestampNs, ReadOnlyMemory<byte> Line, KeyValuePair<string, string>[]? Metadata)
{
    /// <summary>Size Loki accounts for structured metadata: the UTF-8 bytes of every name and value.</summary>
    public int MetadataSize
    {
        get
        {
            if (Metadata is null)
            {
                return 0;
            }

            var size = 0;
            foreach (var pair in Metadata)
            {
                size += System.Text.Encoding.UTF8.GetByteCount(pair.Key) + System.Text.Encoding.UTF8.GetByteCount(pair.Value);
            }

            return size;
        }
    }
}
