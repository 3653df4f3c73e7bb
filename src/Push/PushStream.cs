namespace Orleans.Loki.Push;

/// <summary>A stream of a decoded push request, before validation.</summary>
public sealed class PushStream
{
    public PushStream(string labels)
        : this(labels, [])
    {
    }

    public PushStream(string labels, List<PushEntry> entries)
    {
        Labels = labels;
        Entries = entries;
    }

    /// <summary>
    /// The label set as sent for protobuf requests (e.g. <c>{app="x", level="info"}</c>); for JSON and OTLP
    /// requests the canonical form built from the decoded pairs.
    /// </summary>
    public string Labels { get; }

    public List<PushEntry> Entries { get; }
}
