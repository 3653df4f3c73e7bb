namespace Orleans.Loki.Push;

/// <summary>Outcome of <see cref="PushDecoder.Decode(ReadOnlySpan{byte}, string?, string?, PushFormat, long)"/>.</summary>
public sealed class PushDecodeResult
{
    private PushDecodeResult(bool success, List<PushStream> streams, int statusCode, string error)
    {
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

    internal static PushDecodeResult BadRequest(string error) => new(false, [], 400, error);

    internal static PushDecodeResult TooLarge(string error) => new(false, [], 413, error);

    internal static PushDecodeResult Unsupported(string error) => new(false, [], 415, error);
}
