namespace Orleans.Loki.Push;

/// <summary>Outcome of <see cref="PushDecoder.Decode(ReadOnlySpan{byte}, string?, string?, PushFormat, long)"/>.</summary>
public sealed class PushDecodeResult : IDisposable
{
    /// <summary>Pooled buffer the entries' lines are slices of, returned by <see cref="Dispose"/>.</summary>
    private byte[]? _buffer;

    private PushDecodeResult(bool success, List<PushStream> streams, int statusCode, string error, byte[]? buffer = null)
    {
        _buffer = buffer;
        Success = success;
        Streams = streams;
        StatusCode = statusCode;
        Error = error;
    }

    public bool Success { get; }

    /// <summary>The decoded streams; empty when decoding failed.</summary>
    public List<PushStream> Streams { get; }

    /// <summary>200 on success; otherwise the HTTP status to answer with (400, 413 or 415).</summary>
    public int StatusCode { get; }

    /// <summary>Empty on success; otherwise the Loki-like error text for the response body.</summary>
    public string Error { get; }

    internal static PushDecodeResult Ok(List<PushStream> streams) => new(true, streams, 200, string.Empty);

    /// <summary>A result whose lines are slices of <paramref name="pooled"/>, a <see cref="PushBuffers"/> array.</summary>
    internal static PushDecodeResult Ok(List<PushStream> streams, byte[] pooled) => new(true, streams, 200, string.Empty, pooled);

    /// <summary>
    /// Returns the pooled buffer the lines may point into: no entry's <see cref="PushEntry.Line"/> may be read
    /// afterwards. Not disposing is safe (the buffer is then left to the garbage collector).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            PushBuffers.Return(buffer);
        }
    }

    internal static PushDecodeResult BadRequest(string error) => new(false, [], 400, error);

    internal static PushDecodeResult TooLarge(string error) => new(false, [], 413, error);

    internal static PushDecodeResult Unsupported(string error) => new(false, [], 415, error);
}
