namespace Orleans.Loki.Push;

/// <summary>Which push endpoint a body arrived on; the exact encoding is then taken from Content-Type.</summary>
public enum PushFormat
{
    /// <summary><c>/loki/api/v1/push</c> (JSON or protobuf, chosen by Content-Type as Loki does).</summary>
    Json = 1,

    /// <summary><c>/loki/api/v1/push</c> (JSON or protobuf, chosen by Content-Type as Loki does).</summary>
    Protobuf = 2,

    /// <summary><c>/otlp/v1/logs</c> (JSON or protobuf, chosen by Content-Type).</summary>
    OtlpJson = 3,

    /// <summary><c>/otlp/v1/logs</c> (JSON or protobuf, chosen by Content-Type).</summary>
    OtlpProtobuf = 4,
}
