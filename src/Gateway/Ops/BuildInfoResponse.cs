using System.Text.Json.Serialization;

namespace Orleans.Loki.Gateway.Ops;

/// <summary>Body of <c>/loki/api/v1/status/buildinfo</c>, Loki's field names.</summary>
public sealed record BuildInfoResponse(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("revision")] string Revision)
{
    [JsonPropertyName("branch")] public string Branch { get; init; } = "main";
    [JsonPropertyName("buildUser")] public string BuildUser { get; init; } = "";
    [JsonPropertyName("buildDate")] public string BuildDate { get; init; } = "";
    [JsonPropertyName("goVersion")] public string GoVersion { get; init; } = "";
}
