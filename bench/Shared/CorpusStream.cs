namespace Orleans.Loki.Bench.Generation;

/// <summary>A generated stream: its labels and the format of its lines.</summary>
public sealed class CorpusStream
{
    /// <summary>Creates the stream with the given label pairs (any order; kept sorted by name).</summary>
    public CorpusStream(LineFormat format, IEnumerable<KeyValuePair<string, string>> labels)
    {
        Format = format;
        Labels = [.. labels.OrderBy(l => l.Key, StringComparer.Ordinal)];
        LabelString = "{" + string.Join(", ", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
    }

    /// <summary>The format of every line of the stream.</summary>
    public LineFormat Format { get; }

    /// <summary>Label pairs sorted by name.</summary>
    public KeyValuePair<string, string>[] Labels { get; }

    /// <summary>Prometheus-style label string (<c>{app="svc-001", format="json"}</c>), as protobuf pushes carry it.</summary>
    public string LabelString { get; }
}
