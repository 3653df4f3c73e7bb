namespace Orleans.Loki.LogQL.Log;

/// <summary>The labels of one processed line split by origin (each list sorted by name).</summary>
public sealed record CategorizedLabels(
    KeyValuePair<string, string>[] Stream,
    KeyValuePair<string, string>[] StructuredMetadata,
    KeyValuePair<string, string>[] Parsed);
