namespace Orleans.Loki.Gateway.Http;

/// <summary>A request the client got wrong (unreadable body, bad form): answered with its status and text, logged at debug.</summary>
public sealed class ClientRequestException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;
}
