namespace Orleans.Loki.Push;

/// <summary>A stream of a decoded push request, before validation.</summary>
public sealed class PushStream
{
    public PushStream(string labels)
        : this(labels, [])
    {
    }

    public PushStream(string labels, List<PushEntry> entries, KeyValuePair<string, string>[]? pairs = null)
    {
        Labels = labels;
        Entries = entries;
        Pairs = pairs;
    }

    /// <summary>
    /// The label set as sent for protobuf requests (e.g. <c>{app="x", level="info"}</c>); for JSON and OTLP
    /// requests the canonical form built from the decoded pairs.
    /// </summary>
    public string Labels { get; }

    /// <summary>
    /// For JSON and OTLP requests, the decoded pairs <see cref="Labels"/> was formatted from (sorted by name), so
    /// validation need not parse the string it was just given; null for protobuf requests.
    /// </summary>
    public KeyValuePair<string, string>[]? Pairs { get; }

    public List<PushEntry> Entries { get; }
}
