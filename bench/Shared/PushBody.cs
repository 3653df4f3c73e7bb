namespace Orleans.Loki.Bench.Generation;

/// <summary>A ready-to-send push request body.</summary>
/// <param name="Content">The body bytes.</param>
/// <param name="ContentType">The Content-Type header to send with it.</param>
/// <param name="Lines">Number of log lines in the body.</param>
/// <param name="RawBytes">Sum of the line lengths in the body.</param>
public sealed record PushBody(byte[] Content, string ContentType, int Lines, long RawBytes);
