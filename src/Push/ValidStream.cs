using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>A validated stream: canonical labels, its fingerprint and the accepted entries in arrival order.</summary>
public sealed class ValidStream
{
    internal ValidStream(string labels, KeyValuePair<string, string>[] labelPairs, ulong fingerprint)
    {
        Labels = labels;
        LabelPairs = labelPairs;
        Fingerprint = fingerprint;
        Entries = [];
    }

    /// <summary>Canonical label string, e.g. <c>{app="x", service_name="x"}</c>.</summary>
    public string Labels { get; }

    /// <summary>The labels sorted by name.</summary>
    public KeyValuePair<string, string>[] LabelPairs { get; }

    /// <summary><see cref="LabelSet.Fingerprint"/> of <see cref="Labels"/>.</summary>
    public ulong Fingerprint { get; }

    public List<PushEntry> Entries { get; }
}
