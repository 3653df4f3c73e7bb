using System.Text.Json;

namespace Orleans.Loki.Push.Tests;

/// <summary>A captured client request: body bytes plus the headers it was sent with.</summary>
internal sealed record Fixture(string Name, byte[] Body, string? ContentType, string? ContentEncoding, PushFormat Format)
{
    public static readonly string[] Names =
    [
        "001-winston-loki-proto",
        "002-winston-loki-json",
        "003-pino-loki",
        "004-otlp-http",
        "005-pino-loki-meta",
        "006-otlp-http-gzip",
    ];

    public static Fixture Load(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var body = File.ReadAllBytes(Path.Combine(directory, name + ".bin"));
        using var headers = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, name + ".json")));
        var map = headers.RootElement.GetProperty("headers");
        var url = headers.RootElement.GetProperty("url").GetString()!;
        var contentType = map.TryGetProperty("content-type", out var type) ? type.GetString() : null;
        var contentEncoding = map.TryGetProperty("content-encoding", out var encoding) ? encoding.GetString() : null;
        var format = url.EndsWith("/logs", StringComparison.Ordinal) ? PushFormat.OtlpJson : PushFormat.Json;
        return new Fixture(name, body, contentType, contentEncoding, format);
    }

    public PushDecodeResult Decode(long max = 1 << 20) => PushDecoder.Decode(Body, ContentType, ContentEncoding, Format, max);
}
